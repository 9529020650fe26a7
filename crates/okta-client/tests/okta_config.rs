//! Okta's configuration through `ClientBuilder::from_config_sources`: the precedence of
//! `~/.okta/okta.yaml`, `./okta.yaml`, `./.okta/okta.yaml`, the environment and code, with a
//! temporary home and working directory and an injected environment (nothing process-global
//! is changed); every key reaching the client; and every error message.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use okta_client::{BuildError, ClientBuilder, ConfigSources, Error, SettingSource};
use okta_mock::{DEFAULT_SERVICE_BASE_URL, MockOrg};
use okta_users::Users;
use okta_users::endpoints::GET_USER;
use tower::ServiceExt;

const RSA_PEM: &str = include_str!("../../okta-mock/tests/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../../okta-mock/tests/keys/rsa_public.pem");
const EC_JWK: &str = include_str!("../../okta-mock/tests/keys/ec_private.jwk.json");

/// A directory of its own under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "okta-config-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A home and a working directory, and an environment.
struct Setup {
    home: TempDir,
    work: TempDir,
    env: HashMap<String, String>,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            home: TempDir::new("home"),
            work: TempDir::new("work"),
            env: HashMap::new(),
        }
    }

    fn home_file(&self, text: &str) -> PathBuf {
        self.home.write(".okta/okta.yaml", text)
    }

    fn project_file(&self, text: &str) -> PathBuf {
        self.work.write("okta.yaml", text)
    }

    fn dot_okta_file(&self, text: &str) -> PathBuf {
        self.work.write(".okta/okta.yaml", text)
    }

    fn var(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.insert(name.to_owned(), value.to_owned());
        self
    }

    fn sources(&self) -> ConfigSources {
        let env = self.env.clone();
        ConfigSources::new()
            .home_dir(Some(self.home.0.clone()))
            .working_dir(self.work.0.clone())
            .env(move |name| env.get(name).cloned())
    }

    fn builder(&self) -> Result<ClientBuilder, BuildError> {
        ClientBuilder::from_config_sources(&self.sources())
    }

    fn error(&self) -> BuildError {
        match self.builder().and_then(ClientBuilder::build) {
            Ok(_) => panic!("the configuration was accepted"),
            Err(error) => error,
        }
    }
}

/// What a request sent by the configured client looks like: org, `Authorization`,
/// `User-Agent` (over a fake transport).
async fn sent(builder: ClientBuilder) -> (String, String, String) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let transport = tower::service_fn(move |request: Request<Full<Bytes>>| {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .map_or(String::new(), |v| v.to_str().unwrap().to_owned())
        };
        tx.send((
            request.uri().authority().unwrap().to_string(),
            header("authorization"),
            header("user-agent"),
        ))
        .unwrap();
        async { Ok::<_, okta_users::BoxError>(Response::new(Full::new(Bytes::new()))) }
    });
    let service = builder.build_service(transport).unwrap();
    let mut request = Request::get("/api/v1/users/00u1")
        .body(Full::new(Bytes::new()))
        .unwrap();
    request.extensions_mut().insert(GET_USER.operation);
    service.oneshot(request).await.unwrap();
    rx.recv().await.unwrap()
}

#[tokio::test]
async fn each_source_overrides_the_ones_before_it_key_by_key() {
    let mut setup = Setup::new();
    // Nothing anywhere: no org.
    assert!(matches!(setup.error(), BuildError::MissingOrgUrl));

    setup.home_file(
        "okta:\n  client:\n    orgUrl: https://home.okta.com\n    token: home-token\n    userAgent: home-app/1\n",
    );
    let (org, auth, agent) = sent(setup.builder().unwrap()).await;
    assert_eq!(org, "home.okta.com");
    assert_eq!(auth, "SSWS home-token");
    assert!(agent.ends_with(" home-app/1"), "{agent}");

    // ./okta.yaml over the home file, for the keys it has.
    setup.project_file("okta:\n  client:\n    orgUrl: https://project.okta.com\n");
    let (org, auth, _) = sent(setup.builder().unwrap()).await;
    assert_eq!(org, "project.okta.com");
    assert_eq!(auth, "SSWS home-token");

    // ./.okta/okta.yaml over both.
    setup.dot_okta_file(
        "okta:\n  client:\n    orgUrl: https://dot.okta.com\n    token: dot-token\n",
    );
    let (org, auth, agent) = sent(setup.builder().unwrap()).await;
    assert_eq!(org, "dot.okta.com");
    assert_eq!(auth, "SSWS dot-token");
    assert!(agent.ends_with(" home-app/1"), "{agent}");

    // The environment over every file.
    setup.var("OKTA_CLIENT_ORGURL", "https://env.okta.com");
    setup.var("OKTA_CLIENT_USERAGENT", "env-app/2");
    let (org, auth, agent) = sent(setup.builder().unwrap()).await;
    assert_eq!(org, "env.okta.com");
    assert_eq!(auth, "SSWS dot-token");
    assert!(
        agent.ends_with(" env-app/2") && !agent.contains("home-app"),
        "{agent}"
    );
    assert!(agent.starts_with("okta-users-rs/"), "{agent}");

    // Code over everything.
    let builder = setup
        .builder()
        .unwrap()
        .org_url("https://code.okta.com")
        .api_token("code-token")
        .user_agent_suffix("code-app/3");
    let (org, auth, agent) = sent(builder).await;
    assert_eq!(org, "code.okta.com");
    assert_eq!(auth, "SSWS code-token");
    assert!(agent.ends_with(" code-app/3"), "{agent}");
}

