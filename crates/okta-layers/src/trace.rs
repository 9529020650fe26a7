//! Tracing: one span per call ([`TraceLayer`], near the top) and one per attempt
//! ([`AttemptTraceLayer`], inside the retry layer), with OpenTelemetry's HTTP client fields.
//!
//! # Spans
//! `tracing` span names are static, so the spans are named `okta.call` and `okta.attempt`;
//! the operation's name (`okta.users.list`, from the [`Operation`] in the request's
//! extensions) goes in `otel.name`, which OpenTelemetry exporters (tracing-opentelemetry) use
//! as the span's name.
//!
//! | field | `okta.call` (info) | `okta.attempt` (debug) |
//! | --- | --- | --- |
//! | `otel.name` | the operation's name | the method, e.g. `GET` |
//! | `otel.kind` | `client` | `client` |
//! | `okta.operation_id` | e.g. `listUsers` | |
//! | `http.request.method` | ✓ | ✓ |
//! | `url.full` | ✓ | ✓ |
//! | `http.request.resend_count` | re-sends in all (retries and 429s), when any | this attempt's ordinal, when a re-send |
//! | `http.response.status_code` | ✓ | ✓ |
//! | `okta.request_id` | `X-Okta-Request-Id` of the response | ✓ |
//! | `error.type` | the error's kind, or the status when ≥ 400 | ✓ |
//!
//! `url.full` is the request's URI without any user info (in the default
//! [stack](crate::stack), `BaseUri` sets the org's origin above these layers, so it is the full
//! URL; without it, the origin form `/api/v1/users?limit=200`): path and query, which carry no
//! secrets for the Users API. **No header is ever recorded**, so neither is `Authorization`;
//! `okta.request_id` comes from a response whose headers auth has already cut of any secret
//! reflected into them. Every wait (rate limit, retry backoff) is an event inside these spans.
//! When no subscriber wants the spans, nothing is formatted and nothing allocated.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, ready};

use http::{Request, Response, Uri};
use okta_users::{BoxError, Error, Operation, TimeoutKind};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;
use tracing::Span;
use tracing::field::Empty;

use okta_users::headers::X_OKTA_REQUEST_ID;

/// Counts the attempts of one call; put in the request's extensions by [`Trace`] (when its
/// span is enabled), incremented by [`AttemptTrace`].
#[derive(Debug, Clone)]
struct Attempts(Arc<AtomicU32>);

/// Adds the call span (`okta.call`). Outermost in the stack but for the request's shaping
/// (default headers, base URI).
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceLayer;

impl TraceLayer {
    /// The layer.
    pub fn new() -> Self {
        TraceLayer
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;

    fn layer(&self, inner: S) -> Trace<S> {
        Trace { inner }
    }
}

/// The service made by [`TraceLayer`].
#[derive(Debug, Clone)]
pub struct Trace<S> {
    inner: S,
}

/// Adds one span per attempt (`okta.attempt`). Place it inside the retry layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct AttemptTraceLayer;

impl AttemptTraceLayer {
    /// The layer.
    pub fn new() -> Self {
        AttemptTraceLayer
    }
}

impl<S> Layer<S> for AttemptTraceLayer {
    type Service = AttemptTrace<S>;

    fn layer(&self, inner: S) -> AttemptTrace<S> {
        AttemptTrace { inner }
    }
}

/// The service made by [`AttemptTraceLayer`].
#[derive(Debug, Clone)]
pub struct AttemptTrace<S> {
    inner: S,
}

/// The URI without user info.
struct SafeUrl<'a>(&'a Uri);

impl std::fmt::Display for SafeUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let (Some(scheme), Some(host)) = (self.0.scheme_str(), self.0.host()) {
            write!(f, "{scheme}://{host}")?;
            if let Some(port) = self.0.port_u16() {
                write!(f, ":{port}")?;
            }
        }
        f.write_str(self.0.path_and_query().map_or("/", |pq| pq.as_str()))
    }
}

fn error_type(error: &BoxError) -> &'static str {
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
            okta.operation_id = operation.map(|op| op.operation_id),
            http.request.method = request.method().as_str(),
            url.full = %SafeUrl(request.uri()),
            http.request.resend_count = Empty,
            http.response.status_code = Empty,
            okta.request_id = Empty,
            error.type = Empty,
        );
        let attempts = if span.is_disabled() {
            None
        } else {
            let attempts = Arc::new(AtomicU32::new(0));
            request.extensions_mut().insert(Attempts(attempts.clone()));
            Some(attempts)
        };
        let inner = {
            let _entered = span.enter();
            self.inner.call(request)
        };
        TraceFuture {
            inner,
            span,
            attempts,
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
            otel.name = request.method().as_str(),
            otel.kind = "client",
            http.request.method = request.method().as_str(),
            url.full = %SafeUrl(request.uri()),
            http.request.resend_count = resends.filter(|n| *n > 0),
            http.response.status_code = Empty,
            okta.request_id = Empty,
            error.type = Empty,
        );
        let inner = {
            let _entered = span.enter();
            self.inner.call(request)
        };
        TraceFuture {
            inner,
            span,
            attempts: None,
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
                    if let Some(id) = response
                        .headers()
                        .get(X_OKTA_REQUEST_ID)
                        .and_then(|id| id.to_str().ok())
                    {
                        span.record("okta.request_id", id);
                    }
                    if status.as_u16() >= 400 {
                        span.record("error.type", status.as_str());
                    }
                }
                Err(error) => {
                    span.record("error.type", error_type(error));
                    tracing::debug!(error = %error, "okta: failed");
                }
            }
        }
        Poll::Ready(result)
    }
}
