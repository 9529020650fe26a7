//! Authentication: [`Credentials`] and [`AuthLayer`], which adds the `Authorization` header to
//! requests for the org — and only for the org.
//!
//! The layer goes inside [`BaseUriLayer`](crate::base_uri::BaseUriLayer): every request reaching
//! it then has the org's absolute URI, and any other request is refused rather than sent with
//! the org's credentials.
//!
//! ```
//! use http::Uri;
//! use okta_layers::auth::{AuthLayer, Credentials};
//! use okta_layers::base_uri::{BaseUriLayer, OrgUrl};
//! use tower::ServiceBuilder;
//!
//! # fn main() -> Result<(), okta_users::Error> {
//! # let transport = tower::service_fn(|_: http::Request<okta_users::RequestBody>| async {
//! #     Ok::<_, okta_users::BoxError>(http::Response::new(okta_users::RequestBody::default()))
//! # });
//! let org = OrgUrl::from_uri(&Uri::from_static("https://dev-123.okta.com"))?;
//! let credentials = Credentials::api_token("00abc…");
//! let service = ServiceBuilder::new()
//!     .layer(BaseUriLayer::new(org.clone()))
//!     .layer(AuthLayer::new(org, &credentials)?)
//!     .service(transport);
//! # drop(service);
//! # Ok(())
//! # }
//! ```

mod credentials;
mod service;

pub use credentials::{Credentials, SecretToken};
pub use service::{Auth, AuthLayer};
