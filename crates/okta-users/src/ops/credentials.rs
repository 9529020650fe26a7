//! Credentials: change the password or the recovery question, start the forgot-password flow
//! (`POST /api/v1/users/{userId}/credentials/…`).

use crate::call::single;
use crate::endpoints::Endpoint;
use crate::endpoints::{CHANGE_PASSWORD, CHANGE_RECOVERY_QUESTION, FORGOT_PASSWORD};
use crate::models::{ChangePasswordRequest, ForgotPasswordResponse, UserCredentials};
use crate::reconcile::{Outcome, Reconciler, Rule, flows};
use crate::request::ApiRequest;
use crate::{HttpService, Result, Users};

impl<S: HttpService> Users<S> {
    /// Changes the user's password, validating the current one
    /// (`POST /api/v1/users/{userId}/credentials/change_password`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// use okta_users::models::ChangePasswordRequest;
    /// let change = ChangePasswordRequest::new("old secret", "new secret");
    /// let credentials = users.change_password("00u1", change).strict(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn change_password(
        &self,
        user_id: impl Into<String>,
        body: ChangePasswordRequest,
    ) -> ChangePassword<S> {
        ChangePassword {
            users: self.clone(),
            user_id: user_id.into(),
            body,
            strict: None,
        }
    }

    /// Changes the user's recovery question and answer, validating the current password sent
    /// in `credentials.password` (`POST /api/v1/users/{userId}/credentials/change_recovery_question`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// use okta_users::models::UserCredentials;
    /// let credentials = UserCredentials::new().password("current secret").recovery_question("Favourite number?", "42");
    /// users.change_recovery_question("00u1", credentials).await?;
    /// # Ok(()) }
    /// ```
    pub fn change_recovery_question(
        &self,
        user_id: impl Into<String>,
        body: UserCredentials,
    ) -> ChangeRecoveryQuestion<S> {
        ChangeRecoveryQuestion {
            users: self.clone(),
            user_id: user_id.into(),
            body,
        }
    }

    /// Starts the forgot-password flow (`POST /api/v1/users/{userId}/credentials/forgot_password`).
    ///
    /// Okta emails the reset link unless `.send_email(false)`, in which case the link comes back
    /// in the response (with an email, the response is empty).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let reset = users.forgot_password("00u1").send_email(false).await?;
    /// println!("{:?}", reset.reset_password_url);
    /// # Ok(()) }
    /// ```
    pub fn forgot_password(&self, user_id: impl Into<String>) -> ForgotPassword<S> {
        ForgotPassword {
            users: self.clone(),
            user_id: user_id.into(),
            send_email: None,
        }
    }
}

/// `POST /api/v1/users/{userId}/credentials/change_password`, built by [`Users::change_password`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ChangePassword<S> {
    users: Users<S>,
    user_id: String,
    body: ChangePasswordRequest,
    strict: Option<bool>,
}

impl<S> ChangePassword<S> {
    /// With `true`, Okta also enforces the password policy's minimum age (default `false`).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = Some(strict);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&CHANGE_PASSWORD, &[&self.user_id])?;
        request.query_opt("strict", self.strict);
        request.json(&self.body)?;
        Ok(request)
    }
}
single!(ChangePassword => UserCredentials, json, reconcile resend);

/// `POST /api/v1/users/{userId}/credentials/change_recovery_question`, built by
/// [`Users::change_recovery_question`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ChangeRecoveryQuestion<S> {
    users: Users<S>,
    user_id: String,
    body: UserCredentials,
}

impl<S> ChangeRecoveryQuestion<S> {
    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&CHANGE_RECOVERY_QUESTION, &[&self.user_id])?;
        request.json(&self.body)?;
        Ok(request)
    }
}
single!(ChangeRecoveryQuestion => UserCredentials, json, reconcile resend);

/// `POST /api/v1/users/{userId}/credentials/forgot_password`, built by [`Users::forgot_password`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ForgotPassword<S> {
    users: Users<S>,
    user_id: String,
    send_email: Option<bool>,
}

impl<S> ForgotPassword<S> {
    /// Whether Okta emails the reset link to the user (default `true`). With `false` the link
    /// comes back in the response.
    pub fn send_email(mut self, send_email: bool) -> Self {
        self.send_email = Some(send_email);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&FORGOT_PASSWORD, &[&self.user_id])?;
        request.query_opt("sendEmail", self.send_email);
        Ok(request)
    }
}
impl<S: HttpService> ForgotPassword<S> {
    /// With the link emailed, a re-send emails the user again and nothing read shows the first
    /// did: not reconciled. With the link in the answer, a re-send gives a new one.
    fn rule(&self, endpoint: &'static Endpoint) -> Rule {
        if self.send_email == Some(false) {
            Rule::Resend
        } else {
            endpoint.reconcile
        }
    }

    async fn reconcile_after(
        self,
        reconciler: Reconciler<S>,
    ) -> Result<Outcome<ForgotPasswordResponse>> {
        let request = self.request()?;
        flows::resend(reconciler, self.users.fetch_json(request)).await
    }
}
single!(ForgotPassword => ForgotPasswordResponse, json, reconcile custom_rule);
