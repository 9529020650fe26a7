//! A user's OAuth 2.0 clients, scope consent grants and refresh tokens: list, get, revoke.

use crate::call::{paged, single};
use crate::endpoints::{
    GET_GRANT, GET_REFRESH_TOKEN, LIST_CLIENT_GRANTS, LIST_CLIENTS, LIST_GRANTS,
    LIST_REFRESH_TOKENS, REVOKE_CLIENT_GRANTS, REVOKE_GRANT, REVOKE_GRANTS, REVOKE_REFRESH_TOKEN,
    REVOKE_REFRESH_TOKENS,
};
use crate::models::{OAuth2Client, OAuth2RefreshToken, OAuth2ScopeConsentGrant};
use crate::request::ApiRequest;
use crate::{HttpService, Result, Users};

impl<S: HttpService> Users<S> {
    /// Lists the OAuth 2.0 clients for which a user has grants or refresh tokens
    /// (`GET /api/v1/users/{userId}/clients`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// for client in users.list_clients("00u1").collect_all().await? {
    ///     println!("{:?}", client.client_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_clients(&self, user_id: impl Into<String>) -> ListUserClients<S> {
        ListUserClients {
            users: self.clone(),
            user_id: user_id.into(),
        }
    }

    /// Lists the scope consent grants a user gave one client
    /// (`GET /api/v1/users/{userId}/clients/{clientId}/grants`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let grants = users.list_client_grants("00u1", "0oa1").expand("scope").collect_all().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_client_grants(
        &self,
        user_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> ListClientGrants<S> {
        ListClientGrants {
            users: self.clone(),
            user_id: user_id.into(),
            client_id: client_id.into(),
            expand: None,
            after: None,
            limit: None,
        }
    }

    /// Revokes every scope consent grant a user gave one client
    /// (`DELETE /api/v1/users/{userId}/clients/{clientId}/grants`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.revoke_client_grants("00u1", "0oa1").await?;
    /// # Ok(()) }
    /// ```
    pub fn revoke_client_grants(
        &self,
        user_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> RevokeClientGrants<S> {
        RevokeClientGrants {
            users: self.clone(),
            user_id: user_id.into(),
            client_id: client_id.into(),
        }
    }

    /// Lists the refresh tokens issued to one client for a user
    /// (`GET /api/v1/users/{userId}/clients/{clientId}/tokens`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let page = users.list_refresh_tokens("00u1", "0oa1").limit(50).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_refresh_tokens(
        &self,
        user_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> ListRefreshTokens<S> {
        ListRefreshTokens {
            users: self.clone(),
            user_id: user_id.into(),
            client_id: client_id.into(),
            expand: None,
            after: None,
            limit: None,
        }
    }

    /// Revokes every refresh token issued to one client for a user
    /// (`DELETE /api/v1/users/{userId}/clients/{clientId}/tokens`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.revoke_refresh_tokens("00u1", "0oa1").await?;
    /// # Ok(()) }
    /// ```
    pub fn revoke_refresh_tokens(
        &self,
        user_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> RevokeRefreshTokens<S> {
        RevokeRefreshTokens {
            users: self.clone(),
            user_id: user_id.into(),
            client_id: client_id.into(),
        }
    }

    /// Fetches one refresh token issued to a client for a user
    /// (`GET /api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let token = users.get_refresh_token("00u1", "0oa1", "oar1").expand("scope").await?;
    /// # Ok(()) }
    /// ```
    pub fn get_refresh_token(
        &self,
        user_id: impl Into<String>,
        client_id: impl Into<String>,
        token_id: impl Into<String>,
    ) -> GetRefreshToken<S> {
        GetRefreshToken {
            users: self.clone(),
            user_id: user_id.into(),
            client_id: client_id.into(),
            token_id: token_id.into(),
            expand: None,
        }
    }

    /// Revokes one refresh token (and its access tokens)
    /// (`DELETE /api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.revoke_refresh_token("00u1", "0oa1", "oar1").await?;
    /// # Ok(()) }
    /// ```
    pub fn revoke_refresh_token(
        &self,
        user_id: impl Into<String>,
        client_id: impl Into<String>,
        token_id: impl Into<String>,
    ) -> RevokeRefreshToken<S> {
        RevokeRefreshToken {
            users: self.clone(),
            user_id: user_id.into(),
            client_id: client_id.into(),
            token_id: token_id.into(),
        }
    }

    /// Lists every scope consent grant of a user, across clients
    /// (`GET /api/v1/users/{userId}/grants`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let grants = users.list_grants("00u1").scope_id("okta.users.read").collect_all().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_grants(&self, user_id: impl Into<String>) -> ListUserGrants<S> {
        ListUserGrants {
            users: self.clone(),
            user_id: user_id.into(),
            scope_id: None,
            expand: None,
            after: None,
            limit: None,
        }
    }

    /// Revokes every scope consent grant of a user (`DELETE /api/v1/users/{userId}/grants`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.revoke_grants("00u1").await?;
    /// # Ok(()) }
    /// ```
    pub fn revoke_grants(&self, user_id: impl Into<String>) -> RevokeUserGrants<S> {
        RevokeUserGrants {
            users: self.clone(),
            user_id: user_id.into(),
        }
    }

    /// Fetches one scope consent grant of a user (`GET /api/v1/users/{userId}/grants/{grantId}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let grant = users.get_grant("00u1", "oag1").expand("scope").await?;
    /// println!("{:?}", grant.scope_id);
    /// # Ok(()) }
    /// ```
    pub fn get_grant(
        &self,
        user_id: impl Into<String>,
        grant_id: impl Into<String>,
    ) -> GetUserGrant<S> {
        GetUserGrant {
            users: self.clone(),
            user_id: user_id.into(),
            grant_id: grant_id.into(),
            expand: None,
        }
    }

    /// Revokes one scope consent grant of a user
    /// (`DELETE /api/v1/users/{userId}/grants/{grantId}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.revoke_grant("00u1", "oag1").await?;
    /// # Ok(()) }
    /// ```
    pub fn revoke_grant(
        &self,
        user_id: impl Into<String>,
        grant_id: impl Into<String>,
    ) -> RevokeUserGrant<S> {
        RevokeUserGrant {
            users: self.clone(),
            user_id: user_id.into(),
            grant_id: grant_id.into(),
        }
    }
}

