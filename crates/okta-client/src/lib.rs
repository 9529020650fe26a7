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
//! Users<ClientService>            okta-users: builds origin-form requests (/api/v1/users?…)
//!   DefaultHeaders                User-Agent: okta-users-rs/<version>, Accept: application/json
//!   BaseUri                       sets the org's scheme and host; refuses any other host
//!   Auth                          Authorization: SSWS <token> | Bearer <token> (sensitive)
//!   HyperTransport                okta-hyper: pooled HTTP/1.1 + HTTP/2 over rustls, bodies read whole
//! ```
//!
//! The stack is assembled in one place (`stack.rs`). To run your own middleware, wrap
//! [`Client::service`] (it is `Clone`, `Send` and `Sync`) with your layers and give the result to
//! [`okta_users::Users::new`].

mod builder;
mod client;
mod error;
mod stack;

pub use builder::{ClientBuilder, ORG_URL_ENV, TOKEN_ENV};
pub use client::Client;
pub use error::BuildError;
pub use stack::ClientService;

pub use okta_hyper::{CertificateDer, HyperTransport};
pub use okta_layers::auth::{Credentials, SecretToken};
pub use okta_users::{self, Error, Users};
