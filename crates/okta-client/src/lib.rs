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
//! // Or from Okta's usual environment variables, OKTA_CLIENT_ORGURL and OKTA_CLIENT_TOKEN:
//! let client = okta_client::ClientBuilder::from_env().build()?;
//! # drop(client);
//! # Ok(())
//! # }
//! ```
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
//! | response compression (gzip, deflate; the cap applies decompressed) | on | [`ClientBuilder::response_compression`] |
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
//! | `User-Agent`, `Accept` (when the request has none) | `okta-users-rs/<version>`, `application/json` | a header on the request |
//! | OAuth access token refreshed | 60 s before it expires (half its life if shorter than 2 min) | — |
//! | OAuth access token lifetime believed | `expires_in`, at most 24 h (1 h without one) | — |
//! | OAuth token endpoint answer cap | 64 KiB | — |
//! | OAuth client assertion lifetime | 5 min | — |

//! # Cargo features
//!
//! `webpki-roots` (default) trusts the Mozilla roots bundled in the binary; `platform-verifier`
//! trusts what the operating system trusts (and wins when both are on). Both are okta-hyper's,
//! forwarded: see [its docs](okta_hyper#tls-trust-cargo-features).

mod builder;
mod client;
mod error;
mod stack;

pub use builder::{ClientBuilder, ORG_URL_ENV, TOKEN_ENV};
pub use client::Client;
pub use error::BuildError;
pub use okta_layers::stack::{Stack, StackConfig};
pub use stack::{BoxedService, ClientLayer, ClientService};

pub use okta_hyper::{CertificateDer, HyperTransport, Proxy, ProxyError};
pub use okta_layers::auth::{Credentials, PrivateKey, PrivateKeyJwt, SecretToken};
pub use okta_users::{self, Error, Users};
