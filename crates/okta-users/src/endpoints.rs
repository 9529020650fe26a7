//! The 49 operations of the Users API as a table: one [`Endpoint`] per operation — its
//! [`Operation`] (span name, Okta's operationId), HTTP method and path template — and [`ALL`].
//!
//! Every builder holds the `&'static Endpoint` it sends; the request path is the template
//! filled with checked, percent-encoded segments ([`Endpoint::fill_path`]). The table is the
//! one place these facts live: `src/operations.md`, the rate-limit buckets and the mock org's
//! router are each checked against it by a test.

use http::Method;
use percent_encoding::utf8_percent_encode;

use crate::error::{Error, Result};
use crate::reconcile::{Rule, TargetStatus};
use crate::request::{Operation, SEGMENT, check_segment};

/// One operation of the Users API: what it is called, and the request line it sends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Endpoint {
    /// The operation's names and retry semantics, carried in each request's extensions.
    pub operation: Operation,
    /// The HTTP method.
    pub method: Method,
    /// The path template as Okta's docs write it, e.g.
    /// `/api/v1/users/{userId}/lifecycle/activate`; each `{name}` is one path segment.
    pub path: &'static str,
    /// Query parameters every request of this operation carries (`tempPassword=true` tells
    /// the two expire-password operations apart), or `""`.
    pub query: &'static str,
    /// For a list: the most items one page may hold when the caller sets no `limit` — the
    /// maximum Okta's spec documents for the list's `limit`, or, for the lists Okta answers
    /// whole, [`UNPAGED_MAX_ITEMS`]. A page with more is refused before it is decoded whole.
    /// `None` for an operation that is not a list.
    pub max_page_items: Option<usize>,
    /// How the façade reconciles the operation after an ambiguous failure (see
    /// [`crate::reconcile`]): [`Rule::None`] for a read.
    pub reconcile: Rule,
}

/// The most items of a list that Okta answers in one response with no `limit` parameter
/// (app links, clients, groups, identity providers, linked objects and roles of one user):
/// Okta documents no bound for these, and this one sits far above any real user's while
/// keeping the decoded page within tens of MiB whatever the body holds.
pub const UNPAGED_MAX_ITEMS: usize = 10_000;

/// The `limit` maximum Okta's spec gives its paged lists (and the default of `listUsers`).
const PAGE_MAX: usize = 200;

impl Endpoint {
    const fn new(operation: Operation, method: Method, path: &'static str) -> Self {
        Endpoint {
            operation,
            method,
            path,
            query: "",
            max_page_items: None,
            reconcile: Rule::None,
        }
    }

    const fn reconciled(mut self, rule: Rule) -> Self {
        self.reconcile = rule;
        self
    }

    const fn with_query(mut self, query: &'static str) -> Self {
        self.query = query;
        self
    }

    const fn list(mut self, max_page_items: usize) -> Self {
        self.max_page_items = Some(max_page_items);
        self
    }

    /// Whether the operation is a list (its response is a JSON array, paged by `Link`).
    pub fn is_list(&self) -> bool {
        self.max_page_items.is_some()
    }

