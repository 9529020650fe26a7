//! The OAuth 2.0 operations of a user: clients, scope consent grants, refresh tokens.

mod support;

use http::Method;
use okta_users::models::{GrantOrTokenStatus, OAuth2ScopeConsentGrantSource};
use okta_users::{Error, Operation};
use support::{Canned, assert_sent, fixture, only, recorder};

#[tokio::test]
async fn list_clients_sends_the_user_id_and_decodes_the_spec_example() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_oauth_clients.json"))]);
    let page = users.list_clients("00u5t60iloOHN9pBi0h7").await.unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00u5t60iloOHN9pBi0h7/clients",
        "okta.users.list_clients",
        "listUserClients",
    );
    assert_eq!(page.items.len(), 1);
    let client = &page.items[0];
    assert_eq!(client.client_id.as_deref(), Some("0oabskvc6442nkvQO0h7"));
    assert_eq!(client.client_name.as_deref(), Some("My App"));
    assert_eq!(client.client_uri, None);
    assert!(!page.has_next());
}

#[tokio::test]
async fn list_client_grants_sends_expand_after_and_limit() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_oauth_grants.json"))]);
    let page = users
        .list_client_grants("00u5t60iloOHN9pBi0h7", "0oabskvc6442nkvQO0h7")
        .expand("scope")
        .after("oag3ih1zrm1cBFOiq0h6")
        .limit(2)
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00u5t60iloOHN9pBi0h7/clients/0oabskvc6442nkvQO0h7/grants?expand=scope&after=oag3ih1zrm1cBFOiq0h6&limit=2",
        "okta.users.list_client_grants",
        "listGrantsForUserAndClient",
    );
    assert_eq!(page.items.len(), 2);
    let grant = &page.items[0];
    assert_eq!(grant.id.as_deref(), Some("oag3ih1zrm1cBFOiq0h6"));
    assert_eq!(grant.scope_id, "okta.users.read");
    assert_eq!(grant.issuer, "https://my_test_okta_org.oktapreview.com");
    assert_eq!(grant.status, Some(GrantOrTokenStatus::Active));
    assert_eq!(grant.source, Some(OAuth2ScopeConsentGrantSource::EndUser));
    assert_eq!(page.items[1].status, Some(GrantOrTokenStatus::Revoked));
    assert_eq!(
        page.items[1].source,
        Some(OAuth2ScopeConsentGrantSource::Admin)
    );
}

#[tokio::test]
async fn list_client_grants_without_options_sends_no_query() {
    let (users, log) = recorder(vec![Canned::json(200, "[]")]);
    let page = users
        .list_client_grants("00u1", "0oa1")
        .send()
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(only(&log).uri, "/api/v1/users/00u1/clients/0oa1/grants");
}

#[tokio::test]
async fn revoke_client_grants_deletes_and_expects_no_content() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users.revoke_client_grants("00u1", "0oa1").await.unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/clients/0oa1/grants",
        "okta.users.revoke_client_grants",
        "revokeGrantsForUserAndClient",
    );
}

#[tokio::test]
async fn list_refresh_tokens_sends_expand_after_and_limit() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_oauth_refresh_tokens.json"),
    )]);
    let page = users
        .list_refresh_tokens("00u5t60iloOHN9pBi0h7", "0oabskvc6442nkvQO0h7")
        .expand("scope")
        .after("oar579Mcp7OUsNTlo0g3")
        .limit(200)
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00u5t60iloOHN9pBi0h7/clients/0oabskvc6442nkvQO0h7/tokens?expand=scope&after=oar579Mcp7OUsNTlo0g3&limit=200",
        "okta.users.list_refresh_tokens",
        "listRefreshTokensForUserAndClient",
    );
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].id.as_deref(), Some("oar579Mcp7OUsNTlo0g3"));
    assert_eq!(
        page.items[0].scopes.as_deref(),
        Some(&["offline_access".to_owned(), "car:drive".to_owned()][..])
    );
    assert_eq!(page.items[1].status, Some(GrantOrTokenStatus::Revoked));
}

#[tokio::test]
async fn revoke_refresh_tokens_deletes_every_token_of_the_client() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .revoke_refresh_tokens("00u1", "0oa1")
        .send()
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/clients/0oa1/tokens",
        "okta.users.revoke_refresh_tokens",
        "revokeTokensForUserAndClient",
    );
}

