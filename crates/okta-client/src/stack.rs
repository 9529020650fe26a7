//! The default stack, assembled in one function, and [`ClientService`], its nameable type.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use okta_hyper::HyperTransport;
use okta_layers::auth::{Auth, AuthLayer};
use okta_layers::base_uri::{BaseUri, BaseUriLayer, OrgUrl};
use okta_layers::headers::{DefaultHeaders, DefaultHeadersLayer};
use okta_layers::stack::{Stack, StackLayer};
use okta_users::{BoxError, RequestBody};
use tower::ServiceBuilder;
use tower::util::{BoxCloneSyncService, Either};
use tower_layer::Layer;
use tower_service::Service;

/// The default stack over a transport `T`, outermost first: default headers, base URI, the
/// okta-layers middleware ([`Stack`]), auth, `T`. What [`ClientBuilder::build_service`]
/// returns; over the hyper transport it is what a [`Client`](crate::Client) runs.
///
/// [`ClientBuilder::build_service`]: crate::ClientBuilder::build_service
pub type StackOver<T> = DefaultHeaders<BaseUri<Stack<Auth<T>>>>;

/// The default stack's type over the hyper transport.
type Default = StackOver<HyperTransport>;

/// A type-erased service, for stacks with layers of the caller's own.
pub type BoxedService = BoxCloneSyncService<Request<RequestBody>, Response<Full<Bytes>>, BoxError>;

/// A layer of your own for [`ClientBuilder::layer`](crate::ClientBuilder::layer) and
/// [`ClientBuilder::attempt_layer`](crate::ClientBuilder::attempt_layer): implemented for every
/// tower `Layer` over [`BoxedService`] whose service carries the same requests and responses and
/// is `Clone + Send + Sync` (e.g. `tower::limit::ConcurrencyLimitLayer`, or your own).
pub trait ClientLayer: Send + Sync + 'static {
    /// Wraps `inner` in this layer, type-erased again.
    fn wrap(&self, inner: BoxedService) -> BoxedService;
}

impl<L> ClientLayer for L
where
    L: Layer<BoxedService> + Send + Sync + 'static,
    L::Service: Service<Request<RequestBody>, Response = Response<Full<Bytes>>>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<Request<RequestBody>>>::Error: Into<BoxError>,
    <L::Service as Service<Request<RequestBody>>>::Future: Send + 'static,
{
    fn wrap(&self, inner: BoxedService) -> BoxedService {
        BoxedService::new(tower::ServiceExt::map_err(self.layer(inner), Into::into))
    }
}

/// A caller's layer, shared by every client built from the same builder.
pub(crate) type UserLayer = Arc<dyn ClientLayer>;

/// What the default stack needs besides the transport.
pub(crate) struct StackParts {
    pub(crate) org: OrgUrl,
    pub(crate) auth: AuthLayer,
    pub(crate) middleware: StackLayer,
    /// Around the whole call, first outermost.
    pub(crate) call_layers: Vec<UserLayer>,
    /// Around each attempt, first outermost.
    pub(crate) attempt_layers: Vec<UserLayer>,
}

/// The layers above one attempt, over `attempt`: default headers, the org's base URI (set
/// first, so spans record the full URL), the middleware. The one place their order is decided.
fn around<S: Clone>(
    org: OrgUrl,
    middleware: &StackLayer,
    attempt: S,
) -> DefaultHeaders<BaseUri<Stack<S>>> {
    ServiceBuilder::new()
        .layer(DefaultHeadersLayer::new())
        .layer(BaseUriLayer::new(org))
        .service(middleware.layer(attempt))
}

/// The default stack over any transport, without caller layers.
pub(crate) fn stack_over<T: Clone>(
    org: OrgUrl,
    auth: AuthLayer,
    middleware: &StackLayer,
    transport: T,
) -> StackOver<T> {
    around(org, middleware, auth.layer(transport))
}

/// Assembles the stack over `transport` (see the [crate docs](crate) for the order). Without
/// layers of the caller's own, every type is concrete: no boxing on the request path.
pub(crate) fn default_stack(parts: StackParts, transport: HyperTransport) -> ClientService {
    if parts.call_layers.is_empty() && parts.attempt_layers.is_empty() {
        let service = stack_over(parts.org, parts.auth, &parts.middleware, transport);
        return ClientService {
            inner: Either::Left(service),
        };
    }
    let attempt = wrap(
        BoxedService::new(parts.auth.layer(transport)),
        &parts.attempt_layers,
    );
    let call = BoxedService::new(around(parts.org, &parts.middleware, attempt));
    ClientService {
        inner: Either::Right(wrap(call, &parts.call_layers)),
    }
}

fn wrap(service: BoxedService, layers: &[UserLayer]) -> BoxedService {
    layers
        .iter()
        .rev()
        .fold(service, |service, layer| layer.wrap(service))
}

/// The service under a [`Client`](crate::Client): the default stack over the hyper transport.
///
/// `Clone` (cheap: a few reference counts), `Send` and `Sync`, with a nameable future; errors
/// are [`okta_users::Error`]s, boxed (recover them with [`okta_users::Error::from_service`]).
#[derive(Clone)]
pub struct ClientService {
    inner: Either<Default, BoxedService>,
}

impl std::fmt::Debug for ClientService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Either::Left(stack) => f
                .debug_struct("ClientService")
                .field("stack", stack)
                .finish(),
            Either::Right(_) => f
                .debug_struct("ClientService")
                .field("stack", &"<with caller layers>")
                .finish(),
        }
    }
}

impl Service<Request<RequestBody>> for ClientService {
    type Response = Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = <Either<Default, BoxedService> as Service<Request<RequestBody>>>::Future;

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
