//! The one seam between the façade and whatever sends requests: any `tower::Service`.

use std::future::Future;

use bytes::Bytes;
use http_body_util::Full;
use tower_service::Service;

use crate::error::BoxError;

/// The body of every request the façade sends: whole in memory, so a retry layer can clone it.
pub type RequestBody = Full<Bytes>;

/// A request extension lowering the transport's cap on the response body for this request
/// (the OAuth token request sets it: a token answer is a few hundred bytes). A transport honours
/// it while reading, so a larger answer is refused without being read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxResponseSize(pub usize);

/// A `tower::Service` that can carry the façade's requests.
///
/// Implemented for every `Service<http::Request<RequestBody>, Response = http::Response<B>>`
/// that is `Clone + Send + Sync` with a `Send` future and a body of `Bytes`: the okta-client
/// stack, a hyper client, a `tower::service_fn`, or a `tower_test` mock all qualify.
pub trait HttpService: Clone + Send + Sync + 'static {
    /// The response body type.
    type ResponseBody: http_body::Body<Data = Bytes, Error = Self::BodyError> + Send + 'static;
    /// The response body's error type.
    type BodyError: Into<BoxError>;

    /// Sends one request through a clone of the service (waiting for readiness first).
    fn send_http(
        &self,
        request: http::Request<RequestBody>,
    ) -> impl Future<Output = Result<http::Response<Self::ResponseBody>, BoxError>> + Send + 'static;
}

impl<S, B> HttpService for S
where
    S: Service<http::Request<RequestBody>, Response = http::Response<B>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type ResponseBody = B;
    type BodyError = B::Error;

    fn send_http(
        &self,
        request: http::Request<RequestBody>,
    ) -> impl Future<Output = Result<http::Response<B>, BoxError>> + Send + 'static {
        let mut service = self.clone();
        async move {
            std::future::poll_fn(|cx| service.poll_ready(cx))
                .await
                .map_err(Into::into)?;
            service.call(request).await.map_err(Into::into)
        }
    }
}
