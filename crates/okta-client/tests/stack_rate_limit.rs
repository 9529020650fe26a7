//! The whole stack against the mock org's rate limits and injected 429s: the wait after a 429 is
//! `X-Rate-Limit-Reset − Date` (both the mock's epoch values), and the re-sent request carries
//! `X-Okta-Retry-For` and `X-Okta-Retry-Count`.
//!
//! In process and on paused time: the org is the client's transport (no socket) and its clock
//! is tokio's, so a wait for a reset takes no real time. The stack's reset jitter is zero and its
//! randomness seeded. The wait the stack planned is read from the rate limiter's observer, the
//! headers each 429 carried and the instants each attempt left and came back from a recording
//! layer over the transport: the wait is checked on tokio's clock, exactly.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use okta_client::{ClientBuilder, Error, StackConfig};
use okta_layers::rate_limit::{RateLimitEvent, WaitReason};
use okta_mock::{Fault, FaultPlan, Method, MockOrg, RateLimits};
use okta_users::{RequestBody, TimeoutKind, Users};
use support::{InProcess, OrgTransport, RateLimitEvents, assert_timeout, retry_headers};
use tokio::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

/// One attempt's response, as the recording layer saw it.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    request_id: Option<String>,
    /// `Date`, in epoch seconds.
    date: Option<u64>,
    /// Every `X-Rate-Limit-Reset` value.
    resets: Vec<u64>,
    /// When the attempt left and when its answer came back, on tokio's clock.
    sent: Instant,
    answered: Instant,
}

impl Answer {
    /// `Reset − Date` in whole seconds, with the latest of duplicated resets.
    fn reset_minus_date(&self) -> Duration {
        let reset = *self.resets.iter().max().expect("a reset header");
        Duration::from_secs(reset - self.date.expect("a Date header"))
    }
}

/// A layer over the transport that records every response's status, request id, `Date` and
/// resets, and when it was sent and answered.
#[derive(Clone, Default)]
struct RecordAnswers {
    answers: Arc<Mutex<Vec<Answer>>>,
}

