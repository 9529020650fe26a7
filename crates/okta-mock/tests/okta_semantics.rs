//! Okta's semantics that clients no one here wrote caught the mock missing (issue 15): `q` does
//! not paginate, `sortBy` ties are ordered by id, app links have distinct ids, ids are random per
//! org unless seeded, and users carry an `ETag` that `If-Match` is checked against.

mod support;

use http::Method;
use okta_mock::MockOrg;
use std::collections::HashSet;
use support::{Api, ids};

/// The spec on `q`: "This doesn't support pagination, but you can use `limit`", and `limit`
/// "defaults to 10 if `q` is provided".
#[tokio::test]
async fn q_answers_one_page_without_a_next_link_and_ten_users_by_default() {
    let org = MockOrg::builder().seed(2).start().await.unwrap();
    let api = Api::new(&org);
    for n in 0..14 {
        api.create(&format!("quinn{n:02}@example.com"), None, true)
            .await;
    }
    let r = api.get("/api/v1/users?q=quinn&limit=1").await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert_eq!(r.next_link(), None, "q does not paginate");
    let r = api.get("/api/v1/users?q=quinn").await;
    assert_eq!(r.json().as_array().unwrap().len(), 10, "q's default limit");
    assert_eq!(r.next_link(), None);
    let r = api.get("/api/v1/users?q=quinn&limit=200").await;
    assert_eq!(r.json().as_array().unwrap().len(), 14);
    // Without q, the list's default (200) and paging apply.
    let r = api.get("/api/v1/users?limit=1").await;
    assert!(r.next_link().is_some());
}

/// The spec on `sortBy`: "Users with the same value for the `sortBy` property are ordered by
/// `id`" — through pages too, so the cursor holds the id, not the creation order.
#[tokio::test]
async fn sort_ties_are_ordered_by_id_across_pages_in_both_orders() {
    let org = MockOrg::builder().start().await.unwrap();
    let api = Api::new(&org);
    let mut tied = Vec::new();
    for n in 0..8 {
        let u = api
            .create_named(&format!("tie{n}@example.com"), "Twin", None, true)
            .await;
        tied.push(u["id"].as_str().unwrap().to_owned());
    }
    api.create_named("before@example.com", "Aaron", None, true)
        .await;
    api.create_named("after@example.com", "Zed", None, true)
        .await;
    let mut by_id = tied.clone();
    by_id.sort();
    assert_ne!(by_id, tied, "ids are not in creation order (a random org)");
    let search = "/api/v1/users?search=profile.email%20co%20%22example%22&sortBy=profile.firstName";
    for order in ["asc", "desc"] {
        let pages =
            support::all_pages(&api, &format!("{search}&sortOrder={order}&limit=3"), 10).await;
        let seen: Vec<String> = pages.iter().flat_map(|p| ids(&p.json())).collect();
        assert_eq!(seen.len(), 10, "{order}");
        let twins: Vec<String> = seen
            .iter()
            .filter(|id| tied.contains(id))
            .cloned()
            .collect();
        assert_eq!(twins, by_id, "ties by id ({order})");
        let first_name = |id: &String| org.user(id).unwrap()["profile"]["firstName"].clone();
        let (head, tail) = if order == "asc" {
            ("Aaron", "Zed")
        } else {
            ("Zed", "Aaron")
        };
        assert_eq!(first_name(&seen[0]), head);
        assert_eq!(first_name(&seen[9]), tail);
    }
}

#[tokio::test]
async fn app_links_have_distinct_assignment_and_link_ids() {
    let org = MockOrg::builder().seed(11).users(40).start().await.unwrap();
    let api = Api::new(&org);
    let mut assignments = HashSet::new();
    let mut link_ids = HashSet::new();
    let mut links = 0;
    let mut users_with_two = 0;
    for id in org.user_ids() {
        let r = api
            .get(&format!("/api/v1/users/{id}/appLinks"))
            .await
            .json();
        let list = r.as_array().unwrap();
        users_with_two += usize::from(list.len() >= 2);
        for link in list {
            links += 1;
            assert!(assignments.insert(link["appAssignmentId"].as_str().unwrap().to_owned()));
            assert!(link_ids.insert(link["id"].as_str().unwrap().to_owned()));
            assert_eq!(link["appAssignmentId"].as_str().unwrap().len(), 20);
            assert!(link["appAssignmentId"].as_str().unwrap().starts_with("0ua"));
        }
    }
    assert!(users_with_two > 0 && links > 40, "{links} links");
}

