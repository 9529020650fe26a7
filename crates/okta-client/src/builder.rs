//! [`ClientBuilder`]: org URL, credentials, transport; validated by [`ClientBuilder::build`].

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use http::Uri;
use http::uri::Scheme;
use okta_hyper::{CertificateDer, HyperTransport, HyperTransportBuilder, Proxy};
use okta_layers::ConfigError;
use okta_layers::auth::{Credentials, DpopMode, PrivateKey, SecretToken, TokenProvider};
use okta_layers::base_uri::OrgUrl;
use okta_layers::rate_limit::{RateLimiter, Scope, StateStore};

use crate::client::Client;
use crate::config::keys;
use crate::error::BuildError;
use crate::stack::{ClientLayer, UserLayers, client_service};
use okta_layers::stack::{Stack, StackConfig, StackLayer};
use tower_layer::Layer;

// The variables' names are the configuration's (`config::keys`): `from_config_sources` hands
// the merged files and variables to `from_env_with` under them.

/// `OKTA_CLIENT_ORGURL`: the environment variable holding the org URL, as in Okta's other SDKs.
pub const ORG_URL_ENV: &str = keys::ORG_URL.var;
/// `OKTA_CLIENT_TOKEN`: the environment variable holding an API token (`SSWS`), as in Okta's
/// other SDKs.
pub const TOKEN_ENV: &str = keys::TOKEN.var;
/// `SSWS` (default), `PrivateKey` or `Bearer`, as in Okta's other SDKs.
const AUTHORIZATION_MODE_ENV: &str = keys::AUTHORIZATION_MODE.var;
/// The OAuth service app's client id (`PrivateKey` mode).
const CLIENT_ID_ENV: &str = keys::CLIENT_ID.var;
/// The scopes to ask for, comma or space separated (`PrivateKey` mode).
const SCOPES_ENV: &str = keys::SCOPES.var;
/// The private key: PEM or JWK, or the path of a file holding either (`PrivateKey` mode).
const PRIVATE_KEY_ENV: &str = keys::PRIVATE_KEY.var;
/// The private key as a JWK, as Okta's Go SDK reads it (`PrivateKey` mode).
const JWK_ENV: &str = keys::JWK.var;
/// The key's id, sent as the assertion's `kid` header (`PrivateKey` mode, optional), by the
/// names Okta's SDKs give it: Python's, Go's, Node's.
const KEY_ID_ENVS: [&str; 3] = [
    keys::KEY_ID.var,
    keys::KEY_ID.var_aliases[0],
    keys::KEY_ID.var_aliases[1],
];
/// DPoP: `true`, `false` (as Okta's Python SDK reads it) or `auto` (the default).
const DPOP_ENV: &str = keys::DPOP_ENABLED.var;

