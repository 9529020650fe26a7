//! Rate-limit utilisation: drive 20× a bucket's budget at concurrency 32 against the mock
//! with a compressed window (GET-user bucket: `LIMIT` per `WINDOW_MS`, default 100 per
//! 1000 ms), and report, per configuration, the fraction of the budget used, the 429s the mock
//! sent, and the calls that failed. Targets: ≥ 97 % of the budget, ≤ 1 % of requests answered
//! 429, no failures.
//!
//! Configurations:
//! - ours, defaults: `okta_client::Client` with its default stack (pacing, and waiting for the
//!   reset after a 429), `RateLimitConfig::window` set to the mock's compressed window (the
//!   default, 60 s, assumes Okta's);
//! - ours, reactive only: the same with `pacing: false` (a 429 still holds back the bucket's
//!   other requests until the reset);
//! - Okta's SDK policy: the 429 handling of Okta's Node SDK 8.1.0 (`DefaultRequestExecutor`),
//!   re-implemented over a bare hyper client: no pacing; each request that gets a 429 waits
//!   `Reset − Date + 1 s` on its own and is re-sent with `X-Okta-Retry-For` / `-Count`, at most
//!   twice, after which the 429 is the call's answer (a failed call). Okta's Python SDK does the
//!   same (`Reset − Date + 1 s`, two retries).
//!
//! The mock runs in-process, to read its counters.
//!
//! `rate_limit [LIMIT=100] [WINDOW_MS=1000] [CONCURRENCY=32] [MULTIPLE=20]`

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use okta_benches::mock::{MockOptions, MockServer};
use okta_benches::rounds::drive;
use okta_benches::sdk_policy::SdkPolicy;
use okta_mock::RateLimits;

fn arg(i: usize, default: u64) -> u64 {
    std::env::args()
        .nth(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn epoch_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

fn main() {
    let limit = arg(1, 100) as u32;
    let window = Duration::from_millis(arg(2, 1000));
    let concurrency = arg(3, 32) as usize;
    let multiple = arg(4, 20);
    let calls = multiple * u64::from(limit);
    println!(
        "GET-user bucket: {limit} per {window:?}; {calls} calls ({multiple}× the budget) at concurrency {concurrency}\n"
    );
    println!(
        "| configuration | time | budget used per complete window, mean [min–max] | windows elapsed (touched) | budget used: per elapsed window (per window touched) | 429s sent (share of requests) | failed calls |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let configs = [
        ("ours, defaults (pacing)", Config::Ours { pacing: true }),
        (
            "ours, reactive only (pacing off)",
            Config::Ours { pacing: false },
        ),
        (
            "Okta's SDK policy (Node 8.1.0, over hyper)",
            Config::SdkPolicy,
        ),
    ];
    for (name, config) in configs {
        // A fresh org per configuration: fresh budget and counters.
        let mut mock = MockServer::start(&MockOptions {
            users: 200,
            in_process: true,
            rate_limits: RateLimits {
                window,
                user_get: limit,
                users_collection: 10_000,
                ..RateLimits::default()
            },
            ..MockOptions::default()
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let ids = runtime.block_on(mock.fetch_user_ids(200));
        let client = mock
            .client_builder()
            .configure_stack(|stack| {
                stack.rate_limit.window = window;
                stack.rate_limit.pacing = !matches!(config, Config::Ours { pacing: false });
            })
            .build()
            .expect("client");
        let users = client.users();
        let sdk = SdkPolicy::new(mock.bare());
        let org = mock.org().expect("in-process mock");
        let before = org.counters();
        let failed = AtomicU64::new(0);
        let done_at = std::sync::Mutex::new(Vec::with_capacity(calls as usize));
        let ok = AtomicU64::new(0);
        let start = Instant::now();
        let epoch_start = epoch_ms();
        runtime.block_on(drive(calls, concurrency, |i| {
            let users = users.clone();
            let id = ids[i as usize % ids.len()].clone();
            let (ok, failed, done_at, sdk) = (&ok, &failed, &done_at, &sdk);
            async move {
                let succeeded = match config {
                    Config::Ours { .. } => users.get(id).await.is_ok(),
                    Config::SdkPolicy => sdk.get_user(&id).await,
                };
                match succeeded {
                    true => {
                        done_at.lock().expect("lock").push(epoch_ms());
                        ok.fetch_add(1, Ordering::Relaxed)
                    }
                    false => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
        let elapsed = start.elapsed();
        let window_ms = window.as_millis().max(1);
        let touched = (epoch_ms() / window_ms - epoch_start / window_ms + 1) as f64;
        let after = org.counters();
        let requests = after.requests - before.requests;
        let rejected = after.rate_limited - before.rate_limited;
        let windows = elapsed.as_secs_f64() / window.as_secs_f64();
        // Successful calls per window of the mock (fixed windows starting on whole seconds),
        // over the complete windows only: the first and the last are partly outside the run.
        let mut per_window = std::collections::BTreeMap::<u128, u32>::new();
        for at in done_at.into_inner().expect("lock") {
            *per_window.entry(at / window_ms).or_default() += 1;
        }
        let first = per_window.keys().next().copied().unwrap_or(0);
        let last = per_window.keys().next_back().copied().unwrap_or(0);
        let interior: Vec<f64> = (first + 1..last)
            .map(|w| f64::from(per_window.get(&w).copied().unwrap_or(0)) * 100.0 / f64::from(limit))
            .collect();
        let (_, lo, hi) = okta_benches::rounds::spread(&interior);
        let mean = interior.iter().sum::<f64>() / interior.len().max(1) as f64;
        let ok = ok.load(Ordering::Relaxed) as f64;
        let used = ok / (windows * f64::from(limit));
        let used_touched = ok / (touched * f64::from(limit));
        println!(
            "| {name} | {:.2} s | {mean:.1} % [{lo:.0}–{hi:.0} %] over {} windows | {windows:.2} ({touched}) | {:.1} % ({:.1} %) | {rejected} of {requests} ({:.2} %) | {} |",
            elapsed.as_secs_f64(),
            interior.len(),
            used * 100.0,
            used_touched * 100.0,
            rejected as f64 * 100.0 / requests.max(1) as f64,
            failed.load(Ordering::Relaxed),
        );
        drop(runtime);
        drop(mock);
    }
    println!(
        "\nbudget used per complete window: successful calls completed in each of the mock's windows \
         (whole seconds), first and last window left out, ÷ limit. Over the run: successful calls ÷ \
         (limit × elapsed ÷ window) — over 100 % when the first window is partial — and, in brackets, \
         ÷ (limit × windows touched) — under, as the first and last are partial. The default reserve leaves 2 % of each window to other clients."
    );
    println!("machine: {}", okta_benches::proc::machine());
}

#[derive(Debug, Clone, Copy)]
enum Config {
    Ours { pacing: bool },
    SdkPolicy,
}