async fn first_created_id(org: &MockOrg) -> String {
    Api::new(org).create("fresh@example.com", None, true).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn ids_are_random_per_org_unless_seeded() {
    let a = MockOrg::builder().start().await.unwrap();
    let b = MockOrg::builder().start().await.unwrap();
    assert_ne!(first_created_id(&a).await, first_created_id(&b).await);
    assert_ne!(a.seed(), b.seed());
    let seeded = |seed| MockOrg::builder().seed(seed).users(3).start();
    let (c, d) = (seeded(5).await.unwrap(), seeded(5).await.unwrap());
    assert_eq!(c.user_ids(), d.user_ids());
    assert_eq!(first_created_id(&c).await, first_created_id(&d).await);
    // The seed an unseeded org drew replays it.
    let replay = MockOrg::builder().seed(a.seed()).start().await.unwrap();
    assert_eq!(first_created_id(&replay).await, a.user_ids()[0]);
}

/// Okta sends an `ETag` with a user and honours `If-Match` on updates, with E0000231 (412) when
/// it no longer matches.
#[tokio::test]
async fn users_carry_an_etag_and_updates_honour_if_match() {
    let org = MockOrg::builder().seed(3).start().await.unwrap();
    let api = Api::new(&org);
    let created = api
        .post(
            "/api/v1/users",
            r#"{"profile":{"firstName":"E","lastName":"Tag","email":"etag@example.com","login":"etag@example.com"}}"#,
        )
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/users/{id}");
    let created_tag = created.header("etag").to_owned();
    assert!(
        created_tag.starts_with("W/\"") && created_tag.ends_with('"'),
        "{created_tag}"
    );
    let read = api.get(&path).await;
    assert_eq!(read.header("etag"), created_tag, "same version, same tag");

    // A write with the current tag goes through and gives a new one.
    let title = |t: &str| format!(r#"{{"profile":{{"title":"{t}"}}}}"#);
    let r = api
        .call_with(
            Method::POST,
            &path,
            Some(&title("first")),
            &[("if-match", &created_tag)],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let new_tag = r.header("etag").to_owned();
    assert_ne!(new_tag, created_tag);
    assert_eq!(api.get(&path).await.header("etag"), new_tag);

    // A stale tag: 412 with Okta's error, and nothing changes.
    let r = api
        .call_with(
            Method::POST,
            &path,
            Some(&title("lost")),
            &[("if-match", &created_tag)],
        )
        .await;
    assert_eq!(r.status, 412);
    let e = r.json();
    assert_eq!(e["errorCode"], "E0000231");
    assert_eq!(e["errorSummary"], "ETag value doesn't match.");
    assert!(e["errorId"].is_string() && e["errorCauses"].is_array());
    assert_eq!(org.user(&id).unwrap()["profile"]["title"], "first");

    // PUT too; a list containing the current tag, the strong form of it, or `*` match.
    let full = r#"{"profile":{"firstName":"E","lastName":"Tag","email":"etag@example.com","login":"etag@example.com"}}"#;
    let r = api
        .call_with(
            Method::PUT,
            &path,
            Some(full),
            &[("if-match", &created_tag)],
        )
        .await;
    assert_eq!(r.status, 412);
    let strong = new_tag.trim_start_matches("W/").to_owned();
    let list = format!("{created_tag}, {strong}");
    let r = api
        .call_with(Method::PUT, &path, Some(full), &[("if-match", &list)])
        .await;
    assert_eq!(r.status, 200);
    let r = api
        .call_with(
            Method::POST,
            &path,
            Some(&title("any")),
            &[("if-match", "*")],
        )
        .await;
    assert_eq!(r.status, 200);
    // Not an entity tag: E0000242.
    let r = api
        .call_with(
            Method::POST,
            &path,
            Some(&title("x")),
            &[("if-match", "abc")],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.error_code()),
        (400, "E0000242".into())
    );
    // No If-Match: unconditional, as before.
    assert_eq!(api.post(&path, &title("plain")).await.status, 200);
    // Lists carry no tags; a user's lifecycle change changes its tag.
    assert!(api.get("/api/v1/users").await.headers.get("etag").is_none());
    let before = api.get(&path).await.header("etag").to_owned();
    assert_eq!(
        api.post(&format!("{path}/lifecycle/deactivate"), "")
            .await
            .status,
        200
    );
    assert_ne!(api.get(&path).await.header("etag"), before);
}
