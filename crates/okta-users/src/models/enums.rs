//! The string enums of the Users API, all open: an unknown value is kept in `Other(String)`.

use super::open_enum::open_enum;

open_enum! {
    /// The lifecycle status of a user (`UserStatus`).
    pub enum UserStatus {
        /// Created, not yet activated.
        Staged = "STAGED",
        /// Activation started; the user has not completed it.
        Provisioned = "PROVISIONED",
        /// Active.
        Active = "ACTIVE",
        /// Password reset in progress.
        Recovery = "RECOVERY",
        /// The password expired; the user must change it at next sign-in.
        PasswordExpired = "PASSWORD_EXPIRED",
        /// Locked out after too many failed sign-ins.
        LockedOut = "LOCKED_OUT",
        /// Suspended by an admin.
        Suspended = "SUSPENDED",
        /// Deactivated.
        Deprovisioned = "DEPROVISIONED",
    }
}

open_enum! {
    /// Who authenticates a user (`AuthenticationProviderType`).
    pub enum AuthenticationProviderType {
        ActiveDirectory = "ACTIVE_DIRECTORY",
        Federation = "FEDERATION",
        Import = "IMPORT",
        Ldap = "LDAP",
        Okta = "OKTA",
        Social = "SOCIAL",
    }
}

open_enum! {
    /// The algorithm of an imported password hash (`PasswordCredentialHashAlgorithm`).
    pub enum PasswordCredentialHashAlgorithm {
        Bcrypt = "BCRYPT",
        Md5 = "MD5",
        Pbkdf2 = "PBKDF2",
        Sha1 = "SHA-1",
        Sha256 = "SHA-256",
        Sha512 = "SHA-512",
    }
}

open_enum! {
    /// The digest of a PBKDF2 password hash (`DigestAlgorithm`).
    pub enum DigestAlgorithm {
        Sha256Hmac = "SHA256_HMAC",
        Sha512Hmac = "SHA512_HMAC",
    }
}

open_enum! {
    /// What the user must do at next sign-in (`nextLogin` query parameter of createUser).
    pub enum UserNextLogin {
        /// The password expires: the user must change it.
        ChangePassword = "changePassword",
    }
}

open_enum! {
    /// The status of an OAuth 2.0 grant or refresh token (`GrantOrTokenStatus`).
    pub enum GrantOrTokenStatus {
        Active = "ACTIVE",
        Revoked = "REVOKED",
    }
}

open_enum! {
    /// Who granted a scope consent (`OAuth2ScopeConsentGrantSource`).
    pub enum OAuth2ScopeConsentGrantSource {
        Admin = "ADMIN",
        EndUser = "END_USER",
    }
}

open_enum! {
    /// The kind of a group (`GroupType`).
    pub enum GroupType {
        /// Imported from an app.
        AppGroup = "APP_GROUP",
        /// Built in (e.g. `Everyone`).
        BuiltIn = "BUILT_IN",
        /// Managed in Okta.
        OktaGroup = "OKTA_GROUP",
    }
}

open_enum! {
    /// The kind of an identity provider (`IdentityProviderType`).
    pub enum IdentityProviderType {
        Amazon = "AMAZON",
        Apple = "APPLE",
        Discord = "DISCORD",
        Facebook = "FACEBOOK",
        Github = "GITHUB",
        Gitlab = "GITLAB",
        Google = "GOOGLE",
        IdvClear = "IDV_CLEAR",
        IdvIncode = "IDV_INCODE",
        IdvPersona = "IDV_PERSONA",
        IdvStandard = "IDV_STANDARD",
        Linkedin = "LINKEDIN",
        Logingov = "LOGINGOV",
        LogingovSandbox = "LOGINGOV_SANDBOX",
        Microsoft = "MICROSOFT",
        Oidc = "OIDC",
        OktaIntegration = "OKTA_INTEGRATION",
        Paypal = "PAYPAL",
        PaypalSandbox = "PAYPAL_SANDBOX",
        Salesforce = "SALESFORCE",
        Saml2 = "SAML2",
        Spotify = "SPOTIFY",
        X509 = "X509",
        Xero = "XERO",
        Yahoo = "YAHOO",
        Yahoojp = "YAHOOJP",
    }
}

open_enum! {
    /// Which domain Okta uses in requests to a social IdP (`IdentityProviderIssuerMode`).
    pub enum IdentityProviderIssuerMode {
        CustomUrl = "CUSTOM_URL",
        Dynamic = "DYNAMIC",
        OrgUrl = "ORG_URL",
    }
}

