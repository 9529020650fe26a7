//! The rate-limit layer over `service_fn`s, under paused time: alone (pacing, annotating a 429)
//! and under the retry policy, which re-sends after a 429.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::Full;
use okta_users::BoxError;
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use super::*;
use crate::retry::{Retry, RetryConfig, RetryPolicy};

/// 2001-09-09: far from the local clock, which must not matter when `Date` is present.
const T: u64 = 1_000_000_000;

type Seen = Arc<Mutex<Vec<(Instant, HeaderMap)>>>;

fn get(path: &str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(Method::GET)
        .uri(path)
        .body(Full::new(Bytes::new()))
        .unwrap()
}

fn date(secs: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

fn response(status: u16, headers: &[(&str, String)]) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    builder.body(Full::new(Bytes::new())).unwrap()
}

/// A service answering from a script (the last answer repeats), recording when each request
/// arrived and its headers.
fn scripted(
    script: Vec<Response<Full<Bytes>>>,
) -> (
    impl Service<Request<Full<Bytes>>, Response = Response<Full<Bytes>>, Error = BoxError, Future: Send>
    + Clone
    + Send,
    Seen,
) {
    let seen: Seen = Arc::default();
    let script = Arc::new(script);
    let record = seen.clone();
    let service = tower::service_fn(move |request: Request<Full<Bytes>>| {
        let mut seen = record.lock().unwrap();
        seen.push((Instant::now(), request.headers().clone()));
        let answer = &script[(seen.len() - 1).min(script.len() - 1)];
        let mut response = response(answer.status().as_u16(), &[]);
        *response.headers_mut() = answer.headers().clone();
        std::future::ready(Ok::<_, BoxError>(response))
    });
    (service, seen)
}

fn too_many(reset: &[u64], date_secs: Option<u64>, id: &str) -> Response<Full<Bytes>> {
    let mut headers = vec![
        ("x-rate-limit-limit", "600".to_string()),
        ("x-rate-limit-remaining", "0".to_string()),
        ("x-okta-request-id", id.to_string()),
    ];
    headers.extend(
        reset
            .iter()
            .map(|reset| ("x-rate-limit-reset", reset.to_string())),
    );
    headers.extend(date_secs.map(|secs| ("date", date(secs))));
    response(429, &headers)
}

fn ok() -> Response<Full<Bytes>> {
    response(200, &[])
}

/// Sends one request through `service` and returns its response.
async fn send<S>(service: &mut S, request: Request<Full<Bytes>>) -> Response<Full<Bytes>>
where
    S: Service<Request<Full<Bytes>>, Response = Response<Full<Bytes>>>,
    S::Error: std::fmt::Debug,
{
    service.ready().await.unwrap().call(request).await.unwrap()
}

fn config() -> RateLimitConfig {
    RateLimitConfig {
        reset_jitter: Duration::from_millis(500),
        ..RateLimitConfig::default()
    }
    .seed(7)
}

/// `Retry(RetryPolicy) → RateLimit → service`: the re-sends after a 429 are the policy's.
fn resending<S: Clone>(layer: RateLimitLayer, service: S) -> Retry<RateLimit<S>> {
    let policy = RetryPolicy::new(RetryConfig {
        seed: Some(3),
        ..RetryConfig::default()
    });
    Retry::new(policy, layer.layer(service))
}

fn waited(seen: &Seen, i: usize) -> Duration {
    let seen = seen.lock().unwrap();
    seen[i].0 - seen[i - 1].0
}

