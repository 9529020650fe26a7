//! Every key of Okta's configuration this client reads: its place in `okta.yaml`, its
//! environment variable(s), and the kind of value it takes.

/// The kind of value a key takes (and how it is checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Any text.
    Text,
    /// Text never shown in an error or a log.
    Secret,
    /// A list of scopes: a YAML sequence, or text separated by commas or spaces.
    Scopes,
    /// Whole seconds, `0` or more.
    Seconds,
    /// A count, `0` or more.
    Count,
    /// A TCP port, 1–65535.
    Port,
    /// A DPoP mode: `true`, `false` (a YAML boolean or text) or `auto`.
    DpopMode,
}

/// One key of Okta's configuration.
#[derive(Debug)]
pub(crate) struct Key {
    /// Its path under `okta.client` in `okta.yaml`, e.g. `["proxy", "port"]`.
    pub(crate) path: &'static [&'static str],
    /// Other spellings of its last segment that Okta's SDKs use (Java's `kid`, Node's `keyId`).
    pub(crate) yaml_aliases: &'static [&'static str],
    /// Its environment variable, as the SDKs flatten the YAML path (`OKTA_CLIENT_PROXY_PORT`);
    /// also the name the builder's `from_env_with` reads it under.
    pub(crate) var: &'static str,
    /// Other variables read for it when `var` is not set (Go's spellings).
    pub(crate) var_aliases: &'static [&'static str],
    pub(crate) kind: Kind,
}

impl Key {
    /// `okta.client.proxy.port`.
    pub(crate) fn yaml_path(&self) -> String {
        format!("okta.client.{}", self.path.join("."))
    }
}

