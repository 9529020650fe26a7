//! OAuth 2.0 client credentials (`private_key_jwt`) end to end against the embedded mock org,
//! whose token endpoint checks RS256 and ES256 client assertions with the registered public
//! keys and whose API accepts only the live `Bearer` tokens it issued.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use okta_client::{Client, Error};
use okta_mock::MockOrg;

const RSA: &str = include_str!("../../okta-mock/tests/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../../okta-mock/tests/keys/rsa_public.pem");
const EC: &str = include_str!("../../okta-mock/tests/keys/ec_private.pem");
const EC_PUBLIC: &str = include_str!("../../okta-mock/tests/keys/ec_public.pem");
const OTHER_RSA: &str = include_str!("../../okta-mock/tests/keys/other_rsa_private.pem");
const SCOPES: [&str; 2] = ["okta.users.read", "okta.users.manage"];

async fn org(ttl: Option<Duration>) -> MockOrg {
    let mut builder = MockOrg::builder()
        .seed(3)
        .users(5)
        .oauth_client("0oa-rsa-app", RSA_PUBLIC)
        .oauth_client("0oa-ec-app", EC_PUBLIC);
    if let Some(ttl) = ttl {
        builder = builder.access_token_ttl(ttl);
    }
    builder.start().await.unwrap()
}

fn client(org: &MockOrg, client_id: &str, pem: &str) -> Client {
    Client::builder()
        .org_url(org.base_url())
        .private_key(client_id, pem, SCOPES)
        .build()
        .unwrap()
}

fn a_user(org: &MockOrg) -> String {
    org.user_ids()
        .into_iter()
        .next()
        .expect("the mock has users")
}

#[tokio::test]
async fn rs256_and_es256_service_apps_get_users_with_bearer_tokens() {
    let org = org(None).await;
    let id = a_user(&org);
    for (n, (client_id, pem)) in [("0oa-rsa-app", RSA), ("0oa-ec-app", EC)]
        .into_iter()
        .enumerate()
    {
        let client = client(&org, client_id, pem);
        let user = client.users().get(id.as_str()).await.unwrap();
        assert_eq!(user.id, id);
        client.users().list().limit(2).send().await.unwrap();
        let counters = org.counters();
        assert_eq!(counters.token_requests, n as u64 + 1, "{client_id}");
        assert_eq!(counters.tokens_issued, n as u64 + 1, "{client_id}");
        assert_eq!(counters.unauthorized, 0, "{client_id}");
    }
}

#[tokio::test]
async fn the_wrong_key_is_an_auth_error_naming_okta_error_but_no_secret() {
    let org = org(None).await;
    let client = client(&org, "0oa-rsa-app", OTHER_RSA);
    let error = client.users().get(a_user(&org)).await.unwrap_err();
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
    let client = client_for_unknown_app(&org);
    let error = client.users().get(a_user(&org)).await.unwrap_err();
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
}

