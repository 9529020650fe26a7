//! Rate-limit headers per bucket, 429 when a bucket is exhausted, and the concurrency limit.

mod common;

use common::Api;
use http::Method;
use okta_mock::{Bucket, Fault, FaultPlan, MockOrg, RateLimits};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
        assert_eq!(r.header("x-rate-limit-limit"), limit.to_string(), "{path}");
        assert_eq!(
            r.header("x-rate-limit-remaining"),
            (limit - 1).to_string(),
            "{path}"
        );
        let reset: u64 = r.header("x-rate-limit-reset").parse().unwrap();
        let date = httpdate::parse_http_date(r.header("date"))
            .unwrap()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            reset > date && reset - date <= 60,
            "reset {reset} date {date}"
        );
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

#[tokio::test]
async fn exhausted_bucket_answers_429_and_others_still_work() {
    let limits = RateLimits {
        user_get: 2,
        ..RateLimits::uniform(100, Duration::from_secs(1))
    };
    let org = MockOrg::builder()
        .seed(1)
        .users(3)
        .rate_limits(limits)
        .start()
        .await
        .unwrap();
    let api = Api::new(&org);
    let path = format!("/api/v1/users/{}", org.user_ids()[0]);
    assert_eq!(api.get(&path).await.status, 200);
    assert_eq!(api.get(&path).await.status, 200);
    let r = api.get(&path).await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (429, "E0000047".into())
    );
    assert_eq!(r.header("x-rate-limit-remaining"), "0");
    assert_eq!(r.header("x-rate-limit-limit"), "2");
    let reset: u64 = r.header("x-rate-limit-reset").parse().unwrap();
    let date = httpdate::parse_http_date(r.header("date"))
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        reset - date <= 1,
        "1 s window: reset within a second of Date"
    );
    assert_eq!(api.get("/api/v1/users?limit=1").await.status, 200);
    assert_eq!(org.counters().rate_limited, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_limit_answers_429_with_zero_limit() {
    let plan = FaultPlan::new(1)
        .with(Fault::latency(Duration::from_millis(300)).on(Method::GET, "/api/v1/users/*/groups"));
    let org = MockOrg::builder()
        .seed(1)
        .users(3)
        .concurrency_limit(1)
        .faults(plan)
        .start()
        .await
        .unwrap();
    let api = Api::new(&org);
    let id = org.user_ids()[0].clone();
    let slow = {
        let api = Api {
            client: api.client.clone(),
            base: api.base.clone(),
            auth: api.auth.clone(),
        };
        tokio::spawn(async move { api.get(&format!("/api/v1/users/{id}/groups")).await.status })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let r = api.get("/api/v1/users?limit=1").await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (429, "E0000047".into())
    );
    assert_eq!(r.header("x-rate-limit-limit"), "0");
    assert_eq!(r.header("x-rate-limit-remaining"), "0");
    assert_eq!(slow.await.unwrap(), 200);
    assert_eq!(org.counters().concurrency_rejected, 1);
}
