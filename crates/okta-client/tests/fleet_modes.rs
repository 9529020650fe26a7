//! Clients sharing one token's budget, on paused time against the in-process mock org: several
//! clients over one limiter (`ClientBuilder::rate_limiter`) spend one budget, and replicas with
//! limiters of their own collect fewer 429s when they pace adaptively (the default) than when
//! each believes the budget is all its own.

use std::time::Duration;

use futures_util::StreamExt;
use okta_client::{Client, Stack};
use okta_layers::rate_limit::{RateLimitConfig, RateLimiter};
use okta_mock::{
    Bucket, DEFAULT_PRINCIPAL, DEFAULT_SERVICE_BASE_URL, MockOrg, MockService, RateLimits,
};
use okta_users::Users;

const LIMIT: u32 = 20;

fn org() -> MockOrg {
    MockOrg::builder()
        .seed(3)
        .users(10)
        .share(DEFAULT_PRINCIPAL, 100)
        .rate_limits(RateLimits {
            window: Duration::from_secs(1),
            user_get: LIMIT,
            ..RateLimits::default()
        })
        .no_concurrency_limit()
        .build()
        .expect("org")
}

fn config(adaptive: bool, seed: u64) -> RateLimitConfig {
    RateLimitConfig {
        window: Duration::from_secs(1),
        reset_jitter: Duration::from_millis(50),
        adaptive,
        ..RateLimitConfig::default()
    }
    .seed(seed)
}

fn client(org: &MockOrg, limiter: RateLimiter) -> Users<Stack<MockService>> {
    Users::new(
        Client::builder()
            .org_url(DEFAULT_SERVICE_BASE_URL)
            .api_token(org.token())
            .rate_limiter(limiter)
            .build_service(org.service())
            .expect("client"),
    )
}

/// Every client sends `calls` gets, four at a time, all clients at once; returns the failures.
async fn run(clients: &[Users<Stack<MockService>>], ids: &[String], calls: usize) -> usize {
    let runs = clients.iter().map(|users| {
        futures_util::stream::iter(0..calls)
            .map(move |i| {
                let users = users.clone();
                let id = ids[i % ids.len()].clone();
                async move { users.get(id).await.is_err() }
            })
            .buffer_unordered(4)
            .filter(|failed| std::future::ready(*failed))
            .count()
    });
    futures_util::future::join_all(runs).await.into_iter().sum()
}

fn answered_429(org: &MockOrg) -> u64 {
    org.counters()
        .principal(DEFAULT_PRINCIPAL)
        .map_or(0, |counters| counters.rate_limited(Bucket::UserGet))
}

#[tokio::test(start_paused = true)]
async fn clients_sharing_one_limiter_spend_one_budget() {
    let org = org();
    let ids = org.user_ids();
    let shared = RateLimiter::new(config(false, 1));
    let clients = [client(&org, shared.clone()), client(&org, shared)];
    assert_eq!(run(&clients, &ids, 40).await, 0);
    assert_eq!(answered_429(&org), 0, "one limiter, one budget: no 429");

    // The same two clients with a limiter each (and no adaptation) overspend it.
    let org = self::org();
    let clients = [
        client(&org, RateLimiter::new(config(false, 1))),
        client(&org, RateLimiter::new(config(false, 2))),
    ];
    assert_eq!(run(&clients, &org.user_ids(), 40).await, 0);
    assert!(answered_429(&org) > 0, "two limiters each spend the budget");
}

#[tokio::test(start_paused = true)]
async fn adaptive_replicas_collect_fewer_429s_than_replicas_that_each_assume_the_whole_budget() {
    let mut outcomes = Vec::new();
    for adaptive in [false, true] {
        let org = org();
        let ids = org.user_ids();
        let clients: Vec<_> = (0..4)
            .map(|seed| client(&org, RateLimiter::new(config(adaptive, seed))))
            .collect();
        // Ten windows' worth of the budget.
        let failed = run(&clients, &ids, 50).await;
        outcomes.push((failed, answered_429(&org)));
    }
    let ((_, solo), (failed, adaptive)) = (outcomes[0], outcomes[1]);
    assert_eq!(failed, 0, "no call fails when pacing adaptively");
    assert!(
        adaptive * 2 < solo,
        "adaptive pacing: {adaptive} 429s; each replica alone: {solo}"
    );
}