/// `GET /api/v1/users/{userId}/clients`, built by [`Users::list_clients`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListUserClients<S> {
    users: Users<S>,
    user_id: String,
}

impl<S> ListUserClients<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&LIST_CLIENTS, &[&self.user_id])
    }
}
paged!(ListUserClients => OAuth2Client);

/// `GET /api/v1/users/{userId}/clients/{clientId}/grants`, built by [`Users::list_client_grants`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListClientGrants<S> {
    users: Users<S>,
    user_id: String,
    client_id: String,
    expand: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

impl<S> ListClientGrants<S> {
    /// Embeds related resources; `scope` embeds each grant's scope in `_embedded`.
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    /// Resumes after this cursor (see [`Page::next_cursor`](crate::Page::next_cursor)).
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Grants per page (1 to 200; Okta's default is 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&LIST_CLIENT_GRANTS, &[&self.user_id, &self.client_id])?;
        request.query_opt("expand", self.expand.as_deref());
        request.query_opt("after", self.after.as_deref());
        request.query_opt("limit", self.limit);
        Ok(request)
    }
}
paged!(ListClientGrants => OAuth2ScopeConsentGrant);

/// `DELETE /api/v1/users/{userId}/clients/{clientId}/grants`, built by
/// [`Users::revoke_client_grants`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct RevokeClientGrants<S> {
    users: Users<S>,
    user_id: String,
    client_id: String,
}

impl<S> RevokeClientGrants<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&REVOKE_CLIENT_GRANTS, &[&self.user_id, &self.client_id])
    }
}
single!(RevokeClientGrants => (), empty, reconcile resend);

/// `GET /api/v1/users/{userId}/clients/{clientId}/tokens`, built by
/// [`Users::list_refresh_tokens`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListRefreshTokens<S> {
    users: Users<S>,
    user_id: String,
    client_id: String,
    expand: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

impl<S> ListRefreshTokens<S> {
    /// Embeds related resources; `scope` embeds each token's scopes in `_embedded`.
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    /// Resumes after this cursor (see [`Page::next_cursor`](crate::Page::next_cursor)).
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Tokens per page (1 to 200; Okta's default is 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&LIST_REFRESH_TOKENS, &[&self.user_id, &self.client_id])?;
        request.query_opt("expand", self.expand.as_deref());
        request.query_opt("after", self.after.as_deref());
        request.query_opt("limit", self.limit);
        Ok(request)
    }
}
paged!(ListRefreshTokens => OAuth2RefreshToken);