    /// The names of the path's segments, in order: `["userId", "roleId"]`.
    pub fn segment_names(&self) -> impl Iterator<Item = &'static str> + use<> {
        let path: &'static str = self.path;
        path.split('{')
            .skip(1)
            .filter_map(|piece| piece.split_once('}').map(|(name, _)| name))
    }

    /// The path with each `{name}` replaced by one argument, in order, checked (not empty, not
    /// `.` or `..`, no control characters) and percent-encoded so that it stays one segment.
    ///
    /// Fewer or more arguments than the template has segments is an error, never a path with a
    /// segment left out.
    ///
    /// ```
    /// use okta_users::endpoints::UNASSIGN_ROLE;
    /// assert_eq!(
    ///     UNASSIGN_ROLE.fill_path(&["00u1", "ra/1"]).unwrap(),
    ///     "/api/v1/users/00u1/roles/ra%2F1"
    /// );
    /// assert!(UNASSIGN_ROLE.fill_path(&["00u1"]).is_err());
    /// ```
    pub fn fill_path(&self, segments: &[&str]) -> Result<String> {
        let expected = self.segment_names().count();
        if segments.len() != expected {
            return Err(Error::InvalidInput {
                what: "path",
                reason: format!(
                    "`{}` takes {expected} segment(s), {} given",
                    self.path,
                    segments.len()
                ),
            });
        }
        let mut out = String::with_capacity(self.path.len() + 32);
        let mut rest: &'static str = self.path;
        for value in segments {
            // The count above matched, so every argument has its `{name}`.
            let (before, after_open) = rest.split_once('{').unwrap_or((rest, ""));
            let (name, after) = after_open.split_once('}').unwrap_or((after_open, ""));
            check_segment(name, value)?;
            out.push_str(before);
            out.extend(utf8_percent_encode(value, SEGMENT));
            rest = after;
        }
        out.push_str(rest);
        Ok(out)
    }
}

impl std::fmt::Display for Endpoint {
    /// `METHOD /path/{template}` and the fixed query, as `operations.md` writes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        Ok(())
    }
}

