//! The default stack's metrics (feature `metrics`), read back through `metrics-util`'s
//! debugging recorder: request and call durations by operation and status, retries, 429s,
//! rate-limit waits and each bucket's budget. On tokio's paused clock, so every duration is
//! exactly the time the fake org took or the stack waited.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use metrics::Unit;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use okta_layers::metrics::{
    CALL_DURATION, RATE_LIMIT_LIMIT, RATE_LIMIT_REMAINING, RATE_LIMIT_WAIT, RATE_LIMITED,
    REQUEST_DURATION, RETRIES,
};
use okta_layers::{Credentials, StackConfig, StackLayer};
use okta_users::BoxError;
use okta_users::endpoints::GET_USER;
use support::{Backend, ORG, config, org_url, request_for};
use tower::{Layer, ServiceExt};

/// One metric as the recorder saw it: name, sorted labels, unit, value.
#[derive(Debug)]
struct Metric {
    name: String,
    labels: Vec<(String, String)>,
    unit: Option<Unit>,
    value: DebugValue,
}

impl Metric {
    fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn find<'a>(metrics: &'a [Metric], name: &str, labels: &[(&str, &str)]) -> &'a Metric {
    let found: Vec<&Metric> = metrics
        .iter()
        .filter(|m| m.name == name && labels.iter().all(|(k, v)| m.label(k) == Some(*v)))
        .collect();
    assert_eq!(found.len(), 1, "{name} {labels:?} in {metrics:#?}");
    found[0]
}

fn seconds(metric: &Metric) -> Vec<f64> {
    match &metric.value {
        DebugValue::Histogram(values) => values.iter().map(|v| v.into_inner()).collect(),
        other => panic!("not a histogram: {other:?}"),
    }
}

/// The answers of the fake org, in order: a 503 after 250 ms, a 429, then a 200 after 40 ms;
/// every one with the bucket's budget and Okta's two-second windows (its clock is tokio's,
/// paused, from a whole second of wall time).
fn org() -> impl Backend {
    let count = Arc::new(AtomicUsize::new(0));
    let start = tokio::time::Instant::now();
    let base = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    tower::service_fn(move |_request: Request<Full<Bytes>>| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        async move {
            let (status, took, remaining) = match n {
                0 => (503, 250, 41),
                1 => (429, 0, 0),
                _ => (200, 40, 39),
            };
            tokio::time::sleep(Duration::from_millis(took)).await;
            let elapsed = start.elapsed().as_secs();
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(base + elapsed);
            let reset = base + (elapsed / 2 + 1) * 2;
            Ok::<_, BoxError>(
                Response::builder()
                    .status(status)
                    .header("date", httpdate::fmt_http_date(now))
                    .header("x-rate-limit-limit", "600")
                    .header("x-rate-limit-remaining", remaining.to_string())
                    .header("x-rate-limit-reset", reset.to_string())
                    .header("x-okta-request-id", format!("req-{n}"))
                    .body(Full::new(Bytes::new()))
                    .unwrap(),
            )
        }
    })
}