impl RecordAnswers {
    fn answers(&self) -> Vec<Answer> {
        self.answers.lock().unwrap().clone()
    }
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
    S: Service<Request<RequestBody>, Response = Response<Full<Bytes>>>,
    S::Future: Send + 'static,
{
    type Response = Response<Full<Bytes>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        let sent = Instant::now();
        let future = self.inner.call(request);
        let answers = self.answers.clone();
        Box::pin(async move {
            let response = future.await?;
            let headers = response.headers();
            let text = |value: &http::HeaderValue| value.to_str().unwrap().to_owned();
            let answer = Answer {
                status: response.status().as_u16(),
                request_id: okta_users::headers::request_id(headers).map(str::to_owned),
                date: headers.get(http::header::DATE).map(|value| {
                    let time = httpdate::parse_http_date(value.to_str().unwrap()).unwrap();
                    time.duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs()
                }),
                resets: headers
                    .get_all(okta_users::headers::X_RATE_LIMIT_RESET)
                    .iter()
                    .map(|value| text(value).parse().unwrap())
                    .collect(),
                sent,
                answered: Instant::now(),
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
    events: RateLimitEvents,
}

impl Probe {
    /// The planned waits after this client's own 429s.
    fn waits_after_429(&self) -> Vec<Duration> {
        self.events.waits(WaitReason::RateLimited)
    }

    /// Each 429 answer that was re-sent, with the time between its answer and the re-send, on
    /// tokio's clock.
    fn resent_after(&self) -> Vec<(Answer, Duration)> {
        self.answers
            .answers()
            .windows(2)
            .filter(|pair| pair[0].status == 429)
            .map(|pair| (pair[0].clone(), pair[1].sent - pair[0].answered))
            .collect()
    }
}

/// `org`'s Users API in process through a stack with short concurrency backoffs, reporting to
/// `probe`, changed by `configure`.
fn users(
    org: &MockOrg,
    probe: &Probe,
    configure: impl FnOnce(&mut StackConfig),
) -> Users<InProcess<Recording<OrgTransport>>> {
    let builder: ClientBuilder = support::api_token(org).configure_stack(|stack| {
        probe.events.observe(stack);
        configure(stack);
    });
    support::users_over(builder, probe.answers.layer(OrgTransport::new(org)))
}

#[tokio::test(start_paused = true)]
async fn a_window_429_waits_reset_minus_date_and_resends_with_the_retry_headers() {
    let org = MockOrg::builder()
        .seed(1)
        .users(3)
        .rate_limits(RateLimits::uniform(1, Duration::from_secs(1)))
        .build()
        .unwrap();
    let probe = Probe::default();
    // Without pacing the client does not hold back the second request, so the mock answers 429.
    let users = users(&org, &probe, |stack| stack.rate_limit.pacing = false);
    // One request per one-second window, and no time passes between two requests on paused
    // time: the second request gets a 429.
    let ids = org.user_ids();
    for id in &ids {
        assert_eq!(&users.get(id.as_str()).await.unwrap().id, id);
    }
    assert!(org.counters().rate_limited >= 1);

    let limited: Vec<Answer> = probe
        .answers
        .answers()
        .into_iter()
        .filter(|a| a.status == 429)
        .collect();
    let waits = probe.waits_after_429();
    assert_eq!(waits.len(), limited.len());
    for (answer, wait) in limited.iter().zip(&waits) {
        assert_eq!(*wait, answer.reset_minus_date(), "{answer:?}");
    }
    assert!(waits.iter().any(|wait| *wait >= Duration::from_secs(1)));
    // The re-send left exactly the planned wait after the 429, on tokio's clock.
    let resent = probe.resent_after();
    assert_eq!(resent.len(), waits.len());
    for ((answer, after), wait) in resent.iter().zip(&waits) {
        assert_eq!(after, wait, "{answer:?}");
    }

    // The mock's log: each 429 is followed by the same request naming it.
    let log = org.request_log();
    for (i, entry) in log.iter().enumerate() {
        if entry.status == 429 {
            let resent = &log[i + 1];
            assert_eq!(resent.path, entry.path);
            assert_eq!(
                retry_headers(resent),
                (Some(entry.request_id.as_str()), Some("1"))
            );
            assert_eq!(resent.status, 200);
        } else if i == 0 || log[i - 1].status != 429 {
            assert_eq!(retry_headers(entry), (None, None), "a first attempt");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn injected_429s_are_resent_until_the_last_then_returned_typed() {
    let plan = FaultPlan::new(3).with(Fault::status(429).on(Method::GET, "/api/v1/users/*"));
    let org = support::faulty_org(1, plan);
    let probe = Probe::default();
    let users = users(&org, &probe, |stack| stack.rate_limit.max_429_retries = 2);
    let error = users.get(support::a_user(&org)).await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert!(
        matches!(&error, Error::Api(api) if api.error_code == "E0000047"),
        "{error:?}"
    );

    let log = org.request_log();
    assert_eq!(log.len(), 3, "the first attempt and two re-sends");
    assert_eq!(retry_headers(&log[0]), (None, None));
    assert_eq!(
        retry_headers(&log[1]),
        (Some(log[0].request_id.as_str()), Some("1"))
    );
    assert_eq!(
        retry_headers(&log[2]),
        (Some(log[1].request_id.as_str()), Some("2"))
    );
    assert!(log.iter().all(|entry| entry.status == 429));

    let answers = probe.answers.answers();
    let ids: Vec<_> = answers.iter().map(|a| a.request_id.as_deref()).collect();
    let logged: Vec<_> = log.iter().map(|e| Some(e.request_id.as_str())).collect();
    assert_eq!(ids, logged, "the client saw the 429s the mock sent");
    let waits = probe.waits_after_429();
    assert_eq!(waits.len(), 2, "no wait after the last 429");
    for (answer, wait) in answers.iter().zip(&waits) {
        assert_eq!(*wait, answer.reset_minus_date(), "{answer:?}");
    }
    let resent: Vec<Duration> = probe.resent_after().into_iter().map(|(_, d)| d).collect();
    assert_eq!(resent, waits, "each re-send left after its wait");
}

#[tokio::test(start_paused = true)]
async fn without_date_a_429_waits_for_the_reset_by_the_local_clock_at_least_a_second() {
    let plan = FaultPlan::new(3)
        .with(Fault::status(429).on(Method::GET, "/api/v1/users/*"))
        .with(Fault::missing_date());
    let org = support::faulty_org(1, plan);
    let probe = Probe::default();
    let users = users(&org, &probe, |stack| stack.rate_limit.max_429_retries = 1);
    let error = users.get(support::a_user(&org)).await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");

    let answers = probe.answers.answers();
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
    assert_eq!(answers[1].sent - answers[0].answered, waits[0]);
    let log = org.request_log();
    assert_eq!(
        retry_headers(&log[1]),
        (Some(log[0].request_id.as_str()), Some("1"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_duplicated_reset_waits_for_the_latest_and_the_call_timeout_cuts_the_wait() {
    let plan = FaultPlan::new(3)
        .with(Fault::status(429).on(Method::GET, "/api/v1/users/*"))
        .with(Fault::duplicate_reset());
    let org = support::faulty_org(1, plan);
    let probe = Probe::default();
    let call_timeout = Duration::from_millis(300);
    let users = users(&org, &probe, |stack| {
        stack.call_timeout = Some(call_timeout)
    });
    let start = Instant::now();
    let error = users.get(support::a_user(&org)).await.unwrap_err();
    assert_timeout(&error, TimeoutKind::Call);
    assert_eq!(
        start.elapsed(),
        call_timeout,
        "the wait was cut at the call timeout"
    );

    let answers = probe.answers.answers();
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

#[tokio::test(start_paused = true)]
async fn concurrency_limit_429s_back_off_briefly_and_every_call_succeeds() {
    let plan = FaultPlan::new(3)
        .with(Fault::latency(Duration::from_millis(50)).on(Method::GET, "/api/v1/users/*"));
    let org = MockOrg::builder()
        .seed(1)
        .users(6)
        .rate_limits(RateLimits::uniform(1000, Duration::from_secs(1)))
        .concurrency_limit(2)
        .faults(plan)
        .build()
        .unwrap();
    let probe = Probe::default();
    let users = users(&org, &probe, |stack| {
        stack.rate_limit.max_429_retries = 50;
        stack.rate_limit.pacing = false;
    });
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
    let backoffs = probe.events.waits(WaitReason::ConcurrencyLimited);
    assert!(!backoffs.is_empty());
    // Brief: within the concurrency backoff's cap, not a window's reset.
    let cap = StackConfig::default().rate_limit.concurrency_backoff_max;
    assert!(backoffs.iter().all(|wait| *wait <= cap), "{backoffs:?}");
}

#[tokio::test(start_paused = true)]
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
        .build()
        .unwrap();
    let probe = Probe::default();
    let users = users(&org, &probe, |_| {});
    let id = support::a_user(&org);
    let start = Instant::now();
    for _ in 0..30 {
        assert_eq!(users.get(id.as_str()).await.unwrap().id, id);
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "no time passed");
    let events = probe.events.all();
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
