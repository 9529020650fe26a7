//! The whole stack (a real `Client` over loopback HTTP) against the mock org with injected 503s,
//! connection resets and latency: what is retried, what is not, and what the caller gets.
//!
//! Backoffs are 1–10 ms and every random number is seeded (the mock's fault plan and the stack's
//! jitter), so each test is deterministic and quick. Nothing asserts on elapsed time: the tests
//! count requests as the mock saw them and look at the typed error.

use std::time::Duration;

use okta_client::{Client, Error, StackConfig};
use okta_mock::{Bucket, Fault, FaultPlan, Method, MockOrg, RateLimits};
use okta_users::TimeoutKind;
use okta_users::models::{CreateUserRequest, UserProfile};

/// Short backoffs, seeded jitter, generous attempts; timeouts long unless a test shortens them.
fn quick(stack: &mut StackConfig) {
    stack.retry.max_attempts = 8;
    stack.retry.backoff_min = Duration::from_millis(1);
    stack.retry.backoff_max = Duration::from_millis(10);
    stack.retry.seed = Some(11);
    stack.rate_limit.seed = Some(12);
    stack.rate_limit.reset_jitter = Duration::ZERO;
    stack.attempt_timeout = Some(Duration::from_secs(5));
    stack.call_timeout = Some(Duration::from_secs(20));
}

async fn org(users: usize, faults: FaultPlan) -> MockOrg {
    MockOrg::builder()
        .seed(3)
        .users(users)
        .rate_limits(RateLimits::uniform(10_000, Duration::from_secs(1)))
        .faults(faults)
        .start()
        .await
        .unwrap()
}

fn client(org: &MockOrg, configure: impl FnOnce(&mut StackConfig)) -> Client {
    Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .configure_stack(|stack| {
            quick(stack);
            configure(stack);
        })
        .build()
        .unwrap()
}

fn new_user(login: &str) -> CreateUserRequest {
    CreateUserRequest::new(UserProfile::new("Stack", "Test", login, login))
}

fn fired(org: &MockOrg, kind: &str) -> u64 {
    org.counters().faults.get(kind).copied().unwrap_or(0)
}

