//! Reconciliation after an ambiguous failure, end to end: the façade over the full okta-client
//! stack over the mock org's in-process service, on paused time. Each rule of
//! `okta_users::reconcile` with a write whose answer is lost — the mock's `reset-after` fault
//! (applied, then the connection closed) or a 502 (not applied, and a gateway's answer says
//! nothing) — scoped to that write; and the cases where reconciliation must not claim success.
//! (The tracing event: `reconcile_tracing.rs`.)

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use okta_client::{Client, Stack};
use okta_mock::{DEFAULT_SERVICE_BASE_URL, Fault, FaultPlan, Method, MockOrg, MockService};
use okta_users::models::{
    ChangePasswordRequest, CreateUserRequest, RoleType, UpdateUserRequest, UserProfile, UserStatus,
};
use okta_users::reconcile::{Action, Evidence, Finding, Rule, TargetStatus};
use okta_users::{Effect, Error, Users};
use tower_service::Service;

type OrgUsers = Users<Stack<MockService>>;

/// The full default stack over the org's in-process service.
fn users_of(org: &MockOrg, max_attempts: u32) -> OrgUsers {
    let service = Client::builder()
        .org_url(DEFAULT_SERVICE_BASE_URL)
        .api_token(org.token())
        .configure_stack(|stack| {
            stack.retry.max_attempts = max_attempts;
            stack.retry.seed = Some(1);
            stack.rate_limit.seed = Some(2);
        })
        .build_service(org.service())
        .unwrap();
    Users::new(service)
}

/// An org (seeded) whose faults are `plan`, and the stack over it.
fn org_with(plan: FaultPlan) -> (MockOrg, OrgUsers) {
    let org = MockOrg::builder().seed(7).faults(plan).build().unwrap();
    let users = users_of(&org, 3);
    (org, users)
}

/// `fault` on every `method` request to `path`.
fn always(fault: Fault, method: Method, path: &str) -> FaultPlan {
    FaultPlan::new(0).with(fault.on(method, path))
}

/// A plan whose one rule — `fault` on `method` requests to `path`, with probability ½ — fires
/// on the matching requests exactly as `pattern` says (then as chance has it). A seeded plan's
/// draws depend only on its seed, its rules' probabilities and the order of the matching
/// requests, not on the fault's kind: the seed is found by sending `pattern.len()` requests to
/// throwaway orgs whose rule answers 502 instead.
async fn firing(fault: Fault, method: Method, path: &str, pattern: &[bool]) -> FaultPlan {
    let concrete = path.replace('*', "x");
    for seed in 0..256 {
        let rule = |fault: Fault| fault.probability(0.5).on(method.clone(), path);
        let probe = MockOrg::builder()
            .faults(FaultPlan::new(seed).with(rule(Fault::status(502))))
            .build()
            .unwrap();
        let mut service = probe.service();
        let mut fired = Vec::new();
        for _ in pattern {
            let request = http::Request::builder()
                .method(method.clone())
                .uri(format!("{DEFAULT_SERVICE_BASE_URL}{concrete}"))
                .body(Full::<Bytes>::default())
                .unwrap();
            let response = service.call(request).await.unwrap();
            fired.push(response.status() == 502);
        }
        if fired == pattern {
            return FaultPlan::new(seed).with(rule(fault));
        }
    }
    panic!("no seed below 256 fires as {pattern:?}");
}

/// Creates a user through `users` (on a path no test faults).
async fn new_user(users: &OrgUsers, name: &str, activate: bool) -> String {
    let login = format!("{name}@example.com");
    let body = CreateUserRequest::new(UserProfile::new("Test", name, login.clone(), login))
        .password("correct horse battery staple");
    users.create(body).activate(activate).await.unwrap().id
}

fn profile(name: &str) -> UserProfile {
    let login = format!("{name}@example.com");
    UserProfile::new("Ada", name, login.clone(), login)
}

