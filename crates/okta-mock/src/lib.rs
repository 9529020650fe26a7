#![doc = include_str!("../README.md")]
//!
//! Each request passes, in order: principal (from `Authorization`) → concurrency limit → fault
//! draw (latency, reset-before) → rate-limit bucket (the principal's share and the org's budget)
//! → injected status → auth (`SSWS`, OAuth `Bearer`, or `DPoP` and its proof) → the operation →
//! reset-after → headers (`X-Okta-Request-Id`, `Date`, `X-Rate-Limit-*`, `ETag`, `Link`) →
//! compression when asked.

mod api;
mod clock;
mod compress;
mod dpop;
mod error;
mod expr;
mod faults;
mod ids;
mod introspect;
mod model;
mod oauth;
mod paging;
mod principal;
mod ratelimit;
mod render;
mod seed;
mod server;
mod service;
mod store;

pub use error::MockError;
pub use faults::{Fault, FaultKind, FaultPlan};
pub use http::Method;
pub use introspect::{Counters, LoggedRequest, PrincipalCounters};
pub use principal::{DEFAULT_PRINCIPAL, DEFAULT_SHARE_PERCENT};
pub use ratelimit::{Bucket, RateLimits};
pub use service::{ConnectionClosed, MockService};

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The SSWS token accepted when none is configured.
pub const DEFAULT_TOKEN: &str = "00mock-dev-token-0000000000000000000000000";

/// The origin an org built without a listener ([`MockOrgBuilder::build`]) names in its links,
/// unless [`MockOrgBuilder::base_url`] says otherwise. `.example` is reserved: it resolves nowhere.
pub const DEFAULT_SERVICE_BASE_URL: &str = "https://mock.okta.example";

/// Configures and starts a [`MockOrg`].
#[derive(Debug, Clone)]
#[must_use]
pub struct MockOrgBuilder {
    seed: Option<u64>,
    users: usize,
    token: String,
    api_tokens: Vec<(String, String)>,
    shares: Vec<(String, u8)>,
    default_share: u8,
    port: u16,
    base_url: Option<String>,
    rate_limits: RateLimits,
    concurrency: Option<usize>,
    faults: FaultPlan,
    log_capacity: usize,
    oauth_clients: Vec<(String, String)>,
    access_token_ttl: Duration,
    loopback_audiences: bool,
    dpop: oauth::DpopConfig,
}

impl Default for MockOrgBuilder {
    fn default() -> Self {
        Self {
            seed: None,
            users: 0,
            token: DEFAULT_TOKEN.into(),
            api_tokens: Vec::new(),
            shares: Vec::new(),
            default_share: DEFAULT_SHARE_PERCENT,
            port: 0,
            base_url: None,
            rate_limits: RateLimits::default(),
            concurrency: Some(75),
            faults: FaultPlan::new(0),
            log_capacity: 10_000,
            oauth_clients: Vec::new(),
            access_token_ttl: Duration::from_secs(3600),
            loopback_audiences: false,
            dpop: oauth::DpopConfig::default(),
        }
    }
}

impl MockOrgBuilder {
    /// Seed for all generated data and ids: the same seed gives the same org, and the same ids
    /// to the users it creates. Without a seed every org is different (ids are random per org,
    /// as Okta's are); [`MockOrg::seed`] tells which seed was drawn, to replay a run.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Number of seeded users (plus the groups, apps, grants, roles around them).
    pub fn users(mut self, n: usize) -> Self {
        self.users = n;
        self
    }

    /// The org's SSWS API token, held by the principal [`DEFAULT_PRINCIPAL`].
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// Another SSWS API token, held by its own principal `name` (with its own share of every
    /// bucket, and its own [`PrincipalCounters`]).
    pub fn api_token(mut self, name: impl Into<String>, token: impl Into<String>) -> Self {
        self.api_tokens.push((name.into(), token.into()));
        self
    }

    /// The share of every rate-limit bucket `principal` may use, in percent (1..=100): an API
    /// token's name ([`DEFAULT_PRINCIPAL`] for [`token`](Self::token)'s) or an OAuth client's id.
    /// Its requests get 429 once they used that share of a bucket's window, or once the org's
    /// whole bucket is spent, whichever comes first; `X-Rate-Limit-Limit` reports the share,
    /// `X-Rate-Limit-Remaining` the smaller of what is left of it and of the org's bucket.
    pub fn share(mut self, principal: impl Into<String>, percent: u8) -> Self {
        self.shares.push((principal.into(), percent));
        self
    }

    /// The share of every bucket of each principal not given one with [`share`](Self::share)
    /// (default [`DEFAULT_SHARE_PERCENT`], Okta's 50 %).
    pub fn default_share(mut self, percent: u8) -> Self {
        self.default_share = percent;
        self
    }

    /// Listen on this port instead of an ephemeral one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The origin (`https://host[:port]`) an org built with [`build`](Self::build) names in
    /// links, `Link` headers and the token audience: the client's org URL. Default
    /// [`DEFAULT_SERVICE_BASE_URL`]. An org that [`start`](Self::start)s is always its socket's
    /// `http://127.0.0.1:PORT`, so `start` refuses a base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Per-bucket limits and window length ([`RateLimits::disabled`] for benchmarks).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Most requests in flight org-wide before 429 with `X-Rate-Limit-Limit: 0` (default 75).
    pub fn concurrency_limit(mut self, limit: usize) -> Self {
        self.concurrency = Some(limit);
        self
    }

