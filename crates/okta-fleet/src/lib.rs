//! One Okta rate budget for a fleet of replicas: the rate limiter's shared state in Redis.
//!
//! Okta meters every bucket for the whole org, and each API token or OAuth app may use its share
//! of it (50 % by default). Replicas that each pace from their own view spend the budget several
//! times over and collect 429s. With a [`RedisStore`], every replica's limiter shares, per org,
//! principal and bucket:
//!
//! - **permits granted in the window**, leased several at a time (one round trip buys up to
//!   [`FleetSettings::max_lease`] permits, sized to the demand; the next lease is fetched while
//!   the current one is half used; what a lease leaves unused goes back): above the burst
//!   threshold a lease goes at once, below it the rest of the window's budget is spread over the
//!   rest of the window, slot by slot, fleet-wide; once a window is spent, a lease of the next
//!   window's burst starts at its reset. Okta's resets are placed on Redis's clock (the offset
//!   of Okta's clock is learnt from `Date`), no permit is granted within
//!   [`FleetSettings::boundary_guard`] of a reset, and a request that still lands in the next
//!   window is counted there;
//! - **the freshest observed budget**: every response's `Limit`/`Remaining`/`Reset` is recorded
//!   (in the background, the newest first) and every grant returns it, so each replica's local
//!   view follows the fleet's, and what Okta counts (other clients included) caps the grants;
//! - **blocks**: a 429 blocks the bucket fleet-wide until its reset;
//! - **the org's concurrency slots** ([`RateLimitConfig::concurrency_limit`]), leased per
//!   replica and renewed while held: a replica that dies frees them after
//!   [`FleetSettings::slot_lease`].
//!
//! Each is an atomic Lua script run by Redis.
//!
//! # Keys
//! All under `{namespace}:{org}:{principal}` (no secret: see
//! [`Scope`](okta_layers::rate_limit::Scope)), every one written with a TTL:
//!
//! | key | type | what | TTL |
//! | --- | --- | --- | --- |
//! | `…:{bucket}:w:{epoch}` | hash | the window's permits `granted`, budget `consumed` (as Okta reported it), the next paced slot `next` (ms, Redis clock) | 2 windows |
//! | `…:{bucket}:budget` | hash | the freshest observed budget: `epoch`, `limit`, `remaining`, `reset_ms` (Redis clock); the `offset` of Okta's clock from Redis's | 2 windows |
//! | `…:{bucket}:block` | string | the bucket is blocked while it exists (set after a 429, for the wait) | the wait |
//!
//! and the org's concurrency slots under `{namespace}:{org}` (Okta's concurrency limit is
//! org-wide): `…:slots` (sorted set: replica → lease expiry, ms, Redis clock) and `…:slots:n`
//! (hash: replica → slots held), both expiring two leases after the last write. The principal
//! is a hash of the token, or the OAuth client id: no secret is ever part of a key.
//!
//! # When Redis fails
//! A call never fails because of the store. Each round trip waits at most
//! [`FleetSettings::timeout`]; after [`FleetSettings::failures_to_open`] failures in a row a
//! circuit breaker stops asking, requests are paced from the replica's own view (the adaptive
//! mode of [`InProcessState`](okta_layers::rate_limit::InProcessState)), a warning goes to
//! `tracing` and the observer gets [`RateLimitEvent::StoreUnavailable`]; after
//! [`FleetSettings::cool_down`] one request tries again (the connection manager reconnects by
//! itself), and on success coordination resumes ([`RateLimitEvent::StoreRestored`]). A Redis
//! that restarted empty or was flushed just starts counting afresh (scripts are sent again when
//! Redis answers `NOSCRIPT`).
//!
//! # Why the `redis` crate
//! `redis` (redis-rs) with its Tokio [`ConnectionManager`](redis::aio::ConnectionManager): the
//! most used Rust client, a multiplexed connection that reconnects by itself with backoff, and
//! [`Script`](redis::Script), which sends `EVALSHA` and falls back to the source after a restart
//! — all we need, with few dependencies and our MSRV. `fred` does more (pools, cluster
//! routing, its own reconnect policies) than one small multiplexed connection needs.
//!
//! ```no_run
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let fleet = okta_fleet::RedisStore::new("redis://127.0.0.1:6379/")?;
//! let client = okta_client::Client::builder()
//!     .org_url("https://dev-123.okta.com")
//!     .api_token("00abc…")
//!     .rate_limit_store(fleet)
//!     .build()?;
//! # drop(client); Ok(()) }
//! ```
//!
//! [`RateLimitConfig::concurrency_limit`]: okta_layers::rate_limit::RateLimitConfig::concurrency_limit
//! [`RateLimitEvent::StoreUnavailable`]: okta_layers::rate_limit::RateLimitEvent::StoreUnavailable
//! [`RateLimitEvent::StoreRestored`]: okta_layers::rate_limit::RateLimitEvent::StoreRestored

mod breaker;
mod scripts;
mod state;
mod store;

pub use state::RedisState;
pub use store::{FleetError, FleetSettings, RedisStore};