fn requests(org: &MockOrg, method: Method, path: &str) -> usize {
    org.request_log()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

fn actions(reconciliation: &okta_users::reconcile::Reconciliation) -> Vec<Action> {
    reconciliation
        .steps
        .iter()
        .map(|step| step.action)
        .collect()
}

// ---- createUser ----

#[tokio::test(start_paused = true)]
async fn create_answered_login_exists_on_the_re_send_is_this_call_s_user() {
    let plan = firing(
        Fault::reset_after(),
        Method::POST,
        "/api/v1/users",
        &[true, false],
    )
    .await;
    let (org, users) = org_with(plan);

    let outcome = users
        .create(CreateUserRequest::new(profile("ada")))
        .send_reconciled()
        .await
        .unwrap();

    let reconciliation = outcome.reconciliation.expect("reconciled");
    assert_eq!(reconciliation.rule, Rule::CreateUser);
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert_eq!(actions(&reconciliation), [Action::Resend, Action::Read]);
    assert!(
        reconciliation.steps[0].result.contains("E0000001"),
        "{reconciliation:?}"
    );
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::Login {
            user_id: outcome.value.id.clone(),
            this_call: true
        })
    );
    assert_eq!(org.users_with_login("ada@example.com"), 1);
    assert_eq!(org.user_ids(), std::slice::from_ref(&outcome.value.id));
    assert!(
        outcome.value.etag.is_some(),
        "the user read back, with its ETag"
    );
}

#[tokio::test(start_paused = true)]
async fn create_whose_re_send_is_lost_too_is_settled_by_reading_the_login() {
    let (org, users) = org_with(always(Fault::reset_after(), Method::POST, "/api/v1/users"));

    let user = users
        .create(CreateUserRequest::new(profile("ada")))
        .await
        .unwrap();

    assert_eq!(org.user_ids(), [user.id]);
    assert_eq!(
        requests(&org, Method::POST, "/api/v1/users"),
        2,
        "one re-send"
    );
}

#[tokio::test(start_paused = true)]
async fn create_that_did_not_land_is_re_sent_and_creates_one_user() {
    let plan = firing(
        Fault::status(502),
        Method::POST,
        "/api/v1/users",
        &[true, false],
    )
    .await;
    let (org, users) = org_with(plan);

    let outcome = users
        .create(CreateUserRequest::new(profile("ada")))
        .send_reconciled()
        .await
        .unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Resent);
    assert_eq!(actions(&reconciliation), [Action::Resend]);
    assert!(
        reconciliation.cause.contains("502"),
        "{}",
        reconciliation.cause
    );
    assert_eq!(org.user_ids(), [outcome.value.id]);
}

