//! Users CRUD, lifecycle and errors over real loopback HTTP.

mod support;

use http::Method;
use okta_mock::MockOrg;
use support::Api;

async fn org() -> MockOrg {
    MockOrg::builder().seed(1).users(20).start().await.unwrap()
}

#[tokio::test]
async fn create_sets_status_by_activation_and_password() {
    let org = org().await;
    let api = Api::new(&org);
    let staged = api
        .create("staged@example.com", Some("Secr3t!pass"), false)
        .await;
    assert_eq!(staged["status"], "STAGED");
    assert!(staged["id"].as_str().unwrap().starts_with("00u"));
    assert_eq!(staged["id"].as_str().unwrap().len(), 20);
    assert_eq!(
        staged["profile"]["costCenter"], "CC-1",
        "custom attributes kept"
    );
    let active = api
        .create("active@example.com", Some("Secr3t!pass"), true)
        .await;
    assert_eq!(active["status"], "ACTIVE");
    assert!(
        active["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .starts_with(org.base_url())
    );
    let prov = api.create("prov@example.com", None, true).await;
    assert_eq!(prov["status"], "PROVISIONED");
    assert_eq!(org.user_status("prov@example.com"), Some("PROVISIONED"));
}

#[tokio::test]
async fn errors_have_okta_codes() {
    let org = org().await;
    let api = Api::new(&org);
    api.create("dup@example.com", None, false).await;
    let body = r#"{"profile":{"firstName":"A","lastName":"B","email":"dup@example.com","login":"DUP@example.com"}}"#;
    let r = api.post("/api/v1/users", body).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "E0000001");
    assert_eq!(
        r.json()["errorCauses"][0]["errorSummary"],
        "login: An object with this field already exists in the current organization"
    );
    assert_eq!(org.users_with_login("dup@example.com"), 1);
    let r = api.get("/api/v1/users/00unosuchuser0000000").await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (404, "E0000007".into())
    );
    let r = api.post("/api/v1/users", "{not json").await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (400, "E0000003".into())
    );
    let r = api.send(Method::GET, "/api/v1/users", None, None).await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (401, "E0000011".into())
    );
    let r = api
        .send(Method::GET, "/api/v1/users", None, Some("SSWS wrong"))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (401, "E0000011".into())
    );
    let e = r.json();
    for k in [
        "errorCode",
        "errorSummary",
        "errorLink",
        "errorId",
        "errorCauses",
    ] {
        assert!(e.get(k).is_some(), "{k}");
    }
    let first = e["errorId"].clone();
    let again = api
        .send(Method::GET, "/api/v1/users", None, None)
        .await
        .json();
    assert_ne!(first, again["errorId"], "fresh errorId each time");
    assert!(!r.header("x-okta-request-id").is_empty());
}

