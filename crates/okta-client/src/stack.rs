//! The default stack, assembled in one function, and [`ClientService`], its nameable type.
//!
//! The middleware to come (rate-limit pacing, retry, timeouts, tracing) is added here: a layer in
//! [`default_stack`] and its service in [`Stack`].

use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use okta_hyper::HyperTransport;
use okta_layers::auth::{Auth, AuthLayer};
use okta_layers::base_uri::{BaseUri, BaseUriLayer, OrgUrl};
use okta_layers::headers::{DefaultHeaders, DefaultHeadersLayer};
use okta_users::{BoxError, RequestBody};
use tower::ServiceBuilder;
use tower_service::Service;

/// The layered services, outermost first.
type Stack = DefaultHeaders<BaseUri<Auth<HyperTransport>>>;

/// What the default stack needs besides the transport.
pub(crate) struct StackConfig {
    pub(crate) org: OrgUrl,
    pub(crate) auth: AuthLayer,
}

/// Assembles the default stack over `transport` (see the [crate docs](crate) for the order).
pub(crate) fn default_stack(config: StackConfig, transport: HyperTransport) -> ClientService {
    let inner = ServiceBuilder::new()
        .layer(DefaultHeadersLayer::new())
        .layer(BaseUriLayer::new(config.org))
        .layer(config.auth)
        .service(transport);
    ClientService { inner }
}

/// The service under a [`Client`](crate::Client): the default stack over the hyper transport.
///
/// `Clone` (cheap: a few reference counts), `Send` and `Sync`, with a nameable future; errors
/// are [`okta_users::Error`]s, boxed (recover them with [`okta_users::Error::from_service`]).
#[derive(Debug, Clone)]
pub struct ClientService {
    inner: Stack,
}

impl Service<Request<RequestBody>> for ClientService {
    type Response = Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = <Stack as Service<Request<RequestBody>>>::Future;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http_service<S: okta_users::HttpService>() {}

    #[test]
    fn the_stack_is_an_http_service() {
        http_service::<ClientService>();
    }
}
