//! The connector: straight to the org, through a proxy's `CONNECT` tunnel (`https://` orgs), or
//! to a proxy that forwards absolute-form requests (`http://` orgs); the whole set-up under one
//! deadline.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use http::uri::Scheme;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The error of hyper-util's `Tunnel` (its type is not exported under a name of its own).
pub(crate) type TunnelError = <Tunnel<HttpConnector> as Service<Uri>>::Error;

/// Connects to the org, directly or through the proxy, with a deadline on TCP connect, proxy
/// `CONNECT` and TLS handshake together.
///
/// Ours rather than `HttpConnector::set_connect_timeout` alone: that bounds only the TCP
/// connect, and a server that accepts and never answers the TLS `ClientHello` (or a proxy that
/// never answers `CONNECT`) would otherwise hold the request forever. A timeout is reported as
/// an `io::Error` of kind `TimedOut`, like hyper-util's own.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) direct: HttpsConnector<HttpConnector>,
    pub(crate) proxy: Option<Arc<ProxyRoutes>>,
    pub(crate) timeout: Duration,
}

/// What is needed to reach the org through a proxy.
pub(crate) struct ProxyRoutes {
    /// Which destinations go through which proxy (`NO_PROXY` rules included), and the
    /// proxy's `Proxy-Authorization`.
    pub(crate) matcher: Matcher,
    /// TCP to the proxy.
    pub(crate) tcp: HttpConnector,
    /// TLS to the org, inside the tunnel.
    pub(crate) tls: rustls::ClientConfig,
}

/// A connection, remembering whether it goes to a forwarding proxy (hyper then writes
/// absolute-form request targets, `GET http://host/path`).
pub(crate) struct Conn {
    stream: MaybeHttpsStream<TokioIo<TcpStream>>,
    forwarded: bool,
}

impl Service<Uri> for Connector {
    type Response = Conn;
    type Error = BoxError;
    // Boxed: this runs once per new connection, not per request.
    type Future = Pin<Box<dyn Future<Output = Result<Conn, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // `HttpConnector`, the only connector inside, is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        let intercept = self
            .proxy
            .as_ref()
            .and_then(|routes| Some((routes, routes.matcher.intercept(&destination)?)));
        let connecting: Self::Future = match intercept {
            None => {
                let connecting = self.direct.call(destination);
                Box::pin(async move {
                    Ok(Conn {
                        stream: connecting.await?,
                        forwarded: false,
                    })
                })
            }
            Some((routes, intercept)) if destination.scheme() == Some(&Scheme::HTTPS) => {
                let mut tunnel = Tunnel::new(intercept.uri().clone(), routes.tcp.clone());
                if let Some(authorization) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(authorization.clone());
                }
                let mut https = HttpsConnectorBuilder::new()
                    .with_tls_config(routes.tls.clone())
                    .https_only()
                    .enable_http1()
                    .enable_http2()
                    .wrap_connector(tunnel);
                let connecting = https.call(destination);
                Box::pin(async move {
                    Ok(Conn {
                        stream: connecting.await?,
                        forwarded: false,
                    })
                })
            }
            Some((routes, intercept)) => {
                let connecting = routes.tcp.clone().call(intercept.uri().clone());
                Box::pin(async move {
                    Ok(Conn {
                        stream: MaybeHttpsStream::Http(connecting.await?),
                        forwarded: true,
                    })
                })
            }
        };
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result,
                Err(_elapsed) => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("connecting (TCP, proxy and TLS) took longer than {timeout:?}"),
                )) as BoxError),
            }
        })
    }
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        self.stream.connected().proxy(self.forwarded)
    }
}

impl Read for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl Write for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