/// Configures a [`Client`]; start with [`Client::builder`] or [`ClientBuilder::from_env`].
///
/// Its `Debug` output never shows the credentials.
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    org_url: Option<String>,
    credentials: Option<Credentials>,
    /// Why credentials given to [`ClientBuilder::private_key`] or read from the environment
    /// are unusable, reported by `build()` (without any secret).
    credentials_error: Option<BuildError>,
    dpop_mode: Option<DpopMode>,
    dpop_key: Option<PrivateKey>,
    transport: Transport,
    stack: StackConfig,
    call_layers: UserLayers,
    attempt_layers: UserLayers,
    rate_limit: RateLimitSource,
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

    /// A builder configured from Okta's SDK environment variables for the org and the
    /// credentials, where set (and not empty): the variables of the rows `orgUrl` to
    /// `dpopEnabled` of the *Configuration* table in the [crate docs](crate#configuration). It
    /// can be configured further.
    ///
    /// Missing or unusable `PrivateKey` settings are reported by [`build`](Self::build). For
    /// the rest of Okta's variables (timeouts, proxy, user agent) and its `okta.yaml` files, use
    /// [`from_okta_config`](Self::from_okta_config).
    pub fn from_env() -> Self {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for tests, or
    /// another configuration source).
    pub fn from_env_with(mut lookup: impl FnMut(&str) -> Option<String>) -> Self {
        let mut builder = Self::new();
        let mut read = |name: &str| lookup(name).filter(|value: &String| !value.trim().is_empty());
        if let Some(org_url) = read(ORG_URL_ENV) {
            builder = builder.org_url(org_url);
        }
        if let Some(dpop) = read(DPOP_ENV) {
            match dpop.parse::<DpopMode>() {
                Ok(mode) => builder.dpop_mode = Some(mode),
                Err(_) => {
                    return builder.credentials_failed(invalid_credentials(format!(
                        "{DPOP_ENV}={dpop:?}: expected {}",
                        keys::DPOP_MODES
                    )));
                }
            }
        }
        let mode = read(AUTHORIZATION_MODE_ENV);
        match mode.as_deref().map(str::trim) {
            None => {}
            Some(mode) if mode.eq_ignore_ascii_case("SSWS") => {}
            Some(mode) if mode.eq_ignore_ascii_case("PrivateKey") => {
                return builder.private_key_from_env(read);
            }
            Some(mode)
                if mode.eq_ignore_ascii_case("Bearer")
                    || mode.eq_ignore_ascii_case("BearerToken") =>
            {
                if let Some(token) = read(TOKEN_ENV) {
                    builder = builder.access_token(token);
                }
                return builder;
            }
            Some(mode) => {
                return builder.credentials_failed(invalid_credentials(format!(
                    "{AUTHORIZATION_MODE_ENV}={mode:?} is not supported (SSWS, PrivateKey or Bearer)"
                )));
            }
        }
        if let Some(token) = read(TOKEN_ENV) {
            builder = builder.api_token(token);
        }
        builder
    }

    /// `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey`: client id, scopes, key and key id.
    fn private_key_from_env(self, mut read: impl FnMut(&str) -> Option<String>) -> Self {
        let missing = |name: &str| {
            invalid_credentials(format!("{AUTHORIZATION_MODE_ENV}=PrivateKey needs {name}"))
        };
        let Some(client_id) = read(CLIENT_ID_ENV) else {
            return self.credentials_failed(missing(CLIENT_ID_ENV));
        };
        let Some(scopes) = read(SCOPES_ENV) else {
            return self.credentials_failed(missing(SCOPES_ENV));
        };
        let (name, value) = match (read(PRIVATE_KEY_ENV), read(JWK_ENV)) {
            (Some(key), None) => (PRIVATE_KEY_ENV, key),
            (None, Some(jwk)) => (JWK_ENV, jwk),
            (None, None) => return self.credentials_failed(missing(PRIVATE_KEY_ENV)),
            (Some(_), Some(_)) => {
                return self.credentials_failed(invalid_credentials(format!(
                    "both {PRIVATE_KEY_ENV} and {JWK_ENV} are set: give the key once"
                )));
            }
        };
        // A relative path: from the working directory.
        let key = match private_key_text(&value, Path::new("")) {
            Ok((text, _)) => PrivateKey::from_pem_or_jwk(text),
            Err(reason) => {
                return self.credentials_failed(invalid_credentials(format!("{name} {reason}")));
            }
        };
        let key = match key {
            Ok(key) => key,
            Err(ConfigError::InvalidPrivateKey { reason }) => {
                return self.credentials_failed(invalid_credentials(format!("{name}: {reason}")));
            }
            Err(error) => return self.credentials_failed(error.into()),
        };
        let key_ids: Vec<(&str, String)> = KEY_ID_ENVS
            .iter()
            .filter_map(|name| Some((*name, read(name)?.trim().to_owned())))
            .collect();
        let key = match key_ids.as_slice() {
            [] => key,
            [(_, kid), rest @ ..] if rest.iter().all(|(_, other)| other == kid) => {
                key.with_key_id(kid.as_str())
            }
            _ => {
                let names: Vec<&str> = key_ids.iter().map(|(name, _)| *name).collect();
                return self.credentials_failed(invalid_credentials(format!(
                    "{} name different key ids",
                    names.join(" and ")
                )));
            }
        };
        let scopes = scopes
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|scope| !scope.is_empty())
            .map(str::to_owned);
        self.credentials(Credentials::private_key(client_id.trim(), key, scopes))
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

    /// Authenticates with OAuth 2.0 client credentials and `private_key_jwt`: the service app
    /// `client_id`, its private key `pem` (PEM: PKCS#8 RSA or EC P-256, PKCS#1 RSA, SEC1 EC;
    /// or a JWK, as Okta's admin console generates it; the algorithm, RS256 or ES256, is read
    /// from the key) and the `scopes` to ask for. Access tokens are then fetched from the org's
    /// `/oauth2/v1/token`, cached and refreshed before they expire, DPoP-bound when the app
    /// requires it ([`dpop`](Self::dpop)). An unusable key is reported by
    /// [`build`](Self::build), without the key. For a `kid` other than a JWK's own, give
    /// [`Credentials::private_key`] to [`credentials`](Self::credentials).
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let pem = std::fs::read_to_string("okta-service-app.pem")?;
    /// let client = okta_client::Client::builder()
    ///     .org_url("https://dev-123.okta.com")
    ///     .private_key("0oa1b2c3d4e5f6g7h8i9", pem, ["okta.users.read", "okta.users.manage"])
    ///     .build()?;
    /// # drop(client); Ok(()) }
    /// ```
    pub fn private_key(
        self,
        client_id: impl Into<String>,
        pem: impl AsRef<[u8]>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        match PrivateKey::from_pem_or_jwk(pem) {
            Ok(key) => self.credentials(Credentials::private_key(client_id, key, scopes)),
            Err(error) => self.credentials_failed(error.into()),
        }
    }

    /// Records unusable credentials, for `build()` to report.
    fn credentials_failed(mut self, error: BuildError) -> Self {
        self.credentials = None;
        self.credentials_error = Some(error);
        self
    }

    /// Authenticates with `credentials`, replacing any given before.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials_error = None;
        self.credentials = Some(credentials);
        self
    }

    /// Authenticates with OAuth 2.0 access tokens from `provider` (a vault, a sidecar, your
    /// own refresh; a closure with [`token_fn`](crate::token_fn)): the client caches them,
    /// asks once for any number of concurrent calls, and asks again shortly before one expires
    /// or after the API refused it (see [`Credentials::token_provider`]).
    pub fn token_provider(self, provider: impl TokenProvider) -> Self {
        self.credentials(Credentials::token_provider(provider))
    }

    /// DPoP (RFC 9449) for OAuth credentials the client gets tokens for
    /// ([`private_key`](Self::private_key), [`token_provider`](Self::token_provider)):
    /// [`DpopMode::Auto`] by default — on once the token endpoint asks for it, as Okta does
    /// for apps with "Require DPoP" (the default for new API service apps), then for the
    /// client's lifetime; `On` sends a proof from the first token request; `Off` never.
    /// `build()` refuses `On` with an API token or a fixed access token.
    pub fn dpop(mut self, mode: DpopMode) -> Self {
        self.dpop_mode = Some(mode);
        self
    }

    /// Signs DPoP proofs with `key` (RS256 or ES256) instead of an ES256 key generated for the
    /// client when it is built.
    pub fn dpop_key(mut self, key: PrivateKey) -> Self {
        self.dpop_key = Some(key);
        self
    }

    /// The credentials with the DPoP settings applied.
    fn credentials_with_dpop(&mut self) -> Result<Credentials, BuildError> {
        let mut credentials = self
            .credentials
            .take()
            .ok_or(BuildError::MissingCredentials)?;
        if credentials.dpop_mode().is_none()
            && (self.dpop_mode == Some(DpopMode::On) || self.dpop_key.is_some())
        {
            return Err(invalid_credentials(
                "DPoP binds OAuth tokens the client gets (private_key, token_provider); an API token or a fixed access token cannot use it".into(),
            ));
        }
        if let Some(mode) = self.dpop_mode {
            credentials = credentials.with_dpop(mode);
        }
        if let Some(key) = self.dpop_key.take() {
            credentials = credentials.with_dpop_key(key);
        }
        Ok(credentials)
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

    /// Trusts `certificate` as a root in addition to the roots of the enabled trust feature
    /// (`webpki-roots`, the default, or `platform-verifier`).
    pub fn add_root_certificate(self, certificate: CertificateDer<'static>) -> Self {
        self.with_transport(|builder| builder.add_root_certificate(certificate))
    }

    /// Trusts every certificate in the PEM file at `path` as a root (read by `build()`, which
    /// reports an unreadable file or one without certificates).
    pub fn add_root_certificates_pem_file(self, path: impl Into<std::path::PathBuf>) -> Self {
        self.with_transport(|builder| builder.add_root_certificates_pem_file(path))
    }

    /// Sends requests through `proxy` instead of the one named by `https_proxy` /
    /// `http_proxy` / `all_proxy` / `no_proxy` (read by default; see [`Proxy::from_env`]).
    pub fn proxy(self, proxy: Proxy) -> Self {
        self.with_transport(|builder| builder.proxy(proxy))
    }

    /// Connects straight to the org, whatever the proxy variables say.
    pub fn no_proxy(self) -> Self {
        self.with_transport(HyperTransportBuilder::no_proxy)
    }

    /// Whether to ask for gzip/deflate responses and decompress them (default: on, for list
    /// pages: a single resource is asked uncompressed; the body cap applies to the
    /// decompressed size).
    pub fn response_compression(self, enabled: bool) -> Self {
        self.with_transport(|builder| builder.response_compression(enabled))
    }

    /// Appends an application's own `name/version` to the `User-Agent`, as Okta's SDKs allow:
    /// `okta-users-rs/0.1.0 rust/1.88.0 linux/x86_64 my-app/2.1`. A suffix that cannot be
    /// sent (not printable ASCII, over 256 bytes) is reported by [`build`](Self::build).
    pub fn user_agent_suffix(self, suffix: impl Into<String>) -> Self {
        let suffix = suffix.into();
        self.configure_stack(|stack| stack.user_agent_suffix = Some(suffix))
    }

    /// Whether spans record `url.full` whole — user ids and logins in the path, search terms
    /// in the query (default: `false`: they read `REDACTED`; see `okta_layers::trace`).
    pub fn record_url_pii(self, record: bool) -> Self {
        self.configure_stack(|stack| stack.record_url_pii = record)
    }

    /// Replaces the middleware's settings: timeouts, retry policy and budget, rate-limit pacing
    /// and backoff (every default: the [crate docs](crate#defaults)).
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

    /// Paces with `limiter`, shared with every client given it: clients of one org and
    /// principal in one process then spend one budget. The limiter's own settings apply (the
    /// stack's `rate_limit` settings are ignored). Replaces [`rate_limit_store`](Self::rate_limit_store).
    ///
    /// ```
    /// use okta_layers::rate_limit::{RateLimitConfig, RateLimiter};
    /// let limiter = RateLimiter::new(RateLimitConfig::default());
    /// let builder = || okta_client::Client::builder()
    ///     .org_url("https://dev-123.okta.com")
    ///     .api_token("00abc")
    ///     .rate_limiter(limiter.clone());
    /// let (first, second) = (builder().build().unwrap(), builder().build().unwrap());
    /// # drop((first, second));
    /// ```
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.rate_limit = RateLimitSource::Limiter(limiter);
        self
    }

    /// Keeps the rate limiter's state in `store`, opened for this org and principal (the token's
    /// hash or the OAuth client id): with `okta_fleet::RedisStore`, every replica of a fleet
    /// shares one budget. The stack's `rate_limit` settings apply. Without it the state is in
    /// this process, paced adaptively (`RateLimitConfig::adaptive`). Replaces
    /// [`rate_limiter`](Self::rate_limiter).
    pub fn rate_limit_store(mut self, store: impl StateStore) -> Self {
        self.rate_limit = RateLimitSource::Store(std::sync::Arc::new(store));
        self
    }

    /// Adds a layer of your own around the whole call (outside tracing, timeouts, rate limiting
    /// and retries); the first added is the outermost. The stack is then type-erased once
    /// ([`BoxedService`](crate::BoxedService)), which costs a box per call.
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
    pub fn layer(mut self, layer: impl ClientLayer) -> Self {
        self.call_layers.0.push(std::sync::Arc::new(layer));
        self
    }

    /// Adds a layer of your own around each attempt (inside retries and rate limiting, outside
    /// the base URI, auth and transport); the first added is the outermost.
    pub fn attempt_layer(mut self, layer: impl ClientLayer) -> Self {
        self.attempt_layers.0.push(std::sync::Arc::new(layer));
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
        let (parts, transport) = self.prepare()?;
        let transport = match transport {
            Transport::Settings { builder, .. } => builder.build()?,
            Transport::Given { conflict: true, .. } => return Err(BuildError::TransportConflict),
            Transport::Given {
                transport,
                conflict: false,
            } => transport,
        };
        let org = parts.stack.org().clone();
        let rate_limiter = parts.stack.rate_limiter().clone();
        let service = client_service(
            parts.stack,
            &parts.call_layers,
            parts.attempt_layers,
            transport,
        );
        Ok(Client {
            service,
            org,
            rate_limiter,
        })
    }

    /// Checks the configuration and builds the default stack over a transport of your own —
    /// any `tower::Service` of absolute-URI requests, such as an in-memory fake or another HTTP
    /// client — to run the façade over with [`okta_users::Users::new`]. Transport settings and
    /// caller layers are refused here rather than ignored: wrap the result in your layers.
    ///
    /// ```
    /// # fn run() -> Result<(), okta_client::BuildError> {
    /// let fake = tower::service_fn(|_request: http::Request<okta_users::RequestBody>| async {
    ///     Ok::<_, okta_users::BoxError>(http::Response::new(okta_users::RequestBody::default()))
    /// });
    /// let service: okta_client::Stack<_> = okta_client::Client::builder()
    ///     .org_url("https://dev-123.okta.com")
    ///     .api_token("00abc")
    ///     .build_service(fake)?;
    /// let users = okta_users::Users::new(service);
    /// # drop(users); Ok(()) }
    /// ```
    pub fn build_service<T: Clone>(self, transport: T) -> Result<Stack<T>, BuildError> {
        let (parts, configured) = self.prepare()?;
        if !matches!(configured, Transport::Settings { changed: false, .. }) {
            return Err(BuildError::TransportConflict);
        }
        if !parts.call_layers.is_empty() || !parts.attempt_layers.is_empty() {
            return Err(BuildError::CallerLayers);
        }
        Ok(parts.stack.layer(transport))
    }

    /// Checks everything but the transport.
    fn prepare(mut self) -> Result<(Parts, Transport), BuildError> {
        let org = parse_org_url(self.org_url.as_deref().ok_or(BuildError::MissingOrgUrl)?)?;
        if let Some(error) = self.credentials_error {
            return Err(error);
        }
        let credentials = self.credentials_with_dpop()?;
        let scope = Scope::new(org.authority().as_str(), &credentials);
        let stack = StackLayer::new(&self.stack, org, &credentials)?;
        let stack = match self.rate_limit {
            RateLimitSource::Own => stack,
            RateLimitSource::Limiter(limiter) => stack.with_rate_limiter(limiter),
            RateLimitSource::Store(store) => stack.with_rate_limiter(RateLimiter::with_store(
                self.stack.rate_limit.clone(),
                store.as_ref(),
                &scope,
            )),
        };
        let parts = Parts {
            stack,
            call_layers: self.call_layers,
            attempt_layers: self.attempt_layers,
        };
        Ok((parts, self.transport))
    }
}

