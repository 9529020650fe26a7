//! Authentication: [`Credentials`] and [`AuthLayer`], which adds the `Authorization` header to
//! requests for the org — and only for the org.
//!
//! Three modes:
//! - an API token ([`Credentials::api_token`], `SSWS`);
//! - OAuth 2.0 client credentials with `private_key_jwt` ([`Credentials::private_key`]): the
//!   layer signs a client assertion (RS256 or ES256, iss = sub = the client id, aud =
//!   `{org}/oauth2/v1/token`, five minutes, a random `jti`) with the app's [`PrivateKey`] (PEM:
//!   PKCS#8, PKCS#1, SEC1; or a JWK), exchanges it at the org's token endpoint for an access
//!   token, caches the token until shortly before it expires, fetches it once for any number of
//!   concurrent calls, and after a 401 fetches a new one and re-sends the request once;
//! - OAuth 2.0 tokens from elsewhere: fixed ([`Credentials::access_token`], `Bearer`), or from a
//!   [`TokenProvider`] of yours ([`Credentials::token_provider`], [`token_fn`]), cached and
//!   refreshed as above.
//!
//! OAuth tokens may be **DPoP-bound** (RFC 9449; [`DpopMode`], `Auto` by default): the client's
//! key (ES256, generated when the layer is built, or given with
//! [`Credentials::with_dpop_key`]) signs a proof for the token request — from its first send
//! once DPoP is on — and a fresh one for every API request, sent with `Authorization: DPoP`.
//! See [`AuthLayer`] for where the token request goes, what a call costs, and how Okta's
//! nonces and challenges are answered.
//!
//! A token request that fails in transit, before any answer (connect, reset, timeout), fails
//! the call with `Error::Transport { not_sent: true }` whose source is a
//! [`TokenRequestFailed`]: the API request was never sent, so the retry layer may retry the
//! attempt, whatever its method. An answer from the token endpoint that is not a token (an
//! error, a body over 64 KiB, malformed or unreadable) is `Error::Auth`, not retried.
//!
//! Secrets (tokens, the private keys, assertions, proofs) never show in `Debug` output, errors
//! or `tracing` fields, and the `Authorization` and `DPoP` headers are marked sensitive. A
//! server reflecting them back is expected: every response carries an
//! [`okta_users::Redactor`] of what the layer sent, and its headers are cut of them before any
//! layer above sees them (see [`AuthLayer`]).
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
//! # fn main() -> Result<(), okta_layers::ConfigError> {
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
mod dpop;
mod key_formats;
mod private_key;
mod provider;
mod service;
mod token;
mod token_endpoint;

pub use credentials::{Credentials, PrivateKeyJwt, ProvidedTokens, SecretToken};
pub use dpop::DpopMode;
pub use private_key::PrivateKey;
pub use provider::{
    AccessToken, TokenFn, TokenProvider, TokenProviderFuture, TokenRequest, token_fn,
};
pub use service::{Auth, AuthFuture, AuthLayer};
pub use token::TokenRequestFailed;
