//! OAuth 2.0 client credentials (`private_key_jwt`) end to end against the embedded mock org,
//! whose token endpoint checks RS256 and ES256 client assertions with the registered public
//! keys and whose API accepts only the live `Bearer` tokens it issued.
//!
//! In process and on paused time (the org's clock, token expiry included, is tokio's); the
//! trace test, over a socket, is in `oauth_traces.rs`.

mod support;

use std::time::Duration;

use okta_client::Error;
use okta_mock::{Fault, FaultPlan, Method};
use okta_users::Users;
use support::keys::{EC, EC_APP, OTHER_RSA, RSA, RSA_APP};
use support::{InProcess, a_user, logged};

/// The Users API of `org` in process, as the service app `client_id` with the key `pem`.
fn users(org: &okta_mock::MockOrg, client_id: &str, pem: &str) -> Users<InProcess> {
    support::users(org, support::private_key(org, client_id, pem))
}

#[tokio::test(start_paused = true)]
async fn rs256_and_es256_service_apps_get_users_with_bearer_tokens() {
    let org = support::oauth_org().build().unwrap();
    let id = a_user(&org);
    for (n, (client_id, pem)) in [(RSA_APP, RSA), (EC_APP, EC)].into_iter().enumerate() {
        let users = users(&org, client_id, pem);
        let user = users.get(id.as_str()).await.unwrap();
        assert_eq!(user.id, id);
        users.list().limit(2).send().await.unwrap();
        let counters = org.counters();
        assert_eq!(counters.token_requests, n as u64 + 1, "{client_id}");
        assert_eq!(counters.tokens_issued, n as u64 + 1, "{client_id}");
        assert_eq!(counters.unauthorized, 0, "{client_id}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_wrong_key_is_an_auth_error_naming_okta_error_but_no_secret() {
    let org = support::oauth_org().build().unwrap();
    let error = users(&org, RSA_APP, OTHER_RSA)
        .get(a_user(&org))
        .await
        .unwrap_err();
    let Error::Auth(auth) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(auth.error.as_deref(), Some("invalid_client"), "{auth:?}");
    let text = format!("{error} {error:?}");
    assert!(
        !text.contains("eyJ") && !text.contains("PRIVATE KEY"),
        "{text}"
    );
    // An unknown client id, too.
    let error = users(&org, "0oa-unknown", EC)
        .get(a_user(&org))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
}

/// On two worker threads, whose clock cannot be paused (nothing here waits): the calls race for
/// the token cache in parallel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_through_clones_of_one_client_make_one_token_request() {
    let org = support::oauth_org().build().unwrap();
    let id = a_user(&org);
    let users = users(&org, EC_APP, EC);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let users = users.clone();
            let id = id.clone();
            tokio::spawn(async move { users.get(id).await.map(|user| user.id) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), id);
    }
    let counters = org.counters();
    assert_eq!(counters.token_requests, 1);
    assert_eq!(counters.unauthorized, 0);
}

#[tokio::test(start_paused = true)]
async fn a_short_lived_token_is_refreshed_before_it_expires() {
    // The mock's tokens live 2 s: the client refreshes them after half of that (the margin is a
    // minute, or half the lifetime of shorter tokens), so no call ever meets a 401.
    let org = support::oauth_org()
        .access_token_ttl(Duration::from_secs(2))
        .build()
        .unwrap();
    let id = a_user(&org);
    let users = users(&org, RSA_APP, RSA);
    users.get(id.as_str()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(900)).await;
    users.get(id.as_str()).await.unwrap();
    assert_eq!(org.counters().token_requests, 1, "cached");
    tokio::time::sleep(Duration::from_millis(200)).await;
    users.get(id.as_str()).await.unwrap();
    users.get(id.as_str()).await.unwrap();
    let counters = org.counters();
    assert_eq!(counters.token_requests, 2, "refreshed once, early");
    assert_eq!(counters.unauthorized, 0, "never used an expired token");
}

#[tokio::test(start_paused = true)]
async fn a_token_request_lost_in_transit_is_retried_even_for_a_post_sent_once() {
    // Every other token request (seeded) has its connection reset after the org issued the
    // token: the answer is lost, as far as the client can tell the request may have worked.
    let org = support::oauth_org()
        .users(2)
        .faults(
            FaultPlan::new(SEED).with(
                Fault::reset_after()
                    .probability(0.5)
                    .on(Method::POST, "/oauth2/v1/token"),
            ),
        )
        .build()
        .unwrap();
    let users = support::users(
        &org,
        support::private_key(&org, EC_APP, EC).configure_stack(|stack| {
            stack.retry.max_attempts = 5;
        }),
    );
    let created = users
        .create(support::new_user("token.retry@example.com"))
        .await
        .map_err(|error| format!("{error:?} {:?}", org.request_log()))
        .unwrap();
    assert_eq!(org.users_with_login("token.retry@example.com"), 1);

    let token_requests = logged(&org, Method::POST, "/oauth2/v1/token");
    assert!(
        token_requests.len() >= 2 && token_requests[0].status == 0,
        "the seed makes the first token request fail: {token_requests:?}"
    );
    assert_eq!(token_requests.last().unwrap().status, 200);
    let creates = logged(&org, Method::POST, "/api/v1/users");
    assert_eq!(creates.len(), 1, "the POST itself went out once");
    assert_eq!(creates[0].status, 200);
    assert!(!created.id.is_empty());
}

/// Chosen so that the first token request is reset (asserted above).
const SEED: u64 = 5;
