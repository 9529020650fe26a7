//! Examples for the Okta Users client: `quickstart` (the main job), `tour`, `custom_layer`.
//!
//! Against a real org, `quickstart` reads Okta's configuration (`ClientBuilder::from_okta_config`:
//! the `okta.yaml` files, then the `OKTA_CLIENT_*` variables) and `tour` the variables
//! (`ClientBuilder::from_env`) — every key and variable: the README's *Configuration* table;
//! without an org URL, they start the embedded mock org ([`embedded_org`]).
//!
//! This library holds what the examples share, and the README's code, compiled as a doctest so
//! it stays true.

use okta_client::ClientBuilder;
use okta_mock::MockOrg;

/// The service app registered with the embedded org in `PrivateKey` mode.
const CLIENT_ID: &str = "0oa-example-service-app";
/// The mock's test key pair (never use it anywhere else).
const PRIVATE_KEY: &str = include_str!("../../crates/okta-mock/tests/keys/rsa_private.pem");
const PUBLIC_KEY: &str = include_str!("../../crates/okta-mock/tests/keys/rsa_public.pem");

/// Starts the embedded mock org (`seed`, `users`) and returns a client builder for it, from the
/// `OKTA_CLIENT_*` environment variables as [`ClientBuilder::from_env`] reads them: an API
/// token by default; with `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey`, OAuth 2.0 as a service
/// app that requires DPoP, as Okta creates them now (`OKTA_CLIENT_DPOPENABLED=true|false|auto`
/// applies; the org URL, client id, scopes and key are the embedded org's own).
pub async fn embedded_org(seed: u64, users: usize) -> anyhow::Result<(MockOrg, ClientBuilder)> {
    let oauth = std::env::var("OKTA_CLIENT_AUTHORIZATIONMODE")
        .is_ok_and(|mode| mode.trim().eq_ignore_ascii_case("PrivateKey"));
    let mut org = MockOrg::builder().seed(seed).users(users);
    if oauth {
        org = org
            .oauth_client(CLIENT_ID, PUBLIC_KEY)
            .require_dpop(CLIENT_ID);
    }
    let org = org.start().await?;
    let builder = if oauth {
        let url = org.base_url().to_owned();
        ClientBuilder::from_env_with(|name| match name {
            "OKTA_CLIENT_ORGURL" => Some(url.clone()),
            "OKTA_CLIENT_CLIENTID" => Some(CLIENT_ID.into()),
            "OKTA_CLIENT_SCOPES" => Some("okta.users.read okta.users.manage".into()),
            "OKTA_CLIENT_PRIVATEKEY" => Some(PRIVATE_KEY.into()),
            other => std::env::var(other).ok(),
        })
    } else {
        ClientBuilder::new()
            .org_url(org.base_url())
            .api_token(org.token())
    };
    Ok((org, builder))
}

/// Prints the client's spans and events as `RUST_LOG` asks (nothing by default): with
/// `RUST_LOG=okta_layers=debug`, each call's and attempt's span as it closes (method, URL,
/// status, request id, re-sends) and every rate-limit wait.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .init();
}

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
