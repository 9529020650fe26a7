//! Calls every one of the 49 operations of Okta's Users API and every all-pages stream once,
//! printing one line per call, against the org at `OKTA_CLIENT_ORGURL` (credentials from the
//! environment as `ClientBuilder::from_env` reads them: `OKTA_CLIENT_TOKEN`, or OAuth 2.0 with
//! `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey`, DPoP included) or, with no org URL, against the
//! embedded mock org (as a DPoP-requiring service app with `OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey`).
//!
//! It creates two users of its own and deletes them at the end; calls that need existing data
//! (grants, refresh tokens, app instances) use the first users that have some. It exits non-zero
//! on any unexpected failure.
//!
//! ```sh
//! cargo run --example tour
//! ../shared/conformance/prism-check --upstream http://127.0.0.1:8080 -- cargo run --example tour
//! ```

use std::collections::BTreeSet;
use std::fmt::Display;

use okta_client::ClientBuilder;
use okta_users::models::{
    ChangePasswordRequest, CreateUserRequest, RoleType, UpdateUserRequest, UserCredentials,
    UserProfile,
};
use okta_users::{HttpService, Result, Users};

const PASSWORD: &str = "Tour-Passw0rd!1";
const NEW_PASSWORD: &str = "Tour-Passw0rd!2";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `RUST_LOG=okta_layers=debug` prints the client's spans and rate-limit waits.
    okta_examples::init_tracing();
    let mut mock = None;
    let client = if std::env::var("OKTA_CLIENT_ORGURL").is_ok_and(|v| !v.is_empty()) {
        ClientBuilder::from_env().build()?
    } else {
        let (org, builder) = okta_examples::embedded_org(7, 60).await?;
        let client = builder.build()?;
        mock = Some(org);
        client
    };
    println!("Touring the Okta org at {}", client.org_url());

    let mut tour = Tour::default();
    tour.run(&client.users()).await;

    if let Some(org) = mock {
        org.shutdown().await;
    }
    println!(
        "\n{} of 49 operations and {} of 12 all-pages streams called; {} unexpected failure(s)",
        tour.operations.len(),
        tour.streams.len(),
        tour.failures
    );
    if tour.failures > 0 {
        std::process::exit(1);
    }
    Ok(())
}

#[derive(Default)]
struct Tour {
    operations: BTreeSet<&'static str>,
    streams: BTreeSet<&'static str>,
    failures: usize,
}

impl Tour {
    /// Prints one line for a call and keeps its result.
    fn check<T>(
        &mut self,
        operation: &'static str,
        result: Result<T>,
        detail: impl FnOnce(&T) -> String,
    ) -> Option<T> {
        match result {
            Ok(value) => {
                println!("ok    {operation:<48} {}", detail(&value));
                self.operations.insert(operation);
                Some(value)
            }
            Err(error) => {
                println!("FAIL  {operation:<48} {error}");
                self.failures += 1;
                None
            }
        }
    }

    /// Like `check`, for an all-pages stream.
    fn stream<T>(&mut self, operation: &'static str, result: Result<Vec<T>>) -> Option<Vec<T>> {
        let name = operation;
        let items = self.check(name, result, |items| {
            format!("{} item(s) over every page", items.len())
        })?;
        self.streams.insert(name);
        Some(items)
    }

    /// A call Okta may refuse in the org's current state; a refusal with one of `expected` codes
    /// still counts as the operation exercised.
    fn refusal_ok<T>(&mut self, operation: &'static str, result: Result<T>, expected: &[&str]) {
        match result {
            Err(error)
                if error
                    .error_code()
                    .is_some_and(|code| expected.contains(&code)) =>
            {
                println!("ok    {operation:<48} refused as Okta does: {error}");
                self.operations.insert(operation);
            }
            other => {
                self.check(operation, other, |_| "done".into());
            }
        }
    }

    fn skip(&self, operation: &str, why: impl Display) {
        println!("skip  {operation:<48} {why}");
    }

