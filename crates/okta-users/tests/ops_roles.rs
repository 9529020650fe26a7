//! The admin role operations of a user: role assignments, app targets, group targets.

mod support;

use http::Method;
use okta_users::models::{
    AssignRoleRequest, CatalogApplicationStatus, GroupType, LifecycleStatus, RoleAssignmentType,
    RoleType,
};
use okta_users::{Error, Operation};
use serde_json::json;
use support::{Canned, assert_sent, fixture, only, recorder};

#[tokio::test]
async fn list_roles_sends_expand_and_decodes_standard_and_custom_roles() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_roles_list.json"))]);
    let page = users
        .list_roles("00ur32Vg0fvpyHZeQ0g3")
        .expand("targets/groups")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00ur32Vg0fvpyHZeQ0g3/roles?expand=targets%2Fgroups",
        "okta.users.list_roles",
        "listAssignedRolesForUser",
    );
    let roles = page.items;
    assert_eq!(roles.len(), 6);

    let app_admin = &roles[0];
    assert_eq!(app_admin.id, "IFIFAX2BIRGUSTQ");
    assert_eq!(app_admin.r#type, RoleType::AppAdmin);
    assert_eq!(
        app_admin.label.as_deref(),
        Some("Application administrator")
    );
    assert_eq!(app_admin.status, Some(LifecycleStatus::Active));
    assert_eq!(app_admin.assignment_type, Some(RoleAssignmentType::User));
    assert_eq!(
        app_admin.links.href("assignee"),
        Some("https://{yourOktaDomain}/api/v1/users/00ur32Vg0fvpyHZeQ0g3")
    );
    assert!(!app_admin.is_custom() && app_admin.role.is_none() && app_admin.resource_set.is_none());

    assert_eq!(roles[3].r#type, RoleType::ApiAccessManagementAdmin);
    assert_eq!(roles[3].assignment_type, Some(RoleAssignmentType::Group));

    let custom = &roles[4];
    assert!(custom.is_custom());
    assert_eq!(custom.id, "irb1q92TFAHzySt3x0g4");
    assert_eq!(custom.role.as_deref(), Some("cr0Yq6IJxGIr0ouum0g3"));
    assert_eq!(
        custom.resource_set.as_deref(),
        Some("iamoJDFKaJxGIr0oamd9g")
    );
    assert_eq!(
        custom.links.href("resource-set"),
        Some("https://{yourOktaDomain}/api/v1/iam/resource-sets/iamoJDFKaJxGIr0oamd9g")
    );
    assert!(custom.links.contains("permissions") && custom.links.contains("member"));
}

#[tokio::test]
async fn assign_role_posts_a_standard_role_and_decodes_the_standard_shape() {
    let (users, log) = recorder(vec![Canned::json(
        201,
        fixture("ops_roles_assign_standard.json"),
    )]);
    let role = users
        .assign_role("00ub0oNGTSWTBKOLGLNR", RoleType::SuperAdmin)
        .await
        .unwrap();
    let request = only(&log);
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.uri, "/api/v1/users/00ub0oNGTSWTBKOLGLNR/roles");
    assert_eq!(
        request.operation,
        Some(Operation::new("okta.users.assign_role", "assignRoleToUser"))
    );
    assert_eq!(
        request.headers.get(http::header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    assert_eq!(request.json(), json!({"type": "SUPER_ADMIN"}));

    assert_eq!(role.id, "ra1b8anIk7rx7em7L0g4");
    assert_eq!(role.r#type, RoleType::SuperAdmin);
    assert_eq!(
        role.label.as_deref(),
        Some("Super Organization administrator")
    );
    assert!(!role.is_custom());
    assert_eq!(role.created.map(|t| t.year()), Some(2015));
}

#[tokio::test]
async fn assign_role_posts_a_custom_role_and_decodes_the_custom_shape() {
    let (users, log) = recorder(vec![Canned::json(
        201,
        fixture("ops_roles_assign_custom.json"),
    )]);
    let role = users
        .assign_role(
            "00ub0oNGTSWTBKOLGLNR",
            AssignRoleRequest::custom("cr0Yq6IJxGIr0ouum0g3", "iamoJDFKaJxGIr0oamd9g"),
        )
        .disable_notifications(true)
        .await
        .unwrap();
    let request = only(&log);
    assert_eq!(request.method, Method::POST);
    assert_eq!(
        request.uri,
        "/api/v1/users/00ub0oNGTSWTBKOLGLNR/roles?disableNotifications=true"
    );
    assert_eq!(
        request.json(),
        json!({"type": "CUSTOM", "role": "cr0Yq6IJxGIr0ouum0g3", "resource-set": "iamoJDFKaJxGIr0oamd9g"})
    );

    assert!(role.is_custom());
    assert_eq!(role.id, "irb1q92TFAHzySt3x0g4");
    assert_eq!(role.role.as_deref(), Some("cr0Yq6IJxGIr0ouum0g3"));
    assert_eq!(role.resource_set.as_deref(), Some("iamoJDFKaJxGIr0oamd9g"));
    assert_eq!(role.label.as_deref(), Some("UserCreatorRole"));
    assert_eq!(
        role.links.href("role"),
        Some("https://{yourOktaDomain}/api/v1/iam/roles/cr0Yq6IJxGIr0ouum0g3")
    );
}

#[tokio::test]
async fn assign_role_sends_disable_notifications_false_as_false() {
    let (users, log) = recorder(vec![Canned::json(
        201,
        fixture("ops_roles_assign_iam.json"),
    )]);
    let role = users
        .assign_role(
            "00u1",
            AssignRoleRequest::standard(RoleType::AccessRequestsAdmin),
        )
        .disable_notifications(false)
        .send()
        .await
        .unwrap();
    let request = only(&log);
    assert_eq!(
        request.uri,
        "/api/v1/users/00u1/roles?disableNotifications=false"
    );
    assert_eq!(request.json(), json!({"type": "ACCESS_REQUESTS_ADMIN"}));
    // an IAM-based standard role answers in the custom role's shape
    assert_eq!(role.r#type, RoleType::AccessRequestsAdmin);
    assert_eq!(role.role.as_deref(), Some("ACCESS_REQUESTS_ADMIN"));
    assert_eq!(
        role.resource_set.as_deref(),
        Some("ACCESS_CERTIFICATIONS_IAM_POLICY")
    );
}

#[tokio::test]
async fn unassign_role_deletes_the_assignment() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .unassign_role("00u1", "ra1b8anIk7rx7em7L0g4")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/roles/ra1b8anIk7rx7em7L0g4",
        "okta.users.unassign_role",
        "unassignRoleFromUser",
    );
}

#[tokio::test]
async fn list_app_targets_sends_after_and_limit_and_decodes_apps_and_instances() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_roles_app_targets.json"),
    )]);
    let page = users
        .list_app_targets("00u1", "IFIFAX2BIRGUSTQ")
        .after("salesforce")
        .limit(2)
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00u1/roles/IFIFAX2BIRGUSTQ/targets/catalog/apps?after=salesforce&limit=2",
        "okta.users.list_app_targets",
        "listApplicationTargetsForApplicationAdministratorRoleForUser",
    );
    let [catalog_app, instance] = &page.items[..] else {
        panic!("two targets expected: {:?}", page.items)
    };
    assert_eq!(catalog_app.name.as_deref(), Some("salesforce"));
    assert_eq!(catalog_app.id, None, "an OIN catalog app has no id");
    assert_eq!(catalog_app.display_name.as_deref(), Some("Salesforce.com"));
    assert_eq!(catalog_app.status, Some(CatalogApplicationStatus::Active));
    assert_eq!(catalog_app.sign_on_modes.as_ref().map(Vec::len), Some(3));
    assert_eq!(
        catalog_app.links.href("self"),
        Some("https://{yourOktaDomain}/api/v1/catalog/apps/salesforce")
    );
    assert_eq!(
        instance.id.as_deref(),
        Some("0oapsqQ6dv19pqyEo0g3"),
        "an app instance has an id"
    );
    assert_eq!(instance.name.as_deref(), Some("facebook"));
}