#[tokio::test]
async fn get_refresh_token_sends_expand_and_decodes_embedded_scopes() {
    let (users, log) = recorder(vec![Canned::json(
        200,
        fixture("ops_oauth_refresh_token.json"),
    )]);
    let token = users
        .get_refresh_token(
            "00u5t60iloOHN9pBi0h7",
            "0oabskvc6442nkvQO0h7",
            "oar579Mcp7OUsNTlo0g3",
        )
        .expand("scope")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00u5t60iloOHN9pBi0h7/clients/0oabskvc6442nkvQO0h7/tokens/oar579Mcp7OUsNTlo0g3?expand=scope",
        "okta.users.get_refresh_token",
        "getRefreshTokenForUserAndClient",
    );
    assert_eq!(token.id.as_deref(), Some("oar579Mcp7OUsNTlo0g3"));
    assert_eq!(token.client_id.as_deref(), Some("0oabskvc6442nkvQO0h7"));
    assert_eq!(token.user_id.as_deref(), Some("00u5t60iloOHN9pBi0h7"));
    assert_eq!(token.status, Some(GrantOrTokenStatus::Active));
    assert!(token.expires_at.is_some());
}

#[tokio::test]
async fn revoke_refresh_token_deletes_one_token() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .revoke_refresh_token("00u1", "0oa1", "oar1")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/clients/0oa1/tokens/oar1",
        "okta.users.revoke_refresh_token",
        "revokeTokenForUserAndClient",
    );
}

#[tokio::test]
async fn list_grants_sends_scope_id_expand_after_and_limit() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_oauth_grants.json"))]);
    let page = users
        .list_grants("00u5t60iloOHN9pBi0h7")
        .scope_id("okta.users.read")
        .expand("scope")
        .after("a+b=")
        .limit(20)
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00u5t60iloOHN9pBi0h7/grants?scopeId=okta.users.read&expand=scope&after=a%2Bb%3D&limit=20",
        "okta.users.list_grants",
        "listUserGrants",
    );
    assert_eq!(page.items.len(), 2);
    assert_eq!(
        page.items[0].client_id.as_deref(),
        Some("0oabskvc6442nkvQO0h7")
    );
}

#[tokio::test]
async fn revoke_grants_deletes_every_grant_of_the_user() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users.revoke_grants("00u1").await.unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/grants",
        "okta.users.revoke_grants",
        "revokeUserGrants",
    );
}

#[tokio::test]
async fn get_grant_sends_expand_and_decodes_the_grant() {
    let (users, log) = recorder(vec![Canned::json(200, fixture("ops_oauth_grant.json"))]);
    let grant = users
        .get_grant("00u5t60iloOHN9pBi0h7", "oag3ih1zrm1cBFOiq0h6")
        .expand("scope")
        .await
        .unwrap();
    assert_sent(
        &only(&log),
        Method::GET,
        "/api/v1/users/00u5t60iloOHN9pBi0h7/grants/oag3ih1zrm1cBFOiq0h6?expand=scope",
        "okta.users.get_grant",
        "getUserGrant",
    );
    assert_eq!(grant.id.as_deref(), Some("oag3ih1zrm1cBFOiq0h6"));
    assert_eq!(grant.user_id.as_deref(), Some("00u5t60iloOHN9pBi0h7"));
    assert_eq!(grant.scope_id, "okta.users.read");
}

#[tokio::test]
async fn revoke_grant_deletes_one_grant() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users.revoke_grant("00u1", "oag1").await.unwrap();
    assert_sent(
        &only(&log),
        Method::DELETE,
        "/api/v1/users/00u1/grants/oag1",
        "okta.users.revoke_grant",
        "revokeUserGrant",
    );
}

#[tokio::test]
async fn ids_with_slashes_and_reserved_characters_stay_one_segment() {
    let (users, log) = recorder(vec![Canned::empty(204)]);
    users
        .revoke_refresh_token("../admin", "a/b c", "t?x=1#f")
        .await
        .unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/..%2Fadmin/clients/a%2Fb%20c/tokens/t%3Fx%3D1%23f"
    );

    let (users, log) = recorder(vec![Canned::json(200, "[]")]);
    users
        .list_client_grants("00u1", "0oa/../../groups")
        .await
        .unwrap();
    assert_eq!(
        only(&log).uri,
        "/api/v1/users/00u1/clients/0oa%2F..%2F..%2Fgroups/grants"
    );
}