fn client_for_unknown_app(org: &MockOrg) -> Client {
    client(org, "0oa-unknown", EC)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_through_clones_of_one_client_make_one_token_request() {
    let org = org(None).await;
    let id = a_user(&org);
    let client = client(&org, "0oa-ec-app", EC);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            let id = id.clone();
            tokio::spawn(async move { client.users().get(id).await.map(|user| user.id) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), id);
    }
    let counters = org.counters();
    assert_eq!(counters.token_requests, 1);
    assert_eq!(counters.unauthorized, 0);
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed_before_it_expires() {
    // The mock's tokens live 2 s: the client refreshes them after half of that (the margin is a
    // minute, or half the lifetime of shorter tokens), so no call ever meets a 401.
    let org = org(Some(Duration::from_secs(2))).await;
    let id = a_user(&org);
    let client = client(&org, "0oa-rsa-app", RSA);
    client.users().get(id.as_str()).await.unwrap();
    client.users().get(id.as_str()).await.unwrap();
    assert_eq!(org.counters().token_requests, 1, "cached");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.users().get(id.as_str()).await.unwrap();
    client.users().get(id.as_str()).await.unwrap();
    let counters = org.counters();
    assert_eq!(counters.token_requests, 2, "refreshed once, early");
    assert_eq!(counters.unauthorized, 0, "never used an expired token");
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_output_holds_no_access_token_key_or_assertion() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // Current-thread runtime: every task of this test (the mock's too) logs into the buffer.
    let _default = tracing::subscriber::set_default(subscriber);

    let org = org(None).await;
    let id = a_user(&org);
    let client = client(&org, "0oa-rsa-app", RSA);
    for _ in 0..3 {
        client.users().get(id.as_str()).await.unwrap();
    }
    client.users().list().limit(2).send().await.unwrap();
    // A refused assertion is traced as a failed call.
    let refused = self::client(&org, "0oa-ec-app", OTHER_RSA);
    refused.users().get(id.as_str()).await.unwrap_err();
    assert_eq!(org.counters().token_requests, 2);

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The capture saw the calls, the token fetch and the failure.
    assert!(text.contains("okta.call"), "{text}");
    assert!(text.contains("access token obtained"), "{text}");
    assert!(text.contains("invalid_client"), "{text}");
    // The mock's access tokens are `mock.<40 alphanumerics>`.
    assert!(!text.contains("mock."), "{text}");
    assert!(!text.contains("Bearer"), "{text}");
    // A JWT (the assertion) starts with base64url `{"`.
    assert!(!text.contains("eyJ"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    for line in [RSA, EC, OTHER_RSA]
        .iter()
        .flat_map(|pem| pem.lines())
        .filter(|line| !line.starts_with("-----"))
    {
        assert!(!text.contains(line), "{line}");
    }
}

#[tokio::test]
async fn a_token_request_lost_in_transit_is_retried_even_for_a_post_sent_once() {
    use okta_mock::{Fault, FaultPlan, Method};
    // Every other token request (seeded) has its connection reset before any answer.
    let org = MockOrg::builder()
        .seed(3)
        .users(2)
        .oauth_client("0oa-ec-app", EC_PUBLIC)
        .faults(
            FaultPlan::new(SEED).with(
                Fault::reset_before()
                    .probability(0.5)
                    .on(Method::POST, "/oauth2/v1/token"),
            ),
        )
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .org_url(org.base_url())
        .private_key("0oa-ec-app", EC, SCOPES)
        .configure_stack(|stack| {
            stack.retry.backoff_min = Duration::from_millis(1);
            stack.retry.backoff_max = Duration::from_millis(5);
            stack.retry.max_attempts = 5;
            stack.retry.seed = Some(1);
        })
        .build()
        .unwrap();
    let created = client
        .users()
        .create(okta_users::models::CreateUserRequest::new(
            okta_users::models::UserProfile::new(
                "Token",
                "Retry",
                "token.retry@example.com",
                "token.retry@example.com",
            ),
        ))
        .await
        .map_err(|error| format!("{error:?} {:?}", org.request_log()))
        .unwrap();
    assert_eq!(org.users_with_login("token.retry@example.com"), 1);

    let log = org.request_log();
    let token_requests: Vec<_> = log
        .iter()
        .filter(|entry| entry.path == "/oauth2/v1/token")
        .collect();
    assert!(
        token_requests.len() >= 2 && token_requests[0].status == 0,
        "the seed makes the first token request fail: {log:?}"
    );
    assert_eq!(token_requests.last().unwrap().status, 200);
    let creates: Vec<_> = log
        .iter()
        .filter(|entry| entry.method == Method::POST && entry.path == "/api/v1/users")
        .collect();
    assert_eq!(creates.len(), 1, "the POST itself went out once");
    assert_eq!(creates[0].status, 200);
    assert!(!created.id.is_empty());
}

/// Chosen so that the first token request is reset (asserted above).
const SEED: u64 = 5;