macro_rules! endpoints {
    ($(
        $(#[$doc:meta])*
        $name:ident = $method:ident $path:literal, $span:literal, $operation_id:literal
            $(, query $query:literal)? $(, list $max:expr)? $(, marked $non_idempotent:ident)?
            $(, reconcile $rule:expr)?;
    )*) => {
        $(
            $(#[$doc])*
            pub static $name: Endpoint = {
                let operation = Operation::new($span, $operation_id) $(.$non_idempotent())?;
                Endpoint::new(operation, Method::$method, $path)
                    $(.with_query($query))?
                    $(.list($max))?
                    $(.reconciled($rule))?
            };
        )*

        /// Every endpoint, in the order of `operations.md` (the seed's order).
        pub static ALL: &[&Endpoint] = &[$(&$name),*];
    };
}

endpoints! {
    /// `listUsers`: [`Users::list`](crate::Users::list).
    LIST_USERS = GET "/api/v1/users", "okta.users.list", "listUsers", list PAGE_MAX;
    /// `createUser`: [`Users::create`](crate::Users::create).
    CREATE_USER = POST "/api/v1/users", "okta.users.create", "createUser",
        reconcile Rule::CreateUser;
    /// `assignLinkedObjectValueForPrimary`:
    /// [`Users::assign_linked_object`](crate::Users::assign_linked_object).
    ASSIGN_LINKED_OBJECT = PUT
        "/api/v1/users/{associatedUserId}/linkedObjects/{primaryRelationshipName}/{primaryUserId}",
        "okta.users.assign_linked_object", "assignLinkedObjectValueForPrimary",
        reconcile Rule::Resend;
    /// `getUser`: [`Users::get`](crate::Users::get).
    GET_USER = GET "/api/v1/users/{userId}", "okta.users.get", "getUser";
    /// `replaceUser`: [`Users::replace`](crate::Users::replace).
    REPLACE_USER = PUT "/api/v1/users/{userId}", "okta.users.replace", "replaceUser",
        reconcile Rule::Profile;
    /// `updateUser`: [`Users::update`](crate::Users::update).
    UPDATE_USER = POST "/api/v1/users/{userId}", "okta.users.update", "updateUser",
        reconcile Rule::Profile;
    /// `deleteUser`: [`Users::delete`](crate::Users::delete). The first DELETE deactivates,
    /// the second deletes: never repeated after an ambiguous failure.
    DELETE_USER = DELETE "/api/v1/users/{userId}", "okta.users.delete", "deleteUser",
        marked non_idempotent,
        reconcile Rule::DeleteUser;
    /// `listAppLinks`: [`Users::list_app_links`](crate::Users::list_app_links).
    LIST_APP_LINKS = GET "/api/v1/users/{userId}/appLinks", "okta.users.list_app_links",
        "listAppLinks", list UNPAGED_MAX_ITEMS;
    /// `listUserClients`: [`Users::list_clients`](crate::Users::list_clients).
    LIST_CLIENTS = GET "/api/v1/users/{userId}/clients", "okta.users.list_clients",
        "listUserClients", list UNPAGED_MAX_ITEMS;
    /// `listGrantsForUserAndClient`:
    /// [`Users::list_client_grants`](crate::Users::list_client_grants).
    LIST_CLIENT_GRANTS = GET "/api/v1/users/{userId}/clients/{clientId}/grants",
        "okta.users.list_client_grants", "listGrantsForUserAndClient", list PAGE_MAX;
    /// `revokeGrantsForUserAndClient`:
    /// [`Users::revoke_client_grants`](crate::Users::revoke_client_grants).
    REVOKE_CLIENT_GRANTS = DELETE "/api/v1/users/{userId}/clients/{clientId}/grants",
        "okta.users.revoke_client_grants", "revokeGrantsForUserAndClient",
        reconcile Rule::Resend;
    /// `listRefreshTokensForUserAndClient`:
    /// [`Users::list_refresh_tokens`](crate::Users::list_refresh_tokens).
    LIST_REFRESH_TOKENS = GET "/api/v1/users/{userId}/clients/{clientId}/tokens",
        "okta.users.list_refresh_tokens", "listRefreshTokensForUserAndClient", list PAGE_MAX;
    /// `revokeTokensForUserAndClient`:
    /// [`Users::revoke_refresh_tokens`](crate::Users::revoke_refresh_tokens).
    REVOKE_REFRESH_TOKENS = DELETE "/api/v1/users/{userId}/clients/{clientId}/tokens",
        "okta.users.revoke_refresh_tokens", "revokeTokensForUserAndClient",
        reconcile Rule::Resend;
    /// `getRefreshTokenForUserAndClient`:
    /// [`Users::get_refresh_token`](crate::Users::get_refresh_token).
    GET_REFRESH_TOKEN = GET "/api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}",
        "okta.users.get_refresh_token", "getRefreshTokenForUserAndClient";
    /// `revokeTokenForUserAndClient`:
    /// [`Users::revoke_refresh_token`](crate::Users::revoke_refresh_token).
    REVOKE_REFRESH_TOKEN = DELETE "/api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}",
        "okta.users.revoke_refresh_token", "revokeTokenForUserAndClient",
        marked non_idempotent,
        reconcile Rule::Resend;
    /// `changePassword`: [`Users::change_password`](crate::Users::change_password).
    CHANGE_PASSWORD = POST "/api/v1/users/{userId}/credentials/change_password",
        "okta.users.change_password", "changePassword";
    /// `changeRecoveryQuestion`:
    /// [`Users::change_recovery_question`](crate::Users::change_recovery_question).
    CHANGE_RECOVERY_QUESTION = POST "/api/v1/users/{userId}/credentials/change_recovery_question",
        "okta.users.change_recovery_question", "changeRecoveryQuestion",
        reconcile Rule::Resend;
    /// `forgotPassword`: [`Users::forgot_password`](crate::Users::forgot_password).
    FORGOT_PASSWORD = POST "/api/v1/users/{userId}/credentials/forgot_password",
        "okta.users.forgot_password", "forgotPassword";
    /// `listUserGrants`: [`Users::list_grants`](crate::Users::list_grants).
    LIST_GRANTS = GET "/api/v1/users/{userId}/grants", "okta.users.list_grants",
        "listUserGrants", list PAGE_MAX;
    /// `revokeUserGrants`: [`Users::revoke_grants`](crate::Users::revoke_grants).
    REVOKE_GRANTS = DELETE "/api/v1/users/{userId}/grants", "okta.users.revoke_grants",
        "revokeUserGrants",
        reconcile Rule::Resend;
    /// `getUserGrant`: [`Users::get_grant`](crate::Users::get_grant).
    GET_GRANT = GET "/api/v1/users/{userId}/grants/{grantId}", "okta.users.get_grant",
        "getUserGrant";
    /// `revokeUserGrant`: [`Users::revoke_grant`](crate::Users::revoke_grant).
    REVOKE_GRANT = DELETE "/api/v1/users/{userId}/grants/{grantId}", "okta.users.revoke_grant",
        "revokeUserGrant",
        marked non_idempotent,
        reconcile Rule::Resend;
    /// `listUserGroups`: [`Users::list_groups`](crate::Users::list_groups).
    LIST_GROUPS = GET "/api/v1/users/{userId}/groups", "okta.users.list_groups",
        "listUserGroups", list UNPAGED_MAX_ITEMS;
    /// `listUserIdentityProviders`:
    /// [`Users::list_identity_providers`](crate::Users::list_identity_providers).
    LIST_IDENTITY_PROVIDERS = GET "/api/v1/users/{userId}/idps",
        "okta.users.list_identity_providers", "listUserIdentityProviders",
        list UNPAGED_MAX_ITEMS;
    /// `activateUser`: [`Users::activate`](crate::Users::activate).
    ACTIVATE_USER = POST "/api/v1/users/{userId}/lifecycle/activate", "okta.users.activate",
        "activateUser",
        reconcile Rule::Status(TargetStatus::Activated);
    /// `deactivateUser`: [`Users::deactivate`](crate::Users::deactivate).
    DEACTIVATE_USER = POST "/api/v1/users/{userId}/lifecycle/deactivate",
        "okta.users.deactivate", "deactivateUser",
        reconcile Rule::Status(TargetStatus::Deprovisioned);
    /// `expirePassword`: [`Users::expire_password`](crate::Users::expire_password).
    EXPIRE_PASSWORD = POST "/api/v1/users/{userId}/lifecycle/expire_password",
        "okta.users.expire_password", "expirePassword", query "tempPassword=false",
        reconcile Rule::Status(TargetStatus::PasswordExpired);
    /// `expirePasswordWithTempPassword`:
    /// [`Users::expire_password_with_temp_password`](crate::Users::expire_password_with_temp_password).
    EXPIRE_PASSWORD_WITH_TEMP_PASSWORD = POST "/api/v1/users/{userId}/lifecycle/expire_password",
        "okta.users.expire_password_with_temp_password", "expirePasswordWithTempPassword",
        query "tempPassword=true",
        reconcile Rule::Resend;
    /// `reactivateUser`: [`Users::reactivate`](crate::Users::reactivate).
    REACTIVATE_USER = POST "/api/v1/users/{userId}/lifecycle/reactivate",
        "okta.users.reactivate", "reactivateUser",
        reconcile Rule::Resend;
    /// `resetFactors`: [`Users::reset_factors`](crate::Users::reset_factors).
    RESET_FACTORS = POST "/api/v1/users/{userId}/lifecycle/reset_factors",
        "okta.users.reset_factors", "resetFactors",
        reconcile Rule::Resend;
    /// `resetPassword`: [`Users::reset_password`](crate::Users::reset_password).
    RESET_PASSWORD = POST "/api/v1/users/{userId}/lifecycle/reset_password",
        "okta.users.reset_password", "resetPassword",
        reconcile Rule::Status(TargetStatus::Recovery);
    /// `suspendUser`: [`Users::suspend`](crate::Users::suspend).
    SUSPEND_USER = POST "/api/v1/users/{userId}/lifecycle/suspend", "okta.users.suspend",
        "suspendUser",
        reconcile Rule::Status(TargetStatus::Suspended);
    /// `unlockUser`: [`Users::unlock`](crate::Users::unlock).
    UNLOCK_USER = POST "/api/v1/users/{userId}/lifecycle/unlock", "okta.users.unlock",
        "unlockUser",
        reconcile Rule::Resend;
    /// `unsuspendUser`: [`Users::unsuspend`](crate::Users::unsuspend).
    UNSUSPEND_USER = POST "/api/v1/users/{userId}/lifecycle/unsuspend", "okta.users.unsuspend",
        "unsuspendUser",
        reconcile Rule::Status(TargetStatus::Unsuspended);
    /// `listLinkedObjectsForUser`:
    /// [`Users::list_linked_objects`](crate::Users::list_linked_objects).
    LIST_LINKED_OBJECTS = GET "/api/v1/users/{userId}/linkedObjects/{relationshipName}",
        "okta.users.list_linked_objects", "listLinkedObjectsForUser", list UNPAGED_MAX_ITEMS;
    /// `deleteLinkedObjectForUser`:
    /// [`Users::delete_linked_object`](crate::Users::delete_linked_object).
    DELETE_LINKED_OBJECT = DELETE "/api/v1/users/{userId}/linkedObjects/{relationshipName}",
        "okta.users.delete_linked_object", "deleteLinkedObjectForUser",
        reconcile Rule::Resend;
    /// `listAssignedRolesForUser`: [`Users::list_roles`](crate::Users::list_roles).
    LIST_ROLES = GET "/api/v1/users/{userId}/roles", "okta.users.list_roles",
        "listAssignedRolesForUser", list UNPAGED_MAX_ITEMS;
    /// `assignRoleToUser`: [`Users::assign_role`](crate::Users::assign_role).
    ASSIGN_ROLE = POST "/api/v1/users/{userId}/roles", "okta.users.assign_role",
        "assignRoleToUser",
        reconcile Rule::AssignRole;
    /// `unassignRoleFromUser`: [`Users::unassign_role`](crate::Users::unassign_role).
    UNASSIGN_ROLE = DELETE "/api/v1/users/{userId}/roles/{roleId}", "okta.users.unassign_role",
        "unassignRoleFromUser",
        marked non_idempotent,
        reconcile Rule::Resend;
    /// `listApplicationTargetsForApplicationAdministratorRoleForUser`:
    /// [`Users::list_app_targets`](crate::Users::list_app_targets).
    LIST_APP_TARGETS = GET "/api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps",
        "okta.users.list_app_targets",
        "listApplicationTargetsForApplicationAdministratorRoleForUser", list PAGE_MAX;
    /// `assignAllAppsAsTargetToRoleForUser`:
    /// [`Users::assign_all_apps_target`](crate::Users::assign_all_apps_target).
    ASSIGN_ALL_APPS_TARGET = PUT "/api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps",
        "okta.users.assign_all_apps_target", "assignAllAppsAsTargetToRoleForUser",
        reconcile Rule::Resend;
    /// `assignAppTargetToAdminRoleForUser`:
    /// [`Users::assign_app_target`](crate::Users::assign_app_target).
    ASSIGN_APP_TARGET = PUT
        "/api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}",
        "okta.users.assign_app_target", "assignAppTargetToAdminRoleForUser",
        reconcile Rule::Resend;
    /// `unassignAppTargetFromAppAdminRoleForUser`:
    /// [`Users::unassign_app_target`](crate::Users::unassign_app_target).
    UNASSIGN_APP_TARGET = DELETE
        "/api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}",
        "okta.users.unassign_app_target", "unassignAppTargetFromAppAdminRoleForUser",
        marked non_idempotent,
        reconcile Rule::Resend;
    /// `assignAppInstanceTargetToAppAdminRoleForUser`:
    /// [`Users::assign_app_instance_target`](crate::Users::assign_app_instance_target).
    ASSIGN_APP_INSTANCE_TARGET = PUT
        "/api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}/{applicationId}",
        "okta.users.assign_app_instance_target", "assignAppInstanceTargetToAppAdminRoleForUser",
        reconcile Rule::Resend;
    /// `unassignAppInstanceTargetFromAdminRoleForUser`:
    /// [`Users::unassign_app_instance_target`](crate::Users::unassign_app_instance_target).
    UNASSIGN_APP_INSTANCE_TARGET = DELETE
        "/api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}/{applicationId}",
        "okta.users.unassign_app_instance_target",
        "unassignAppInstanceTargetFromAdminRoleForUser",
        marked non_idempotent,
        reconcile Rule::Resend;
    /// `listGroupTargetsForRole`: [`Users::list_group_targets`](crate::Users::list_group_targets).
    LIST_GROUP_TARGETS = GET "/api/v1/users/{userId}/roles/{roleId}/targets/groups",
        "okta.users.list_group_targets", "listGroupTargetsForRole", list PAGE_MAX;
    /// `assignGroupTargetToUserRole`:
    /// [`Users::assign_group_target`](crate::Users::assign_group_target).
    ASSIGN_GROUP_TARGET = PUT "/api/v1/users/{userId}/roles/{roleId}/targets/groups/{groupId}",
        "okta.users.assign_group_target", "assignGroupTargetToUserRole",
        reconcile Rule::Resend;
    /// `unassignGroupTargetFromUserAdminRole`:
    /// [`Users::unassign_group_target`](crate::Users::unassign_group_target).
    UNASSIGN_GROUP_TARGET = DELETE
        "/api/v1/users/{userId}/roles/{roleId}/targets/groups/{groupId}",
        "okta.users.unassign_group_target", "unassignGroupTargetFromUserAdminRole",
        marked non_idempotent,
        reconcile Rule::Resend;
    /// `revokeUserSessions`: [`Users::revoke_sessions`](crate::Users::revoke_sessions).
    REVOKE_SESSIONS = DELETE "/api/v1/users/{userId}/sessions", "okta.users.revoke_sessions",
        "revokeUserSessions",
        reconcile Rule::Resend;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_fill_in_order_and_stay_one_segment() {
        assert_eq!(
            UNASSIGN_ROLE.fill_path(&["a b", "r?1"]).unwrap(),
            "/api/v1/users/a%20b/roles/r%3F1"
        );
        assert_eq!(
            GET_USER.fill_path(&["../groups"]).unwrap(),
            "/api/v1/users/..%2Fgroups"
        );
        assert_eq!(LIST_USERS.fill_path(&[]).unwrap(), "/api/v1/users");
    }

    #[test]
    fn a_missing_or_extra_segment_is_an_error_not_a_shorter_path() {
        for (endpoint, segments) in [
            (&UNASSIGN_ROLE, &["00u1"][..]),
            (&GET_USER, &[][..]),
            (&GET_USER, &["00u1", "extra"][..]),
            (&LIST_USERS, &["00u1"][..]),
        ] {
            let error = endpoint.fill_path(segments).unwrap_err();
            assert!(
                matches!(&error, Error::InvalidInput { what: "path", reason } if reason.contains(endpoint.path)),
                "{endpoint}: {error:?}"
            );
        }
    }

    #[test]
    fn a_bad_segment_is_named_after_the_template() {
        for bad in ["", ".", "..", " 00u1", "00u\n1"] {
            let error = UNASSIGN_ROLE.fill_path(&["00u1", bad]).unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput { what: "roleId", .. }),
                "{bad:?}: {error:?}"
            );
        }
    }

    #[test]
    fn segment_names_and_display() {
        assert_eq!(
            UNASSIGN_APP_INSTANCE_TARGET
                .segment_names()
                .collect::<Vec<_>>(),
            ["userId", "roleId", "appName", "applicationId"]
        );
        assert_eq!(
            EXPIRE_PASSWORD_WITH_TEMP_PASSWORD.to_string(),
            "POST /api/v1/users/{userId}/lifecycle/expire_password?tempPassword=true"
        );
        assert!(DELETE_USER.operation.non_idempotent);
        assert!(LIST_USERS.is_list() && !GET_USER.is_list());
    }
}
