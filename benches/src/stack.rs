//! okta-client's default stack over any inner service (an in-memory one for the overhead
//! bench), from `ClientBuilder::build_service`, and the request-shaping layers alone (default
//! headers, base URI, auth) for the breakdown.

use okta_layers::auth::{Auth, AuthLayer, Credentials};
use okta_layers::base_uri::{BaseUri, BaseUriLayer, OrgUrl};
use okta_layers::headers::{DefaultHeaders, DefaultHeadersLayer};
use okta_layers::stack::StackConfig;
use tower::ServiceBuilder;

/// The full default stack over `S`, as okta-client's `ClientService` (without caller layers).
pub type DefaultStack<S> = okta_client::Stack<S>;

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

/// The full default stack with `config` over `inner`, exactly as okta-client assembles it.
pub fn default_stack_with<S: Clone>(
    config: &StackConfig,
    org_url: &str,
    token: &str,
    inner: S,
) -> DefaultStack<S> {
    okta_client::Client::builder()
        .org_url(org_url)
        .api_token(token)
        .stack_config(config.clone())
        .build_service(inner)
        .expect("the default stack")
}

/// The full default stack with the default settings over `inner`.
pub fn default_stack<S: Clone>(org_url: &str, token: &str, inner: S) -> DefaultStack<S> {
    default_stack_with(&StackConfig::default(), org_url, token, inner)
}
