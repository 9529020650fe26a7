//! Tracing: one span per call ([`TraceLayer`], near the top) and one per attempt
//! ([`AttemptTraceLayer`], inside the retry layer), by OpenTelemetry's semantic conventions
//! for HTTP clients; with the `metrics` feature, the same two places feed
//! the `metrics` module.
//!
//! # Spans
//! `tracing` span names are static, so the spans are named `okta.call` and `okta.attempt`;
//! `otel.name` holds the name OpenTelemetry exporters (tracing-opentelemetry) give the span:
//! the operation's name for a call (`okta.users.list`, from the [`Operation`] in the
//! request's extensions), `{method} {url.template}` for an attempt (each attempt is one HTTP
//! request, OpenTelemetry's HTTP client span; the call is the logical operation around its
//! retries).
//!
//! | field | `okta.call` (info) | `okta.attempt` (debug) |
//! | --- | --- | --- |
//! | `otel.name` | the operation's name | e.g. `GET /api/v1/users/{userId}` |
//! | `otel.kind` | `client` | `client` |
//! | `otel.status_code` | `ERROR` on a status ≥ 400 or an error; unset otherwise | ✓ |
//! | `okta.operation_id` | e.g. `listUsers` | |
//! | `http.request.method` | ✓ | ✓ |
//! | `server.address`, `server.port` | the org's host and port (443 / 80 by scheme when the URL has none) | ✓ |
//! | `url.template` | the operation's path template, e.g. `/api/v1/users/{userId}` | ✓ |
//! | `url.full` | the URL, personal data cut out (below) | ✓ |
//! | `http.request.resend_count` | re-sends in all (retries and 429s), when any | this attempt's ordinal, when a re-send |
//! | `http.response.status_code` | ✓ | ✓ |
//! | `okta.request_id` | `X-Okta-Request-Id` of the response | ✓ |
//! | `error.type` | the error's kind, or the status when ≥ 400 | ✓ |
//!
//! # Personal data in `url.full`
//! `url.full` never holds user info. By default it holds no user id or login either: each
//! path segment filling a template variable that names a user (`{userId}`,
//! `{associatedUserId}`, `{primaryUserId}`) reads `REDACTED` (OpenTelemetry's placeholder),
//! and so does the value of every query parameter not known to be harmless — `q`, `filter`,
//! `search` (logins, names, addresses) and `after` (a user id, for users) among them, while
//! `limit`, `expand`, `sortBy`, the flags … stay. A request without a known operation is
//! matched to Okta's endpoints by method and path; matching none, it keeps only
//! `/api/v1/<resource>`. [`TraceLayer::record_url_pii`] (`StackConfig::record_url_pii`,
//! `ClientBuilder::record_url_pii`) records the URL whole instead.
//!
//! In the
//! default [stack](crate::stack), `BaseUri` sets the org's origin above these layers, so
//! `url.full` is absolute; without it, it is the origin form (`/api/v1/users?limit=200`) and
//! `server.*` are left out. **No header is ever recorded**, so neither is `Authorization`;
//! `okta.request_id` comes from a response whose headers auth has already cut of any secret
//! reflected into them. Every wait (rate limit, retry backoff) is an event inside these spans.
//! When no subscriber wants the spans (and metrics are off), nothing is formatted, looked up
//! or allocated.

mod url;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, ready};

use http::{Request, Response};
use okta_users::headers::request_id;
use okta_users::{BoxError, Error, Operation, TimeoutKind};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;
use tracing::Span;
use tracing::field::Empty;

pub(crate) use url::server;
use url::{FullUrl, endpoint_of};

/// Whether metrics are compiled in (then every call is looked at, span or not).
const METRICS: bool = cfg!(feature = "metrics");

/// Counts the attempts of one call; put in the request's extensions by [`Trace`] (when its
/// span is enabled, or metrics are on), incremented by [`AttemptTrace`].
#[derive(Debug, Clone)]
struct Attempts(Arc<AtomicU32>);

/// Adds the call span (`okta.call`). Outermost in the stack but for the request's shaping
/// (default headers, base URI).
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceLayer {
    record_url_pii: bool,
}

impl TraceLayer {
    /// The layer, cutting personal data out of `url.full`.
    pub fn new() -> Self {
        TraceLayer::default()
    }

    /// Whether `url.full` keeps user ids, logins and search terms (default: `false`).
    #[must_use]
    pub fn record_url_pii(mut self, record: bool) -> Self {
        self.record_url_pii = record;
        self
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;

    fn layer(&self, inner: S) -> Trace<S> {
        Trace {
            inner,
            record_url_pii: self.record_url_pii,
        }
    }
}

/// The service made by [`TraceLayer`].
#[derive(Debug, Clone)]
pub struct Trace<S> {
    inner: S,
    record_url_pii: bool,
}

/// Adds one span per attempt (`okta.attempt`). Place it inside the retry layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct AttemptTraceLayer {
    record_url_pii: bool,
}

