//! The façade over the real stack against the mock org, in process: paging across many `Link`
//! header lines, lossless custom attributes, typed custom profiles, and `false` sent as `false`.

mod support;

use std::collections::BTreeSet;

use futures_util::TryStreamExt;
use okta_mock::MockOrg;
use okta_users::Users;
use okta_users::models::{CreateUserRequest, UpdateUserRequest, UserProfile, UserStatus};
use support::InProcess;

fn org_and_users(users: usize) -> (MockOrg, Users<InProcess>) {
    let org = MockOrg::builder().seed(11).users(users).build().unwrap();
    let client = support::users(&org, support::api_token(&org));
    (org, client)
}

#[tokio::test(start_paused = true)]
async fn the_all_pages_stream_walks_every_page_once() {
    let (org, users) = org_and_users(50);

    let ids: Vec<String> = users
        .list()
        .limit(7)
        .stream()
        .map_ok(|user| user.id)
        .try_collect()
        .await
        .unwrap();

    let listed: BTreeSet<_> = ids.iter().cloned().collect();
    assert_eq!(listed.len(), ids.len(), "no user twice");
    let expected: BTreeSet<_> = org
        .user_ids()
        .into_iter()
        .filter(|id| org.user_status(id) != Some("DEPROVISIONED"))
        .collect();
    assert_eq!(listed, expected, "every listed user, none skipped");

    // One request per page, each after the first following the previous page's `next` link.
    let pages: Vec<_> = org
        .request_log()
        .into_iter()
        .filter(|r| r.path == "/api/v1/users")
        .collect();
    assert_eq!(pages.len(), expected.len().div_ceil(7));
    assert!(pages.len() >= 3);
    assert!(
        pages.iter().skip(1).all(|r| r.query.contains("after=")),
        "{pages:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn custom_attributes_survive_get_modify_replace_unchanged() {
    let (org, users) = org_and_users(0);
    let mut profile = UserProfile::new("Grace", "Hopper", "grace@example.com", "grace@example.com");
    profile.set_custom("costCenter", "CC-7".into());
    profile.set_custom("clearances", serde_json::json!(["navy", {"level": 3}]));
    profile.set_custom("shoeSize", serde_json::json!(37.5));
    let created = users
        .create(CreateUserRequest::new(profile))
        .activate(false)
        .await
        .unwrap();
    assert_eq!(created.status, UserStatus::Staged);
    assert_eq!(
        org.user_status(&created.id),
        Some("STAGED"),
        "activate=false reached the org as false"
    );

    let before = org.user(&created.id).unwrap()["profile"].clone();
    let mut user = users.get(&created.id).await.unwrap();
    user.profile.title = Some("Rear Admiral".into());
    users
        .replace(&created.id, UpdateUserRequest::profile(user.profile))
        .await
        .unwrap();

    let mut after = org.user(&created.id).unwrap()["profile"].clone();
    assert_eq!(after["title"], "Rear Admiral");
    after.as_object_mut().unwrap().remove("title");
    let mut before = before;
    before.as_object_mut().unwrap().remove("title");
    assert_eq!(
        after, before,
        "every other attribute, custom ones included, unchanged"
    );
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmployeeProfile {
    login: String,
    employee_number: Option<String>,
    cost_center: Option<String>,
}

#[tokio::test(start_paused = true)]
async fn a_typed_custom_profile_decodes_from_the_org() {
    let (org, users) = org_and_users(3);
    let id = support::a_user(&org);
    let user = users
        .get(&id)
        .with_profile::<EmployeeProfile>()
        .await
        .unwrap();
    let stored = org.user(&id).unwrap();
    assert_eq!(
        user.profile.login,
        stored["profile"]["login"].as_str().unwrap()
    );
    assert_eq!(
        user.profile.cost_center.as_deref(),
        stored["profile"]["costCenter"].as_str()
    );
    assert!(user.profile.employee_number.is_some());
}
