//! User operations (list, create, get, update, replace, delete): the exact request each sends and
//! the decoding of its response.

mod support;

use futures_util::TryStreamExt;
use http::Method;
use okta_users::Error;
use okta_users::models::{
    CreateUserRequest, UpdateUserRequest, UserNextLogin, UserProfile, UserStatus,
};
use okta_users::ops::user::SortOrder;
use serde_json::json;
use support::{Canned, assert_operation, fixture, fixture_json, only, recorder};

#[tokio::test]
async fn list_sends_every_parameter_encoded_and_decodes_the_spec_example() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_list_users.json"))]);
    let page = users
        .list()
        .q("Ali")
        .after("00u1+x/y=")
        .limit(2)
        .filter(r#"status eq "ACTIVE""#)
        .search(r#"profile.department eq "R&D""#)
        .sort_by("profile.lastName")
        .sort_order(SortOrder::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let alice = &page.items[0];
    assert_eq!(alice.id, "00u118oQYT4TBTemp0g4");
    assert_eq!(alice.status, UserStatus::Active);
    assert_eq!(
        alice.profile.login.as_deref(),
        Some("alice.smith@example.com")
    );
    assert_eq!(alice.profile.mobile_phone, None);
    assert_eq!(
        alice.r#type.as_ref().map(|t| t.id.as_str()),
        Some("oty1162QAr8hJjTaq0g4")
    );
    assert!(!page.has_next());

    let sent = only(&log);
    assert_eq!(sent.method, Method::GET);
    assert_eq!(
        sent.uri,
        "/api/v1/users?q=Ali&after=00u1%2Bx%2Fy%3D&limit=2&filter=status%20eq%20%22ACTIVE%22\
         &search=profile.department%20eq%20%22R%26D%22&sortBy=profile.lastName&sortOrder=desc"
    );
    assert_operation(&sent, "okta.users.list", "listUsers");
    assert!(sent.body.is_empty());
}

#[tokio::test]
async fn list_stream_follows_next_links() {
    let page1 = Canned::json(200, fixture("ops_list_users.json"))
        .header("link", r#"<https://acme.okta.com/api/v1/users?limit=1>; rel="self""#)
        .header("link", r#"<https://acme.okta.com/api/v1/users?after=00u118oQYT4TBTemp0g4&limit=1>; rel="next""#);
    let page2 = Canned::json(
        200,
        fixture("ops_list_users.json").replace("00u118oQYT4TBTemp0g4", "00u2"),
    )
    .header(
        "link",
        r#"<https://acme.okta.com/api/v1/users?after=00u118oQYT4TBTemp0g4&limit=1>; rel="self""#,
    );
    let (users, log) = recorder(vec![page1, page2]);
    let all: Vec<_> = users.list().limit(1).stream().try_collect().await.unwrap();
    assert_eq!(
        all.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["00u118oQYT4TBTemp0g4", "00u2"]
    );
    let log = log.lock().unwrap();
    assert_eq!(
        log[1].uri,
        "/api/v1/users?after=00u118oQYT4TBTemp0g4&limit=1"
    );
    assert_operation(&log[1], "okta.users.list", "listUsers");
}

#[tokio::test]
async fn create_sends_the_spec_example_and_activate_false() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_create_user_response.json"),
    )]);
    let mut profile = UserProfile::new(
        "Isaac",
        "Brock",
        "isaac.brock@example.com",
        "isaac.brock@example.com",
    );
    profile.mobile_phone = Some("555-415-1337".into());
    let body = CreateUserRequest::new(profile).password("tlpWENT2m");
    let user = users.create(body).activate(false).await.unwrap();
    assert_eq!(user.id, "00ub0oNGTSWTBKOLGLNR");
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(user.activated, None);
    assert!(user.links.contains("activate"));

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(sent.uri, "/api/v1/users?activate=false");
    assert_operation(&sent, "okta.users.create", "createUser");
    assert_eq!(sent.headers["content-type"], "application/json");
    assert_eq!(sent.json(), fixture_json("ops_create_user_request.json"));
}

