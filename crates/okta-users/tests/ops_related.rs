//! App links, groups, identity providers and linked objects: the exact request each sends, the
//! decoding of its response, and paging across `Link` headers.

mod support;

use futures_util::{StreamExt, TryStreamExt};
use http::Method;
use okta_users::Error;
use okta_users::models::{IdentityProviderType, LifecycleStatus};
use serde_json::json;
use support::{Canned, Recorded, assert_no_body, assert_operation, fixture, only, recorder};

fn assert_get_without_body(recorded: &Recorded) {
    assert_eq!(recorded.method, Method::GET);
    assert_no_body(recorded);
}

#[tokio::test]
async fn list_app_links_decodes_the_spec_example() {
    let (users, log) = recorder(vec![
        Canned::json(200, fixture("ops_app_links.json")).header("x-okta-request-id", "r-al"),
    ]);
    let page = users.list_app_links("00ub0oNGTSWTBKOLGLNR").await.unwrap();
    assert_eq!(page.items.len(), 4);
    assert_eq!(page.request_id.as_deref(), Some("r-al"));
    assert!(!page.has_next());
    let salesforce = &page.items[3];
    assert_eq!(salesforce.label.as_deref(), Some("Salesforce.com"));
    assert_eq!(salesforce.app_name.as_deref(), Some("salesforce"));
    assert_eq!(
        salesforce.app_instance_id.as_deref(),
        Some("0oa12ecnxtBQMKOXJSMF")
    );
    assert_eq!(salesforce.credentials_setup, Some(true));
    assert_eq!(salesforce.hidden, Some(false));
    assert_eq!(salesforce.sort_order, Some(2));

    let sent = only(&log);
    assert_get_without_body(&sent);
    assert_eq!(sent.uri, "/api/v1/users/00ub0oNGTSWTBKOLGLNR/appLinks");
    assert_operation(&sent, "okta.users.list_app_links", "listAppLinks");
}

#[tokio::test]
async fn list_groups_decodes_the_spec_example() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_user_groups.json"))]);
    let groups = users.list_groups("00u1").collect_all().await.unwrap();
    assert_eq!(
        groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["0gabcd1234", "0gefgh5678"]
    );
    assert_eq!(groups[0].profile.name.as_deref(), Some("Cloud app users"));
    assert_eq!(
        groups[1].profile.description.as_deref(),
        Some("Users can access internal apps")
    );

    let sent = only(&log);
    assert_get_without_body(&sent);
    assert_eq!(sent.uri, "/api/v1/users/00u1/groups");
    assert_operation(&sent, "okta.users.list_groups", "listUserGroups");
}

