//! Rate-limit headers per bucket, 429 when a bucket is exhausted, windows on paused time, each
//! principal's share of a bucket, and the org-wide concurrency limit.

mod support;

use http::Method;
use okta_mock::{Bucket, DEFAULT_PRINCIPAL, Fault, FaultPlan, MockOrg, RateLimits};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::Api;

#[tokio::test]
async fn every_response_carries_rate_limit_headers_for_its_bucket() {
    let limits = RateLimits {
        users_collection: 5,
        user_get: 6,
        user_write: 7,
        users_other: 8,
        ..RateLimits::default()
    };
    let org = MockOrg::builder()
        .seed(1)
        .users(3)
        .rate_limits(limits)
        .share(DEFAULT_PRINCIPAL, 100)
        .start()
        .await
        .unwrap();
    let api = Api::new(&org);
    let id = org.user_ids()[0].clone();
    let cases = [
        (Method::GET, "/api/v1/users".to_owned(), 5),
        (Method::GET, format!("/api/v1/users/{id}"), 6),
        (Method::POST, format!("/api/v1/users/{id}"), 7),
        (Method::GET, format!("/api/v1/users/{id}/groups"), 8),
    ];
    for (m, path, limit) in cases {
        let body = (m == Method::POST).then_some("{}");
        let r = api.call(m, &path, body).await;
        let (got_limit, remaining, reset) = r.rate_limit();
        assert_eq!((got_limit, remaining), (limit, limit - 1), "{path}");
        let date = r.date_secs();
        assert!(
            reset > date && reset - date <= 60,
            "reset {reset} date {date}"
        );
        // Not paused: the org's clock is the wall clock.
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(date.abs_diff(now) <= 1);
        assert_eq!(r.header("x-okta-request-id").len(), 24);
    }
    let c = org.counters();
    assert_eq!(
        (
            c.bucket(Bucket::UsersCollection),
            c.bucket(Bucket::UserGet),
            c.bucket(Bucket::UserWrite)
        ),
        (1, 1, 1)
    );
}

#[tokio::test(start_paused = true)]
async fn exhausted_bucket_answers_429_and_others_still_work() {
    let limits = RateLimits {
        user_get: 2,
        ..RateLimits::uniform(100, Duration::from_secs(1))
    };
    let org = MockOrg::builder()
        .seed(1)
        .users(3)
        .rate_limits(limits)
        .share(DEFAULT_PRINCIPAL, 100)
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    let path = format!("/api/v1/users/{}", org.user_ids()[0]);
    assert_eq!(api.get(&path).await.status, 200);
    assert_eq!(api.get(&path).await.status, 200);
    let r = api.get(&path).await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (429, "E0000047".into())
    );
    let (limit, remaining, reset) = r.rate_limit();
    assert_eq!((limit, remaining), (2, 0));
    assert!(
        reset - r.date_secs() <= 1,
        "1 s window: reset within a second of Date"
    );
    assert_eq!(api.get("/api/v1/users?limit=1").await.status, 200);
    assert_eq!(org.counters().rate_limited, 1);
}

/// The window, `Date` and `X-Rate-Limit-Reset` all run on tokio's clock: advancing paused time
/// to the reset opens a fresh window, with no real wait.
#[tokio::test(start_paused = true)]
async fn a_window_rolls_over_when_paused_time_reaches_its_reset() {
    let org = MockOrg::builder()
        .seed(1)
        .users(1)
        .rate_limits(RateLimits::uniform(2, Duration::from_secs(60)))
        .share(DEFAULT_PRINCIPAL, 100)
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    let path = format!("/api/v1/users/{}", org.user_ids()[0]);
    let first = api.get(&path).await;
    assert_eq!(api.get(&path).await.status, 200);
    let limited = api.get(&path).await;
    assert_eq!(limited.status, 429);
    let (_, _, reset) = limited.rate_limit();
    assert_eq!(reset, first.rate_limit().2, "one window, one reset");
    let wait = reset - limited.date_secs();
    assert!((1..=60).contains(&wait), "{wait}");

    // One second short of the reset: still the same window.
    tokio::time::advance(Duration::from_secs(wait - 1)).await;
    let early = api.get(&path).await;
    assert_eq!(early.status, 429);
    assert_eq!(early.date_secs(), limited.date_secs() + wait - 1);

    tokio::time::advance(Duration::from_secs(1)).await;
    let fresh = api.get(&path).await;
    assert_eq!(fresh.status, 200, "a new window");
    let (limit, remaining, next_reset) = fresh.rate_limit();
    assert_eq!((limit, remaining), (2, 1));
    assert_eq!(
        fresh.date_secs(),
        reset,
        "Date is now the old window's reset"
    );
    assert_eq!(next_reset, reset + 60);
}

