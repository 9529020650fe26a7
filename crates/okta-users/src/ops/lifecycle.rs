//! Lifecycle: activate, deactivate, reactivate, suspend, unsuspend, unlock, expire or reset the
//! password, reset the factors (`POST /api/v1/users/{id}/lifecycle/…`).

use std::marker::PhantomData;

use crate::call::single;
use crate::endpoints::{
    ACTIVATE_USER, DEACTIVATE_USER, EXPIRE_PASSWORD, EXPIRE_PASSWORD_WITH_TEMP_PASSWORD, Endpoint,
    REACTIVATE_USER, RESET_FACTORS, RESET_PASSWORD, SUSPEND_USER, UNLOCK_USER, UNSUSPEND_USER,
};
use crate::models::{ResetPasswordToken, TempPassword, User, UserActivationToken, UserProfile};
use crate::reconcile::{AppliedValue, Outcome, Reconciler, Rule, flows};
use crate::request::ApiRequest;
use crate::{HttpService, Result, Users};

impl<S: HttpService> Users<S> {
    /// Activates a STAGED or DEPROVISIONED user (`POST /api/v1/users/{id}/lifecycle/activate`).
    ///
    /// Okta emails the activation link unless `.send_email(false)`, in which case the link and
    /// token come back in the response (with an email, the response holds neither).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let token = users.activate("00u1").send_email(false).await?;
    /// println!("send {} to the user", token.activation_url.as_deref().unwrap_or("?"));
    /// # Ok(()) }
    /// ```
    pub fn activate(&self, id: impl Into<String>) -> ActivateUser<S> {
        ActivateUser {
            users: self.clone(),
            id: id.into(),
            send_email: None,
            endpoint: &ACTIVATE_USER,
        }
    }

    /// Restarts the activation of a PROVISIONED or RECOVERY user
    /// (`POST /api/v1/users/{id}/lifecycle/reactivate`).
    ///
    /// Without `.send_email(true)` the new activation link and token come back in the response.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let token = users.reactivate("00u1").await?;
    /// println!("{:?}", token.activation_token);
    /// # Ok(()) }
    /// ```
    pub fn reactivate(&self, id: impl Into<String>) -> ActivateUser<S> {
        ActivateUser {
            users: self.clone(),
            id: id.into(),
            send_email: None,
            endpoint: &REACTIVATE_USER,
        }
    }

    /// Deactivates a user that is not DEPROVISIONED yet, deprovisioning it from every app
    /// (`POST /api/v1/users/{id}/lifecycle/deactivate`). This cannot be undone.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.deactivate("00u1").send_email(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn deactivate(&self, id: impl Into<String>) -> DeactivateUser<S> {
        DeactivateUser {
            users: self.clone(),
            id: id.into(),
            send_email: None,
            respond_async: false,
        }
    }

    /// Expires the user's password: the user must change it at next sign-in
    /// (`POST /api/v1/users/{id}/lifecycle/expire_password?tempPassword=false`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let user = users.expire_password("00u1").await?;
    /// assert_eq!(user.status.as_str(), "PASSWORD_EXPIRED");
    /// # Ok(()) }
    /// ```
    pub fn expire_password(&self, id: impl Into<String>) -> ExpirePassword<S> {
        ExpirePassword {
            users: self.clone(),
            id: id.into(),
            profile: PhantomData,
        }
    }

    /// Expires the user's password and resets it to a temporary one, which is returned
    /// (`POST /api/v1/users/{id}/lifecycle/expire_password?tempPassword=true`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let temp = users.expire_password_with_temp_password("00u1").revoke_sessions(true).await?;
    /// println!("temporary password: {:?}", temp.temp_password);
    /// # Ok(()) }
    /// ```
    pub fn expire_password_with_temp_password(
        &self,
        id: impl Into<String>,
    ) -> ExpirePasswordWithTempPassword<S> {
        ExpirePasswordWithTempPassword {
            users: self.clone(),
            id: id.into(),
            revoke_sessions: None,
        }
    }

    /// Starts a password reset: the user moves to RECOVERY and gets a one-time reset link
    /// (`POST /api/v1/users/{id}/lifecycle/reset_password`).
    ///
    /// Okta requires `sendEmail`: it is sent as `true` (Okta emails the link and the response is
    /// empty) unless `.send_email(false)` asks for the link in the response instead.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let token = users.reset_password("00u1").send_email(false).revoke_sessions(true).await?;
    /// println!("{:?}", token.reset_password_url);
    /// # Ok(()) }
    /// ```
    pub fn reset_password(&self, id: impl Into<String>) -> ResetPassword<S> {
        ResetPassword {
            users: self.clone(),
            id: id.into(),
            send_email: true,
            revoke_sessions: None,
        }
    }

    /// Resets every MFA factor enrollment of the user
    /// (`POST /api/v1/users/{id}/lifecycle/reset_factors`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.reset_factors("00u1").await?;
    /// # Ok(()) }
    /// ```
    pub fn reset_factors(&self, id: impl Into<String>) -> LifecycleAction<S> {
        LifecycleAction::new(self, id, &RESET_FACTORS)
    }

    /// Suspends an ACTIVE user: it can no longer sign in but keeps its assignments
    /// (`POST /api/v1/users/{id}/lifecycle/suspend`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.suspend("00u1").await?;
    /// # Ok(()) }
    /// ```
    pub fn suspend(&self, id: impl Into<String>) -> LifecycleAction<S> {
        LifecycleAction::new(self, id, &SUSPEND_USER)
    }

    /// Returns a SUSPENDED user to ACTIVE (`POST /api/v1/users/{id}/lifecycle/unsuspend`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.unsuspend("00u1").await?;
    /// # Ok(()) }
    /// ```
    pub fn unsuspend(&self, id: impl Into<String>) -> LifecycleAction<S> {
        LifecycleAction::new(self, id, &UNSUSPEND_USER)
    }

    /// Unlocks a LOCKED_OUT user (or an ACTIVE one blocked from unknown devices)
    /// (`POST /api/v1/users/{id}/lifecycle/unlock`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.unlock("00u1").await?;
    /// # Ok(()) }
    /// ```
    pub fn unlock(&self, id: impl Into<String>) -> LifecycleAction<S> {
        LifecycleAction::new(self, id, &UNLOCK_USER)
    }
}

