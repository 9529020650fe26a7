//! [`HyperTransport`]: the `tower::Service`, and its named response future.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{Request, Response};
use http_body::Body as _;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::client::legacy::{self, Client};
use okta_users::{Error, RequestBody, TimeoutKind};
use tokio::time::{Instant, Sleep};
use tower_service::Service;

use crate::builder::HyperTransportBuilder;
use crate::connect::TimeoutConnector;
use crate::error::from_client_error;

/// A pooled HTTP/1.1 and HTTP/2 client over rustls that reads each response whole.
///
/// Cheap to clone (one `Arc`); clones share the connection pool. See the [crate docs](crate)
/// for how failures are reported.
#[derive(Clone)]
pub struct HyperTransport {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: Client<TimeoutConnector, RequestBody>,
    pub(crate) max_response_size: usize,
    pub(crate) body_idle_timeout: Option<Duration>,
}

impl HyperTransport {
    /// Starts configuring a transport.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::new()
    }

    /// A transport with the default settings.
    pub fn new() -> Result<HyperTransport, crate::BuildError> {
        Self::builder().build()
    }

    /// The cap on a response body, in bytes.
    pub fn max_response_size(&self) -> usize {
        self.inner.max_response_size
    }

    /// The longest gap between two chunks of a response body, if any.
    pub fn body_idle_timeout(&self) -> Option<Duration> {
        self.inner.body_idle_timeout
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("max_response_size", &self.inner.max_response_size)
            .field("body_idle_timeout", &self.inner.body_idle_timeout)
            .finish_non_exhaustive()
    }
}

impl Service<Request<RequestBody>> for HyperTransport {
    type Response = Response<Full<Bytes>>;
    type Error = Error;
    type Future = ResponseFuture;

    #[inline]
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // The hyper-util client is always ready: it queues for a pooled connection itself.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<RequestBody>) -> ResponseFuture {
        let state = if request.uri().scheme().is_none() || request.uri().authority().is_none() {
            State::Failed {
                error: Some(Error::InvalidInput {
                    what: "request URI",
                    reason:
                        "the transport needs an absolute URI (put a BaseUri layer in front of it)"
                            .to_owned(),
                }),
            }
        } else {
            State::Sending {
                future: self.inner.client.request(request),
            }
        };
        ResponseFuture {
            state,
            limit: self.inner.max_response_size,
            idle_timeout: self.inner.body_idle_timeout,
        }
    }
}

/// The future of [`HyperTransport::call`]: sends the request, then reads the body whole.
#[must_use = "futures do nothing unless polled"]
pub struct ResponseFuture {
    state: State,
    limit: usize,
    idle_timeout: Option<Duration>,
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Sending { .. } => "sending",
            State::Reading { .. } => "reading body",
            State::Failed { .. } => "failed",
            State::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

enum State {
    Sending {
        future: legacy::ResponseFuture,
    },
    Reading {
        parts: Option<http::response::Parts>,
        body: Incoming,
        buffer: Buffer,
        /// Created on the first wait only: a body that is already there costs no timer.
        stall: Option<Pin<Box<Sleep>>>,
        /// Whether `stall` is armed for the current wait.
        armed: bool,
    },
    Failed {
        error: Option<Error>,
    },
    Done,
}

impl Future for ResponseFuture {
    type Output = Result<Response<Full<Bytes>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every field is Unpin: the response future and the sleep are boxed by their owners.
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Sending { future } => {
                    let response = match ready!(Pin::new(future).poll(cx)) {
                        Ok(response) => response,
                        Err(error) => {
                            this.state = State::Done;
                            return Poll::Ready(Err(from_client_error(error)));
                        }
                    };
                    let (parts, body) = response.into_parts();
                    if body.size_hint().lower() > this.limit as u64 {
                        // Content-Length already says too much: do not read any of it.
                        this.state = State::Done;
                        return Poll::Ready(Err(Error::BodyTooLarge { limit: this.limit }));
                    }
                    this.state = State::Reading {
                        parts: Some(parts),
                        body,
                        buffer: Buffer::Empty,
                        stall: None,
                        armed: false,
                    };
                }
                State::Reading {
                    parts,
                    body,
                    buffer,
                    stall,
                    armed,
                } => {
                    let result = poll_body(
                        cx,
                        body,
                        buffer,
                        stall,
                        armed,
                        this.limit,
                        this.idle_timeout,
                    );
                    let result = match ready!(result) {
                        Ok(()) => {
                            let parts = parts.take().expect("parts are taken once");
                            let body = std::mem::replace(buffer, Buffer::Empty).into_bytes();
                            Ok(Response::from_parts(parts, Full::new(body)))
                        }
                        Err(error) => Err(error),
                    };
                    this.state = State::Done;
                    return Poll::Ready(result);
                }
                State::Failed { error } => {
                    let error = error.take().expect("polled after completion");
                    this.state = State::Done;
                    return Poll::Ready(Err(error));
                }
                State::Done => panic!("ResponseFuture polled after completion"),
            }
        }
    }
}

