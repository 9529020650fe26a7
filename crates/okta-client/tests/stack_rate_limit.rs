//! The whole stack (a real `Client` over loopback HTTP) against the mock org's rate limits and
//! injected 429s: the wait after a 429 is `X-Rate-Limit-Reset − Date` (both the mock's real
//! epoch values), and the re-sent request carries `X-Okta-Retry-For` and `X-Okta-Retry-Count`.
//!
//! The mock's windows are one second long, so `Reset − Date` is about a second; the stack's
//! reset jitter is zero and its randomness seeded. The wait the stack chose is read from the
//! rate limiter's observer (a planned wait, not a measured one), and the headers each 429 carried
//! from an attempt layer of the test's own: nothing asserts on elapsed time.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use okta_client::{Client, Error, StackConfig};
use okta_layers::rate_limit::{RateLimitEvent, WaitReason};
use okta_mock::{Fault, FaultPlan, LoggedRequest, Method, MockOrg, RateLimits};
use okta_users::{BoxError, RequestBody, TimeoutKind};
use tower_layer::Layer;
use tower_service::Service;

/// One attempt's response, as the attempt layer saw it.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    request_id: Option<String>,
    /// `Date`, in epoch seconds.
    date: Option<u64>,
    /// Every `X-Rate-Limit-Reset` value.
    resets: Vec<u64>,
}

impl Answer {
    /// `Reset − Date` in whole seconds, with the latest of duplicated resets.
    fn reset_minus_date(&self) -> Duration {
        let reset = *self.resets.iter().max().expect("a reset header");
        Duration::from_secs(reset - self.date.expect("a Date header"))
    }
}

/// An attempt layer that records every response's status, request id, `Date` and resets.
#[derive(Clone, Default)]
struct RecordAnswers {
    answers: Arc<Mutex<Vec<Answer>>>,
}

impl<S> Layer<S> for RecordAnswers {
    type Service = Recording<S>;

    fn layer(&self, inner: S) -> Recording<S> {
        Recording {
            inner,
            answers: self.answers.clone(),
        }
    }
}

#[derive(Clone)]
struct Recording<S> {
    inner: S,
    answers: Arc<Mutex<Vec<Answer>>>,
}

impl<S> Service<Request<RequestBody>> for Recording<S>
where
    S: Service<Request<RequestBody>, Response = Response<Full<Bytes>>, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        let future = self.inner.call(request);
        let answers = self.answers.clone();
        Box::pin(async move {
            let response = future.await?;
            let headers = response.headers();
            let text = |value: &http::HeaderValue| value.to_str().unwrap().to_owned();
            let answer = Answer {
                status: response.status().as_u16(),
                request_id: headers.get("x-okta-request-id").map(text),
                date: headers.get(http::header::DATE).map(|value| {
                    let time = httpdate::parse_http_date(value.to_str().unwrap()).unwrap();
                    time.duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs()
                }),
                resets: headers
                    .get_all("x-rate-limit-reset")
                    .iter()
                    .map(|value| value.to_str().unwrap().parse().unwrap())
                    .collect(),
            };
            answers.lock().unwrap().push(answer);
            Ok(response)
        })
    }
}

/// What a test inspects: the answers each attempt got and the rate limiter's events.
#[derive(Clone, Default)]
struct Probe {
    answers: RecordAnswers,
    events: Arc<Mutex<Vec<RateLimitEvent>>>,
}

impl Probe {
    fn answers(&self) -> Vec<Answer> {
        self.answers.answers.lock().unwrap().clone()
    }

    /// The planned waits after this client's own 429s.
    fn waits_after_429(&self) -> Vec<Duration> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|event| match event {
                RateLimitEvent::Waited {
                    duration,
                    reason: WaitReason::RateLimited,
                    ..
                } => Some(*duration),
                _ => None,
            })
            .collect()
    }
}

/// A mock with one user, a budget far from reached in one-second windows, and `faults`.
async fn one_user_org(faults: FaultPlan) -> MockOrg {
    MockOrg::builder()
        .seed(1)
        .users(1)
        .rate_limits(RateLimits::uniform(1000, Duration::from_secs(1)))
        .faults(faults)
        .start()
        .await
        .unwrap()
}

fn client(org: &MockOrg, probe: &Probe, configure: impl FnOnce(&mut StackConfig)) -> Client {
    let events = probe.events.clone();
    Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .configure_stack(|stack| {
            stack.retry.backoff_min = Duration::from_millis(1);
            stack.retry.backoff_max = Duration::from_millis(10);
            stack.retry.seed = Some(21);
            stack.rate_limit.seed = Some(22);
            stack.rate_limit.reset_jitter = Duration::ZERO;
            stack.rate_limit.concurrency_backoff = Duration::from_millis(1);
            stack.rate_limit.concurrency_backoff_max = Duration::from_millis(10);
            stack.rate_limit.observer = Some(Arc::new(move |event: &RateLimitEvent| {
                events.lock().unwrap().push(event.clone());
            }));
            configure(stack);
        })
        .attempt_layer(probe.answers.clone())
        .build()
        .unwrap()
}

