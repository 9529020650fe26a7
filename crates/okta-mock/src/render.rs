//! Okta's JSON for each resource, with `_links` as absolute URLs on the mock's base URL.

use crate::model::{
    App, AppAssignment, CatalogApp, Grant, Group, Idp, RefreshToken, Role, Status, User,
};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

/// Okta's timestamp form: `2024-01-02T03:04:05.000Z`.
pub(crate) fn ts(t: OffsetDateTime) -> String {
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_default()
}

fn opt_ts(t: Option<OffsetDateTime>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(t)))
}

fn href(url: String) -> Value {
    json!({ "href": url })
}

fn action(url: String) -> Value {
    json!({ "href": url, "method": "POST" })
}

/// The user's credentials as Okta shows them (never the secret values).
pub(crate) fn credentials(u: &User) -> Value {
    let mut c = serde_json::Map::new();
    if u.password.is_some() {
        c.insert("password".into(), json!({}));
    }
    if let Some((q, _)) = &u.recovery {
        c.insert("recovery_question".into(), json!({ "question": q }));
    }
    c.insert(
        "provider".into(),
        json!({ "type": u.provider.0, "name": u.provider.1 }),
    );
    Value::Object(c)
}

/// The full user (`full`) or the list form with only a `self` link.
pub(crate) fn user(base: &str, u: &User, full: bool) -> Value {
    let me = format!("{base}/api/v1/users/{}", u.id);
    let mut links = serde_json::Map::new();
    links.insert("self".into(), href(me.clone()));
    if full {
        let lc = |op: &str| action(format!("{me}/lifecycle/{op}"));
        let cr = |op: &str| action(format!("{me}/credentials/{op}"));
        let ops: &[&str] = match u.status {
            Status::Staged => &["activate", "deactivate"],
            Status::Provisioned => &["reactivate", "deactivate", "resetPassword"],
            Status::Active => &[
                "suspend",
                "deactivate",
                "resetPassword",
                "expirePassword",
                "forgotPassword",
                "changePassword",
                "changeRecoveryQuestion",
                "resetFactors",
            ],
            Status::Recovery => &[
                "reactivate",
                "deactivate",
                "resetPassword",
                "changePassword",
            ],
            Status::PasswordExpired => &[
                "deactivate",
                "resetPassword",
                "expirePassword",
                "changePassword",
            ],
            Status::LockedOut => &["unlock", "deactivate", "resetPassword"],
            Status::Suspended => &["unsuspend", "deactivate"],
            Status::Deprovisioned => &["activate"],
        };
        for op in ops {
            let link = match *op {
                "resetPassword" => lc("reset_password"),
                "expirePassword" => lc("expire_password"),
                "resetFactors" => lc("reset_factors"),
                "forgotPassword" => cr("forgot_password"),
                "changePassword" => cr("change_password"),
                "changeRecoveryQuestion" => cr("change_recovery_question"),
                other => lc(other),
            };
            links.insert((*op).into(), link);
        }
        links.insert(
            "schema".into(),
            href(format!(
                "{base}/api/v1/meta/schemas/user/osc{}",
                &u.type_id[3..]
            )),
        );
        links.insert(
            "type".into(),
            href(format!("{base}/api/v1/meta/types/user/{}", u.type_id)),
        );
    }
    json!({
        "id": u.id,
        "status": u.status.as_str(),
        "created": ts(u.created),
        "activated": opt_ts(u.activated),
        "statusChanged": opt_ts(u.status_changed),
        "lastLogin": opt_ts(u.last_login),
        "lastUpdated": ts(u.last_updated),
        "passwordChanged": opt_ts(u.password_changed),
        "type": { "id": u.type_id },
        "profile": u.profile,
        "credentials": credentials(u),
        "_links": links,
    })
}