#[tokio::test]
async fn the_files_are_looked_for_where_okta_sdks_look() {
    let setup = Setup::new();
    let files = setup.sources().files();
    assert_eq!(
        files,
        [
            setup.home.0.join(".okta/okta.yaml"),
            setup.work.0.join("okta.yaml"),
            setup.work.0.join(".okta/okta.yaml"),
        ]
    );
    let no_home = setup.sources().home_dir(None).files();
    assert_eq!(no_home.len(), 2);
}

#[tokio::test]
async fn private_key_credentials_from_a_file_with_a_key_file_beside_it() {
    let setup = Setup::new();
    setup.work.write("keys/service.pem", RSA_PEM);
    setup.home_file(
        "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    authorizationMode: PrivateKey\n    clientId: 0oa-app\n    scopes:\n      - okta.users.read\n      - okta.users.manage\n    privateKey: keys/service.pem\n    privateKeyId: kid-1\n",
    );
    // Resolved against the working directory, not the process's.
    setup.builder().unwrap().build().unwrap();
    // The PEM inline, as a YAML block scalar; Java's `kid` spelling of the key id.
    let indented: String = RSA_PEM.lines().map(|l| format!("      {l}\n")).collect();
    setup.home_file(&format!(
        "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    authorizationMode: privatekey\n    clientId: 0oa-app\n    scopes: okta.users.read, okta.users.manage\n    kid: kid-1\n    privateKey: |\n{indented}"
    ));
    setup.builder().unwrap().build().unwrap();
}

/// A JWK (as Okta's admin console generates it) is a private key wherever a PEM is: inline in
/// `OKTA_CLIENT_PRIVATEKEY` or in `okta.yaml`, or in the file either names — as `from_env`
/// reads it.
#[test]
fn a_jwk_private_key_is_read_inline_or_from_its_file() {
    let mut setup = Setup::new();
    setup.work.write("keys/service.jwk.json", EC_JWK);
    let yaml = |key: &str| {
        format!(
            "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    authorizationMode: PrivateKey\n    clientId: 0oa-app\n    scopes: okta.users.read\n    privateKey: {key}\n"
        )
    };
    setup.home_file(&yaml("keys/service.jwk.json"));
    setup.builder().unwrap().build().unwrap();
    setup.home_file(&yaml(&format!("'{}'", EC_JWK.replace('\n', " "))));
    setup.builder().unwrap().build().unwrap();
    setup.var("OKTA_CLIENT_PRIVATEKEY", EC_JWK);
    setup.builder().unwrap().build().unwrap();
}

/// Okta's Go SDK's own key for a JWK: `jwk` / `OKTA_CLIENT_JWK`, instead of `privateKey`; with
/// both, the key is given twice. Its keys this client has no use for are read past.
#[test]
fn go_s_jwk_key_is_the_private_key() {
    let mut setup = Setup::new();
    let start = "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    authorizationMode: PrivateKey\n    clientId: 0oa-app\n    scopes: okta.users.read\n    encryptionType: RSA\n    rateLimit:\n      enable: true\n";
    setup.home_file(start);
    setup.var("OKTA_CLIENT_JWK", EC_JWK);
    setup.builder().unwrap().build().unwrap();
    let file = setup.home_file(&format!(
        "{start}    jwk: '{}'\n",
        EC_JWK.replace('\n', " ")
    ));
    setup.env.clear();
    setup.builder().unwrap().build().unwrap();
    setup.home_file(&format!(
        "{start}    jwk: '{}'\n    privateKey: keys/service.pem\n",
        EC_JWK.replace('\n', " ")
    ));
    let error = setup.builder().unwrap_err();
    assert_setting(&error, &file, 10, "okta.client.jwk", "give the key once");
}