/// Where the rate limiter comes from.
#[derive(Default)]
enum RateLimitSource {
    /// Its own, in this process.
    #[default]
    Own,
    /// One shared with other clients.
    Limiter(RateLimiter),
    /// Its own, over a state this store opens.
    Store(std::sync::Arc<dyn StateStore>),
}

impl std::fmt::Debug for RateLimitSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RateLimitSource::Own => "Own",
            RateLimitSource::Limiter(_) => "Limiter",
            RateLimitSource::Store(_) => "Store",
        })
    }
}

/// A checked configuration, but for the transport.
struct Parts {
    stack: StackLayer,
    call_layers: UserLayers,
    attempt_layers: UserLayers,
}

/// Parses and checks an org URL: `https://host[:port][/]`, or `http://` for a loopback host.
fn parse_org_url(url: &str) -> Result<OrgUrl, BuildError> {
    let invalid = |reason: String| BuildError::InvalidOrgUrl { reason };
    let uri: Uri = url
        .trim()
        .parse()
        .map_err(|error: http::uri::InvalidUri| invalid(error.to_string()))?;
    let org = OrgUrl::from_uri(&uri)?;
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

fn invalid_credentials(reason: String) -> BuildError {
    BuildError::InvalidCredentials { reason }
}

/// A private key setting's text: the value itself when it is a PEM key (with `\n` escapes
/// turned into line breaks, as single-line variables often carry them) or a JWK, else the
/// contents of the file it names (a relative path from `dir`), with `true`. The one reading of
/// `OKTA_CLIENT_PRIVATEKEY` and `okta.yaml`'s `privateKey`.
pub(crate) fn private_key_text(value: &str, dir: &Path) -> Result<(String, bool), String> {
    if value.contains("-----BEGIN") {
        let pem = if value.contains('\n') {
            value.to_owned()
        } else {
            value.replace("\\n", "\n")
        };
        return Ok((pem, false));
    }
    if value.trim_start().starts_with('{') {
        return Ok((value.to_owned(), false));
    }
    let path = dir.join(value.trim());
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok((text, true)),
        Err(error) => Err(format!(
            "is neither a PEM key, a JWK nor a readable file ({}: {error})",
            path.display()
        )),
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
    use okta_layers::auth::PrivateKeyJwt;

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

    const RSA_PEM: &str = include_str!("../../okta-mock/tests/keys/rsa_private.pem");
    const EC_PEM: &str = include_str!("../../okta-mock/tests/keys/ec_private.pem");

    fn private_key_env(overrides: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> + use<> {
        let mut vars: std::collections::HashMap<String, String> = [
            (ORG_URL_ENV, "https://dev-123.okta.com"),
            (AUTHORIZATION_MODE_ENV, "PrivateKey"),
            (CLIENT_ID_ENV, "0oa-app"),
            (SCOPES_ENV, "okta.users.read,okta.users.manage"),
            (PRIVATE_KEY_ENV, RSA_PEM),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (name, value) in overrides {
            vars.insert((*name).to_owned(), (*value).to_owned());
        }
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn private_key_credentials_build_from_a_pem_and_hide_the_key() {
        for pem in [RSA_PEM, EC_PEM] {
            let builder = ClientBuilder::new()
                .org_url("https://dev-123.okta.com")
                .private_key("0oa-app", pem, ["okta.users.read"]);
            let text = format!("{builder:?}");
            let client = builder.build().unwrap();
            let text = format!("{text} {client:?}");
            assert!(!text.contains("PRIVATE KEY"), "{text}");
            for line in pem.lines().filter(|l| !l.starts_with("-----")) {
                assert!(!text.contains(line), "{text}");
            }
        }
    }

    #[test]
    fn an_unusable_private_key_is_reported_by_build_until_replaced() {
        let bad = "-----BEGIN PRIVATE KEY-----\nAAAAs3cr3t\n-----END PRIVATE KEY-----\n";
        let builder = ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .private_key("0oa-app", bad, ["okta.users.read"]);
        let error = builder.build().unwrap_err();
        assert!(
            matches!(error, BuildError::InvalidCredentials { .. }),
            "{error:?}"
        );
        assert!(!format!("{error} {error:?}").contains("s3cr3t"));
        let error = ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .private_key("0oa-app", RSA_PEM, Vec::<String>::new())
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("no scopes"), "{error}");
        ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .private_key("0oa-app", bad, ["okta.users.read"])
            .api_token(TOKEN)
            .build()
            .unwrap();
    }

    #[test]
    fn env_variables_configure_private_key_credentials() {
        ClientBuilder::from_env_with(private_key_env(&[]))
            .build()
            .unwrap();
        // Space separated scopes, a kid, mode in another case, a PEM with \n escapes.
        let escaped = EC_PEM.replace('\n', "\\n");
        ClientBuilder::from_env_with(private_key_env(&[
            (AUTHORIZATION_MODE_ENV, "privatekey"),
            (SCOPES_ENV, "okta.users.read okta.users.manage"),
            (PRIVATE_KEY_ENV, &escaped),
            (KEY_ID_ENVS[0], "kid-1"),
        ]))
        .build()
        .unwrap();
        // A path to a PEM file.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../okta-mock/tests/keys/ec_private.pem"
        );
        ClientBuilder::from_env_with(private_key_env(&[(PRIVATE_KEY_ENV, path)]))
            .build()
            .unwrap();
    }

    #[test]
    fn missing_or_unusable_private_key_variables_are_reported_by_build() {
        for (overrides, expected) in [
            (&[(CLIENT_ID_ENV, "")][..], CLIENT_ID_ENV),
            (&[(SCOPES_ENV, " ")][..], SCOPES_ENV),
            (&[(PRIVATE_KEY_ENV, "")][..], PRIVATE_KEY_ENV),
            (
                &[(PRIVATE_KEY_ENV, "/no/such/key.pem")][..],
                "/no/such/key.pem",
            ),
            (&[(AUTHORIZATION_MODE_ENV, "Magic")][..], "Magic"),
        ] {
            let error = ClientBuilder::from_env_with(private_key_env(overrides))
                .build()
                .unwrap_err();
            assert!(
                matches!(&error, BuildError::InvalidCredentials { reason } if reason.contains(expected)),
                "{expected}: {error:?}"
            );
        }
        let error = ClientBuilder::from_env_with(private_key_env(&[(
            PRIVATE_KEY_ENV,
            "-----BEGIN PRIVATE KEY-----\ns3cr3t\n-----END PRIVATE KEY-----",
        )]))
        .build()
        .unwrap_err();
        assert!(!format!("{error} {error:?}").contains("s3cr3t"), "{error}");
    }

    const EC_JWK: &str = include_str!("../../okta-mock/tests/keys/ec_private.jwk.json");

    /// The `PrivateKey` credentials `from_env_with` built, with their key's id.
    fn env_private_key(overrides: &[(&str, &str)]) -> Result<PrivateKeyJwt, BuildError> {
        let builder = ClientBuilder::from_env_with(private_key_env(overrides));
        if let Some(error) = builder.credentials_error {
            return Err(error);
        }
        match builder.credentials {
            Some(Credentials::PrivateKey(client)) => Ok(client),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn env_variables_take_a_jwk_and_the_key_id_by_any_sdks_name() {
        let from_jwk = env_private_key(&[(PRIVATE_KEY_ENV, EC_JWK)]).unwrap();
        assert_eq!(from_jwk.key().algorithm(), "ES256");
        assert_eq!(
            from_jwk.key().key_id(),
            Some("ec-jwk-kid"),
            "the JWK's own kid"
        );
        let go = ClientBuilder::from_env_with(|name| match name {
            ORG_URL_ENV => Some("https://dev-123.okta.com".into()),
            AUTHORIZATION_MODE_ENV => Some("PrivateKey".into()),
            CLIENT_ID_ENV => Some("0oa-app".into()),
            SCOPES_ENV => Some("okta.users.read".into()),
            JWK_ENV => Some(EC_JWK.into()),
            _ => None,
        });
        go.build().unwrap();
        for name in KEY_ID_ENVS {
            let client = env_private_key(&[(name, " kid-7 ")]).unwrap();
            assert_eq!(client.key().key_id(), Some("kid-7"), "{name}");
        }
        let both = env_private_key(&[(KEY_ID_ENVS[0], "a"), (KEY_ID_ENVS[2], "a")]).unwrap();
        assert_eq!(both.key().key_id(), Some("a"));
        let error = env_private_key(&[(KEY_ID_ENVS[1], "a"), (KEY_ID_ENVS[2], "b")]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("OKTA_CLIENT_PRIVATEKEYID and OKTA_CLIENT_KEYID"),
            "{error}"
        );
        let error = env_private_key(&[(JWK_ENV, EC_JWK)]).unwrap_err();
        assert!(error.to_string().contains("give the key once"), "{error}");
        let error =
            env_private_key(&[(PRIVATE_KEY_ENV, r#"{"kty":"EC","d":"s3cr3t"}"#)]).unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(
            text.contains(PRIVATE_KEY_ENV) && !text.contains("s3cr3t"),
            "{text}"
        );
    }

    #[test]
    fn the_dpop_variable_sets_the_mode_the_python_sdk_way() {
        assert_eq!(
            env_private_key(&[]).unwrap().dpop_mode(),
            DpopMode::Auto,
            "auto unless set"
        );
        for (value, mode) in [
            ("true", DpopMode::On),
            ("False", DpopMode::Off),
            ("auto", DpopMode::Auto),
        ] {
            let mut builder = ClientBuilder::from_env_with(private_key_env(&[(DPOP_ENV, value)]));
            let credentials = builder.credentials_with_dpop().unwrap();
            assert_eq!(credentials.dpop_mode(), Some(mode), "{value}");
        }
        let error = ClientBuilder::from_env_with(private_key_env(&[(DPOP_ENV, "sometimes")]))
            .build()
            .unwrap_err();
        assert!(error.to_string().contains(DPOP_ENV), "{error}");
    }

    #[test]
    fn dpop_on_is_refused_for_credentials_that_cannot_be_bound() {
        let error = ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .api_token(TOKEN)
            .dpop(DpopMode::On)
            .build()
            .unwrap_err();
        assert!(
            matches!(error, BuildError::InvalidCredentials { .. }),
            "{error:?}"
        );
        let error = ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .access_token("eyJ.a.b")
            .dpop_key(PrivateKey::generate_es256().unwrap())
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("DPoP"), "{error}");
        // Auto and off change nothing there; with OAuth credentials every mode builds.
        ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .api_token(TOKEN)
            .dpop(DpopMode::Off)
            .build()
            .unwrap();
        ClientBuilder::new()
            .org_url("https://dev-123.okta.com")
            .private_key("0oa-app", RSA_PEM, ["okta.users.read"])
            .dpop(DpopMode::On)
            .dpop_key(PrivateKey::from_pem(RSA_PEM).unwrap())
            .build()
            .unwrap();
    }

    #[test]
    fn bearer_mode_reads_an_access_token() {
        let client = ClientBuilder::from_env_with(|name| match name {
            ORG_URL_ENV => Some("https://dev-123.okta.com".to_owned()),
            AUTHORIZATION_MODE_ENV => Some("Bearer".to_owned()),
            TOKEN_ENV => Some("eyJ.a.b".to_owned()),
            _ => None,
        })
        .build();
        client.unwrap();
    }

    #[test]
    fn build_service_refuses_what_it_would_otherwise_ignore() {
        let fake = || {
            tower::service_fn(|_request: http::Request<okta_users::RequestBody>| async {
                Ok::<_, okta_users::BoxError>(http::Response::new(
                    okta_users::RequestBody::default(),
                ))
            })
        };
        let base = || {
            Client::builder()
                .org_url("https://dev-1.okta.com")
                .api_token("00abc")
        };
        assert!(base().build_service(fake()).is_ok());
        let layered = base()
            .layer(tower::limit::ConcurrencyLimitLayer::new(1))
            .build_service(fake());
        assert!(matches!(layered, Err(BuildError::CallerLayers)));
        let configured = base()
            .connect_timeout(Duration::from_secs(1))
            .build_service(fake());
        assert!(matches!(configured, Err(BuildError::TransportConflict)));
        assert!(matches!(
            Client::builder()
                .org_url("https://dev-1.okta.com")
                .build_service(fake()),
            Err(BuildError::MissingCredentials)
        ));
    }
}