pub(crate) fn group(base: &str, g: &Group) -> Value {
    let me = format!("{base}/api/v1/groups/{}", g.id);
    json!({
        "id": g.id,
        "created": ts(g.created),
        "lastUpdated": ts(g.created),
        "lastMembershipUpdated": ts(g.created),
        "objectClass": ["okta:user_group"],
        "type": if g.built_in { "BUILT_IN" } else { "OKTA_GROUP" },
        "profile": { "name": g.name, "description": g.description },
        "_links": {
            "self": href(me.clone()),
            "users": href(format!("{me}/users")),
            "apps": href(format!("{me}/apps")),
            "logo": [
                { "name": "medium", "href": format!("{base}/assets/img/logos/groups/okta-medium.png"), "type": "image/png" },
                { "name": "large", "href": format!("{base}/assets/img/logos/groups/okta-large.png"), "type": "image/png" }
            ]
        }
    })
}

pub(crate) fn app_link(base: &str, a: &App, assignment: &AppAssignment, order: usize) -> Value {
    json!({
        "id": assignment.link_id,
        "label": a.label,
        "linkUrl": format!("{base}/home/{}/{}/{order}", a.name, a.id),
        "logoUrl": format!("{base}/assets/img/logos/{}.png", a.name),
        "appName": a.name,
        "appInstanceId": a.id,
        "appAssignmentId": assignment.assignment_id,
        "credentialsSetup": false,
        "hidden": false,
        "sortOrder": order,
    })
}

pub(crate) fn client(base: &str, user_id: &str, a: &App) -> Value {
    let me = format!("{base}/api/v1/users/{user_id}/clients/{}", a.id);
    json!({
        "client_id": a.id,
        "client_name": a.label,
        "client_uri": format!("https://{}.example.com", a.label.to_lowercase().replace(' ', "-")),
        "logo_uri": format!("{base}/assets/img/logos/{}.png", a.name),
        "_links": {
            "self": href(format!("{base}/oauth2/v1/clients/{}", a.id)),
            "grants": href(format!("{me}/grants")),
            "tokens": href(format!("{me}/tokens")),
        }
    })
}

pub(crate) fn grant(base: &str, user_id: &str, g: &Grant) -> Value {
    json!({
        "id": g.id,
        "status": "ACTIVE",
        "created": ts(g.created),
        "lastUpdated": ts(g.created),
        "issuer": base,
        "clientId": g.client_id,
        "userId": user_id,
        "scopeId": g.scope_id,
        "source": g.source,
        "createdBy": { "id": user_id, "type": "User" },
        "_links": {
            "self": href(format!("{base}/api/v1/users/{user_id}/grants/{}", g.id)),
            "app": href(format!("{base}/api/v1/apps/{}", g.client_id)),
            "client": href(format!("{base}/oauth2/v1/clients/{}", g.client_id)),
            "user": href(format!("{base}/api/v1/users/{user_id}")),
            "authorizationServer": href(format!("{base}/api/v1/authorizationServers/default")),
        }
    })
}

pub(crate) fn refresh_token(base: &str, user_id: &str, t: &RefreshToken, expand: bool) -> Value {
    let me = format!(
        "{base}/api/v1/users/{user_id}/clients/{}/tokens/{}",
        t.client_id, t.id
    );
    let mut v = json!({
        "id": t.id,
        "status": "ACTIVE",
        "created": ts(t.created),
        "lastUpdated": ts(t.created),
        "expiresAt": ts(t.expires),
        "issuer": format!("{base}/oauth2/default"),
        "clientId": t.client_id,
        "userId": user_id,
        "scopes": t.scopes,
        "_links": {
            "self": href(me.clone()),
            "app": href(format!("{base}/api/v1/apps/{}", t.client_id)),
            "client": href(format!("{base}/oauth2/v1/clients/{}", t.client_id)),
            "user": href(format!("{base}/api/v1/users/{user_id}")),
            "authorizationServer": href(format!("{base}/api/v1/authorizationServers/default")),
            "revoke": { "href": me, "hints": { "allow": ["DELETE"] } },
        }
    });
    if expand {
        let scopes: Vec<_> = t
            .scopes
            .iter()
            .map(|s| json!({ "id": format!("scp{s}"), "name": s, "displayName": s, "description": s }))
            .collect();
        v["_embedded"] = json!({ "scopes": scopes });
    }
    v
}