#[tokio::test]
async fn users_by_id_or_login_and_updates() {
    let org = org().await;
    let api = Api::new(&org);
    let u = api
        .create("ada@example.com", Some("Secr3t!pass"), true)
        .await;
    let id = u["id"].as_str().unwrap();
    let by_login = api.get("/api/v1/users/ada%40example.com").await.json();
    assert_eq!(by_login["id"], id);
    // POST merges.
    let r = api
        .post(
            &format!("/api/v1/users/{id}"),
            r#"{"profile":{"nickName":"Countess"}}"#,
        )
        .await
        .json();
    assert_eq!(r["profile"]["nickName"], "Countess");
    assert_eq!(r["profile"]["costCenter"], "CC-1");
    // PUT replaces: unspecified attributes disappear.
    let put = r#"{"profile":{"firstName":"Ada","lastName":"L","email":"ada@example.com","login":"ada@example.com"}}"#;
    let r = api
        .call(Method::PUT, &format!("/api/v1/users/{id}"), Some(put))
        .await
        .json();
    assert!(r["profile"].get("costCenter").is_none());
    let r = api
        .call(
            Method::PUT,
            &format!("/api/v1/users/{id}"),
            Some(r#"{"profile":{"firstName":"x"}}"#),
        )
        .await;
    assert_eq!(r.error_code(), "E0000001");
}

#[tokio::test]
async fn delete_deactivates_then_deletes() {
    let org = org().await;
    let api = Api::new(&org);
    let id = api.create("gone@example.com", None, true).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/users/{id}");
    assert_eq!(api.call(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(org.user_status(&id), Some("DEPROVISIONED"));
    assert_eq!(api.call(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(org.user_status(&id), None);
    assert_eq!(api.get(&path).await.status, 404);
    assert_eq!(api.call(Method::DELETE, &path, None).await.status, 404);
}

async fn lifecycle(api: &Api, id: &str, op: &str) -> support::Resp {
    api.post(&format!("/api/v1/users/{id}/lifecycle/{op}"), "")
        .await
}

#[tokio::test]
async fn lifecycle_transitions_allowed_and_refused() {
    let org = org().await;
    let api = Api::new(&org);
    let id = api
        .create("life@example.com", Some("Secr3t!pass"), false)
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = |org: &MockOrg| org.user_status(&id).unwrap();
    // STAGED: suspend refused (400 E0000001), unlock refused (E0000032).
    assert_eq!(
        lifecycle(&api, &id, "suspend").await.error_code(),
        "E0000001"
    );
    assert_eq!(
        lifecycle(&api, &id, "unlock").await.error_code(),
        "E0000032"
    );
    assert_eq!(
        lifecycle(&api, &id, "reactivate").await.error_code(),
        "E0000038"
    );
    // Activate with a password → ACTIVE, token when sendEmail=false.
    let r = api
        .post(
            &format!("/api/v1/users/{id}/lifecycle/activate?sendEmail=false"),
            "",
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.json()["activationToken"].is_string());
    assert_eq!(status(&org), "ACTIVE");
    let r = lifecycle(&api, &id, "activate").await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (403, "E0000016".into())
    );
    assert_eq!(
        r.json()["errorSummary"],
        "Activation failed because the user is already active"
    );
    // Suspend / unsuspend.
    assert_eq!(lifecycle(&api, &id, "suspend").await.status, 200);
    assert_eq!(status(&org), "SUSPENDED");
    assert_eq!(
        lifecycle(&api, &id, "suspend").await.error_code(),
        "E0000001"
    );
    assert_eq!(lifecycle(&api, &id, "unsuspend").await.status, 200);
    assert_eq!(status(&org), "ACTIVE");
    assert_eq!(
        lifecycle(&api, &id, "unsuspend").await.error_code(),
        "E0000001"
    );
    // Unlock on ACTIVE is allowed and keeps ACTIVE.
    assert_eq!(lifecycle(&api, &id, "unlock").await.status, 200);
    // Expire password → PASSWORD_EXPIRED, returns the user.
    let r = lifecycle(&api, &id, "expire_password").await;
    assert_eq!(r.json()["status"], "PASSWORD_EXPIRED");
    // Temp password form from the seed, and the spec's path.
    let r = api
        .post(
            &format!("/api/v1/users/{id}/lifecycle/expire_password?tempPassword=true"),
            "",
        )
        .await;
    let temp = r.json()["tempPassword"].as_str().unwrap().to_owned();
    let r = lifecycle(&api, &id, "expire_password_with_temp_password").await;
    let temp2 = r.json()["tempPassword"].as_str().unwrap().to_owned();
    assert_ne!(temp, temp2);
    // Change password with the wrong old one → E0000014; right one → ACTIVE.
    let cp = format!("/api/v1/users/{id}/credentials/change_password");
    let r = api
        .post(
            &cp,
            r#"{"oldPassword":{"value":"wrong"},"newPassword":{"value":"N3w!password"}}"#,
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (403, "E0000014".into())
    );
    let body = format!(
        r#"{{"oldPassword":{{"value":"{temp2}"}},"newPassword":{{"value":"N3w!password"}}}}"#
    );
    let r = api.post(&cp, &body).await;
    assert_eq!(r.status, 200);
    assert!(r.json()["password"].is_object());
    assert_eq!(status(&org), "ACTIVE");
    // Reset password → RECOVERY with a URL; reactivate allowed from RECOVERY.
    let r = api
        .post(
            &format!("/api/v1/users/{id}/lifecycle/reset_password?sendEmail=false"),
            "",
        )
        .await;
    assert!(
        r.json()["resetPasswordUrl"]
            .as_str()
            .unwrap()
            .starts_with(org.base_url())
    );
    assert_eq!(status(&org), "RECOVERY");
    assert_eq!(
        lifecycle(&api, &id, "suspend").await.error_code(),
        "E0000001"
    );
    // Deactivate from anywhere but DEPROVISIONED; then activate again.
    assert_eq!(lifecycle(&api, &id, "deactivate").await.status, 200);
    assert_eq!(status(&org), "DEPROVISIONED");
    assert_eq!(
        lifecycle(&api, &id, "deactivate").await.error_code(),
        "E0000038"
    );
    assert_eq!(
        lifecycle(&api, &id, "reset_password").await.error_code(),
        "E0000038"
    );
    assert_eq!(lifecycle(&api, &id, "activate").await.status, 200);
    assert_eq!(status(&org), "ACTIVE");
}

#[tokio::test]
async fn provisioned_user_reactivates_and_cannot_expire() {
    let org = org().await;
    let api = Api::new(&org);
    let id = api.create("prov2@example.com", None, true).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        lifecycle(&api, &id, "expire_password").await.error_code(),
        "E0000038"
    );
    let r = api
        .post(
            &format!("/api/v1/users/{id}/lifecycle/reactivate?sendEmail=false"),
            "",
        )
        .await;
    assert!(
        r.json()["activationUrl"]
            .as_str()
            .unwrap()
            .starts_with(org.base_url())
    );
    assert_eq!(org.user_status(&id), Some("PROVISIONED"));
    assert_eq!(
        lifecycle(&api, &id, "activate").await.error_code(),
        "E0000016"
    );
}
