//! `N` calls through one line of the `stack_overhead` bench (the same in-memory service, the same
//! request), for counting instructions with callgrind: a figure that does not move with the
//! machine's load, unlike wall-clock time. `benches/callgrind-stack.sh` runs it under
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_*'`, so that only
//! the calls are counted, not building the stack or warming it up.
//!
//! `stack_instructions CONTENDER [N=20000]` where CONTENDER is `bare` (the in-memory service),
//! `shaping` (default headers, base URI, auth), `stack` (the default stack), `users-bare` /
//! `users-stack` (`Users::get` over either: builds the request, reads and decodes one user), or
//! one layer alone over the service: `rate-limit`, `retry`, `trace`, `timeout`, `attempt-trace`;
//! `sizes` prints the size of the default stack's future and service instead.
//!
//! `mock-get`, `mock-get-identity`, `mock-bare`: `end_to_end`'s get user against the mock org
//! over loopback, with our client (`-identity`: not asking for gzip) or bare hyper reading the
//! bytes. Only the client's instructions are counted: the mock is another process
//! (`target/release/okta-mock`, `OKTA_MOCK_BIN`), or the org at `OKTA_MOCK_URL`.

use std::hint::black_box;
use std::time::Duration;

use http::Request;
use okta_benches::in_memory::{Canned, ORG, TOKEN, USER_ID, get_request};
use okta_benches::stack::{default_stack, shaping_stack};
use okta_layers::rate_limit::{RateLimitConfig, RateLimitLayer};
use okta_layers::retry::RetryConfig;
use okta_layers::timeout::TimeoutLayer;
use okta_layers::trace::{AttemptTraceLayer, TraceLayer};
use okta_users::{HttpService, RequestBody, Users};
use tokio::runtime::Runtime;
use tower::{Layer, Service};

/// Calls made before counting starts (lazy initialisation, first allocations of each size).
const WARM_UP: usize = 200;

async fn calls<S: HttpService>(service: &S, count: usize) {
    for _ in 0..count {
        let response = service.send_http(get_request()).await.expect("response");
        black_box(response);
    }
}

async fn gets<S: HttpService>(users: &Users<S>, count: usize) {
    for _ in 0..count {
        let user = users.get(USER_ID).await.expect("user");
        black_box(user);
    }
}

#[inline(never)]
fn measured_calls<S: HttpService>(runtime: &Runtime, service: &S, count: usize) {
    runtime.block_on(calls(service, count));
}

#[inline(never)]
fn measured_gets<S: HttpService>(runtime: &Runtime, users: &Users<S>, count: usize) {
    runtime.block_on(gets(users, count));
}

fn run_calls<S: HttpService>(runtime: &Runtime, service: S, count: usize) {
    runtime.block_on(calls(&service, WARM_UP));
    measured_calls(runtime, &service, count);
}

fn run_gets<S: HttpService>(runtime: &Runtime, service: S, count: usize) {
    let users = Users::new(service);
    runtime.block_on(gets(&users, WARM_UP));
    measured_gets(runtime, &users, count);
}

#[inline(never)]
fn measured_mock_gets(
    runtime: &Runtime,
    users: &Users<okta_client::ClientService>,
    ids: &[String],
    count: usize,
) {
    runtime.block_on(async {
        for i in 0..count {
            black_box(users.get(&ids[i % ids.len()]).await.expect("get"));
        }
    });
}

#[inline(never)]
fn measured_mock_bare(
    runtime: &Runtime,
    bare: &okta_benches::bare::Bare,
    paths: &[String],
    count: usize,
) {
    runtime.block_on(async {
        for i in 0..count {
            black_box(bare.get(&paths[i % paths.len()]).await);
        }
    });
}