/// The mock logs a request when it has answered it (or reset the connection); a request still
/// sleeping in an injected latency is not logged yet. Polls until `n` requests are logged.
async fn logged(org: &MockOrg, n: usize) -> Vec<okta_mock::LoggedRequest> {
    for _ in 0..500 {
        let log = org.request_log();
        if log.len() >= n {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    org.request_log()
}

#[tokio::test]
async fn a_503_on_get_is_retried_until_it_succeeds() {
    let plan = FaultPlan::new(5).with(
        Fault::status(503)
            .probability(0.5)
            .on(Method::GET, "/api/v1/users/*"),
    );
    let org = org(4, plan).await;
    let users = client(&org, |_| {}).users();
    let ids = org.user_ids();
    for id in &ids {
        let user = users.get(id.as_str()).await.unwrap();
        assert_eq!(&user.id, id);
    }
    let injected = fired(&org, "status-503");
    assert!(injected >= 1, "the seed injects at least one 503");
    // Every 503 was followed by another attempt: one success per user, plus one per 503.
    assert_eq!(
        org.counters().bucket(Bucket::UserGet),
        ids.len() as u64 + injected
    );
    let log = org.request_log();
    assert_eq!(
        log.iter().filter(|r| r.status == 503).count() as u64,
        injected
    );
    assert_eq!(log.iter().filter(|r| r.status == 200).count(), ids.len());
}

#[tokio::test]
async fn a_503_on_post_is_not_retried_and_comes_back_typed() {
    let plan = FaultPlan::new(5).with(Fault::status(503).on(Method::POST, "/api/v1/users"));
    let org = org(0, plan).await;
    let users = client(&org, |_| {}).users();
    let login = "post-503@example.com";
    let error = users.create(new_user(login)).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
    assert!(
        matches!(&error, Error::Api(api) if api.error_code == "E0000010" && api.request_id.is_some()),
        "{error:?}"
    );
    assert_eq!(
        org.counters().bucket(Bucket::UsersCollection),
        1,
        "sent once"
    );
    assert_eq!(org.users_with_login(login), 0);
}

/// Creates `login` against a mock that resets every `POST /api/v1/users` with `fault`: the
/// caller gets the ambiguous transport error and the POST went out exactly once.
async fn create_through_a_reset(fault: Fault, login: &str) -> MockOrg {
    let plan = FaultPlan::new(5).with(fault.on(Method::POST, "/api/v1/users"));
    let org = org(0, plan).await;
    // The stack's own behaviour: without the façade's reconciliation above it.
    let users = client(&org, |_| {}).users().reconcile(false);
    let error = users.create(new_user(login)).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Transport {
                not_sent: false,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        org.counters().bucket(Bucket::UsersCollection),
        1,
        "sent once"
    );
    org
}

#[tokio::test]
async fn a_post_reset_after_processing_is_not_retried_and_the_user_exists_once() {
    let login = "reset-after@example.com";
    let org = create_through_a_reset(Fault::reset_after(), login).await;
    assert_eq!(
        org.users_with_login(login),
        1,
        "processed once, never twice"
    );
    let log = org.request_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, 0, "the mock reset the connection");
}

/// A reset before the mock processed the request looks, on the wire, exactly like a reset after:
/// the request was written and the connection closed without an answer. So the POST is not
/// retried either (retrying it would duplicate the user whenever the reset came after) and the
/// caller gets the same typed, ambiguous error; this time the org holds no such user.
#[tokio::test]
async fn a_post_reset_before_processing_is_not_retried_and_creates_nothing() {
    let login = "reset-before@example.com";
    let org = create_through_a_reset(Fault::reset_before(), login).await;
    assert_eq!(org.users_with_login(login), 0);
}

#[tokio::test]
async fn resets_on_get_before_or_after_processing_are_retried_to_success() {
    let plan = FaultPlan::new(8)
        .with(
            Fault::reset_before()
                .probability(0.3)
                .on(Method::GET, "/api/v1/users/*"),
        )
        .with(
            Fault::reset_after()
                .probability(0.3)
                .on(Method::GET, "/api/v1/users/*"),
        );
    let org = org(6, plan).await;
    let users = client(&org, |_| {}).users();
    let ids = org.user_ids();
    for id in &ids {
        assert_eq!(&users.get(id.as_str()).await.unwrap().id, id);
    }
    let resets = org.request_log().iter().filter(|r| r.status == 0).count() as u64;
    assert!(fired(&org, "reset-before") >= 1 && fired(&org, "reset-after") >= 1);
    assert!(resets >= 1);
    assert_eq!(
        org.counters().bucket(Bucket::UserGet),
        ids.len() as u64 + resets,
        "one more attempt per reset"
    );
}

#[tokio::test]
async fn a_post_slower_than_the_attempt_timeout_fails_typed_and_is_not_retried() {
    let plan = FaultPlan::new(5)
        .with(Fault::latency(Duration::from_millis(400)).on(Method::POST, "/api/v1/users"));
    let org = org(0, plan).await;
    // The stack's own behaviour: without the façade's reconciliation above it.
    let users = client(&org, |stack| {
        stack.attempt_timeout = Some(Duration::from_millis(100));
    })
    .users()
    .reconcile(false);
    let login = "slow-post@example.com";
    let error = users.create(new_user(login)).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Attempt
            }
        ),
        "{error:?}"
    );
    // The mock finishes the abandoned request: the user exists, once.
    let log = logged(&org, 1).await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        org.counters().bucket(Bucket::UsersCollection),
        1,
        "sent once"
    );
    assert_eq!(org.users_with_login(login), 1);
}

