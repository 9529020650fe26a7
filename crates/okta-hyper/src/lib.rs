//! The hyper transport of okta-users: a pooled, keep-alive HTTP/1.1 and HTTP/2 client over rustls.
//!
//! [`HyperTransport`] is a `tower::Service<http::Request<okta_users::RequestBody>>` that sends
//! requests with absolute URIs (an okta-layers `BaseUri` layer in front of it supplies the org's
//! scheme and host) and answers with the response **read whole**, decompressed, within a size
//! cap and with an idle timeout between body chunks. A retry layer above it can therefore judge
//! and replay whole responses, and no Okta response is unbounded (a page holds at most 200
//! items).
//!
//! Every failure is an [`okta_users::Error`]:
//!
//! | what happened | error |
//! | --- | --- |
//! | DNS failure, connection refused, TLS handshake failure, the proxy could not open a tunnel | `Transport { not_sent: true, .. }` |
//! | the proxy asked for credentials (407 to `CONNECT`) | `Refused { .. }` |
//! | TCP connect, proxy `CONNECT` and TLS handshake longer than the connect timeout | `Timeout { kind: Connect }` |
//! | a gap between body chunks longer than the idle timeout | `Timeout { kind: BodyStalled }` |
//! | a body larger than the cap (by `Content-Length`, counted, or decompressed) | `BodyTooLarge { limit }` |
//! | an answer that is not valid HTTP (status line, headers, chunked framing, HTTP/2 frames) or not valid gzip/deflate | `MalformedResponse { .. }` |
//! | anything else once the request may have been sent | `Transport { not_sent: false, .. }` |
//!
//! ```no_run
//! use std::time::Duration;
//! use okta_hyper::{HyperTransport, Proxy};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = HyperTransport::builder()
//!     .connect_timeout(Duration::from_secs(5))
//!     .max_response_size(4 * 1024 * 1024)
//!     .proxy(Proxy::new("http://proxy.corp.example:3128")?.no_proxy("localhost"))
//!     .add_root_certificates_pem_file("/etc/corp/inspecting-proxy-ca.pem")
//!     .build()?;
//! # drop(transport);
//! # Ok(())
//! # }
//! ```
//!
//! # Body cap
//!
//! The cap (16 MiB by default, [`HyperTransportBuilder::max_response_size`]) applies to the
//! body as delivered, after decompression, and holds while reading: a larger body is refused as
//! soon as `Content-Length` or the bytes read so far exceed it, so no more than the cap is ever
//! held. A request carrying [`okta_users::MaxResponseSize`] in its extensions lowers the cap for
//! itself (the OAuth token request does).
//!
//! # Proxies
//!
//! By default the transport honours `https_proxy`, `http_proxy`, `all_proxy` and `no_proxy`
//! (lower or upper case, as curl reads them) from the environment when it is built; give a
//! [`Proxy`] to [`HyperTransportBuilder::proxy`] instead, or call
//! [`HyperTransportBuilder::no_proxy`] to always connect directly. `https://` orgs are reached
//! through a `CONNECT` tunnel (TLS stays end to end, the proxy sees only the host and port);
//! `http://` (loopback test) orgs by plain forwarding. Proxy credentials go to the proxy only
//! (`Proxy-Authorization: Basic`) and appear in no `Debug` output and no error. Only `http://`
//! proxies are supported.
//!
//! # Compression
//!
//! Requests ask for `Accept-Encoding: gzip, deflate` — all but those the façade marks as reading
//! a single resource, too small to be worth inflating — and compressed answers are decompressed
//! (tower-http's decompression); [`HyperTransportBuilder::response_compression`] turns it off.
//! Brotli and zstd are left out: the first needs the full `brotli` crate, the second a C
//! compiler (zstd-sys), for encodings Okta does not need.
//!
//! # TLS trust: cargo features
//!
//! TLS uses rustls with the `ring` provider. Which roots it trusts is chosen by feature (the
//! same features exist on `okta-client`, which forwards them):
//!
//! | feature | trusts |
//! | --- | --- |
//! | `webpki-roots` (default) | the Mozilla roots bundled in the binary (`webpki-roots`): no system files needed, the same everywhere |
//! | `platform-verifier` | what the operating system trusts, through `rustls-platform-verifier`: its store, its policies (enterprise roots, TLS-inspecting proxies); takes precedence over `webpki-roots` when both are on |
//! | neither | only the roots added on the builder |
//!
//! With any of them, [`HyperTransportBuilder::add_root_certificate`] and
//! [`HyperTransportBuilder::add_root_certificates_pem_file`] add roots of your own.
//! `rustls-platform-verifier` rather than `rustls-native-certs`: on macOS and Windows it asks the
//! OS to verify (so the OS's policies and revocation apply), on Linux it reads the same store as
//! `rustls-native-certs`. Plain `http://` is allowed at this level: the okta-client builder
//! decides the policy.

mod builder;
mod connect;
mod decompress;
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
