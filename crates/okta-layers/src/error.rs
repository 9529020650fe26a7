//! [`ConfigError`]: why a layer could not be built from its configuration (as opposed to
//! `okta_users::Error`, what can go wrong with a call).

/// Why a layer of the stack could not be built: an org URL, credentials or a key that cannot
/// be used. Returned before any request is sent; never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The org URL is not `scheme://host[:port]` with at most a trailing `/`.
    #[error("invalid org URL: {reason}")]
    InvalidOrgUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// The credentials cannot be used: a token that cannot be sent in a header, client
    /// credentials without a usable client id or scope.
    #[error("invalid credentials: {reason}")]
    InvalidCredentials {
        /// Why, without the secret.
        reason: String,
    },
    /// The private key cannot sign client assertions.
    #[error("invalid private key: {reason}")]
    InvalidPrivateKey {
        /// Why, without quoting the key.
        reason: String,
    },
    /// The application's `User-Agent` suffix cannot be sent in a header.
    #[error("invalid User-Agent suffix: {reason}")]
    InvalidUserAgent {
        /// Why.
        reason: String,
    },
}

impl ConfigError {
    pub(crate) fn org_url(reason: impl Into<String>) -> Self {
        ConfigError::InvalidOrgUrl {
            reason: reason.into(),
        }
    }

    pub(crate) fn credentials(reason: impl Into<String>) -> Self {
        ConfigError::InvalidCredentials {
            reason: reason.into(),
        }
    }

    pub(crate) fn private_key(reason: impl Into<String>) -> Self {
        ConfigError::InvalidPrivateKey {
            reason: reason.into(),
        }
    }
}
