//! Errors of building a transport, and the mapping of hyper's errors to `okta_users::Error`.

use std::error::Error as StdError;

use okta_users::{Error, TimeoutKind};

/// Why a [`HyperTransport`](crate::HyperTransport) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A certificate given to
    /// [`add_root_certificate`](crate::HyperTransportBuilder::add_root_certificate) is not a
    /// usable trust anchor.
    #[error("invalid root certificate: {0}")]
    InvalidRootCertificate(#[source] rustls::Error),
    /// rustls refused the TLS configuration.
    #[error("invalid TLS configuration: {0}")]
    Tls(#[source] rustls::Error),
}

/// Maps an error of the hyper-util client to the façade's error.
pub(crate) fn from_client_error(error: hyper_util::client::legacy::Error) -> Error {
    if error.is_connect() {
        connect_failure(Box::new(error))
    } else {
        Error::Transport {
            not_sent: false,
            source: Box::new(error),
        }
    }
}

/// A failure to connect: a timeout anywhere in the chain is `Timeout { Connect }`, anything else
/// (DNS, refused, TLS) certainly never sent the request.
pub(crate) fn connect_failure(error: Box<dyn StdError + Send + Sync>) -> Error {
    if is_timeout(&*error) {
        Error::Timeout {
            kind: TimeoutKind::Connect,
        }
    } else {
        Error::Transport {
            not_sent: true,
            source: error,
        }
    }
}

/// Whether an `io::Error` of kind `TimedOut` is somewhere in the chain of `error` (hyper-util's
/// `HttpConnector` reports its connect timeout that way, and so does this crate's connector).
fn is_timeout(error: &(dyn StdError + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        current = e.source();
    }
    false
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
}
