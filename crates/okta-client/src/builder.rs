//! [`ClientBuilder`]: org URL, credentials, transport; validated by [`ClientBuilder::build`].

use std::net::IpAddr;
use std::time::Duration;

use http::Uri;
use http::uri::Scheme;
use okta_hyper::{CertificateDer, HyperTransport, HyperTransportBuilder};
use okta_layers::auth::{AuthLayer, Credentials, SecretToken};
use okta_layers::base_uri::OrgUrl;

use crate::client::Client;
use crate::error::BuildError;
use crate::stack::{BoxedService, StackParts, UserLayer, default_stack};
use okta_layers::stack::StackConfig;
use okta_users::{BoxError, RequestBody};
use tower::ServiceExt;
use tower_layer::Layer;
use tower_service::Service;

/// The environment variable holding the org URL, as in Okta's other SDKs.
pub const ORG_URL_ENV: &str = "OKTA_CLIENT_ORGURL";
/// The environment variable holding an API token (`SSWS`), as in Okta's other SDKs.
pub const TOKEN_ENV: &str = "OKTA_CLIENT_TOKEN";

/// Configures a [`Client`]; start with [`Client::builder`] or [`ClientBuilder::from_env`].
///
/// Its `Debug` output never shows the credentials.
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    org_url: Option<String>,
    credentials: Option<Credentials>,
    transport: Transport,
    stack: StackConfig,
    call_layers: UserLayers,
    attempt_layers: UserLayers,
}

/// Layers of the caller's own, in the order given.
#[derive(Default, Clone)]
struct UserLayers(Vec<UserLayer>);

impl std::fmt::Debug for UserLayers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} layer(s)", self.0.len())
    }
}

#[derive(Debug)]
enum Transport {
    /// Built by `build()` from these settings.
    Settings {
        builder: HyperTransportBuilder,
        changed: bool,
    },
    /// Given ready-made; `conflict` if settings were given too.
    Given {
        transport: HyperTransport,
        conflict: bool,
    },
}

impl Default for Transport {
    fn default() -> Self {
        Transport::Settings {
            builder: HyperTransportBuilder::new(),
            changed: false,
        }
    }
}

impl ClientBuilder {
    /// An empty builder: an org URL and credentials are still needed.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with the org URL from `OKTA_CLIENT_ORGURL` and an API token from
    /// `OKTA_CLIENT_TOKEN`, where set (and not empty); it can be configured further.
    pub fn from_env() -> Self {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for tests, or
    /// another configuration source).
    pub fn from_env_with(mut lookup: impl FnMut(&str) -> Option<String>) -> Self {
        let mut builder = Self::new();
        let mut read = |name| lookup(name).filter(|value: &String| !value.trim().is_empty());
        if let Some(org_url) = read(ORG_URL_ENV) {
            builder = builder.org_url(org_url);
        }
        if let Some(token) = read(TOKEN_ENV) {
            builder = builder.api_token(token);
        }
        builder
    }

    /// The org's URL, `https://<your-org>.okta.com` (a trailing `/` is fine; no path or query).
    pub fn org_url(mut self, url: impl Into<String>) -> Self {
        self.org_url = Some(url.into());
        self
    }

    /// Authenticates with an Okta API token (`Authorization: SSWS …`).
    pub fn api_token(self, token: impl Into<SecretToken>) -> Self {
        self.credentials(Credentials::api_token(token))
    }

    /// Authenticates with an OAuth 2.0 access token obtained elsewhere (`Authorization: Bearer …`).
    pub fn access_token(self, token: impl Into<SecretToken>) -> Self {
        self.credentials(Credentials::access_token(token))
    }

    /// Authenticates with `credentials`, replacing any given before.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Uses a ready-made transport (to share its connection pool between clients). Do not
    /// combine with the transport settings below: [`build`](Self::build) would refuse.
    pub fn transport(mut self, transport: HyperTransport) -> Self {
        let conflict = matches!(self.transport, Transport::Settings { changed: true, .. });
        self.transport = Transport::Given {
            transport,
            conflict,
        };
        self
    }

    /// The longest time to connect, TCP and TLS together (default 10 s).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.with_transport(|builder| builder.connect_timeout(timeout))
    }

    /// The largest response body accepted, in bytes (default 16 MiB).
    pub fn max_response_size(self, bytes: usize) -> Self {
        self.with_transport(|builder| builder.max_response_size(bytes))
    }

    /// The longest gap between two chunks of a response body (default 30 s; `None`: no limit).
    pub fn body_idle_timeout(self, timeout: Option<Duration>) -> Self {
        self.with_transport(|builder| builder.body_idle_timeout(timeout))
    }

    /// Trusts `certificate` as a root in addition to the built-in Mozilla roots.
    pub fn add_root_certificate(self, certificate: CertificateDer<'static>) -> Self {
        self.with_transport(|builder| builder.add_root_certificate(certificate))
    }

    /// Replaces the middleware's settings: timeouts, retry policy and budget, rate-limit pacing
    /// and backoff (see [`StackConfig`] for every default).
    pub fn stack_config(mut self, config: StackConfig) -> Self {
        self.stack = config;
        self
    }