#[tokio::test(start_paused = true)]
async fn create_with_a_login_another_user_holds_is_not_applied() {
    let (org, users) = org_with(always(Fault::reset_after(), Method::POST, "/api/v1/users"));
    // Another user, created before, holds the login (its answer lost: with reconciliation off,
    // the caller is left not knowing); this call's profile differs.
    let other = users
        .clone()
        .reconcile(false)
        .create(CreateUserRequest::new(profile("ada")))
        .await;
    assert!(
        other.unwrap_err().is_outcome_unknown(),
        "created, answer lost"
    );
    let before = org.user("ada@example.com").unwrap();
    let mut mine = profile("ada");
    mine.first_name = Some("Grace".into());

    let error = users
        .create(CreateUserRequest::new(mine))
        .await
        .unwrap_err();

    assert_eq!(error.effect(), Effect::NotApplied);
    assert!(!error.is_outcome_unknown());
    let reconciliation = error.reconciliation().unwrap();
    assert_eq!(reconciliation.finding, Finding::NotApplied);
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::Login {
            user_id: before["id"].as_str().unwrap().to_owned(),
            this_call: false
        })
    );
    assert_eq!(org.users_with_login("ada@example.com"), 1);
    assert_eq!(org.user("ada@example.com").unwrap(), before, "untouched");
    assert!(error.to_string().contains("did not take effect"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn create_of_the_same_profile_made_before_the_call_is_not_claimed() {
    let plan = firing(
        Fault::reset_after(),
        Method::POST,
        "/api/v1/users",
        &[true, true, false],
    )
    .await;
    let (org, users) = org_with(plan);
    // The first create lands and its answer is lost: with reconciliation off, the caller
    // (another process, say) is left not knowing.
    let first = users
        .clone()
        .reconcile(false)
        .create(CreateUserRequest::new(profile("ada")))
        .await;
    assert!(first.unwrap_err().is_outcome_unknown());
    // Ten minutes later, the same profile again: its answer is lost too, and the re-send is
    // answered "login already exists". The user holding the login has the profile sent, but was
    // created before this call.
    tokio::time::advance(Duration::from_secs(600)).await;

    let error = users
        .create(CreateUserRequest::new(profile("ada")))
        .await
        .unwrap_err();

    let reconciliation = error.reconciliation().unwrap();
    assert_eq!(reconciliation.finding, Finding::NotApplied, "{error}");
    assert!(matches!(
        reconciliation.evidence,
        Some(Evidence::Login {
            this_call: false,
            ..
        })
    ));
    assert_eq!(
        error.error_code(),
        Some("E0000001"),
        "Okta's refusal of the re-send"
    );
    assert_eq!(org.users_with_login("ada@example.com"), 1);
}

#[tokio::test(start_paused = true)]
async fn reconciliation_switched_off_returns_the_outcome_unknown_error() {
    let (org, users) = org_with(always(Fault::reset_after(), Method::POST, "/api/v1/users"));

    let per_call = users
        .create(CreateUserRequest::new(profile("ada")))
        .reconcile(false)
        .await
        .unwrap_err();
    let per_handle = users
        .clone()
        .reconcile(false)
        .create(CreateUserRequest::new(profile("grace")))
        .send_reconciled()
        .await
        .unwrap_err();

    for error in [&per_call, &per_handle] {
        assert!(error.is_outcome_unknown(), "{error}");
        assert!(error.reconciliation().is_none());
        assert!(matches!(
            error,
            Error::Transport {
                not_sent: false,
                ..
            }
        ));
    }
    assert_eq!(
        requests(&org, Method::POST, "/api/v1/users"),
        2,
        "nothing re-sent"
    );
    assert_eq!(
        org.user_count(),
        2,
        "both landed; the caller was told it may have"
    );
    assert!(!users.clone().reconcile(false).reconciles() && users.reconciles());
}

// ---- lifecycle: status rules ----

const SUSPEND: &str = "/api/v1/users/*/lifecycle/suspend";

#[tokio::test(start_paused = true)]
async fn suspend_applied_then_answer_lost_is_settled_by_the_status_read() {
    let (org, users) = org_with(always(Fault::reset_after(), Method::POST, SUSPEND));
    let id = new_user(&users, "ada", true).await;

    let outcome = users.suspend(&id).send_reconciled().await.unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert_eq!(actions(&reconciliation), [Action::Read], "no re-send");
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::UserStatus {
            status: UserStatus::Suspended,
            changed_during_call: Some(true)
        })
    );
    assert_eq!(org.user_status(&id), Some("SUSPENDED"));
}

#[tokio::test(start_paused = true)]
async fn suspend_that_did_not_land_is_re_sent() {
    let plan = firing(Fault::status(502), Method::POST, SUSPEND, &[true, false]).await;
    let (org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;

    let outcome = users.suspend(&id).send_reconciled().await.unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Resent);
    assert_eq!(actions(&reconciliation), [Action::Read, Action::Resend]);
    assert_eq!(org.user_status(&id), Some("SUSPENDED"));
}

#[tokio::test(start_paused = true)]
async fn suspend_whose_status_did_not_change_is_not_claimed() {
    let (org, users) = org_with(always(Fault::status(502), Method::POST, SUSPEND));
    let id = new_user(&users, "ada", true).await;
    tokio::time::advance(Duration::from_secs(60)).await;

    let error = users.suspend(&id).await.unwrap_err();

    assert!(error.is_outcome_unknown(), "{error}");
    assert_eq!(error.effect(), Effect::Unknown);
    let reconciliation = error.reconciliation().unwrap();
    assert_eq!(reconciliation.finding, Finding::Undecided);
    assert_eq!(actions(reconciliation), [Action::Read, Action::Resend]);
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::UserStatus {
            status: UserStatus::Active,
            changed_during_call: Some(false),
        })
    );
    assert_eq!(
        error.status(),
        Some(http::StatusCode::BAD_GATEWAY),
        "the first error"
    );
    assert!(
        error.to_string().contains("it may have taken effect"),
        "{error}"
    );
    assert_eq!(org.user_status(&id), Some("ACTIVE"));
}

#[tokio::test(start_paused = true)]
async fn deactivate_applied_then_answer_lost_is_settled_by_the_status_read() {
    let deactivate = "/api/v1/users/*/lifecycle/deactivate";
    let (org, users) = org_with(always(Fault::reset_after(), Method::POST, deactivate));
    let id = new_user(&users, "ada", true).await;

    let outcome = users.deactivate(&id).send_reconciled().await.unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(
        reconciliation.rule,
        Rule::Status(TargetStatus::Deprovisioned)
    );
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert_eq!(actions(&reconciliation), [Action::Read]);
    assert_eq!(org.user_status(&id), Some("DEPROVISIONED"));
}

