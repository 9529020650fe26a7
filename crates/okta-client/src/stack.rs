//! [`ClientService`]: the default stack ([`okta_layers::Stack`]) over the hyper transport, with
//! the caller's own layers type-erased around it when there are any.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use okta_hyper::HyperTransport;
use okta_layers::stack::{Stack, StackLayer};
use okta_users::{BoxError, RequestBody};
use tower::util::{BoxCloneSyncService, Either};
use tower_layer::Layer;
use tower_service::Service;

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

/// The caller's layers, first outermost, shared by every client built from the same builder.
#[derive(Clone, Default)]
pub(crate) struct UserLayers(pub(crate) Vec<Arc<dyn ClientLayer>>);

impl UserLayers {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `service` wrapped in every layer, the first outermost.
    fn wrap(&self, service: BoxedService) -> BoxedService {
        self.0
            .iter()
            .rev()
            .fold(service, |service, layer| layer.wrap(service))
    }
}

impl std::fmt::Debug for UserLayers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} layer(s)", self.0.len())
    }
}

/// The caller's attempt layers as one layer of the stack (`StackLayer::with_attempt_layer`):
/// what is under them is erased once, then each wraps it.
impl<S> Layer<S> for UserLayers
where
    S: Service<Request<RequestBody>, Response = Response<Full<Bytes>>, Error = BoxError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    type Service = BoxedService;

    fn layer(&self, inner: S) -> BoxedService {
        self.wrap(BoxedService::new(inner))
    }
}

/// The stack over `transport` with the caller's layers: concrete (no box on the request path)
/// when there are none, erased once otherwise.
pub(crate) fn client_service(
    stack: StackLayer,
    call_layers: &UserLayers,
    attempt_layers: UserLayers,
    transport: HyperTransport,
) -> ClientService {
    if call_layers.is_empty() && attempt_layers.is_empty() {
        return ClientService {
            inner: Either::Left(stack.layer(transport)),
        };
    }
    let stack = if attempt_layers.is_empty() {
        BoxedService::new(stack.layer(transport))
    } else {
        BoxedService::new(stack.with_attempt_layer(attempt_layers).layer(transport))
    };
    ClientService {
        inner: Either::Right(call_layers.wrap(stack)),
    }
}

/// The service under a [`Client`](crate::Client): the default stack over the hyper transport.
///
/// `Clone` (cheap: a few reference counts), `Send` and `Sync`, with a nameable future; errors
/// are [`okta_users::Error`]s, boxed (recover them with [`okta_users::Error::from_service`]).
#[derive(Clone)]
pub struct ClientService {
    inner: Either<Stack<HyperTransport>, BoxedService>,
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
    type Future =
        <Either<Stack<HyperTransport>, BoxedService> as Service<Request<RequestBody>>>::Future;

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
