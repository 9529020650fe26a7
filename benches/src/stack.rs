//! okta-client's default stack over any inner service (an in-memory one for the overhead
//! bench), built by hand from okta-layers' public layers.
//!
//! okta-client assembles the same layers in its private `default_stack` over its
//! `HyperTransport` and offers no constructor taking another inner service, so the order here
//! follows okta-layers' docs: [`okta_layers::layers`] (trace → call timeout → rate limit →
//! retry → attempt trace → attempt timeout), then default headers → base URI → auth → `S`.

use okta_layers::auth::{Auth, AuthLayer, Credentials};
use okta_layers::base_uri::{BaseUri, BaseUriLayer, OrgUrl};
use okta_layers::headers::{DefaultHeaders, DefaultHeadersLayer};
use okta_layers::stack::{Stack, StackConfig, layers};
use tower::{Layer, ServiceBuilder};

/// The full default stack over `S`.
pub type DefaultStack<S> = Stack<DefaultHeaders<BaseUri<Auth<S>>>>;

/// The request-shaping part alone (what okta-client wired before the middleware).
pub type ShapingStack<S> = DefaultHeaders<BaseUri<Auth<S>>>;

/// Headers, base URI and auth over `inner`, for `org_url` with an SSWS `token`.
pub fn shaping_stack<S>(org_url: &str, token: &str, inner: S) -> ShapingStack<S> {
    let uri: http::Uri = org_url.parse().expect("org URL");
    let org = OrgUrl::from_uri(&uri).expect("org URL");
    let auth = AuthLayer::new(org.clone(), &Credentials::api_token(token)).expect("token");
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
    layers(config).layer(shaping_stack(org_url, token, inner))
}

/// The full default stack with the default settings over `inner`.
pub fn default_stack<S>(org_url: &str, token: &str, inner: S) -> DefaultStack<S> {
    default_stack_with(&StackConfig::default(), org_url, token, inner)
}
