//! The org as an in-process `tower::Service`: no socket, the same handler as the server.

use crate::server::{self, Shared};
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The org as a `tower::Service<http::Request<Full<Bytes>>>`, from [`crate::MockOrg::service`].
///
/// Each call goes through the same handler as a request over the socket — concurrency limit,
/// faults, rate limits, auth, the operation, the response headers, compression when the request
/// asks, the request log and the counters — but in process, so a test on paused time
/// (`#[tokio::test(start_paused = true)]`) drives the windows, `Date`, resets and latency faults
/// with `tokio::time::advance` and never sleeps for real.
///
/// The request's URI may be in origin form (`/api/v1/users?limit=2`) or absolute form
/// (`https://mock.okta.example/api/v1/users`, as a client stack that sets the org's scheme and host
/// sends it); only its path and query are read.
///
/// The injected connection faults are errors of the service, [`ConnectionClosed`]: a
/// `reset-before` fault is one whose request was not sent, a `reset-after` fault one whose request
/// was processed and whose response was lost.
///
/// Cloning is cheap (one `Arc`); the service is always ready.
#[derive(Clone)]
pub struct MockService {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for MockService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockService")
            .field("base_url", &self.shared.base)
            .finish_non_exhaustive()
    }
}

impl MockService {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

impl tower_service::Service<Request<Full<Bytes>>> for MockService {
    type Response = Response<Full<Bytes>>;
    type Error = ConnectionClosed;
    type Future =
        Pin<Box<dyn Future<Output = Result<Response<Full<Bytes>>, ConnectionClosed>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Full<Bytes>>) -> Self::Future {
        Box::pin(server::respond(self.shared.clone(), req))
    }
}

/// The connection closed without an answer: an injected `reset-before` or `reset-after` fault,
/// as [`MockService`] reports it.
///
/// Its [`source`](std::error::Error::source) is the `std::io::Error` a client over a socket
/// would meet: [`ConnectionRefused`](std::io::ErrorKind::ConnectionRefused) when the request was
/// not sent (nothing reached the org: safe to send again, even a `POST`), and
/// [`ConnectionReset`](std::io::ErrorKind::ConnectionReset) when it was sent (the org processed
/// it: whether it took effect is unknown to the caller). [`ConnectionClosed::is_sent`] says which.
#[derive(Debug)]
pub struct ConnectionClosed {
    sent: bool,
    io: std::io::Error,
}

impl ConnectionClosed {
    pub(crate) fn not_sent() -> Self {
        Self {
            sent: false,
            io: std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "connection closed before the request was sent",
            ),
        }
    }

    pub(crate) fn response_lost() -> Self {
        Self {
            sent: true,
            io: std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection closed before the response arrived",
            ),
        }
    }

    /// Whether the request reached the org (`reset-after`: processed, response lost) or not
    /// (`reset-before`: nothing happened).
    pub fn is_sent(&self) -> bool {
        self.sent
    }

    /// The kind of the underlying `std::io::Error` (`ConnectionRefused` or `ConnectionReset`).
    pub fn io_kind(&self) -> std::io::ErrorKind {
        self.io.kind()
    }
}

impl std::fmt::Display for ConnectionClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.sent {
            f.write_str("connection closed after the request was sent, before any response")
        } else {
            f.write_str("connection closed before the request was sent")
        }
    }
}

impl std::error::Error for ConnectionClosed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.io)
    }
}
