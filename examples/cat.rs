//! Copies a file to stdout through the ring, double-buffered: the read of
//! the next chunk is in flight while the current one is written out.
//!
//! `cargo run --example cat -- FILE`

use ringio::fs::File;
use std::io::Write;

const CHUNK: usize = 128 * 1024;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: cat FILE");
        std::process::exit(2);
    };
    let result = ringio::run(async move {
        let file = File::open(&path).await?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let mut pos = 0u64;
        let mut spare = Vec::with_capacity(CHUNK);
        // Start the first read, then keep one read in flight while writing.
        let mut pending = Box::pin(file.read_at(Vec::with_capacity(CHUNK), pos));
        loop {
            let (res, chunk) = pending.await;
            let n = res?;
            if n == 0 {
                break;
            }
            pos += n as u64;
            pending = Box::pin(file.read_at(std::mem::take(&mut spare), pos));
            out.write_all(&chunk)?;
            spare = chunk;
            spare.clear();
        }
        out.flush()?;
        file.close().await
    });
    if let Err(e) = result {
        eprintln!("cat: {e}");
        std::process::exit(1);
    }
}