    /// Changes some of the middleware's settings in place.
    ///
    /// ```
    /// let builder = okta_client::Client::builder()
    ///     .configure_stack(|stack| stack.retry.max_attempts = 5);
    /// # drop(builder);
    /// ```
    pub fn configure_stack(mut self, change: impl FnOnce(&mut StackConfig)) -> Self {
        change(&mut self.stack);
        self
    }

    /// Adds a layer of your own around the whole call (outside tracing, timeouts, rate limiting
    /// and retries); the first added is the outermost. The stack is then type-erased once
    /// ([`BoxedService`]), which costs a box per call.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), okta_client::BuildError> {
    /// let client = okta_client::Client::builder()
    ///     .org_url("https://dev-123.okta.com")
    ///     .api_token("00abc")
    ///     .layer(tower::limit::ConcurrencyLimitLayer::new(16))
    ///     .build()?;
    /// # drop(client); Ok(()) }
    /// ```
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<BoxedService> + Send + Sync + 'static,
        L::Service: Service<
                http::Request<RequestBody>,
                Response = http::Response<http_body_util::Full<bytes::Bytes>>,
            > + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<http::Request<RequestBody>>>::Error: Into<BoxError>,
        <L::Service as Service<http::Request<RequestBody>>>::Future: Send + 'static,
    {
        self.call_layers.0.push(erase(layer));
        self
    }

    /// Adds a layer of your own around each attempt (inside retries and rate limiting, outside
    /// the base URI, auth and transport); the first added is the outermost.
    pub fn attempt_layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<BoxedService> + Send + Sync + 'static,
        L::Service: Service<
                http::Request<RequestBody>,
                Response = http::Response<http_body_util::Full<bytes::Bytes>>,
            > + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<http::Request<RequestBody>>>::Error: Into<BoxError>,
        <L::Service as Service<http::Request<RequestBody>>>::Future: Send + 'static,
    {
        self.attempt_layers.0.push(erase(layer));
        self
    }

    fn with_transport(
        mut self,
        change: impl FnOnce(HyperTransportBuilder) -> HyperTransportBuilder,
    ) -> Self {
        self.transport = match self.transport {
            Transport::Settings { builder, .. } => Transport::Settings {
                builder: change(builder),
                changed: true,
            },
            Transport::Given { transport, .. } => Transport::Given {
                transport,
                conflict: true,
            },
        };
        self
    }

    /// Checks the configuration and builds the client. Needs no Tokio runtime; sending does.
    pub fn build(self) -> Result<Client, BuildError> {
        let org = parse_org_url(self.org_url.as_deref().ok_or(BuildError::MissingOrgUrl)?)?;
        let credentials = self.credentials.ok_or(BuildError::MissingCredentials)?;
        let auth = AuthLayer::new(org.clone(), &credentials).map_err(|error| match error {
            okta_users::Error::InvalidInput { reason, .. } => {
                BuildError::InvalidCredentials { reason }
            }
            _ => BuildError::InvalidCredentials {
                reason: "the token cannot be sent".to_owned(),
            },
        })?;
        let transport = match self.transport {
            Transport::Settings { builder, .. } => builder.build()?,
            Transport::Given { conflict: true, .. } => return Err(BuildError::TransportConflict),
            Transport::Given {
                transport,
                conflict: false,
            } => transport,
        };
        let middleware = okta_layers::stack::layers(&self.stack);
        let parts = StackParts {
            org: org.clone(),
            auth,
            middleware: middleware.clone(),
            call_layers: self.call_layers.0,
            attempt_layers: self.attempt_layers.0,
        };
        let service = default_stack(parts, transport);
        Ok(Client {
            service,
            org,
            middleware,
        })
    }
}

fn erase<L>(layer: L) -> UserLayer
where
    L: Layer<BoxedService> + Send + Sync + 'static,
    L::Service: Service<
            http::Request<RequestBody>,
            Response = http::Response<http_body_util::Full<bytes::Bytes>>,
        > + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<http::Request<RequestBody>>>::Error: Into<BoxError>,
    <L::Service as Service<http::Request<RequestBody>>>::Future: Send + 'static,
{
    std::sync::Arc::new(move |inner: BoxedService| {
        BoxedService::new(layer.layer(inner).map_err(Into::into))
    })
}

/// Parses and checks an org URL: `https://host[:port][/]`, or `http://` for a loopback host.
fn parse_org_url(url: &str) -> Result<OrgUrl, BuildError> {
    let invalid = |reason: String| BuildError::InvalidOrgUrl { reason };
    let uri: Uri = url
        .trim()
        .parse()
        .map_err(|error: http::uri::InvalidUri| invalid(error.to_string()))?;
    let org = OrgUrl::from_uri(&uri).map_err(|error| match error {
        okta_users::Error::InvalidInput { reason, .. } => invalid(reason),
        other => invalid(other.to_string()),
    })?;
    if *org.scheme() == Scheme::HTTPS {
        Ok(org)
    } else if *org.scheme() == Scheme::HTTP {
        if is_loopback(org.host()) {
            Ok(org)
        } else {
            Err(BuildError::InsecureOrgUrl {
                host: org.host().to_owned(),
            })
        }
    } else {
        Err(invalid(format!(
            "unsupported scheme {} (expected https)",
            org.scheme()
        )))
    }
}

