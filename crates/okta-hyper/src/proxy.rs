//! [`Proxy`]: a forward proxy given in code or read from the environment, with its
//! credentials kept out of every `Debug`, error and trace.

use std::fmt;

use http::Uri;
use http::uri::{Authority, Scheme};
use hyper_util::client::proxy::matcher::Matcher;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// A forward proxy for the transport: the proxy for `http://` destinations, the one for
/// `https://` destinations (reached through a `CONNECT` tunnel, so TLS stays end to end), and
/// the hosts that bypass both.
///
/// Build one with [`Proxy::new`] (every destination), or read the usual variables with
/// [`Proxy::from_env`]. Proxy URLs are `http://[user:password@]host[:port]` (the port defaults
/// to 80; a URL without a scheme means `http://`); the credentials are sent as
/// `Proxy-Authorization: Basic …` to the proxy only, and never appear in `Debug` output or
/// errors.
///
/// ```
/// # fn main() -> Result<(), okta_hyper::ProxyError> {
/// let proxy = okta_hyper::Proxy::new("http://proxy.corp.example:3128")?
///     .basic_auth("svc-okta", "s3cret")
///     .no_proxy("localhost, 127.0.0.1, .internal.example");
/// assert!(!format!("{proxy:?}").contains("s3cret"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Proxy {
    http: Option<ProxyUrl>,
    https: Option<ProxyUrl>,
    no_proxy: String,
}

/// One proxy's address and credentials.
#[derive(Clone)]
struct ProxyUrl {
    /// `http://host:port`, without credentials: what `Debug` and errors show.
    address: Authority,
    /// User and password, as given (not percent-encoded).
    credentials: Option<(String, String)>,
}

/// Why a proxy setting is unusable. Never contains the proxy's credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid proxy {origin}: {reason}")]
pub struct ProxyError {
    origin: String,
    reason: String,
}

impl ProxyError {
    fn new(origin: &str, reason: impl Into<String>) -> Self {
        ProxyError {
            origin: origin.to_owned(),
            reason: reason.into(),
        }
    }

    /// Where the setting came from: `URL` for one given in code, else the variable's name
    /// (`HTTPS_PROXY`, …).
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// The variables read by [`Proxy::from_env`], each lower case first, as curl reads them.
const ALL_PROXY: [&str; 2] = ["all_proxy", "ALL_PROXY"];
const HTTPS_PROXY: [&str; 2] = ["https_proxy", "HTTPS_PROXY"];
/// Upper case `HTTP_PROXY` is skipped under CGI (`REQUEST_METHOD` set), where a request's
/// `Proxy:` header would arrive as that variable ("httpoxy").
const HTTP_PROXY: [&str; 2] = ["http_proxy", "HTTP_PROXY"];
const NO_PROXY: [&str; 2] = ["no_proxy", "NO_PROXY"];

impl Proxy {
    /// No proxy: every request goes direct.
    pub(crate) fn none() -> Proxy {
        Proxy {
            http: None,
            https: None,
            no_proxy: String::new(),
        }
    }

    /// Sends every request, to `http://` and `https://` orgs alike, through the proxy at `url`.
    pub fn new(url: impl AsRef<str>) -> Result<Proxy, ProxyError> {
        let url = ProxyUrl::parse(url.as_ref(), "URL")?;
        Ok(Proxy {
            http: Some(url.clone()),
            https: Some(url),
            no_proxy: String::new(),
        })
    }

