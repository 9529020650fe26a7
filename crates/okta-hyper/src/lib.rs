//! The hyper transport of okta-users: a pooled, keep-alive HTTP/1.1 and HTTP/2 client over rustls.
//!
//! [`HyperTransport`] is a `tower::Service<http::Request<okta_users::RequestBody>>` that sends
//! requests with absolute URIs (an okta-layers `BaseUri` layer in front of it supplies the org's
//! scheme and host) and answers with the response **read whole**, within a size cap and with an
//! idle timeout between body chunks. A retry layer above it can therefore judge and replay whole
//! responses, and no Okta response is unbounded (a page holds at most 200 items).
//!
//! Every failure is an [`okta_users::Error`]:
//!
//! | what happened | error |
//! | --- | --- |
//! | DNS failure, connection refused, TLS handshake failure | `Transport { not_sent: true, .. }` |
//! | TCP connect plus TLS handshake longer than the connect timeout | `Timeout { kind: Connect }` |
//! | a gap between body chunks longer than the idle timeout | `Timeout { kind: BodyStalled }` |
//! | a body larger than the cap (by `Content-Length` or counted) | `BodyTooLarge { limit }` |
//! | anything else once the request may have been sent | `Transport { not_sent: false, .. }` |
//!
//! ```no_run
//! use std::time::Duration;
//! use okta_hyper::HyperTransport;
//!
//! # fn main() -> Result<(), okta_hyper::BuildError> {
//! let transport = HyperTransport::builder()
//!     .connect_timeout(Duration::from_secs(5))
//!     .max_response_size(4 * 1024 * 1024)
//!     .build()?;
//! # drop(transport);
//! # Ok(())
//! # }
//! ```
//!
//! TLS uses rustls with the `ring` provider and the Mozilla roots of `webpki-roots` (no system
//! certificate store is needed), plus any root added with
//! [`HyperTransportBuilder::add_root_certificate`]. Plain `http://` is allowed at this level: the
//! okta-client builder decides the policy.

mod builder;
mod connect;
mod error;
mod proxy;
mod stall;
mod tls;
mod transport;

pub use builder::{
    DEFAULT_BODY_IDLE_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_POOL_IDLE_TIMEOUT, HyperTransportBuilder,
};
pub use error::BuildError;
pub use proxy::{Proxy, ProxyError};
pub use transport::{HyperTransport, ResponseFuture};

/// A DER-encoded X.509 certificate, as taken by [`HyperTransportBuilder::add_root_certificate`]
/// (re-exported from rustls so that callers need no direct dependency).
pub use rustls::pki_types::CertificateDer;
