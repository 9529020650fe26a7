//! Requests per second of the mock for `GET /api/v1/users/{id}` over keep-alive HTTP/1.
//!
//! `cargo run --release -p okta-mock --example mock_throughput -- [seconds=5] [connections=32]`
//! Client and server share the machine, so the figure is a lower bound for the server alone.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use okta_mock::{MockOrg, RateLimits};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .clamp(1, 60);
    let conns: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32)
        .clamp(1, 1024);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let org = MockOrg::builder()
            .seed(42)
            .users(1000)
            .rate_limits(RateLimits::disabled())
            .no_concurrency_limit()
            .request_log(false)
            .start()
            .await?;
        let ids = Arc::new(org.user_ids());
        let auth = format!("SSWS {}", org.token());
        let done = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for c in 0..conns {
            let (ids, auth, done, addr) = (ids.clone(), auth.clone(), done.clone(), org.addr());
            tasks.push(tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await?;
                stream.set_nodelay(true)?;
                let io = hyper_util::rt::TokioIo::new(stream);
                let (mut send, conn) =
                    hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(io).await?;
                tokio::spawn(conn);
                let mut i = c;
                while Instant::now() < deadline {
                    let id = &ids[i % ids.len()];
                    i += conns;
                    let req = http::Request::get(format!("/api/v1/users/{id}"))
                        .header("host", "127.0.0.1")
                        .header("authorization", &auth)
                        .body(Empty::new())?;
                    let resp = send.send_request(req).await?;
                    let ok = resp.status() == 200;
                    resp.into_body().collect().await?;
                    if ok {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            }));
        }
        let start = Instant::now();
        for t in tasks {
            if let Ok(Err(e)) = t.await {
                eprintln!("connection failed: {e}");
            }
        }
        let n = done.load(Ordering::Relaxed);
        let rate = n as f64 / start.elapsed().as_secs_f64();
        println!("{n} requests in {secs} s over {conns} connections: {rate:.0} requests/s");
        org.shutdown().await;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