pub(crate) fn idp(base: &str, i: &Idp) -> Value {
    let me = format!("{base}/api/v1/idps/{}", i.id);
    json!({
        "id": i.id,
        "type": i.kind,
        "name": i.name,
        "status": "ACTIVE",
        "created": ts(i.created),
        "lastUpdated": ts(i.created),
        "issuerMode": "ORG_URL",
        "protocol": { "type": i.protocol },
        "_links": {
            "self": href(me.clone()),
            "users": href(format!("{me}/users")),
            "deactivate": href(format!("{me}/lifecycle/deactivate")),
        }
    })
}

const fn role_label(kind: &str) -> &str {
    match kind.as_bytes() {
        b"SUPER_ADMIN" => "Super Administrator",
        b"ORG_ADMIN" => "Organizational Administrator",
        b"APP_ADMIN" => "Application Administrator",
        b"USER_ADMIN" => "Group Administrator",
        b"HELP_DESK_ADMIN" => "Help Desk Administrator",
        b"READ_ONLY_ADMIN" => "Read Only Administrator",
        b"MOBILE_ADMIN" => "Mobile Administrator",
        b"API_ACCESS_MANAGEMENT_ADMIN" => "API Access Management Administrator",
        b"REPORT_ADMIN" => "Report Administrator",
        b"GROUP_MEMBERSHIP_ADMIN" => "Group Membership Administrator",
        b"CUSTOM" => "Custom Role",
        _ => "Administrator",
    }
}

pub(crate) fn role(base: &str, user_id: &str, r: &Role) -> Value {
    let mut v = json!({
        "id": r.id,
        "label": role_label(&r.kind),
        "type": r.kind,
        "status": "ACTIVE",
        "created": ts(r.created),
        "lastUpdated": ts(r.created),
        "assignmentType": "USER",
        "_links": { "assignee": href(format!("{base}/api/v1/users/{user_id}")) }
    });
    if let Some((role_id, set)) = &r.custom {
        v["role"] = json!(role_id);
        v["resource-set"] = json!(set);
        v["_links"]["member"] = href(format!(
            "{base}/api/v1/iam/resource-sets/{set}/bindings/{role_id}/members/{user_id}"
        ));
    }
    v
}

pub(crate) fn catalog_app(base: &str, c: &CatalogApp, instance: Option<&App>) -> Value {
    let mut v = json!({
        "name": c.name,
        "displayName": c.display,
        "description": format!("{} integration", c.display),
        "status": "ACTIVE",
        "category": c.category,
        "verificationStatus": "OKTA_VERIFIED",
        "website": format!("https://{}.example.com", c.name),
        "signOnModes": ["SAML_2_0"],
        "features": ["IMPORT_USER_SCHEMA"],
        "lastUpdated": "2024-01-01T00:00:00.000Z",
        "_links": {
            "logo": [{ "name": "medium", "href": format!("{base}/assets/img/logos/{}.png", c.name) }],
            "appLinks": [{ "name": "login", "href": format!("{base}/home/{}", c.name) }]
        }
    });
    if let Some(app) = instance {
        v["id"] = json!(app.id);
        v["_links"]["self"] = href(format!("{base}/api/v1/apps/{}", app.id));
    } else {
        v["_links"]["self"] = href(format!("{base}/api/v1/catalog/apps/{}", c.name));
    }
    v
}

/// A linked-object entry: just a link to the related user.
pub(crate) fn linked(base: &str, user_id: &str) -> Value {
    json!({ "_links": { "self": href(format!("{base}/api/v1/users/{user_id}")) } })
}