#[tokio::test(start_paused = true)]
async fn timeouts_and_429_retries_reach_the_stack() {
    let mut setup = Setup::new();
    setup.home_file(
        "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: t\n    connectionTimeout: 7\n",
    );
    let builder = setup.builder().unwrap();
    assert!(
        format!("{builder:?}").contains("connect_timeout: 7s"),
        "{builder:?}"
    );
    // (A transport setting: the client builds its own transport with it.)
    builder.build().unwrap();

    setup.home_file(
        "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: t\n    requestTimeout: 3\n    rateLimit:\n      maxRetries: 1\n",
    );
    let builder = setup.builder().unwrap();

    // maxRetries: one re-send after a 429, then the 429 is the answer.
    let sends = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = sends.clone();
    let limited = tower::service_fn(move |_request: Request<Full<Bytes>>| {
        counted.fetch_add(1, Ordering::SeqCst);
        async {
            Ok::<_, okta_users::BoxError>(
                Response::builder()
                    .status(429)
                    .header("x-rate-limit-limit", "0")
                    .header("x-rate-limit-remaining", "0")
                    .body(Full::new(Bytes::new()))
                    .unwrap(),
            )
        }
    });
    let request = || {
        let mut request = Request::get("/api/v1/users/00u1")
            .body(Full::new(Bytes::new()))
            .unwrap();
        request.extensions_mut().insert(GET_USER.operation);
        request
    };
    let answer = builder
        .build_service(limited)
        .unwrap()
        .oneshot(request())
        .await
        .unwrap();
    assert_eq!(answer.status(), 429);
    assert_eq!(sends.load(Ordering::SeqCst), 2);

    // requestTimeout: the whole call, as Okta's SDKs mean it.
    let silent = tower::service_fn(|_request: Request<Full<Bytes>>| async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok::<_, okta_users::BoxError>(Response::new(Full::new(Bytes::new())))
    });
    let started = tokio::time::Instant::now();
    let error = setup
        .builder()
        .unwrap()
        .configure_stack(|stack| stack.attempt_timeout = None)
        .build_service(silent)
        .unwrap()
        .oneshot(request())
        .await
        .unwrap_err();
    assert!(matches!(
        Error::from_service(error),
        Error::Timeout {
            kind: okta_users::TimeoutKind::Call
        }
    ));
    assert_eq!(started.elapsed(), Duration::from_secs(3));

    // 0: no limit, as in Okta's SDKs; Go's variable spelling works too.
    setup.var("OKTA_CLIENT_REQUEST_TIMEOUT", "0");
    let builder = setup.builder().unwrap();
    assert!(
        format!("{builder:?}").contains("call_timeout: None"),
        "{builder:?}"
    );
}

#[tokio::test]
async fn a_proxy_from_okta_yaml_carries_the_requests_with_its_credentials() {
    // The proxy: it answers for the org, and shows what it was asked.
    let (proxy, mut seen_rx) = support::wire_recorder().await;
    let proxy_port = proxy.port();

    let mut setup = Setup::new();
    // Port 9 (discard) on loopback: nothing answers there, so only the proxy can.
    setup.project_file(&format!(
        "okta:\n  client:\n    orgUrl: http://127.0.0.1:9\n    token: t\n    proxy:\n      host: 127.0.0.1\n      port: {proxy_port}\n      username: svc-okta\n      password: pr0xy-s3cret\n"
    ));
    setup.var("HTTP_PROXY", "http://127.0.0.1:1");
    let builder = setup.builder().unwrap();
    assert!(
        !format!("{builder:?}").contains("pr0xy-s3cret"),
        "{builder:?}"
    );
    let error = builder
        .build()
        .unwrap()
        .users()
        .get("00u1")
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    let seen = seen_rx.recv().await.unwrap();
    assert_eq!(seen.target, "http://127.0.0.1:9/api/v1/users/00u1");
    // base64("svc-okta:pr0xy-s3cret")
    assert_eq!(
        seen.header("proxy-authorization"),
        Some("Basic c3ZjLW9rdGE6cHIweHktczNjcmV0")
    );
}

