//! [`DefaultHeadersLayer`]: `User-Agent` and `Accept` on every request that lacks them, with
//! tower-http's `set_header` (`SetRequestHeaderLayer::if_not_present`).

use http::header::{ACCEPT, HeaderValue, USER_AGENT};
use tower_http::set_header::{SetRequestHeader, SetRequestHeaderLayer};
use tower_layer::Layer;

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

/// The service of [`DefaultHeadersLayer`]: tower-http's `SetRequestHeader`, twice.
pub type DefaultHeaders<S> = SetRequestHeader<SetRequestHeader<S, HeaderValue>, HeaderValue>;

impl<S> Layer<S> for DefaultHeadersLayer {
    type Service = DefaultHeaders<S>;

    fn layer(&self, inner: S) -> DefaultHeaders<S> {
        let accept = SetRequestHeaderLayer::if_not_present(ACCEPT, self.accept.clone());
        let user_agent = SetRequestHeaderLayer::if_not_present(USER_AGENT, self.user_agent.clone());
        user_agent.layer(accept.layer(inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, Request, Response};
    use tower::{ServiceExt, service_fn};

    async fn headers_seen(layer: DefaultHeadersLayer, request: Request<()>) -> HeaderMap {
        let service = layer.layer(service_fn(|request: Request<()>| async move {
            Ok::<_, std::convert::Infallible>(Response::new(request.headers().clone()))
        }));
        service.oneshot(request).await.unwrap().into_body()
    }

    #[tokio::test(start_paused = true)]
    async fn missing_headers_are_added() {
        let headers = headers_seen(DefaultHeadersLayer::new(), Request::new(())).await;
        assert_eq!(
            headers[USER_AGENT],
            concat!("okta-users-rs/", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(headers[ACCEPT], "application/json");
    }

    #[tokio::test(start_paused = true)]
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

    #[tokio::test(start_paused = true)]
    async fn the_user_agent_can_be_replaced() {
        let layer = DefaultHeadersLayer::new()
            .user_agent(HeaderValue::from_static("okta-users-rs/0 my-app/2"));
        let headers = headers_seen(layer, Request::new(())).await;
        assert_eq!(headers[USER_AGENT], "okta-users-rs/0 my-app/2");
    }
}
