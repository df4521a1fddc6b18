//! A TCP echo server on ringio: one thread, or one thread per core.
//!
//! ```text
//! cargo run --release --example echo_server -- --addr 127.0.0.1:7000
//! cargo run --release --example echo_server -- --addr 127.0.0.1:7000 --threads 4
//! ```
//! With `--threads N` every worker of a `ringio::Pool` binds its own
//! `SO_REUSEPORT` listener on the address and the kernel balances the
//! connections; each connection lives on the core that accepted it.

use futures_util::StreamExt;
use ringio::net::{ListenOptions, TcpListener, TcpStream};

fn main() {
    let mut addr = "127.0.0.1:7000".to_string();
    let mut threads = 1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().unwrap_or_else(|| usage("--addr needs a value")),
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage("--threads needs a positive number"))
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if threads == 1 {
        let listener = TcpListener::bind(&addr).unwrap_or_else(|e| fail(&addr, e));
        eprintln!("echoing on {} (1 thread)", listener.local_addr().unwrap());
        ringio::run(serve(listener));
        return;
    }
    let result = ringio::Pool::new(threads)
        .pin_cores(threads <= ringio::available_cores())
        .run(move |worker| {
            let addr = addr.clone();
            async move {
                let options = ListenOptions {
                    reuse_port: true,
                    ..ListenOptions::default()
                };
                let listener =
                    TcpListener::bind_with(&addr, options).unwrap_or_else(|e| fail(&addr, e));
                if worker.index() == 0 {
                    eprintln!(
                        "echoing on {} ({} threads)",
                        listener.local_addr().unwrap(),
                        worker.pool_size()
                    );
                }
                serve(listener).await;
            }
        });
    if let Err(e) = result {
        eprintln!("echo_server: {e}");
        std::process::exit(1);
    }
}

/// Accepts connections forever, each echoed by its own task.
async fn serve(listener: TcpListener) {
    let mut incoming = listener.incoming();
    while let Some(stream) = incoming.next().await {
        match stream {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                drop(ringio::spawn(echo(stream)));
            }
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
}

/// Sends back what arrives, one buffer reused for every read, until the
/// peer closes or an error.
async fn echo(stream: TcpStream) {
    let mut buf = Vec::with_capacity(64 * 1024);
    loop {
        let (n, b) = stream.read(buf).await;
        if !matches!(n, Ok(n) if n > 0) {
            return;
        }
        let (res, b) = stream.write_all(b).await;
        if res.is_err() {
            return;
        }
        buf = b;
    }
}

fn fail(addr: &str, e: std::io::Error) -> ! {
    eprintln!("cannot bind {addr}: {e}");
    std::process::exit(1);
}

fn usage(msg: &str) -> ! {
    eprintln!("{msg}\nusage: echo_server [--addr HOST:PORT] [--threads N]");
    std::process::exit(2);
}
