//! Listing: paging across inserts, Link headers, q, filter and search.

mod support;

use okta_mock::MockOrg;
use std::collections::HashSet;
use support::{Api, ids};

#[tokio::test]
async fn paging_survives_inserts_and_links_are_separate_absolute_lines() {
    let org = MockOrg::builder().seed(3).users(15).start().await.unwrap();
    let api = Api::new(&org);
    let at_start: HashSet<String> = ids(&api.get("/api/v1/users").await.json())
        .into_iter()
        .collect();
    let mut seen = HashSet::new();
    let mut next = Some("/api/v1/users?limit=2".to_owned());
    let mut n = 0;
    while let Some(url) = next {
        assert!(n < 20, "bounded: 18 users, 2 a page");
        let r = api.get(&url).await;
        assert_eq!(r.status, 200);
        let lines: Vec<_> = r
            .headers
            .get_all("link")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert!(
            lines[0].starts_with(&format!("<{}/api/v1/users?limit=2", org.base_url())),
            "{lines:?}"
        );
        assert!(lines[0].ends_with("rel=\"self\""));
        for id in ids(&r.json()) {
            assert!(seen.insert(id), "a user seen twice");
        }
        next = r.next_link();
        if let Some(n) = &next {
            assert_eq!(lines.len(), 2, "self and next are separate lines");
            assert!(n.starts_with(org.base_url()) && n.contains("limit=2") && n.contains("after="));
        } else {
            assert_eq!(lines.len(), 1, "no next on the last page");
        }
        if n < 3 {
            api.create(&format!("late{n}@example.com"), None, true)
                .await;
        }
        n += 1;
    }
    assert!(
        at_start.is_subset(&seen),
        "nobody present at the start was skipped"
    );
    assert_eq!(
        seen.len(),
        at_start.len() + 3,
        "users added mid-walk appear once, at the end"
    );
}

#[tokio::test]
async fn limit_clamps_and_deprovisioned_are_hidden() {
    let org = MockOrg::builder().seed(4).users(450).start().await.unwrap();
    let api = Api::new(&org);
    let r = api.get("/api/v1/users?limit=1000").await;
    assert_eq!(r.json().as_array().unwrap().len(), 200);
    let all: Vec<serde_json::Value> = support::all_pages(&api, "/api/v1/users", 5)
        .await
        .iter()
        .flat_map(|page| page.json().as_array().unwrap().clone())
        .collect();
    assert!(all.iter().all(|u| u["status"] != "DEPROVISIONED"));
    let deprov = api
        .get("/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22")
        .await
        .json();
    assert!(!deprov.as_array().unwrap().is_empty());
    assert_eq!(
        all.len() + deprov.as_array().unwrap().len(),
        org.user_count()
    );
    // List entries carry only a self link.
    assert_eq!(all[0]["_links"].as_object().unwrap().len(), 1);
}

#[tokio::test]
async fn q_filter_and_search() {
    let org = MockOrg::builder().seed(5).users(30).start().await.unwrap();
    let api = Api::new(&org);
    api.create("zelda.q@example.com", None, true).await;
    let r = api.get("/api/v1/users?q=zeld").await.json();
    assert_eq!(r.as_array().unwrap().len(), 1);
    let r = api
        .get("/api/v1/users?filter=profile.login%20eq%20%22zelda.q%40example.com%22")
        .await
        .json();
    assert_eq!(r.as_array().unwrap().len(), 1);
    let r = api
        .get("/api/v1/users?filter=(status%20eq%20%22STAGED%22%20or%20status%20eq%20%22ACTIVE%22)%20and%20lastUpdated%20gt%20%222000-01-01T00:00:00.000Z%22")
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["status"] == "ACTIVE" || u["status"] == "STAGED")
    );
    let r = api
        .get("/api/v1/users?search=profile.costCenter%20eq%20%22CC-1%22")
        .await
        .json();
    assert_eq!(
        ids(&r),
        vec![
            org.user("zelda.q@example.com").unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        ]
    );
    let r = api.get("/api/v1/users?search=profile.department%20eq%20%22Engineering%22%20and%20profile.employeeNumber%20pr").await.json();
    assert!(
        r.as_array()
            .unwrap()
            .iter()
            .all(|u| u["profile"]["department"] == "Engineering")
    );
    let r = api.get("/api/v1/users?search=profile.employeeNumber%20pr%20and%20profile.email%20co%20%22example%22&sortBy=profile.employeeNumber&sortOrder=desc&limit=5").await;
    let nums: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            u["profile"]["employeeNumber"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let mut sorted = nums.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(nums, sorted);
    assert!(r.next_link().is_some());
    for bad in [
        "/api/v1/users?search=status%20eq",
        "/api/v1/users?search=(status%20eq%20%22ACTIVE%22",
        "/api/v1/users?filter=profile.login%20sw%20%22a%22",
        "/api/v1/users?filter=lastUpdated%20gt%20%22yesterday%22",
    ] {
        let r = api.get(bad).await;
        assert_eq!(
            (r.status.as_u16(), r.error_code()),
            (400, "E0000031".into()),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn sorted_search_pages_neither_repeat_nor_skip_across_inserts() {
    let org = MockOrg::builder().seed(5).users(12).start().await.unwrap();
    let api = Api::new(&org);
    let search = "/api/v1/users?search=profile.email%20co%20%22example%22&sortBy=profile.login";
    for order in ["asc", "desc"] {
        let at_start: Vec<String> =
            ids(&api.get(&format!("{search}&sortOrder={order}")).await.json());
        assert!(at_start.len() >= 12);
        let mut seen: Vec<String> = Vec::new();
        let mut next = Some(format!("{search}&sortOrder={order}&limit=3"));
        let mut page = 0;
        while let Some(url) = next {
            assert!(page < 10, "bounded: 14 users, 3 a page");
            let r = api.get(&url).await;
            assert_eq!(r.status, 200);
            seen.extend(ids(&r.json()));
            next = r.next_link();
            if page == 0 {
                // One user sorting before the cursor, one after, in either order.
                api.create(&format!("aaa-{order}@example.com"), None, true)
                    .await;
                api.create(&format!("zzz-{order}@example.com"), None, true)
                    .await;
            }
            page += 1;
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "a user seen twice ({order})");
        for id in &at_start {
            assert!(unique.contains(id), "{id} skipped ({order})");
        }
        let login_of = |id: &String| {
            org.user(id).unwrap()["profile"]["login"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let logins: Vec<String> = seen.iter().map(login_of).collect();
        let mut sorted = logins.clone();
        sorted.sort();
        if order == "desc" {
            sorted.reverse();
        }
        assert_eq!(logins, sorted, "in order ({order})");
        // The user created behind the cursor is not there, the one ahead of it is.
        let (behind, ahead) = if order == "asc" {
            ("aaa", "zzz")
        } else {
            ("zzz", "aaa")
        };
        assert!(
            !logins
                .iter()
                .any(|l| l.starts_with(&format!("{behind}-{order}")))
        );
        assert!(
            logins
                .iter()
                .any(|l| l.starts_with(&format!("{ahead}-{order}")))
        );
    }
}