/// Reads frames until the end of the body, the cap, an error or the stall timeout.
fn poll_body(
    cx: &mut Context<'_>,
    body: &mut Incoming,
    buffer: &mut Buffer,
    stall: &mut Option<Pin<Box<Sleep>>>,
    armed: &mut bool,
    limit: usize,
    idle_timeout: Option<Duration>,
) -> Poll<Result<(), Error>> {
    loop {
        if body.is_end_stream() {
            return Poll::Ready(Ok(()));
        }
        match Pin::new(&mut *body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                *armed = false;
                if let Ok(data) = frame.into_data() {
                    buffer.push(data, limit, body.size_hint().lower())?;
                }
            }
            Poll::Ready(Some(Err(error))) => {
                return Poll::Ready(Err(Error::Transport {
                    not_sent: false,
                    source: Box::new(error),
                }));
            }
            Poll::Ready(None) => return Poll::Ready(Ok(())),
            Poll::Pending => {
                let Some(idle) = idle_timeout else {
                    return Poll::Pending;
                };
                let sleep = stall.get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
                if !*armed {
                    sleep.as_mut().reset(Instant::now() + idle);
                    *armed = true;
                }
                ready!(sleep.as_mut().poll(cx));
                return Poll::Ready(Err(Error::Timeout {
                    kind: TimeoutKind::BodyStalled,
                }));
            }
        }
    }
}

/// The body read so far; one chunk is kept as is, without a copy.
enum Buffer {
    Empty,
    One(Bytes),
    Many(BytesMut),
}

impl Buffer {
    fn len(&self) -> usize {
        match self {
            Buffer::Empty => 0,
            Buffer::One(bytes) => bytes.len(),
            Buffer::Many(bytes) => bytes.len(),
        }
    }

    /// Appends `data`, failing once the total exceeds `limit`; `remaining` is the body's lower
    /// size hint for what is still to come.
    fn push(&mut self, data: Bytes, limit: usize, remaining: u64) -> Result<(), Error> {
        if data.is_empty() {
            return Ok(());
        }
        let total = self.len() + data.len();
        if total > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        match self {
            Buffer::Empty => *self = Buffer::One(data),
            Buffer::One(first) => {
                let hint = usize::try_from(remaining)
                    .unwrap_or(usize::MAX)
                    .min(limit - total);
                let mut many = BytesMut::with_capacity(total + hint);
                many.extend_from_slice(first);
                many.extend_from_slice(&data);
                *self = Buffer::Many(many);
            }
            Buffer::Many(many) => many.extend_from_slice(&data),
        }
        Ok(())
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Buffer::Empty => Bytes::new(),
            Buffer::One(bytes) => bytes,
            Buffer::Many(bytes) => bytes.freeze(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_chunk_is_kept_without_a_copy_and_many_are_joined() {
        let mut buffer = Buffer::Empty;
        let first = Bytes::from_static(b"hello ");
        buffer.push(first.clone(), 100, 5).unwrap();
        assert!(matches!(&buffer, Buffer::One(b) if b.as_ptr() == first.as_ptr()));
        buffer.push(Bytes::from_static(b"world"), 100, 0).unwrap();
        assert_eq!(buffer.into_bytes(), Bytes::from_static(b"hello world"));
    }

    #[test]
    fn the_cap_is_checked_on_every_chunk() {
        let mut buffer = Buffer::Empty;
        buffer.push(Bytes::from_static(b"12345"), 8, 0).unwrap();
        buffer.push(Bytes::from_static(b"678"), 8, 0).unwrap();
        let error = buffer.push(Bytes::from_static(b"9"), 8, 0).unwrap_err();
        assert!(
            matches!(error, Error::BodyTooLarge { limit: 8 }),
            "{error:?}"
        );
    }
}