pub(crate) const ORG_URL: &Key = &Key {
    path: &["orgUrl"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_ORGURL",
    var_aliases: &[],
    kind: Kind::Text,
};
pub(crate) const TOKEN: &Key = &Key {
    path: &["token"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_TOKEN",
    var_aliases: &[],
    kind: Kind::Secret,
};
pub(crate) const AUTHORIZATION_MODE: &Key = &Key {
    path: &["authorizationMode"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_AUTHORIZATIONMODE",
    var_aliases: &[],
    kind: Kind::Text,
};
pub(crate) const CLIENT_ID: &Key = &Key {
    path: &["clientId"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_CLIENTID",
    var_aliases: &[],
    kind: Kind::Text,
};
pub(crate) const SCOPES: &Key = &Key {
    path: &["scopes"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_SCOPES",
    var_aliases: &[],
    kind: Kind::Scopes,
};
pub(crate) const PRIVATE_KEY: &Key = &Key {
    path: &["privateKey"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_PRIVATEKEY",
    var_aliases: &[],
    kind: Kind::Secret,
};
/// Okta's Go SDK's: the private key as a JWK, instead of `privateKey`.
pub(crate) const JWK: &Key = &Key {
    path: &["jwk"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_JWK",
    var_aliases: &[],
    kind: Kind::Secret,
};
pub(crate) const KEY_ID: &Key = &Key {
    path: &["privateKeyId"],
    yaml_aliases: &["kid", "keyId"],
    var: "OKTA_CLIENT_KID",
    var_aliases: &["OKTA_CLIENT_PRIVATEKEYID", "OKTA_CLIENT_KEYID"],
    kind: Kind::Text,
};
/// What a [`Kind::DpopMode`] value may be.
pub(crate) const DPOP_MODES: &str = "true, false or auto";

/// Okta's Python SDK's `dpopEnabled` (`true` / `false`), `auto` as well.
pub(crate) const DPOP_ENABLED: &Key = &Key {
    path: &["dpopEnabled"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_DPOPENABLED",
    var_aliases: &[],
    kind: Kind::DpopMode,
};
pub(crate) const CONNECTION_TIMEOUT: &Key = &Key {
    path: &["connectionTimeout"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_CONNECTIONTIMEOUT",
    var_aliases: &["OKTA_CLIENT_CONNECTION_TIMEOUT"],
    kind: Kind::Seconds,
};
pub(crate) const REQUEST_TIMEOUT: &Key = &Key {
    path: &["requestTimeout"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_REQUESTTIMEOUT",
    var_aliases: &["OKTA_CLIENT_REQUEST_TIMEOUT"],
    kind: Kind::Seconds,
};
pub(crate) const MAX_RETRIES: &Key = &Key {
    path: &["rateLimit", "maxRetries"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_RATELIMIT_MAXRETRIES",
    var_aliases: &["OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES"],
    kind: Kind::Count,
};
pub(crate) const PROXY_HOST: &Key = &Key {
    path: &["proxy", "host"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_PROXY_HOST",
    var_aliases: &[],
    kind: Kind::Text,
};
pub(crate) const PROXY_PORT: &Key = &Key {
    path: &["proxy", "port"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_PROXY_PORT",
    var_aliases: &[],
    kind: Kind::Port,
};
pub(crate) const PROXY_USERNAME: &Key = &Key {
    path: &["proxy", "username"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_PROXY_USERNAME",
    var_aliases: &[],
    kind: Kind::Text,
};
pub(crate) const PROXY_PASSWORD: &Key = &Key {
    path: &["proxy", "password"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_PROXY_PASSWORD",
    var_aliases: &[],
    kind: Kind::Secret,
};
pub(crate) const USER_AGENT: &Key = &Key {
    path: &["userAgent"],
    yaml_aliases: &[],
    var: "OKTA_CLIENT_USERAGENT",
    var_aliases: &[],
    kind: Kind::Text,
};

/// Every key, in the order of the documentation's table.
pub(crate) const ALL: &[&Key] = &[
    ORG_URL,
    AUTHORIZATION_MODE,
    TOKEN,
    CLIENT_ID,
    SCOPES,
    PRIVATE_KEY,
    JWK,
    KEY_ID,
    DPOP_ENABLED,
    CONNECTION_TIMEOUT,
    REQUEST_TIMEOUT,
    MAX_RETRIES,
    PROXY_HOST,
    PROXY_PORT,
    PROXY_USERNAME,
    PROXY_PASSWORD,
    USER_AGENT,
];

/// Keys Okta's other SDKs define that this client has no use for: read past with a warning,
/// not refused, so that one `~/.okta/okta.yaml` can serve them all. A path ending in a
/// section (`cache`) covers everything under it.
pub(crate) const OTHER_SDKS: &[&[&str]] = &[
    &["cache"],
    &["rateLimit", "maxBackoff"],
    &["rateLimit", "enable"],
    &["encryptionType"],
    &["clientSecret"],
    &["clientAssertion"],
    &["oAuth2AccessToken"],
    // Python's: the DPoP key's rotation (this client keeps one key per client), the token
    // refresh margin (fixed here: see the defaults table), its logging switch.
    &["dpopKeyRotationInterval"],
    &["oauthTokenRenewalOffset"],
    &["logging"],
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The docs' one table of keys (also in the README: `tests/docs.rs` checks it is the same).
    const TABLE: &str = include_str!("../configuration.md");

    #[test]
    fn the_configuration_table_has_one_row_naming_every_key_and_variable() {
        let rows: Vec<&str> = TABLE
            .lines()
            .filter(|line| line.starts_with("| `") && !line.starts_with("| `okta.yaml`"))
            .collect();
        for key in ALL {
            let path = key.path.join(".");
            let row = rows
                .iter()
                .find(|row| row.contains(&format!("`{path}`")))
                .unwrap_or_else(|| panic!("no row for {path}"));
            for name in std::iter::once(&key.var)
                .chain(key.var_aliases)
                .chain(key.yaml_aliases)
            {
                assert!(
                    row.contains(&format!("`{name}`")),
                    "{path}: {name} in {row}"
                );
            }
        }
        // Every row is a key this client reads.
        for row in rows {
            let first = row.split('|').nth(1).unwrap();
            assert!(
                ALL.iter()
                    .any(|key| first.contains(&format!("`{}`", key.path.join(".")))),
                "{row}"
            );
        }
    }
}
