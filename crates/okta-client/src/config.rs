//! Okta's configuration: the `okta.yaml` files and `OKTA_CLIENT_*` variables of Okta's SDKs,
//! read in their order and handed to [`ClientBuilder`] through its public methods.
//!
//! # Precedence
//! Each source overrides the ones before it, key by key:
//!
//! 1. `~/.okta/okta.yaml` (the user's home directory),
//! 2. `./okta.yaml` (the working directory),
//! 3. `./.okta/okta.yaml`,
//! 4. the environment (`OKTA_CLIENT_*`),
//! 5. code: whatever is called on the builder afterwards.
//!
//! That is the order Okta's SDKs document: Go, .NET and Node read the home file, then a
//! project file, then the environment, then code (Node and .NET's code read `./okta.yaml`;
//! .NET's README names `./.okta/okta.yaml`; Go reads `./.okta.yaml`, which is not read here).
//! Java alone ranks its project file (on the classpath) below the home file.
//!
//! Only `okta.client` is read; other sections (`okta.idx`, other tools' keys) are left alone.
//! A key of Okta's other SDKs that this client has no use for (`cache`, `rateLimit.maxBackoff`,
//! `clientSecret`, …) is skipped with a warning; any other unknown key, and any value of the
//! wrong kind, is refused with a [`BuildError::InvalidSetting`] naming the file, line and key
//! (or the variable); a file that cannot be read or is not YAML is a
//! [`BuildError::ConfigFile`]. No message holds a token, key or password.
//!
//! The keys, variables and builder methods side by side: the *Configuration* table of the
//! [crate docs](crate#configuration).

mod file;
pub(crate) mod keys;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use okta_hyper::Proxy;
use okta_layers::auth::{DpopMode, PrivateKey};

use crate::builder::{ClientBuilder, private_key_text};
use crate::error::BuildError;
use keys::{Key, Kind};

/// Where a setting came from, for errors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingSource {
    /// A configuration file, at this line (1-based).
    File {
        /// The file.
        path: PathBuf,
        /// The line of the value (or key).
        line: usize,
    },
    /// The process environment.
    Environment,
}

impl std::fmt::Display for SettingSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingSource::File { path, line } => write!(f, "{}, line {line}", path.display()),
            SettingSource::Environment => f.write_str("the environment"),
        }
    }
}

/// One setting found: its text, where, and under which name (YAML path or variable). No
/// `Debug`: the text may be a secret.
#[derive(Clone)]
pub(crate) struct Setting {
    value: String,
    source: SettingSource,
    name: String,
}

/// The settings of one source, or of all merged, by the key's variable name.
pub(crate) type Layer = HashMap<&'static str, Setting>;

type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where [`ClientBuilder::from_config_sources`] looks: a home directory, a working directory
/// and an environment — the process's by default ([`ConfigSources::new`]), or others (for
/// tests, or an application with its own directories).
///
/// ```
/// # fn run() -> Result<(), okta_client::BuildError> {
/// let dir = std::env::temp_dir().join("okta-config-doc");
/// let sources = okta_client::ConfigSources::new()
///     .home_dir(Some(dir.join("home")))
///     .working_dir(dir.join("app"))
///     .env(|name| (name == "OKTA_CLIENT_ORGURL").then(|| "https://dev-1.okta.com".to_owned()));
/// assert_eq!(sources.files()[0], dir.join("home/.okta/okta.yaml"));
/// let builder = okta_client::ClientBuilder::from_config_sources(&sources)?;
/// # drop(builder); Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct ConfigSources {
    home_dir: Option<PathBuf>,
    working_dir: PathBuf,
    env: Lookup,
}

impl std::fmt::Debug for ConfigSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigSources")
            .field("home_dir", &self.home_dir)
            .field("working_dir", &self.working_dir)
            .finish_non_exhaustive()
    }
}

impl Default for ConfigSources {
    fn default() -> Self {
        Self::new()
    }
}