#[tokio::test]
async fn create_with_every_parameter() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_create_user_response.json"),
    )]);
    let profile = UserProfile::new(
        "Isaac",
        "Brock",
        "isaac.brock@example.com",
        "isaac.brock@example.com",
    );
    users
        .create(CreateUserRequest::new(profile))
        .activate(true)
        .provider(false)
        .next_login(UserNextLogin::ChangePassword)
        .await
        .unwrap();
    let sent = only(&log);
    assert_eq!(
        sent.uri,
        "/api/v1/users?activate=true&provider=false&nextLogin=changePassword"
    );
    assert_eq!(
        sent.json(),
        json!({"profile": {
            "firstName": "Isaac", "lastName": "Brock",
            "email": "isaac.brock@example.com", "login": "isaac.brock@example.com"
        }})
    );
}

#[tokio::test]
async fn get_decodes_the_spec_example() {
    let (users, log) = recorder(vec![
        Canned::json(200, fixture("ops_user.json")).header("x-okta-request-id", "r1"),
    ]);
    let user = users
        .get("isaac.brock@example.com")
        .expand("blocks")
        .await
        .unwrap();
    assert_eq!(user.id, "00ub0oNGTSWTBKOLGLNR");
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(user.profile.division.as_deref(), Some("R&D"));
    assert_eq!(user.profile.cost_center.as_deref(), Some("10"));
    assert_eq!(user.created.map(|t| t.year()), Some(2013));
    assert_eq!(
        user.links.href("self"),
        Some("https://{yourOktaDomain}/api/v1/users/00u1f96ECLNVOKVMUSEA")
    );

    let sent = only(&log);
    assert_eq!(sent.method, Method::GET);
    assert_eq!(
        sent.uri,
        "/api/v1/users/isaac.brock@example.com?expand=blocks"
    );
    assert_operation(&sent, "okta.users.get", "getUser");
    assert!(sent.body.is_empty());
}

#[tokio::test]
async fn update_posts_a_partial_profile() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_user.json"))]);
    let mut profile = UserProfile::default();
    profile.first_name = Some("Isaac".into());
    profile.email = Some("isaac.brock@update.example.com".into());
    profile.mobile_phone = Some("555-415-1337".into());
    let user = users
        .update("00ub0oNGTSWTBKOLGLNR", UpdateUserRequest::profile(profile))
        .strict(false)
        .await
        .unwrap();
    assert_eq!(user.profile.first_name.as_deref(), Some("Isaac"));

    let sent = only(&log);
    assert_eq!(sent.method, Method::POST);
    assert_eq!(sent.uri, "/api/v1/users/00ub0oNGTSWTBKOLGLNR?strict=false");
    assert_operation(&sent, "okta.users.update", "updateUser");
    assert_eq!(sent.json(), fixture_json("ops_update_user_request.json"));
}

#[tokio::test]
async fn replace_puts_the_whole_user() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_user.json"))]);
    let mut profile = UserProfile::new(
        "Isaac",
        "Brock",
        "isaac.brock@example.com",
        "isaac.brock@example.com",
    );
    profile.mobile_phone = Some("555-415-1337".into());
    let mut body = UpdateUserRequest::profile(profile).password("tlpWENT2m");
    body.credentials.as_mut().unwrap().recovery_question =
        Some(okta_users::models::RecoveryQuestionCredential::new(
            "Who's a major player in the cowboy scene?",
            "Annie Oakley",
        ));
    body.credentials.as_mut().unwrap().provider =
        Some(okta_users::models::AuthenticationProvider::new(
            okta_users::models::AuthenticationProviderType::Okta,
            Some("OKTA".into()),
        ));
    users
        .replace("00ub0oNGTSWTBKOLGLNR", body)
        .strict(true)
        .await
        .unwrap();

    let sent = only(&log);
    assert_eq!(sent.method, Method::PUT);
    assert_eq!(sent.uri, "/api/v1/users/00ub0oNGTSWTBKOLGLNR?strict=true");
    assert_operation(&sent, "okta.users.replace", "replaceUser");
    assert_eq!(sent.json(), fixture_json("ops_replace_user_request.json"));
}

