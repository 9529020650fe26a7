//! Against the mock org over loopback: get one user and list one page (limit 200), with our
//! client (`okta_client::Client`, default stack) against a bare
//! `hyper_util::client::legacy::Client` sending the same request with the same headers and
//! reading the body to bytes (the floor). A third contender, bare hyper that also decodes
//! the body into the same types, separates the client's cost from decoding. Both clients also
//! run over HTTP/2 (h2c with prior knowledge, one multiplexed connection) beside HTTP/1.1
//! keep-alive: the mock serves both on one port, and Okta serves both.
//!
//! The mock runs as a separate process pinned to CPU 0 (`cargo build --release -p okta-mock`
//! first; see `benches/run-all.sh`, which also pins this process to CPU 1); the client runs on
//! a current-thread runtime, so this process's CPU time is the client's.
//! Targets: client CPU per request ≤ 1.05× bare hyper's, throughput ≥ 0.95×.
//!
//! `cargo bench -p okta-benches --bench end_to_end` (`ROUNDS=n`, `SKIP_CRITERION=1`).

use std::hint::black_box;

use criterion::Criterion;
use okta_benches::mock::{MockOptions, MockServer};
use okta_benches::rounds::{compare, driven, rounds_from_env, skip_criterion};
use okta_users::models::User;

fn main() {
    let mut mock = MockServer::start(&MockOptions::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let ids = runtime.block_on(mock.fetch_user_ids(200));
    let users = mock.client().users();
    let users_h2 = mock.client_http2().users();
    let bare = mock.bare();
    let bare_h2 = mock.bare_http2();
    let paths: Vec<String> = ids.iter().map(|id| format!("/api/v1/users/{id}")).collect();
    const LIST: &str = "/api/v1/users?limit=200";

    let ours_get = |i: u64| {
        let users = users.clone();
        let id = &ids[i as usize % ids.len()];
        async move {
            black_box(users.get(id).await.expect("get"));
        }
    };
    let ours_h2_get = |i: u64| {
        let users = users_h2.clone();
        let id = &ids[i as usize % ids.len()];
        async move {
            black_box(users.get(id).await.expect("get over HTTP/2"));
        }
    };
    let bare_h2_get = |i: u64| {
        let bare = &bare_h2;
        let path = &paths[i as usize % paths.len()];
        async move {
            black_box(bare.get(path).await);
        }
    };
    let bare_get = |i: u64| {
        let bare = &bare;
        let path = &paths[i as usize % paths.len()];
        async move {
            black_box(bare.get(path).await);
        }
    };
    let bare_get_decode = |i: u64| {
        let bare = &bare;
        let path = &paths[i as usize % paths.len()];
        async move {
            let body = bare.get(path).await;
            black_box(okta_users::models::from_json_slice::<User>(&body).expect("user"));
        }
    };
    let ours_list = |_: u64| {
        let users = users.clone();
        async move {
            black_box(users.list().limit(200).send().await.expect("list"));
        }
    };
    let ours_h2_list = |_: u64| {
        let users = users_h2.clone();
        async move {
            black_box(
                users
                    .list()
                    .limit(200)
                    .send()
                    .await
                    .expect("list over HTTP/2"),
            );
        }
    };
    let bare_h2_list = |_: u64| async {
        black_box(bare_h2.get(LIST).await);
    };
    let bare_list = |_: u64| async {
        black_box(bare.get(LIST).await);
    };
    let bare_list_decode = |_: u64| async {
        let body = bare.get(LIST).await;
        black_box(okta_users::models::from_json_page::<User>(&body, 200).expect("users"));
    };
    runtime.block_on(async {
        ours_get(0).await;
        ours_list(0).await;
        ours_h2_get(0).await;
        ours_h2_list(0).await;
        bare_h2_get(0).await;
        bare_get_decode(0).await;
        bare_list_decode(0).await;
    });
    println!("mock: {} at {}", mock.kind, mock.base_url);

    if !skip_criterion() {
        let mut criterion = Criterion::default().configure_from_args();
        let mut group = criterion.benchmark_group("end_to_end_get_user");
        let counter = std::cell::Cell::new(0u64);
        let next = || {
            counter.set(counter.get() + 1);
            counter.get()
        };
        group.bench_function("bare hyper (bytes)", |b| {
            b.to_async(&runtime).iter(|| bare_get(next()))
        });
        group.bench_function("bare hyper + decode", |b| {
            b.to_async(&runtime).iter(|| bare_get_decode(next()))
        });
        group.bench_function("okta-client", |b| {
            b.to_async(&runtime).iter(|| ours_get(next()))
        });
        group.finish();
        let mut group = criterion.benchmark_group("end_to_end_list_200");
        group.sample_size(30);
        group.bench_function("bare hyper (bytes)", |b| {
            b.to_async(&runtime).iter(|| bare_list(0))
        });
        group.bench_function("bare hyper + decode", |b| {
            b.to_async(&runtime).iter(|| bare_list_decode(0))
        });
        group.bench_function("okta-client", |b| {
            b.to_async(&runtime).iter(|| ours_list(0))
        });
        group.finish();
        criterion.final_summary();
    }

    let rounds = rounds_from_env(9);
    let rt = &runtime;
    for concurrency in [1usize, 16] {
        let n = if concurrency == 1 { 3000 } else { 6000 };
        compare(
            &format!("get user, concurrency {concurrency}, {n} requests per round"),
            rounds,
            vec![
                driven("bare hyper (bytes)", rt, n, concurrency, &bare_get),
                driven("bare hyper + decode", rt, n, concurrency, &bare_get_decode),
                driven("okta-client", rt, n, concurrency, &ours_get),
                driven(
                    "bare hyper, HTTP/2 (bytes)",
                    rt,
                    n,
                    concurrency,
                    &bare_h2_get,
                ),
                driven("okta-client, HTTP/2", rt, n, concurrency, &ours_h2_get),
            ],
        );
        let n = n / 20;
        compare(
            &format!("list 200 users, concurrency {concurrency}, {n} requests per round"),
            rounds,
            vec![
                driven("bare hyper (bytes)", rt, n, concurrency, &bare_list),
                driven("bare hyper + decode", rt, n, concurrency, &bare_list_decode),
                driven("okta-client", rt, n, concurrency, &ours_list),
                driven(
                    "bare hyper, HTTP/2 (bytes)",
                    rt,
                    n,
                    concurrency,
                    &bare_h2_list,
                ),
                driven("okta-client, HTTP/2", rt, n, concurrency, &ours_h2_list),
            ],
        );
    }
    println!("\nmock: {}", mock.kind);
    println!("machine: {}", okta_benches::proc::machine());
}