impl ConfigSources {
    /// The process's: the user's home directory, the current directory, the environment.
    pub fn new() -> Self {
        ConfigSources {
            home_dir: std::env::home_dir(),
            working_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            env: Arc::new(|name| std::env::var(name).ok()),
        }
    }

    /// The home directory holding `.okta/okta.yaml` (`None`: no home file).
    pub fn home_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.home_dir = dir;
        self
    }

    /// The directory holding `okta.yaml` and `.okta/okta.yaml`; also where a relative
    /// `privateKey` path is found.
    pub fn working_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.working_dir = dir.into();
        self
    }

    /// Reads variables through `lookup` instead of the process environment.
    pub fn env(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Arc::new(lookup);
        self
    }

    /// The files read, lowest precedence first (whether they exist or not).
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = Vec::with_capacity(3);
        if let Some(home) = &self.home_dir {
            files.push(home.join(".okta").join("okta.yaml"));
        }
        files.push(self.working_dir.join("okta.yaml"));
        files.push(self.working_dir.join(".okta").join("okta.yaml"));
        files
    }

    /// A variable, empty counting as unset.
    fn var(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|value| !value.trim().is_empty())
    }

    /// The environment's settings.
    fn env_layer(&self) -> Layer {
        let mut layer = Layer::new();
        for key in keys::ALL {
            let found = std::iter::once(key.var)
                .chain(key.var_aliases.iter().copied())
                .find_map(|name| self.var(name).map(|value| (name, value)));
            if let Some((name, value)) = found {
                layer.insert(
                    key.var,
                    Setting {
                        value,
                        source: SettingSource::Environment,
                        name: name.to_owned(),
                    },
                );
            }
        }
        layer
    }

    /// Every source merged, later ones over earlier ones.
    fn merged(&self) -> Result<Layer, BuildError> {
        let mut merged = Layer::new();
        for path in self.files() {
            if let Some(layer) = file::read(&path)? {
                tracing::debug!(file = %path.display(), keys = layer.len(), "okta: configuration file read");
                merged.extend(layer);
            }
        }
        merged.extend(self.env_layer());
        Ok(merged)
    }
}

impl ClientBuilder {
    /// A builder configured as Okta's SDKs configure theirs: `~/.okta/okta.yaml`, then
    /// `./okta.yaml`, then `./.okta/okta.yaml`, then the `OKTA_CLIENT_*` variables, each
    /// overriding the ones before; configure it further in code. Every key and variable, and
    /// the method it stands for: the crate docs' *Configuration* table.
    ///
    /// Fails, naming the file and key or the variable, on an unreadable file, an unknown key
    /// or an unusable value (see [`ConfigSources`] to read other directories or another
    /// environment).
    ///
    /// ```no_run
    /// # fn run() -> Result<(), okta_client::BuildError> {
    /// let client = okta_client::ClientBuilder::from_okta_config()?.build()?;
    /// # drop(client); Ok(()) }
    /// ```
    pub fn from_okta_config() -> Result<Self, BuildError> {
        Self::from_config_sources(&ConfigSources::new())
    }

    /// Like [`from_okta_config`](Self::from_okta_config), reading the files and variables of
    /// `sources`.
    pub fn from_config_sources(sources: &ConfigSources) -> Result<Self, BuildError> {
        let merged = sources.merged()?;
        let settings = Settings {
            merged: &merged,
            working_dir: &sources.working_dir,
        };
        // Credentials' settings are checked here, where an error can name its file, once an org
        // is configured: with none, the first thing missing is the org (which code may still
        // give), and `build()` reports what is wrong in that order.
        let private_key_text = if settings.get(keys::ORG_URL).is_some() {
            settings.check_credentials()?
        } else {
            settings.check_credentials().ok().flatten()
        };
        // The org and credentials: read by `from_env_with`, the one place that interprets
        // them, from the merged settings (a key's text already read from its file here, where a
        // relative path is the working directory's); a variable no key covers comes from the
        // environment as it is.
        let lookup = |name: &str| {
            if let Some((var, text)) = &private_key_text
                && name == *var
            {
                return Some(text.clone());
            }
            match merged.get(name) {
                Some(setting) => Some(setting.value.clone()),
                None => sources.var(name),
            }
        };
        let builder = ClientBuilder::from_env_with(lookup);
        settings.apply(builder, sources)
    }
}

