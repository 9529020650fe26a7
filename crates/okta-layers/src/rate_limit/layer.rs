//! The tower wrapper around [`RateLimiter`]: `RateLimitLayer` + `RateLimit<S>`, and the
//! [`RateLimited`] extension it attaches to a 429.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::{HeaderValue, Request, Response, StatusCode};
use okta_users::BoxError;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::limiter::Step;
use super::{Bucket, Completion, Permit, RateLimitConfig, RateLimitEvent, RateLimiter, WaitReason};
use okta_users::headers::{X_OKTA_REQUEST_ID, X_OKTA_RETRY_COUNT};

/// Applies Okta's rate limits to a service: pacing before sending, and on a 429 blocking the
/// bucket and attaching [`RateLimited`] (the wait) to the response. It does not re-send: the
/// retry policy above it does. See the [module docs](super).
#[derive(Debug, Clone)]
pub struct RateLimitLayer {
    limiter: RateLimiter,
}

impl RateLimitLayer {
    /// A layer with its own [`RateLimiter`]; every service it makes shares it.
    pub fn new(config: RateLimitConfig) -> Self {
        RateLimitLayer {
            limiter: RateLimiter::new(config),
        }
    }

    /// A layer over an existing limiter (to share one limiter between stacks of the same org).
    pub fn from_limiter(limiter: RateLimiter) -> Self {
        RateLimitLayer { limiter }
    }

    /// The limiter, e.g. for [`RateLimiter::snapshot`].
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> RateLimit<S> {
        RateLimit {
            inner,
            limiter: self.limiter.clone(),
        }
    }
}

/// The service made by [`RateLimitLayer`]. `Clone`; clones share the limiter.
#[derive(Debug, Clone)]
pub struct RateLimit<S> {
    inner: S,
    limiter: RateLimiter,
}

impl<S> RateLimit<S> {
    /// The limiter.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

/// Attached by [`RateLimit`] to a 429 response the limiter classified as
/// [`Completion::RateLimited`]: how long to wait before re-sending, as the limiter decided
/// (jitter included). The layer itself does not re-send: [`RetryPolicy`](crate::retry::RetryPolicy),
/// above it, waits `wait` and re-sends with `X-Okta-Retry-Count` / `X-Okta-Retry-For`, at most
/// `max_resends` times per call. A caller using the layer alone may do the same.
#[derive(Clone)]
pub struct RateLimited {
    /// How long to wait before re-sending (the window's reset or the concurrency backoff, plus
    /// the jitter).
    pub wait: Duration,
    /// Why: [`WaitReason::RateLimited`] or [`WaitReason::ConcurrencyLimited`].
    pub reason: WaitReason,
    /// The bucket of the request.
    pub bucket: Bucket,
    /// The 429's `X-Okta-Request-Id`, for the re-send's `X-Okta-Retry-For`.
    pub request_id: Option<HeaderValue>,
    /// The limiter's `max_429_retries`: how many re-sends a call may make after 429s.
    pub max_resends: u32,
    limiter: RateLimiter,
}

impl RateLimited {
    /// The limiter that classified the 429.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }
}

impl std::fmt::Debug for RateLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimited")
            .field("wait", &self.wait)
            .field("reason", &self.reason)
            .field("bucket", &self.bucket)
            .field("request_id", &self.request_id)
            .field("max_resends", &self.max_resends)
            .finish_non_exhaustive()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

pin_project! {
    /// The future of [`RateLimit`]: no allocation unless the request has to wait for a permit.
    pub struct ResponseFuture<F, RB> {
        #[pin]
        state: State<F, RB>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, RB> {
        Fast {
            #[pin]
            future: F,
            permit: Option<Permit>,
            retries: u32,
        },
        Slow {
            future: BoxFuture<Result<Response<RB>, BoxError>>,
        },
    }
}

/// How many times the request has already been re-sent for a 429 (its `X-Okta-Retry-Count`).
/// A request has a handful of headers: walking them is cheaper than hashing the custom name for
/// a lookup (this runs on every call, and the header is absent from first sends).
fn retries_of<B>(request: &Request<B>) -> u32 {
    request
        .headers()
        .iter()
        .find_map(|(name, value)| (name == X_OKTA_RETRY_COUNT).then_some(value))
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

impl<S, B, RB> Service<Request<B>> for RateLimit<S>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: Send + 'static,
    RB: Send + 'static,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = ResponseFuture<S::Future, RB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let bucket = Bucket::classify(request.method(), request.uri().path());
        let retries = retries_of(&request);
        let state = match self.limiter.step(bucket, tokio::time::Instant::now()) {
            Step::Go(permit) => State::Fast {
                future: self.inner.call(request),
                permit: Some(permit),
                retries,
            },
            step => {
                // The ready service goes with the request; a clone stays behind.
                let clone = self.inner.clone();
                let inner = std::mem::replace(&mut self.inner, clone);
                State::Slow {
                    future: Box::pin(wait_then_send(
                        self.limiter.clone(),
                        inner,
                        request,
                        bucket,
                        step,
                        retries,
                    )),
                }
            }
        };
        ResponseFuture { state }
    }
}

impl<F, RB, E> Future for ResponseFuture<F, RB>
where
    F: Future<Output = Result<Response<RB>, E>>,
    E: Into<BoxError>,
{
    type Output = Result<Response<RB>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Fast {
                future,
                permit,
                retries,
            } => {
                let result = ready!(future.poll(cx));
                let permit = permit.take().expect("polled after completion");
                match result {
                    Ok(response) => Poll::Ready(Ok(complete(permit, response, *retries))),
                    Err(error) => {
                        drop(permit);
                        Poll::Ready(Err(error.into()))
                    }
                }
            }
            StateProj::Slow { future } => future.as_mut().poll(cx),
        }
    }
}

