//! The client's metrics (feature `metrics`): request and call durations, retries, 429s,
//! rate-limit waits and each bucket's budget, printed from `metrics-util`'s debugging recorder
//! after a burst of calls against the embedded mock org (a tight rate limit, 5 % of reads
//! answered 503). In an application, install the recorder of your exporter instead
//! (Prometheus, StatsD, OpenTelemetry).
//!
//! ```sh
//! cargo run -p okta-examples --example metrics --features metrics
//! ```

use std::time::Duration;

use futures_util::future::join_all;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use okta_client::Client;
use okta_mock::{DEFAULT_PRINCIPAL, Fault, FaultPlan, Method, MockOrg, RateLimits};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    okta_examples::init_tracing();
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install()?;

    // 20 requests per bucket and 2-second window, all of it ours; 5 % of user reads fail.
    let window = Duration::from_secs(2);
    let org = MockOrg::builder()
        .seed(7)
        .users(50)
        .rate_limits(RateLimits::uniform(20, window))
        .share(DEFAULT_PRINCIPAL, 100)
        .faults(
            FaultPlan::new(7).with(
                Fault::status(503)
                    .probability(0.05)
                    .on(Method::GET, "/api/v1/users/*"),
            ),
        )
        .start()
        .await?;
    let client = Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .configure_stack(|stack| stack.rate_limit.window = window)
        .build()?;
    let users = client.users();

    let page = users.list().limit(50).await?;
    let reads = page
        .items
        .iter()
        .map(|user| users.get(&user.id).into_future());
    let results = join_all(reads).await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    println!(
        "{} users read ({failed} failed) against {}\n",
        results.len(),
        org.base_url()
    );

    for (key, unit, _, value) in snapshotter.snapshot().into_vec() {
        let (_, key) = key.into_parts();
        let labels: Vec<String> = key
            .labels()
            .map(|label| format!("{}={}", label.key(), label.value()))
            .collect();
        let unit = unit.map(|u| format!(" {}", u.as_str())).unwrap_or_default();
        let value = match value {
            DebugValue::Counter(n) => format!("{n}"),
            DebugValue::Gauge(v) => format!("{}", v.into_inner()),
            DebugValue::Histogram(values) => {
                let mut values: Vec<f64> = values.into_iter().map(|v| v.into_inner()).collect();
                values.sort_by(f64::total_cmp);
                let sum: f64 = values.iter().sum();
                format!(
                    "count {} sum {sum:.3}{unit} median {:.3}{unit} max {:.3}{unit}",
                    values.len(),
                    values[values.len() / 2],
                    values[values.len() - 1],
                )
            }
        };
        println!("{} {{{}}} {value}", key.name(), labels.join(", "));
    }
    org.shutdown().await;
    Ok(())
}
