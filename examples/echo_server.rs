//! A TCP echo server on ringio.
//!
//! ```text
//! cargo run --release --example echo_server -- --addr 127.0.0.1:7000
//! ```

#[path = "support/echo.rs"]
mod echo;

fn main() {
    let mut addr = "127.0.0.1:7000".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().expect("--addr needs a value"),
            other => {
                eprintln!("unknown argument {other}\nusage: echo_server [--addr HOST:PORT]");
                std::process::exit(2);
            }
        }
    }
    let listener = match ringio::net::TcpListener::bind(&addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot bind {addr}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("echoing on {}", listener.local_addr().unwrap());
    ringio::run(echo::ringio_server(listener, std::future::pending()));
}
