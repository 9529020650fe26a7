//! Issue 9: with a `reset-after` fault, every write the mock knows is applied before the
//! response is lost. One walk over every write operation of Okta's spec (each checked against the
//! spec's list), each observed through reads: the state changed, the caller got no answer.

mod support;

use http::Method as M;
use okta_mock::{ConnectionClosed, Fault, FaultPlan, MockOrg};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;
use support::Api;

/// The spec's operations that are not `GET`: `(operationId)`, from `okta-users.yaml`'s paths.
fn spec_write_operations() -> BTreeSet<String> {
    let spec = support::spec_path();
    let text = std::fs::read_to_string(&spec)
        .unwrap_or_else(|e| panic!("Okta's spec at {}: {e}", spec.display()));
    let mut in_paths = false;
    let mut method = "";
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line == "paths:" {
            in_paths = true;
            continue;
        }
        if in_paths && !line.is_empty() && !line.starts_with(' ') {
            break;
        }
        if !in_paths {
            continue;
        }
        if let Some(m) = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':'))
            && ["get", "post", "put", "delete", "patch"].contains(&m)
        {
            method = m;
        } else if let Some(op) = line.strip_prefix("      operationId: ")
            && method != "get"
        {
            out.insert(op.trim().to_owned());
        }
    }
    out
}

struct Walk {
    org: MockOrg,
    api: Api,
    walked: BTreeSet<String>,
}

impl Walk {
    /// Everything the org shows about `user` (its JSON, roles and their targets, grants, tokens,
    /// linked objects) and what it holds beyond that.
    async fn state(&self, user: &str) -> String {
        let base = format!("/api/v1/users/{user}");
        let mut out = Vec::new();
        let me = self.api.get(&base).await;
        if me.status == 404 {
            return "gone".into();
        }
        out.push(me.json());
        let roles = self.api.get(&format!("{base}/roles")).await.json();
        for role in roles.as_array().unwrap() {
            let r = format!("{base}/roles/{}/targets", role["id"].as_str().unwrap());
            out.push(self.api.get(&format!("{r}/catalog/apps")).await.json());
            out.push(self.api.get(&format!("{r}/groups")).await.json());
        }
        out.push(roles);
        out.push(self.api.get(&format!("{base}/grants")).await.json());
        let clients = self.api.get(&format!("{base}/clients")).await;
        assert_eq!(clients.status, 200, "{:?}", clients.body);
        let clients = clients.json();
        for client in clients.as_array().unwrap() {
            let c = client["client_id"].as_str().unwrap();
            out.push(
                self.api
                    .get(&format!("{base}/clients/{c}/tokens"))
                    .await
                    .json(),
            );
        }
        out.push(clients);
        for rel in ["manager", "subordinate"] {
            out.push(
                self.api
                    .get(&format!("{base}/linkedObjects/{rel}"))
                    .await
                    .json(),
            );
        }
        format!("{out:?} {:?}", self.org.user_activity(user))
    }

    /// Send a write whose response the org loses, and check that it took effect.
    async fn lost(&mut self, op: &str, user: &str, method: M, path: &str, body: Option<&str>) {
        // Every write stamps the org's clock: a second apart, a change shows in lastUpdated too.
        tokio::time::advance(Duration::from_secs(1)).await;
        let before = self.state(user).await;
        let mark = self.org.request_log().len();
        let expected_method = method.clone();
        let auth = self.api.auth.clone();
        let err = self
            .api
            .try_send(method, path, body, &[("authorization", &auth)])
            .await
            .err()
            .unwrap_or_else(|| panic!("{op}: answered despite reset-after"));
        let closed = err
            .downcast::<ConnectionClosed>()
            .unwrap_or_else(|e| panic!("{op}: {e}"));
        assert!(closed.is_sent(), "{op}");
        let after = self.state(user).await;
        assert_ne!(before, after, "{op}: the write was not applied");
        self.walked.insert(op.to_owned());
        let write = &self.org.request_log()[mark];
        assert_eq!(
            (&write.method, write.status),
            (&expected_method, 0),
            "{op}: logged as reset"
        );
    }
}