fn header(entry: &LoggedRequest) -> (Option<&str>, Option<&str>) {
    (entry.retry_for.as_deref(), entry.retry_count.as_deref())
}

#[tokio::test]
async fn a_window_429_waits_reset_minus_date_and_resends_with_the_retry_headers() {
    let org = MockOrg::builder()
        .seed(1)
        .users(3)
        .rate_limits(RateLimits::uniform(1, Duration::from_secs(1)))
        .start()
        .await
        .unwrap();
    let probe = Probe::default();
    // Without pacing the client does not hold back the second request, so the mock answers 429.
    let users = client(&org, &probe, |stack| stack.rate_limit.pacing = false).users();
    // One request per one-second window: of two requests sent back to back, the second gets a
    // 429 unless a second boundary falls between them; a third certainly shares a window.
    let ids = org.user_ids();
    for id in &ids {
        assert_eq!(&users.get(id.as_str()).await.unwrap().id, id);
        if org.counters().rate_limited > 0 {
            break;
        }
    }
    assert!(org.counters().rate_limited >= 1);

    let answers = probe.answers();
    let limited: Vec<&Answer> = answers.iter().filter(|a| a.status == 429).collect();
    let waits = probe.waits_after_429();
    assert_eq!(waits.len(), limited.len());
    for (answer, wait) in limited.iter().zip(&waits) {
        assert_eq!(*wait, answer.reset_minus_date(), "{answer:?}");
    }
    assert!(waits.iter().any(|wait| *wait >= Duration::from_secs(1)));

    // The mock's log: each 429 is followed by the same request naming it.
    let log = org.request_log();
    for (i, entry) in log.iter().enumerate() {
        if entry.status == 429 {
            let resent = &log[i + 1];
            assert_eq!(resent.path, entry.path);
            assert_eq!(header(resent), (Some(entry.request_id.as_str()), Some("1")));
            assert_eq!(resent.status, 200);
        } else if i == 0 || log[i - 1].status != 429 {
            assert_eq!(header(entry), (None, None), "a first attempt");
        }
    }
}

#[tokio::test]
async fn injected_429s_are_resent_until_the_last_then_returned_typed() {
    let plan = FaultPlan::new(3).with(Fault::status(429).on(Method::GET, "/api/v1/users/*"));
    let org = one_user_org(plan).await;
    let probe = Probe::default();
    let users = client(&org, &probe, |stack| stack.rate_limit.max_429_retries = 2).users();
    let id = org.user_ids().remove(0);
    let error = users.get(id).await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert!(
        matches!(&error, Error::Api(api) if api.error_code == "E0000047"),
        "{error:?}"
    );

    let log = org.request_log();
    assert_eq!(log.len(), 3, "the first attempt and two re-sends");
    assert_eq!(header(&log[0]), (None, None));
    assert_eq!(
        header(&log[1]),
        (Some(log[0].request_id.as_str()), Some("1"))
    );
    assert_eq!(
        header(&log[2]),
        (Some(log[1].request_id.as_str()), Some("2"))
    );
    assert!(log.iter().all(|entry| entry.status == 429));

    let answers = probe.answers();
    let ids: Vec<_> = answers.iter().map(|a| a.request_id.as_deref()).collect();
    let logged: Vec<_> = log.iter().map(|e| Some(e.request_id.as_str())).collect();
    assert_eq!(ids, logged, "the client saw the 429s the mock sent");
    let waits = probe.waits_after_429();
    assert_eq!(waits.len(), 2, "no wait after the last 429");
    for (answer, wait) in answers.iter().zip(&waits) {
        assert_eq!(*wait, answer.reset_minus_date(), "{answer:?}");
    }
}

#[tokio::test]
async fn without_date_a_429_waits_for_the_reset_by_the_local_clock_at_least_a_second() {
    let plan = FaultPlan::new(3)
        .with(Fault::status(429).on(Method::GET, "/api/v1/users/*"))
        .with(Fault::missing_date());
    let org = one_user_org(plan).await;
    let probe = Probe::default();
    let users = client(&org, &probe, |stack| stack.rate_limit.max_429_retries = 1).users();
    let id = org.user_ids().remove(0);
    let error = users.get(id).await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");

    let answers = probe.answers();
    assert_eq!(answers.len(), 2);
    assert!(
        answers
            .iter()
            .all(|a| a.date.is_none() && a.resets.len() == 1)
    );
    let waits = probe.waits_after_429();
    assert_eq!(waits.len(), 1);
    // The mock's reset is at most a second away; without Date the wait is clamped to [1 s, window].
    assert!(
        waits[0] >= Duration::from_secs(1) && waits[0] < Duration::from_secs(2),
        "{waits:?}"
    );
    let log = org.request_log();
    assert_eq!(
        header(&log[1]),
        (Some(log[0].request_id.as_str()), Some("1"))
    );
}