#[tokio::test]
async fn empty_ids_are_refused_before_anything_is_sent() {
    let (users, log) = recorder(vec![Canned::empty(204)]);

    let error = users.list_clients("").await.unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { what: "userId", .. }),
        "{error:?}"
    );
    let error = users.revoke_client_grants("00u1", "").await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "clientId",
                ..
            }
        ),
        "{error:?}"
    );
    let error = users
        .get_refresh_token("00u1", "0oa1", "")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "tokenId",
                ..
            }
        ),
        "{error:?}"
    );
    let error = users.revoke_grant("00u1", "").await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "grantId",
                ..
            }
        ),
        "{error:?}"
    );
    let error = users.list_grants("").collect_all().await.unwrap_err();
    assert!(
        matches!(error, Error::InvalidInput { what: "userId", .. }),
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
    let body = r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: oag404 (OAuth2ScopeConsentGrant)","errorLink":"E0000007","errorId":"oaeHfmOAx1iRLa0H10DeMz5fQ","errorCauses":[]}"#;
    let (users, _log) = recorder(vec![
        Canned::json(404, body).header("x-okta-request-id", "XpA5xQ3pNzKQ7Vg7oQ9Zq"),
    ]);
    let error = users.get_grant("00u1", "oag404").await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected an Okta error, got {error:?}")
    };
    assert_eq!(api.status, http::StatusCode::NOT_FOUND);
    assert_eq!(api.error_code, "E0000007");
    assert_eq!(
        api.error_summary,
        "Not found: Resource not found: oag404 (OAuth2ScopeConsentGrant)"
    );
    assert_eq!(api.error_link.as_deref(), Some("E0000007"));
    assert_eq!(api.error_id.as_deref(), Some("oaeHfmOAx1iRLa0H10DeMz5fQ"));
    assert!(api.error_causes.is_empty());
    assert_eq!(api.request_id.as_deref(), Some("XpA5xQ3pNzKQ7Vg7oQ9Zq"));
    assert!(error.is_not_found());
}

#[tokio::test]
async fn an_okta_error_on_revoke_is_an_api_error() {
    let body = r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorLink":"E0000006","errorId":"sampleNUSD_8fdkFd8fs8SDBK","errorCauses":[]}"#;
    let (users, _log) = recorder(vec![
        Canned::json(403, body).header("x-okta-request-id", "req-403"),
    ]);
    let error = users.revoke_grants("00u1").await.unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::FORBIDDEN));
    assert_eq!(error.error_code(), Some("E0000006"));
    assert_eq!(
        error.api().and_then(|api| api.request_id.as_deref()),
        Some("req-403")
    );
}

#[tokio::test]
async fn refresh_tokens_are_walked_across_pages_with_separate_link_lines() {
    let token = |id: &str| {
        format!(
            r#"{{"id":"{id}","status":"ACTIVE","clientId":"0oa1","userId":"00u1","issuer":"https://example.okta.com/oauth2/aus1","scopes":["offline_access"]}}"#
        )
    };
    let base = "https://example.okta.com/api/v1/users/00u1/clients/0oa1/tokens";
    let responses = vec![
        Canned::json(200, format!("[{},{}]", token("oar1"), token("oar2")))
            .header("link", format!(r#"<{base}?limit=2>; rel="self""#))
            .header(
                "link",
                format!(r#"<{base}?after=oar2&limit=2>; rel="next""#),
            ),
        Canned::json(200, format!("[{},{}]", token("oar3"), token("oar4")))
            .header(
                "link",
                format!(r#"<{base}?after=oar2&limit=2>; rel="self""#),
            )
            .header(
                "link",
                format!(r#"<{base}?after=oar4&limit=2>; rel="next""#),
            ),
        Canned::json(200, format!("[{}]", token("oar5"))).header(
            "link",
            format!(r#"<{base}?after=oar4&limit=2>; rel="self""#),
        ),
    ];
    let (users, log) = recorder(responses);
    let tokens = users
        .list_refresh_tokens("00u1", "0oa1")
        .limit(2)
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<_> = tokens.iter().map(|t| t.id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["oar1", "oar2", "oar3", "oar4", "oar5"]);

    let log = log.lock().unwrap();
    let uris: Vec<_> = log.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "/api/v1/users/00u1/clients/0oa1/tokens?limit=2",
            "/api/v1/users/00u1/clients/0oa1/tokens?after=oar2&limit=2",
            "/api/v1/users/00u1/clients/0oa1/tokens?after=oar4&limit=2",
        ]
    );
    for request in log.iter() {
        assert_eq!(request.method, Method::GET);
        assert_eq!(
            request.operation,
            Some(Operation::new(
                "okta.users.list_refresh_tokens",
                "listRefreshTokensForUserAndClient"
            ))
        );
    }
}

#[tokio::test]
async fn the_first_page_reports_the_next_cursor() {
    let (users, _log) = recorder(vec![
        Canned::json(200, "[]")
            .header("link", r#"<https://example.okta.com/api/v1/users/00u1/grants?limit=1>; rel="self""#)
            .header("link", r#"<https://example.okta.com/api/v1/users/00u1/grants?after=oag%2B1&limit=1>; rel="next""#),
    ]);
    let page = users.list_grants("00u1").limit(1).await.unwrap();
    assert_eq!(
        page.next.as_deref(),
        Some("/api/v1/users/00u1/grants?after=oag%2B1&limit=1")
    );
    assert_eq!(page.next_cursor().as_deref(), Some("oag+1"));
}