/// `localhost`, `127.0.0.0/8` or `::1` (IPv6 hosts come in brackets).
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "00s3cr3t-token";

    fn build(url: &str) -> Result<Client, BuildError> {
        ClientBuilder::new().org_url(url).api_token(TOKEN).build()
    }

    #[test]
    fn https_orgs_build_with_or_without_a_trailing_slash() {
        for url in [
            "https://dev-123.okta.com",
            "https://dev-123.okta.com/",
            " https://dev-123.okta.com:8443\n",
        ] {
            let client = build(url).unwrap_or_else(|error| panic!("{url}: {error}"));
            assert_eq!(client.org_url().host(), "dev-123.okta.com");
        }
    }

    #[test]
    fn plain_http_is_refused_unless_the_host_is_loopback() {
        for url in [
            "http://dev-123.okta.com",
            "http://10.0.0.1:8080",
            "http://localhost.evil.example",
        ] {
            let error = build(url).unwrap_err();
            assert!(
                matches!(error, BuildError::InsecureOrgUrl { .. }),
                "{url}: {error:?}"
            );
        }
        for url in [
            "http://localhost:8080",
            "http://127.0.0.1:1234/",
            "http://127.1.2.3",
            "http://[::1]:8080",
        ] {
            build(url).unwrap_or_else(|error| panic!("{url}: {error}"));
        }
    }

    #[test]
    fn bad_urls_are_refused() {
        for url in [
            "dev-123.okta.com",
            "https://",
            "https://dev-123.okta.com/api/v1",
            "https://dev-123.okta.com/?x=1",
            "https://user:pw@dev-123.okta.com",
            "ftp://dev-123.okta.com",
            "not a url",
        ] {
            let error = build(url).unwrap_err();
            assert!(
                matches!(error, BuildError::InvalidOrgUrl { .. }),
                "{url}: {error:?}"
            );
        }
    }

    #[test]
    fn missing_or_unusable_credentials_are_refused_without_naming_the_token() {
        let error = ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .build()
            .unwrap_err();
        assert!(matches!(error, BuildError::MissingCredentials), "{error:?}");
        let error = ClientBuilder::new().api_token(TOKEN).build().unwrap_err();
        assert!(matches!(error, BuildError::MissingOrgUrl), "{error:?}");
        let bad = "00s3cr3t\ntoken";
        let error = ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .api_token(bad)
            .build()
            .unwrap_err();
        assert!(
            matches!(error, BuildError::InvalidCredentials { .. }),
            "{error:?}"
        );
        assert!(
            !error.to_string().contains("00s3cr3t") && !format!("{error:?}").contains("00s3cr3t")
        );
    }

    #[test]
    fn env_variables_configure_org_and_token() {
        let builder = ClientBuilder::from_env_with(|name| match name {
            "OKTA_CLIENT_ORGURL" => Some("https://dev-456.okta.com/".to_owned()),
            "OKTA_CLIENT_TOKEN" => Some(TOKEN.to_owned()),
            _ => None,
        });
        let client = builder.build().unwrap();
        assert_eq!(client.org_url().to_string(), "https://dev-456.okta.com");
    }

    #[test]
    fn env_variables_can_be_overridden_and_empty_ones_count_as_unset() {
        let client = ClientBuilder::from_env_with(|name| {
            (name == ORG_URL_ENV).then(|| "https://a.okta.com".to_owned())
        })
        .org_url("https://b.okta.com")
        .api_token(TOKEN)
        .build()
        .unwrap();
        assert_eq!(client.org_url().host(), "b.okta.com");
        let error = ClientBuilder::from_env_with(|name| {
            Some(if name == ORG_URL_ENV {
                "https://a.okta.com".to_owned()
            } else {
                String::new()
            })
        })
        .build()
        .unwrap_err();
        assert!(matches!(error, BuildError::MissingCredentials), "{error:?}");
        let error = ClientBuilder::from_env_with(|_| None).build().unwrap_err();
        assert!(matches!(error, BuildError::MissingOrgUrl), "{error:?}");
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let builder = ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .api_token(TOKEN);
        let builder_text = format!("{builder:?}");
        let client = builder.build().unwrap();
        let client_text = format!("{client:?} {:?} {client:#?}", client.users());
        for text in [builder_text, client_text] {
            assert!(!text.contains(TOKEN) && !text.contains("s3cr3t"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
    }

    #[test]
    fn transport_settings_and_a_ready_transport_conflict() {
        let transport = HyperTransport::builder().build().unwrap();
        let error = ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .api_token(TOKEN)
            .connect_timeout(Duration::from_secs(1))
            .transport(transport.clone())
            .build()
            .unwrap_err();
        assert!(matches!(error, BuildError::TransportConflict), "{error:?}");
        ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .api_token(TOKEN)
            .transport(transport)
            .build()
            .unwrap();
    }
}