#[tokio::test]
async fn a_get_slower_than_the_attempt_timeout_is_retried_to_success() {
    let plan = FaultPlan::new(7).with(
        Fault::latency(Duration::from_millis(400))
            .probability(0.5)
            .on(Method::GET, "/api/v1/users/*"),
    );
    let org = org(5, plan).await;
    let users = client(&org, |stack| {
        stack.attempt_timeout = Some(Duration::from_millis(100));
    })
    .users();
    let ids = org.user_ids();
    for id in &ids {
        assert_eq!(&users.get(id.as_str()).await.unwrap().id, id);
    }
    let slow = fired(&org, "latency");
    assert!(slow >= 1, "the seed injects at least one slow answer");
    assert_eq!(
        org.counters().bucket(Bucket::UserGet),
        ids.len() as u64 + slow,
        "each timed-out attempt was followed by another"
    );
}

#[tokio::test]
async fn the_call_timeout_ends_a_call_that_keeps_retrying() {
    let plan = FaultPlan::new(5)
        .with(Fault::latency(Duration::from_millis(400)).on(Method::GET, "/api/v1/users/*"));
    let org = org(1, plan).await;
    let users = client(&org, |stack| {
        stack.attempt_timeout = Some(Duration::from_millis(100));
        stack.call_timeout = Some(Duration::from_millis(350));
        stack.retry.max_attempts = 100;
    })
    .users();
    let id = org.user_ids().remove(0);
    let error = users.get(id).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Call
            }
        ),
        "{error:?}"
    );
    assert!(
        org.counters().bucket(Bucket::UserGet) >= 2,
        "the attempt timed out and was retried before the call timeout"
    );
}

/// Okta's user DELETE is not idempotent (the first deactivates, the second deletes), so a reset
/// after the first was processed must not be retried: the user stays DEPROVISIONED, not deleted.
#[tokio::test]
async fn a_user_delete_reset_after_processing_is_not_retried() {
    let plan = FaultPlan::new(5).with(Fault::reset_after().on(Method::DELETE, "/api/v1/users/*"));
    let org = org(3, plan).await;
    // The stack's own behaviour: without the façade's reconciliation above it.
    let users = client(&org, |_| {}).users().reconcile(false);
    let id = org
        .user_ids()
        .into_iter()
        .find(|id| org.user_status(id) != Some("DEPROVISIONED"))
        .unwrap();

    let error = users.delete(&id).await.unwrap_err();

    assert!(
        matches!(
            error,
            Error::Transport {
                not_sent: false,
                ..
            }
        ),
        "{error:?}"
    );
    let deletes = org
        .request_log()
        .into_iter()
        .filter(|r| r.method == Method::DELETE)
        .count();
    assert_eq!(deletes, 1, "sent once");
    assert_eq!(
        org.user_status(&id),
        Some("DEPROVISIONED"),
        "deactivated once, not deleted"
    );
}

/// Other DELETEs are idempotent and retried after the same failure.
#[tokio::test]
async fn a_grant_revocation_reset_after_processing_is_retried() {
    let plan = FaultPlan::new(5).with(
        Fault::reset_after()
            .probability(1.0)
            .on(Method::DELETE, "/api/v1/users/*/grants"),
    );
    let org = org(3, plan).await;
    // The stack's own behaviour: without the façade's reconciliation above it.
    let users = client(&org, |stack| stack.retry.max_attempts = 2)
        .users()
        .reconcile(false);
    let id = org.user_ids().remove(0);

    let error = users.revoke_grants(&id).await.unwrap_err();

    assert!(
        matches!(
            error,
            Error::Transport {
                not_sent: false,
                ..
            }
        ),
        "{error:?}"
    );
    let deletes = org
        .request_log()
        .into_iter()
        .filter(|r| r.method == Method::DELETE)
        .count();
    assert_eq!(deletes, 2, "retried up to max_attempts");
}