    /// No concurrency limit.
    pub fn no_concurrency_limit(mut self) -> Self {
        self.concurrency = None;
        self
    }

    /// Faults to inject.
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// Keep a request log (`true`, 10 000 entries) or none (`false`, fastest).
    pub fn request_log(mut self, on: bool) -> Self {
        self.log_capacity = if on { 10_000 } else { 0 };
        self
    }

    /// Keep the last `n` requests in the log.
    pub fn request_log_capacity(mut self, n: usize) -> Self {
        self.log_capacity = n;
        self
    }

    /// Register an OAuth service app whose SPKI PEM public key (RSA or EC P-256) verifies its
    /// client assertions at `POST /oauth2/v1/token`. The app is a principal named by its client
    /// id, with its own share of every bucket.
    pub fn oauth_client(
        mut self,
        client_id: impl Into<String>,
        public_key_pem: impl Into<String>,
    ) -> Self {
        self.oauth_clients
            .push((client_id.into(), public_key_pem.into()));
        self
    }

    /// Lifetime of issued access tokens (default one hour, on the org's clock).
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = ttl;
        self
    }

    /// Require DPoP (RFC 9449) of the OAuth app `client_id` (registered with
    /// [`oauth_client`](Self::oauth_client)), as Okta's "Require Demonstrating Proof of
    /// Possession (DPoP) header in token requests" does: a token request without a proof is
    /// answered `400 invalid_dpop_proof`; one with a valid proof but without the org's current
    /// nonce `400 use_dpop_nonce` and a `DPoP-Nonce` header; then a `token_type: DPoP` token
    /// bound to the proof's key, which the API accepts only as `Authorization: DPoP` with a
    /// fresh proof of that key carrying the token's hash (`ath`). Any other app may still send
    /// a proof and get a DPoP token.
    pub fn require_dpop(mut self, client_id: impl Into<String>) -> Self {
        self.dpop.required.push(client_id.into());
        self
    }

    /// How often the DPoP nonce changes (default a day, as Okta's; each is accepted for three
    /// times as long, on the org's clock). See also [`MockOrg::rotate_dpop_nonce`].
    pub fn dpop_nonce_lifetime(mut self, lifetime: Duration) -> Self {
        self.dpop.nonce_lifetime = lifetime;
        self
    }

    /// Whether API requests made with a DPoP token must carry the org's nonce too (default
    /// no, as Okta's API; RFC 9449 §9 lets a resource server ask): a proof without it is
    /// answered `401` with `WWW-Authenticate: DPoP error="use_dpop_nonce"` and a `DPoP-Nonce`.
    pub fn dpop_api_nonce(mut self, required: bool) -> Self {
        self.dpop.api_nonce = required;
        self
    }

    /// Also accept OAuth client assertions addressed to another loopback origin's token URL, for
    /// clients that reach the mock through a proxy on loopback (such as `prism-check`). Off by
    /// default: the audience must be this org's own token URL.
    pub fn accept_loopback_audiences(mut self, accept: bool) -> Self {
        self.loopback_audiences = accept;
        self
    }

    /// Bind `127.0.0.1`, seed the org and serve on the current tokio runtime.
    pub async fn start(self) -> Result<MockOrg, MockError> {
        if self.base_url.is_some() {
            return Err(MockError::Config(
                "a base URL is for an org built without a listener; a started org is its socket's"
                    .into(),
            ));
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let shared = self.shared(format!("http://{addr}"))?;
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, shared.clone(), rx));
        Ok(MockOrg {
            shared,
            addr: Some(addr),
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Seed the org without a listener: it is reached through [`MockOrg::service`] only, in
    /// process, so a test on paused time drives it without a socket. Its links name
    /// [`base_url`](Self::base_url). Call it inside the tokio runtime (the org's clock starts at
    /// tokio's now: the paused clock in a paused test).
    pub fn build(self) -> Result<MockOrg, MockError> {
        let base = self
            .base_url
            .clone()
            .unwrap_or_else(|| DEFAULT_SERVICE_BASE_URL.to_owned());
        let origin_only = ["http://", "https://"]
            .iter()
            .find_map(|scheme| base.strip_prefix(scheme))
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(['/', '?', '#', '@', ' ']));
        if !origin_only {
            return Err(MockError::Config(format!(
                "base URL {base}: expected http(s)://host[:port] with no path"
            )));
        }
        Ok(MockOrg {
            shared: self.shared(base)?,
            addr: None,
            shutdown: None,
            task: None,
        })
    }

    fn shared(self, base: String) -> Result<Arc<server::Shared>, MockError> {
        let seed = self.seed.unwrap_or_else(random_seed);
        let mut tokens = vec![(DEFAULT_PRINCIPAL.to_owned(), self.token)];
        tokens.extend(self.api_tokens);
        let principals = principal::Principals::new(&principal::PrincipalConfig {
            tokens,
            clients: self
                .oauth_clients
                .iter()
                .map(|(id, _)| id.clone())
                .collect(),
            shares: self.shares,
            default_share: self.default_share,
        })?;
        let mut store = store::Store::new(base.clone(), seed);
        seed::seed(&mut store, seed, self.users);
        Ok(Arc::new(server::Shared {
            store: RwLock::new(store),
            base,
            metrics: introspect::Metrics::new(principals.names()),
            principals,
            seed,
            clock: clock::Clock::new(),
            limiter: ratelimit::RateLimiter::new(self.rate_limits),
            concurrency: ratelimit::Concurrency::new(self.concurrency),
            faults: faults::FaultEngine::new(self.faults),
            oauth: oauth::OAuth::new(
                &self.oauth_clients,
                self.access_token_ttl,
                self.loopback_audiences,
                &self.dpop,
            )?,
            log: introspect::RequestLog::new(self.log_capacity),
        }))
    }
}

