//! An axum `Router` served on ringio through hyper (hyper-util's tower
//! adapter), one task per connection on one thread.
//!
//! ```text
//! cargo run --release --example axum_server -- 127.0.0.1:3000
//! curl http://127.0.0.1:3000/hello/world      # Hello, world!
//! curl -d '{"a":2,"b":3}' -H 'content-type: application/json' http://127.0.0.1:3000/sum
//! ```

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper_util::service::TowerToHyperService;
use ringio::hyper::{HyperIo, HyperTimer};
use ringio::net::TcpListener;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Terms {
    a: i64,
    b: i64,
}

#[derive(Serialize)]
struct Sum {
    sum: i64,
}

/// The application: plain axum, nothing ringio-specific.
fn app() -> Router {
    Router::new()
        .route(
            "/hello/{name}",
            get(|Path(name): Path<String>| async move { format!("Hello, {name}!") }),
        )
        .route(
            "/sum",
            post(|Json(t): Json<Terms>| async move { Json(Sum { sum: t.a + t.b }) }),
        )
}

#[ringio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let listener = TcpListener::bind(&addr).unwrap_or_else(|e| {
        eprintln!("axum_server: cannot listen on {addr}: {e}");
        std::process::exit(1)
    });
    eprintln!("serving http://{}", listener.local_addr().unwrap());
    let app = app();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        drop(ringio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(HyperTimer::new())
                .serve_connection(HyperIo::new(stream), service)
                .await;
        }));
    }
}