    /// The proxies named by the process environment: `https_proxy` for `https://` orgs,
    /// `http_proxy` for `http://` ones, `all_proxy` for either when its own is not set, and
    /// `no_proxy` for the hosts that bypass them; each in lower case, else upper case, as curl
    /// reads them (upper case `HTTP_PROXY` is ignored when `REQUEST_METHOD` says this runs
    /// under CGI). Empty variables count as unset; with none set, the proxy is empty and every
    /// request goes direct.
    ///
    /// A set but unusable variable (not an `http://` URL) is an error naming the variable.
    pub fn from_env() -> Result<Proxy, ProxyError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for tests, or
    /// another configuration source).
    pub fn from_env_with(
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<Proxy, ProxyError> {
        let cgi = lookup("REQUEST_METHOD").is_some();
        let mut read = |names: [&'static str; 2], skip_upper: bool| {
            names
                .into_iter()
                .filter(|name| !(skip_upper && name.bytes().all(|b| !b.is_ascii_lowercase())))
                .find_map(|name| {
                    lookup(name)
                        .filter(|value| !value.trim().is_empty())
                        .map(|value| (name, value))
                })
        };
        let parse = |found: Option<(&'static str, String)>| {
            found
                .map(|(name, value)| ProxyUrl::parse(&value, name))
                .transpose()
        };
        let all = parse(read(ALL_PROXY, false))?;
        let https = parse(read(HTTPS_PROXY, false))?.or_else(|| all.clone());
        let http = parse(read(HTTP_PROXY, cgi))?.or(all);
        let no_proxy = read(NO_PROXY, false)
            .map(|(_, value)| value)
            .unwrap_or_default();
        Ok(Proxy {
            http,
            https,
            no_proxy,
        })
    }

    /// Authenticates to the proxy (`Proxy-Authorization: Basic …`) with `username` and
    /// `password`, replacing credentials given in the URL.
    pub fn basic_auth(mut self, username: &str, password: &str) -> Self {
        for url in [&mut self.http, &mut self.https].into_iter().flatten() {
            url.credentials = Some((username.to_owned(), password.to_owned()));
        }
        self
    }

    /// Hosts that bypass the proxy, in `NO_PROXY`'s syntax (replacing any list given before):
    /// comma-separated domain names (each also matching its subdomains; a leading `.` is
    /// allowed), IP addresses, CIDR blocks such as `10.0.0.0/8`, or `*` for every host.
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.no_proxy = hosts.into();
        self
    }

    /// Whether no proxy is set for either scheme (every request goes direct).
    pub fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// hyper-util's matcher for these settings (it implements `NO_PROXY`'s rules and builds
    /// the `Proxy-Authorization` value, marked sensitive).
    pub(crate) fn matcher(&self) -> Matcher {
        let mut builder = Matcher::builder().no(self.no_proxy.as_str());
        if let Some(url) = &self.http {
            builder = builder.http(url.full());
        }
        if let Some(url) = &self.https {
            builder = builder.https(url.full());
        }
        builder.build()
    }
}

impl ProxyUrl {
    /// Parses `http://[user:password@]host[:port][/]`; `origin` names the setting in errors,
    /// which never repeat the value (it may hold a password).
    fn parse(value: &str, origin: &str) -> Result<ProxyUrl, ProxyError> {
        let value = value.trim();
        let with_scheme = if value.contains("://") {
            value.to_owned()
        } else {
            format!("http://{value}")
        };
        let uri: Uri = with_scheme
            .parse()
            .map_err(|_| ProxyError::new(origin, "not a URL of the form http://host:port"))?;
        match uri.scheme() {
            Some(scheme) if *scheme == Scheme::HTTP => {}
            Some(scheme) => {
                return Err(ProxyError::new(
                    origin,
                    format!("{scheme}:// proxies are not supported (only http://)"),
                ));
            }
            None => return Err(ProxyError::new(origin, "no scheme")),
        }
        if uri.path() != "/" || uri.query().is_some() {
            return Err(ProxyError::new(
                origin,
                "a proxy URL has no path or query (http://host:port)",
            ));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| ProxyError::new(origin, "no host"))?;
        let (credentials, host_port) = match authority.as_str().rsplit_once('@') {
            Some((userinfo, host_port)) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let decode = |part: &str| {
                    percent_encoding::percent_decode_str(part)
                        .decode_utf8()
                        .map(|decoded| decoded.into_owned())
                        .map_err(|_| {
                            ProxyError::new(origin, "the credentials are not percent-encoded UTF-8")
                        })
                };
                (Some((decode(user)?, decode(password)?)), host_port)
            }
            None => (None, authority.as_str()),
        };
        if host_port.is_empty() || host_port.starts_with(':') {
            return Err(ProxyError::new(origin, "no host"));
        }
        let address: Authority = host_port
            .parse()
            .map_err(|_| ProxyError::new(origin, "invalid host or port"))?;
        let has_port = address.as_str().len() > address.host().len();
        if has_port && address.port_u16().is_none() {
            return Err(ProxyError::new(origin, "the port is not a number"));
        }
        Ok(ProxyUrl {
            address,
            credentials,
        })
    }

