//! What the okta-layers integration tests share: the default stack over a scripted backend
//! (`service_fn`s standing in for the transport), requests as the façade sends them, and
//! captures of what the stack traces (`trace_capture`, also used by the okta-client and
//! okta-hyper tests).
// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

pub mod trace_capture;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use okta_layers::{Credentials, OrgUrl, StackConfig, StackLayer};
use okta_users::{BoxError, Endpoint, Operation};
use tower::Service;

/// The test keys of `crates/okta-mock/tests/keys` (PEM).
pub mod keys {
    /// An RSA private key (RS256).
    pub const RSA: &str = include_str!("../../../okta-mock/tests/keys/rsa_private.pem");
    /// The public half of [`RSA`].
    pub const RSA_PUBLIC: &str = include_str!("../../../okta-mock/tests/keys/rsa_public.pem");
    /// An EC P-256 private key (ES256).
    pub const EC: &str = include_str!("../../../okta-mock/tests/keys/ec_private.pem");
    /// The public half of [`EC`].
    pub const EC_PUBLIC: &str = include_str!("../../../okta-mock/tests/keys/ec_public.pem");
}

/// The org of the tests.
pub const ORG: &str = "https://dev-123.okta.com";
/// The API token the default [`stack`] sends.
pub const TOKEN: &str = "00super-secret-api-token";

/// `url` as an org URL.
pub fn org_url(url: &'static str) -> OrgUrl {
    OrgUrl::from_uri(&http::Uri::from_static(url)).unwrap()
}

/// The default settings with seeded jitters.
pub fn config() -> StackConfig {
    let mut config = StackConfig::default();
    config.retry.seed = Some(1);
    config.rate_limit.seed = Some(2);
    config
}

/// The default stack for [`ORG`] with [`TOKEN`], from [`config`].
pub fn stack() -> StackLayer {
    StackLayer::new(&config(), org_url(ORG), &Credentials::api_token(TOKEN)).unwrap()
}

/// A `method` request to `path` with a `{}` body, as the façade sends `okta.users.list`.
pub fn request(method: Method, path: &str) -> Request<Full<Bytes>> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    request
        .extensions_mut()
        .insert(Operation::new("okta.users.list", "listUsers"));
    request
}

/// A request to `endpoint` at `path_and_query` with a `{}` body, as the façade sends it.
pub fn request_for(endpoint: &Endpoint, path_and_query: &str) -> Request<Full<Bytes>> {
    let mut request = Request::builder()
        .method(endpoint.method.clone())
        .uri(path_and_query)
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    request.extensions_mut().insert(endpoint.operation);
    request
}

/// An empty answer of `status` with the request id `id`.
pub fn response(status: u16, id: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("x-okta-request-id", id)
        .body(Full::new(Bytes::new()))
        .unwrap()
}

/// What the stack can be laid over: a transport's shape.
pub trait Backend:
    Service<
        Request<Full<Bytes>>,
        Response = Response<Full<Bytes>>,
        Error = BoxError,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> Backend for S where
    S: Service<
            Request<Full<Bytes>>,
            Response = Response<Full<Bytes>>,
            Error = BoxError,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// The answer of a [`backend`] to its n-th request (0-based).
pub type Answer = fn(usize) -> BoxedAnswer;
/// What an [`Answer`] returns.
pub type BoxedAnswer =
    Pin<Box<dyn Future<Output = Result<Response<Full<Bytes>>, BoxError>> + Send>>;

/// A backend calling `answer(n)` for its n-th request (0-based).
pub fn backend(answer: Answer) -> impl Backend {
    let count = Arc::new(AtomicUsize::new(0));
    tower::service_fn(move |_request: Request<Full<Bytes>>| {
        answer(count.fetch_add(1, Ordering::SeqCst))
    })
}