#[tokio::test(start_paused = true)]
async fn the_instruments_report_durations_retries_429s_waits_and_budgets() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);

    let mut config = config();
    config.rate_limit.reset_jitter = Duration::ZERO;
    let stack = StackLayer::new(&config, org_url(ORG), &Credentials::api_token("00token")).unwrap();
    let request = request_for(&GET_USER, "/api/v1/users/00u1");
    let started = tokio::time::Instant::now();
    let answer = stack.layer(org()).oneshot(request).await.unwrap();
    let call_took = started.elapsed().as_secs_f64();
    assert_eq!(answer.status(), 200);

    let metrics: Vec<Metric> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, unit, _, value)| {
            let (_, key) = key.into_parts();
            let (name, labels) = key.into_parts();
            let mut labels: Vec<(String, String)> = labels
                .into_iter()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            labels.sort();
            Metric {
                name: name.as_str().to_owned(),
                labels,
                unit,
                value,
            }
        })
        .collect();

    // One request duration per attempt, by operation and status, with OpenTelemetry's labels.
    let common = [
        ("okta.operation", "okta.users.get"),
        ("http.request.method", "GET"),
        ("url.template", "/api/v1/users/{userId}"),
        ("server.address", "dev-123.okta.com"),
        ("server.port", "443"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut labels = common.to_vec();
        labels.extend_from_slice(extra);
        labels
    };
    let failed = find(
        &metrics,
        REQUEST_DURATION,
        &with(&[("http.response.status_code", "503"), ("error.type", "503")]),
    );
    assert_eq!(seconds(failed), [0.25]);
    assert_eq!(failed.unit, Some(Unit::Seconds));
    let limited = find(
        &metrics,
        REQUEST_DURATION,
        &with(&[("http.response.status_code", "429"), ("error.type", "429")]),
    );
    assert_eq!(seconds(limited), [0.0]);
    let ok = find(
        &metrics,
        REQUEST_DURATION,
        &with(&[("http.response.status_code", "200")]),
    );
    assert_eq!(seconds(ok), [0.04]);
    assert!(ok.label("error.type").is_none());

    // One call, waits included: its duration is the whole call's.
    let call = find(
        &metrics,
        CALL_DURATION,
        &[
            ("okta.operation", "okta.users.get"),
            ("http.response.status_code", "200"),
        ],
    );
    assert_eq!(seconds(call), [call_took]);
    assert!(
        call_took >= 0.29 + 1.0,
        "a backoff and the 429's wait: {call_took}"
    );

    // Two re-sends: after the 503 and after the 429.
    let retries = find(&metrics, RETRIES, &[("okta.operation", "okta.users.get")]);
    assert_eq!(retries.value, DebugValue::Counter(2));

    // The 429, counted by bucket, and the wait for the reset it announced.
    let too_many = find(
        &metrics,
        RATE_LIMITED,
        &[
            ("okta.bucket", "users.read"),
            ("okta.rate_limit.kind", "rate"),
            ("okta.retried", "true"),
        ],
    );
    assert_eq!(too_many.value, DebugValue::Counter(1));
    let waited = find(
        &metrics,
        RATE_LIMIT_WAIT,
        &[
            ("okta.bucket", "users.read"),
            ("okta.rate_limit.reason", "rate_limited"),
        ],
    );
    let waits = seconds(waited);
    assert_eq!(waits.len(), 1);
    assert!((1.0..=2.0).contains(&waits[0]), "{waits:?}");
    assert_eq!(waited.unit, Some(Unit::Seconds));

    // The bucket's budget, as the last response reported it.
    let remaining = find(
        &metrics,
        RATE_LIMIT_REMAINING,
        &[("okta.bucket", "users.read")],
    );
    assert_eq!(remaining.value, DebugValue::Gauge(39.0.into()));
    let limit = find(&metrics, RATE_LIMIT_LIMIT, &[("okta.bucket", "users.read")]);
    assert_eq!(limit.value, DebugValue::Gauge(600.0.into()));
}

#[tokio::test(start_paused = true)]
async fn an_attempt_cut_short_by_the_call_timeout_is_recorded_as_cancelled() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _local = metrics::set_default_local_recorder(&recorder);

    let mut config = StackConfig::default();
    config.call_timeout = Some(Duration::from_secs(1));
    config.attempt_timeout = None;
    let stack = StackLayer::new(&config, org_url(ORG), &Credentials::api_token("00token")).unwrap();
    let slow = tower::service_fn(|_request: Request<Full<Bytes>>| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Ok::<_, BoxError>(Response::new(Full::new(Bytes::new())))
    });
    let request = request_for(&GET_USER, "/api/v1/users/00u1");
    stack.layer(slow).oneshot(request).await.unwrap_err();

    let snapshot = snapshotter.snapshot().into_vec();
    let error_type = |name: &str| {
        snapshot
            .iter()
            .filter(|(key, ..)| key.key().name() == name)
            .map(|(key, _, _, value)| {
                let label = key
                    .key()
                    .labels()
                    .find(|l| l.key() == "error.type")
                    .map(|l| l.value().to_owned());
                let seconds = match value {
                    DebugValue::Histogram(values) => {
                        values.iter().map(|v| v.into_inner()).collect()
                    }
                    _ => Vec::new(),
                };
                (label, seconds)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        error_type(REQUEST_DURATION),
        [(Some("cancelled".to_owned()), vec![1.0])]
    );
    assert_eq!(
        error_type(CALL_DURATION),
        [(Some("timeout.call".to_owned()), vec![1.0])]
    );
}