#[tokio::test]
async fn assign_all_apps_target_puts_without_a_body_and_accepts_an_empty_200() {
    let (users, log) = recorder(vec![Canned::empty(200)]);
    users
        .assign_all_apps_target("00u1", "IFIFAX2BIRGUSTQ")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::PUT,
        "/api/v1/users/00u1/roles/IFIFAX2BIRGUSTQ/targets/catalog/apps",
        "okta.users.assign_all_apps_target",
        "assignAllAppsAsTargetToRoleForUser",
    );
}

#[tokio::test]
async fn assign_app_target_puts_the_app_name() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .assign_app_target("00u1", "IFIFAX2BIRGUSTQ", "salesforce")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::PUT,
        "/api/v1/users/00u1/roles/IFIFAX2BIRGUSTQ/targets/catalog/apps/salesforce",
        "okta.users.assign_app_target",
        "assignAppTargetToAdminRoleForUser",
    );
}

#[tokio::test]
async fn unassign_app_target_deletes_the_app_name() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .unassign_app_target("00u1", "IFIFAX2BIRGUSTQ", "salesforce")
        .send()
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/roles/IFIFAX2BIRGUSTQ/targets/catalog/apps/salesforce",
        "okta.users.unassign_app_target",
        "unassignAppTargetFromAppAdminRoleForUser",
    );
}