impl AttemptTraceLayer {
    /// The layer, cutting personal data out of `url.full`.
    pub fn new() -> Self {
        AttemptTraceLayer::default()
    }

    /// Whether `url.full` keeps user ids, logins and search terms (default: `false`).
    #[must_use]
    pub fn record_url_pii(mut self, record: bool) -> Self {
        self.record_url_pii = record;
        self
    }
}

impl<S> Layer<S> for AttemptTraceLayer {
    type Service = AttemptTrace<S>;

    fn layer(&self, inner: S) -> AttemptTrace<S> {
        AttemptTrace {
            inner,
            record_url_pii: self.record_url_pii,
        }
    }
}

/// The service made by [`AttemptTraceLayer`].
#[derive(Debug, Clone)]
pub struct AttemptTrace<S> {
    inner: S,
    record_url_pii: bool,
}

/// `error.type` of an error: its kind.
pub(crate) fn error_type(error: &BoxError) -> &'static str {
    match error.downcast_ref::<Error>() {
        Some(Error::Timeout {
            kind: TimeoutKind::Attempt,
        }) => "timeout.attempt",
        Some(Error::Timeout {
            kind: TimeoutKind::Call,
        }) => "timeout.call",
        Some(Error::Timeout {
            kind: TimeoutKind::Connect,
        }) => "timeout.connect",
        Some(Error::Timeout { .. }) => "timeout",
        Some(Error::Transport { .. }) => "transport",
        Some(Error::BodyTooLarge { .. }) => "body_too_large",
        Some(Error::Auth(_)) => "auth",
        Some(Error::Refused(_)) => "refused",
        Some(Error::MalformedResponse { .. }) => "malformed_response",
        _ => "_OTHER",
    }
}

/// `{method} {url.template}`, OpenTelemetry's name for an HTTP client span (`{method}` alone
/// without a template).
struct SpanName<'a>(&'a str, Option<&'static str>);

impl std::fmt::Display for SpanName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.1 {
            Some(template) => write!(f, "{} {template}", self.0),
            None => f.write_str(self.0),
        }
    }
}

/// Records the request's server, template and URL on `span` (declared `Empty`).
fn record_request<B>(
    span: &Span,
    request: &Request<B>,
    template: Option<&'static str>,
    keep_pii: bool,
) {
    if let Some((host, port)) = server(request.uri()) {
        span.record("server.address", host);
        span.record("server.port", port);
    }
    if let Some(template) = template {
        span.record("url.template", template);
    }
    span.record(
        "url.full",
        tracing::field::display(FullUrl {
            uri: request.uri(),
            template,
            keep_pii,
        }),
    );
}

impl<S, B, RB> Service<Request<B>> for Trace<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Into<BoxError>,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = TraceFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let operation = request.extensions().get::<Operation>().copied();
        let span = tracing::info_span!(
            "okta.call",
            otel.name = operation.map_or("okta.call", |op| op.name),
            otel.kind = "client",
            otel.status_code = Empty,
            okta.operation_id = operation.map(|op| op.operation_id),
            http.request.method = request.method().as_str(),
            server.address = Empty,
            server.port = Empty,
            url.template = Empty,
            url.full = Empty,
            http.request.resend_count = Empty,
            http.response.status_code = Empty,
            okta.request_id = Empty,
            error.type = Empty,
        );
        let attempts = if span.is_disabled() && !METRICS {
            None
        } else {
            if !span.is_disabled() {
                let endpoint =
                    endpoint_of(operation.as_ref(), request.method(), request.uri().path());
                record_request(
                    &span,
                    &request,
                    endpoint.map(|e| e.path),
                    self.record_url_pii,
                );
            }
            let attempts = Arc::new(AtomicU32::new(0));
            request.extensions_mut().insert(Attempts(attempts.clone()));
            Some(attempts)
        };
        let timing = measure::call(operation.as_ref(), &request);
        let inner = {
            let _entered = span.enter();
            self.inner.call(request)
        };
        TraceFuture {
            inner,
            span,
            attempts,
            timing,
        }
    }
}