#[tokio::test]
async fn list_identity_providers_decodes_the_spec_example() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_user_idps.json"))]);
    let page = users.list_identity_providers("00u1").send().await.unwrap();
    let types: Vec<_> = page
        .items
        .iter()
        .map(|idp| idp.r#type.clone().unwrap())
        .collect();
    use IdentityProviderType::{Facebook, Google, Linkedin, Microsoft, Oidc, Saml2, X509};
    assert_eq!(
        types,
        [Facebook, Saml2, Google, Linkedin, Microsoft, Oidc, X509]
    );
    assert!(types.iter().all(IdentityProviderType::is_known));
    let facebook = &page.items[0];
    assert_eq!(facebook.id, "0oa62b57p7c8PaGpU0h7");
    assert_eq!(facebook.r#type, Some(IdentityProviderType::Facebook));
    assert_eq!(facebook.status, Some(LifecycleStatus::Active));
    assert_eq!(
        facebook.protocol.as_ref().unwrap()["scopes"],
        json!(["public_profile", "email"])
    );
    assert!(facebook.links.contains("authorize"));
    assert_eq!(page.items[1].r#type, Some(IdentityProviderType::Saml2));
    assert_eq!(page.items[1].name.as_deref(), Some("Example SAML IdP"));

    let sent = only(&log);
    assert_get_without_body(&sent);
    assert_eq!(sent.uri, "/api/v1/users/00u1/idps");
    assert_operation(
        &sent,
        "okta.users.list_identity_providers",
        "listUserIdentityProviders",
    );
}

fn group(id: &str) -> serde_json::Value {
    json!({"id": id, "type": "OKTA_GROUP", "profile": {"name": format!("group {id}")}})
}

#[tokio::test]
async fn list_groups_stream_follows_separate_next_link_lines_across_pages() {
    let base = "https://acme.okta.com/api/v1/users/00u1/groups";
    let next1 = format!("{base}?after=0g2%2Bx%2Fy%3D&limit=2");
    let next2 = format!("{base}?after=0g4%2B%2B&limit=2");
    let pages = vec![
        Canned::json(200, json!([group("0g1"), group("0g2")]).to_string())
            .header("link", format!(r#"<{base}>; rel="self""#))
            .header("link", format!(r#"<{next1}>; rel="next""#)),
        Canned::json(200, json!([group("0g3"), group("0g4")]).to_string())
            .header("link", format!(r#"<{next1}>; rel="self""#))
            .header("link", format!(r#"<{next2}>; rel="next""#)),
        Canned::json(200, json!([group("0g5")]).to_string())
            .header("link", format!(r#"<{next2}>; rel="self""#)),
    ];
    let (users, log) = recorder(pages);
    let ids: Vec<String> = users
        .list_groups("00u1")
        .stream()
        .map_ok(|g| g.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["0g1", "0g2", "0g3", "0g4", "0g5"]);

    let log = log.lock().unwrap();
    let uris: Vec<&str> = log.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/users/00u1/groups",
            "/api/v1/users/00u1/groups?after=0g2%2Bx%2Fy%3D&limit=2",
            "/api/v1/users/00u1/groups?after=0g4%2B%2B&limit=2",
        ]
    );
    for recorded in log.iter() {
        assert_eq!(recorded.method, Method::GET);
        assert_operation(recorded, "okta.users.list_groups", "listUserGroups");
    }
}

#[tokio::test]
async fn list_linked_objects_pages_with_after_and_limit() {
    let base = "https://acme.okta.com/api/v1/users/00u1/linkedObjects/subordinate";
    let link = |id: &str| json!({"_links": {"self": {"href": format!("https://acme.okta.com/api/v1/users/{id}")}}});
    let next = |cursor: &str| format!("{base}?after={cursor}&limit=1");
    let pages = vec![
        Canned::json(200, json!([link("00u2")]).to_string())
            .header("link", format!(r#"<{base}?limit=1>; rel="self""#))
            .header("link", format!(r#"<{}>; rel="next""#, next("00u2%2Ba"))),
        Canned::json(200, json!([link("00u3")]).to_string())
            .header("link", format!(r#"<{}>; rel="self""#, next("00u2%2Ba")))
            .header(
                "link",
                format!(r#"<{}>; rel="next""#, next("00u3%2Bb%3D%3D")),
            ),
        Canned::json(200, json!([link("00u4")]).to_string()).header(
            "link",
            format!(r#"<{}>; rel="self""#, next("00u3%2Bb%3D%3D")),
        ),
    ];
    let (users, log) = recorder(pages);
    let mut pages = users
        .list_linked_objects("00u1", "subordinate")
        .limit(1)
        .pages();
    let mut seen = Vec::new();
    let mut cursors = Vec::new();
    while let Some(page) = pages.try_next().await.unwrap() {
        cursors.push(page.next_cursor());
        seen.extend(page.items.iter().map(|o| o.user_id().unwrap().to_owned()));
    }
    assert_eq!(seen, ["00u2", "00u3", "00u4"]);
    assert_eq!(
        cursors,
        [Some("00u2+a".to_owned()), Some("00u3+b==".to_owned()), None]
    );

    let log = log.lock().unwrap();
    let uris: Vec<&str> = log.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/users/00u1/linkedObjects/subordinate?limit=1",
            "/api/v1/users/00u1/linkedObjects/subordinate?after=00u2%2Ba&limit=1",
            "/api/v1/users/00u1/linkedObjects/subordinate?after=00u3%2Bb%3D%3D&limit=1",
        ]
    );
    assert_operation(
        &log[2],
        "okta.users.list_linked_objects",
        "listLinkedObjectsForUser",
    );
}

#[tokio::test]
async fn list_linked_objects_decodes_the_spec_examples() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_linked_objects_associated.json"),
    )]);
    let page = users
        .list_linked_objects("ada@example.com", "subordinate")
        .after("00u1+x")
        .limit(50)
        .await
        .unwrap();
    let ids: Vec<_> = page.items.iter().map(|o| o.user_id().unwrap()).collect();
    assert_eq!(ids, ["00u5zex6ztMbOZhF50h7", "00u1tsf0nQKavLDUh0g5"]);

    let sent = only(&log);
    assert_get_without_body(&sent);
    assert_eq!(
        sent.uri,
        "/api/v1/users/ada@example.com/linkedObjects/subordinate?after=00u1%2Bx&limit=50"
    );
    assert_operation(
        &sent,
        "okta.users.list_linked_objects",
        "listLinkedObjectsForUser",
    );

    let (users, _log) = recorder(vec![Canned::json(
        200,
        fixture("ops_linked_objects_primary.json"),
    )]);
    let primary = users
        .list_linked_objects("00u1", "manager")
        .collect_all()
        .await
        .unwrap();
    assert_eq!(primary.len(), 1);
    assert_eq!(
        primary[0].href(),
        Some("https://{yourOktaDomain}/api/v1/users/00u5t60iloOHN9pBi0h7")
    );
}

#[tokio::test]
async fn assign_linked_object_puts_three_segments() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .assign_linked_object("00u2", "manager", "00u1")
        .await
        .unwrap();

    let sent = only(&log);
    assert_eq!(sent.method, Method::PUT);
    assert_eq!(sent.uri, "/api/v1/users/00u2/linkedObjects/manager/00u1");
    assert_operation(
        &sent,
        "okta.users.assign_linked_object",
        "assignLinkedObjectValueForPrimary",
    );
    assert!(sent.body.is_empty());

    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .assign_linked_object("../groups", "a/b", "c?d")
        .await
        .unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/..%2Fgroups/linkedObjects/a%2Fb/c%3Fd"
    );

    let (users, log) = recorder(vec![Canned::empty(204)]);
    for (args, what) in [
        (("", "manager", "00u1"), "associatedUserId"),
        (("00u2", "", "00u1"), "primaryRelationshipName"),
        (("00u2", "manager", ".."), "primaryUserId"),
    ] {
        let error = users
            .assign_linked_object(args.0, args.1, args.2)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidInput { what: w, .. } if *w == what),
            "{error:?}"
        );
    }
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn delete_linked_object() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users.delete_linked_object("00u2", "manager").await.unwrap();

    let sent = only(&log);
    assert_eq!(sent.method, Method::DELETE);
    assert_eq!(sent.uri, "/api/v1/users/00u2/linkedObjects/manager");
    assert_operation(
        &sent,
        "okta.users.delete_linked_object",
        "deleteLinkedObjectForUser",
    );
    assert!(sent.body.is_empty());

    let (users, log) = recorder(vec![Canned::empty(204)]);
    let error = users.delete_linked_object("00u2", "").await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "relationshipName",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn ids_stay_one_segment_and_empty_ids_are_refused() {
    let (users, log) = recorder(vec![Canned::json(200, "[]")]);
    users.list_app_links("../groups").await.unwrap();
    users.list_groups("../groups").await.unwrap();
    users.list_identity_providers("../groups").await.unwrap();
    users
        .list_linked_objects("../groups", "manager")
        .await
        .unwrap();
    let uris: Vec<String> = log.lock().unwrap().iter().map(|r| r.uri.clone()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/users/..%2Fgroups/appLinks",
            "/api/v1/users/..%2Fgroups/groups",
            "/api/v1/users/..%2Fgroups/idps",
            "/api/v1/users/..%2Fgroups/linkedObjects/manager",
        ]
    );

    let (users, log) = recorder(vec![Canned::json(200, "[]")]);
    let errors = [
        users.list_app_links("").await.map(drop).unwrap_err(),
        users
            .list_groups("")
            .collect_all()
            .await
            .map(drop)
            .unwrap_err(),
        users
            .list_identity_providers("")
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .map(drop)
            .unwrap_err(),
        users
            .list_linked_objects("", "manager")
            .await
            .map(drop)
            .unwrap_err(),
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
async fn an_error_mid_stream_ends_the_stream_with_okta_s_error() {
    let body = r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oaeRL","errorCauses":[]}"#;
    let pages = vec![
        Canned::json(200, json!([group("0g1")]).to_string())
            .header(
                "link",
                r#"<https://acme.okta.com/api/v1/users/00u1/groups>; rel="self""#,
            )
            .header(
                "link",
                r#"<https://acme.okta.com/api/v1/users/00u1/groups?after=0g1>; rel="next""#,
            ),
        Canned::json(429, body).header("x-okta-request-id", "req-429"),
    ];
    let (users, _log) = recorder(pages);
    let items: Vec<_> = users.list_groups("00u1").stream().collect().await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_ref().unwrap().id, "0g1");
    let error = items[1].as_ref().unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(error.api().unwrap().request_id.as_deref(), Some("req-429"));
}