/// `DELETE /api/v1/users/{userId}/clients/{clientId}/tokens`, built by
/// [`Users::revoke_refresh_tokens`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct RevokeRefreshTokens<S> {
    users: Users<S>,
    user_id: String,
    client_id: String,
}

impl<S> RevokeRefreshTokens<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&REVOKE_REFRESH_TOKENS, &[&self.user_id, &self.client_id])
    }
}
single!(RevokeRefreshTokens => (), empty, reconcile resend);

/// `GET /api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}`, built by
/// [`Users::get_refresh_token`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct GetRefreshToken<S> {
    users: Users<S>,
    user_id: String,
    client_id: String,
    token_id: String,
    expand: Option<String>,
}

impl<S> GetRefreshToken<S> {
    /// Embeds related resources; `scope` embeds the token's scopes in `_embedded`.
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(
            &GET_REFRESH_TOKEN,
            &[&self.user_id, &self.client_id, &self.token_id],
        )?;
        request.query_opt("expand", self.expand.as_deref());
        Ok(request)
    }
}
single!(GetRefreshToken => OAuth2RefreshToken, json);

/// `DELETE /api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}`, built by
/// [`Users::revoke_refresh_token`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct RevokeRefreshToken<S> {
    users: Users<S>,
    user_id: String,
    client_id: String,
    token_id: String,
}

impl<S> RevokeRefreshToken<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(
            &REVOKE_REFRESH_TOKEN,
            &[&self.user_id, &self.client_id, &self.token_id],
        )
    }
}
single!(RevokeRefreshToken => (), empty, reconcile resend);

/// `GET /api/v1/users/{userId}/grants`, built by [`Users::list_grants`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListUserGrants<S> {
    users: Users<S>,
    user_id: String,
    scope_id: Option<String>,
    expand: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

impl<S> ListUserGrants<S> {
    /// Only the grants of this scope, e.g. `okta.users.read`.
    pub fn scope_id(mut self, scope_id: impl Into<String>) -> Self {
        self.scope_id = Some(scope_id.into());
        self
    }

    /// Embeds related resources; `scope` embeds each grant's scope in `_embedded`.
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    /// Resumes after this cursor (see [`Page::next_cursor`](crate::Page::next_cursor)).
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Grants per page (1 to 200; Okta's default is 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&LIST_GRANTS, &[&self.user_id])?;
        request.query_opt("scopeId", self.scope_id.as_deref());
        request.query_opt("expand", self.expand.as_deref());
        request.query_opt("after", self.after.as_deref());
        request.query_opt("limit", self.limit);
        Ok(request)
    }
}
paged!(ListUserGrants => OAuth2ScopeConsentGrant);

/// `DELETE /api/v1/users/{userId}/grants`, built by [`Users::revoke_grants`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct RevokeUserGrants<S> {
    users: Users<S>,
    user_id: String,
}

impl<S> RevokeUserGrants<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&REVOKE_GRANTS, &[&self.user_id])
    }
}
single!(RevokeUserGrants => (), empty, reconcile resend);

/// `GET /api/v1/users/{userId}/grants/{grantId}`, built by [`Users::get_grant`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct GetUserGrant<S> {
    users: Users<S>,
    user_id: String,
    grant_id: String,
    expand: Option<String>,
}

impl<S> GetUserGrant<S> {
    /// Embeds related resources; `scope` embeds the grant's scope in `_embedded`.
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&GET_GRANT, &[&self.user_id, &self.grant_id])?;
        request.query_opt("expand", self.expand.as_deref());
        Ok(request)
    }
}
single!(GetUserGrant => OAuth2ScopeConsentGrant, json);

/// `DELETE /api/v1/users/{userId}/grants/{grantId}`, built by [`Users::revoke_grant`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct RevokeUserGrant<S> {
    users: Users<S>,
    user_id: String,
    grant_id: String,
}

impl<S> RevokeUserGrant<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&REVOKE_GRANT, &[&self.user_id, &self.grant_id])
    }
}
single!(RevokeUserGrant => (), empty, reconcile resend);
