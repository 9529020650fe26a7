//! Okta's Users management API, typed, over any `tower::Service`.
//!
//! `okta-users` is the façade: models, one method per operation, paged streams, and one error
//! type. It sends nothing itself — it hands `http::Request`s to any
//! [`HttpService`] (a `tower::Service`), so the same code runs over the `okta-client` stack in
//! production, over a `tower::service_fn` in a unit test, or over your own middleware. It never
//! depends on hyper.
//!
//! ```no_run
//! # async fn run<S: okta_users::HttpService>(service: S) -> okta_users::Result<()> {
//! use futures_util::TryStreamExt;
//! use okta_users::Users;
//!
//! let users = Users::new(service);
//! let ada = users.get("ada@example.com").await?;
//! let mut engineers = users.list().search(r#"profile.department eq "Engineering""#).stream();
//! while let Some(user) = engineers.try_next().await? {
//!     println!("{}", user.id);
//! }
//! # Ok(()) }
//! ```
//!
//! # Layering
//!
//! ```text
//! Users<S>            builds the request, decodes the response      (this crate)
//!   └─ S: tower::Service<http::Request<RequestBody>>
//!        base URI → trace → call timeout → retry → rate limit        (okta-layers)
//!          → attempt timeout → auth → transport                      (okta-layers, okta-hyper)
//! ```
//!
//! Requests carry origin-form URIs (`/api/v1/users?limit=200`) and an [`Operation`] in their
//! extensions; the service below sets the org's scheme and host.
#![doc = include_str!("operations.md")]

mod call;
pub mod endpoints;
pub mod error;
mod etag;
pub mod headers;
mod link;
pub mod models;
pub mod ops;
mod page;
pub mod reconcile;
mod redact;
mod request;
mod seen_pages;
mod service;
mod users;

pub use call::BoxFuture;
pub use endpoints::Endpoint;
pub use error::{
    ApiError, AuthError, BoxError, Error, ErrorCause, Reconciled, Result, TimeoutKind,
};
pub use etag::ETag;
pub use page::{Items, Page, Pages};
pub use reconcile::{Effect, Outcome};
pub use redact::{REDACTED, Redactor};
pub use request::Operation;
pub use service::{HttpService, MaxResponseSize, RequestBody};
pub use users::Users;