#[test]
fn null_values_other_sdks_keys_and_other_sections_are_read_past() {
    let setup = Setup::new();
    // Okta's documented template, with nulls, a cache section and Go's maxBackoff, and the
    // sections of other tools.
    setup.home_file(
        "awscli:\n  idps: {}\nokta:\n  idx:\n    issuer: https://x\n  testing:\n    disableHttpsCheck: false\n  client:\n    connectionTimeout: 30\n    orgUrl: \"https://dev-1.okta.com\"\n    proxy:\n      port: null\n      host: null\n      username: null\n      password: null\n    token: t\n    requestTimeout: 0\n    rateLimit:\n      maxRetries: 4\n      maxBackoff: 30\n    cache:\n      enabled: true\n      defaultTtl: 300\n",
    );
    setup.builder().unwrap().build().unwrap();
    // Keys in another case, as .NET's SDK accepts them.
    setup.home_file("okta:\n  Client:\n    OrgURL: https://dev-1.okta.com\n    Token: t\n");
    setup.builder().unwrap().build().unwrap();
    // An empty file, or one without an okta.client section.
    setup.home_file("");
    setup.project_file("# nothing\nother: 1\n");
    assert!(matches!(setup.error(), BuildError::MissingOrgUrl));
}

/// Okta's Python SDK's `dpopEnabled` and `OKTA_CLIENT_DPOPENABLED` are `ClientBuilder::dpop`:
/// against an app requiring DPoP, `false` is refused by the token endpoint, and the variable
/// (`true`) wins over the file; Python's keys this client has no use for are read past.
#[tokio::test(start_paused = true)]
async fn dpop_enabled_sets_the_dpop_mode() {
    let mut setup = Setup::new();
    setup.work.write("service.pem", RSA_PEM);
    let org = MockOrg::builder()
        .seed(5)
        .users(1)
        .oauth_client("0oa-app", RSA_PUBLIC)
        .require_dpop("0oa-app")
        .build()
        .unwrap();
    let id = org.user_ids().remove(0);
    setup.home_file(&format!(
        "okta:\n  client:\n    orgUrl: {DEFAULT_SERVICE_BASE_URL}\n    authorizationMode: PrivateKey\n    clientId: 0oa-app\n    scopes: okta.users.read\n    privateKey: service.pem\n    dpopEnabled: false\n    dpopKeyRotationInterval: 86400\n    oauthTokenRenewalOffset: 5\n    logging:\n      enabled: true\n"
    ));
    let users = |setup: &Setup| {
        let builder = setup.builder().unwrap();
        Users::new(builder.build_service(org.service()).unwrap())
    };

    let error = users(&setup).get(id.as_str()).await.unwrap_err();
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert!(
        error.to_string().contains("DPoP is off for this client"),
        "{error}"
    );
    assert_eq!(org.counters().token_requests, 1, "DPoP not learned");

    setup.var("OKTA_CLIENT_DPOPENABLED", "true");
    users(&setup).get(id.as_str()).await.unwrap();
    // On: a proof from the first token request, then Okta's nonce — two requests (auto would
    // first learn that the app requires DPoP: three).
    assert_eq!(org.counters().token_requests, 1 + 2);
}

/// `error` is an `InvalidSetting` from `file` at `line`, for `key`, whose reason says `says`.
fn assert_setting(error: &BuildError, file: &Path, line: usize, key: &str, says: &str) {
    match error {
        BuildError::InvalidSetting {
            origin: SettingSource::File { path, line: at },
            key: k,
            reason,
        } => {
            assert_eq!(
                (path.as_path(), *at, k.as_str()),
                (file, line, key),
                "{error}"
            );
            assert!(reason.contains(says), "{error}");
        }
        other => panic!("not a file setting error: {other:?}"),
    }
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("{}, line {line}: {key}: ", file.display())),
        "{text}"
    );
}

