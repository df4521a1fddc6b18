//! An axum `Router` on ringio through hyper-util's tower adapter.

mod common;

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use common::run_bounded;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::service::TowerToHyperService;
use ringio::hyper::{HyperIo, HyperTimer};
use ringio::net::{TcpListener, TcpStream};
use std::time::Duration;

#[test]
fn an_axum_router_serves_routes_json_and_404s() {
    skip_unless_uring!();
    run_bounded(Duration::from_secs(30), || async {
        let app = Router::new()
            .route("/hello/{name}", get(|Path(name): Path<String>| async move { format!("Hello, {name}!") }))
            .route(
                "/sum",
                post(|Json(v): Json<serde_json::Value>| async move {
                    Json(serde_json::json!({ "sum": v["a"].as_i64().unwrap() + v["b"].as_i64().unwrap() }))
                }),
            );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(ringio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let service = TowerToHyperService::new(app.clone());
                drop(ringio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .timer(HyperTimer::new())
                        .serve_connection(HyperIo::new(stream), service)
                        .await;
                }));
            }
        }));
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(stream))
            .await
            .unwrap();
        drop(ringio::spawn(conn));

        let req = Request::get("/hello/ringio")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = sender.send_request(req).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, "Hello, ringio!");

        let req = Request::post("/sum")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(r#"{"a":40,"b":2}"#)))
            .unwrap();
        let response = sender.send_request(req).await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["sum"], 42);

        let req = Request::get("/nowhere")
            .body(Full::new(Bytes::new()))
            .unwrap();
        assert_eq!(sender.send_request(req).await.unwrap().status(), 404);
    });
}
