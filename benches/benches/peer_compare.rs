//! Peer comparison: our client against the `okta` crate 0.7.1 (crates.io, the generated client;
//! reqwest 0.11 + rustls), pointed at the same mock org with `with_host_override`, sending the
//! same requests — get one user, list one page of 200 — at concurrency 1 and 64, alternating
//! round by round. Reported: throughput ratio and client CPU time per request (this process,
//! a current-thread runtime; the mock is a separate process pinned to another CPU).
//! A bare hyper client (reads the body to bytes, decodes nothing) is the floor, for reference.
//! Targets at concurrency 64: ≥ 1.5× the peer's throughput, ≤ 0.65× its CPU per request.
//!
//! `cargo bench -p okta-benches --bench peer_compare` (`ROUNDS=n`).

use std::hint::black_box;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use okta_benches::mock::{MockOptions, MockServer};
use okta_benches::rounds::{Contender, alternate, drive, measure, print_table, rounds_from_env};

fn main() {
    // Criterion's flags (`--bench`, filters) are accepted and ignored.
    let mut mock = MockServer::start(&MockOptions::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ids = runtime.block_on(mock.fetch_user_ids(200));
    let ours = okta_client::Client::builder()
        .org_url(&mock.base_url)
        .api_token(mock.token.as_str())
        .build()
        .expect("client")
        .users();
    let mut peer = okta::Client::new(&mock.token);
    peer.with_host_override(&mock.base_url);
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    let bare: HyperClient<HttpConnector, Full<Bytes>> =
        HyperClient::builder(TokioExecutor::new()).build(http);
    let auth = format!("SSWS {}", mock.token);
    let base = mock.base_url.clone();

    let ours_get = |i: u64| {
        let ours = ours.clone();
        let id = &ids[i as usize % ids.len()];
        async move {
            black_box(ours.get(id).await.expect("ours: get"));
        }
    };
    let peer_get = |i: u64| {
        let id = &ids[i as usize % ids.len()];
        let peer = &peer;
        async move {
            black_box(peer.users().get(id).await.expect("okta: get"));
        }
    };
    let bare_fetch = |path: String| {
        let request = http::Request::get(format!("{base}{path}"))
            .header("user-agent", okta_layers::headers::DEFAULT_USER_AGENT)
            .header("accept", "application/json")
            .header("authorization", &auth)
            .body(Full::default())
            .expect("request");
        let bare = &bare;
        async move {
            let response = bare.request(request).await.expect("bare: response");
            assert!(response.status().is_success());
            black_box(
                response
                    .into_body()
                    .collect()
                    .await
                    .expect("body")
                    .to_bytes(),
            );
        }
    };
    let bare_get = |i: u64| bare_fetch(format!("/api/v1/users/{}", ids[i as usize % ids.len()]));
    let ours_list = |_: u64| {
        let ours = ours.clone();
        async move {
            black_box(ours.list().limit(200).send().await.expect("ours: list"));
        }
    };
    let peer_list = |_: u64| {
        let peer = &peer;
        async move {
            let page = peer.users().list("", "", 200, "", "", "", "").await;
            black_box(page.expect("okta: list"));
        }
    };
    let bare_list = |_: u64| bare_fetch("/api/v1/users?limit=200".to_owned());

    runtime.block_on(async {
        ours_get(0).await;
        peer_get(0).await;
        bare_get(0).await;
        ours_list(0).await;
        peer_list(0).await;
        bare_list(0).await;
    });
    println!("mock: {} at {}", mock.kind, mock.base_url);

    let rounds = rounds_from_env(9);
    let rt = &runtime;
    for concurrency in [1usize, 64] {
        let n = if concurrency == 1 { 2000 } else { 6000 };
        let mut contenders = vec![
            Contender::new("okta 0.7.1", || {
                measure(n, || rt.block_on(drive(n, concurrency, peer_get)))
            }),
            Contender::new("okta-client (ours)", || {
                measure(n, || rt.block_on(drive(n, concurrency, ours_get)))
            }),
            Contender::new("bare hyper (floor)", || {
                measure(n, || rt.block_on(drive(n, concurrency, bare_get)))
            }),
        ];
        let reports = alternate(rounds, &mut contenders);
        print_table(
            &format!("get user, concurrency {concurrency}, {n} requests per round"),
            &reports,
            0,
        );
        let n = n / 20;
        let mut contenders = vec![
            Contender::new("okta 0.7.1", || {
                measure(n, || rt.block_on(drive(n, concurrency, peer_list)))
            }),
            Contender::new("okta-client (ours)", || {
                measure(n, || rt.block_on(drive(n, concurrency, ours_list)))
            }),
            Contender::new("bare hyper (floor)", || {
                measure(n, || rt.block_on(drive(n, concurrency, bare_list)))
            }),
        ];
        let reports = alternate(rounds, &mut contenders);
        print_table(
            &format!("list 200 users, concurrency {concurrency}, {n} requests per round"),
            &reports,
            0,
        );
    }
    println!("\nmock: {}", mock.kind);
    println!("machine: {}", okta_benches::proc::machine());
}
