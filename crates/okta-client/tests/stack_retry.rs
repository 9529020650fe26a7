//! The whole stack against the mock org with injected 503s, connection resets and latency: what
//! is retried, what is not, and what the caller gets.
//!
//! In process and on paused time: the org is the client's transport (no socket), backoffs and
//! latencies take no real time, and every random number is seeded (the mock's fault plan and the
//! stack's jitter), so each test is deterministic. The tests count requests as the mock saw them,
//! look at the typed error, and read tokio's clock where the time a call took is the point.

mod support;

use std::time::Duration;

use okta_client::StackConfig;
use okta_mock::{Bucket, Fault, FaultPlan, Method, MockOrg};
use okta_users::{HttpService, TimeoutKind, Users};
use support::{InProcess, assert_lost_after_sending, assert_timeout, fired, new_user};
use tokio::time::Instant;

/// The org's Users API in process through a stack allowing 8 attempts (enough for the seeded
/// faults), changed by `configure`.
fn users(org: &MockOrg, configure: impl FnOnce(&mut StackConfig)) -> Users<InProcess> {
    support::users(
        org,
        support::api_token(org).configure_stack(|stack| {
            stack.retry.max_attempts = 8;
            configure(stack);
        }),
    )
}

#[tokio::test(start_paused = true)]
async fn a_503_on_get_is_retried_until_it_succeeds() {
    let plan = FaultPlan::new(5).with(
        Fault::status(503)
            .probability(0.5)
            .on(Method::GET, "/api/v1/users/*"),
    );
    let org = support::faulty_org(4, plan);
    let users = users(&org, |_| {});
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

#[tokio::test(start_paused = true)]
async fn a_503_on_post_is_not_retried_and_comes_back_typed() {
    let plan = FaultPlan::new(5).with(Fault::status(503).on(Method::POST, "/api/v1/users"));
    let org = support::faulty_org(0, plan);
    let users = users(&org, |_| {});
    let login = "post-503@example.com";
    let error = users.create(new_user(login)).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error:?}");
    assert!(
        matches!(&error, okta_client::Error::Api(api) if api.error_code == "E0000010" && api.request_id.is_some()),
        "{error:?}"
    );
    assert_eq!(
        org.counters().bucket(Bucket::UsersCollection),
        1,
        "sent once"
    );
    assert_eq!(org.users_with_login(login), 0);
}

/// Creates `login` through `users` against `org`, which resets every `POST /api/v1/users`: the
/// caller gets the ambiguous transport error and the POST went out exactly once.
async fn create_through_a_reset(org: &MockOrg, users: Users<impl HttpService>, login: &str) {
    // The stack's own behaviour: without the façade's reconciliation above it.
    let users = users.reconcile(false);
    let error = users.create(new_user(login)).await.unwrap_err();
    assert_lost_after_sending(&error);
    assert_eq!(
        org.counters().bucket(Bucket::UsersCollection),
        1,
        "sent once"
    );
}

fn resetting_posts(fault: Fault) -> FaultPlan {
    FaultPlan::new(5).with(fault.on(Method::POST, "/api/v1/users"))
}

#[tokio::test(start_paused = true)]
async fn a_post_reset_after_processing_is_not_retried_and_the_user_exists_once() {
    let login = "reset-after@example.com";
    let org = support::faulty_org(0, resetting_posts(Fault::reset_after()));
    create_through_a_reset(&org, users(&org, |_| {}), login).await;
    assert_eq!(
        org.users_with_login(login),
        1,
        "processed once, never twice"
    );
    let log = org.request_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, 0, "the mock reset the connection");
}

/// Over a socket — the socket is the point: a reset before the mock processed the request looks,
/// on the wire, exactly like a reset after (the request was written and the connection closed
/// without an answer). So the POST is not retried either (retrying it would duplicate the user
/// whenever the reset came after) and the caller gets the same typed, ambiguous error; this time
/// the org holds no such user.
#[tokio::test]
async fn a_post_reset_before_processing_is_not_retried_and_creates_nothing() {
    let login = "reset-before@example.com";
    let org = okta_mock::MockOrg::builder()
        .seed(3)
        .faults(resetting_posts(Fault::reset_before()))
        .start()
        .await
        .unwrap();
    let users = support::api_token(&org).build().unwrap().users();
    create_through_a_reset(&org, users, login).await;
    assert_eq!(org.users_with_login(login), 0);
}

/// In process a reset before the org saw the request is known not to have been sent (as a
/// refused connection is): even a POST is sent again, and the user exists once.
#[tokio::test(start_paused = true)]
async fn a_post_known_not_sent_is_sent_again_and_the_user_exists_once() {
    let login = "not-sent@example.com";
    let plan = FaultPlan::new(5).with(
        Fault::reset_before()
            .probability(1.0)
            .on(Method::POST, "/api/v1/users"),
    );
    let org = support::faulty_org(0, plan);
    let error = users(&org, |stack| stack.retry.max_attempts = 3)
        .create(new_user(login))
        .await
        .unwrap_err();
    assert!(
        matches!(error, okta_client::Error::Transport { not_sent: true, .. }),
        "{error:?}"
    );
    assert!(!error.is_outcome_unknown());
    assert_eq!(
        org.counters().bucket(Bucket::UsersCollection),
        3,
        "every attempt"
    );
    assert_eq!(org.users_with_login(login), 0);

    let org = support::faulty_org(
        0,
        FaultPlan::new(5).with(
            Fault::reset_before()
                .probability(0.5)
                .on(Method::POST, "/api/v1/users"),
        ),
    );
    users(&org, |_| {}).create(new_user(login)).await.unwrap();
    assert!(fired(&org, "reset-before") >= 1, "the seed resets one");
    assert_eq!(org.users_with_login(login), 1);
}

