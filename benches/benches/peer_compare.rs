//! Peer comparison: our client against the `okta` crate 0.7.1 (crates.io, the generated client;
//! reqwest 0.11 + rustls), pointed at the same mock org with `with_host_override`, sending the
//! same requests — get one user, list one page of 200 — at concurrency 1 and 64, alternating
//! round by round. Reported: throughput ratio and client CPU time per request (this process,
//! a current-thread runtime; the mock is a separate process pinned to another CPU).
//! A bare hyper client (reads the body to bytes, decodes nothing) is the floor, for reference.
//! Ours also runs over HTTP/2 (h2c with prior knowledge, one multiplexed connection), beside
//! HTTP/1.1 keep-alive; the peer (reqwest 0.11) speaks HTTP/1.1 to a plain-http server.
//! Targets at concurrency 64: ≥ 1.5× the peer's throughput, ≤ 0.65× its CPU per request.
//!
//! `cargo bench -p okta-benches --features peer --bench peer_compare` (`ROUNDS=n`).

use std::hint::black_box;

use okta_benches::mock::{MockOptions, MockServer};
use okta_benches::rounds::{compare, driven, rounds_from_env};

fn main() {
    // Criterion's flags (`--bench`, filters) are accepted and ignored.
    let mut mock = MockServer::start(&MockOptions::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ids = runtime.block_on(mock.fetch_user_ids(200));
    let ours = mock.client().users();
    let ours_h2 = mock.client_http2().users();
    let mut peer = okta::Client::new(&mock.token);
    peer.with_host_override(&mock.base_url);
    let bare = mock.bare();

    let ours_get = |i: u64| {
        let ours = ours.clone();
        let id = &ids[i as usize % ids.len()];
        async move {
            black_box(ours.get(id).await.expect("ours: get"));
        }
    };
    let ours_h2_get = |i: u64| {
        let ours = ours_h2.clone();
        let id = &ids[i as usize % ids.len()];
        async move {
            black_box(ours.get(id).await.expect("ours over HTTP/2: get"));
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
        let bare = &bare;
        async move {
            black_box(bare.get(&path).await);
        }
    };
    let bare_get = |i: u64| bare_fetch(format!("/api/v1/users/{}", ids[i as usize % ids.len()]));
    let ours_list = |_: u64| {
        let ours = ours.clone();
        async move {
            black_box(ours.list().limit(200).send().await.expect("ours: list"));
        }
    };
    let ours_h2_list = |_: u64| {
        let ours = ours_h2.clone();
        async move {
            let page = ours.list().limit(200).send().await;
            black_box(page.expect("ours over HTTP/2: list"));
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
        ours_h2_get(0).await;
        peer_get(0).await;
        bare_get(0).await;
        ours_list(0).await;
        ours_h2_list(0).await;
        peer_list(0).await;
        bare_list(0).await;
    });
    println!("mock: {} at {}", mock.kind, mock.base_url);

    let rounds = rounds_from_env(9);
    let rt = &runtime;
    for concurrency in [1usize, 64] {
        let n = if concurrency == 1 { 2000 } else { 6000 };
        compare(
            &format!("get user, concurrency {concurrency}, {n} requests per round"),
            rounds,
            vec![
                driven("okta 0.7.1", rt, n, concurrency, &peer_get),
                driven("okta-client (ours)", rt, n, concurrency, &ours_get),
                driven("ours, HTTP/2", rt, n, concurrency, &ours_h2_get),
                driven("bare hyper (floor)", rt, n, concurrency, &bare_get),
            ],
        );
        let n = n / 20;
        compare(
            &format!("list 200 users, concurrency {concurrency}, {n} requests per round"),
            rounds,
            vec![
                driven("okta 0.7.1", rt, n, concurrency, &peer_list),
                driven("okta-client (ours)", rt, n, concurrency, &ours_list),
                driven("ours, HTTP/2", rt, n, concurrency, &ours_h2_list),
                driven("bare hyper (floor)", rt, n, concurrency, &bare_list),
            ],
        );
    }
    println!("\nmock: {}", mock.kind);
    println!("machine: {}", okta_benches::proc::machine());
}