#[tokio::test(start_paused = true)]
async fn waits_reset_minus_date_and_resends_with_the_retry_headers() {
    let (service, seen) = scripted(vec![too_many(&[T + 7], Some(T), "req-429"), ok()]);
    let mut service = resending(RateLimitLayer::new(config()), service);
    let response = send(&mut service, get("/api/v1/users/00u1")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let wait = waited(&seen, 1);
    assert!(
        wait >= Duration::from_secs(7) && wait <= Duration::from_millis(7500),
        "{wait:?}"
    );
    let seen = seen.lock().unwrap();
    assert!(seen[0].1.get("x-okta-retry-for").is_none());
    assert_eq!(seen[1].1["x-okta-retry-for"], "req-429");
    assert_eq!(seen[1].1["x-okta-retry-count"], "1");
}

#[tokio::test(start_paused = true)]
async fn the_retry_count_grows_and_retry_for_names_the_latest_429() {
    let (service, seen) = scripted(vec![
        too_many(&[T + 1], Some(T), "first"),
        too_many(&[T + 2], Some(T + 1), "second"),
        ok(),
    ]);
    let mut service = resending(RateLimitLayer::new(config()), service);
    send(&mut service, get("/api/v1/users")).await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        (
            &seen[2].1["x-okta-retry-for"],
            &seen[2].1["x-okta-retry-count"]
        ),
        (&"second".parse().unwrap(), &"2".parse().unwrap())
    );
}

#[tokio::test(start_paused = true)]
async fn a_duplicated_reset_waits_for_the_latest() {
    let (service, seen) = scripted(vec![too_many(&[T + 3, T + 9], Some(T), "dup"), ok()]);
    let mut service = resending(RateLimitLayer::new(config()), service);
    send(&mut service, get("/api/v1/users")).await;
    let wait = waited(&seen, 1);
    assert!(
        wait >= Duration::from_secs(9) && wait <= Duration::from_millis(9500),
        "{wait:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn without_date_the_wait_is_clamped_between_one_second_and_the_window() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // A reset in the past: at least a second.
    let (service, seen) = scripted(vec![too_many(&[now - 100], None, "past"), ok()]);
    let mut service = resending(RateLimitLayer::new(config()), service);
    send(&mut service, get("/api/v1/users")).await;
    let wait = waited(&seen, 1);
    assert!(
        wait >= Duration::from_secs(1) && wait <= Duration::from_millis(1500),
        "{wait:?}"
    );
    // A reset an hour away: at most the window.
    let (service, seen) = scripted(vec![too_many(&[now + 3600], None, "far"), ok()]);
    let mut service = resending(RateLimitLayer::new(config()), service);
    send(&mut service, get("/api/v1/users")).await;
    let wait = waited(&seen, 1);
    assert!(
        wait >= Duration::from_secs(60) && wait <= Duration::from_millis(60_500),
        "{wait:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_concurrency_limit_429_backs_off_briefly_and_exponentially() {
    let concurrency = || {
        response(
            429,
            &[
                ("x-rate-limit-limit", "0".into()),
                ("x-rate-limit-remaining", "0".into()),
                ("x-rate-limit-reset", (T + 60).to_string()),
                ("date", date(T)),
            ],
        )
    };
    let (service, seen) = scripted(vec![concurrency(), concurrency(), concurrency(), ok()]);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let config = RateLimitConfig {
        max_429_retries: 3,
        ..config()
    }
    .observer(move |event: &RateLimitEvent| sink.lock().unwrap().push(event.clone()));
    let mut service = resending(RateLimitLayer::new(config), service);
    let response = send(&mut service, get("/api/v1/users")).await;
    assert_eq!(response.status(), StatusCode::OK);
    for (n, ceiling) in [(1, 100), (2, 200), (3, 400)] {
        let wait = waited(&seen, n);
        assert!(
            wait <= Duration::from_millis(ceiling),
            "retry {n}: {wait:?}"
        );
    }
    let events = events.lock().unwrap();
    let concurrency_waits = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                RateLimitEvent::Waited {
                    reason: WaitReason::ConcurrencyLimited,
                    ..
                }
            )
        })
        .count();
    assert_eq!(concurrency_waits, 3);
    assert!(events.iter().any(|e| matches!(
        e,
        RateLimitEvent::Got429 {
            concurrency: true,
            ..
        }
    )));
}

