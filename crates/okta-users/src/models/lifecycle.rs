//! Responses of lifecycle and credential operations. All carry secrets: their `Debug`
//! prints `<redacted>` instead of tokens, URLs with tokens, and passwords.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::secret::Redacted;

/// The response of `activateUser` / `reactivateUser` with `sendEmail=false`
/// (`UserActivationToken`).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserActivationToken {
    /// `activationToken` (a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_token: Option<String>,
    /// `activationUrl`: the activation link, which contains the token (a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_url: Option<String>,
}

impl fmt::Debug for UserActivationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserActivationToken")
            .field("activation_token", &Redacted(&self.activation_token))
            .field("activation_url", &Redacted(&self.activation_url))
            .finish()
    }
}

/// The response of `resetPassword` with `sendEmail=false` (`ResetPasswordToken`).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResetPasswordToken {
    /// `resetPasswordUrl`: the one-time reset link (a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_password_url: Option<String>,
}

impl fmt::Debug for ResetPasswordToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResetPasswordToken")
            .field("reset_password_url", &Redacted(&self.reset_password_url))
            .finish()
    }
}

/// The response of `expirePasswordWithTempPassword` (`tempPassword`).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TempPassword {
    /// `tempPassword`: a temporary password to sign in with (a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temp_password: Option<String>,
}

impl fmt::Debug for TempPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TempPassword")
            .field("temp_password", &Redacted(&self.temp_password))
            .finish()
    }
}

/// The response of `forgotPassword` with `sendEmail=false` (`ForgotPasswordResponse`).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ForgotPasswordResponse {
    /// `resetPasswordUrl`: the one-time reset link (a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_password_url: Option<String>,
}

impl fmt::Debug for ForgotPasswordResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForgotPasswordResponse")
            .field("reset_password_url", &Redacted(&self.reset_password_url))
            .finish()
    }
}