#[tokio::test(start_paused = true)]
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
    let org = support::faulty_org(6, plan);
    let users = users(&org, |_| {});
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

const SLOW: Duration = Duration::from_millis(400);
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(100);

#[tokio::test(start_paused = true)]
async fn a_post_slower_than_the_attempt_timeout_fails_typed_and_is_not_retried() {
    let plan = FaultPlan::new(5).with(Fault::latency(SLOW).on(Method::POST, "/api/v1/users"));
    let org = support::faulty_org(0, plan);
    // The stack's own behaviour: without the façade's reconciliation above it.
    let users = users(&org, |stack| stack.attempt_timeout = Some(ATTEMPT_TIMEOUT)).reconcile(false);
    let login = "slow-post@example.com";
    let start = Instant::now();
    let error = users.create(new_user(login)).await.unwrap_err();
    assert_timeout(&error, TimeoutKind::Attempt);
    assert_eq!(start.elapsed(), ATTEMPT_TIMEOUT, "given up at the timeout");
    assert_eq!(
        org.counters().bucket(Bucket::UsersCollection),
        1,
        "sent once"
    );
    // The mock finishes the abandoned request once its latency is over: the user exists, once.
    assert!(org.request_log().is_empty(), "still in its latency");
    tokio::time::sleep(SLOW).await;
    assert_eq!(org.request_log().len(), 1);
    assert_eq!(org.users_with_login(login), 1);
}

#[tokio::test(start_paused = true)]
async fn a_get_slower_than_the_attempt_timeout_is_retried_to_success() {
    let plan = FaultPlan::new(7).with(
        Fault::latency(SLOW)
            .probability(0.5)
            .on(Method::GET, "/api/v1/users/*"),
    );
    let org = support::faulty_org(5, plan);
    let users = users(&org, |stack| stack.attempt_timeout = Some(ATTEMPT_TIMEOUT));
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

#[tokio::test(start_paused = true)]
async fn the_call_timeout_ends_a_call_that_keeps_retrying() {
    let plan = FaultPlan::new(5).with(Fault::latency(SLOW).on(Method::GET, "/api/v1/users/*"));
    let org = support::faulty_org(1, plan);
    let call_timeout = Duration::from_millis(350);
    let users = users(&org, |stack| {
        stack.attempt_timeout = Some(ATTEMPT_TIMEOUT);
        stack.call_timeout = Some(call_timeout);
        stack.retry.max_attempts = 100;
    });
    let start = Instant::now();
    let error = users.get(support::a_user(&org)).await.unwrap_err();
    assert_timeout(&error, TimeoutKind::Call);
    assert_eq!(start.elapsed(), call_timeout, "ended at the call timeout");
    assert!(
        org.counters().bucket(Bucket::UserGet) >= 2,
        "the attempt timed out and was retried before the call timeout"
    );
}

/// Okta's user DELETE is not idempotent (the first deactivates, the second deletes), so a reset
/// after the first was processed must not be retried: the user stays DEPROVISIONED, not deleted.
#[tokio::test(start_paused = true)]
async fn a_user_delete_reset_after_processing_is_not_retried() {
    let plan = FaultPlan::new(5).with(Fault::reset_after().on(Method::DELETE, "/api/v1/users/*"));
    let org = support::faulty_org(3, plan);
    // The stack's own behaviour: without the façade's reconciliation above it.
    let users = users(&org, |_| {}).reconcile(false);
    let id = org
        .user_ids()
        .into_iter()
        .find(|id| org.user_status(id) != Some("DEPROVISIONED"))
        .unwrap();

    let error = users.delete(&id).await.unwrap_err();

    assert_lost_after_sending(&error);
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
#[tokio::test(start_paused = true)]
async fn a_grant_revocation_reset_after_processing_is_retried() {
    let plan = FaultPlan::new(5).with(
        Fault::reset_after()
            .probability(1.0)
            .on(Method::DELETE, "/api/v1/users/*/grants"),
    );
    let org = support::faulty_org(3, plan);
    // The stack's own behaviour: without the façade's reconciliation above it.
    let users = users(&org, |stack| stack.retry.max_attempts = 2).reconcile(false);
    let id = support::a_user(&org);

    let error = users.revoke_grants(&id).await.unwrap_err();

    assert_lost_after_sending(&error);
    let deletes = support::logged(&org, Method::DELETE, &format!("/api/v1/users/{id}/grants"));
    assert_eq!(deletes.len(), 2, "retried up to max_attempts");
}
