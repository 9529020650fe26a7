//! [`BuildError`]: why a [`Client`](crate::Client) could not be built.

use std::path::PathBuf;

use okta_layers::ConfigError;

use crate::config::SettingSource;

/// Why [`ClientBuilder::build`](crate::ClientBuilder::build) failed. No message ever contains a
/// token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No org URL was given (neither [`org_url`](crate::ClientBuilder::org_url) nor
    /// `OKTA_CLIENT_ORGURL`).
    #[error(
        "no org URL: call `org_url(\"https://<your-org>.okta.com\")` or set OKTA_CLIENT_ORGURL"
    )]
    MissingOrgUrl,
    /// The org URL is not `https://host[:port]` (with at most a trailing `/`).
    #[error("invalid org URL: {reason}")]
    InvalidOrgUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// The org URL uses plain `http://` for a host that is not a loopback address; credentials
    /// are only sent in clear to `localhost`, `127.0.0.0/8` or `::1` (for local test servers).
    #[error(
        "the org URL must use https:// (plain http:// is only allowed for loopback hosts, not {host})"
    )]
    InsecureOrgUrl {
        /// The host of the refused URL.
        host: String,
    },
    /// No credentials were given (no API token, access token or private key, and no
    /// `OKTA_CLIENT_TOKEN` / `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey` in the environment).
    #[error(
        "no credentials: call `api_token(…)`, `access_token(…)` or `private_key(…)`, or set OKTA_CLIENT_TOKEN"
    )]
    MissingCredentials,
    /// The token cannot be sent (empty, white space, characters not allowed in a header).
    #[error("invalid credentials: {reason}")]
    InvalidCredentials {
        /// Why, without the token.
        reason: String,
    },
    /// Transport settings (connect timeout, size cap, root certificates, …) were given together
    /// with a ready-made transport, which would silently ignore them.
    #[error(
        "transport settings were given together with a ready-made transport; configure one or the other"
    )]
    TransportConflict,
    /// [`ClientBuilder::build_service`](crate::ClientBuilder::build_service) was given caller
    /// layers, which only [`ClientBuilder::build`](crate::ClientBuilder::build) applies.
    #[error(
        "caller layers are applied by `build()`; wrap the service from `build_service` in them instead"
    )]
    CallerLayers,
    /// A configuration file (`okta.yaml`) exists but cannot be used: unreadable, too large,
    /// not YAML, or not shaped as Okta's SDKs write it.
    #[error("configuration file {}: {reason}", path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting of Okta's configuration is unknown or unusable: the file and line, or the
    /// environment, it came from; its key (`okta.client.proxy.port`) or variable
    /// (`OKTA_CLIENT_PROXY_PORT`); and why. Never holds a secret's value.
    #[error("{origin}: {key}: {reason}")]
    InvalidSetting {
        /// Where the setting came from.
        origin: SettingSource,
        /// Its key in the file, or its variable.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The transport could not be built (for example an invalid root certificate).
    #[error(transparent)]
    Transport(#[from] okta_hyper::BuildError),
    /// A part of the middleware could not be built (a kind of [`ConfigError`] this version
    /// does not map to the variants above).
    #[error(transparent)]
    Config(ConfigError),
}

impl From<ConfigError> for BuildError {
    fn from(error: ConfigError) -> Self {
        match error {
            ConfigError::InvalidOrgUrl { reason } => BuildError::InvalidOrgUrl { reason },
            ConfigError::InvalidCredentials { reason } => BuildError::InvalidCredentials { reason },
            ConfigError::InvalidPrivateKey { reason } => BuildError::InvalidCredentials {
                reason: format!("the private key: {reason}"),
            },
            other => BuildError::Config(other),
        }
    }
}
