//! Sessions: revoke every session of a user (`DELETE /api/v1/users/{userId}/sessions`).

use crate::call::single;
use crate::endpoints::REVOKE_SESSIONS;
use crate::request::ApiRequest;
use crate::{HttpService, Result, Users};

impl<S: HttpService> Users<S> {
    /// Revokes every identity-provider session of the user, who must sign in again
    /// (`DELETE /api/v1/users/{userId}/sessions`). Sessions of web or native apps stay.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.revoke_sessions("00u1").oauth_tokens(true).forget_devices(false).await?;
    /// # Ok(()) }
    /// ```
    pub fn revoke_sessions(&self, user_id: impl Into<String>) -> RevokeSessions<S> {
        RevokeSessions {
            users: self.clone(),
            user_id: user_id.into(),
            oauth_tokens: None,
            forget_devices: None,
        }
    }
}

/// `DELETE /api/v1/users/{userId}/sessions`, built by [`Users::revoke_sessions`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct RevokeSessions<S> {
    users: Users<S>,
    user_id: String,
    oauth_tokens: Option<bool>,
    forget_devices: Option<bool>,
}

impl<S> RevokeSessions<S> {
    /// With `true`, Okta also revokes the OpenID Connect and OAuth 2.0 access and refresh tokens
    /// issued to the user (default `false`).
    pub fn oauth_tokens(mut self, oauth_tokens: bool) -> Self {
        self.oauth_tokens = Some(oauth_tokens);
        self
    }

    /// Whether Okta also forgets the user's remembered factors on every device (default `true`
    /// in Identity Engine, `false` in Classic Engine).
    pub fn forget_devices(mut self, forget_devices: bool) -> Self {
        self.forget_devices = Some(forget_devices);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&REVOKE_SESSIONS, &[&self.user_id])?;
        request.query_opt("oauthTokens", self.oauth_tokens);
        request.query_opt("forgetDevices", self.forget_devices);
        Ok(request)
    }
}
single!(RevokeSessions => (), empty, reconcile resend);