#[tokio::test]
async fn assign_app_instance_target_puts_the_app_name_and_instance() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .assign_app_instance_target(
            "00u1",
            "IFIFAX2BIRGUSTQ",
            "facebook",
            "0oapsqQ6dv19pqyEo0g3",
        )
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::PUT,
        "/api/v1/users/00u1/roles/IFIFAX2BIRGUSTQ/targets/catalog/apps/facebook/0oapsqQ6dv19pqyEo0g3",
        "okta.users.assign_app_instance_target",
        "assignAppInstanceTargetToAppAdminRoleForUser",
    );
}

#[tokio::test]
async fn unassign_app_instance_target_deletes_the_app_name_and_instance() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .unassign_app_instance_target(
            "00u1",
            "IFIFAX2BIRGUSTQ",
            "facebook",
            "0oapsqQ6dv19pqyEo0g3",
        )
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/roles/IFIFAX2BIRGUSTQ/targets/catalog/apps/facebook/0oapsqQ6dv19pqyEo0g3",
        "okta.users.unassign_app_instance_target",
        "unassignAppInstanceTargetFromAdminRoleForUser",
    );
}

#[tokio::test]
async fn list_group_targets_sends_after_and_limit_and_decodes_groups() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_roles_group_targets.json"),
    )]);
    let page = users
        .list_group_targets("00u1", "JBCUYUC7IRCVGS27IFCE2SKO")
        .after("00g0")
        .limit(50)
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00u1/roles/JBCUYUC7IRCVGS27IFCE2SKO/targets/groups?after=00g0&limit=50",
        "okta.users.list_group_targets",
        "listGroupTargetsForRole",
    );
    let [group] = &page.items[..] else {
        panic!("one group expected: {:?}", page.items)
    };
    assert_eq!(group.id, "00g1emaKYZTWRYYRRTSK");
    assert_eq!(group.r#type, Some(GroupType::OktaGroup));
    assert_eq!(group.profile.name.as_deref(), Some("West Coast users"));
    assert_eq!(
        group.profile.description.as_deref(),
        Some("All users West of The Rockies")
    );
    assert_eq!(
        group.object_class.as_deref(),
        Some(&["okta:user_group".to_owned()][..])
    );
    assert!(group.links.contains("users"));
}

