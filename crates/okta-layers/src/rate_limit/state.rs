//! The seam between the limiter and the state it shares: [`SharedState`], a small trait with no
//! HTTP in it, and [`StateStore`], which opens one for an org and principal.
//!
//! What is shared, and where each lives in the trait: see [`SharedState`].
//!
//! [`InProcessState`](super::InProcessState) shares all of it between the clones of one
//! [`RateLimiter`](super::RateLimiter) (and so between every client built over that limiter);
//! the `okta-fleet` crate shares it between processes through Redis.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::{Bucket, BucketSnapshot, RateLimitConfig, RateLimitHeaders, WaitReason};

/// What a [`SharedState`] decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send now (counted as in flight).
    Go,
    /// Send at this instant (counted as in flight from now): the request's paced slot.
    GoAt(Instant),
    /// Not yet: decide again at this instant, or when a request of the bucket completes.
    Wait(Instant, WaitReason),
    /// The state must hear from its store first: await [`SharedState::refresh`], then decide
    /// again. Nothing was granted.
    Refresh,
}

/// What a finished request reported, for [`SharedState::complete`].
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    /// The response's rate-limit headers.
    pub budget: &'a RateLimitHeaders,
    /// Whether the request was admitted (any status but 429).
    pub admitted: bool,
    /// A rate-limit 429 (not the concurrency limit): hold the bucket back this long, from `now`.
    pub block_for: Option<Duration>,
    /// When the response arrived.
    pub now: Instant,
    /// The wall clock then (only used when the response has no `Date`).
    pub wall: SystemTime,
}

/// A boxed, `Send` future of `()`: what [`SharedState::refresh`] returns.
pub type RefreshFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The limiter's state: per-bucket budgets, permits, blocks and in-flight slots, wherever they
/// live. What each method shares:
///
/// | shared | where |
/// | --- | --- |
/// | permits granted in the current window | [`decide`](Self::decide) grants (a lease may be fetched by [`refresh`](Self::refresh)); [`release`](Self::release) / [`complete`](Self::complete) end them |
/// | the freshest observed budget (`Limit`, `Remaining`, `Reset`) | [`complete`](Self::complete) records each response's |
/// | a bucket blocked until a reset, after a 429 | [`Observed::block_for`] in [`complete`](Self::complete); [`decide`](Self::decide) answers [`WaitReason::Blocked`] |
/// | in-flight slots for the org's concurrency limit ([`RateLimitConfig::concurrency_limit`]) | taken by a grant, given back by [`release`](Self::release) / [`complete`](Self::complete) |
///
/// Called on every request's path: [`decide`](Self::decide), [`complete`](Self::complete) and
/// [`release`](Self::release) are synchronous and must be cheap (a mutex held for a few
/// instructions, no I/O); a state that talks to a remote store answers [`Decision::Refresh`]
/// and does its I/O in [`refresh`](Self::refresh), bounded in time, and its writes in the
/// background. The pure logic, [`BucketState`](super::BucketState), is public so that such a
/// state can keep its local view with it.
pub trait SharedState: Send + Sync + 'static {
    /// Whether a request of `bucket` may go at `now`. `Go` and `GoAt` grant a permit (and an
    /// in-flight slot when `config.concurrency_limit` is set), held until
    /// [`complete`](Self::complete) or [`release`](Self::release).
    fn decide(&self, bucket: Bucket, now: Instant, config: &RateLimitConfig) -> Decision;

    /// After [`Decision::Refresh`]: fetch what the store grants (a lease of permits, a block,
    /// the freshest budget). Must finish in bounded time, even when the store is down (then the
    /// state decides locally until it is back). The default does nothing.
    fn refresh(&self, bucket: Bucket) -> RefreshFuture {
        let _ = bucket;
        Box::pin(std::future::ready(()))
    }

    /// A granted request ended without a response (an error, a timeout, a dropped future).
    fn release(&self, bucket: Bucket);

    /// A granted request got its response: give back its permit and slot, learn the budget, and
    /// block the bucket after a 429. Returns whether the budget was updated.
    fn complete(&self, bucket: Bucket, observed: &Observed<'_>) -> bool;

    /// What the state knows of `bucket` here.
    fn snapshot(&self, bucket: Bucket) -> BucketSnapshot;
}

/// Opens the [`SharedState`] of one org and principal: what `ClientBuilder` is given to pick
/// where a client's rate-limit state lives (okta-fleet's Redis store is one).
pub trait StateStore: Send + Sync + 'static {
    /// The state for `scope`, with the limiter's settings.
    fn open(&self, scope: &Scope, config: &RateLimitConfig) -> Arc<dyn SharedState>;
}

/// Who shares a budget: an org and a principal (Okta meters each API token and OAuth app
/// separately within the org's buckets). Holds no secret: it names keys in shared stores.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The org's host, such as `dev-123.okta.com` (with `:port` when not the default).
    pub org: String,
    /// The principal, see [`Scope::principal_of`].
    pub principal: String,
}

impl Scope {
    /// The scope of `credentials` at the org `org` (its host).
    pub fn new(org: impl Into<String>, credentials: &crate::auth::Credentials) -> Scope {
        Scope {
            org: org.into(),
            principal: Scope::principal_of(credentials),
        }
    }

    /// A name for the principal of `credentials` that reveals no secret: `client-<id>` for an
    /// OAuth service app (its client id is public), else `token-` and the first 128 bits of the
    /// token's SHA-256 in hex (a token is 40 random characters: the hash cannot be reversed).
    pub fn principal_of(credentials: &crate::auth::Credentials) -> String {
        use crate::auth::Credentials;
        let token = match credentials {
            Credentials::PrivateKey(app) => return format!("client-{}", app.client_id()),
            Credentials::ApiToken(token) | Credentials::AccessToken(token) => token,
            // Tokens from the caller's provider change and are not ours to hash: one principal
            // per org for them (give each provider its own `RateLimiter` to tell them apart).
            Credentials::TokenProvider(_) => return "token-provider".to_owned(),
        };
        let digest = ring::digest::digest(&ring::digest::SHA256, token.expose().as_bytes());
        let mut name = String::from("token-");
        for byte in &digest.as_ref()[..16] {
            name.push_str(&format!("{byte:02x}"));
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Credentials, PrivateKey};

    #[test]
    fn principals_are_named_without_their_secret() {
        let token = "00abcdefghijklmnopqrstuvwxyz0123456789ABC";
        let scope = Scope::new("dev-1.okta.com", &Credentials::api_token(token));
        assert!(scope.principal.starts_with("token-"), "{scope:?}");
        assert_eq!(scope.principal.len(), "token-".len() + 32);
        assert!(!format!("{scope:?}").contains(token));
        assert_eq!(
            scope,
            Scope::new("dev-1.okta.com", &Credentials::api_token(token)),
            "stable"
        );
        assert_ne!(
            scope.principal,
            Scope::principal_of(&Credentials::api_token("00another")),
        );
        let pem = include_str!("../../../okta-mock/tests/keys/ec_private.pem");
        let app = Credentials::private_key("0oa123", PrivateKey::from_pem(pem).unwrap(), ["a"]);
        assert_eq!(Scope::principal_of(&app), "client-0oa123");
    }
}