open_enum! {
    /// Active or inactive (`LifecycleStatus`).
    pub enum LifecycleStatus {
        Active = "ACTIVE",
        Inactive = "INACTIVE",
    }
}

open_enum! {
    /// An admin role (`RoleType`).
    pub enum RoleType {
        SuperAdmin = "SUPER_ADMIN",
        OrgAdmin = "ORG_ADMIN",
        AppAdmin = "APP_ADMIN",
        UserAdmin = "USER_ADMIN",
        HelpDeskAdmin = "HELP_DESK_ADMIN",
        ReadOnlyAdmin = "READ_ONLY_ADMIN",
        MobileAdmin = "MOBILE_ADMIN",
        ApiAccessManagementAdmin = "API_ACCESS_MANAGEMENT_ADMIN",
        ReportAdmin = "REPORT_ADMIN",
        GroupMembershipAdmin = "GROUP_MEMBERSHIP_ADMIN",
        WorkflowsAdmin = "WORKFLOWS_ADMIN",
        AccessCertificationsAdmin = "ACCESS_CERTIFICATIONS_ADMIN",
        AccessRequestsAdmin = "ACCESS_REQUESTS_ADMIN",
        /// A custom role (with a role id and a resource set).
        Custom = "CUSTOM",
    }
}

open_enum! {
    /// How a role is assigned (`RoleAssignmentType`).
    pub enum RoleAssignmentType {
        User = "USER",
        Group = "GROUP",
        Client = "CLIENT",
    }
}

open_enum! {
    /// The status of a catalog application (`CatalogApplicationStatus`).
    pub enum CatalogApplicationStatus {
        Active = "ACTIVE",
        Inactive = "INACTIVE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_status_unknown_value_round_trips() {
        let status: UserStatus = serde_json::from_str(r#""PENDING_USER_ACTION""#).unwrap();
        assert_eq!(status, UserStatus::Other("PENDING_USER_ACTION".into()));
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            r#""PENDING_USER_ACTION""#
        );
        let known: UserStatus = serde_json::from_str(r#""PASSWORD_EXPIRED""#).unwrap();
        assert_eq!(known, UserStatus::PasswordExpired);
    }

    #[test]
    fn every_known_value_round_trips() {
        fn check<T>(known: &[&str])
        where
            T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Display,
        {
            for value in known {
                let json = format!("\"{value}\"");
                let decoded: T = serde_json::from_str(&json).unwrap();
                assert_eq!(decoded.to_string(), *value);
                assert_eq!(serde_json::to_string(&decoded).unwrap(), json);
            }
        }
        check::<UserStatus>(UserStatus::KNOWN);
        check::<AuthenticationProviderType>(AuthenticationProviderType::KNOWN);
        check::<PasswordCredentialHashAlgorithm>(PasswordCredentialHashAlgorithm::KNOWN);
        check::<DigestAlgorithm>(DigestAlgorithm::KNOWN);
        check::<UserNextLogin>(UserNextLogin::KNOWN);
        check::<GrantOrTokenStatus>(GrantOrTokenStatus::KNOWN);
        check::<OAuth2ScopeConsentGrantSource>(OAuth2ScopeConsentGrantSource::KNOWN);
        check::<GroupType>(GroupType::KNOWN);
        check::<IdentityProviderType>(IdentityProviderType::KNOWN);
        check::<IdentityProviderIssuerMode>(IdentityProviderIssuerMode::KNOWN);
        check::<LifecycleStatus>(LifecycleStatus::KNOWN);
        check::<RoleType>(RoleType::KNOWN);
        check::<RoleAssignmentType>(RoleAssignmentType::KNOWN);
        check::<CatalogApplicationStatus>(CatalogApplicationStatus::KNOWN);
        // and none of them decodes to `Other`
        for value in RoleType::KNOWN {
            assert!(value.parse::<RoleType>().unwrap().is_known());
        }
    }

    #[test]
    fn unknown_values_of_every_enum_are_kept() {
        let role: RoleType = serde_json::from_str(r#""BRAND_NEW_ADMIN""#).unwrap();
        assert_eq!(role, RoleType::Other("BRAND_NEW_ADMIN".into()));
        assert_eq!(
            serde_json::to_string(&role).unwrap(),
            r#""BRAND_NEW_ADMIN""#
        );
        let next: UserNextLogin = serde_json::from_str(r#""changeRecoveryQuestion""#).unwrap();
        assert_eq!(next.as_str(), "changeRecoveryQuestion");
    }
}