fn first_id(list: &Value) -> String {
    list[0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(start_paused = true)]
async fn every_write_is_applied_before_its_response_is_lost() {
    let plan = [M::POST, M::PUT, M::DELETE]
        .into_iter()
        .fold(FaultPlan::new(1), |plan, m| {
            plan.with(Fault::reset_after().on(m, "/api/v1/users/**"))
        })
        .with(Fault::reset_after().on(M::POST, "/api/v1/users"));
    let org = MockOrg::builder()
        .seed(21)
        .users(60)
        .faults(plan)
        .no_concurrency_limit()
        .rate_limits(okta_mock::RateLimits::disabled())
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    let mut w = Walk {
        org,
        api,
        walked: BTreeSet::new(),
    };
    // Seeded users to revoke from: two with a client's grants and token, one with sessions.
    let ids = w.org.user_ids();
    let with_grants: Vec<String> = {
        let mut out = Vec::new();
        for id in &ids {
            let grants = w
                .api
                .get(&format!("/api/v1/users/{id}/grants"))
                .await
                .json();
            if grants.as_array().unwrap().len() == 2 {
                out.push(id.clone());
            }
        }
        out
    };
    let (s1, s2) = (with_grants[0].clone(), with_grants[1].clone());
    let with_sessions = ids
        .iter()
        .find(|id| w.org.user_activity(id).unwrap().sessions > 0)
        .unwrap()
        .clone();
    let salesforce = {
        let mut inst = None;
        for id in &ids {
            let links = w
                .api
                .get(&format!("/api/v1/users/{id}/appLinks"))
                .await
                .json();
            inst = links
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["appName"] == "salesforce")
                .map(|l| l["appInstanceId"].as_str().unwrap().to_owned());
            if inst.is_some() {
                break;
            }
        }
        inst.unwrap()
    };

    // Create: the response is lost, the user is there.
    let login = "lost-writes@example.com";
    let body = format!(
        r#"{{"profile":{{"firstName":"L","lastName":"W","email":"{login}","login":"{login}"}},"credentials":{{"password":{{"value":"Pa55word!one"}},"recovery_question":{{"question":"Q?","answer":"answer"}}}}}}"#
    );
    w.lost("createUser", login, M::POST, "/api/v1/users", Some(&body))
        .await;
    let u = w.org.user(login).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = format!("/api/v1/users/{u}");
    let lc = |op: &str| format!("{p}/lifecycle/{op}");

    w.lost(
        "updateUser",
        &u,
        M::POST,
        &p,
        Some(r#"{"profile":{"title":"One"}}"#),
    )
    .await;
    let full = format!(
        r#"{{"profile":{{"firstName":"L","lastName":"W","email":"{login}","login":"{login}","title":"Two"}}}}"#
    );
    w.lost("replaceUser", &u, M::PUT, &p, Some(&full)).await;
    assert_eq!(w.org.user(&u).unwrap()["profile"]["title"], "Two");
    w.lost(
        "changePassword",
        &u,
        M::POST,
        &format!("{p}/credentials/change_password"),
        Some(r#"{"oldPassword":{"value":"Pa55word!one"},"newPassword":{"value":"Pa55word!two"}}"#),
    )
    .await;
    w.lost(
        "changeRecoveryQuestion",
        &u,
        M::POST,
        &format!("{p}/credentials/change_recovery_question"),
        Some(r#"{"password":{"value":"Pa55word!two"},"recovery_question":{"question":"Pet?","answer":"doggo"}}"#),
    )
    .await;
    w.lost(
        "forgotPassword",
        &u,
        M::POST,
        &format!("{p}/credentials/forgot_password?sendEmail=false"),
        None,
    )
    .await;
    w.lost("suspendUser", &u, M::POST, &lc("suspend"), None)
        .await;
    w.lost("unsuspendUser", &u, M::POST, &lc("unsuspend"), None)
        .await;
    w.lost("unlockUser", &u, M::POST, &lc("unlock"), None).await;
    w.lost("resetFactors", &u, M::POST, &lc("reset_factors"), None)
        .await;
    w.lost("expirePassword", &u, M::POST, &lc("expire_password"), None)
        .await;
    assert_eq!(w.org.user_status(&u), Some("PASSWORD_EXPIRED"));
    w.lost(
        "expirePasswordWithTempPassword",
        &u,
        M::POST,
        &lc("expire_password_with_temp_password"),
        None,
    )
    .await;
    w.lost(
        "resetPassword",
        &u,
        M::POST,
        &lc("reset_password?sendEmail=false"),
        None,
    )
    .await;
    assert_eq!(w.org.user_status(&u), Some("RECOVERY"));
    w.lost(
        "reactivateUser",
        &u,
        M::POST,
        &lc("reactivate?sendEmail=false"),
        None,
    )
    .await;
    w.lost("deactivateUser", &u, M::POST, &lc("deactivate"), None)
        .await;
    w.lost(
        "activateUser",
        &u,
        M::POST,
        &lc("activate?sendEmail=false"),
        None,
    )
    .await;

    // Roles and their targets.
    let roles = format!("{p}/roles");
    w.lost(
        "assignRoleToUser",
        &u,
        M::POST,
        &roles,
        Some(r#"{"type":"APP_ADMIN"}"#),
    )
    .await;
    let app_admin = first_id(&w.api.get(&roles).await.json());
    let apps = format!("{roles}/{app_admin}/targets/catalog/apps");
    w.lost(
        "assignAppTargetToAdminRoleForUser",
        &u,
        M::PUT,
        &format!("{apps}/salesforce"),
        None,
    )
    .await;
    w.lost(
        "unassignAppTargetFromAppAdminRoleForUser",
        &u,
        M::DELETE,
        &format!("{apps}/salesforce"),
        None,
    )
    .await;
    let instance = format!("{apps}/salesforce/{salesforce}");
    w.lost(
        "assignAppInstanceTargetToAppAdminRoleForUser",
        &u,
        M::PUT,
        &instance,
        None,
    )
    .await;
    w.lost(
        "assignAllAppsAsTargetToRoleForUser",
        &u,
        M::PUT,
        &apps,
        None,
    )
    .await;
    w.lost(
        "assignAppInstanceTargetToAppAdminRoleForUser",
        &u,
        M::PUT,
        &instance,
        None,
    )
    .await;
    w.lost(
        "unassignAppInstanceTargetFromAdminRoleForUser",
        &u,
        M::DELETE,
        &instance,
        None,
    )
    .await;
    w.lost(
        "assignRoleToUser",
        &u,
        M::POST,
        &roles,
        Some(r#"{"type":"USER_ADMIN"}"#),
    )
    .await;
    let user_admin = w
        .api
        .get(&roles)
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "USER_ADMIN")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let group = first_id(&w.api.get(&format!("{p}/groups")).await.json());
    let target = format!("{roles}/{user_admin}/targets/groups/{group}");
    w.lost("assignGroupTargetToUserRole", &u, M::PUT, &target, None)
        .await;
    w.lost(
        "unassignGroupTargetFromUserAdminRole",
        &u,
        M::DELETE,
        &target,
        None,
    )
    .await;
    w.lost(
        "unassignRoleFromUser",
        &u,
        M::DELETE,
        &format!("{roles}/{app_admin}"),
        None,
    )
    .await;

    // Linked objects.
    w.lost(
        "assignLinkedObjectValueForPrimary",
        &u,
        M::PUT,
        &format!("{p}/linkedObjects/manager/{s1}"),
        None,
    )
    .await;
    w.lost(
        "deleteLinkedObjectForUser",
        &u,
        M::DELETE,
        &format!("{p}/linkedObjects/manager"),
        None,
    )
    .await;

    // Grants, tokens and sessions of seeded users.
    let grants = |s: &str| format!("/api/v1/users/{s}/grants");
    let grant = first_id(&w.api.get(&grants(&s1)).await.json());
    w.lost(
        "revokeUserGrant",
        &s1,
        M::DELETE,
        &format!("{}/{grant}", grants(&s1)),
        None,
    )
    .await;
    let client = w
        .api
        .get(&format!("/api/v1/users/{s1}/clients"))
        .await
        .json()[0]["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c1 = format!("/api/v1/users/{s1}/clients/{client}");
    w.lost(
        "revokeGrantsForUserAndClient",
        &s1,
        M::DELETE,
        &format!("{c1}/grants"),
        None,
    )
    .await;
    let token = first_id(&w.api.get(&format!("{c1}/tokens")).await.json());
    w.lost(
        "revokeTokenForUserAndClient",
        &s1,
        M::DELETE,
        &format!("{c1}/tokens/{token}"),
        None,
    )
    .await;
    w.lost("revokeUserGrants", &s2, M::DELETE, &grants(&s2), None)
        .await;
    let client2 = w
        .api
        .get(&format!("/api/v1/users/{s2}/clients"))
        .await
        .json()[0]["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.lost(
        "revokeTokensForUserAndClient",
        &s2,
        M::DELETE,
        &format!("/api/v1/users/{s2}/clients/{client2}/tokens"),
        None,
    )
    .await;
    w.lost(
        "revokeUserSessions",
        &with_sessions,
        M::DELETE,
        &format!("/api/v1/users/{with_sessions}/sessions"),
        None,
    )
    .await;

    // Delete: deactivates, then deletes.
    w.lost("deleteUser", &u, M::DELETE, &p, None).await;
    assert_eq!(w.org.user_status(&u), Some("DEPROVISIONED"));
    w.lost("deleteUser", &u, M::DELETE, &p, None).await;
    assert_eq!(w.org.user_status(&u), None);

    assert_eq!(
        w.walked,
        spec_write_operations(),
        "every write of the spec, walked"
    );
    assert_eq!(w.walked.len(), 34);
}
