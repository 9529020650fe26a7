//! The endpoint table against the documents it must agree with (`src/operations.md`, the seed's
//! operations in Okta's spec), and every builder against the endpoint it sends.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use okta_users::endpoints::{self, Endpoint};
use okta_users::models::{AssignRoleRequest, ChangePasswordRequest, CreateUserRequest};
use okta_users::models::{RoleType, UpdateUserRequest, UserCredentials, UserProfile};
use support::{Canned, recorder};

/// The endpoint whose operation is `okta.users.{method}`.
fn by_method_name(method: &str) -> &'static Endpoint {
    let name = format!("okta.users.{method}");
    let mut found = endpoints::ALL
        .iter()
        .filter(|endpoint| endpoint.operation.name == name);
    let endpoint = found.next().unwrap_or_else(|| panic!("no endpoint {name}"));
    assert!(found.next().is_none(), "two endpoints named {name}");
    endpoint
}

#[test]
fn the_table_has_the_49_operations_once_each() {
    assert_eq!(endpoints::ALL.len(), 49);
    let names: BTreeSet<_> = endpoints::ALL.iter().map(|e| e.operation.name).collect();
    let ids: BTreeSet<_> = endpoints::ALL
        .iter()
        .map(|e| e.operation.operation_id)
        .collect();
    let lines: BTreeSet<_> = endpoints::ALL.iter().map(|e| e.to_string()).collect();
    assert_eq!((names.len(), ids.len(), lines.len()), (49, 49, 49));
}

#[test]
fn every_endpoint_is_the_row_of_operations_md() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/operations.md")).unwrap();
    let mut rows = 0;
    let mut covered = BTreeSet::new();
    for line in doc.lines().filter(|line| line.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [title, method, http] = cells[..] else {
            panic!("a row of three cells: {line}")
        };
        if title == "Seed operation" || title.starts_with("---") {
            continue;
        }
        rows += 1;
        let method = method
            .strip_prefix("[`Users::")
            .and_then(|rest| rest.strip_suffix("`]"))
            .unwrap_or_else(|| panic!("a `Users::` method: {line}"));
        let endpoint = by_method_name(method);
        assert_eq!(
            endpoint.to_string(),
            http.trim_matches('`'),
            "method and path of {method}"
        );
        assert_eq!(
            endpoint.is_list(),
            title.ends_with("(+ all pages)"),
            "{method} is a list exactly when the doc says it pages"
        );
        assert!(covered.insert(endpoint.operation.name), "{method} twice");
    }
    assert_eq!((rows, covered.len()), (49, 49));
}

#[test]
fn every_endpoint_is_the_seed_operation_of_okta_s_spec() {
    // The spec folder sits beside the project (`../shared` from its root); a missing file is a
    // failure, not a skip.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/okta-spec/seed-operations.tsv"
    );
    let tsv = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{path}: {error}"));
    let by_id: BTreeMap<_, _> = endpoints::ALL
        .iter()
        .map(|e| (e.operation.operation_id, *e))
        .collect();
    let mut seen = 0;
    for line in tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("http\t"))
    {
        let cells: Vec<&str> = line.split('\t').collect();
        let (method, path, operation_id, paged) = (cells[0], cells[1], cells[2], cells[3]);
        let endpoint = by_id
            .get(operation_id)
            .unwrap_or_else(|| panic!("no endpoint for {operation_id}"));
        assert_eq!(
            endpoint.to_string(),
            format!("{method} {path}"),
            "{operation_id}"
        );
        assert_eq!(endpoint.is_list(), paged == "paged", "{operation_id}");
        seen += 1;
    }
    assert_eq!(seen, 49);
}

#[test]
fn lists_are_bounded_by_okta_s_documented_page_size() {
    for endpoint in endpoints::ALL {
        let Some(max) = endpoint.max_page_items else {
            continue;
        };
        // 200 where the spec documents `limit` (listUsers: its default), a fixed bound for
        // the lists Okta answers whole.
        let expected = match endpoint.operation.operation_id {
            "listUsers"
            | "listGrantsForUserAndClient"
            | "listRefreshTokensForUserAndClient"
            | "listUserGrants"
            | "listApplicationTargetsForApplicationAdministratorRoleForUser"
            | "listGroupTargetsForRole" => 200,
            _ => endpoints::UNPAGED_MAX_ITEMS,
        };
        assert_eq!(max, expected, "{endpoint}");
    }
}

