//! okta-client's default stack over any inner service (an in-memory one for the overhead
//! bench), built by hand from okta-layers' public layers.
//!
//! okta-client assembles the same layers in its private `default_stack` over its
//! `HyperTransport` and offers no constructor taking another inner service, so this copies its
//! order: default headers → [`okta_layers::layers`] (trace → call timeout → rate limit →
//! retry → attempt trace → attempt timeout) → base URI → auth → `S`.

use okta_layers::auth::{Auth, AuthLayer, Credentials};
use okta_layers::base_uri::{BaseUri, BaseUriLayer, OrgUrl};
use okta_layers::headers::{DefaultHeaders, DefaultHeadersLayer};
use okta_layers::stack::{Stack, StackConfig, layers};
use tower::{Layer, ServiceBuilder};

/// The full default stack over `S`, as okta-client's `ClientService` (without caller layers).
pub type DefaultStack<S> = DefaultHeaders<BaseUri<Stack<Auth<S>>>>;

/// The request-shaping layers alone, without the middleware: default headers, base URI, auth.
pub type ShapingStack<S> = DefaultHeaders<BaseUri<Auth<S>>>;

fn org_and_auth(org_url: &str, token: &str) -> (OrgUrl, AuthLayer) {
    let uri: http::Uri = org_url.parse().expect("org URL");
    let org = OrgUrl::from_uri(&uri).expect("org URL");
    let auth = AuthLayer::new(org.clone(), &Credentials::api_token(token)).expect("token");
    (org, auth)
}

/// Headers, base URI and auth over `inner`, for `org_url` with an SSWS `token`.
pub fn shaping_stack<S>(org_url: &str, token: &str, inner: S) -> ShapingStack<S> {
    let (org, auth) = org_and_auth(org_url, token);
    ServiceBuilder::new()
        .layer(DefaultHeadersLayer::new())
        .layer(BaseUriLayer::new(org))
        .layer(auth)
        .service(inner)
}

/// The full default stack with `config` over `inner`.
pub fn default_stack_with<S>(
    config: &StackConfig,
    org_url: &str,
    token: &str,
    inner: S,
) -> DefaultStack<S> {
    let (org, auth) = org_and_auth(org_url, token);
    let attempt = auth.layer(inner);
    ServiceBuilder::new()
        .layer(DefaultHeadersLayer::new())
        .layer(BaseUriLayer::new(org))
        .service(layers(config).layer(attempt))
}

/// The full default stack with the default settings over `inner`.
pub fn default_stack<S>(org_url: &str, token: &str, inner: S) -> DefaultStack<S> {
    default_stack_with(&StackConfig::default(), org_url, token, inner)
}
