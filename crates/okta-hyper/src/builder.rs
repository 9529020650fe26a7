//! [`HyperTransportBuilder`]: timeouts, size cap, pool, proxy, compression and trust settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::CertificateDer;

use crate::connect::{Connector, ProxyRoutes};
use crate::error::BuildError;
use crate::proxy::Proxy;
use crate::tls;
use crate::transport::{HyperTransport, Inner};

/// The default connect timeout (TCP connect plus TLS handshake): 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default cap on a response body: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 16 * 1024 * 1024;
/// The default longest gap between two chunks of a response body: 30 seconds.
pub const DEFAULT_BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time an idle pooled connection is kept: 90 seconds.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Configures a [`HyperTransport`]; start with [`HyperTransport::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct HyperTransportBuilder {
    connect_timeout: Duration,
    max_response_size: usize,
    body_idle_timeout: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    root_certificates: Vec<CertificateDer<'static>>,
    root_certificate_files: Vec<PathBuf>,
    proxy: ProxySetting,
    response_compression: bool,
    http2_only: bool,
}

/// Where the proxy comes from.
#[derive(Debug, Clone)]
enum ProxySetting {
    /// The process environment, read by `build()`.
    FromEnv,
    /// Given in code (possibly empty: every request direct); boxed to keep the builder small.
    Given(Box<Proxy>),
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        HyperTransportBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            body_idle_timeout: Some(DEFAULT_BODY_IDLE_TIMEOUT),
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            pool_max_idle_per_host: usize::MAX,
            root_certificates: Vec::new(),
            root_certificate_files: Vec::new(),
            proxy: ProxySetting::FromEnv,
            response_compression: true,
            http2_only: false,
        }
    }
}

impl HyperTransportBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The longest time to establish a connection, TCP connect and TLS handshake together
    /// (default 10 s). Exceeding it fails the request with `Timeout { kind: Connect }`.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes, after decompression (default 16 MiB). A
    /// larger body fails the request with `BodyTooLarge` as soon as it is known: from
    /// `Content-Length`, or while reading, so no more than the cap is ever held. A request
    /// carrying [`okta_users::MaxResponseSize`] in its extensions lowers the cap for itself.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// The longest gap between two chunks of a response body (default 30 s), after which the
    /// request fails with `Timeout { kind: BodyStalled }`; `None` waits forever.
    pub fn body_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.body_idle_timeout = timeout;
        self
    }

    /// How long an idle pooled connection is kept open (default 90 s); `None` keeps it until
    /// the server closes it.
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// The most idle connections kept per host (default: no limit).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Speaks HTTP/2 only (default: no): over TLS without waiting for ALPN, and over plain
    /// `http://` with prior knowledge (h2c), one multiplexed connection per host. Over TLS,
    /// HTTP/2 is negotiated anyway when the server offers it (Okta does); this is for a
    /// plain-HTTP server known to speak HTTP/2, such as the mock org over loopback.
    pub fn http2_only(mut self, yes: bool) -> Self {
        self.http2_only = yes;
        self
    }

    /// Trusts `certificate` as a root, in addition to the roots of the enabled trust feature
    /// (for an Okta reached through a TLS-inspecting proxy, or a test server).
    pub fn add_root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// Trusts every certificate of the PEM file at `path` as a root, like
    /// [`add_root_certificate`](Self::add_root_certificate). The file is read by
    /// [`build`](Self::build), which fails if it is unreadable or holds no certificate.
    pub fn add_root_certificates_pem_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.root_certificate_files.push(path.into());
        self
    }

    /// Sends every request through `proxy` (direct where its `no_proxy` list says so),
    /// instead of the proxy named by the environment.
    ///
    /// By default the transport reads `https_proxy`, `http_proxy`, `all_proxy` and `no_proxy`
    /// (lower or upper case) when it is built: see [`Proxy::from_env`]. To read them from
    /// elsewhere, give `Proxy::from_env_with(lookup)?` here.
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = ProxySetting::Given(Box::new(proxy));
        self
    }

    /// Connects straight to the org, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Given(Box::new(Proxy::none()));
        self
    }

    /// Whether to ask for compressed responses (`Accept-Encoding: gzip, deflate`) and
    /// decompress them (default: on). The body cap applies to the decompressed size. A
    /// request the façade marks as reading a single resource (its `Endpoint` is not a list)
    /// is not asked compressed: one user is 1–4 KB, and inflating it costs more CPU than the
    /// bytes save.
    pub fn response_compression(mut self, enabled: bool) -> Self {
        self.response_compression = enabled;
        self
    }

    /// Builds the transport. Needs no Tokio runtime; sending requests does.
    pub fn build(self) -> Result<HyperTransport, BuildError> {
        let mut roots = self.root_certificates;
        for path in &self.root_certificate_files {
            roots.extend(tls::read_pem_file(path)?);
        }
        let tls = tls::client_config(roots)?;
        let proxy = match self.proxy {
            ProxySetting::FromEnv => Proxy::from_env()?,
            ProxySetting::Given(proxy) => *proxy,
        };

        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(self.connect_timeout));
        let direct = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.clone())
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp.clone());
        let proxy_routes = (!proxy.is_empty()).then(|| {
            Arc::new(ProxyRoutes {
                matcher: proxy.matcher(),
                tcp,
                tls,
            })
        });
        let connector = Connector {
            direct,
            proxy: proxy_routes.clone(),
            timeout: self.connect_timeout,
        };

        let client = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .http2_only(self.http2_only)
            .build(connector);

        Ok(HyperTransport {
            inner: Arc::new(Inner {
                client,
                max_response_size: self.max_response_size,
                body_idle_timeout: self.body_idle_timeout,
                response_compression: self.response_compression,
                proxy,
                proxy_routes,
            }),
        })
    }
}