    /// The URL with its credentials percent-encoded, for hyper-util's matcher only.
    fn full(&self) -> String {
        match &self.credentials {
            Some((user, password)) => format!(
                "http://{}:{}@{}",
                utf8_percent_encode(user, NON_ALPHANUMERIC),
                utf8_percent_encode(password, NON_ALPHANUMERIC),
                self.address
            ),
            None => format!("http://{}", self.address),
        }
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}", self.address)?;
        if self.credentials.is_some() {
            f.write_str(" (credentials redacted)")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("http", &self.http)
            .field("https", &self.https)
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> + use<> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn shown(url: &Option<ProxyUrl>) -> Option<String> {
        url.as_ref().map(|url| url.address.to_string())
    }

    #[test]
    fn each_scheme_takes_its_own_variable_then_all_proxy() {
        let proxy = Proxy::from_env_with(env(&[
            ("HTTPS_PROXY", "http://secure:1"),
            ("all_proxy", "http://every:2"),
        ]))
        .unwrap();
        assert_eq!(shown(&proxy.https).as_deref(), Some("secure:1"));
        assert_eq!(shown(&proxy.http).as_deref(), Some("every:2"));
        let proxy = Proxy::from_env_with(env(&[("ALL_PROXY", "every:3")])).unwrap();
        assert_eq!(shown(&proxy.https).as_deref(), Some("every:3"));
        assert_eq!(shown(&proxy.http).as_deref(), Some("every:3"));
    }

    #[test]
    fn lower_case_wins_and_empty_counts_as_unset() {
        let proxy = Proxy::from_env_with(env(&[
            ("https_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:2"),
            ("http_proxy", " "),
            ("HTTP_PROXY", "http://upper:3"),
            ("no_proxy", ""),
            ("NO_PROXY", "internal.example"),
        ]))
        .unwrap();
        assert_eq!(shown(&proxy.https).as_deref(), Some("lower:1"));
        assert_eq!(shown(&proxy.http).as_deref(), Some("upper:3"));
        assert_eq!(proxy.no_proxy, "internal.example");
        assert!(Proxy::from_env_with(env(&[])).unwrap().is_empty());
    }

    #[test]
    fn upper_case_http_proxy_is_ignored_under_cgi() {
        let proxy = Proxy::from_env_with(env(&[
            ("REQUEST_METHOD", "GET"),
            ("HTTP_PROXY", "http://attacker:1"),
        ]))
        .unwrap();
        assert!(proxy.http.is_none());
        let proxy = Proxy::from_env_with(env(&[
            ("REQUEST_METHOD", "GET"),
            ("http_proxy", "http://admin:2"),
        ]))
        .unwrap();
        assert_eq!(shown(&proxy.http).as_deref(), Some("admin:2"));
    }

    #[test]
    fn credentials_are_decoded_and_never_shown() {
        let proxy = Proxy::new("http://us%40er:p%3Ass@proxy:3128/").unwrap();
        let url = proxy.https.as_ref().unwrap();
        assert_eq!(
            url.credentials,
            Some(("us@er".to_owned(), "p:ss".to_owned()))
        );
        assert_eq!(url.full(), "http://us%40er:p%3Ass@proxy:3128");
        let text = format!("{proxy:?}");
        assert!(
            text.contains("http://proxy:3128 (credentials redacted)"),
            "{text}"
        );
        assert!(!text.contains("p:ss") && !text.contains("p%3Ass"), "{text}");
        let proxy = Proxy::new("proxy:3128").unwrap().basic_auth("u", "pw");
        assert_eq!(
            proxy.http.as_ref().unwrap().full(),
            "http://u:pw@proxy:3128"
        );
    }

    #[test]
    fn unusable_urls_are_refused_without_repeating_them() {
        for (value, reason) in [
            (
                "socks5h://user:s3cret@proxy:1080",
                "socks5h:// proxies are not supported",
            ),
            (
                "https://user:s3cret@proxy:443",
                "https:// proxies are not supported",
            ),
            ("http://user:s3cret@proxy:3128/path", "no path or query"),
            ("http://user:s3cret@", "not a URL"),
            ("http://user:s3cret@:3128", "no host"),
            ("http://user:s3cret@proxy:port", "the port is not a number"),
            ("http://user:%ff%fe@proxy:1", "percent-encoded UTF-8"),
        ] {
            let error = Proxy::from_env_with(env(&[("HTTPS_PROXY", value)])).unwrap_err();
            let text = format!("{error} {error:?}");
            assert!(text.contains(reason), "{value}: {text}");
            assert_eq!(error.origin(), "HTTPS_PROXY");
            assert!(!text.contains("s3cret") && !text.contains("%ff"), "{text}");
        }
    }

    #[test]
    fn no_proxy_hosts_bypass_the_matcher() {
        let matcher = Proxy::new("http://proxy:3128")
            .unwrap()
            .no_proxy("internal.example, 10.0.0.0/8")
            .matcher();
        for (destination, proxied) in [
            ("https://dev-1.okta.com/api", true),
            ("http://dev-1.okta.com/api", true),
            ("https://app.internal.example/", false),
            ("https://10.1.2.3/", false),
        ] {
            let uri: Uri = destination.parse().unwrap();
            assert_eq!(matcher.intercept(&uri).is_some(), proxied, "{destination}");
        }
    }
}
