//! The retry service: [`RetryLayer`] + [`Retry`], running [`RetryPolicy`].
//!
//! Not `tower::retry::Retry`, which clones the whole inner service and the policy into every
//! call's future. Here a call copies its request (a re-send needs it) and one `Arc`; the inner
//! service is cloned from that `Arc` only when a re-send happens, and the backoff timer is
//! boxed, so the future that every layer above moves stays small.
//!
//! A re-send keeps its one clone from `poll_ready` to `call`, as tower's `retry/future.rs` does:
//! a clone that is not ready may hold a waiter (a `ConcurrencyLimit` permit being acquired, a
//! `Buffer` slot), and dropping it would drop the wake-up with it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::{Request, Response};
use okta_users::BoxError;
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower_layer::Layer;
use tower_service::Service;

use super::policy::Counts;
use super::{RetryConfig, RetryPolicy};

/// Wraps a service in [`Retry`] with a [`RetryPolicy`]; every service it makes shares the
/// policy's budget.
#[derive(Debug, Clone)]
pub struct RetryLayer {
    policy: RetryPolicy,
}

impl RetryLayer {
    /// A layer with its own policy (and budget) from `config`.
    pub fn new(config: RetryConfig) -> Self {
        RetryLayer::from_policy(RetryPolicy::new(config))
    }

    /// A layer applying an existing `policy` (to share its budget between stacks).
    pub fn from_policy(policy: RetryPolicy) -> Self {
        RetryLayer { policy }
    }

    /// The policy (for its budget).
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }
}

impl<S: Clone> Layer<S> for RetryLayer {
    type Service = Retry<S>;

    fn layer(&self, inner: S) -> Retry<S> {
        Retry::new(self.policy.clone(), inner)
    }
}

/// Sends each request through the inner service and re-sends it as [`RetryPolicy`] decides
/// (see the [module docs](super) for the rules).
#[derive(Debug)]
pub struct Retry<S> {
    inner: S,
    spare: Arc<Spare<S>>,
}

/// What re-sends use: the policy, and a service to clone.
#[derive(Debug)]
struct Spare<S> {
    policy: RetryPolicy,
    service: S,
}

impl<S: Clone> Retry<S> {
    /// `inner` with `policy`.
    pub fn new(policy: RetryPolicy, inner: S) -> Self {
        Retry {
            spare: Arc::new(Spare {
                policy,
                service: inner.clone(),
            }),
            inner,
        }
    }
}

impl<S> Retry<S> {
    /// The policy (for its budget).
    pub fn policy(&self) -> &RetryPolicy {
        &self.spare.policy
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: Clone> Clone for Retry<S> {
    fn clone(&self) -> Self {
        Retry {
            inner: self.inner.clone(),
            spare: self.spare.clone(),
        }
    }
}

impl<S, B, RB> Service<Request<B>> for Retry<S>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone,
    S::Error: Into<BoxError>,
    B: Clone,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = RetryFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<B>) -> RetryFuture<S, B> {
        let copy = request.clone();
        RetryFuture {
            state: State::Called {
                future: self.inner.call(request),
            },
            request: Some(copy),
            counts: Counts::default(),
            spare: self.spare.clone(),
        }
    }
}

pin_project! {
    /// The future of [`Retry`].
    pub struct RetryFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S::Future, S>,
        // The copy the next re-send takes.
        request: Option<Request<B>>,
        counts: Counts,
        spare: Arc<Spare<S>>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, S> {
        Called { #[pin] future: F },
        Waiting { sleep: Pin<Box<Sleep>> },
        // The clone that is polled until ready and then called: never replaced meanwhile.
        Resending { service: S },
    }
}

impl<S, B> std::fmt::Debug for RetryFuture<S, B>
where
    S: Service<Request<B>>,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryFuture")
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

impl<S, B, RB> Future for RetryFuture<S, B>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone,
    S::Error: Into<BoxError>,
    B: Clone,
{
    type Output = Result<Response<RB>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Called { future } => {
                    let result = ready!(future.poll(cx)).map_err(Into::into);
                    let Some(request) = this.request.as_mut() else {
                        return Poll::Ready(result);
                    };
                    match this.spare.policy.judge(this.counts, request, &result) {
                        Some(wait) => this.state.set(State::Waiting {
                            sleep: Box::pin(tokio::time::sleep(wait)),
                        }),
                        None => return Poll::Ready(result),
                    }
                }
                StateProj::Waiting { sleep } => {
                    ready!(sleep.as_mut().poll(cx));
                    this.state.set(State::Resending {
                        service: this.spare.service.clone(),
                    });
                }
                StateProj::Resending { service } => {
                    ready!(service.poll_ready(cx)).map_err(Into::into)?;
                    let request = this
                        .request
                        .take()
                        .expect("a copy is kept for each re-send");
                    *this.request = Some(request.clone());
                    let future = service.call(request);
                    this.state.set(State::Called { future });
                }
            }
        }
    }
}
