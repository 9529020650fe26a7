//! Rough CPU overhead of `HyperTransport` against a bare hyper-util client sending the same
//! request to the same loopback HTTP/1.1 server, on one thread (so wall time is CPU time of client
//! and server together). Run with `cargo run --release -p okta-hyper --example overhead`.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use okta_hyper::HyperTransport;
use okta_users::RequestBody;
use tower_service::Service;

const BODY: &[u8] = br#"{"id":"00u1","status":"ACTIVE","profile":{"login":"ada@example.com","email":"ada@example.com"}}"#;

fn request(uri: &str) -> Request<RequestBody> {
    Request::builder()
        .uri(uri)
        .header("accept", "application/json")
        .header("authorization", "SSWS 00abcdefghijklmnopqrstuvwxyz")
        .body(RequestBody::default())
        .unwrap()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!(
            "http://{}/api/v1/users/00u1",
            listener.local_addr().unwrap()
        );
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(
                    TokioIo::new(tcp),
                    hyper::service::service_fn(|_request| async {
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(BODY))))
                    }),
                ));
            }
        });

        let bare: Client<_, RequestBody> = Client::builder(TokioExecutor::new()).build_http();
        let transport = HyperTransport::builder().build().unwrap();
        let n = 20_000;
        let (mut bare_total, mut ours_total) = (Duration::ZERO, Duration::ZERO);
        for round in 0..6 {
            let start = Instant::now();
            for _ in 0..n {
                let response = bare.request(request(&uri)).await.unwrap();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert_eq!(body.len(), BODY.len());
            }
            let bare_time = start.elapsed();
            let start = Instant::now();
            for _ in 0..n {
                let response = transport.clone().call(request(&uri)).await.unwrap();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert_eq!(body.len(), BODY.len());
            }
            let ours_time = start.elapsed();
            if round > 0 {
                bare_total += bare_time;
                ours_total += ours_time;
            }
            println!(
                "round {round}: bare {:.2} µs/req, HyperTransport {:.2} µs/req",
                bare_time.as_secs_f64() * 1e6 / n as f64,
                ours_time.as_secs_f64() * 1e6 / n as f64
            );
        }
        println!(
            "ratio (rounds 1..): {:.3}",
            ours_total.as_secs_f64() / bare_total.as_secs_f64()
        );
    });
}