#[tokio::test(start_paused = true)]
async fn deactivate_of_a_user_deactivated_before_the_call_is_not_applied() {
    let deactivate = "/api/v1/users/*/lifecycle/deactivate";
    let plan = firing(
        Fault::reset_after(),
        Method::POST,
        deactivate,
        &[true, false],
    )
    .await;
    let (org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;
    users.delete(&id).await.unwrap(); // the first DELETE deactivates
    tokio::time::advance(Duration::from_secs(60)).await;

    let error = users.deactivate(&id).await.unwrap_err();

    assert_eq!(error.effect(), Effect::NotApplied, "{error}");
    let reconciliation = error.reconciliation().unwrap();
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::UserStatus {
            status: UserStatus::Deprovisioned,
            changed_during_call: Some(false)
        })
    );
    assert_eq!(
        error.status(),
        Some(http::StatusCode::FORBIDDEN),
        "Okta's refusal"
    );
    assert_eq!(org.user_status(&id), Some("DEPROVISIONED"));
}

#[tokio::test(start_paused = true)]
async fn activate_with_the_token_in_the_answer_says_it_took_effect_and_the_token_is_lost() {
    let activate = "/api/v1/users/*/lifecycle/activate";
    let (org, users) = org_with(always(Fault::reset_after(), Method::POST, activate));
    let body = CreateUserRequest::new(profile("ada"));
    let id = users.create(body).activate(false).await.unwrap().id;
    let staged = users.create(CreateUserRequest::new(profile("grace")));
    let other = staged.activate(false).await.unwrap().id;

    let error = users.activate(&id).send_email(false).await.unwrap_err();
    let emailed = users.activate(&other).send_reconciled().await.unwrap();

    assert_eq!(error.effect(), Effect::Applied, "{error}");
    assert!(!error.is_outcome_unknown());
    let reconciliation = error.reconciliation().unwrap();
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert_eq!(reconciliation.lost, Some("activation token"));
    assert!(error.to_string().contains("activation token"), "{error}");
    assert_eq!(org.user_status(&id), Some("PROVISIONED"));
    // With the link emailed, Okta's answer is empty: nothing is lost.
    assert_eq!(emailed.reconciliation.unwrap().finding, Finding::Applied);
    assert_eq!(emailed.value.activation_token, None);
    assert_eq!(org.user_status(&other), Some("PROVISIONED"));
}

#[tokio::test(start_paused = true)]
async fn expire_password_applied_then_answer_lost_returns_the_user_read() {
    let expire = "/api/v1/users/*/lifecycle/expire_password";
    let (org, users) = org_with(always(Fault::reset_after(), Method::POST, expire));
    let id = new_user(&users, "ada", true).await;

    let outcome = users.expire_password(&id).send_reconciled().await.unwrap();

    assert_eq!(outcome.reconciliation.unwrap().finding, Finding::Applied);
    assert_eq!(outcome.value.id, id);
    assert_eq!(outcome.value.status, UserStatus::PasswordExpired);
    assert!(outcome.value.etag.is_some());
    assert_eq!(org.user_status(&id), Some("PASSWORD_EXPIRED"));
}

#[tokio::test(start_paused = true)]
async fn reset_password_with_the_link_emailed_is_settled_by_the_status_without_a_second_email() {
    let reset = "/api/v1/users/*/lifecycle/reset_password";
    let (org, users) = org_with(always(Fault::reset_after(), Method::POST, reset));
    let id = new_user(&users, "ada", true).await;

    let outcome = users.reset_password(&id).send_reconciled().await.unwrap();

    assert_eq!(outcome.reconciliation.unwrap().finding, Finding::Applied);
    assert_eq!(org.user_status(&id), Some("RECOVERY"));
    assert_eq!(org.user_activity(&id).unwrap().recovery_tokens, 1);
}

// ---- lifecycle: re-send rules ----