/// `POST /api/v1/users/{id}/lifecycle/activate` or `…/reactivate`, built by
/// [`Users::activate`] and [`Users::reactivate`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ActivateUser<S> {
    users: Users<S>,
    id: String,
    send_email: Option<bool>,
    endpoint: &'static Endpoint,
}

impl<S> ActivateUser<S> {
    /// Whether Okta emails the activation link to the user (Okta's default: `true` to activate,
    /// `false` to reactivate). With `false` the link comes back in the response.
    pub fn send_email(mut self, send_email: bool) -> Self {
        self.send_email = Some(send_email);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(self.endpoint, &[&self.id])?;
        request.query_opt("sendEmail", self.send_email);
        Ok(request)
    }
}
impl<S: HttpService> ActivateUser<S> {
    /// Activated during the call: with the link emailed, Okta's answer is empty anyway; with
    /// the token in the answer, it is lost with it.
    async fn reconcile_after(
        self,
        reconciler: Reconciler<S>,
    ) -> Result<Outcome<UserActivationToken>> {
        let token_in_answer = self.send_email == Some(false);
        let request = self.request()?;
        let resend = self.users.fetch_json(request);
        flows::status_or_resend(
            reconciler,
            &self.id,
            |_| {
                if token_in_answer {
                    AppliedValue::Lost("activation token")
                } else {
                    AppliedValue::Value(UserActivationToken::default())
                }
            },
            resend,
        )
        .await
    }
}
single!(ActivateUser => UserActivationToken, json, reconcile custom);

/// `POST /api/v1/users/{id}/lifecycle/deactivate`, built by [`Users::deactivate`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct DeactivateUser<S> {
    users: Users<S>,
    id: String,
    send_email: Option<bool>,
    respond_async: bool,
}

impl<S> DeactivateUser<S> {
    /// Asks Okta to finish the deactivation in the background (`Prefer: respond-async`).
    pub fn respond_async(mut self) -> Self {
        self.respond_async = true;
        self
    }

    /// Whether Okta emails the admin about the deactivation (default `false`).
    pub fn send_email(mut self, send_email: bool) -> Self {
        self.send_email = Some(send_email);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&DEACTIVATE_USER, &[&self.id])?;
        request.query_opt("sendEmail", self.send_email);
        if self.respond_async {
            request.header(
                http::header::HeaderName::from_static("prefer"),
                "respond-async",
            )?;
        }
        Ok(request)
    }
}
impl<S: HttpService> DeactivateUser<S> {
    async fn reconcile_after(self, reconciler: Reconciler<S>) -> Result<Outcome<()>> {
        let request = self.request()?;
        let resend = self.users.fetch_empty(request);
        flows::status_or_resend(reconciler, &self.id, |_| AppliedValue::Value(()), resend).await
    }
}
single!(DeactivateUser => (), empty, reconcile custom);

/// `POST /api/v1/users/{id}/lifecycle/expire_password?tempPassword=false`, built by
/// [`Users::expire_password`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ExpirePassword<S, P = UserProfile> {
    users: Users<S>,
    id: String,
    profile: PhantomData<fn() -> P>,
}