#[tokio::test]
async fn assign_group_target_puts_the_group() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .assign_group_target("00u1", "JBCUYUC7IRCVGS27IFCE2SKO", "00g1emaKYZTWRYYRRTSK")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::PUT,
        "/api/v1/users/00u1/roles/JBCUYUC7IRCVGS27IFCE2SKO/targets/groups/00g1emaKYZTWRYYRRTSK",
        "okta.users.assign_group_target",
        "assignGroupTargetToUserRole",
    );
}

#[tokio::test]
async fn unassign_group_target_deletes_the_group() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .unassign_group_target("00u1", "JBCUYUC7IRCVGS27IFCE2SKO", "00g1emaKYZTWRYYRRTSK")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/roles/JBCUYUC7IRCVGS27IFCE2SKO/targets/groups/00g1emaKYZTWRYYRRTSK",
        "okta.users.unassign_group_target",
        "unassignGroupTargetFromUserAdminRole",
    );
}

#[tokio::test]
async fn ids_with_slashes_stay_one_segment() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .assign_app_instance_target("a/b", "../../groups", "sales force", "0oa?x#y")
        .await
        .unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/a%2Fb/roles/..%2F..%2Fgroups/targets/catalog/apps/sales%20force/0oa%3Fx%23y"
    );

    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .unassign_group_target("00u1", "ra1", "00g/1")
        .await
        .unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/roles/ra1/targets/groups/00g%2F1"
    );
}

#[tokio::test]
async fn empty_ids_are_refused_before_anything_is_sent() {
    let (users, log) = recorder(vec![Canned::empty(204)]);

    let error = users.list_roles("").await.unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { what: "userId", .. }),
        "{error:?}"
    );
    let error = users
        .assign_role("", RoleType::UserAdmin)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { what: "userId", .. }),
        "{error:?}"
    );
    let error = users.unassign_role("00u1", "").await.unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { what: "roleId", .. }),
        "{error:?}"
    );
    let error = users
        .assign_app_target("00u1", "ra1", "")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "appName",
                ..
            }
        ),
        "{error:?}"
    );
    let error = users
        .unassign_app_instance_target("00u1", "ra1", "salesforce", "")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "applicationId",
                ..
            }
        ),
        "{error:?}"
    );
    let error = users
        .assign_group_target("00u1", "ra1", "")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "groupId",
                ..
            }
        ),
        "{error:?}"
    );
    let error = users
        .list_group_targets("00u1", "")
        .collect_all()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { what: "roleId", .. }),
        "{error:?}"
    );

    assert!(
        log.lock().unwrap().is_empty(),
        "nothing may be sent: {:?}",
        log.lock().unwrap()
    );
}

#[tokio::test]
async fn an_okta_error_is_kept_whole() {
    let body = r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: ra404 (Role)","errorLink":"E0000007","errorId":"oaeXyz123","errorCauses":[{"errorSummary":"roleAssignmentId: not found"}]}"#;
    let (users, log) = recorder(vec![
        Canned::json(404, body).header("x-okta-request-id", "reqRoles404"),
    ]);
    let error = users.unassign_role("00u1", "ra404").await.unwrap_err();
    assert_eq!(log.lock().unwrap().len(), 1);
    let Error::Api(api) = &error else {
        panic!("expected an Okta error, got {error:?}")
    };
    assert_eq!(api.status, http::StatusCode::NOT_FOUND);
    assert_eq!(api.error_code, "E0000007");
    assert_eq!(
        api.error_summary,
        "Not found: Resource not found: ra404 (Role)"
    );
    assert_eq!(api.error_link.as_deref(), Some("E0000007"));
    assert_eq!(api.error_id.as_deref(), Some("oaeXyz123"));
    assert_eq!(api.error_causes.len(), 1);
    assert_eq!(
        api.error_causes[0].error_summary,
        "roleAssignmentId: not found"
    );
    assert_eq!(api.request_id.as_deref(), Some("reqRoles404"));
}