impl<S, B, RB> Service<Request<B>> for AttemptTrace<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Into<BoxError>,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = TraceFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let resends = request
            .extensions()
            .get::<Attempts>()
            .map(|Attempts(n)| n.fetch_add(1, Ordering::Relaxed));
        let span = tracing::debug_span!(
            "okta.attempt",
            otel.name = Empty,
            otel.kind = "client",
            otel.status_code = Empty,
            http.request.method = request.method().as_str(),
            server.address = Empty,
            server.port = Empty,
            url.template = Empty,
            url.full = Empty,
            http.request.resend_count = resends.filter(|n| *n > 0),
            http.response.status_code = Empty,
            okta.request_id = Empty,
            error.type = Empty,
        );
        // Looked up only when a span or the metrics will use them.
        let (operation, template) = if span.is_disabled() && !METRICS {
            (None, None)
        } else {
            let operation = request.extensions().get::<Operation>().copied();
            let endpoint = endpoint_of(operation.as_ref(), request.method(), request.uri().path());
            (operation, endpoint.map(|e| e.path))
        };
        if !span.is_disabled() {
            span.record(
                "otel.name",
                tracing::field::display(SpanName(request.method().as_str(), template)),
            );
            record_request(&span, &request, template, self.record_url_pii);
        }
        let timing = measure::attempt(operation.as_ref(), &request, template, resends);
        let inner = {
            let _entered = span.enter();
            self.inner.call(request)
        };
        TraceFuture {
            inner,
            span,
            attempts: None,
            timing,
        }
    }
}

pin_project! {
    /// The future of [`Trace`] and [`AttemptTrace`]: the inner future, polled inside the span,
    /// which is completed with the response's fields.
    pub struct TraceFuture<F> {
        #[pin]
        inner: F,
        span: Span,
        attempts: Option<Arc<AtomicU32>>,
        timing: measure::Slot,
    }
}

impl<F, RB, E> Future for TraceFuture<F>
where
    F: Future<Output = Result<Response<RB>, E>>,
    E: Into<BoxError>,
{
    type Output = Result<Response<RB>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let result = ready!(this.inner.poll(cx)).map_err(Into::into);
        measure::finish(this.timing, &result);
        let span = &*this.span;
        if !span.is_disabled() {
            if let Some(attempts) = this.attempts {
                let resends = attempts.load(Ordering::Relaxed).saturating_sub(1);
                if resends > 0 {
                    span.record("http.request.resend_count", resends);
                }
            }
            match &result {
                Ok(response) => {
                    let status = response.status();
                    span.record("http.response.status_code", status.as_u16());
                    if let Some(id) = request_id(response.headers()) {
                        span.record("okta.request_id", id);
                    }
                    if status.as_u16() >= 400 {
                        span.record("error.type", status.as_str());
                        span.record("otel.status_code", "ERROR");
                    }
                }
                Err(error) => {
                    span.record("error.type", error_type(error));
                    span.record("otel.status_code", "ERROR");
                    tracing::debug!(error = %error, "okta: failed");
                }
            }
        }
        Poll::Ready(result)
    }
}

/// The metrics of a call or attempt (`metrics` feature), or nothing.
#[cfg(feature = "metrics")]
mod measure {
    use http::{Request, Response};
    use okta_users::{BoxError, Operation};

    use crate::metrics::{Scope, Timing};

    pub(super) type Slot = Option<Timing>;

    pub(super) fn call<B>(operation: Option<&Operation>, request: &Request<B>) -> Slot {
        Some(Timing::start(
            Scope::Call,
            operation,
            request.method(),
            request.uri(),
            None,
        ))
    }

    pub(super) fn attempt<B>(
        operation: Option<&Operation>,
        request: &Request<B>,
        template: Option<&'static str>,
        resends: Option<u32>,
    ) -> Slot {
        if resends.is_some_and(|n| n > 0) {
            Timing::count_retry(operation);
        }
        Some(Timing::start(
            Scope::Attempt,
            operation,
            request.method(),
            request.uri(),
            template,
        ))
    }

    pub(super) fn finish<RB>(slot: &mut Slot, result: &Result<Response<RB>, BoxError>) {
        if let Some(timing) = slot.take() {
            timing.finish(result);
        }
    }
}

/// The metrics of a call or attempt (`metrics` feature), or nothing.
#[cfg(not(feature = "metrics"))]
mod measure {
    use http::{Request, Response};
    use okta_users::{BoxError, Operation};

    /// Nothing to record.
    pub(super) struct Slot;

    pub(super) fn call<B>(_: Option<&Operation>, _: &Request<B>) -> Slot {
        Slot
    }

    pub(super) fn attempt<B>(
        _: Option<&Operation>,
        _: &Request<B>,
        _: Option<&'static str>,
        _: Option<u32>,
    ) -> Slot {
        Slot
    }

    pub(super) fn finish<RB>(_: &mut Slot, _: &Result<Response<RB>, BoxError>) {}
}
