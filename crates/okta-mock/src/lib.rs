//! An embedded Okta org speaking the Users API over loopback HTTP, for tests, examples and
//! benchmarks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), okta_mock::MockError> {
//! use okta_mock::{Fault, FaultPlan, Method, MockOrg, RateLimits};
//! let org = MockOrg::builder()
//!     .seed(42)
//!     .users(1000)
//!     .token("secret-token")
//!     .rate_limits(RateLimits::default())
//!     .concurrency_limit(75)
//!     .faults(FaultPlan::new(7).with(Fault::status(503).probability(0.1).on(Method::POST, "/api/v1/users")))
//!     .start()
//!     .await?;
//! println!("{} {}", org.base_url(), org.token());
//! org.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Each request passes, in order: concurrency limit → fault draw (latency, reset-before) →
//! rate-limit bucket → injected status → auth (`SSWS` or OAuth `Bearer`) → the operation →
//! reset-after → headers (`X-Okta-Request-Id`, `Date`, `X-Rate-Limit-*`, `Link`).

mod api;
mod clock;
mod error;
mod expr;
mod faults;
mod ids;
mod introspect;
mod model;
mod oauth;
mod paging;
mod ratelimit;
mod render;
mod seed;
mod server;
mod store;

pub use error::MockError;
pub use faults::{Fault, FaultKind, FaultPlan};
pub use http::Method;
pub use introspect::{Counters, LoggedRequest};
pub use ratelimit::{Bucket, RateLimits};

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The SSWS token accepted when none is configured.
pub const DEFAULT_TOKEN: &str = "00mock-dev-token-0000000000000000000000000";

/// Configures and starts a [`MockOrg`].
#[derive(Debug, Clone)]
#[must_use]
pub struct MockOrgBuilder {
    seed: u64,
    users: usize,
    token: String,
    port: u16,
    rate_limits: RateLimits,
    concurrency: Option<usize>,
    faults: FaultPlan,
    log_capacity: usize,
    oauth_clients: Vec<(String, String)>,
    access_token_ttl: Duration,
    loopback_audiences: bool,
}

impl Default for MockOrgBuilder {
    fn default() -> Self {
        Self {
            seed: 0,
            users: 0,
            token: DEFAULT_TOKEN.into(),
            port: 0,
            rate_limits: RateLimits::default(),
            concurrency: Some(75),
            faults: FaultPlan::new(0),
            log_capacity: 10_000,
            oauth_clients: Vec::new(),
            access_token_ttl: Duration::from_secs(3600),
            loopback_audiences: false,
        }
    }
}

impl MockOrgBuilder {
    /// Seed for all generated data (same seed, same org).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Number of seeded users (plus the groups, apps, grants, roles around them).
    pub fn users(mut self, n: usize) -> Self {
        self.users = n;
        self
    }

    /// The SSWS API token to accept.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// Listen on this port instead of an ephemeral one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Per-bucket limits and window length ([`RateLimits::disabled`] for benchmarks).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Most requests in flight before 429 with `X-Rate-Limit-Limit: 0` (default 75).
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
    /// client assertions at `POST /oauth2/v1/token`.
    pub fn oauth_client(
        mut self,
        client_id: impl Into<String>,
        public_key_pem: impl Into<String>,
    ) -> Self {
        self.oauth_clients
            .push((client_id.into(), public_key_pem.into()));
        self
    }

    /// Lifetime of issued access tokens (default one hour).
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = ttl;
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
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}");
        let mut store = store::Store::new(base.clone(), self.seed);
        seed::seed(&mut store, self.seed, self.users);
        let shared = Arc::new(server::Shared {
            store: RwLock::new(store),
            base,
            token: self.token,
            clock: clock::Clock::new(),
            limiter: ratelimit::RateLimiter::new(self.rate_limits),
            concurrency: ratelimit::Concurrency::new(self.concurrency),
            faults: faults::FaultEngine::new(self.faults),
            oauth: oauth::OAuth::new(
                &self.oauth_clients,
                self.access_token_ttl,
                self.loopback_audiences,
            )?,
            metrics: introspect::Metrics::default(),
            log: introspect::RequestLog::new(self.log_capacity),
        });
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, shared.clone(), rx));
        Ok(MockOrg {
            shared,
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A running mock org. Dropping it stops the server too.
pub struct MockOrg {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockOrg")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl MockOrg {
    /// A builder with defaults: no users, [`DEFAULT_TOKEN`], Okta's limits, 75 in flight.
    pub fn builder() -> MockOrgBuilder {
        MockOrgBuilder::default()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.shared.base
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accepted SSWS token.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// The logged requests, oldest first.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.log.snapshot()
    }

    /// Forget logged requests.
    pub fn clear_request_log(&self) {
        self.shared.log.clear()
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