#[tokio::test(start_paused = true)]
async fn reset_password_and_forgot_password_with_the_link_in_the_answer_are_re_sent_for_a_new_link()
{
    let reset = "/api/v1/users/*/lifecycle/reset_password";
    let forgot = "/api/v1/users/*/credentials/forgot_password";
    let plan = firing(Fault::reset_after(), Method::POST, reset, &[true, false]).await;
    let (org, users) = org_with(plan);
    let login = "grace@example.com";
    let body = CreateUserRequest::new(UserProfile::new("Grace", "Hopper", login, login))
        .password("correct horse battery staple")
        .recovery_question("First computer?", "Harvard Mark I");
    let id = users.create(body).await.unwrap().id;
    let reset_id = new_user(&users, "ada", true).await;

    let outcome = users
        .reset_password(&reset_id)
        .send_email(false)
        .send_reconciled()
        .await
        .unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(
        reconciliation.rule,
        Rule::Resend,
        "narrowed from the endpoint's status rule"
    );
    assert_eq!(reconciliation.finding, Finding::Resent);
    assert!(outcome.value.reset_password_url.is_some(), "a new link");
    assert_eq!(org.user_activity(&reset_id).unwrap().recovery_tokens, 2);

    // forgot_password: with the link in the answer, re-sent; emailed, not reconciled.
    let plan = firing(
        Fault::reset_after(),
        Method::POST,
        forgot,
        &[true, false, true],
    )
    .await;
    drop(org);
    let (org, users) = org_with(plan);
    let body = CreateUserRequest::new(UserProfile::new("Grace", "Hopper", login, login))
        .password("correct horse battery staple")
        .recovery_question("First computer?", "Harvard Mark I");
    assert_eq!(users.create(body).await.unwrap().id, id, "seeded ids");
    let outcome = users
        .forgot_password(&id)
        .send_email(false)
        .send_reconciled()
        .await
        .unwrap();
    assert_eq!(outcome.reconciliation.unwrap().finding, Finding::Resent);
    assert!(outcome.value.reset_password_url.is_some());
    let emailed = users.forgot_password(&id).await.unwrap_err();
    assert!(
        emailed.is_outcome_unknown() && emailed.reconciliation().is_none(),
        "{emailed}"
    );
    assert_eq!(org.user_activity(&id).unwrap().recovery_tokens, 3);
}

#[tokio::test(start_paused = true)]
async fn expire_password_with_temp_password_is_re_sent_for_a_password_that_works() {
    let expire = "/api/v1/users/*/lifecycle/expire_password";
    let plan = firing(Fault::reset_after(), Method::POST, expire, &[true, false]).await;
    let (_org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;

    let outcome = users
        .expire_password_with_temp_password(&id)
        .send_reconciled()
        .await
        .unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.rule, Rule::Resend);
    assert_eq!(reconciliation.finding, Finding::Resent);
    let temp = outcome.value.temp_password.expect("a temporary password");
    // The password returned is the user's now: the one in the lost answer was replaced.
    let change = ChangePasswordRequest::new(temp, "a brand new passphrase");
    users.change_password(&id, change).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unlock_whose_re_send_is_refused_is_not_applied() {
    let unlock = "/api/v1/users/*/lifecycle/unlock";
    let plan = firing(Fault::status(502), Method::POST, unlock, &[true, false]).await;
    let (org, users) = org_with(plan);
    let staged = users.create(CreateUserRequest::new(profile("ada")));
    let id = staged.activate(false).await.unwrap().id;

    // STAGED: Okta refuses to unlock it, then and now.
    let error = users.unlock(&id).await.unwrap_err();

    assert_eq!(error.effect(), Effect::NotApplied, "{error}");
    assert_eq!(error.error_code(), Some("E0000032"));
    assert_eq!(org.user_status(&id), Some("STAGED"));
}

// ---- profile ----

const USER: &str = "/api/v1/users/*";

#[tokio::test(start_paused = true)]
async fn update_applied_then_answer_lost_is_re_sent() {
    let plan = firing(Fault::reset_after(), Method::POST, USER, &[true, false]).await;
    let (org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;
    let mut change = UserProfile::default();
    change.title = Some("Countess".into());

    let outcome = users
        .update(&id, UpdateUserRequest::profile(change))
        .send_reconciled()
        .await
        .unwrap();

    assert_eq!(outcome.reconciliation.unwrap().finding, Finding::Resent);
    assert_eq!(outcome.value.profile.title.as_deref(), Some("Countess"));
    assert_eq!(org.user(&id).unwrap()["profile"]["title"], "Countess");
}

#[tokio::test(start_paused = true)]
async fn update_with_if_match_applied_then_answer_lost_is_read_back() {
    let plan = firing(Fault::reset_after(), Method::POST, USER, &[true, false]).await;
    let (org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;
    let user = users.get(&id).await.unwrap();
    let etag = user.etag.clone().expect("an ETag");
    let mut change = UserProfile::default();
    change.title = Some("Countess".into());

    let outcome = users
        .update(&id, UpdateUserRequest::profile(change))
        .if_match(&etag)
        .send_reconciled()
        .await
        .unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert_eq!(actions(&reconciliation), [Action::Resend, Action::Read]);
    assert!(
        reconciliation.steps[0].result.contains("E0000231"),
        "the re-send's 412"
    );
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::Profile { holds: true })
    );
    assert_eq!(outcome.value.profile.title.as_deref(), Some("Countess"));
    assert_ne!(outcome.value.etag, Some(etag));
    assert_eq!(org.user(&id).unwrap()["profile"]["title"], "Countess");
}

#[tokio::test(start_paused = true)]
async fn update_with_if_match_after_a_concurrent_change_is_not_applied() {
    let plan = firing(Fault::status(502), Method::POST, USER, &[true, false]).await;
    let (org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;
    let user = users.get(&id).await.unwrap();
    let etag = user.etag.clone().unwrap();
    // Someone else replaces the profile (a PUT: not the faulted POST).
    let mut theirs = user.profile.clone();
    theirs.title = Some("Duchess".into());
    users
        .replace(&id, UpdateUserRequest::profile(theirs))
        .await
        .unwrap();
    let mut change = UserProfile::default();
    change.title = Some("Countess".into());

    let error = users
        .update(&id, UpdateUserRequest::profile(change))
        .if_match(&etag)
        .await
        .unwrap_err();

    assert!(error.is_precondition_failed(), "{error}");
    assert_eq!(error.effect(), Effect::NotApplied);
    let reconciliation = error.reconciliation().unwrap();
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::Profile { holds: false })
    );
    assert_eq!(org.user(&id).unwrap()["profile"]["title"], "Duchess");
}

