//! The tower wrapper around [`RateLimiter`]: `RateLimitLayer` + `RateLimit<S>`.

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
use super::parse::{X_OKTA_REQUEST_ID, X_OKTA_RETRY_COUNT, X_OKTA_RETRY_FOR};
use super::{Bucket, Completion, Permit, RateLimitConfig, RateLimitEvent, RateLimiter, WaitReason};

/// Applies Okta's rate limits to a service: pacing before sending, waiting and re-sending after
/// a 429. See the [module docs](super).
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

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

pin_project! {
    /// The future of [`RateLimit`]: no allocation unless the request has to wait or is re-sent.
    pub struct ResponseFuture<F, S, B, RB> {
        #[pin]
        state: State<F, S, B, RB>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, S, B, RB> {
        Fast {
            #[pin]
            future: F,
            permit: Option<Permit>,
            resend: Option<(S, Request<B>)>,
        },
        Slow {
            future: BoxFuture<Result<Response<RB>, BoxError>>,
        },
    }
}

impl<S, B, RB> Service<Request<B>> for RateLimit<S>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: Clone + Send + 'static,
    RB: Send + 'static,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = ResponseFuture<S::Future, S, B, RB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let bucket = Bucket::classify(request.method(), request.uri().path());
        let state = match self.limiter.step(bucket, tokio::time::Instant::now()) {
            Step::Go(permit) => {
                let copy = (self.limiter.config().max_429_retries > 0).then(|| request.clone());
                let future = inner.call(request);
                State::Fast {
                    future,
                    permit: Some(permit),
                    resend: copy.map(|copy| (inner, copy)),
                }
            }
            step => State::Slow {
                future: Box::pin(resend_loop(
                    self.limiter.clone(),
                    inner,
                    request,
                    bucket,
                    Some(step),
                    None,
                    0,
                )),
            },
        };
        ResponseFuture { state }
    }
}

impl<F, S, B, RB, E> Future for ResponseFuture<F, S, B, RB>
where
    F: Future<Output = Result<Response<RB>, E>>,
    E: Into<BoxError>,
    S: Service<Request<B>, Response = Response<RB>> + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: Clone + Send + 'static,
    RB: Send + 'static,
{
    type Output = Result<Response<RB>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Fast {
                    future,
                    permit,
                    resend,
                } => {
                    let response = match ready!(future.poll(cx)) {
                        Ok(response) => response,
                        Err(error) => {
                            drop(permit.take());
                            return Poll::Ready(Err(error.into()));
                        }
                    };
                    let permit = permit.take().expect("polled after completion");
                    if response.status() != StatusCode::TOO_MANY_REQUESTS {
                        let _ = permit.complete(response.status(), response.headers(), 0);
                        return Poll::Ready(Ok(response));
                    }
                    let limiter = permit.limiter().clone();
                    let bucket = permit.bucket();
                    let Completion::RateLimited { wait, reason } =
                        permit.complete(response.status(), response.headers(), 0)
                    else {
                        return Poll::Ready(Ok(response));
                    };
                    let Some(pending) = on_429(&limiter, bucket, &response, 0, wait, reason) else {
                        return Poll::Ready(Ok(response));
                    };
                    let Some((service, request)) = resend.take() else {
                        return Poll::Ready(Ok(response));
                    };
                    let future = Box::pin(resend_loop(
                        limiter,
                        service,
                        request,
                        bucket,
                        None,
                        Some(pending),
                        0,
                    ));
                    state.set(State::Slow { future });
                }
                StateProj::Slow { future } => return future.as_mut().poll(cx),
            }
        }
    }
}

/// A 429 arrived: tells the observer, and returns what the re-send needs, or `None` when the
/// retries are used up.
fn on_429<RB>(
    limiter: &RateLimiter,
    bucket: Bucket,
    response: &Response<RB>,
    retries: u32,
    wait: Duration,
    reason: WaitReason,
) -> Option<Pending> {
    let will_retry = retries < limiter.config().max_429_retries;
    let concurrency = reason == WaitReason::ConcurrencyLimited;
    limiter.emit(|| RateLimitEvent::Got429 {
        bucket,
        concurrency,
        retries,
        will_retry,
    });
    if !will_retry {
        tracing::warn!(
            okta.rate_limit.bucket = bucket.as_str(),
            retries,
            "okta rate limit: 429 and no re-send left, returning it"
        );
        return None;
    }
    Some(Pending {
        wait,
        reason,
        request_id: response.headers().get(X_OKTA_REQUEST_ID).cloned(),
    })
}

struct Pending {
    wait: Duration,
    reason: WaitReason,
    request_id: Option<HeaderValue>,
}

/// The slow path: wait for a permit, send, and on a 429 wait and re-send with the retry headers.
async fn resend_loop<S, B, RB>(
    limiter: RateLimiter,
    mut service: S,
    request: Request<B>,
    bucket: Bucket,
    mut first: Option<Step>,
    mut pending: Option<Pending>,
    mut retries: u32,
) -> Result<Response<RB>, BoxError>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Into<BoxError>,
    B: Clone,
{
    let mut retry_for = None;
    loop {
        if let Some(Pending {
            wait,
            reason,
            request_id,
        }) = pending.take()
        {
            tracing::info!(
                okta.rate_limit.bucket = bucket.as_str(),
                okta.rate_limit.reason = reason.as_str(),
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                retry = retries + 1,
                "okta rate limit: 429, waiting before re-sending"
            );
            limiter.emit(|| RateLimitEvent::Waited {
                bucket,
                duration: wait,
                reason,
            });
            tokio::time::sleep(wait).await;
            retries += 1;
            retry_for = request_id;
        }
        let permit = limiter.acquire_from(bucket, first.take()).await;
        std::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .map_err(Into::into)?;
        let mut attempt = request.clone();
        if retries > 0 {
            let headers = attempt.headers_mut();
            headers.insert(X_OKTA_RETRY_COUNT, HeaderValue::from(retries));
            if let Some(id) = &retry_for {
                headers.insert(X_OKTA_RETRY_FOR, id.clone());
            }
        }
        let response = service.call(attempt).await.map_err(Into::into)?;
        match permit.complete(response.status(), response.headers(), retries) {
            Completion::Done => return Ok(response),
            Completion::RateLimited { wait, reason } => {
                match on_429(&limiter, bucket, &response, retries, wait, reason) {
                    Some(next) => pending = Some(next),
                    None => return Ok(response),
                }
            }
        }
    }
}
