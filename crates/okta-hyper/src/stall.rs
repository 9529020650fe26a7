//! [`StallTimeout`]: a response body that fails when its next chunk is too long in coming.
//!
//! Ours rather than tower-http's `TimeoutBody`: that one starts and registers a timer for every
//! chunk, even one already buffered (measured: +200 ns for a one-chunk body, +9 µs for a
//! 56-chunk page); this one arms a timer only when the body has to wait.

use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http_body::{Body, Frame, SizeHint};
use okta_users::{BoxError, Error, TimeoutKind};
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};

pin_project! {
    /// Fails with `Timeout { BodyStalled }` when no chunk arrives for `idle`.
    pub(crate) struct StallTimeout<B> {
        #[pin]
        body: B,
        idle: Option<Duration>,
        // Created on the first wait only.
        sleep: Option<Pin<Box<Sleep>>>,
        // Whether `sleep` is armed for the current wait.
        armed: bool,
    }
}

impl<B> StallTimeout<B> {
    /// `idle: None` waits forever.
    pub(crate) fn new(body: B, idle: Option<Duration>) -> Self {
        StallTimeout {
            body,
            idle,
            sleep: None,
            armed: false,
        }
    }
}

impl<B> Body for StallTimeout<B>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    type Data = B::Data;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, BoxError>>> {
        let this = self.project();
        if let Poll::Ready(frame) = this.body.poll_frame(cx) {
            *this.armed = false;
            return Poll::Ready(frame.map(|result| result.map_err(Into::into)));
        }
        let Some(idle) = *this.idle else {
            return Poll::Pending;
        };
        if !*this.armed {
            // A deadline beyond what the clock can represent is no deadline.
            let Some(deadline) = Instant::now().checked_add(idle) else {
                return Poll::Pending;
            };
            match this.sleep {
                Some(sleep) => sleep.as_mut().reset(deadline),
                None => *this.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
            *this.armed = true;
        }
        let Some(sleep) = this.sleep else {
            return Poll::Pending;
        };
        ready!(sleep.as_mut().poll(cx));
        Poll::Ready(Some(Err(Box::new(Error::Timeout {
            kind: TimeoutKind::BodyStalled,
        }))))
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
