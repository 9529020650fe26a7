//! Credential and session operations: the exact request each sends and the decoding of its
//! response.

mod support;

use http::Method;
use okta_users::Error;
use okta_users::models::{AuthenticationProviderType, ChangePasswordRequest, UserCredentials};
use serde_json::json;
use support::{Canned, assert_operation, fixture, fixture_json, only, recorder};

#[tokio::test]
async fn change_password_sends_the_spec_example_and_decodes_the_credentials() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_change_password_response.json"),
    )]);
    let body = ChangePasswordRequest::new("tlpWENT2m", "uTVM,TPw55").revoke_sessions(true);
    let credentials = users
        .change_password("00ub0oNGTSWTBKOLGLNR", body)
        .strict(true)
        .await
        .unwrap();
    let question = credentials
        .recovery_question
        .as_ref()
        .and_then(|q| q.question.as_deref());
    assert_eq!(question, Some("Who's a major player in the cowboy scene?"));
    let provider = credentials.provider.as_ref().unwrap();
    assert_eq!(provider.r#type, Some(AuthenticationProviderType::Okta));
    assert_eq!(provider.name.as_deref(), Some("OKTA"));
    assert!(credentials.password.is_some());

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00ub0oNGTSWTBKOLGLNR/credentials/change_password?strict=true"
    );
    assert_operation(&sent, "okta.users.change_password", "changePassword");
    assert_eq!(sent.headers["content-type"], "application/json");
    assert_eq!(
        sent.json(),
        fixture_json("ops_change_password_request.json")
    );
}

#[tokio::test]
async fn change_password_strict_false_is_sent_as_false() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_change_password_response.json"),
    )]);
    users
        .change_password("00u1", ChangePasswordRequest::new("a", "b"))
        .strict(false)
        .await
        .unwrap();
    let sent = only(&log);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00u1/credentials/change_password?strict=false"
    );
    assert_eq!(
        sent.json(),
        json!({"oldPassword": {"value": "a"}, "newPassword": {"value": "b"}})
    );
}

#[tokio::test]
async fn change_recovery_question_sends_the_spec_example() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_change_recovery_question_response.json"),
    )]);
    let body = UserCredentials::new()
        .password("tlpWENT2m")
        .recovery_question("How many roads must a man walk down?", "forty two");
    let credentials = users
        .change_recovery_question("00ub0oNGTSWTBKOLGLNR", body)
        .await
        .unwrap();
    let question = credentials
        .recovery_question
        .as_ref()
        .and_then(|q| q.question.as_deref());
    assert_eq!(question, Some("How many roads must a man walk down?"));
    assert_eq!(credentials.recovery_question.as_ref().unwrap().answer, None);

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00ub0oNGTSWTBKOLGLNR/credentials/change_recovery_question"
    );
    assert_operation(
        &sent,
        "okta.users.change_recovery_question",
        "changeRecoveryQuestion",
    );
    assert_eq!(
        sent.json(),
        fixture_json("ops_change_recovery_question_request.json")
    );
}

#[tokio::test]
async fn forgot_password_without_email_returns_the_link() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_forgot_password.json"))]);
    let reset = users
        .forgot_password("00u1")
        .send_email(false)
        .await
        .unwrap();
    assert_eq!(
        reset.reset_password_url.as_deref(),
        Some("https://{yourOktaDomain}/signin/reset-password/XE6wE17zmphl3KqAPFxO")
    );

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00u1/credentials/forgot_password?sendEmail=false"
    );
    assert_operation(&sent, "okta.users.forgot_password", "forgotPassword");
    assert!(sent.body.is_empty());
}

#[tokio::test]
async fn forgot_password_with_email_tolerates_an_empty_object() {
    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    let reset = users
        .forgot_password("00u1")
        .send_email(true)
        .await
        .unwrap();
    assert_eq!(reset.reset_password_url, None);
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/credentials/forgot_password?sendEmail=true"
    );

    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    users.forgot_password("00u1").await.unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/credentials/forgot_password"
    );
}

#[tokio::test]
async fn secrets_of_credential_responses_are_not_in_debug_output() {
    let (users, _log) = recorder(vec![Canned::json(200, fixture("ops_forgot_password.json"))]);
    let reset = users
        .forgot_password("00u1")
        .send_email(false)
        .await
        .unwrap();
    assert!(!format!("{reset:?}").contains("XE6wE17zmphl3KqAPFxO"));
}

#[tokio::test]
async fn revoke_sessions_sends_both_flags() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .revoke_sessions("00u1")
        .oauth_tokens(true)
        .forget_devices(false)
        .await
        .unwrap();

    let sent = only(&log);
    assert_eq!(sent.method, Method::DELETE);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00u1/sessions?oauthTokens=true&forgetDevices=false"
    );
    assert_operation(&sent, "okta.users.revoke_sessions", "revokeUserSessions");
    assert!(sent.body.is_empty());

    let (users, log) = recorder(vec![Canned::empty(204)]);
    users.revoke_sessions("00u1").send().await.unwrap();
    assert_eq!(only(&log).uri, "/api/v1/users/00u1/sessions");

    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .revoke_sessions("00u1")
        .oauth_tokens(false)
        .await
        .unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/sessions?oauthTokens=false"
    );
}

#[tokio::test]
async fn ids_stay_one_segment_and_empty_ids_are_refused() {
    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    users
        .forgot_password("../groups")
        .send_email(false)
        .await
        .unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/..%2Fgroups/credentials/forgot_password?sendEmail=false"
    );

    let (users, log) = recorder(vec![Canned::empty(204)]);
    users.revoke_sessions("../groups").await.unwrap();
    assert_eq!(only(&log).uri, "/api/v1/users/..%2Fgroups/sessions");

    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    let errors = [
        users
            .change_password("", ChangePasswordRequest::new("a", "b"))
            .await
            .map(drop)
            .unwrap_err(),
        users
            .change_recovery_question("", UserCredentials::new())
            .await
            .map(drop)
            .unwrap_err(),
        users.forgot_password("").await.map(drop).unwrap_err(),
        users.revoke_sessions("").await.unwrap_err(),
    ];
    for error in errors {
        assert!(
            matches!(error, Error::InvalidInput { what: "userId", .. }),
            "{error:?}"
        );
    }
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_wrong_old_password_is_okta_s_error() {
    let body = r#"{"errorCode":"E0000014","errorSummary":"Update of credentials failed","errorLink":"E0000014","errorId":"oaeX1","errorCauses":[{"errorSummary":"oldPassword: The credentials provided were incorrect."}]}"#;
    let (users, _log) = recorder(vec![
        Canned::json(403, body).header("x-okta-request-id", "req-cp"),
    ]);
    let error = users
        .change_password("00u1", ChangePasswordRequest::new("a", "b"))
        .await
        .unwrap_err();
    let api = error.api().expect("an Okta error");
    assert_eq!(api.status, http::StatusCode::FORBIDDEN);
    assert_eq!(api.error_code, "E0000014");
    assert_eq!(
        api.error_causes[0].error_summary,
        "oldPassword: The credentials provided were incorrect."
    );
    assert_eq!(api.request_id.as_deref(), Some("req-cp"));
}