#[tokio::test(start_paused = true)]
async fn replace_is_re_sent_once_the_stack_s_retries_are_spent() {
    let plan = firing(Fault::reset_after(), Method::PUT, USER, &[true, false]).await;
    let org = MockOrg::builder().seed(7).faults(plan).build().unwrap();
    let users = users_of(&org, 1); // no retry: the first loss reaches the façade
    let id = new_user(&users, "ada", true).await;
    let mut whole = profile("ada");
    whole.title = Some("Countess".into());

    let outcome = users
        .replace(&id, UpdateUserRequest::profile(whole))
        .send_reconciled()
        .await
        .unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.rule, Rule::Profile);
    assert_eq!(reconciliation.finding, Finding::Resent);
    assert_eq!(org.user(&id).unwrap()["profile"]["title"], "Countess");
}

#[tokio::test(start_paused = true)]
async fn update_setting_a_password_is_not_reconciled() {
    let (_org, users) = org_with(always(Fault::reset_after(), Method::POST, USER));
    let id = new_user(&users, "ada", true).await;

    let error = users
        .update(&id, UpdateUserRequest::new().password("another passphrase"))
        .await
        .unwrap_err();

    assert!(error.is_outcome_unknown());
    assert!(error.reconciliation().is_none(), "{error}");
}

// ---- roles ----

const ROLES: &str = "/api/v1/users/*/roles";

#[tokio::test(start_paused = true)]
async fn assign_role_applied_then_answer_lost_is_found_among_the_user_s_roles() {
    let plan = firing(Fault::reset_after(), Method::POST, ROLES, &[true, false]).await;
    let (org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;

    let outcome = users
        .assign_role(&id, RoleType::HelpDeskAdmin)
        .send_reconciled()
        .await
        .unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert!(
        reconciliation.steps[0].result.contains("E0000090"),
        "409 already assigned"
    );
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::RoleAssignment {
            role_id: outcome.value.id.clone(),
            this_call: true
        })
    );
    let roles = users.list_roles(&id).collect_all().await.unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].id, outcome.value.id);
    drop(org);
}

