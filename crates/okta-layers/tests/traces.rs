//! What the default stack traces: span fields, events, and no secret in any of them, even when
//! the server reflects one. A test binary of its own, its tests one at a time: `tracing`'s
//! interest cache is global, and a test running meanwhile without a subscriber could switch
//! off the callsites this one captures.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use okta_layers::{Credentials, OrgUrl, StackConfig, StackLayer};
use okta_users::{BoxError, Operation};
use tower::{Layer, Service, ServiceExt};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// Held by each test: one capture at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const TOKEN: &str = "00super-secret-api-token";

fn stack() -> StackLayer {
    let org = OrgUrl::from_uri(&http::Uri::from_static("https://dev-123.okta.com")).unwrap();
    StackLayer::new(&config(), org, &Credentials::api_token(TOKEN)).unwrap()
}

fn request(method: Method, path: &str) -> Request<Full<Bytes>> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
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

/// Installs a TRACE subscriber feeding both captures, for the current thread.
fn capture() -> (Capture, Text, tracing::subscriber::DefaultGuard) {
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
    let guard = tracing::subscriber::set_default(subscriber);
    (capture, text, guard)
}

impl Text {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test(start_paused = true)]
async fn spans_carry_the_operation_and_http_fields_and_never_the_secret() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (capture, text, _guard) = capture();

    let service = stack().layer(backend(|n| {
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
    assert_eq!(
        call["url.full"],
        "https://dev-123.okta.com/api/v1/users?limit=2"
    );
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
    let text = text.text();
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
async fn a_token_reflected_in_the_request_id_reaches_no_span_or_event() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (capture, text, _guard) = capture();
    // A broken proxy echoing the Authorization header as the request id, with a 503 (retried).
    let echo = tower::service_fn(|request: Request<Full<Bytes>>| {
        let authorization = request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_owned();
        async move {
            Ok::<_, BoxError>(
                Response::builder()
                    .status(503)
                    .header("x-okta-request-id", format!("echo {authorization}"))
                    .body(Full::new(Bytes::from(authorization)))
                    .unwrap(),
            )
        }
    });
    let answer = stack()
        .layer(echo)
        .oneshot(request(Method::GET, "/api/v1/users"))
        .await
        .unwrap();
    assert_eq!(
        answer.headers()["x-okta-request-id"],
        "echo SSWS <redacted>"
    );
    let state = capture.0.lock().unwrap();
    let call = &state
        .spans
        .iter()
        .find(|(name, _)| name == "okta.call")
        .unwrap()
        .1;
    assert_eq!(call["okta.request_id"], "echo SSWS <redacted>");
    let text = text.text();
    assert!(text.contains("okta.attempt"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    for (_, fields) in &state.spans {
        assert!(fields.values().all(|v| !v.contains(TOKEN)));
    }
    for fields in &state.events {
        assert!(fields.values().all(|v| !v.contains(TOKEN)));
    }
}

const RSA: &str = include_str!("../../okta-mock/tests/keys/rsa_private.pem");

#[tokio::test(start_paused = true)]
async fn a_client_assertion_reflected_by_the_token_endpoint_reaches_no_error_or_event() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (capture, text, _guard) = capture();
    let assertions = Arc::new(Mutex::new(Vec::<String>::new()));
    let sent = assertions.clone();
    // A token endpoint echoing the assertion in its OAuth error and request id.
    let endpoint = tower::service_fn(move |request: Request<Full<Bytes>>| {
        let sent = sent.clone();
        async move {
            let body = http_body_util::BodyExt::collect(request.into_body())
                .await
                .unwrap()
                .to_bytes();
            let assertion = form_urlencoded::parse(&body)
                .find(|(name, _)| name == "client_assertion")
                .unwrap()
                .1
                .into_owned();
            sent.lock().unwrap().push(assertion.clone());
            Ok::<_, BoxError>(
                Response::builder()
                    .status(400)
                    .header("x-okta-request-id", format!("req {assertion}"))
                    .body(Full::new(Bytes::from(format!(
                        r#"{{"error":"invalid_client","error_description":"not {assertion}"}}"#
                    ))))
                    .unwrap(),
            )
        }
    });
    let org = OrgUrl::from_uri(&http::Uri::from_static("https://dev-123.okta.com")).unwrap();
    let key = okta_layers::auth::PrivateKey::from_pem(RSA).unwrap();
    let credentials = Credentials::private_key("0oa-app", key, ["okta.users.read"]);
    let error = StackLayer::new(&config(), org, &credentials)
        .unwrap()
        .layer(endpoint)
        .oneshot(request(Method::GET, "/api/v1/users"))
        .await
        .unwrap_err();
    let error = okta_users::Error::from_service(error);
    assert!(matches!(error, okta_users::Error::Auth(_)), "{error:?}");
    let text = text.text();
    assert!(text.contains("access token request failed"), "{text}");
    let assertions = assertions.lock().unwrap();
    assert_eq!(assertions.len(), 1, "an auth error is not retried");
    for shown in [format!("{error}"), format!("{error:?}"), text] {
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(!shown.contains(&assertions[0]), "{shown}");
        // Not even its signature.
        assert!(
            !shown.contains(assertions[0].rsplit('.').next().unwrap()),
            "{shown}"
        );
    }
    for fields in &capture.0.lock().unwrap().events {
        assert!(fields.values().all(|v| !v.contains(&assertions[0])));
    }
}
