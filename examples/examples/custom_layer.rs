//! Adding middleware of your own to the client's stack: a layer that counts requests per Okta
//! operation (read from the `okta_users::Operation` every request carries in its extensions),
//! once around each whole call and once around each attempt, plus tower's `ConcurrencyLimitLayer`
//! around the call. Runs a few calls against the embedded mock org, which answers some of them
//! with a 503 so that retried calls make more attempts than calls.
//!
//! ```sh
//! cargo run --example custom_layer
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use okta_client::Client;
use okta_mock::{Fault, FaultPlan, Method, MockOrg};
use okta_users::Operation;
use okta_users::models::{CreateUserRequest, UpdateUserRequest, UserProfile};
use tower::limit::ConcurrencyLimitLayer;
use tower::{Layer, Service};

/// Requests per operation name, shared by every clone of the layer and its services.
#[derive(Debug, Clone, Default)]
struct OperationCounts(Arc<Mutex<BTreeMap<&'static str, u64>>>);

impl OperationCounts {
    fn bump(&self, operation: &'static str) {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *counts.entry(operation).or_default() += 1;
    }

    fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// Counts each request that passes, by its operation.
#[derive(Debug, Clone)]
struct CountOperationsLayer {
    counts: OperationCounts,
}

impl<S> Layer<S> for CountOperationsLayer {
    type Service = CountOperations<S>;

    fn layer(&self, inner: S) -> CountOperations<S> {
        CountOperations {
            inner,
            counts: self.counts.clone(),
        }
    }
}

/// The service of [`CountOperationsLayer`]: counts, then passes the request on unchanged.
#[derive(Debug, Clone)]
struct CountOperations<S> {
    inner: S,
    counts: OperationCounts,
}

impl<S, B> Service<http::Request<B>> for CountOperations<S>
where
    S: Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let name = request
            .extensions()
            .get::<Operation>()
            .map_or("(no operation)", |operation| operation.name);
        self.counts.bump(name);
        self.inner.call(request)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A small org whose user reads fail with a 503 about one time in three (seeded).
    let org = MockOrg::builder()
        .seed(7)
        .users(20)
        .faults(
            FaultPlan::new(7).with(
                Fault::status(503)
                    .probability(0.35)
                    .on(Method::GET, "/api/v1/users/*"),
            ),
        )
        .start()
        .await?;

    let calls = OperationCounts::default();
    let attempts = OperationCounts::default();
    let client = Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .configure_stack(|stack| {
            stack.retry.backoff_min = Duration::from_millis(5);
            stack.retry.backoff_max = Duration::from_millis(50);
            stack.retry.max_attempts = 5;
            stack.retry.seed = Some(1);
        })
        // Around the whole call, outermost first: at most 4 calls in flight, then the counter.
        .layer(ConcurrencyLimitLayer::new(4))
        .layer(CountOperationsLayer {
            counts: calls.clone(),
        })
        // Around each attempt (inside retries and rate limiting).
        .attempt_layer(CountOperationsLayer {
            counts: attempts.clone(),
        })
        .build()?;
    let users = client.users();

    // A few calls, some of them concurrently.
    let page = users.list().limit(10).send().await?;
    let reads = page
        .items
        .iter()
        .map(|user| users.get(user.id.as_str()).send());
    for user in futures_util::future::try_join_all(reads).await? {
        println!(
            "read {} ({})",
            user.id,
            user.profile.login.unwrap_or_default()
        );
    }
    let profile = UserProfile::new(
        "Ada",
        "Layer",
        "ada.layer@example.com",
        "ada.layer@example.com",
    );
    let ada = users.create(CreateUserRequest::new(profile)).await?;
    let mut change = UserProfile::default();
    change.title = Some("Countess".into());
    users
        .update(&ada.id, UpdateUserRequest::profile(change))
        .await?;
    users.delete(&ada.id).await?; // deactivates
    users.delete(&ada.id).await?; // deletes

    let calls = calls.snapshot();
    let attempts = attempts.snapshot();
    println!("\n{:<20} {:>6} {:>9}", "operation", "calls", "attempts");
    for (operation, n) in &calls {
        let tries = attempts.get(operation).copied().unwrap_or(0);
        println!("{operation:<20} {n:>6} {tries:>9}");
    }
    let total = |counts: &BTreeMap<&str, u64>| counts.values().sum::<u64>();
    println!(
        "{} calls, {} attempts; the mock saw {} requests and injected {} 503s",
        total(&calls),
        total(&attempts),
        org.counters().requests,
        org.counters()
            .faults
            .get("status-503")
            .copied()
            .unwrap_or(0),
    );
    org.shutdown().await;
    Ok(())
}