/// A seed no other org of this process or any other is likely to draw: std's per-process random
/// keys (the ones `HashMap` uses), so unseeded orgs need no extra dependency.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    hasher.finish()
}

/// What the org holds for a user that its JSON does not show, from [`MockOrg::user_activity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserActivity {
    /// Open sessions (`DELETE …/sessions` and deactivation end them).
    pub sessions: u32,
    /// Enrolled factors (`reset_factors` removes them).
    pub factors: u32,
    /// One-time recovery tokens issued (forgot password, reset password).
    pub recovery_tokens: u32,
}

/// A mock org: serving on loopback ([`MockOrgBuilder::start`]) or in process only
/// ([`MockOrgBuilder::build`]), and reachable in process through [`MockOrg::service`] either way.
/// Dropping it stops the server too.
pub struct MockOrg {
    shared: Arc<server::Shared>,
    addr: Option<SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockOrg")
            .field("base_url", &self.shared.base)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockOrg {
    /// A builder with defaults: no users, [`DEFAULT_TOKEN`], Okta's limits, a 50 % share of
    /// each for every principal, 75 in flight, a random seed.
    pub fn builder() -> MockOrgBuilder {
        MockOrgBuilder::default()
    }

    /// The org in process: a `tower::Service<http::Request<Full<Bytes>>>` running the same
    /// handler as the socket (see [`MockService`]). Clones share the org.
    pub fn service(&self) -> MockService {
        MockService::new(self.shared.clone())
    }

    /// `http://127.0.0.1:PORT` for a started org; the [base URL](MockOrgBuilder::base_url) of
    /// one built without a listener.
    pub fn base_url(&self) -> &str {
        &self.shared.base
    }

    /// The socket address served; `127.0.0.1:0` (nothing listens there) for an org built without
    /// a listener — see [`local_addr`](Self::local_addr).
    pub fn addr(&self) -> SocketAddr {
        self.addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The socket address served, or `None` for an org built without a listener.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.addr
    }

    /// The SSWS token of [`DEFAULT_PRINCIPAL`].
    pub fn token(&self) -> &str {
        self.shared.principals.primary_token()
    }

    /// The seed the org was built from: the one given, or the one drawn at random.
    pub fn seed(&self) -> u64 {
        self.shared.seed
    }

    /// The logged requests, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.log.snapshot()
    }

    /// Forget logged requests.
    pub fn clear_request_log(&self) {
        self.shared.log.clear()
    }

    /// Forgets every DPoP nonce handed out, as if they had all expired: the next proof carrying
    /// one is answered `use_dpop_nonce` with the new one.
    pub fn rotate_dpop_nonce(&self) {
        self.shared.oauth.rotate_dpop_nonce()
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.shared.metrics.snapshot()
    }

    fn store(&self) -> std::sync::RwLockReadGuard<'_, store::Store> {
        api::read(&self.shared.store)
    }

    /// How many users have this login (case-insensitive), DEPROVISIONED included.
    pub fn users_with_login(&self, login: &str) -> usize {
        self.store().count_login(login)
    }

    /// The user, by id or login, as `GET /api/v1/users/{id}` would return it.
    pub fn user(&self, id_or_login: &str) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.store().user(id_or_login)?.json).ok()
    }

    /// The user's lifecycle status, e.g. `"ACTIVE"`.
    pub fn user_status(&self, id_or_login: &str) -> Option<&'static str> {
        self.store().user(id_or_login).map(|u| u.status.as_str())
    }

    /// What the org holds for a user that its JSON does not show.
    pub fn user_activity(&self, id_or_login: &str) -> Option<UserActivity> {
        self.store().user(id_or_login).map(|u| UserActivity {
            sessions: u.sessions,
            factors: u.factors,
            recovery_tokens: u.recovery_tokens,
        })
    }

    /// All users, DEPROVISIONED included.
    pub fn user_count(&self) -> usize {
        self.store().users.len()
    }

    /// Ids of all users in creation order.
    pub fn user_ids(&self) -> Vec<String> {
        self.store().users.values().map(|u| u.id.clone()).collect()
    }

    /// Stop accepting, close every connection, and wait for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockOrg {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
