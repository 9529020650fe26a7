//! The default okta-client stack's own cost per request, over an in-memory service (a
//! `tower::service_fn` answering a canned `http::Response<Full<Bytes>>` with Okta's headers),
//! against calling that service directly (the baseline). Target (issue 14): ≤ 0.6 µs per call.
//!
//! Lines: the bare service; the request-shaping layers alone (default headers, base URI,
//! auth); the full default stack (okta-layers' `StackLayer`, via `build_service`); and the façade,
//! `Users::get` (builds the request, reads and decodes one user), over the bare service and
//! over the full stack.
//!
//! Diagnostic lines follow: each middleware layer alone over the in-memory service (boxed,
//! so compare them with each other, not with the unboxed lines).
//!
//! `cargo bench -p okta-benches --bench stack_overhead` (`ROUNDS=n`, `SKIP_CRITERION=1`); the
//! same lines in instructions: `benches/callgrind-stack.sh`.

use std::hint::black_box;

use bytes::Bytes;
use criterion::Criterion;
use http::{Request, Response};
use http_body_util::Full;
use okta_benches::in_memory::{Canned, ORG, TOKEN, USER_ID, get_request};
use okta_benches::rounds::{alternate, driven, print_table, rounds_from_env};
use okta_benches::stack::{default_stack, shaping_stack};
use okta_layers::rate_limit::{RateLimitConfig, RateLimitLayer};
use okta_layers::retry::RetryConfig;
use okta_layers::timeout::TimeoutLayer;
use okta_layers::trace::{AttemptTraceLayer, TraceLayer};
use okta_users::{BoxError, HttpService, RequestBody, Users};
use std::time::Duration;
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service};

type Boxed = BoxCloneSyncService<Request<RequestBody>, Response<Full<Bytes>>, BoxError>;

/// Type-erased, so the per-layer lines share one type (the box costs the same in each).
fn boxed<S>(service: S) -> Boxed
where
    S: Service<Request<RequestBody>, Response = Response<Full<Bytes>>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    BoxCloneSyncService::new(tower::ServiceExt::map_err(service, Into::into))
}

/// One call through a clone of `service`, as the façade sends (ready, then call).
async fn call<S: HttpService>(service: &S) {
    let response = service.send_http(get_request()).await.expect("response");
    black_box(response);
}

async fn get_user<S: HttpService>(users: &Users<S>) {
    let user = users.get(USER_ID).await.expect("user");
    black_box(user);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let bare = Canned::one_user();
    let shaping = shaping_stack(ORG, TOKEN, bare.clone());
    let full = default_stack(ORG, TOKEN, bare.clone());
    let users_bare = Users::new(bare.clone());
    let users_full = Users::new(full.clone());
    // Sanity: every line really succeeds.
    runtime.block_on(async {
        call(&bare).await;
        call(&shaping).await;
        call(&full).await;
        get_user(&users_bare).await;
        get_user(&users_full).await;
    });

    if !okta_benches::rounds::skip_criterion() {
        let mut criterion = Criterion::default().configure_from_args();
        let mut group = criterion.benchmark_group("stack_overhead");
        group.bench_function("in-memory service", |b| {
            b.to_async(&runtime).iter(|| call(&bare))
        });
        group.bench_function("headers+base_uri+auth", |b| {
            b.to_async(&runtime).iter(|| call(&shaping))
        });
        group.bench_function("default stack", |b| {
            b.to_async(&runtime).iter(|| call(&full))
        });
        group.bench_function("Users::get over in-memory", |b| {
            b.to_async(&runtime).iter(|| get_user(&users_bare))
        });
        group.bench_function("Users::get over default stack", |b| {
            b.to_async(&runtime).iter(|| get_user(&users_full))
        });
        group.finish();
        criterion.final_summary();
    }

    // Diagnostics: each middleware layer alone over the in-memory service.
    let per_layer = [
        ("(diag) in-memory service, boxed", boxed(bare.clone())),
        (
            "(diag) TraceLayer alone",
            boxed(TraceLayer::new().layer(bare.clone())),
        ),
        (
            "(diag) TimeoutLayer (120 s) alone",
            boxed(TimeoutLayer::call(Duration::from_secs(120)).layer(bare.clone())),
        ),
        (
            "(diag) RateLimitLayer alone",
            boxed(RateLimitLayer::new(RateLimitConfig::default()).layer(bare.clone())),
        ),
        (
            "(diag) RetryLayer alone",
            boxed(okta_layers::retry::RetryLayer::new(RetryConfig::default()).layer(bare.clone())),
        ),
        (
            "(diag) AttemptTraceLayer alone",
            boxed(AttemptTraceLayer::new().layer(bare.clone())),
        ),
    ];
    let n: u64 = 50_000;
    let rt = &runtime;
    let call_bare = |_: u64| call(&bare);
    let call_shaping = |_: u64| call(&shaping);
    let call_full = |_: u64| call(&full);
    let get_bare = |_: u64| get_user(&users_bare);
    let get_full = |_: u64| get_user(&users_full);
    let per_layer_calls: Vec<_> = per_layer
        .iter()
        .map(|(name, service)| (*name, move |_: u64| call(service)))
        .collect();
    let mut contenders = vec![
        driven("in-memory service", rt, n, 1, &call_bare),
        driven("headers+base_uri+auth", rt, n, 1, &call_shaping),
        driven("default stack", rt, n, 1, &call_full),
        driven("Users::get over in-memory", rt, n / 5, 1, &get_bare),
        driven("Users::get over default stack", rt, n / 5, 1, &get_full),
    ];
    for (name, op) in &per_layer_calls {
        contenders.push(driven(name, rt, n, 1, op));
    }
    let reports = alternate(rounds_from_env(11), &mut contenders);
    print_table(
        "per call over an in-memory service (target: default stack − in-memory ≤ 0.6 µs)",
        &reports,
        0,
    );
    let median = |i: usize| okta_benches::rounds::spread(&reports[i].wall_ns).0;
    let overhead: Vec<f64> = reports[2]
        .wall_ns
        .iter()
        .zip(&reports[0].wall_ns)
        .map(|(s, b)| s - b)
        .collect();
    let (o, lo, hi) = okta_benches::rounds::spread(&overhead);
    println!(
        "\ndefault stack overhead per call: {o:.0} ns [{lo:.0}–{hi:.0}] (shaping layers alone: {:.0} ns); façade over the stack − façade alone: {:.0} ns",
        median(1) - median(0),
        median(4) - median(3),
    );
    println!("machine: {}", okta_benches::proc::machine());
}
