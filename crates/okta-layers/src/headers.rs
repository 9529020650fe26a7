//! [`DefaultHeadersLayer`]: `User-Agent` and `Accept` on every request that lacks them.

use std::task::{Context, Poll};

use http::Request;
use http::header::{ACCEPT, HeaderValue, USER_AGENT};
use tower_layer::Layer;
use tower_service::Service;

/// The `User-Agent` sent by default: `okta-users-rs/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("okta-users-rs/", env!("CARGO_PKG_VERSION"));

/// Sets `User-Agent` (default [`DEFAULT_USER_AGENT`]) and `Accept: application/json` on each
/// request that does not already carry them. The values are built once, when the layer is.
#[derive(Debug, Clone)]
pub struct DefaultHeadersLayer {
    user_agent: HeaderValue,
    accept: HeaderValue,
}

impl Default for DefaultHeadersLayer {
    fn default() -> Self {
        DefaultHeadersLayer {
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
            accept: HeaderValue::from_static("application/json"),
        }
    }
}

impl DefaultHeadersLayer {
    /// The layer with the default `User-Agent`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the default `User-Agent` (for example to append an application's own name).
    pub fn user_agent(mut self, user_agent: HeaderValue) -> Self {
        self.user_agent = user_agent;
        self
    }
}

impl<S> Layer<S> for DefaultHeadersLayer {
    type Service = DefaultHeaders<S>;

    fn layer(&self, inner: S) -> DefaultHeaders<S> {
        DefaultHeaders {
            inner,
            headers: self.clone(),
        }
    }
}

/// The service of [`DefaultHeadersLayer`].
#[derive(Debug, Clone)]
pub struct DefaultHeaders<S> {
    inner: S,
    headers: DefaultHeadersLayer,
}

impl<S> DefaultHeaders<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B> Service<Request<B>> for DefaultHeaders<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> S::Future {
        let headers = request.headers_mut();
        // One lookup each; a value the request already has is kept.
        headers
            .entry(USER_AGENT)
            .or_insert_with(|| self.headers.user_agent.clone());
        headers
            .entry(ACCEPT)
            .or_insert_with(|| self.headers.accept.clone());
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;
    use tower::{ServiceExt, service_fn};

    async fn headers_seen(layer: DefaultHeadersLayer, request: Request<()>) -> HeaderMap {
        let service = layer.layer(service_fn(|request: Request<()>| async move {
            Ok::<_, std::convert::Infallible>(request.headers().clone())
        }));
        service.oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn missing_headers_are_added() {
        let headers = headers_seen(DefaultHeadersLayer::new(), Request::new(())).await;
        assert_eq!(
            headers[USER_AGENT],
            concat!("okta-users-rs/", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(headers[ACCEPT], "application/json");
    }

    #[tokio::test]
    async fn headers_already_set_are_kept() {
        let request = Request::builder()
            .header(USER_AGENT, "my-app/1.0")
            .header(ACCEPT, "application/xml")
            .body(())
            .unwrap();
        let headers = headers_seen(DefaultHeadersLayer::new(), request).await;
        assert_eq!(headers[USER_AGENT], "my-app/1.0");
        assert_eq!(headers[ACCEPT], "application/xml");
    }

    #[tokio::test]
    async fn the_user_agent_can_be_replaced() {
        let layer = DefaultHeadersLayer::new()
            .user_agent(HeaderValue::from_static("okta-users-rs/0 my-app/2"));
        let headers = headers_seen(layer, Request::new(())).await;
        assert_eq!(headers[USER_AGENT], "okta-users-rs/0 my-app/2");
    }
}
