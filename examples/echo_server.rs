//! A TCP echo server on ringio: one thread, or one thread per core.
//!
//! ```text
//! cargo run --release --example echo_server -- --addr 127.0.0.1:7000
//! cargo run --release --example echo_server -- --addr 127.0.0.1:7000 --threads 4
//! ```
//! With `--threads N` every worker of a `ringio::Pool` binds its own
//! `SO_REUSEPORT` listener on the address and the kernel balances the
//! connections; each connection lives on the core that accepted it.

#[path = "support/echo.rs"]
mod echo;

use ringio::net::{ListenOptions, TcpListener};

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
        let _ = ringio::run(echo::ringio_server(listener, std::future::pending()));
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
                let _ = echo::ringio_server(listener, std::future::pending()).await;
            }
        });
    if let Err(e) = result {
        eprintln!("echo_server: {e}");
        std::process::exit(1);
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
