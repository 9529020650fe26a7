//! The Okta Users API client: [`Client::builder`] wires the default tower stack over the hyper
//! transport, and [`Client::users`] hands out the typed façade of `okta-users`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = okta_client::Client::builder()
//!     .org_url("https://dev-123.okta.com")
//!     .api_token("00abc…")
//!     .build()?;
//! let users = client.users();
//! # drop(users);
//! // Or as Okta's SDKs are configured: ~/.okta/okta.yaml, ./okta.yaml, ./.okta/okta.yaml,
//! // then OKTA_CLIENT_* variables (see Configuration below):
//! let client = okta_client::ClientBuilder::from_okta_config()?.build()?;
//! # drop(client);
//! # Ok(())
//! # }
//! ```
//!
//! # Authentication
//!
//! Three modes, as [`Credentials`] names them:
//!
//! - an **API token**: [`ClientBuilder::api_token`], sent as `Authorization: SSWS …`;
//! - **OAuth 2.0 as a service app**: [`ClientBuilder::private_key`] (`private_key_jwt`; the key as
//!   PEM — PKCS#8, PKCS#1, SEC1 — or JWK): tokens fetched from the org's `/oauth2/v1/token`,
//!   cached, fetched once for any number of concurrent calls, refreshed before they expire.
//!   **DPoP** ([`ClientBuilder::dpop`], RFC 9449) is automatic ([`DpopMode::Auto`]): when the
//!   app requires it — Okta's default for new API service apps — the first token request learns
//!   so, and from then on every token is bound to the client's key (ES256, generated when the
//!   client is built, or [`ClientBuilder::dpop_key`]) and every request carries a fresh proof;
//!   Okta's nonce costs one round trip per nonce, not per token;
//! - **OAuth 2.0 tokens from elsewhere**: [`ClientBuilder::access_token`] (fixed), or
//!   [`ClientBuilder::token_provider`] (your [`TokenProvider`]: a vault, a sidecar, your own
//!   refresh; [`token_fn`] makes one of a closure), cached and refreshed as the client's own.
//!
//! ```no_run
//! use okta_client::{ClientBuilder, DpopMode};
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let pem = std::fs::read_to_string("service-app.pem")?;
//! let client = ClientBuilder::new()
//!     .org_url("https://dev-123.okta.com")
//!     .private_key("0oa1b2c3d4e5f6g7h8i9", pem, ["okta.users.read"])
//!     .dpop(DpopMode::On) // a proof from the first token request (default: Auto)
//!     .build()?;
//! # drop(client); Ok(()) }
//! ```
//!
//! Each mode's `okta.yaml` keys and `OKTA_CLIENT_*` variables: the
//! [Configuration](#configuration) table. Keys, tokens, assertions and proofs never appear in
//! `Debug` output, errors or traces, and go to the org's origin only.
//!
//! # The stack
//!
//! [`Client::builder`] builds okta-layers' default stack ([`Stack`], one recipe:
//! `okta_layers::StackLayer`) over the hyper transport: default headers, base URI, tracing, the
//! call timeout, retries, rate limiting, the attempt's span and timeout, your
//! [`attempt_layer`](ClientBuilder::attempt_layer)s, auth. The order and why each layer sits
//! where it does are drawn once, in [ARCHITECTURE.md](https://github.com/okta-users-rs/okta-users-rs/blob/main/ARCHITECTURE.md).
//! Add middleware of your own with [`ClientBuilder::layer`] (around the whole call) or
//! [`ClientBuilder::attempt_layer`] (around each attempt), or wrap [`Client::service`] (it is
//! `Clone`, `Send` and `Sync`) yourself and give the result to [`okta_users::Users::new`];
//! [`ClientBuilder::build_service`] gives the same stack over a transport of your own.
//!
//! # Defaults
//!
//! The one list of the defaults (the code is `StackConfig::default()` and the transport
//! builder's). Suited to a real Okta org; every one is configurable — the transport's through
//! [`ClientBuilder`], the middleware's through [`ClientBuilder::configure_stack`]
//! ([`StackConfig`]).
//!
//! | setting | default | how to change |
//! | --- | --- | --- |
//! | connect timeout (TCP + TLS) | 10 s | [`ClientBuilder::connect_timeout`] |
//! | response body cap | 16 MiB | [`ClientBuilder::max_response_size`] |
//! | stalled response body (gap between chunks) | 30 s | [`ClientBuilder::body_idle_timeout`] |
//! | idle pooled connection kept | 90 s | `HyperTransport::builder().pool_idle_timeout(..)` |
//! | proxy | `https_proxy` / `http_proxy` / `all_proxy` / `no_proxy` from the environment | [`ClientBuilder::proxy`], [`ClientBuilder::no_proxy`] |
//! | response compression (gzip, deflate; the cap applies decompressed) | on, for list pages | [`ClientBuilder::response_compression`] |
//! | trusted roots | the bundled Mozilla roots (feature `webpki-roots`) | feature `platform-verifier` (the OS's), [`ClientBuilder::add_root_certificates_pem_file`] |
//! | whole call, waits and retries included | 120 s | `stack.call_timeout` |
//! | one attempt | 30 s | `stack.attempt_timeout` |
//! | attempts per call | 3 | `stack.retry.max_attempts` |
//! | retry backoff | 100 ms × 2ⁿ up to 10 s, full jitter | `stack.retry.backoff_min`, `backoff_max` |
//! | retry budget shared by all calls | 500 tokens, 5 per retry (10 after a timeout), 1 back per success | `stack.retry.budget` |
//! | re-sends after a 429 | 3 | `stack.rate_limit.max_429_retries` |
//! | jitter added to a wait for the reset | 0–500 ms | `stack.rate_limit.reset_jitter` |
//! | Okta's rate-limit window (cap of any wait) | 60 s | `stack.rate_limit.window` |
//! | backoff after a concurrency-limit 429 | 100 ms × 2ⁿ up to 5 s, full jitter | `stack.rate_limit.concurrency_backoff`, `_max` |
//! | proactive pacing | on; 2 % of each budget kept in reserve; spread out below half the budget | `stack.rate_limit.pacing`, `reserve`, `burst_fraction` |
//! | longest wait for a bucket's first answer (budget unknown) | 2 s | `stack.rate_limit.probe_timeout` |
//! | pacing to this process's share of each bucket (replicas sharing a token) | on (adaptive) | `stack.rate_limit.adaptive` |
//! | requests in flight at once, every bucket together | no limit | `stack.rate_limit.concurrency_limit` |
//! | where the rate limiter's state lives | in this client (its own limiter) | [`ClientBuilder::rate_limiter`] (one shared), [`ClientBuilder::rate_limit_store`] (e.g. `okta_fleet::RedisStore`) |
//! | seeds of the jitters | OS-random | `stack.retry.seed`, `stack.rate_limit.seed` |
//! | `User-Agent`, `Accept` (when the request has none) | `okta-users-rs/<version> rust/<rustc version> <os>/<arch>`, `application/json` | [`ClientBuilder::user_agent_suffix`] (appended), a header on the request |
//! | user ids, logins and search terms in spans' `url.full` | cut (`REDACTED`) | [`ClientBuilder::record_url_pii`] |
//! | OAuth access token refreshed | 60 s before it expires (half its life if shorter than 2 min) | — |
//! | OAuth access token lifetime believed | `expires_in`, at most 24 h (1 h without one) | — |
//! | OAuth token endpoint answer cap | 64 KiB | — |
//! | OAuth client assertion lifetime | 5 min | — |
//! | DPoP | auto: on once the token endpoint asks for it (`invalid_dpop_proof`), for the client's lifetime | [`ClientBuilder::dpop`], `OKTA_CLIENT_DPOPENABLED` |
//! | DPoP key | ES256, generated when the client is built | [`ClientBuilder::dpop_key`] (RS256 or ES256) |
//! | DPoP token requests per token | at most 3 (learning DPoP, Okta's nonce, the token), each with a fresh assertion and proof | — |
//! | DPoP re-sends of an API request | one with a new proof after `use_dpop_nonce` or a proof refused as already used; one with a new token after a 401 | — |
//! | DPoP nonces (token endpoint, API) | kept apart, each until an answer brings another | — |
//!
//! # Cargo features
//!
//! `webpki-roots` (default) trusts the Mozilla roots bundled in the binary; `platform-verifier`
//! trusts what the operating system trusts (and wins when both are on). Both are okta-hyper's,
//! forwarded: see [its docs](okta_hyper#tls-trust-cargo-features). `metrics` reports request
//! and call durations, retries, 429s, rate-limit waits and budgets through the `metrics`
//! facade (okta-layers' `metrics` module lists them; `cargo run -p okta-examples --example
//! metrics --features metrics` prints them).
//!
#![doc = include_str!("configuration.md")]

mod builder;
mod client;
mod config;
mod error;
mod stack;

pub use builder::{ClientBuilder, ORG_URL_ENV, TOKEN_ENV};
pub use client::Client;
pub use config::{ConfigSources, SettingSource};
pub use error::BuildError;
pub use okta_layers::stack::{Stack, StackConfig};
pub use stack::{BoxedService, ClientLayer, ClientService};

pub use okta_hyper::{CertificateDer, HyperTransport, Proxy, ProxyError};
pub use okta_layers::auth::{
    AccessToken, Credentials, DpopMode, PrivateKey, PrivateKeyJwt, SecretToken, TokenProvider,
    TokenRequest, token_fn,
};
pub use okta_users::{self, Error, Users};
