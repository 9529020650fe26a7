//! Errors of building a transport, and the mapping of hyper's errors to `okta_users::Error`.

use std::error::Error as StdError;
use std::path::PathBuf;

use http_body_util::LengthLimitError;
use okta_users::{BoxError, Error, RefusedReason, TimeoutKind};

use crate::connect::TunnelError;
use crate::proxy::ProxyError;

/// Why a [`HyperTransport`](crate::HyperTransport) could not be built. No message contains a
/// proxy's credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A certificate given to
    /// [`add_root_certificate`](crate::HyperTransportBuilder::add_root_certificate) is not a
    /// usable trust anchor.
    #[error("invalid root certificate: {0}")]
    InvalidRootCertificate(#[source] rustls::Error),
    /// A file given to
    /// [`add_root_certificates_pem_file`](crate::HyperTransportBuilder::add_root_certificates_pem_file)
    /// could not be read, or holds no usable certificate.
    #[error("root certificates from {}: {reason}", path.display())]
    RootCertificatesFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The operating system's trust store could not be used (feature `platform-verifier`).
    #[error("the operating system's trust store is unusable: {0}")]
    TrustStore(#[source] rustls::Error),
    /// rustls refused the TLS configuration.
    #[error("invalid TLS configuration: {0}")]
    Tls(#[source] rustls::Error),
    /// A proxy setting, given in code or read from the environment, is unusable.
    #[error(transparent)]
    Proxy(#[from] ProxyError),
}

/// Maps an error of the hyper-util client (before a response head arrived) to the façade's.
pub(crate) fn from_client_error(error: hyper_util::client::legacy::Error) -> Error {
    if error.is_connect() {
        return connect_failure(Box::new(error));
    }
    if is_malformed(&error) {
        return Error::MalformedResponse {
            source: Box::new(error),
        };
    }
    Error::Transport {
        not_sent: false,
        source: Box::new(error),
    }
}

/// Maps an error met while reading a response body (capped, timed, maybe decompressed).
pub(crate) fn from_body_error(error: BoxError, limit: usize) -> Error {
    if find::<LengthLimitError>(&*error).is_some() {
        return Error::BodyTooLarge { limit };
    }
    // Our own (the stall timeout), passed through the decompressor and the cap.
    let error = match error.downcast::<Error>() {
        Ok(error) => return *error,
        Err(error) => error,
    };
    if find::<hyper::Error>(&*error).is_some() && !is_malformed(&*error) {
        // The connection failed mid-body (reset, closed early): the network's fault.
        return Error::Transport {
            not_sent: false,
            source: error,
        };
    }
    // Invalid framing, or bytes the decompressor refused (corrupt gzip, trailing data).
    Error::MalformedResponse { source: error }
}

/// A failure to connect: a timeout anywhere in the chain is `Timeout { Connect }`; a proxy
/// asking for credentials is `Refused` (no re-send can change it); anything else (DNS, refused,
/// TLS, the proxy could not reach the org) certainly never sent the request.
pub(crate) fn connect_failure(error: BoxError) -> Error {
    if is_timeout(&*error) {
        Error::Timeout {
            kind: TimeoutKind::Connect,
        }
    } else if matches!(
        find::<TunnelError>(&*error),
        Some(TunnelError::ProxyAuthRequired)
    ) {
        Error::Refused(RefusedReason::ProxyAuthRequired)
    } else {
        Error::Transport {
            not_sent: true,
            source: error,
        }
    }
}

/// Whether the answer was not valid HTTP: a head hyper could not parse (status line, header
/// count or size), a broken chunked body, or an HTTP/2 frame our side found invalid. Sending
/// again cannot change any of these.
fn is_malformed(error: &(dyn StdError + 'static)) -> bool {
    let Some(hyper_error) = find::<hyper::Error>(error) else {
        return false;
    };
    // Every kind of parse error: version, status, header, too many or too large headers.
    if hyper_error.is_parse() {
        return true;
    }
    // hyper reports invalid chunked framing as a body error over an `io::Error` of kind
    // InvalidData or InvalidInput (a body cut short is UnexpectedEof: the network's fault).
    if let Some(io) = hyper_error.source().and_then(|s| find::<std::io::Error>(s))
        && matches!(
            io.kind(),
            std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput
        )
    {
        return true;
    }
    // An HTTP/2 protocol violation detected by our side (a GOAWAY we sent), not one the server
    // blamed us for.
    find::<h2::Error>(error).is_some_and(|h2| {
        h2.is_library()
            && matches!(
                h2.reason(),
                Some(
                    h2::Reason::PROTOCOL_ERROR
                        | h2::Reason::COMPRESSION_ERROR
                        | h2::Reason::FRAME_SIZE_ERROR
                )
            )
    })
}

/// Whether an `io::Error` of kind `TimedOut` is somewhere in the chain of `error` (hyper-util's
/// `HttpConnector` reports its connect timeout that way, and so does this crate's connector).
fn is_timeout(error: &(dyn StdError + 'static)) -> bool {
    chain(error).any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
    })
}

/// The first `T` in the chain of `error`.
fn find<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(error).find_map(|e| e.downcast_ref::<T>())
}

fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&e| e.source())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mirrors hyper-util's `ConnectError`, which wraps the `io::Error` of its connect timeout.
    #[derive(Debug)]
    struct Wrapper(std::io::Error);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("tcp connect error")
        }
    }

    impl StdError for Wrapper {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_timed_out_io_error_deep_in_the_chain_is_a_connect_timeout() {
        let error = Wrapper(std::io::Error::new(std::io::ErrorKind::TimedOut, "elapsed"));
        let mapped = connect_failure(Box::new(error));
        assert!(
            matches!(
                mapped,
                Error::Timeout {
                    kind: TimeoutKind::Connect
                }
            ),
            "{mapped:?}"
        );
    }

    #[test]
    fn other_connect_failures_were_certainly_not_sent() {
        let error = Wrapper(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        let mapped = connect_failure(Box::new(error));
        assert!(
            matches!(mapped, Error::Transport { not_sent: true, .. }),
            "{mapped:?}"
        );
    }

    #[test]
    fn bytes_the_decompressor_refuses_are_a_malformed_response() {
        let corrupt =
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "corrupt deflate stream");
        assert!(matches!(
            from_body_error(Box::new(corrupt), 7),
            Error::MalformedResponse { .. }
        ));
    }
}
