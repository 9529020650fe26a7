//! A connector that bounds the whole connection set-up (TCP connect and TLS handshake).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `HttpsConnector<HttpConnector>` with a deadline on TCP connect plus TLS handshake.
///
/// `HttpConnector::set_connect_timeout` only bounds the TCP connect; a server that accepts and
/// then never answers the TLS `ClientHello` would otherwise hold the request forever. A timeout is
/// reported as an `io::Error` of kind `TimedOut`, like hyper-util's own.
#[derive(Clone)]
pub(crate) struct TimeoutConnector {
    pub(crate) inner: HttpsConnector<HttpConnector>,
    pub(crate) timeout: Duration,
}

impl Service<Uri> for TimeoutConnector {
    type Response = MaybeHttpsStream<TokioIo<TcpStream>>;
    type Error = BoxError;
    // Boxed: this runs once per new connection, not per request.
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result,
                Err(_elapsed) => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("connecting (TCP and TLS) took longer than {timeout:?}"),
                )) as BoxError),
            }
        })
    }
}