#[test]
fn every_unknown_or_malformed_value_in_a_file_is_refused_naming_file_line_and_key() {
    let setup = Setup::new();
    let start = "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: t\n";
    let cases: &[(&str, usize, &str, &str)] = &[
        (
            "    tokn: x\n",
            5,
            "okta.client.tokn",
            "is not a key this client knows; expected one of: orgUrl, authorizationMode, token, clientId, scopes, privateKey, jwk, privateKeyId, dpopEnabled, connectionTimeout, requestTimeout, rateLimit, proxy, userAgent",
        ),
        (
            "    proxy:\n      hots: p\n",
            6,
            "okta.client.proxy.hots",
            "expected one of: host, port, username, password",
        ),
        (
            "    rateLimit:\n      maxRetires: 2\n",
            6,
            "okta.client.rateLimit.maxRetires",
            "expected one of: maxRetries",
        ),
        (
            "    connectionTimeout: abc\n",
            5,
            "okta.client.connectionTimeout",
            "expected a whole number of seconds, found \"abc\"",
        ),
        (
            "    connectionTimeout: 1.5\n",
            5,
            "okta.client.connectionTimeout",
            "expected a whole number of seconds, found 1.5",
        ),
        (
            "    connectionTimeout: 0\n",
            5,
            "okta.client.connectionTimeout",
            "must be at least 1 second",
        ),
        (
            "    requestTimeout: -1\n",
            5,
            "okta.client.requestTimeout",
            "expected a whole number of seconds, found \"-1\"",
        ),
        (
            "    rateLimit:\n      maxRetries: [1]\n",
            6,
            "okta.client.rateLimit.maxRetries",
            "expected a whole number, found a list",
        ),
        (
            "    rateLimit: 3\n",
            5,
            "okta.client.rateLimit",
            "expected a mapping of keys",
        ),
        (
            "    scopes:\n      a: b\n",
            6,
            "okta.client.scopes",
            "expected a list of scopes, or scopes separated by commas or spaces, found a mapping",
        ),
        (
            "    scopes: [okta.users.read, 7]\n",
            5,
            "okta.client.scopes",
            "expected a list of scopes (text)",
        ),
        (
            "    userAgent: true\n",
            5,
            "okta.client.userAgent",
            "expected text, found true",
        ),
        (
            "    userAgent: caf\u{e9}/1\n",
            5,
            "okta.client.userAgent",
            "only printable ASCII",
        ),
        (
            "    proxy:\n      host: p.example.com\n      port: 70000\n",
            7,
            "okta.client.proxy.port",
            "expected a port number (1-65535), found \"70000\"",
        ),
        (
            "    proxy:\n      host: p.example.com\n",
            6,
            "okta.client.proxy.host",
            "needs a port (okta.client.proxy.port or OKTA_CLIENT_PROXY_PORT)",
        ),
        (
            "    proxy:\n      port: 3128\n",
            6,
            "okta.client.proxy.port",
            "has no proxy host to go with it",
        ),
        (
            "    proxy:\n      host: http://p.example.com\n      port: 3128\n",
            6,
            "okta.client.proxy.host",
            "is not a host name",
        ),
        (
            "    proxy:\n      host: p.example.com\n      port: 3128\n      username: u\n",
            8,
            "okta.client.proxy.username",
            "needs both a proxy username and a password",
        ),
        (
            "    dpopEnabled: sometimes\n",
            5,
            "okta.client.dpopEnabled",
            "expected true, false or auto, found \"sometimes\"",
        ),
        (
            "    dpopEnabled: 1\n",
            5,
            "okta.client.dpopEnabled",
            "expected true, false or auto, found 1",
        ),
        (
            "    authorizationMode: Magic\n",
            5,
            "okta.client.authorizationMode",
            "\"Magic\" is not an authorization mode this client supports (SSWS, PrivateKey or Bearer)",
        ),
        (
            "    authorizationMode: PrivateKey\n    scopes: okta.users.read\n",
            5,
            "okta.client.authorizationMode",
            "PrivateKey needs okta.client.clientId (or OKTA_CLIENT_CLIENTID) too",
        ),
        (
            "    authorizationMode: PrivateKey\n    clientId: a\n    scopes: s\n    privateKey: no/such.pem\n",
            8,
            "okta.client.privateKey",
            "is neither a PEM key, a JWK nor a readable file",
        ),
    ];
    for (extra, line, key, says) in cases {
        let file = setup.home_file(&format!("{start}{extra}"));
        assert_setting(&setup.error(), &file, *line, key, says);
    }
}

#[test]
fn secrets_of_a_bad_file_are_never_repeated() {
    let setup = Setup::new();
    let bad_pem = "-----BEGIN PRIVATE KEY-----\\nAAAAs3cr3t-k3y\\n-----END PRIVATE KEY-----";
    for text in [
        "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: [s3cr3t-k3y]\n".to_owned(),
        "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: t\n    proxy:\n      password: {s3cr3t-k3y: 1}\n".to_owned(),
        format!("okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    authorizationMode: PrivateKey\n    clientId: a\n    scopes: s\n    privateKey: \"{bad_pem}\"\n"),
    ] {
        setup.home_file(&text);
        let error = setup.error();
        assert!(matches!(error, BuildError::InvalidSetting { .. }), "{error:?}");
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cr3t-k3y"), "{shown}");
    }
}

