//! The OAuth token endpoint: RS256 and ES256 client assertions, and what it refuses.

mod support;

use http::Method;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use okta_mock::MockOrg;
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::Api;

const RSA_PUB: &str = include_str!("keys/rsa_public.pem");
const RSA_PRIV: &str = include_str!("keys/rsa_private.pem");
const EC_PUB: &str = include_str!("keys/ec_public.pem");
const EC_PRIV: &str = include_str!("keys/ec_private.pem");
const OTHER_PRIV: &str = include_str!("keys/other_rsa_private.pem");

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn assertion(
    org: &MockOrg,
    client: &str,
    alg: Algorithm,
    key: &EncodingKey,
    exp: u64,
    jti: &str,
) -> String {
    let claims = json!({
        "iss": client, "sub": client, "aud": format!("{}/oauth2/v1/token", org.base_url()),
        "iat": now(), "exp": exp, "jti": jti,
    });
    encode(&Header::new(alg), &claims, key).unwrap()
}

fn form(jwt: &str, scope: &str) -> String {
    format!(
        "grant_type=client_credentials&scope={}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={jwt}",
        scope.replace(' ', "+")
    )
}

/// A `Bearer …` header for an access token of client `0oarsa`, obtained with an RS256
/// assertion (`jti`) for `scope`.
async fn rsa_bearer(org: &MockOrg, api: &Api, scope: &str, jti: &str) -> String {
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIV.as_bytes()).unwrap();
    let jwt = assertion(org, "0oarsa", Algorithm::RS256, &rsa, now() + 60, jti);
    let r = api
        .send(
            Method::POST,
            "/oauth2/v1/token",
            Some(&form(&jwt, scope)),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    format!("Bearer {}", r.json()["access_token"].as_str().unwrap())
}

async fn org() -> MockOrg {
    MockOrg::builder()
        .seed(1)
        .users(3)
        .oauth_client("0oarsa", RSA_PUB)
        .oauth_client("0oaec", EC_PUB)
        .access_token_ttl(Duration::from_secs(600))
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn rs256_and_es256_assertions_get_tokens_the_api_accepts() {
    let org = org().await;
    let api = Api::new(&org);
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIV.as_bytes()).unwrap();
    let ec = EncodingKey::from_ec_pem(EC_PRIV.as_bytes()).unwrap();
    for (client, alg, key) in [
        ("0oarsa", Algorithm::RS256, &rsa),
        ("0oaec", Algorithm::ES256, &ec),
    ] {
        let jwt = assertion(&org, client, alg, key, now() + 60, &format!("jti-{client}"));
        let r = api
            .send(
                Method::POST,
                "/oauth2/v1/token",
                Some(&form(&jwt, "okta.users.read okta.users.manage")),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let t = r.json();
        assert_eq!(t["token_type"], "Bearer");
        assert_eq!(t["expires_in"], 600);
        assert_eq!(t["scope"], "okta.users.read okta.users.manage");
        let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
        assert_eq!(
            api.send(Method::GET, "/api/v1/users", None, Some(&bearer))
                .await
                .status,
            200
        );
    }
    let c = org.counters();
    assert_eq!((c.token_requests, c.tokens_issued), (2, 2));
    assert!(org.request_log().iter().all(|e| !e.query.contains("eyJ")));
}

#[tokio::test]
async fn read_scope_cannot_write() {
    let org = org().await;
    let api = Api::new(&org);
    let bearer = rsa_bearer(&org, &api, "okta.users.read", "r1").await;
    assert_eq!(
        api.send(Method::GET, "/api/v1/users", None, Some(&bearer))
            .await
            .status,
        200
    );
    let r = api
        .send(Method::POST, "/api/v1/users", Some("{}"), Some(&bearer))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (403, "E0000006".into())
    );
    let r = api
        .send(Method::GET, "/api/v1/users", None, Some("Bearer nope"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (401, "E0000011".into())
    );
}

#[tokio::test]
async fn bad_assertions_are_refused() {
    let org = org().await;
    let api = Api::new(&org);
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIV.as_bytes()).unwrap();
    let other = EncodingKey::from_rsa_pem(OTHER_PRIV.as_bytes()).unwrap();
    let token = |body: String| {
        let api = &api;
        async move {
            api.send(Method::POST, "/oauth2/v1/token", Some(&body), None)
                .await
        }
    };
    let scope = "okta.users.read";
    // Wrong key.
    let r = token(form(
        &assertion(&org, "0oarsa", Algorithm::RS256, &other, now() + 60, "a"),
        scope,
    ))
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["error"].clone()),
        (401, json!("invalid_client"))
    );
    // Expired.
    let r = token(form(
        &assertion(&org, "0oarsa", Algorithm::RS256, &rsa, now() - 10, "b"),
        scope,
    ))
    .await;
    assert_eq!(r.status, 401);
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("invalid")
    );
    // Reused jti.
    let jwt = assertion(&org, "0oarsa", Algorithm::RS256, &rsa, now() + 60, "c");
    assert_eq!(token(form(&jwt, scope)).await.status, 200);
    let r = token(form(&jwt, scope)).await;
    assert_eq!(
        (r.status.as_u16(), r.json()["error"].clone()),
        (401, json!("invalid_client"))
    );
    // Unknown client, bad scope, wrong grant type.
    let r = token(form(
        &assertion(&org, "0oanobody", Algorithm::RS256, &rsa, now() + 60, "d"),
        scope,
    ))
    .await;
    assert_eq!(r.status, 401);
    let r = token(form(
        &assertion(&org, "0oarsa", Algorithm::RS256, &rsa, now() + 60, "e"),
        "okta.apps.manage",
    ))
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json()["error"].clone()),
        (400, json!("invalid_scope"))
    );
    let r = token("grant_type=password".into()).await;
    assert_eq!(
        (r.status.as_u16(), r.json()["error"].clone()),
        (400, json!("unsupported_grant_type"))
    );
    assert_eq!(org.counters().tokens_issued, 1);
}

