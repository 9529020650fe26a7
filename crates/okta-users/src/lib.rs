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
//! `Users<S>` builds each request and decodes its response; `S` sends it — in production the
//! default stack of `okta-layers` over the `okta-hyper` transport, whose layers and their order
//! are drawn once, in
//! [ARCHITECTURE.md](https://github.com/okta-users-rs/okta-users-rs/blob/main/ARCHITECTURE.md).
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
    ApiError, AuthError, BoxError, Error, ErrorCause, Reconciled, RefusedReason, Result,
    TimeoutKind,
};
pub use etag::ETag;
pub use page::{Items, Page, Pages};
pub use reconcile::{Effect, Outcome};
pub use redact::{REDACTED, Redactor};
pub use request::Operation;
pub use service::{HttpService, MaxResponseSize, RequestBody};
pub use users::Users;
