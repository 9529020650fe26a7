//! Lifecycle operations: the exact request each sends and the decoding of its response.

mod support;

use http::Method;
use okta_users::Error;
use okta_users::models::UserStatus;
use support::{Canned, assert_no_body, assert_operation, fixture, only, recorder};

const ACTIVATION: &str = r#"{
  "activationUrl": "https://acme.okta.com/welcome/XE6wE17zmphl3KqAPFxO",
  "activationToken": "XE6wE17zmphl3KqAPFxO"
}"#;

#[tokio::test]
async fn activate_without_email_sends_false_and_returns_the_token() {
    let (users, log) = recorder(vec![Canned::json(200, ACTIVATION)]);
    let token = users
        .activate("00ub0oNGTSWTBKOLGLNR")
        .send_email(false)
        .await
        .unwrap();
    assert_eq!(
        token.activation_token.as_deref(),
        Some("XE6wE17zmphl3KqAPFxO")
    );
    assert_eq!(
        token.activation_url.as_deref(),
        Some("https://acme.okta.com/welcome/XE6wE17zmphl3KqAPFxO")
    );

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00ub0oNGTSWTBKOLGLNR/lifecycle/activate?sendEmail=false"
    );
    assert_operation(&sent, "okta.users.activate", "activateUser");
    assert_no_body(&sent);
}

#[tokio::test]
async fn activate_with_email_tolerates_an_empty_object() {
    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    let token = users
        .activate("00u1")
        .send_email(true)
        .send()
        .await
        .unwrap();
    assert_eq!(token.activation_token, None);
    assert_eq!(token.activation_url, None);
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/lifecycle/activate?sendEmail=true"
    );
}

#[tokio::test]
async fn activate_without_parameters_sends_no_query() {
    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    users.activate("00u1").await.unwrap();
    assert_eq!(only(&log).uri, "/api/v1/users/00u1/lifecycle/activate");
}

#[tokio::test]
async fn reactivate() {
    let (users, log) = recorder(vec![Canned::json(200, ACTIVATION)]);
    let token = users.reactivate("00u1").send_email(false).await.unwrap();
    assert_eq!(
        token.activation_token.as_deref(),
        Some("XE6wE17zmphl3KqAPFxO")
    );

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00u1/lifecycle/reactivate?sendEmail=false"
    );
    assert_operation(&sent, "okta.users.reactivate", "reactivateUser");
    assert_no_body(&sent);
}

#[tokio::test]
async fn deactivate_sends_send_email_and_accepts_an_empty_200() {
    let (users, log) = recorder(vec![Canned::empty(200)]);
    users.deactivate("00u1").send_email(false).await.unwrap();

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00u1/lifecycle/deactivate?sendEmail=false"
    );
    assert_operation(&sent, "okta.users.deactivate", "deactivateUser");
    assert_no_body(&sent);

    let (users, log) = recorder(vec![Canned::empty(200)]);
    users.deactivate("00u1").send_email(true).await.unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/lifecycle/deactivate?sendEmail=true"
    );
}

#[tokio::test]
async fn expire_password_uses_the_seed_form_and_returns_the_user() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_expire_password.json"))]);
    let user = users.expire_password("00ub0oNGTSWTBKOLGLNR").await.unwrap();
    assert_eq!(user.id, "00ub0oNGTSWTBKOLGLNR");
    assert_eq!(user.status, UserStatus::PasswordExpired);
    assert_eq!(
        user.profile.login.as_deref(),
        Some("isaac.brock@example.com")
    );
    assert_eq!(user.profile.mobile_phone.as_deref(), Some("555-415-1337"));
    assert!(user.links.contains("changePassword"));

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00ub0oNGTSWTBKOLGLNR/lifecycle/expire_password?tempPassword=false"
    );
    assert_operation(&sent, "okta.users.expire_password", "expirePassword");
    assert_no_body(&sent);
}

#[tokio::test]
async fn expire_password_decodes_into_a_custom_profile() {
    #[derive(serde::Deserialize, serde::Serialize)]
    struct Mine {
        #[serde(rename = "mobilePhone")]
        mobile: String,
    }
    let (users, _log) = recorder(vec![Canned::json(200, fixture("ops_expire_password.json"))]);
    let user = users
        .expire_password("00u1")
        .with_profile::<Mine>()
        .await
        .unwrap();
    assert_eq!(user.profile.mobile, "555-415-1337");
}

#[tokio::test]
async fn expire_password_with_temp_password_uses_the_seed_form() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_expire_password_temp.json"),
    )]);
    let temp = users
        .expire_password_with_temp_password("00u1")
        .await
        .unwrap();
    assert_eq!(temp.temp_password.as_deref(), Some("F46gy7X4"));

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00u1/lifecycle/expire_password?tempPassword=true"
    );
    assert_operation(
        &sent,
        "okta.users.expire_password_with_temp_password",
        "expirePasswordWithTempPassword",
    );
    assert_no_body(&sent);

    for (revoke, query) in [
        (true, "tempPassword=true&revokeSessions=true"),
        (false, "tempPassword=true&revokeSessions=false"),
    ] {
        let (users, log) = recorder(vec![Canned::json(
            200,
            fixture("ops_expire_password_temp.json"),
        )]);
        users
            .expire_password_with_temp_password("00u1")
            .revoke_sessions(revoke)
            .await
            .unwrap();
        assert_eq!(
            only(&log).uri,
            format!("/api/v1/users/00u1/lifecycle/expire_password?{query}")
        );
    }
}