/// Access tokens expire on the org's clock: paused time reaches the expiry with no wait.
#[tokio::test(start_paused = true)]
async fn expired_access_tokens_are_refused() {
    let org = MockOrg::builder()
        .oauth_client("0oarsa", RSA_PUB)
        .access_token_ttl(Duration::from_secs(600))
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    let bearer = rsa_bearer(&org, &api, "okta.users.read", "x").await;
    let get = || api.send(Method::GET, "/api/v1/users", None, Some(&bearer));
    assert_eq!(get().await.status, 200);
    tokio::time::advance(Duration::from_secs(599)).await;
    assert_eq!(get().await.status, 200);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(get().await.status, 401);
}

/// An OAuth service app is a principal of its own, with its own share of each bucket.
#[tokio::test]
async fn an_oauth_client_is_a_principal_with_its_share() {
    let org = MockOrg::builder()
        .seed(1)
        .oauth_client("0oarsa", RSA_PUB)
        .share("0oarsa", 20)
        .rate_limits(okta_mock::RateLimits::uniform(100, Duration::from_secs(60)))
        .start()
        .await
        .unwrap();
    let api = Api::new(&org);
    let bearer = rsa_bearer(&org, &api, "okta.users.read", "p").await;
    let r = api
        .send(Method::GET, "/api/v1/users", None, Some(&bearer))
        .await;
    assert_eq!(r.rate_limit().0, 20);
    let r = api.get("/api/v1/users").await;
    assert_eq!(r.rate_limit().0, 50, "the API token's default share");
    let c = org.counters();
    let bucket = okta_mock::Bucket::UsersCollection;
    assert_eq!(c.principal("0oarsa").unwrap().admitted(bucket), 1);
    assert_eq!(
        c.principal(okta_mock::DEFAULT_PRINCIPAL)
            .unwrap()
            .admitted(bucket),
        1
    );
}

#[tokio::test]
async fn bad_public_key_fails_start() {
    let err = MockOrg::builder()
        .oauth_client("x", "not a key")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, okta_mock::MockError::InvalidKey { .. }));
}