#[test]
fn a_file_that_is_not_okta_yaml_is_refused_naming_it() {
    let setup = Setup::new();
    let cases: &[(&str, &str)] = &[
        ("okta:\n  client: [unclosed\n", "not YAML"),
        (
            "okta: {}\n---\nokta: {}\n",
            "holds more than one YAML document",
        ),
        (
            "okta:\n  client:\n    orgUrl: a\n    orgUrl: b\n",
            "not YAML",
        ),
    ];
    for (text, says) in cases {
        let file = setup.project_file(text);
        match setup.error() {
            BuildError::ConfigFile { path, reason } => {
                assert_eq!(path, file);
                assert!(reason.contains(says), "{reason}");
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
    let file = setup.project_file("okta:\n  - client\n");
    assert_setting(
        &setup.error(),
        &file,
        2,
        "okta",
        "expected a mapping of keys",
    );
    let file = setup.project_file(&"# padding\n".repeat(120_000));
    match setup.error() {
        BuildError::ConfigFile { path, reason } => {
            assert_eq!(path, file);
            assert!(reason.contains("more than an okta.yaml can be"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir_all(&file).unwrap();
    match setup.error() {
        BuildError::ConfigFile { reason, .. } => assert_eq!(reason, "not a file"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_variables_are_refused_naming_the_variable() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "OKTA_CLIENT_PROXY_PORT",
            "abc",
            "expected a port number (1-65535), found \"abc\"",
        ),
        (
            "OKTA_CLIENT_CONNECTIONTIMEOUT",
            "ten",
            "expected a whole number of seconds, found \"ten\"",
        ),
        (
            "OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES",
            "-2",
            "expected a whole number, found \"-2\"",
        ),
        (
            "OKTA_CLIENT_AUTHORIZATIONMODE",
            "Magic",
            "is not an authorization mode",
        ),
        (
            "OKTA_CLIENT_DPOPENABLED",
            "sometimes",
            "expected true, false or auto, found \"sometimes\"",
        ),
    ];
    for (name, value, says) in cases {
        let mut setup = Setup::new();
        setup.var("OKTA_CLIENT_ORGURL", "https://dev-1.okta.com");
        setup.var("OKTA_CLIENT_TOKEN", "t");
        setup.var("OKTA_CLIENT_PROXY_HOST", "proxy.example.com");
        setup.var("OKTA_CLIENT_PROXY_PORT", "3128");
        setup.var(name, value);
        let error = setup.error();
        assert!(
            matches!(&error, BuildError::InvalidSetting { origin: SettingSource::Environment, key, reason } if key == name && reason.contains(says)),
            "{name}: {error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "the environment: {name}: {}",
                match &error {
                    BuildError::InvalidSetting { reason, .. } => reason.as_str(),
                    _ => unreachable!(),
                }
            )
        );
    }
}

#[test]
fn from_env_keeps_reading_the_org_and_credential_variables() {
    let client = ClientBuilder::from_env_with(|name| match name {
        "OKTA_CLIENT_ORGURL" => Some("https://dev-9.okta.com".to_owned()),
        "OKTA_CLIENT_TOKEN" => Some("t".to_owned()),
        _ => None,
    })
    .build()
    .unwrap();
    assert_eq!(client.org_url().host(), "dev-9.okta.com");
}

/// With no org anywhere, the first thing missing is the org — which code may still give — so
/// an incomplete `PrivateKey` setting does not hide it (the quickstart relies on this to fall
/// back to its embedded org); once code gives the org, the incomplete setting is reported.
#[test]
fn without_an_org_the_missing_org_is_reported_first() {
    let mut setup = Setup::new();
    setup.var("OKTA_CLIENT_AUTHORIZATIONMODE", "PrivateKey");
    assert!(
        matches!(setup.error(), BuildError::MissingOrgUrl),
        "{:?}",
        setup.error()
    );
    let error = setup
        .builder()
        .unwrap()
        .org_url("https://dev-1.okta.com")
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, BuildError::InvalidCredentials { reason } if reason.contains("OKTA_CLIENT_CLIENTID")),
        "{error:?}"
    );
}