/// `end_to_end`'s get user (ours, or bare hyper reading the bytes) against the mock org.
fn over_loopback(runtime: &Runtime, contender: &str, count: usize) {
    use okta_benches::mock::{MockOptions, MockServer};
    let mut mock = MockServer::start(&MockOptions::default());
    let ids = runtime.block_on(mock.fetch_user_ids(200));
    match contender {
        "mock-get" | "mock-get-identity" => {
            let users = if contender == "mock-get" {
                mock.client().users()
            } else {
                // Without asking for gzip (the default asks, and the mock then compresses).
                let builder = mock.client_builder().response_compression(false);
                builder.build().expect("client").users()
            };
            warm_up_mock_gets(runtime, &users, &ids);
            measured_mock_gets(runtime, &users, &ids, count);
        }
        "mock-bare" => {
            let bare = mock.bare();
            let paths: Vec<String> = ids.iter().map(|id| format!("/api/v1/users/{id}")).collect();
            runtime.block_on(async {
                for path in paths.iter().take(WARM_UP) {
                    black_box(bare.get(path).await);
                }
            });
            measured_mock_bare(runtime, &bare, &paths, count);
        }
        other => {
            eprintln!("unknown contender {other}: mock-get, mock-get-identity, mock-bare");
            std::process::exit(2);
        }
    }
}

fn warm_up_mock_gets(runtime: &Runtime, users: &Users<okta_client::ClientService>, ids: &[String]) {
    runtime.block_on(async {
        for id in ids.iter().take(WARM_UP) {
            black_box(users.get(id).await.expect("get"));
        }
    });
}

fn main() {
    let mut args = std::env::args().skip(1);
    let contender = args.next().unwrap_or_else(|| "stack".to_owned());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let bare = Canned::one_user();
    let rt = &runtime;
    let alone = |layer: &str| {
        let _guard = rt.enter();
        match layer {
            "rate-limit" => run_calls(
                rt,
                RateLimitLayer::new(RateLimitConfig::default()).layer(bare.clone()),
                count,
            ),
            "retry" => run_calls(
                rt,
                okta_layers::retry::RetryLayer::new(RetryConfig::default()).layer(bare.clone()),
                count,
            ),
            "trace" => run_calls(rt, TraceLayer::new().layer(bare.clone()), count),
            "timeout" => run_calls(
                rt,
                TimeoutLayer::call(Duration::from_secs(120)).layer(bare.clone()),
                count,
            ),
            "attempt-trace" => run_calls(rt, AttemptTraceLayer::new().layer(bare.clone()), count),
            _ => unreachable!(),
        }
    };
    if contender == "sizes" {
        // What every layer above moves on each call, and what `send_http` clones.
        fn future_size<S: Service<Request<RequestBody>>>(_: &S) -> usize {
            std::mem::size_of::<S::Future>()
        }
        let stack = default_stack(ORG, TOKEN, bare.clone());
        println!(
            "default stack: future {} bytes, service {} bytes",
            future_size(&stack),
            std::mem::size_of_val(&stack)
        );
        return;
    }
    if contender.starts_with("mock-") {
        over_loopback(&runtime, &contender, count);
        println!("{contender}: {count} calls");
        return;
    }
    match contender.as_str() {
        "bare" => run_calls(rt, bare.clone(), count),
        "shaping" => run_calls(rt, shaping_stack(ORG, TOKEN, bare.clone()), count),
        "stack" => run_calls(rt, default_stack(ORG, TOKEN, bare.clone()), count),
        "users-bare" => run_gets(rt, bare.clone(), count),
        "users-stack" => run_gets(rt, default_stack(ORG, TOKEN, bare.clone()), count),
        "rate-limit" | "retry" | "trace" | "timeout" | "attempt-trace" => alone(&contender),
        other => {
            eprintln!(
                "unknown contender {other}: bare, shaping, stack, users-bare, users-stack, \
                 rate-limit, retry, trace, timeout, attempt-trace"
            );
            std::process::exit(2);
        }
    }
    println!("{contender}: {count} calls");
}
