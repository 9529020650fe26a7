//! One call of each of the 49 operations, checking the status code, then validating every body
//! against Okta's spec with python3's `jsonschema` (installed under the target directory if absent).

mod support;

use http::Method;
use okta_mock::MockOrg;
use serde_json::{Value, json};
use std::path::Path;
use support::{Api, Resp, spec_path};

struct Recorder {
    api: Api,
    records: Vec<Value>,
}

impl Recorder {
    async fn call(
        &mut self,
        op: &str,
        method: Method,
        path: &str,
        body: Option<&str>,
        want: u16,
    ) -> Resp {
        let r = self.api.call(method, path, body).await;
        assert_eq!(r.status.as_u16(), want, "{op} {path}: {:?}", r.body);
        let text = String::from_utf8(r.body.to_vec()).unwrap();
        self.records
            .push(json!({ "op": op, "status": want, "body": text }));
        r
    }
}

#[tokio::test]
async fn all_49_operations_answer_like_the_spec() {
    let org = MockOrg::builder()
        .seed(11)
        .users(120)
        .start()
        .await
        .unwrap();
    let mut rec = Recorder {
        api: Api::new(&org),
        records: Vec::new(),
    };
    use Method as M;
    rec.call("listUsers", M::GET, "/api/v1/users?limit=3", None, 200)
        .await;
    let body = r#"{"profile":{"firstName":"Op","lastName":"Er","email":"op@example.com","login":"op@example.com","employeeNumber":"9"},"credentials":{"password":{"value":"Pa55word!x"},"recovery_question":{"question":"Q?","answer":"answer"}}}"#;
    let u = rec
        .call("createUser", M::POST, "/api/v1/users", Some(body), 200)
        .await
        .json();
    let id = u["id"].as_str().unwrap().to_owned();
    let other = rec.api.create("other@example.com", None, true).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = format!("/api/v1/users/{id}");
    rec.call(
        "assignLinkedObjectValueForPrimary",
        M::PUT,
        &format!("{p}/linkedObjects/manager/{other}"),
        None,
        204,
    )
    .await;
    rec.call("getUser", M::GET, &p, None, 200).await;
    let full = r#"{"profile":{"firstName":"Op","lastName":"Er","email":"op@example.com","login":"op@example.com"}}"#;
    rec.call("replaceUser", M::PUT, &p, Some(full), 200).await;
    rec.call(
        "updateUser",
        M::POST,
        &p,
        Some(r#"{"profile":{"title":"Boss"}}"#),
        200,
    )
    .await;
    rec.call("listAppLinks", M::GET, &format!("{p}/appLinks"), None, 200)
        .await;
    // A seeded user with grants and tokens (every third user has them).
    let seeded = org.user_ids()[0].clone();
    let s = format!("/api/v1/users/{seeded}");
    let clients = rec
        .call(
            "listUserClients",
            M::GET,
            &format!("{s}/clients"),
            None,
            200,
        )
        .await
        .json();
    let client = clients[0]["client_id"].as_str().unwrap().to_owned();
    let c = format!("{s}/clients/{client}");
    rec.call(
        "listGrantsForUserAndClient",
        M::GET,
        &format!("{c}/grants"),
        None,
        200,
    )
    .await;
    let tokens = rec
        .call(
            "listRefreshTokensForUserAndClient",
            M::GET,
            &format!("{c}/tokens?expand=scope"),
            None,
            200,
        )
        .await
        .json();
    let token = tokens[0]["id"].as_str().unwrap().to_owned();
    rec.call(
        "getRefreshTokenForUserAndClient",
        M::GET,
        &format!("{c}/tokens/{token}"),
        None,
        200,
    )
    .await;
    rec.call(
        "revokeTokenForUserAndClient",
        M::DELETE,
        &format!("{c}/tokens/{token}"),
        None,
        204,
    )
    .await;
    rec.call(
        "revokeTokensForUserAndClient",
        M::DELETE,
        &format!("{c}/tokens"),
        None,
        204,
    )
    .await;
    let grants = rec
        .call("listUserGrants", M::GET, &format!("{s}/grants"), None, 200)
        .await
        .json();
    let grant = grants[0]["id"].as_str().unwrap().to_owned();
    rec.call(
        "getUserGrant",
        M::GET,
        &format!("{s}/grants/{grant}"),
        None,
        200,
    )
    .await;
    rec.call(
        "revokeUserGrant",
        M::DELETE,
        &format!("{s}/grants/{grant}"),
        None,
        204,
    )
    .await;
    rec.call(
        "revokeGrantsForUserAndClient",
        M::DELETE,
        &format!("{c}/grants"),
        None,
        204,
    )
    .await;
    rec.call(
        "revokeUserGrants",
        M::DELETE,
        &format!("{s}/grants"),
        None,
        204,
    )
    .await;
    // Credentials.
    let cp = r#"{"oldPassword":{"value":"Pa55word!x"},"newPassword":{"value":"N3wPass!word"}}"#;
    rec.call(
        "changePassword",
        M::POST,
        &format!("{p}/credentials/change_password"),
        Some(cp),
        200,
    )
    .await;
    let rq = r#"{"password":{"value":"N3wPass!word"},"recovery_question":{"question":"Pet?","answer":"doggo"}}"#;
    rec.call(
        "changeRecoveryQuestion",
        M::POST,
        &format!("{p}/credentials/change_recovery_question"),
        Some(rq),
        200,
    )
    .await;
    rec.call(
        "forgotPassword",
        M::POST,
        &format!("{p}/credentials/forgot_password?sendEmail=false"),
        None,
        200,
    )
    .await;
    rec.call("listUserGroups", M::GET, &format!("{p}/groups"), None, 200)
        .await;
    rec.call(
        "listUserIdentityProviders",
        M::GET,
        &format!("{s}/idps"),
        None,
        200,
    )
    .await;
    // Lifecycle, in an order each status allows.
    let lc = |op: &str| format!("{p}/lifecycle/{op}");
    rec.call("suspendUser", M::POST, &lc("suspend"), None, 200)
        .await;
    rec.call("unsuspendUser", M::POST, &lc("unsuspend"), None, 200)
        .await;
    rec.call("unlockUser", M::POST, &lc("unlock"), None, 200)
        .await;
    rec.call("resetFactors", M::POST, &lc("reset_factors"), None, 200)
        .await;
    rec.call(
        "expirePassword",
        M::POST,
        &lc("expire_password?tempPassword=false"),
        None,
        200,
    )
    .await;
    rec.call(
        "expirePasswordWithTempPassword",
        M::POST,
        &lc("expire_password?tempPassword=true"),
        None,
        200,
    )
    .await;
    rec.call(
        "resetPassword",
        M::POST,
        &lc("reset_password?sendEmail=false"),
        None,
        200,
    )
    .await;
    rec.call(
        "reactivateUser",
        M::POST,
        &lc("reactivate?sendEmail=false"),
        None,
        200,
    )
    .await;
    rec.call("deactivateUser", M::POST, &lc("deactivate"), None, 200)
        .await;
    rec.call(
        "activateUser",
        M::POST,
        &lc("activate?sendEmail=false"),
        None,
        200,
    )
    .await;
    // Linked objects.
    rec.call(
        "listLinkedObjectsForUser",
        M::GET,
        &format!("{p}/linkedObjects/manager"),
        None,
        200,
    )
    .await;
    rec.call(
        "deleteLinkedObjectForUser",
        M::DELETE,
        &format!("{p}/linkedObjects/manager"),
        None,
        204,
    )
    .await;
    // Roles and targets.
    let app_admin = rec
        .call(
            "assignRoleToUser",
            M::POST,
            &format!("{p}/roles"),
            Some(r#"{"type":"APP_ADMIN"}"#),
            201,
        )
        .await
        .json();
    let user_admin = rec
        .api
        .post(&format!("{p}/roles"), r#"{"type":"USER_ADMIN"}"#)
        .await
        .json();
    rec.call(
        "listAssignedRolesForUser",
        M::GET,
        &format!("{p}/roles"),
        None,
        200,
    )
    .await;
    let ra = format!("{p}/roles/{}/targets", app_admin["id"].as_str().unwrap());
    let app = "salesforce";
    rec.call(
        "assignAppTargetToAdminRoleForUser",
        M::PUT,
        &format!("{ra}/catalog/apps/{app}"),
        None,
        204,
    )
    .await;
    rec.call(
        "listApplicationTargetsForApplicationAdministratorRoleForUser",
        M::GET,
        &format!("{ra}/catalog/apps"),
        None,
        200,
    )
    .await;
    rec.call(
        "unassignAppTargetFromAppAdminRoleForUser",
        M::DELETE,
        &format!("{ra}/catalog/apps/{app}"),
        None,
        204,
    )
    .await;
    rec.call(
        "assignAllAppsAsTargetToRoleForUser",
        M::PUT,
        &format!("{ra}/catalog/apps"),
        None,
        200,
    )
    .await;
    // An app instance id of the catalog app, from any seeded user's app links.
    let mut inst = String::new();
    for uid in org.user_ids() {
        let links = rec
            .api
            .get(&format!("/api/v1/users/{uid}/appLinks"))
            .await
            .json();
        if let Some(l) = links
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["appName"] == app)
        {
            inst = l["appInstanceId"].as_str().unwrap().to_owned();
            break;
        }
    }
    rec.call(
        "assignAppInstanceTargetToAppAdminRoleForUser",
        M::PUT,
        &format!("{ra}/catalog/apps/{app}/{inst}"),
        None,
        204,
    )
    .await;
    rec.call(
        "listApplicationTargetsForApplicationAdministratorRoleForUser",
        M::GET,
        &format!("{ra}/catalog/apps"),
        None,
        200,
    )
    .await;
    rec.call(
        "unassignAppInstanceTargetFromAdminRoleForUser",
        M::DELETE,
        &format!("{ra}/catalog/apps/{app}/{inst}"),
        None,
        204,
    )
    .await;
    let rg = format!(
        "{p}/roles/{}/targets/groups",
        user_admin["id"].as_str().unwrap()
    );
    let group = rec.api.get(&format!("{p}/groups")).await.json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    rec.call(
        "assignGroupTargetToUserRole",
        M::PUT,
        &format!("{rg}/{group}"),
        None,
        204,
    )
    .await;
    rec.call("listGroupTargetsForRole", M::GET, &rg, None, 200)
        .await;
    rec.call(
        "unassignGroupTargetFromUserAdminRole",
        M::DELETE,
        &format!("{rg}/{group}"),
        None,
        204,
    )
    .await;
    rec.call(
        "unassignRoleFromUser",
        M::DELETE,
        &format!("{p}/roles/{}", app_admin["id"].as_str().unwrap()),
        None,
        204,
    )
    .await;
    rec.call(
        "revokeUserSessions",
        M::DELETE,
        &format!("{p}/sessions?oauthTokens=true"),
        None,
        204,
    )
    .await;
    rec.call("deleteUser", M::DELETE, &p, None, 204).await;
    // Errors are part of the contract too.
    rec.call(
        "getUser",
        M::GET,
        "/api/v1/users/00unobody00000000000",
        None,
        404,
    )
    .await;
    rec.call("createUser", M::POST, "/api/v1/users", Some(body), 400)
        .await;

    let ops: std::collections::HashSet<&str> = rec
        .records
        .iter()
        .map(|r| r["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops.len(), 49, "covered {} operations", ops.len());
    validate_with_python(&rec.records);
}

/// A `PYTHONPATH` under which `python3` has `jsonschema` and `yaml`: none when it has them already,
/// else the pinned `validate_spec_requirements.txt`, installed once under the target directory.
fn python_path() -> Option<std::path::PathBuf> {
    let has_modules = |path: Option<&Path>| {
        let mut python = std::process::Command::new("python3");
        python.args(["-c", "import jsonschema, yaml"]);
        if let Some(path) = path {
            python.env("PYTHONPATH", path);
        }
        python.status().is_ok_and(|s| s.success())
    };
    if has_modules(None) {
        return None;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("validate-spec-python");
    if !has_modules(Some(&target)) {
        let status = std::process::Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(&target)
            .arg("-r")
            .arg(manifest.join("tests/validate_spec_requirements.txt"))
            .env("PIP_ROOT_USER_ACTION", "ignore")
            .status()
            .expect("python3 runs");
        assert!(
            status.success(),
            "pip could not install the spec validator's modules"
        );
    }
    Some(target)
}

fn validate_with_python(records: &[Value]) {
    let spec = spec_path();
    let python_path = python_path();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("okta-mock-responses.json");
    std::fs::write(&out, serde_json::to_vec(records).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_spec.py");
    let mut python = std::process::Command::new("python3");
    python.arg(script).arg(spec).arg(&out);
    if let Some(path) = python_path {
        python.env("PYTHONPATH", path);
    }
    let result = python.output().unwrap();
    let report = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&result.stderr)
    );
}
