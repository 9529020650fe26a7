//! [`DefaultHeadersLayer`]: `User-Agent` and `Accept` on every request that lacks them, with
//! tower-http's `set_header` (`SetRequestHeaderLayer::if_not_present`).

use http::header::{ACCEPT, HeaderValue, USER_AGENT};
use tower_http::set_header::{SetRequestHeader, SetRequestHeaderLayer};
use tower_layer::Layer;

use crate::ConfigError;

/// The `User-Agent` sent by default, in the form Okta's SDKs use:
/// `okta-users-rs/<version> rust/<rustc version> <os>/<arch>`, e.g.
/// `okta-users-rs/0.1.0 rust/1.88.0 linux/x86_64` (the compiler and target this was built
/// with, read once by the build script).
pub const DEFAULT_USER_AGENT: &str = env!("OKTA_USERS_RS_USER_AGENT");

/// The longest application suffix accepted, in bytes.
const MAX_SUFFIX_LEN: usize = 256;

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

    /// Replaces the default `User-Agent` whole.
    pub fn user_agent(mut self, user_agent: HeaderValue) -> Self {
        self.user_agent = user_agent;
        self
    }

    /// Sends [`DEFAULT_USER_AGENT`] followed by a space and `suffix`, an application's own
    /// `name/version` (as Okta's SDKs append one): `okta-users-rs/0.1.0 rust/1.88.0
    /// linux/x86_64 my-app/2.1`. A suffix of white space only changes nothing; one that is
    /// not printable ASCII, or longer than 256 bytes, is refused.
    pub fn user_agent_suffix(self, suffix: &str) -> Result<Self, ConfigError> {
        let suffix = suffix.trim();
        if suffix.is_empty() {
            return Ok(self);
        }
        if suffix.len() > MAX_SUFFIX_LEN {
            return Err(ConfigError::InvalidUserAgent {
                reason: format!(
                    "the suffix is {} bytes long (at most {MAX_SUFFIX_LEN})",
                    suffix.len()
                ),
            });
        }
        if let Some(c) = suffix
            .chars()
            .find(|c| !(c.is_ascii_graphic() || *c == ' '))
        {
            return Err(ConfigError::InvalidUserAgent {
                reason: format!("the suffix holds {c:?}; only printable ASCII is allowed"),
            });
        }
        let value =
            HeaderValue::try_from(format!("{DEFAULT_USER_AGENT} {suffix}")).map_err(|error| {
                ConfigError::InvalidUserAgent {
                    reason: error.to_string(),
                }
            })?;
        Ok(self.user_agent(value))
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
        assert_eq!(headers[USER_AGENT], DEFAULT_USER_AGENT);
        assert_eq!(headers[ACCEPT], "application/json");
    }

    #[test]
    fn the_default_user_agent_names_library_compiler_and_platform_as_okta_sdks_do() {
        let parts: Vec<&str> = DEFAULT_USER_AGENT.split(' ').collect();
        assert_eq!(parts.len(), 3, "{DEFAULT_USER_AGENT}");
        assert_eq!(
            parts[0],
            concat!("okta-users-rs/", env!("CARGO_PKG_VERSION"))
        );
        let rustc = parts[1].strip_prefix("rust/").unwrap();
        assert!(
            rustc.split('.').count() >= 3 && rustc.starts_with("1."),
            "{DEFAULT_USER_AGENT}"
        );
        assert_eq!(
            parts[2],
            format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_application_suffix_follows_the_default_user_agent() {
        let layer = DefaultHeadersLayer::new()
            .user_agent_suffix(" my-app/2.1 (ops) ")
            .unwrap();
        let headers = headers_seen(layer, Request::new(())).await;
        assert_eq!(
            headers[USER_AGENT],
            format!("{DEFAULT_USER_AGENT} my-app/2.1 (ops)")
        );
        let unchanged = DefaultHeadersLayer::new().user_agent_suffix("  ").unwrap();
        let headers = headers_seen(unchanged, Request::new(())).await;
        assert_eq!(headers[USER_AGENT], DEFAULT_USER_AGENT);
    }

    #[test]
    fn unprintable_or_huge_suffixes_are_refused() {
        for (suffix, expected) in [
            ("my-app\r\nX-Evil: 1", "printable ASCII"),
            ("caf\u{e9}/1", "printable ASCII"),
            (&"a".repeat(300)[..], "300 bytes"),
        ] {
            let error = DefaultHeadersLayer::new()
                .user_agent_suffix(suffix)
                .unwrap_err();
            assert!(
                matches!(&error, ConfigError::InvalidUserAgent { reason } if reason.contains(expected)),
                "{error:?}"
            );
        }
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
