//! [`HyperTransportBuilder`]: timeouts, size cap, pool and trust settings.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

use crate::connect::TimeoutConnector;
use crate::error::BuildError;
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
    http2_only: bool,
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

    /// The largest response body accepted, in bytes (default 16 MiB). A larger body fails the
    /// request with `BodyTooLarge` as soon as it is known: from `Content-Length`, or while
    /// counting the chunks.
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

    /// Trusts `certificate` as a root, in addition to the built-in Mozilla roots (for an Okta
    /// reached through a TLS-inspecting proxy, or a test server).
    pub fn add_root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// Builds the transport. Needs no Tokio runtime; sending requests does.
    pub fn build(self) -> Result<HyperTransport, BuildError> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for certificate in self.root_certificates {
            roots
                .add(certificate)
                .map_err(BuildError::InvalidRootCertificate)?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(BuildError::Tls)?
            .with_root_certificates(roots)
            .with_no_client_auth();

        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let connector = TimeoutConnector {
            inner: https,
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
            }),
        })
    }
}