#[tokio::test]
async fn a_validation_error_on_assign_role_is_an_api_error() {
    let body = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: type","errorLink":"E0000001","errorId":"sampleiCF-8D5rLW6myqiPItW","errorCauses":[]}"#;
    let (users, _log) = recorder(vec![
        Canned::json(400, body).header("x-okta-request-id", "req-400"),
    ]);
    let error = users
        .assign_role("00u1", RoleType::Other("NOT_A_ROLE".into()))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::BAD_REQUEST));
    assert_eq!(error.error_code(), Some("E0000001"));
    assert_eq!(
        error.api().and_then(|api| api.request_id.as_deref()),
        Some("req-400")
    );
}

#[tokio::test]
async fn group_targets_are_walked_across_pages_with_separate_link_lines() {
    let group = |id: &str| {
        format!(r#"{{"id":"{id}","type":"OKTA_GROUP","profile":{{"name":"Group {id}"}}}}"#)
    };
    let base = "https://example.okta.com/api/v1/users/00u1/roles/ra1/targets/groups";
    let responses = vec![
        Canned::json(200, format!("[{},{}]", group("00g1"), group("00g2")))
            .header("link", format!(r#"<{base}?limit=2>; rel="self""#))
            .header(
                "link",
                format!(r#"<{base}?after=00g2&limit=2>; rel="next""#),
            ),
        Canned::json(200, format!("[{},{}]", group("00g3"), group("00g4")))
            .header(
                "link",
                format!(r#"<{base}?after=00g2&limit=2>; rel="self""#),
            )
            .header(
                "link",
                format!(r#"<{base}?after=00g4&limit=2>; rel="next""#),
            ),
        Canned::json(200, format!("[{}]", group("00g5"))).header(
            "link",
            format!(r#"<{base}?after=00g4&limit=2>; rel="self""#),
        ),
    ];
    let (users, log) = recorder(responses);
    let groups = users
        .list_group_targets("00u1", "ra1")
        .limit(2)
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<_> = groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["00g1", "00g2", "00g3", "00g4", "00g5"]);
    assert_eq!(groups[4].profile.name.as_deref(), Some("Group 00g5"));

    let log = log.lock().unwrap();
    let uris: Vec<_> = log.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/users/00u1/roles/ra1/targets/groups?limit=2",
            "/api/v1/users/00u1/roles/ra1/targets/groups?after=00g2&limit=2",
            "/api/v1/users/00u1/roles/ra1/targets/groups?after=00g4&limit=2",
        ]
    );
    for request in log.iter() {
        assert_eq!(
            request.operation,
            Some(Operation::new(
                "okta.users.list_group_targets",
                "listGroupTargetsForRole"
            ))
        );
    }
}

#[tokio::test]
async fn the_role_handle_builds_the_same_requests() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    let role = users.role("00u1", "ra1");
    assert_eq!((role.user_id(), role.role_id()), ("00u1", "ra1"));
    role.assign_app_target("salesforce").await.unwrap();
    role.unassign_app_instance_target("facebook", "0oa2")
        .await
        .unwrap();
    role.assign_group_target("00g1").await.unwrap();
    role.assign_all_apps_target().await.unwrap();
    role.unassign().await.unwrap();

    let sent: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.uri.clone(),
                r.operation.unwrap().operation_id,
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (
                Method::PUT,
                "/api/v1/users/00u1/roles/ra1/targets/catalog/apps/salesforce".to_owned(),
                "assignAppTargetToAdminRoleForUser"
            ),
            (
                Method::DELETE,
                "/api/v1/users/00u1/roles/ra1/targets/catalog/apps/facebook/0oa2".to_owned(),
                "unassignAppInstanceTargetFromAdminRoleForUser"
            ),
            (
                Method::PUT,
                "/api/v1/users/00u1/roles/ra1/targets/groups/00g1".to_owned(),
                "assignGroupTargetToUserRole"
            ),
            (
                Method::PUT,
                "/api/v1/users/00u1/roles/ra1/targets/catalog/apps".to_owned(),
                "assignAllAppsAsTargetToRoleForUser"
            ),
            (
                Method::DELETE,
                "/api/v1/users/00u1/roles/ra1".to_owned(),
                "unassignRoleFromUser"
            ),
        ]
    );
}