/// Builds and sends every operation once with placeholder arguments, through a recorder.
#[tokio::test]
async fn every_builder_sends_its_endpoint() {
    let (users, log) = recorder(vec![Canned::json(200, "{}")]);
    let profile = || UserProfile::new("A", "B", "a@example.com", "a@example.com");
    // Each call's result is ignored: the recorder's `{}` is not what every operation returns;
    // the request is what is checked.
    macro_rules! send {
        ($($call:expr;)*) => {{
            let mut sent = 0;
            $( let _ = $call.send().await; sent += 1; )*
            sent
        }};
    }
    let sent = send! {
        users.list();
        users.create(CreateUserRequest::new(profile()));
        users.assign_linked_object("p1", "p2", "p3");
        users.get("p1");
        users.replace("p1", UpdateUserRequest::profile(profile()));
        users.update("p1", UpdateUserRequest::profile(profile()));
        users.delete("p1");
        users.list_app_links("p1");
        users.list_clients("p1");
        users.list_client_grants("p1", "p2");
        users.revoke_client_grants("p1", "p2");
        users.list_refresh_tokens("p1", "p2");
        users.revoke_refresh_tokens("p1", "p2");
        users.get_refresh_token("p1", "p2", "p3");
        users.revoke_refresh_token("p1", "p2", "p3");
        users.change_password("p1", ChangePasswordRequest::new("old password", "new password"));
        users.change_recovery_question("p1", UserCredentials::new().password("pw"));
        users.forgot_password("p1");
        users.list_grants("p1");
        users.revoke_grants("p1");
        users.get_grant("p1", "p2");
        users.revoke_grant("p1", "p2");
        users.list_groups("p1");
        users.list_identity_providers("p1");
        users.activate("p1");
        users.deactivate("p1");
        users.expire_password("p1");
        users.expire_password_with_temp_password("p1");
        users.reactivate("p1");
        users.reset_factors("p1");
        users.reset_password("p1");
        users.suspend("p1");
        users.unlock("p1");
        users.unsuspend("p1");
        users.list_linked_objects("p1", "p2");
        users.delete_linked_object("p1", "p2");
        users.list_roles("p1");
        users.assign_role("p1", RoleType::UserAdmin);
        users.unassign_role("p1", "p2");
        users.list_app_targets("p1", "p2");
        users.assign_all_apps_target("p1", "p2");
        users.assign_app_target("p1", "p2", "p3");
        users.unassign_app_target("p1", "p2", "p3");
        users.assign_app_instance_target("p1", "p2", "p3", "p4");
        users.unassign_app_instance_target("p1", "p2", "p3", "p4");
        users.list_group_targets("p1", "p2");
        users.assign_group_target("p1", "p2", "p3");
        users.unassign_group_target("p1", "p2", "p3");
        users.revoke_sessions("p1");
        users.assign_role("p1", AssignRoleRequest::custom("cr1", "rs1"));
    };
    assert_eq!(sent, 50);

    let log = log.lock().unwrap();
    let mut covered = BTreeSet::new();
    for request in log.iter() {
        let operation = request.operation.expect("an Operation");
        let endpoint = endpoints::ALL
            .iter()
            .find(|e| e.operation == operation)
            .unwrap_or_else(|| panic!("{operation:?} is in the table"));
        let placeholders = ["p1", "p2", "p3", "p4"];
        let segments = &placeholders[..endpoint.segment_names().count()];
        let (path, query) = request
            .uri
            .split_once('?')
            .unwrap_or((request.uri.as_str(), ""));
        assert_eq!(request.method, endpoint.method, "{endpoint}");
        assert_eq!(path, endpoint.fill_path(segments).unwrap(), "{endpoint}");
        assert!(query.starts_with(endpoint.query), "{endpoint}: {query}");
        covered.insert(operation.name);
    }
    assert_eq!(log.len(), 50);
    assert_eq!(covered.len(), 49, "every endpoint sent by its builder");
}

#[test]
fn every_endpoint_s_reconciliation_rule_is_its_row_of_the_reconcile_docs() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/reconcile/rules.md"
    ))
    .unwrap();
    let mut covered = BTreeSet::new();
    for line in doc.lines().filter(|line| line.starts_with("| [`Users::")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [operation, rule, what] = cells[..] else {
            panic!("a row of three cells: {line}")
        };
        let method = operation
            .strip_prefix("[`Users::")
            .and_then(|rest| rest.split_once("`]"))
            .map(|(method, _)| method)
            .unwrap_or_else(|| panic!("a `Users::` method: {line}"));
        let endpoint = by_method_name(method);
        assert_eq!(endpoint.reconcile.to_string(), rule, "the rule of {method}");
        assert!(!what.is_empty(), "{method} says what happens");
        let read = endpoint.method == http::Method::GET;
        assert_eq!(
            read,
            what == "a read" || what.starts_with("a read:"),
            "{method}"
        );
        assert_eq!(
            read,
            endpoint.reconcile == okta_users::reconcile::Rule::None && !what.contains("not"),
            "only reads, and the writes the doc says are not reconciled, have no rule: {method}"
        );
        assert!(covered.insert(endpoint.operation.name), "{method} twice");
    }
    assert_eq!(covered.len(), 49);
}