/// Okta's shares: each API token may use its share of a bucket (50 % unless set), the headers
/// report the ceiling that binds, and the org's whole bucket binds everyone.
#[tokio::test(start_paused = true)]
async fn each_principal_is_held_to_its_share_and_to_the_org_budget() {
    let org = MockOrg::builder()
        .seed(1)
        .users(1)
        .rate_limits(RateLimits::uniform(10, Duration::from_secs(60)))
        .api_token("replica-a", "token-a")
        .api_token("replica-b", "token-b")
        .share("replica-b", 80)
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    let a = api.with_auth("SSWS token-a");
    let b = api.with_auth("SSWS token-b");
    let path = format!("/api/v1/users/{}", org.user_ids()[0]);

    // The default token and replica-a hold Okta's default 50 %: 5 of 10.
    let r = api.get(&path).await;
    assert_eq!(r.rate_limit().0, 5);
    assert_eq!(r.rate_limit().1, 4);
    for remaining in (1..5).rev() {
        let r = a.get(&path).await;
        assert_eq!((r.status.as_u16(), r.rate_limit().1), (200, remaining));
    }
    // replica-a has used 4 of its 5; the org 5 of 10.
    assert_eq!(a.get(&path).await.status, 200);
    let r = a.get(&path).await;
    assert_eq!(
        (r.status.as_u16(), r.rate_limit().0, r.rate_limit().1),
        (429, 5, 0)
    );

    // replica-b: 8 of its own, but the org has 4 left, and Remaining says the smaller.
    let r = b.get(&path).await;
    assert_eq!(
        (r.status.as_u16(), r.rate_limit().0, r.rate_limit().1),
        (200, 8, 3)
    );
    for _ in 0..3 {
        assert_eq!(b.get(&path).await.status, 200);
    }
    let r = b.get(&path).await;
    assert_eq!(
        (r.status.as_u16(), r.rate_limit().1),
        (429, 0),
        "the org's bucket is spent though replica-b used 4 of its 8"
    );
    // Another bucket is untouched.
    assert_eq!(b.get("/api/v1/users?limit=1").await.status, 200);

    let c = org.counters();
    let of = |name: &str| c.principal(name).unwrap().clone();
    assert_eq!(of(DEFAULT_PRINCIPAL).admitted(Bucket::UserGet), 1);
    assert_eq!(of("replica-a").admitted(Bucket::UserGet), 5);
    assert_eq!(of("replica-a").rate_limited(Bucket::UserGet), 1);
    assert_eq!(of("replica-b").admitted(Bucket::UserGet), 4);
    assert_eq!(of("replica-b").rate_limited(Bucket::UserGet), 1);
    assert_eq!(of("replica-b").admitted(Bucket::UsersCollection), 1);
    assert_eq!(c.rate_limited, 2);

    // An unknown token counts against the org's bucket only (and is refused).
    let stranger = api.with_auth("SSWS nobody");
    tokio::time::advance(Duration::from_secs(60)).await;
    let r = stranger.get(&path).await;
    assert_eq!((r.status.as_u16(), r.rate_limit().0), (401, 10));
    assert_eq!(org.counters().principals.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn shares_are_checked_when_the_org_is_built() {
    for builder in [
        MockOrg::builder().share("ghost", 10),
        MockOrg::builder().share(DEFAULT_PRINCIPAL, 0),
        MockOrg::builder().default_share(101),
        MockOrg::builder().api_token(DEFAULT_PRINCIPAL, "x"),
        MockOrg::builder().api_token("twin", okta_mock::DEFAULT_TOKEN),
    ] {
        assert!(matches!(
            builder.build().unwrap_err(),
            okta_mock::MockError::Config(_)
        ));
    }
}

#[tokio::test(start_paused = true)]
async fn concurrency_limit_is_org_wide_and_answers_429_with_zero_limit() {
    let plan = FaultPlan::new(1)
        .with(Fault::latency(Duration::from_millis(300)).on(Method::GET, "/api/v1/users/*/groups"));
    let org = MockOrg::builder()
        .seed(1)
        .users(3)
        .api_token("other", "other-token")
        .concurrency_limit(1)
        .faults(plan)
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    let id = org.user_ids()[0].clone();
    let slow = {
        let api = api.clone();
        tokio::spawn(async move { api.get(&format!("/api/v1/users/{id}/groups")).await.status })
    };
    // Paused time: the spawned request runs (and holds the one slot) before this sleep ends.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let r = api
        .with_auth("SSWS other-token")
        .get("/api/v1/users?limit=1")
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (429, "E0000047".into())
    );
    assert_eq!((r.rate_limit().0, r.rate_limit().1), (0, 0));
    assert_eq!(slow.await.unwrap(), 200);
    let c = org.counters();
    assert_eq!(c.concurrency_rejected, 1);
    assert_eq!(c.principal("other").unwrap().concurrency_rejected, 1);
    assert_eq!(
        c.principal(DEFAULT_PRINCIPAL).unwrap().concurrency_rejected,
        0
    );
}