#[tokio::test(start_paused = true)]
async fn the_layer_alone_annotates_a_429_and_does_not_resend() {
    let (service, seen) = scripted(vec![too_many(&[T + 7], Some(T), "req-429"), ok()]);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let observed =
        config().observer(move |event: &RateLimitEvent| sink.lock().unwrap().push(event.clone()));
    let limiter = RateLimiter::new(observed);
    let mut service = RateLimitLayer::from_limiter(limiter.clone()).layer(service);
    let start = Instant::now();
    let response = send(&mut service, get("/api/v1/users/00u1")).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(Instant::now(), start, "no wait");
    assert_eq!(seen.lock().unwrap().len(), 1, "no re-send");
    let limited = response
        .extensions()
        .get::<RateLimited>()
        .expect("the 429 carries the wait");
    assert!(
        limited.wait >= Duration::from_secs(7) && limited.wait <= Duration::from_millis(7500),
        "{:?}",
        limited.wait
    );
    assert_eq!(limited.reason, WaitReason::RateLimited);
    assert_eq!(limited.bucket, Bucket::UserRead);
    assert_eq!(limited.request_id.as_ref().unwrap(), "req-429");
    assert_eq!(limited.max_resends, 3);
    {
        let events = events.lock().unwrap();
        assert!(events.iter().any(|e| matches!(
            e,
            RateLimitEvent::Got429 {
                retries: 0,
                will_retry: true,
                ..
            }
        )));
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, RateLimitEvent::Waited { .. })),
            "the layer does not wait after a 429"
        );
    }
    // The bucket is blocked all the same.
    assert!(limiter.try_acquire(Bucket::UserRead).is_none());
    // A response that is not a 429 carries nothing.
    let (service, _) = scripted(vec![ok()]);
    let response = RateLimitLayer::new(config())
        .layer(service)
        .oneshot(get("/api/v1/users"))
        .await
        .unwrap();
    assert!(response.extensions().get::<RateLimited>().is_none());
}