/// The merged settings, checked and applied.
struct Settings<'a> {
    merged: &'a Layer,
    working_dir: &'a Path,
}

impl Settings<'_> {
    fn get(&self, key: &Key) -> Option<&Setting> {
        self.merged.get(key.var)
    }

    /// Checks the credentials' settings where they can be blamed on their source: the DPoP
    /// mode, the authorization mode, what `PrivateKey` needs, and the key itself (PEM or JWK).
    /// Returns the text of a private key given as a file, and the variable it stands for.
    fn check_credentials(&self) -> Result<Option<(&'static str, String)>, BuildError> {
        if let Some(dpop) = self.get(keys::DPOP_ENABLED)
            && dpop.value.parse::<DpopMode>().is_err()
        {
            return Err(invalid(
                dpop,
                format!(
                    "expected {}, found {:?}",
                    keys::DPOP_MODES,
                    dpop.value.trim()
                ),
            ));
        }
        let Some(mode) = self.get(keys::AUTHORIZATION_MODE) else {
            return Ok(None);
        };
        let mode_name = mode.value.trim();
        if ["SSWS", "Bearer", "BearerToken"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(mode_name))
        {
            return Ok(None);
        }
        if !mode_name.eq_ignore_ascii_case("PrivateKey") {
            return Err(invalid(
                mode,
                format!(
                    "{mode_name:?} is not an authorization mode this client supports (SSWS, PrivateKey or Bearer)"
                ),
            ));
        }
        for needed in [keys::CLIENT_ID, keys::SCOPES] {
            if self.get(needed).is_none() {
                return Err(invalid(
                    mode,
                    format!(
                        "PrivateKey needs {} (or {}) too",
                        needed.yaml_path(),
                        needed.var
                    ),
                ));
            }
        }
        let (key, var) = match (self.get(keys::PRIVATE_KEY), self.get(keys::JWK)) {
            (Some(key), None) => (key, keys::PRIVATE_KEY.var),
            (None, Some(jwk)) => (jwk, keys::JWK.var),
            (None, None) => {
                return Err(invalid(
                    mode,
                    format!(
                        "PrivateKey needs {} (or {}) too",
                        keys::PRIVATE_KEY.yaml_path(),
                        keys::PRIVATE_KEY.var
                    ),
                ));
            }
            (Some(key), Some(jwk)) => {
                return Err(invalid(
                    jwk,
                    format!(
                        "{} ({}) gives the key too: give the key once",
                        key.name,
                        match &key.source {
                            SettingSource::File { path, .. } => path.display().to_string(),
                            SettingSource::Environment => "the environment".to_owned(),
                        }
                    ),
                ));
            }
        };
        let (text, from_file) = private_key_text(&key.value, self.working_dir)
            .map_err(|reason| invalid(key, reason))?;
        if let Err(error) = PrivateKey::from_pem_or_jwk(&text) {
            return Err(invalid(
                key,
                format!("cannot sign client assertions: {error}"),
            ));
        }
        Ok(from_file.then_some((var, text)))
    }

    /// Applies everything but the org and credentials: timeouts, retries after a 429, the
    /// proxy and the User-Agent suffix.
    fn apply(
        &self,
        mut builder: ClientBuilder,
        sources: &ConfigSources,
    ) -> Result<ClientBuilder, BuildError> {
        if let Some(setting) = self.get(keys::CONNECTION_TIMEOUT) {
            let seconds = number(setting, keys::CONNECTION_TIMEOUT, u64::MAX)?;
            if seconds == 0 {
                return Err(invalid(
                    setting,
                    "must be at least 1 second (0 would wait for a connection forever)".to_owned(),
                ));
            }
            builder = builder.connect_timeout(Duration::from_secs(seconds));
        }
        if let Some(setting) = self.get(keys::REQUEST_TIMEOUT) {
            // Okta's meaning: the longest a request may take, retries and waits included;
            // 0 for no limit.
            let seconds = number(setting, keys::REQUEST_TIMEOUT, u64::MAX)?;
            let limit = (seconds > 0).then(|| Duration::from_secs(seconds));
            builder = builder.configure_stack(|stack| stack.call_timeout = limit);
        }
        if let Some(setting) = self.get(keys::MAX_RETRIES) {
            let retries = number(setting, keys::MAX_RETRIES, u64::from(u32::MAX))?;
            let retries = u32::try_from(retries).unwrap_or(u32::MAX);
            builder = builder.configure_stack(|stack| stack.rate_limit.max_429_retries = retries);
        }
        if let Some(proxy) = self.proxy(sources)? {
            builder = builder.proxy(proxy);
        }
        if let Some(setting) = self.get(keys::USER_AGENT) {
            okta_layers::DefaultHeadersLayer::new()
                .user_agent_suffix(&setting.value)
                .map_err(|error| invalid(setting, error.to_string()))?;
            builder = builder.user_agent_suffix(setting.value.trim());
        }
        Ok(builder)
    }

    /// `http://host:port` with basic auth when a user is given; `NO_PROXY` still applies.
    fn proxy(&self, sources: &ConfigSources) -> Result<Option<Proxy>, BuildError> {
        let host = self.get(keys::PROXY_HOST);
        let port = self.get(keys::PROXY_PORT);
        let username = self.get(keys::PROXY_USERNAME);
        let password = self.get(keys::PROXY_PASSWORD);
        let Some(host) = host else {
            if let Some(orphan) = port.or(username).or(password) {
                return Err(invalid(
                    orphan,
                    format!(
                        "has no proxy host to go with it ({} or {})",
                        keys::PROXY_HOST.yaml_path(),
                        keys::PROXY_HOST.var
                    ),
                ));
            }
            return Ok(None);
        };
        let Some(port) = port else {
            return Err(invalid(
                host,
                format!(
                    "needs a port ({} or {})",
                    keys::PROXY_PORT.yaml_path(),
                    keys::PROXY_PORT.var
                ),
            ));
        };
        let port = number(port, keys::PROXY_PORT, 65_535)?;
        let name = host.value.trim();
        if name.contains("://") || name.contains('/') || name.contains('@') {
            return Err(invalid(
                host,
                format!(
                    "{name:?} is not a host name (give the host alone, e.g. proxy.example.com)"
                ),
            ));
        }
        let authority = if name.contains(':') && !name.starts_with('[') {
            format!("[{name}]:{port}")
        } else {
            format!("{name}:{port}")
        };
        let mut proxy = Proxy::new(format!("http://{authority}"))
            .map_err(|error| invalid(host, error.to_string()))?;
        match (username, password) {
            (Some(user), Some(password)) => {
                proxy = proxy.basic_auth(user.value.trim(), &password.value);
            }
            (None, None) => {}
            (Some(alone), None) | (None, Some(alone)) => {
                return Err(invalid(
                    alone,
                    "needs both a proxy username and a password".to_owned(),
                ));
            }
        }
        if let Some(hosts) = ["no_proxy", "NO_PROXY"]
            .iter()
            .find_map(|name| sources.var(name))
        {
            proxy = proxy.no_proxy(hosts);
        }
        Ok(Some(proxy))
    }
}

/// A whole number in `0..=max` (YAML integers arrive as their decimal text).
fn number(setting: &Setting, key: &Key, max: u64) -> Result<u64, BuildError> {
    let text = setting.value.trim();
    let what = match key.kind {
        Kind::Seconds => "a whole number of seconds",
        Kind::Port => "a port number (1-65535)",
        _ => "a whole number",
    };
    match text.parse::<u64>() {
        Ok(n) if n <= max && !(key.kind == Kind::Port && n == 0) => Ok(n),
        _ => Err(invalid(setting, format!("expected {what}, found {text:?}"))),
    }
}

fn invalid(setting: &Setting, reason: String) -> BuildError {
    BuildError::InvalidSetting {
        origin: setting.source.clone(),
        key: setting.name.clone(),
        reason,
    }
}