#[tokio::test]
async fn reset_password_without_email_returns_the_link() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_reset_password.json"))]);
    let token = users
        .reset_password("00u1")
        .send_email(false)
        .revoke_sessions(true)
        .await
        .unwrap();
    assert_eq!(
        token.reset_password_url.as_deref(),
        Some("https://{yourOktaDomain}/reset_password/XE6wE17zmphl3KqAPFxO")
    );

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00u1/lifecycle/reset_password?sendEmail=false&revokeSessions=true"
    );
    assert_operation(&sent, "okta.users.reset_password", "resetPassword");
    assert_no_body(&sent);
}

#[tokio::test]
async fn reset_password_always_sends_the_required_send_email_and_tolerates_an_empty_object() {
    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    let token = users.reset_password("00u1").await.unwrap();
    assert_eq!(token.reset_password_url, None);
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/lifecycle/reset_password?sendEmail=true"
    );

    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    users
        .reset_password("00u1")
        .send_email(true)
        .revoke_sessions(false)
        .await
        .unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/lifecycle/reset_password?sendEmail=true&revokeSessions=false"
    );
}

macro_rules! parameterless {
    ($test:ident, $method:ident, $path:literal, $name:literal, $operation_id:literal) => {
        #[tokio::test]
        async fn $test() {
            let (users, log) = recorder(vec![Canned::empty(200)]);
            users.$method("00u1").await.unwrap();
            let sent = only(&log);
            assert_eq!(sent.method, Method::POST);
            assert_eq!(sent.uri, $path);
            assert_operation(&sent, $name, $operation_id);
            assert_no_body(&sent);

            // an id that would climb out of its segment stays one encoded segment
            let (users, log) = recorder(vec![Canned::empty(200)]);
            users.$method("../groups").send().await.unwrap();
            assert_eq!(only(&log).uri, $path.replace("00u1", "..%2Fgroups"));

            // an empty id is refused before anything is sent
            let (users, log) = recorder(vec![Canned::empty(200)]);
            let error = users.$method("").await.unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput { what: "userId", .. }),
                "{error:?}"
            );
            assert!(log.lock().unwrap().is_empty());
        }
    };
}

parameterless!(
    reset_factors,
    reset_factors,
    "/api/v1/users/00u1/lifecycle/reset_factors",
    "okta.users.reset_factors",
    "resetFactors"
);
parameterless!(
    suspend,
    suspend,
    "/api/v1/users/00u1/lifecycle/suspend",
    "okta.users.suspend",
    "suspendUser"
);
parameterless!(
    unsuspend,
    unsuspend,
    "/api/v1/users/00u1/lifecycle/unsuspend",
    "okta.users.unsuspend",
    "unsuspendUser"
);
parameterless!(
    unlock,
    unlock,
    "/api/v1/users/00u1/lifecycle/unlock",
    "okta.users.unlock",
    "unlockUser"
);

#[tokio::test]
async fn suspending_a_staged_user_is_okta_s_error_kept_whole() {
    let body = r#"{
      "errorCode": "E0000038",
      "errorSummary": "This operation is not allowed in the user's current status.",
      "errorLink": "E0000038",
      "errorId": "oaeW1bq4kcfQ6qVZ3cc5Zz7nA",
      "errorCauses": [{"errorSummary": "Cannot suspend a user in STAGED status"}]
    }"#;
    let (users, log) = recorder(vec![
        Canned::json(403, body).header("x-okta-request-id", "XkWgGpEy5Z8xHvyc0x8yKAAAAcw"),
    ]);
    let error = users.suspend("00u1").await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, http::StatusCode::FORBIDDEN);
    assert_eq!(api.error_code, "E0000038");
    assert_eq!(
        api.error_summary,
        "This operation is not allowed in the user's current status."
    );
    assert_eq!(api.error_link.as_deref(), Some("E0000038"));
    assert_eq!(api.error_id.as_deref(), Some("oaeW1bq4kcfQ6qVZ3cc5Zz7nA"));
    assert_eq!(api.error_causes.len(), 1);
    assert_eq!(
        api.error_causes[0].error_summary,
        "Cannot suspend a user in STAGED status"
    );
    assert_eq!(
        api.request_id.as_deref(),
        Some("XkWgGpEy5Z8xHvyc0x8yKAAAAcw")
    );
    assert_eq!(error.error_code(), Some("E0000038"));
    assert_eq!(only(&log).uri, "/api/v1/users/00u1/lifecycle/suspend");
}

#[tokio::test]
async fn every_lifecycle_operation_refuses_an_empty_id_without_sending() {
    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    let errors = [
        users.activate("").await.map(drop).unwrap_err(),
        users.reactivate("").await.map(drop).unwrap_err(),
        users.deactivate("").await.unwrap_err(),
        users.expire_password("").await.map(drop).unwrap_err(),
        users
            .expire_password_with_temp_password("")
            .await
            .map(drop)
            .unwrap_err(),
        users.reset_password("").await.map(drop).unwrap_err(),
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
async fn ids_are_percent_encoded_as_one_segment() {
    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    users.activate("../groups").send_email(false).await.unwrap();
    users
        .reset_password("ada+test@example.com")
        .send_email(false)
        .await
        .unwrap();
    let log = log.lock().unwrap();
    assert_eq!(
        log[0].uri,
        "/api/v1/users/..%2Fgroups/lifecycle/activate?sendEmail=false"
    );
    assert_eq!(
        log[1].uri,
        "/api/v1/users/ada%2Btest@example.com/lifecycle/reset_password?sendEmail=false"
    );
}
