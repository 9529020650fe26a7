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
//! Outermost first; each layer is one `FooLayer` + `Foo<S>` pair of `okta-layers`:
//!
//! ```text
//! Users<ClientService>    okta-users: builds origin-form requests (/api/v1/users?…)
//!   [your .layer()s]      around the whole call
//!   DefaultHeaders        User-Agent: okta-users-rs/<version>, Accept: application/json
//!   BaseUri               sets the org's scheme and host; refuses any other host
//!   Trace                 span `okta.call` per call, otel.name = the operation (okta.users.list)
//!   Timeout (call)        the whole call, waits and retries included (120 s)
//!   Retry                 idempotency-aware, exponential backoff + full jitter, shared budget;
//!                         after a 429, waits Reset − Date and re-sends (X-Okta-Retry-For/Count)
//!   RateLimit             per-bucket pacing of every attempt; annotates a 429 with its wait
//!   AttemptTrace          span `okta.attempt` per attempt
//!   Timeout (attempt)     one attempt (30 s)
//!   [your .attempt_layer()s]
//!   Auth                  Authorization: SSWS <token> | Bearer <token> (sensitive); with
//!                         private_key_jwt, fetches and caches the access token (one refresh
//!                         for all concurrent callers; refresh + one re-send after a 401; a
//!                         token request lost in transit fails the attempt as not sent, so
//!                         Retry retries it)
//!   HyperTransport        okta-hyper: pooled HTTP/1.1 + HTTP/2 over rustls, bodies read whole
//! ```
//!
//! Every default is listed in [`StackConfig`] and changed with
//! [`ClientBuilder::configure_stack`].
//!
//! # Defaults
//!
//! Suited to a real Okta org; every one is configurable — the transport's through
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
//! | OAuth access token refreshed | 60 s before it expires (half its life if shorter than 2 min) | — |
//! | OAuth client assertion lifetime | 5 min | — |
//!
//! The stack is assembled in one place (`stack.rs`). Add middleware of your own with
//! [`ClientBuilder::layer`] (around the whole call) or [`ClientBuilder::attempt_layer`] (around
//! each attempt), or wrap [`Client::service`] (it is `Clone`, `Send` and `Sync`) yourself and give
//! the result to [`okta_users::Users::new`]; the parts are public in `okta-layers` to assemble a
//! stack by hand.

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
pub use okta_layers::stack::StackConfig;
pub use stack::{BoxedService, ClientLayer, ClientService, StackOver};

pub use okta_hyper::{CertificateDer, HyperTransport, Proxy, ProxyError};
pub use okta_layers::auth::{Credentials, PrivateKey, PrivateKeyJwt, SecretToken};
pub use okta_users::{self, Error, Users};
