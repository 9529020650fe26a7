//! Temporary overhead check.
use bytes::Bytes;
use http_body_util::Full;
use std::time::Instant;
use tower::{Layer, Service, ServiceExt};

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let base = tower::service_fn(|_r: http::Request<Full<Bytes>>| {
            std::future::ready(Ok::<_, okta_users::Error>(http::Response::new(Full::new(
                Bytes::from_static(b"{}"),
            ))))
        });
        let stack = okta_layers::layers(&okta_layers::StackConfig::default()).layer(base.clone());
        let make = || {
            let mut r = http::Request::builder()
                .uri("/api/v1/users?limit=200")
                .header("accept", "application/json")
                .body(Full::new(Bytes::from_static(b"")))
                .unwrap();
            r.extensions_mut()
                .insert(okta_users::Operation::new("okta.users.list", "listUsers"));
            r
        };
        macro_rules! measure {
            ($name:expr, $svc:expr) => {{
                let svc = $svc;
                let n = 500_000;
                let t = Instant::now();
                for _ in 0..n { let mut s = base.clone(); s.ready().await.unwrap().call(make()).await.unwrap(); }
                let b = t.elapsed().as_nanos() as f64 / n as f64;
                let t = Instant::now();
                for _ in 0..n { let mut s = svc.clone(); s.ready().await.unwrap().call(make()).await.unwrap(); }
                let st = t.elapsed().as_nanos() as f64 / n as f64;
                println!("{}: overhead {:.0} ns", $name, st - b);
            }};
        }
        measure!("trace", okta_layers::TraceLayer.layer(base.clone()));
        measure!("attempt trace", okta_layers::AttemptTraceLayer.layer(base.clone()));
        measure!("timeout", okta_layers::TimeoutLayer::attempt(std::time::Duration::from_secs(1)).layer(base.clone()));
        measure!("rate limit", okta_layers::RateLimitLayer::new(Default::default()).layer(base.clone()));
        measure!("retry", okta_layers::retry::layer(Default::default()).layer(base.clone()));
        measure!("clone req", tower::service_fn({ let base = base.clone(); move |r: http::Request<Full<Bytes>>| { let c = r.clone(); drop(c); let mut b = base.clone(); b.call(r) } }));
        measure!("instant", tower::service_fn({ let base = base.clone(); move |r: http::Request<Full<Bytes>>| { std::hint::black_box(tokio::time::Instant::now()); let mut b = base.clone(); b.call(r) } }));
        for round in 0..3 {
            let n = 1_000_000;
            let t = Instant::now();
            for _ in 0..n {
                let mut s = base.clone();
                s.ready().await.unwrap().call(make()).await.unwrap();
            }
            let b = t.elapsed().as_nanos() as f64 / n as f64;
            let t = Instant::now();
            for _ in 0..n {
                let mut s = stack.clone();
                s.ready().await.unwrap().call(make()).await.unwrap();
            }
            let st = t.elapsed().as_nanos() as f64 / n as f64;
            println!(
                "round {round}: base {b:.0} ns, stack {st:.0} ns, overhead {:.0} ns",
                st - b
            );
        }
    });
}