impl<S, P> ExpirePassword<S, P> {
    /// Decodes the returned user's profile into your own type instead of [`UserProfile`].
    pub fn with_profile<Q>(self) -> ExpirePassword<S, Q> {
        ExpirePassword {
            users: self.users,
            id: self.id,
            profile: PhantomData,
        }
    }

    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&EXPIRE_PASSWORD, &[&self.id])
    }
}
impl<S, P> ExpirePassword<S, P>
where
    S: HttpService,
    P: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
{
    /// PASSWORD_EXPIRED: the user read is what Okta's answer would have been.
    async fn reconcile_after(self, reconciler: Reconciler<S>) -> Result<Outcome<User<P>>> {
        let request = self.request()?;
        let resend = self.users.fetch_user(request);
        flows::status_or_resend(
            reconciler,
            &self.id,
            |read| match read.raw.user() {
                Ok(user) => AppliedValue::Value(user),
                Err(error) => AppliedValue::Failed(error),
            },
            resend,
        )
        .await
    }
}
single!(ExpirePassword<P> => User<P>, user, reconcile custom);

/// `POST /api/v1/users/{id}/lifecycle/expire_password?tempPassword=true`, built by
/// [`Users::expire_password_with_temp_password`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ExpirePasswordWithTempPassword<S> {
    users: Users<S>,
    id: String,
    revoke_sessions: Option<bool>,
}

impl<S> ExpirePasswordWithTempPassword<S> {
    /// With `true`, Okta also revokes the user's sessions (default `false`).
    pub fn revoke_sessions(mut self, revoke_sessions: bool) -> Self {
        self.revoke_sessions = Some(revoke_sessions);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&EXPIRE_PASSWORD_WITH_TEMP_PASSWORD, &[&self.id])?;
        request.query_opt("revokeSessions", self.revoke_sessions);
        Ok(request)
    }
}
single!(ExpirePasswordWithTempPassword => TempPassword, json, reconcile resend);

/// `POST /api/v1/users/{id}/lifecycle/reset_password`, built by [`Users::reset_password`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ResetPassword<S> {
    users: Users<S>,
    id: String,
    send_email: bool,
    revoke_sessions: Option<bool>,
}

impl<S> ResetPassword<S> {
    /// Whether Okta emails the reset link to the user (sent as `true` unless set). With
    /// `false` the link comes back in the response.
    pub fn send_email(mut self, send_email: bool) -> Self {
        self.send_email = send_email;
        self
    }

    /// With `true`, Okta revokes every session of the user but the current one (default `false`).
    pub fn revoke_sessions(mut self, revoke_sessions: bool) -> Self {
        self.revoke_sessions = Some(revoke_sessions);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&RESET_PASSWORD, &[&self.id])?;
        request.query("sendEmail", self.send_email);
        request.query_opt("revokeSessions", self.revoke_sessions);
        Ok(request)
    }
}
impl<S: HttpService> ResetPassword<S> {
    /// With the link in the answer, a re-send gives a new one (Okta allows it from RECOVERY).
    fn rule(&self, endpoint: &'static Endpoint) -> Rule {
        if self.send_email {
            endpoint.reconcile
        } else {
            Rule::Resend
        }
    }

    async fn reconcile_after(
        self,
        reconciler: Reconciler<S>,
    ) -> Result<Outcome<ResetPasswordToken>> {
        let request = self.request()?;
        let resend = self.users.fetch_json(request);
        flows::status_or_resend(
            reconciler,
            &self.id,
            |_| AppliedValue::Value(ResetPasswordToken::default()),
            resend,
        )
        .await
    }
}
single!(ResetPassword => ResetPasswordToken, json, reconcile custom_rule);

/// A lifecycle change without parameters or response body — `reset_factors`, `suspend`,
/// `unsuspend`, `unlock` — built by [`Users::reset_factors`], [`Users::suspend`],
/// [`Users::unsuspend`] and [`Users::unlock`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct LifecycleAction<S> {
    users: Users<S>,
    id: String,
    endpoint: &'static Endpoint,
}

impl<S: Clone> LifecycleAction<S> {
    fn new(users: &Users<S>, id: impl Into<String>, endpoint: &'static Endpoint) -> Self {
        LifecycleAction {
            users: users.clone(),
            id: id.into(),
            endpoint,
        }
    }
}

impl<S> LifecycleAction<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(self.endpoint, &[&self.id])
    }
}
impl<S: HttpService> LifecycleAction<S> {
    async fn reconcile_after(self, reconciler: Reconciler<S>) -> Result<Outcome<()>> {
        let request = self.request()?;
        let resend = self.users.fetch_empty(request);
        flows::status_or_resend(reconciler, &self.id, |_| AppliedValue::Value(()), resend).await
    }
}
single!(LifecycleAction => (), empty, reconcile custom);
