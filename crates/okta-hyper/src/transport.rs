//! [`HyperTransport`]: the `tower::Service`, and its named response future.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, PROXY_AUTHORIZATION};
use http::uri::Scheme;
use http::{HeaderMap, Request, Response};
use http_body_util::combinators::Collect;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::{self, Client};
use okta_users::{Error, MaxResponseSize, RequestBody};
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::builder::HyperTransportBuilder;
use crate::connect::{Connector, ProxyRoutes};
use crate::decompress::{self, WireBody};
use crate::error::{from_body_error, from_client_error};
use crate::proxy::Proxy;
use crate::stall::StallTimeout;

/// A pooled HTTP/1.1 and HTTP/2 client over rustls that reads each response whole.
///
/// Cheap to clone (one `Arc`); clones share the connection pool. See the [crate docs](crate)
/// for how failures are reported.
#[derive(Clone)]
pub struct HyperTransport {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: Client<Connector, RequestBody>,
    pub(crate) max_response_size: usize,
    pub(crate) body_idle_timeout: Option<Duration>,
    pub(crate) response_compression: bool,
    pub(crate) proxy: Proxy,
    pub(crate) proxy_routes: Option<Arc<ProxyRoutes>>,
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

    /// Whether compressed responses are asked for and decompressed.
    pub fn response_compression(&self) -> bool {
        self.inner.response_compression
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("max_response_size", &self.inner.max_response_size)
            .field("body_idle_timeout", &self.inner.body_idle_timeout)
            .field("response_compression", &self.inner.response_compression)
            .field("proxy", &self.inner.proxy)
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

    fn call(&mut self, mut request: Request<RequestBody>) -> ResponseFuture {
        let inner = &*self.inner;
        let limit = match request.extensions().get::<MaxResponseSize>() {
            Some(MaxResponseSize(cap)) => (*cap).min(inner.max_response_size),
            None => inner.max_response_size,
        };
        if request.uri().scheme().is_none() || request.uri().authority().is_none() {
            return ResponseFuture::failed(
                Error::InvalidInput {
                    what: "request URI",
                    reason:
                        "the transport needs an absolute URI (put a BaseUri layer in front of it)"
                            .to_owned(),
                },
                limit,
            );
        }
        if let Some(routes) = &inner.proxy_routes {
            authorize_forwarded(routes, &mut request);
        }
        if inner.response_compression && decompress::worth_compressing(&request) {
            decompress::accept_compressed(request.headers_mut());
        }
        ResponseFuture {
            state: State::Sending {
                future: inner.client.request(request),
            },
            limit,
            idle_timeout: inner.body_idle_timeout,
            decompress: inner.response_compression,
        }
    }
}

/// A plain `http://` request handed to a forwarding proxy carries the proxy's credentials
/// itself (an `https://` one is tunnelled: the credentials go with `CONNECT` only).
fn authorize_forwarded(routes: &ProxyRoutes, request: &mut Request<RequestBody>) {
    if request.uri().scheme() != Some(&Scheme::HTTP) {
        return;
    }
    if let Some(intercept) = routes.matcher.intercept(request.uri())
        && let Some(authorization) = intercept.basic_auth()
    {
        // Marked sensitive by hyper-util: never shown by `Debug` or HPACK-indexed.
        request
            .headers_mut()
            .insert(PROXY_AUTHORIZATION, authorization.clone());
    }
}

/// The response body as read: decompressed, then timed between chunks, then capped.
type ReadBody = Limited<StallTimeout<WireBody>>;

pin_project! {
    /// The future of [`HyperTransport::call`]: sends the request, then reads the body whole.
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture {
        #[pin]
        state: State,
        limit: usize,
        idle_timeout: Option<Duration>,
        decompress: bool,
    }
}

pin_project! {
    #[project = StateProjection]
    enum State {
        Sending {
            #[pin]
            future: legacy::ResponseFuture,
        },
        Reading {
            parts: Option<http::response::Parts>,
            #[pin]
            body: Collect<ReadBody>,
        },
        Failed {
            error: Option<Error>,
        },
    }
}

impl ResponseFuture {
    fn failed(error: Error, limit: usize) -> Self {
        ResponseFuture {
            state: State::Failed { error: Some(error) },
            limit,
            idle_timeout: None,
            decompress: false,
        }
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Sending { .. } => "sending",
            State::Reading { .. } => "reading body",
            State::Failed { .. } => "failed",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<Full<Bytes>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProjection::Sending { future } => {
                    let response = match ready!(future.poll(cx)) {
                        Ok(response) => response,
                        Err(error) => return Poll::Ready(Err(from_client_error(error))),
                    };
                    let (parts, body) = decompress::decode(response, *this.decompress).into_parts();
                    // Content-Length already says too much: read none of it. (A compressed
                    // body has lost this header: the cap then applies while decompressing.)
                    if content_length(&parts.headers)
                        .is_some_and(|length| length > *this.limit as u64)
                    {
                        return Poll::Ready(Err(Error::BodyTooLarge { limit: *this.limit }));
                    }
                    let body =
                        Limited::new(StallTimeout::new(body, *this.idle_timeout), *this.limit);
                    this.state.set(State::Reading {
                        parts: Some(parts),
                        body: body.collect(),
                    });
                }
                StateProjection::Reading { parts, body } => {
                    let result = match ready!(body.poll(cx)) {
                        Ok(collected) => {
                            let parts = parts
                                .take()
                                .expect("ResponseFuture polled after completion");
                            Ok(Response::from_parts(parts, Full::new(collected.to_bytes())))
                        }
                        Err(error) => Err(from_body_error(error, *this.limit)),
                    };
                    return Poll::Ready(result);
                }
                StateProjection::Failed { error } => {
                    return Poll::Ready(Err(error
                        .take()
                        .expect("ResponseFuture polled after completion")));
                }
            }
        }
    }
}

/// The `Content-Length` of a response, when it is a number.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}