#[tokio::test(start_paused = true)]
async fn resends_after_a_429_spend_no_retry_budget_and_are_not_attempts() {
    let (service, seen) = scripted(vec![
        too_many(&[T + 1], Some(T), "a"),
        too_many(&[T + 2], Some(T + 1), "b"),
        ok(),
    ]);
    let policy = RetryPolicy::new(RetryConfig {
        max_attempts: 1,
        seed: Some(3),
        ..RetryConfig::default()
    });
    let full = policy.budget().available();
    let service = Retry::new(policy.clone(), RateLimitLayer::new(config()).layer(service));
    let response = service.oneshot(get("/api/v1/users")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(seen.lock().unwrap().len(), 3);
    assert!(policy.budget().available() >= full);
}

#[tokio::test(start_paused = true)]
async fn after_max_retries_the_429_is_returned() {
    let (service, seen) = scripted(vec![too_many(&[T + 1], Some(T), "again")]);
    let config = RateLimitConfig {
        max_429_retries: 2,
        ..config()
    };
    let mut service = resending(RateLimitLayer::new(config), service);
    let response = send(&mut service, get("/api/v1/users")).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "the first send and two re-sends"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_blocks_the_bucket_for_other_requests_not_other_buckets() {
    let limiter = RateLimiter::new(config());
    let (limited, _) = scripted(vec![too_many(&[T + 5], Some(T), "block"), ok()]);
    let limited = resending(RateLimitLayer::from_limiter(limiter.clone()), limited);
    let (fine, _) = scripted(vec![ok()]);
    let fine = RateLimitLayer::from_limiter(limiter.clone()).layer(fine);
    let start = Instant::now();
    let first = tokio::spawn(limited.oneshot(get("/api/v1/users/00u1")));
    tokio::task::yield_now().await;
    fine.clone().oneshot(get("/api/v1/users")).await.unwrap();
    assert_eq!(Instant::now(), start, "another bucket does not wait");
    fine.clone()
        .oneshot(get("/api/v1/users/00u2"))
        .await
        .unwrap();
    assert!(
        Instant::now() - start >= Duration::from_secs(5),
        "the same bucket waits for the reset"
    );
    first.await.unwrap().unwrap();
}

/// A tiny Okta, windowed like okta-mock: a window starts at the whole second of the first
/// request after the previous one ended, and lets `limit` requests through; 429s beyond.
#[derive(Clone)]
struct Org {
    state: Arc<Mutex<OrgState>>,
    started: Instant,
    limit: u32,
    window: u64,
}

#[derive(Default)]
struct OrgState {
    end: Option<Duration>,
    reset: u64,
    used: u32,
    served: u32,
    rejected: u32,
    sends: Vec<Duration>,
}

impl Org {
    /// The org as a service answering after 20 ms.
    fn service(
        &self,
    ) -> impl Service<
        Request<Full<Bytes>>,
        Response = Response<Full<Bytes>>,
        Error = BoxError,
        Future: Send + 'static,
    >
    + Clone
    + Send
    + 'static
    + use<> {
        let org = self.clone();
        tower::service_fn(move |_request: Request<Full<Bytes>>| {
            let org = org.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(org.answer())
            }
        })
    }

    fn new(limit: u32, window: u64) -> Self {
        Org {
            state: Arc::default(),
            started: Instant::now(),
            limit,
            window,
        }
    }

    fn answer(&self) -> Response<Full<Bytes>> {
        // The org's clock: T plus the time elapsed, with a sub-second phase so that `Date`'s
        // truncation matters.
        let clock =
            Duration::from_secs(T) + Duration::from_millis(300) + (Instant::now() - self.started);
        let now = clock.as_secs();
        let mut state = self.state.lock().unwrap();
        state.sends.push(clock);
        if state.end.is_none_or(|end| clock >= end) {
            state.end = Some(Duration::from_secs(now + self.window));
            state.reset = now + self.window;
            state.used = 0;
        }
        let over = state.used >= self.limit;
        if over {
            state.rejected += 1;
        } else {
            state.used += 1;
            state.served += 1;
        }
        let remaining = self.limit - state.used;
        response(
            if over { 429 } else { 200 },
            &[
                ("x-rate-limit-limit", self.limit.to_string()),
                ("x-rate-limit-remaining", remaining.to_string()),
                ("x-rate-limit-reset", state.reset.to_string()),
                ("date", date(now)),
                ("x-okta-request-id", format!("r{}", state.sends.len())),
            ],
        )
    }
}

#[tokio::test(start_paused = true)]
async fn pacing_serves_a_large_workload_at_the_budgets_rate_with_few_429s() {
    let org = Org::new(50, 10);
    let backend = org.service();
    let waits = Arc::new(AtomicUsize::new(0));
    let counter = waits.clone();
    let config = config().observer(move |event: &RateLimitEvent| {
        if matches!(
            event,
            RateLimitEvent::Waited {
                reason: WaitReason::Pacing,
                ..
            }
        ) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let service = resending(RateLimitLayer::new(config), backend);
    let total = 20 * 50;
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (service, next, failures) = (service.clone(), next.clone(), failures.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let response = service.clone().oneshot(get("/api/v1/users")).await.unwrap();
                    if response.status() != StatusCode::OK {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = Instant::now() - start;
    let state = org.state.lock().unwrap();
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert_eq!(state.served as usize, total);
    // 20 windows' worth: the budget is used at ≥ 97% of its rate…
    let usage = total as f64 / (elapsed.as_secs_f64() / 10.0 * 50.0);
    if std::env::var_os("PACING_DEBUG").is_some() {
        let mut per_second = std::collections::BTreeMap::<u64, u32>::new();
        for at in &state.sends {
            *per_second.entry(at.as_secs() - T).or_default() += 1;
        }
        eprintln!("rejected {} per second {per_second:?}", state.rejected);
    }
    assert!(usage >= 0.97, "{usage:.3} of the budget used ({elapsed:?})");
    // …with ≤ 1% of the requests answered 429…
    assert!(
        f64::from(state.rejected) <= total as f64 * 0.01,
        "{} 429s",
        state.rejected
    );
    // …and spread: within a window, no more than the burst half plus one goes in the first second.
    let first_second = state.sends.iter().filter(|at| at.as_secs() == T).count();
    assert!(
        first_second <= 27,
        "{first_second} requests in the first second"
    );
    assert!(waits.load(Ordering::Relaxed) > 0);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_call_gives_its_permit_back() {
    let (service, _) = scripted(vec![ok()]);
    let limiter = RateLimiter::new(config());
    let mut service = RateLimitLayer::from_limiter(limiter.clone()).layer(service);
    let future = service.ready().await.unwrap().call(get("/api/v1/users"));
    assert_eq!(limiter.snapshot(Bucket::UsersCollection).in_flight, 1);
    drop(future);
    assert_eq!(limiter.snapshot(Bucket::UsersCollection).in_flight, 0);
}

/// Far beyond what `SystemTime` can hold once added to the epoch.
const MAD_RESET: u64 = 9_999_999_999_999_999_999;

#[tokio::test(start_paused = true)]
async fn a_reset_centuries_away_without_date_is_a_wait_of_one_window_not_a_panic() {
    let (service, seen) = scripted(vec![too_many(&[MAD_RESET], None, "mad"), ok()]);
    let limiter = RateLimiter::new(config());
    let mut service = resending(RateLimitLayer::from_limiter(limiter.clone()), service);
    let answer = send(&mut service, get("/api/v1/users")).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let wait = waited(&seen, 1);
    assert!(
        wait >= Duration::from_secs(60) && wait <= Duration::from_millis(60_500),
        "{wait:?}"
    );
    // With `Date` too, and as a 200 that only teaches the budget.
    let (service, _) = scripted(vec![too_many(&[MAD_RESET], Some(T), "mad"), ok()]);
    let mut service = resending(RateLimitLayer::new(config()), service);
    assert_eq!(
        send(&mut service, get("/api/v1/users")).await.status(),
        StatusCode::OK
    );
    let reset = [("x-rate-limit-reset", MAD_RESET.to_string())];
    let (service, _) = scripted(vec![response(200, &reset)]);
    let mut service = RateLimitLayer::new(config()).layer(service);
    assert_eq!(
        send(&mut service, get("/api/v1/users")).await.status(),
        StatusCode::OK
    );
}

fn budget(remaining: u32, reset: u64, date_secs: u64) -> Response<Full<Bytes>> {
    response(
        200,
        &[
            ("x-rate-limit-limit", "100".to_string()),
            ("x-rate-limit-remaining", remaining.to_string()),
            ("x-rate-limit-reset", reset.to_string()),
            ("date", date(date_secs)),
        ],
    )
}

#[tokio::test(start_paused = true)]
async fn a_far_future_reset_does_not_poison_the_bucket_for_the_sane_responses_after_it() {
    // One lying response announces a window ending in the year 2286; then Okta answers sanely,
    // with less left than the lie said.
    let (service, seen) = scripted(vec![
        budget(90, 9_999_999_999, T),
        budget(60, T + 60, T),
        budget(59, T + 60, T),
    ]);
    let limiter = RateLimiter::new(config());
    let mut service = RateLimitLayer::from_limiter(limiter.clone()).layer(service);
    let start = Instant::now();
    for _ in 0..3 {
        send(&mut service, get("/api/v1/users")).await;
    }
    assert_eq!(Instant::now(), start);
    assert_eq!(seen.lock().unwrap().len(), 3);
    // The sane responses replaced the lie: the limiter paces on what Okta says is left.
    let snapshot = limiter.snapshot(Bucket::UsersCollection);
    assert_eq!(snapshot.remaining, Some(59));
    assert_eq!(
        snapshot.reset_at,
        Some(start + Duration::from_secs(60)),
        "the sane window's reset"
    );
}