/// Completes the permit with the response; on a 429 the limiter classifies, tells the
/// observer and attaches [`RateLimited`].
fn complete<RB>(permit: Permit, mut response: Response<RB>, retries: u32) -> Response<RB> {
    if response.status() != StatusCode::TOO_MANY_REQUESTS {
        let _ = permit.complete(response.status(), response.headers(), retries);
        return response;
    }
    let limiter = permit.limiter().clone();
    let bucket = permit.bucket();
    let Completion::RateLimited { wait, reason } =
        permit.complete(response.status(), response.headers(), retries)
    else {
        return response;
    };
    let max_resends = limiter.config().max_429_retries;
    let will_retry = retries < max_resends;
    limiter.emit(|| RateLimitEvent::Got429 {
        bucket,
        concurrency: reason == WaitReason::ConcurrencyLimited,
        retries,
        will_retry,
    });
    if !will_retry {
        tracing::warn!(
            okta.rate_limit.bucket = bucket.as_str(),
            retries,
            "okta rate limit: 429 and no re-send left, returning it"
        );
    }
    let request_id = response.headers().get(X_OKTA_REQUEST_ID).cloned();
    response.extensions_mut().insert(RateLimited {
        wait,
        reason,
        bucket,
        request_id,
        max_resends,
        limiter,
    });
    response
}

/// The slow path: wait for a permit, then send.
async fn wait_then_send<S, B, RB>(
    limiter: RateLimiter,
    mut service: S,
    request: Request<B>,
    bucket: Bucket,
    first: Step,
    retries: u32,
) -> Result<Response<RB>, BoxError>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Into<BoxError>,
{
    let permit = limiter.acquire_from(bucket, Some(first)).await;
    std::future::poll_fn(|cx| service.poll_ready(cx))
        .await
        .map_err(Into::into)?;
    let response = service.call(request).await.map_err(Into::into)?;
    Ok(complete(permit, response, retries))
}