    async fn run<S: HttpService>(&mut self, users: &Users<S>) {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let login_a = format!("tour.ada.{stamp}@example.com");
        let login_b = format!("tour.alan.{stamp}@example.com");

        // Users: create, read, update.
        let profile = UserProfile::new("Ada", "Tour", login_a.clone(), login_a.clone());
        let create = CreateUserRequest::new(profile)
            .password(PASSWORD)
            .recovery_question("First machine?", "engine");
        let Some(a) = self.check(
            "createUser",
            users.create(create).activate(false).await,
            |u| format!("{} {}", u.id, u.status),
        ) else {
            return;
        };
        let profile = UserProfile::new("Alan", "Tour", login_b.clone(), login_b.clone());
        let Some(b) = self.check(
            "createUser",
            users
                .create(CreateUserRequest::new(profile))
                .activate(false)
                .await,
            |u| format!("{} {} (no password)", u.id, u.status),
        ) else {
            return;
        };
        self.check("listUsers", users.list().limit(5).await, |p| {
            format!("{} user(s), more: {}", p.items.len(), p.has_next())
        });
        let everyone = self
            .stream("listUsers", users.list().limit(50).collect_all().await)
            .unwrap_or_default();
        self.check("getUser", users.get(&login_a).await, |u| {
            format!("by login: {}", u.id)
        });
        let mut change = UserProfile::default();
        change.title = Some("Tour guide".into());
        self.check(
            "updateUser",
            users
                .update(&a.id, UpdateUserRequest::profile(change))
                .await,
            |u| format!("title {:?}", u.profile.title.as_deref().unwrap_or("-")),
        );
        if let Ok(current) = users.get(&a.id).await {
            let mut profile = current.profile;
            profile.set_custom("tourStamp", stamp.to_string().into());
            self.check(
                "replaceUser",
                users
                    .replace(&a.id, UpdateUserRequest::profile(profile))
                    .await,
                |u| format!("custom tourStamp = {:?}", u.profile.custom("tourStamp")),
            );
        }

        // Lifecycle.
        self.check(
            "activateUser",
            users.activate(&a.id).send_email(false).await,
            |_| "with a password: ACTIVE".into(),
        );
        self.check(
            "activateUser",
            users.activate(&b.id).send_email(false).await,
            |t| {
                format!(
                    "without one: PROVISIONED, activation token present: {}",
                    t.activation_token.is_some()
                )
            },
        );
        self.check(
            "reactivateUser",
            users.reactivate(&b.id).send_email(false).await,
            |_| "activation restarted".into(),
        );
        self.check("suspendUser", users.suspend(&a.id).await, |_| {
            "SUSPENDED".into()
        });
        self.check("unsuspendUser", users.unsuspend(&a.id).await, |_| {
            "ACTIVE".into()
        });
        let locked = users
            .list()
            .filter(r#"status eq "LOCKED_OUT""#)
            .limit(1)
            .await
            .ok()
            .and_then(|p| p.items.into_iter().next());
        match locked {
            Some(user) => {
                self.check("unlockUser", users.unlock(&user.id).await, |_| {
                    format!("{} unlocked", user.id)
                });
            }
            None => self.refusal_ok(
                "unlockUser",
                users.unlock(&a.id).await,
                &["E0000032", "E0000038"],
            ),
        }
        self.refusal_ok(
            "resetFactors",
            users.reset_factors(&a.id).await,
            &["E0000038"],
        );

        // Credentials.
        self.check(
            "changePassword",
            users
                .change_password(&a.id, ChangePasswordRequest::new(PASSWORD, NEW_PASSWORD))
                .await,
            |_| "password changed".into(),
        );
        let question = UserCredentials::new()
            .password(NEW_PASSWORD)
            .recovery_question("Favourite number?", "forty-two");
        self.check(
            "changeRecoveryQuestion",
            users.change_recovery_question(&a.id, question).await,
            |c| {
                let q = c
                    .recovery_question
                    .as_ref()
                    .and_then(|q| q.question.clone());
                format!("question now {:?}", q.unwrap_or_default())
            },
        );
        self.check(
            "forgotPassword",
            users.forgot_password(&a.id).send_email(false).await,
            |r| format!("reset URL present: {}", r.reset_password_url.is_some()),
        );
        self.check("expirePassword", users.expire_password(&a.id).await, |u| {
            u.status.to_string()
        });
        self.check(
            "expirePasswordWithTempPassword",
            users.expire_password_with_temp_password(&a.id).await,
            |t| format!("temporary password present: {}", t.temp_password.is_some()),
        );
        self.check(
            "resetPassword",
            users.reset_password(&a.id).send_email(false).await,
            |t| format!("reset URL present: {}", t.reset_password_url.is_some()),
        );

        // Related resources of a seeded user.
        let seeded = everyone
            .iter()
            .find(|u| u.id != a.id && u.id != b.id)
            .map(|u| u.id.clone())
            .unwrap_or_else(|| a.id.clone());
        let links = self
            .stream(
                "listAppLinks",
                users.list_app_links(&seeded).collect_all().await,
            )
            .unwrap_or_default();
        let groups = self
            .stream(
                "listUserGroups",
                users.list_groups(&seeded).collect_all().await,
            )
            .unwrap_or_default();
        self.stream(
            "listUserIdentityProviders",
            users.list_identity_providers(&seeded).collect_all().await,
        );

        // Linked objects: Ada is Alan's manager.
        self.check(
            "assignLinkedObjectValueForPrimary",
            users.assign_linked_object(&b.id, "manager", &a.id).await,
            |_| format!("{} manages {}", a.id, b.id),
        );
        self.stream(
            "listLinkedObjectsForUser",
            users
                .list_linked_objects(&b.id, "manager")
                .collect_all()
                .await,
        );
        self.check(
            "deleteLinkedObjectForUser",
            users.delete_linked_object(&b.id, "manager").await,
            |_| "removed".into(),
        );

        // Roles and their targets.
        if let Some(role) = self.check(
            "assignRoleToUser",
            users.assign_role(&a.id, RoleType::AppAdmin).await,
            |r| format!("APP_ADMIN {}", r.id),
        ) {
            let role = users.role(&a.id, &role.id);
            self.stream(
                "listAssignedRolesForUser",
                users.list_roles(&a.id).collect_all().await,
            );
            self.check(
                "assignAppTargetToAdminRoleForUser",
                role.assign_app_target("salesforce").await,
                |_| "salesforce".into(),
            );
            match links
                .iter()
                .find_map(|l| Some((l.app_name.clone()?, l.app_instance_id.clone()?)))
            {
                Some((app_name, instance)) => {
                    self.check(
                        "assignAppInstanceTargetToAppAdminRoleForUser",
                        role.assign_app_instance_target(&app_name, &instance).await,
                        |_| format!("{app_name}/{instance}"),
                    );
                    self.stream(
                        "listApplicationTargetsForApplicationAdministratorRoleForUser",
                        role.list_app_targets().collect_all().await,
                    );
                    self.check(
                        "unassignAppInstanceTargetFromAdminRoleForUser",
                        role.unassign_app_instance_target(&app_name, &instance)
                            .await,
                        |_| "removed".into(),
                    );
                }
                None => self.skip(
                    "assignAppInstanceTargetToAppAdminRoleForUser",
                    "no app instance found",
                ),
            }
            self.check(
                "unassignAppTargetFromAppAdminRoleForUser",
                role.unassign_app_target("salesforce").await,
                |_| "removed".into(),
            );
            self.check(
                "assignAllAppsAsTargetToRoleForUser",
                role.assign_all_apps_target().await,
                |_| "all apps".into(),
            );
            self.check("unassignRoleFromUser", role.unassign().await, |_| {
                "APP_ADMIN removed".into()
            });
        }
        if let Some(role) = self.check(
            "assignRoleToUser",
            users.assign_role(&a.id, RoleType::UserAdmin).await,
            |r| format!("USER_ADMIN {}", r.id),
        ) {
            let role = users.role(&a.id, &role.id);
            for group in groups.iter().take(2) {
                self.check(
                    "assignGroupTargetToUserRole",
                    role.assign_group_target(&group.id).await,
                    |_| group.id.clone(),
                );
            }
            self.stream(
                "listGroupTargetsForRole",
                role.list_group_targets().collect_all().await,
            );
            if let Some(group) = groups.first() {
                self.refusal_ok(
                    "unassignGroupTargetFromUserAdminRole",
                    role.unassign_group_target(&group.id).await,
                    &["E0000149"],
                );
            }
            self.check("unassignRoleFromUser", role.unassign().await, |_| {
                "USER_ADMIN removed".into()
            });
        }

        // OAuth clients, grants and refresh tokens of the first user that has some.
        self.oauth(
            users,
            &everyone.iter().map(|u| u.id.clone()).collect::<Vec<_>>(),
        )
        .await;

        // Sessions, then clean up.
        self.check(
            "revokeUserSessions",
            users.revoke_sessions(&a.id).oauth_tokens(true).await,
            |_| "sessions revoked".into(),
        );
        self.check(
            "deactivateUser",
            users.deactivate(&b.id).send_email(false).await,
            |_| "DEPROVISIONED".into(),
        );
        self.check("deleteUser", users.delete(&b.id).await, |_| {
            "deleted".into()
        });
        self.check("deleteUser", users.delete(&a.id).await, |_| {
            "first delete deactivates".into()
        });
        self.check("deleteUser", users.delete(&a.id).await, |_| {
            "second delete deletes".into()
        });
    }

    async fn oauth<S: HttpService>(&mut self, users: &Users<S>, candidates: &[String]) {
        let mut found = None;
        for id in candidates.iter().take(30) {
            if let Ok(page) = users.list_clients(id).await
                && let Some(client) = page.items.into_iter().find_map(|c| c.client_id)
            {
                found = Some((id.clone(), client));
                break;
            }
        }
        let Some((user, client)) = found else {
            self.skip(
                "listUserClients",
                "no user with OAuth clients among the first 30",
            );
            return;
        };
        self.stream(
            "listUserClients",
            users.list_clients(&user).collect_all().await,
        );
        let grants = self
            .stream(
                "listGrantsForUserAndClient",
                users.list_client_grants(&user, &client).collect_all().await,
            )
            .unwrap_or_default();
        let tokens = self
            .stream(
                "listRefreshTokensForUserAndClient",
                users
                    .list_refresh_tokens(&user, &client)
                    .collect_all()
                    .await,
            )
            .unwrap_or_default();
        let user_grants = self
            .stream(
                "listUserGrants",
                users.list_grants(&user).collect_all().await,
            )
            .unwrap_or_default();
        match tokens.iter().find_map(|t| t.id.clone()) {
            Some(token) => {
                self.check(
                    "getRefreshTokenForUserAndClient",
                    users.get_refresh_token(&user, &client, &token).await,
                    |t| {
                        format!(
                            "{} scopes {:?}",
                            token,
                            t.scopes.clone().unwrap_or_default()
                        )
                    },
                );
                self.check(
                    "revokeTokenForUserAndClient",
                    users.revoke_refresh_token(&user, &client, &token).await,
                    |_| "revoked".into(),
                );
            }
            None => self.skip("getRefreshTokenForUserAndClient", "no refresh token"),
        }
        self.check(
            "revokeTokensForUserAndClient",
            users.revoke_refresh_tokens(&user, &client).await,
            |_| "all revoked".into(),
        );
        match user_grants.iter().chain(&grants).find_map(|g| g.id.clone()) {
            Some(grant) => {
                self.check("getUserGrant", users.get_grant(&user, &grant).await, |g| {
                    format!("{} scope {}", grant, g.scope_id)
                });
                self.check(
                    "revokeUserGrant",
                    users.revoke_grant(&user, &grant).await,
                    |_| "revoked".into(),
                );
            }
            None => self.skip("getUserGrant", "no grant"),
        }
        self.check(
            "revokeGrantsForUserAndClient",
            users.revoke_client_grants(&user, &client).await,
            |_| "revoked".into(),
        );
        self.check("revokeUserGrants", users.revoke_grants(&user).await, |_| {
            "revoked".into()
        });
    }
}