#[tokio::test(start_paused = true)]
async fn assign_role_assigned_before_the_call_is_not_applied() {
    // The setup's assignment, then this call's (lost after Okta refused it), then its re-send.
    let plan = firing(
        Fault::reset_after(),
        Method::POST,
        ROLES,
        &[false, true, false],
    )
    .await;
    let (_org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;
    let before = users
        .assign_role(&id, RoleType::HelpDeskAdmin)
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(60)).await;

    let error = users
        .assign_role(&id, RoleType::HelpDeskAdmin)
        .await
        .unwrap_err();

    assert_eq!(error.effect(), Effect::NotApplied, "{error}");
    assert_eq!(error.error_code(), Some("E0000090"));
    assert_eq!(
        error.reconciliation().unwrap().evidence,
        Some(Evidence::RoleAssignment {
            role_id: before.id,
            this_call: false
        })
    );
}

#[tokio::test(start_paused = true)]
async fn unassign_role_whose_re_send_finds_it_gone_took_effect() {
    let plan = firing(
        Fault::reset_after(),
        Method::DELETE,
        "/api/v1/users/*/roles/*",
        &[true, false],
    )
    .await;
    let org = MockOrg::builder().seed(7).faults(plan).build().unwrap();
    let users = users_of(&org, 1); // no retry: the first loss reaches the façade
    let id = new_user(&users, "ada", true).await;
    let role = users
        .assign_role(&id, RoleType::HelpDeskAdmin)
        .await
        .unwrap();

    let outcome = users
        .unassign_role(&id, &role.id)
        .send_reconciled()
        .await
        .unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert_eq!(reconciliation.evidence, Some(Evidence::NotFound));
    assert!(
        users
            .list_roles(&id)
            .collect_all()
            .await
            .unwrap()
            .is_empty()
    );
}

// ---- deleteUser ----

#[tokio::test(start_paused = true)]
async fn delete_applied_then_answer_lost_reports_the_deactivation() {
    let (org, users) = org_with(always(Fault::reset_after(), Method::DELETE, USER));
    let id = new_user(&users, "ada", true).await;

    let outcome = users.delete(&id).send_reconciled().await.unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert_eq!(
        reconciliation.evidence,
        Some(Evidence::UserStatus {
            status: UserStatus::Deprovisioned,
            changed_during_call: Some(true)
        }),
        "the first stage"
    );
    assert_eq!(org.user_status(&id), Some("DEPROVISIONED"));
    assert_eq!(
        requests(&org, Method::DELETE, &format!("/api/v1/users/{id}")),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn delete_of_a_deactivated_user_applied_then_answer_lost_reports_the_deletion() {
    let (org, users) = org_with(always(Fault::reset_after(), Method::DELETE, USER));
    let id = new_user(&users, "ada", true).await;
    users.deactivate(&id).await.unwrap();

    let outcome = users.delete(&id).send_reconciled().await.unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Applied);
    assert_eq!(reconciliation.evidence, Some(Evidence::NotFound), "deleted");
    assert_eq!(org.user_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn delete_that_did_not_land_on_an_active_user_is_undecided_and_not_re_sent() {
    let (org, users) = org_with(always(Fault::status(502), Method::DELETE, USER));
    let id = new_user(&users, "ada", true).await;

    let error = users.delete(&id).await.unwrap_err();

    assert!(error.is_outcome_unknown(), "{error}");
    let reconciliation = error.reconciliation().unwrap();
    assert_eq!(reconciliation.finding, Finding::Undecided);
    assert_eq!(actions(reconciliation), [Action::Read]);
    assert_eq!(org.user_status(&id), Some("ACTIVE"));
    assert_eq!(
        requests(&org, Method::DELETE, &format!("/api/v1/users/{id}")),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn delete_that_did_not_land_on_a_user_deactivated_before_is_re_sent_and_deletes() {
    let plan = firing(Fault::status(502), Method::DELETE, USER, &[true, false]).await;
    let (org, users) = org_with(plan);
    let id = new_user(&users, "ada", true).await;
    users.deactivate(&id).await.unwrap();
    tokio::time::advance(Duration::from_secs(60)).await;

    let outcome = users.delete(&id).send_reconciled().await.unwrap();

    let reconciliation = outcome.reconciliation.unwrap();
    assert_eq!(reconciliation.finding, Finding::Resent);
    assert_eq!(actions(&reconciliation), [Action::Read, Action::Resend]);
    assert_eq!(org.user_count(), 0);
}

// ---- reads, and tracing ----

#[tokio::test(start_paused = true)]
async fn a_read_is_not_reconciled() {
    let (_org, users) = org_with(always(Fault::reset_after(), Method::GET, USER));

    let error = users.get("ada@example.com").await.unwrap_err();

    assert!(error.is_outcome_unknown());
    assert!(error.reconciliation().is_none());
}
