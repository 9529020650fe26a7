//! The whole stack over `service_fn`s: composition, tracing, timeouts across layers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use okta_users::{BoxError, Error, Operation, TimeoutKind};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};
use tracing_subscriber::layer::{Context, SubscriberExt};

use super::*;

const SECRET: &str = "SSWS 00super-secret-api-token";

fn request(method: Method, path: &str) -> Request<Full<Bytes>> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(http::header::AUTHORIZATION, SECRET)
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    request
        .extensions_mut()
        .insert(Operation::new("okta.users.list", "listUsers"));
    request
}

fn response(status: u16, id: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("x-okta-request-id", id)
        .body(Full::new(Bytes::new()))
        .unwrap()
}

type Answer = fn(usize) -> BoxedAnswer;
type BoxedAnswer = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Response<Full<Bytes>>, BoxError>> + Send>,
>;

/// A backend calling `answer(n)` for its n-th request (0-based).
fn backend(
    answer: Answer,
) -> impl Service<
    Request<Full<Bytes>>,
    Response = Response<Full<Bytes>>,
    Error = BoxError,
    Future: Send + 'static,
> + Clone
+ Send
+ Sync
+ 'static {
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    tower::service_fn(move |_request: Request<Full<Bytes>>| {
        answer(count.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    })
}

fn config() -> StackConfig {
    let mut config = StackConfig::default();
    config.retry.seed = Some(1);
    config.rate_limit.seed = Some(2);
    config
}

#[test]
fn the_stack_is_clone_send_sync_with_a_send_future() {
    fn check<S>(_: &S)
    where
        S: Service<Request<Full<Bytes>>> + Clone + Send + Sync + 'static,
        S::Future: Send + 'static,
    {
    }
    let service = layers(&config()).layer(backend(|_| Box::pin(async { Ok(response(200, "a")) })));
    check(&service);
    fn http_service<S: okta_users::HttpService>(_: &S) {}
    http_service(&service);
}

/// Spans and events as flat field maps.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<CaptureState>>);

#[derive(Default)]
struct CaptureState {
    spans: Vec<(String, BTreeMap<String, String>)>,
    ids: BTreeMap<u64, usize>,
    events: Vec<BTreeMap<String, String>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        _: Context<'_, S>,
    ) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut state = self.0.lock().unwrap();
        let index = state.spans.len();
        state
            .spans
            .push((attrs.metadata().name().to_string(), fields));
        state.ids.insert(id.into_u64(), index);
    }
    fn on_record(
        &self,
        id: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: Context<'_, S>,
    ) {
        let mut state = self.0.lock().unwrap();
        let index = state.ids[&id.into_u64()];
        values.record(&mut Fields(&mut state.spans[index].1));
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().events.push(fields);
    }
}

/// Everything a TRACE-level `fmt` subscriber would print.
#[derive(Clone, Default)]
struct Text(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Text {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn spans_carry_the_operation_and_http_fields_and_never_the_secret() {
    let capture = Capture::default();
    let text = Text::default();
    let writer = text.clone();
    let subscriber = tracing_subscriber::registry()
        .with(capture.clone())
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(move || writer.clone())
                .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
                .with_ansi(false),
        )
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let _guard = tracing::subscriber::set_default(subscriber);

    let service = layers(&config()).layer(backend(|n| {
        Box::pin(async move {
            Ok(if n == 0 {
                response(503, "req-1")
            } else {
                response(200, "req-2")
            })
        })
    }));
    let answer = service
        .oneshot(request(Method::GET, "/api/v1/users?limit=2"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);

    let state = capture.0.lock().unwrap();
    let calls: Vec<_> = state
        .spans
        .iter()
        .filter(|(name, _)| name == "okta.call")
        .collect();
    assert_eq!(calls.len(), 1);
    let call = &calls[0].1;
    assert_eq!(call["otel.name"], "okta.users.list");
    assert_eq!(call["okta.operation_id"], "listUsers");
    assert_eq!(call["http.request.method"], "GET");
    assert_eq!(call["url.full"], "/api/v1/users?limit=2");
    assert_eq!(call["http.response.status_code"], "200");
    assert_eq!(call["okta.request_id"], "req-2");
    assert_eq!(call["http.request.resend_count"], "1");
    let attempts: Vec<_> = state
        .spans
        .iter()
        .filter(|(name, _)| name == "okta.attempt")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["http.response.status_code"], "503");
    assert_eq!(attempts[0]["error.type"], "503");
    assert!(!attempts[0].contains_key("http.request.resend_count"));
    assert_eq!(attempts[1]["http.request.resend_count"], "1");
    assert_eq!(attempts[1]["okta.request_id"], "req-2");
    assert!(
        state.events.iter().any(|e| e
            .get("message")
            .is_some_and(|m| m.contains("okta retry: waiting"))),
        "the backoff is an event"
    );
    let text = String::from_utf8(text.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("okta.call") && text.contains("okta.attempt"),
        "{text}"
    );
    assert!(
        !text.contains("super-secret") && !text.to_lowercase().contains("authorization"),
        "{text}"
    );
    for (_, fields) in &state.spans {
        assert!(fields.values().all(|v| !v.contains("super-secret")));
    }
}

#[tokio::test(start_paused = true)]
async fn the_call_timeout_covers_rate_limit_waits() {
    let service = layers(&config()).layer(backend(|_| {
        Box::pin(async {
            Ok(Response::builder()
                .status(429)
                .header("x-rate-limit-limit", "600")
                .header("x-rate-limit-remaining", "0")
                .header("x-rate-limit-reset", "1000000059")
                .header(
                    "date",
                    httpdate::fmt_http_date(
                        std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000),
                    ),
                )
                .body(Full::new(Bytes::new()))
                .unwrap())
        })
    }));
    let start = Instant::now();
    let error = service
        .oneshot(request(Method::GET, "/api/v1/users"))
        .await
        .unwrap_err();
    assert!(matches!(
        Error::from_service(error),
        Error::Timeout {
            kind: TimeoutKind::Call
        }
    ));
    assert_eq!(Instant::now() - start, Duration::from_secs(120));
}

fn hang_then_answer(n: usize) -> BoxedAnswer {
    Box::pin(async move {
        if n == 0 {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Ok(response(200, "late"))
    })
}

#[tokio::test(start_paused = true)]
async fn an_attempt_timeout_is_retried_for_a_get_but_not_for_a_post() {
    let start = Instant::now();
    let service = layers(&config()).layer(backend(hang_then_answer));
    let answer = service
        .oneshot(request(Method::GET, "/api/v1/users/00u1"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let elapsed = Instant::now() - start;
    assert!(
        elapsed >= Duration::from_secs(30) && elapsed <= Duration::from_millis(30_100),
        "{elapsed:?}"
    );

    let service = layers(&config()).layer(backend(hang_then_answer));
    let error = service
        .oneshot(request(Method::POST, "/api/v1/users"))
        .await
        .unwrap_err();
    assert!(matches!(
        Error::from_service(error),
        Error::Timeout {
            kind: TimeoutKind::Attempt
        }
    ));
}