#[tokio::test]
async fn custom_attributes_survive_get_modify_replace() {
    let mut user_json = fixture_json("ops_user.json");
    let custom = json!({
        "costCenterCode": "CC-42",
        "favoriteNumbers": [3, 7, 42],
        "isContractor": false,
        "badgeNumber": 1337,
        "emergencyContact": {"name": "Ada", "phone": null},
        "nickName": null,
        "nullableCustom": null
    });
    for (key, value) in custom.as_object().unwrap() {
        user_json["profile"][key] = value.clone();
    }
    let original_profile = user_json["profile"].clone();
    let (users, log) = recorder(vec![Canned::json(200, user_json.to_string())]);

    let mut user = users.get("00ub0oNGTSWTBKOLGLNR").await.unwrap();
    assert_eq!(
        user.profile.custom("favoriteNumbers"),
        Some(json!([3, 7, 42]))
    );
    user.profile.title = Some("Chief Brock".into());
    users
        .replace(
            "00ub0oNGTSWTBKOLGLNR",
            UpdateUserRequest::profile(user.profile),
        )
        .await
        .unwrap();

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].method, Method::PUT);
    let mut expected = original_profile;
    expected["title"] = json!("Chief Brock");
    assert_eq!(log[1].json(), json!({ "profile": expected }));
}

#[tokio::test]
async fn delete_sends_send_email_false() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .delete("00ub0oNGTSWTBKOLGLNR")
        .send_email(false)
        .await
        .unwrap();
    let sent = only(&log);
    assert_eq!(sent.method, Method::DELETE);
    assert_eq!(
        sent.uri,
        "/api/v1/users/00ub0oNGTSWTBKOLGLNR?sendEmail=false"
    );
    assert_operation(&sent, "okta.users.delete", "deleteUser");
    assert!(sent.body.is_empty());
}

#[tokio::test]
async fn ids_stay_one_segment_and_empty_ids_are_refused() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_user.json"))]);
    users.get("../groups").await.unwrap();
    assert_eq!(only(&log).uri, "/api/v1/users/..%2Fgroups");

    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_user.json"))]);
    let errors = [
        users.get("").await.map(drop).unwrap_err(),
        users
            .update("", UpdateUserRequest::new())
            .await
            .map(drop)
            .unwrap_err(),
        users
            .replace("", UpdateUserRequest::new())
            .await
            .map(drop)
            .unwrap_err(),
        users.delete("").await.unwrap_err(),
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
async fn a_missing_user_is_okta_s_404() {
    let body = r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: nobody (User)","errorLink":"E0000007","errorId":"oaeNF","errorCauses":[]}"#;
    let (users, _log) = recorder(vec![
        Canned::json(404, body).header("x-okta-request-id", "req-404"),
    ]);
    let error = users.get("nobody").await.unwrap_err();
    assert!(error.is_not_found());
    let api = error.api().unwrap();
    assert_eq!(api.error_code, "E0000007");
    assert_eq!(
        api.error_summary,
        "Not found: Resource not found: nobody (User)"
    );
    assert!(api.error_causes.is_empty());
    assert_eq!(api.request_id.as_deref(), Some("req-404"));
}

#[tokio::test]
async fn a_fetched_user_carries_its_etag_and_if_match_sends_it_back() {
    let (users, log) = recorder(vec![
        Canned::json(200, fixture("ops_user.json")).header("etag", "W/\"3f6a\""),
        Canned::json(
            412,
            r#"{"errorCode":"E0000231","errorSummary":"ETag value doesn't match.","errorCauses":[]}"#,
        ),
    ]);

    let user = users.get("00u1").await.unwrap();
    let etag = user.etag.clone().expect("the ETag header");
    assert_eq!(etag.as_str(), "W/\"3f6a\"");
    let error = users
        .update(&user.id, UpdateUserRequest::profile(user.profile))
        .if_match(&etag)
        .await
        .unwrap_err();

    assert!(error.is_precondition_failed(), "{error}");
    assert_eq!(error.error_code(), Some("E0000231"));
    assert!(
        error.reconciliation().is_none(),
        "an answer, not a lost one"
    );
    let sent = log.lock().unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].headers["if-match"], "W/\"3f6a\"");
}

#[tokio::test]
async fn users_from_a_list_have_no_etag() {
    let (users, _log) = recorder(vec![
        Canned::json(200, fixture("ops_list_users.json")).header("etag", "W/\"page\""),
    ]);
    let page = users.list().send().await.unwrap();
    assert!(page.items.iter().all(|user| user.etag.is_none()));
}
