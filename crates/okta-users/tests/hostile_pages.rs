//! Lists against a hostile or broken server: `next` links that cycle or leave the org, pages
//! larger than asked for, and resources without the fields Okta always sends.

mod support;

use futures_util::StreamExt;
use okta_users::Error;
use okta_users::endpoints::UNPAGED_MAX_ITEMS;
use serde_json::json;
use support::{Canned, only, recorder};

const USER: &str = r#"{"id":"00u1","status":"ACTIVE","profile":{}}"#;

fn users_page(ids: &[&str], next: Option<&str>) -> Canned {
    let items: Vec<_> = ids
        .iter()
        .map(|id| json!({"id": id, "status": "ACTIVE", "profile": {}}))
        .collect();
    let page = Canned::json(200, json!(items).to_string());
    match next {
        Some(next) => page.header("link", format!(r#"<{next}>; rel="next""#)),
        None => page,
    }
}

#[tokio::test]
async fn next_links_cycling_between_two_pages_end_the_stream_with_a_typed_error() {
    let a = "https://acme.okta.com/api/v1/users?after=A&limit=1";
    let b = "https://acme.okta.com/api/v1/users?after=B&limit=1";
    // page 0 → A → B → A …: the recorder would answer B and A forever (its last answer repeats).
    let (users, log) = recorder(vec![
        users_page(&["u0"], Some(a)),
        users_page(&["uA"], Some(b)),
        users_page(&["uB"], Some(a)),
    ]);
    let results: Vec<_> = users.list().limit(1).stream().collect().await;
    let ids: Vec<_> = results
        .iter()
        .filter_map(|item| item.as_ref().ok().map(|user| user.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        ["u0", "uA", "uB"],
        "every page's items, then the error"
    );
    match results.last().unwrap() {
        Err(Error::PaginationCycle { next }) => {
            assert_eq!(next, "/api/v1/users?after=A&limit=1")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(results.len(), 4);
    assert_eq!(log.lock().unwrap().len(), 3, "A is not requested twice");

    let (users, _) = recorder(vec![
        users_page(&["u0"], Some(a)),
        users_page(&["uA"], Some(b)),
        users_page(&["uB"], Some(a)),
    ]);
    let error = users.list().limit(1).collect_all().await.unwrap_err();
    assert!(matches!(error, Error::PaginationCycle { .. }), "{error}");
}

#[tokio::test]
async fn a_next_link_back_to_the_first_request_or_to_itself_is_a_cycle() {
    let first = "/api/v1/users?limit=1";
    let (users, log) = recorder(vec![users_page(&["u0"], Some(first))]);
    let error = users.list().limit(1).collect_all().await.unwrap_err();
    assert!(matches!(error, Error::PaginationCycle { .. }), "{error}");
    assert_eq!(log.lock().unwrap().len(), 1);

    let itself = "/api/v1/users?after=A&limit=1";
    let (users, log) = recorder(vec![
        users_page(&["u0"], Some(itself)),
        users_page(&["uA"], Some(itself)),
    ]);
    let error = users.list().limit(1).collect_all().await.unwrap_err();
    assert!(matches!(error, Error::PaginationCycle { .. }), "{error}");
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_protocol_relative_next_link_is_never_sent_as_a_path() {
    let evil = "//evil.example:8443/api/v1/users?after=x";
    let (users, log) = recorder(vec![users_page(&["u0"], Some(evil))]);
    let results: Vec<_> = users.list().stream().collect().await;
    assert_eq!(
        results[0].as_ref().unwrap().id,
        "u0",
        "the page's items first"
    );
    match &results[1] {
        Err(Error::InvalidNextLink { link, .. }) => assert_eq!(link, evil),
        other => panic!("{other:?}"),
    }
    assert_eq!(results.len(), 2);
    assert_eq!(only(&log).uri, "/api/v1/users", "nothing sent to //evil…");

    // One page: the link is refused rather than offered as `next`.
    let (users, _) = recorder(vec![users_page(&["u0"], Some(evil))]);
    let error = users.list().send().await.unwrap_err();
    assert!(matches!(error, Error::InvalidNextLink { .. }), "{error:?}");
    assert!(error.to_string().contains("protocol-relative"), "{error}");
}

#[tokio::test]
async fn an_absolute_next_link_to_another_host_keeps_only_its_path() {
    let (users, log) = recorder(vec![
        users_page(
            &["u0"],
            Some("https://elsewhere.example/api/v1/users?after=u0"),
        ),
        users_page(&["u1"], None),
    ]);
    let all = users.list().collect_all().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(log.lock().unwrap()[1].uri, "/api/v1/users?after=u0");
}

#[tokio::test]
async fn a_page_with_more_items_than_its_limit_is_refused() {
    let (users, _) = recorder(vec![
        users_page(&["u1", "u2", "u3"], None).header("x-okta-request-id", "req-big"),
    ]);
    let error = users.list().limit(2).send().await.unwrap_err();
    match &error {
        Error::PageTooLarge {
            max_items,
            request_id,
        } => {
            assert_eq!(*max_items, 2);
            assert_eq!(request_id.as_deref(), Some("req-big"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(error.request_id(), Some("req-big"));
    assert!(!error.is_outcome_unknown());

    // exactly the limit is fine
    let (users, _) = recorder(vec![users_page(&["u1", "u2"], None)]);
    assert_eq!(users.list().limit(2).await.unwrap().items.len(), 2);
}

#[tokio::test]
async fn every_page_of_a_walk_is_held_to_the_first_request_s_limit() {
    // The server's `next` link asks for 1000 a page; the caller asked for 2.
    let (users, log) = recorder(vec![
        users_page(&["u1", "u2"], Some("/api/v1/users?after=u2&limit=1000")),
        users_page(&["u3", "u4", "u5"], None),
    ]);
    let results: Vec<_> = users.list().limit(2).stream().collect().await;
    assert_eq!(results.len(), 3);
    assert!(matches!(
        results[2],
        Err(Error::PageTooLarge { max_items: 2, .. })
    ));
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn without_a_limit_a_page_is_held_to_the_list_s_documented_maximum() {
    let ids: Vec<String> = (0..201).map(|i| format!("u{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (users, _) = recorder(vec![users_page(&ids, None)]);
    let error = users.list().send().await.unwrap_err();
    assert!(
        matches!(error, Error::PageTooLarge { max_items: 200, .. }),
        "{error:?}"
    );

    // `listUserGroups` has no `limit`: Okta answers whole, held to UNPAGED_MAX_ITEMS.
    let groups = |n: usize| format!("[{}]", vec![r#"{"id":"g"}"#; n].join(","));
    let (users, _) = recorder(vec![Canned::json(200, groups(UNPAGED_MAX_ITEMS))]);
    assert_eq!(
        users.list_groups("00u1").await.unwrap().items.len(),
        UNPAGED_MAX_ITEMS
    );
    let (users, _) = recorder(vec![Canned::json(200, groups(UNPAGED_MAX_ITEMS + 1))]);
    let error = users.list_groups("00u1").await.unwrap_err();
    assert!(
        matches!(error, Error::PageTooLarge { max_items, .. } if max_items == UNPAGED_MAX_ITEMS),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_user_without_an_id_is_a_decode_error_from_get_and_in_a_page() {
    let no_id = r#"{"status":"ACTIVE","profile":{"login":"a@example.com"}}"#;
    let (users, _) = recorder(vec![Canned::json(200, no_id)]);
    let error = users.get("a@example.com").await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(error.to_string().contains("missing field `id`"), "{error}");

    let (users, _) = recorder(vec![Canned::json(200, format!("[{USER},{no_id}]"))]);
    let error = users.list().await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");

    let (users, _) = recorder(vec![Canned::json(200, r#"[{"type":"SUPER_ADMIN"}]"#)]);
    let error = users.list_roles("00u1").await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}
