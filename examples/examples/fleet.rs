//! Several replicas, one Okta budget: four clients — as four replicas of a service would each
//! have — share the embedded mock org's GET-user bucket (50 a second, all of it to one API
//! token), asking for eight times the budget together.
//!
//! With `REDIS_URL` set (`redis://127.0.0.1:6379/`), the replicas share their rate-limit state
//! through Redis (`okta_fleet::RedisStore`); without it, each paces adaptively to the share of
//! the bucket it sees itself using (the default). Prints, per replica and for the fleet, the
//! budget used and the 429s the org answered.
//!
//! ```sh
//! cargo run --example fleet
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run --example fleet
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use okta_client::Client;
use okta_layers::rate_limit::RateLimitEvent;
use okta_mock::{Bucket, DEFAULT_PRINCIPAL, MockOrg, RateLimits};

const REPLICAS: usize = 4;
const LIMIT: u32 = 50;
const CALLS_PER_REPLICA: usize = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    okta_examples::init_tracing();
    let window = Duration::from_secs(1);
    let org = MockOrg::builder()
        .seed(7)
        .users(50)
        .share(DEFAULT_PRINCIPAL, 100)
        .rate_limits(RateLimits {
            window,
            user_get: LIMIT,
            ..RateLimits::default()
        })
        .start()
        .await?;
    let redis = std::env::var("REDIS_URL")
        .ok()
        .filter(|url| !url.is_empty());
    println!(
        "{REPLICAS} replicas against the org at {}, GET-user bucket {LIMIT} a second, {} calls in all; rate-limit state: {}",
        org.base_url(),
        REPLICAS * CALLS_PER_REPLICA,
        match &redis {
            Some(url) => format!("shared in Redis at {url}"),
            None => "in each replica, adaptive".to_owned(),
        }
    );
    let ids = org.user_ids();
    let started = Instant::now();
    let replicas = (0..REPLICAS).map(|replica| {
        let too_many = Arc::new(AtomicU64::new(0));
        let mut builder = Client::builder()
            .org_url(org.base_url())
            .api_token(org.token())
            .configure_stack(|stack| {
                // The mock's windows are one second long (Okta's: a minute).
                stack.rate_limit.window = window;
                let too_many = too_many.clone();
                stack.rate_limit =
                    stack
                        .rate_limit
                        .clone()
                        .observer(move |event: &RateLimitEvent| {
                            if matches!(event, RateLimitEvent::Got429 { .. }) {
                                too_many.fetch_add(1, Ordering::Relaxed);
                            }
                        });
            });
        if let Some(url) = &redis {
            let namespace = format!("okta-fleet-example-{}", std::process::id());
            let settings = okta_fleet::FleetSettings {
                namespace,
                ..okta_fleet::FleetSettings::default()
            };
            builder =
                builder.rate_limit_store(okta_fleet::RedisStore::with_settings(url, settings)?);
        }
        let users = builder.build()?.users();
        let ids = ids.clone();
        Ok::<_, anyhow::Error>(tokio::spawn(async move {
            let failed = futures_util::stream::iter(0..CALLS_PER_REPLICA)
                .map(|i| {
                    let users = users.clone();
                    let id = ids[(i + replica) % ids.len()].clone();
                    async move { users.get(id).await.is_err() }
                })
                .buffer_unordered(4)
                .filter(|failed| std::future::ready(*failed))
                .count()
                .await;
            (replica, failed, too_many.load(Ordering::Relaxed))
        }))
    });
    let replicas: Vec<_> = replicas.collect::<Result<_, _>>()?;
    for replica in replicas {
        let (replica, failed, too_many) = replica.await?;
        println!(
            "replica {replica}: {CALLS_PER_REPLICA} calls, {failed} failed, {too_many} answered 429"
        );
    }
    let elapsed = started.elapsed();
    let counters = org.counters();
    let principal = counters
        .principal(DEFAULT_PRINCIPAL)
        .cloned()
        .unwrap_or_default();
    let admitted = principal.admitted(Bucket::UserGet);
    let refused = principal.rate_limited(Bucket::UserGet);
    // A run spans at least this many of the org's windows, the first and last partly; each
    // grants a whole budget.
    let windows = (elapsed.as_secs_f64() / window.as_secs_f64())
        .ceil()
        .max(1.0);
    println!(
        "fleet: {admitted} admitted in {:.1} s ({:.0} % of the budget of the {windows} windows it spans), {refused} answered 429 ({:.1} % of requests)",
        elapsed.as_secs_f64(),
        admitted as f64 * 100.0 / (windows * f64::from(LIMIT)),
        refused as f64 * 100.0 / (admitted + refused).max(1) as f64,
    );
    org.shutdown().await;
    Ok(())
}
