//! [`RedisStore`]: the connection and settings every replica's state shares; a
//! [`StateStore`] for `ClientBuilder::rate_limit_store`.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use okta_layers::rate_limit::{RateLimitConfig, Scope, SharedState, StateStore};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::scripts::Scripts;
use crate::state::RedisState;

/// How the fleet state talks to Redis. `FleetSettings::default()` suits Okta's one-minute
/// windows and a Redis next to the replicas.
#[derive(Debug, Clone)]
pub struct FleetSettings {
    /// The first part of every key (default `okta-rl`).
    pub namespace: String,
    /// The longest a request waits for Redis before it is paced locally (default 100 ms).
    pub timeout: Duration,
    /// Failures in a row that stop coordination (default 3).
    pub failures_to_open: u32,
    /// How long coordination stays off before one request tries Redis again (default 1 s).
    pub cool_down: Duration,
    /// The most permits one round trip may lease (default 4). A lease is sized to the requests
    /// waiting and to how fast the last one was used (doubled when used up, shrunk by what was
    /// left), so an idle replica holds none and a busy one rarely waits for Redis.
    pub max_lease: u32,
    /// How long a lease may be used before asking again (default 100 ms): the longest a replica
    /// may go on without hearing of another's 429; what a lease leaves unused goes back to the
    /// window.
    pub lease_ttl: Duration,
    /// How long a replica's concurrency slots outlive its last word (default 5 s): a replica
    /// that dies frees its slots this long after. Renewed every third of it while held.
    pub slot_lease: Duration,
    /// No permit is granted this close to a window's reset (default 50 ms): a request sent
    /// then could reach Okta in the next window, which did not count it (a busy host may hold
    /// a ready request back for milliseconds).
    pub boundary_guard: Duration,
}

impl Default for FleetSettings {
    fn default() -> Self {
        FleetSettings {
            namespace: "okta-rl".to_owned(),
            timeout: Duration::from_millis(100),
            failures_to_open: 3,
            cool_down: Duration::from_secs(1),
            max_lease: 4,
            lease_ttl: Duration::from_millis(100),
            slot_lease: Duration::from_secs(5),
            boundary_guard: Duration::from_millis(50),
        }
    }
}

/// An invalid Redis URL.
#[derive(Debug, thiserror::Error)]
#[error("invalid Redis URL: {reason}")]
pub struct FleetError {
    reason: String,
}

pub(crate) struct StoreInner {
    client: redis::Client,
    /// Made on first use, inside the runtime (the manager spawns its tasks there).
    connection: OnceLock<ConnectionManager>,
    pub(crate) settings: FleetSettings,
    pub(crate) scripts: Scripts,
    /// This process among the fleet (for its concurrency slots): random, no host name.
    pub(crate) replica: String,
}

impl StoreInner {
    /// The connection manager (it reconnects by itself, with backoff); a cheap clone.
    pub(crate) fn connection(&self) -> ConnectionManager {
        self.connection
            .get_or_init(|| {
                // Every wait is bounded by our own timeout; the manager's own bounds only keep a
                // dead server from piling up work.
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(
                        self.settings.timeout.max(Duration::from_millis(50)) * 5,
                    ))
                    .set_response_timeout(Some(
                        self.settings.timeout.max(Duration::from_millis(50)) * 5,
                    ))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(200));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
                    .expect("no push sender or resubscription asked for")
            })
            .clone()
    }
}

/// The rate limiter's shared state in Redis: permits granted per window, the freshest observed
/// budget, blocks after a 429 and the org's concurrency slots, for every replica of a fleet.
/// Cheap to clone; give it to `ClientBuilder::rate_limit_store` (or
/// [`RateLimiter::with_store`](okta_layers::rate_limit::RateLimiter::with_store)). See the
/// [crate docs](crate).
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<StoreInner>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: only where it points.
        let info = self.inner.client.get_connection_info();
        f.debug_struct("RedisStore")
            .field("addr", &info.addr().to_string())
            .field("settings", &self.inner.settings)
            .field("replica", &self.inner.replica)
            .finish()
    }
}

impl RedisStore {
    /// A store at `url` (`redis://[:password@]host[:port][/db]`, or `rediss://` with the
    /// `redis` crate's TLS features) with the default settings. Connects on first use, and
    /// again by itself after a failure: needs no runtime and no server to build.
    pub fn new(url: &str) -> Result<RedisStore, FleetError> {
        RedisStore::with_settings(url, FleetSettings::default())
    }

    /// [`new`](Self::new) with settings of your own.
    pub fn with_settings(url: &str, settings: FleetSettings) -> Result<RedisStore, FleetError> {
        let client = redis::Client::open(url).map_err(|error| FleetError {
            // The redis crate's parse errors name the part at fault, not the URL.
            reason: error.to_string(),
        })?;
        Ok(RedisStore {
            inner: Arc::new(StoreInner {
                client,
                connection: OnceLock::new(),
                settings,
                scripts: Scripts::new(),
                replica: replica_id(),
            }),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &FleetSettings {
        &self.inner.settings
    }

    /// This process's name among the replicas (random per store).
    pub fn replica_id(&self) -> &str {
        &self.inner.replica
    }

    /// The state for `scope`, as [`StateStore::open`] gives it, typed.
    pub fn state(&self, scope: &Scope, config: &RateLimitConfig) -> Arc<RedisState> {
        Arc::new(RedisState::new(self.inner.clone(), scope, config))
    }
}

impl StateStore for RedisStore {
    fn open(&self, scope: &Scope, config: &RateLimitConfig) -> Arc<dyn SharedState> {
        self.state(scope, config)
    }
}

/// 64 random bits and the process id, in hex.
fn replica_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("{random:016x}-{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_url_is_refused_without_its_password_and_debug_hides_it() {
        for url in [
            "redis://:s3cr3t-pw@127.0.0.1:notaport/",
            "http://:s3cr3t-pw@127.0.0.1/",
        ] {
            let error = RedisStore::new(url).unwrap_err();
            assert!(!error.to_string().contains("s3cr3t"), "{error}");
            assert!(!format!("{error:?}").contains("s3cr3t"), "{error:?}");
        }
        let store = RedisStore::new("redis://:s3cr3t-pw@127.0.0.1:6390/").unwrap();
        let debug = format!("{store:?}");
        assert!(
            !debug.contains("s3cr3t") && debug.contains("127.0.0.1"),
            "{debug}"
        );
    }
}
