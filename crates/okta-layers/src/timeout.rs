//! Timeouts that fail with `okta_users::Error::Timeout { kind }`: one per attempt (inside the
//! retry layer, so that a retry can follow) and one for the whole call (outside the retry and
//! rate-limit layers, covering their waits).
//!
//! Not tower-http's `TimeoutLayer`, which is for servers (it answers 408 itself). The clock
//! starts when the inner future is first pending (in practice the first poll, right after
//! `call`), so a call answered at once costs neither a clock read nor a timer.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use okta_users::{BoxError, Error, TimeoutKind};
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tower_layer::Layer;
use tower_service::Service;

/// Fails a call that takes longer than a duration with `Error::Timeout { kind }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutLayer {
    duration: Option<Duration>,
    kind: TimeoutKind,
}

impl TimeoutLayer {
    /// A timeout of `duration` (`None`: no timeout), failing with `kind`.
    pub fn new(duration: Option<Duration>, kind: TimeoutKind) -> Self {
        TimeoutLayer { duration, kind }
    }

    /// A per-attempt timeout ([`TimeoutKind::Attempt`]): place it inside the retry layer.
    pub fn attempt(duration: Duration) -> Self {
        TimeoutLayer::new(Some(duration), TimeoutKind::Attempt)
    }

    /// A whole-call timeout ([`TimeoutKind::Call`]): place it outside the retry and rate-limit
    /// layers.
    pub fn call(duration: Duration) -> Self {
        TimeoutLayer::new(Some(duration), TimeoutKind::Call)
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;

    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout {
            inner,
            duration: self.duration,
            kind: self.kind,
        }
    }
}

/// The service made by [`TimeoutLayer`].
#[derive(Debug, Clone)]
pub struct Timeout<S> {
    inner: S,
    duration: Option<Duration>,
    kind: TimeoutKind,
}

impl<S, R> Service<R> for Timeout<S>
where
    S: Service<R>,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = TimeoutFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: R) -> Self::Future {
        TimeoutFuture {
            inner: self.inner.call(request),
            sleep: None,
            duration: self.duration,
            kind: self.kind,
        }
    }
}

pin_project! {
    /// The future of [`Timeout`].
    pub struct TimeoutFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: Option<Sleep>,
        duration: Option<Duration>,
        kind: TimeoutKind,
    }
}

impl<F, T, E> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    type Output = Result<T, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(result) = this.inner.poll(cx) {
            return Poll::Ready(result.map_err(Into::into));
        }
        let Some(duration) = *this.duration else {
            return Poll::Pending;
        };
        if this.sleep.is_none() {
            // The clock starts the first time the inner future has to wait: an answer that
            // is already there costs no clock read and no timer.
            this.sleep.set(Some(tokio::time::sleep(duration)));
        }
        match this.sleep.as_pin_mut().map(|sleep| sleep.poll(cx)) {
            Some(Poll::Ready(())) => {
                tracing::debug!(kind = %this.kind, "okta: timed out");
                Poll::Ready(Err(Box::new(Error::Timeout { kind: *this.kind })))
            }
            _ => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;
    use tower::ServiceExt;

    fn slow(
        delay: Duration,
    ) -> impl Service<(), Response = (), Error = BoxError, Future: Send> + Clone {
        tower::service_fn(move |()| async move {
            tokio::time::sleep(delay).await;
            Ok(())
        })
    }

    #[tokio::test(start_paused = true)]
    async fn an_attempt_timeout_fires_as_a_typed_error_at_its_deadline() {
        let start = Instant::now();
        let error = TimeoutLayer::attempt(Duration::from_secs(30))
            .layer(slow(Duration::from_secs(31)))
            .oneshot(())
            .await
            .unwrap_err();
        assert!(matches!(
            Error::from_service(error),
            Error::Timeout {
                kind: TimeoutKind::Attempt
            }
        ));
        assert_eq!(Instant::now() - start, Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_timeout_fires_as_a_typed_error_and_a_fast_call_passes() {
        let error = TimeoutLayer::call(Duration::from_secs(1))
            .layer(slow(Duration::from_secs(2)))
            .oneshot(())
            .await;
        assert!(matches!(
            Error::from_service(error.unwrap_err()),
            Error::Timeout {
                kind: TimeoutKind::Call
            }
        ));
        let fine = TimeoutLayer::call(Duration::from_secs(1))
            .layer(slow(Duration::from_millis(999)))
            .oneshot(())
            .await;
        assert!(fine.is_ok());
        let unlimited = TimeoutLayer::new(None, TimeoutKind::Call)
            .layer(slow(Duration::from_secs(3600)))
            .oneshot(())
            .await;
        assert!(unlimited.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn inner_errors_pass_through() {
        let failing =
            tower::service_fn(|()| async { Err::<(), _>(Error::BodyTooLarge { limit: 7 }) });
        let error = TimeoutLayer::attempt(Duration::from_secs(1))
            .layer(failing)
            .oneshot(())
            .await
            .unwrap_err();
        assert!(matches!(
            Error::from_service(error),
            Error::BodyTooLarge { limit: 7 }
        ));
    }
}