#[tokio::test]
async fn a_duplicated_reset_waits_for_the_latest_and_the_call_timeout_cuts_the_wait() {
    let plan = FaultPlan::new(3)
        .with(Fault::status(429).on(Method::GET, "/api/v1/users/*"))
        .with(Fault::duplicate_reset());
    let org = one_user_org(plan).await;
    let probe = Probe::default();
    let users = client(&org, &probe, |stack| {
        stack.call_timeout = Some(Duration::from_millis(300));
    })
    .users();
    let id = org.user_ids().remove(0);
    let error = users.get(id).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Call
            }
        ),
        "{error:?}"
    );

    let answers = probe.answers();
    assert_eq!(answers.len(), 1, "the wait was cut short: nothing re-sent");
    let resets = &answers[0].resets;
    assert_eq!(resets.len(), 2, "{resets:?}");
    assert_ne!(resets[0], resets[1]);
    // The planned wait is the later reset's, measured against Date: over 17 s here.
    let waits = probe.waits_after_429();
    assert_eq!(waits, [answers[0].reset_minus_date()]);
    assert!(waits[0] > Duration::from_secs(17));
    assert_eq!(org.request_log().len(), 1);
}

#[tokio::test]
async fn concurrency_limit_429s_back_off_briefly_and_every_call_succeeds() {
    let plan = FaultPlan::new(3)
        .with(Fault::latency(Duration::from_millis(50)).on(Method::GET, "/api/v1/users/*"));
    let org = MockOrg::builder()
        .seed(1)
        .users(6)
        .rate_limits(RateLimits::uniform(1000, Duration::from_secs(1)))
        .concurrency_limit(2)
        .faults(plan)
        .start()
        .await
        .unwrap();
    let probe = Probe::default();
    let users = client(&org, &probe, |stack| {
        stack.rate_limit.max_429_retries = 50;
        stack.rate_limit.pacing = false;
    })
    .users();
    let ids = org.user_ids();
    let calls = ids.iter().map(|id| {
        let users = users.clone();
        async move { users.get(id.as_str()).await }
    });
    for (result, id) in futures_util::future::join_all(calls)
        .await
        .into_iter()
        .zip(&ids)
    {
        assert_eq!(&result.unwrap().id, id);
    }
    let rejected = org.counters().concurrency_rejected;
    assert!(rejected >= 1, "six calls at once against a limit of two");
    let log = org.request_log();
    let resent = log.iter().filter(|entry| entry.retry_for.is_some()).count() as u64;
    assert_eq!(
        resent, rejected,
        "each rejected request was re-sent once more"
    );
    // Each re-send names a 429 the mock sent.
    for entry in log.iter().filter(|entry| entry.retry_for.is_some()) {
        let named = entry.retry_for.as_deref().unwrap();
        assert!(
            log.iter()
                .any(|other| other.request_id == named && other.status == 429),
            "{entry:?}"
        );
    }
    assert!(probe.events.lock().unwrap().iter().any(|event| matches!(
        event,
        RateLimitEvent::Waited {
            reason: WaitReason::ConcurrencyLimited,
            ..
        }
    )));
}

#[tokio::test]
async fn a_mock_with_limits_disabled_never_makes_the_client_wait() {
    // A tiny budget, not enforced: the mock reports the whole budget remaining every time, so
    // the pacing client goes at full speed rather than spreading 3 requests over the window.
    let org = MockOrg::builder()
        .seed(1)
        .users(3)
        .rate_limits(RateLimits {
            user_get: 3,
            window: Duration::from_secs(60),
            ..RateLimits::disabled()
        })
        // The whole bucket for the one token (Okta's default share is 50 %).
        .share(okta_mock::DEFAULT_PRINCIPAL, 100)
        .start()
        .await
        .unwrap();
    let probe = Probe::default();
    // A paced call would wait seconds: fail fast instead.
    let users = client(&org, &probe, |stack| {
        stack.call_timeout = Some(Duration::from_secs(2));
    })
    .users();
    let id = org.user_ids()[0].clone();
    for _ in 0..30 {
        assert_eq!(users.get(id.as_str()).await.unwrap().id, id);
    }
    let events = probe.events.lock().unwrap();
    assert!(
        !events
            .iter()
            .any(|event| matches!(event, RateLimitEvent::Waited { .. })),
        "{events:?}"
    );
    assert!(events.iter().any(|event| matches!(
        event,
        RateLimitEvent::Updated {
            limit: 3,
            remaining: 3,
            ..
        }
    )));
    assert_eq!(org.counters().rate_limited, 0);
}
