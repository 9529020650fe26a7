//! A user's admin role assignments and their targets: roles, app targets, group targets.
//!
//! A role is named by the id of its *assignment* to the user (`roleAssignmentId` in Okta's spec,
//! the `id` of a [`Role`]), not by its type.

use crate::call::{paged, single};
use crate::endpoints::{
    ASSIGN_ALL_APPS_TARGET, ASSIGN_APP_INSTANCE_TARGET, ASSIGN_APP_TARGET, ASSIGN_GROUP_TARGET,
    ASSIGN_ROLE, Endpoint, LIST_APP_TARGETS, LIST_GROUP_TARGETS, LIST_ROLES,
    UNASSIGN_APP_INSTANCE_TARGET, UNASSIGN_APP_TARGET, UNASSIGN_GROUP_TARGET, UNASSIGN_ROLE,
};
use crate::models::{AssignRoleRequest, CatalogApplication, Group, Role};
use crate::reconcile::{Outcome, Reconciler, flows};
use crate::request::ApiRequest;
use crate::{HttpService, Result, Users};

impl<S: HttpService> Users<S> {
    /// One role assignment of a user (the `id` of a [`Role`]), to manage its targets without
    /// repeating both ids. Sends nothing by itself.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let role = users.role("00u1", "IFIFAX2BIRGUSTQ");
    /// role.assign_app_target("salesforce").await?;
    /// role.assign_app_instance_target("facebook", "0oapsqQ6dv19pqyEo0g3").await?;
    /// let targets = role.list_app_targets().collect_all().await?;
    /// # Ok(()) }
    /// ```
    pub fn role(&self, user_id: impl Into<String>, role_id: impl Into<String>) -> UserRole<S> {
        UserRole {
            users: self.clone(),
            user_id: user_id.into(),
            role_id: role_id.into(),
        }
    }

    /// Lists the admin roles assigned to a user (`GET /api/v1/users/{userId}/roles`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// for role in users.list_roles("00u1").expand("targets/groups").collect_all().await? {
    ///     println!("{} {:?} custom: {}", role.id, role.r#type, role.is_custom());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_roles(&self, user_id: impl Into<String>) -> ListUserRoles<S> {
        ListUserRoles {
            users: self.clone(),
            user_id: user_id.into(),
            expand: None,
        }
    }

    /// Assigns an admin role to a user (`POST /api/v1/users/{userId}/roles`): a standard role
    /// (a [`RoleType`](crate::models::RoleType) converts), or a custom role over a resource set.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// use okta_users::models::{AssignRoleRequest, RoleType};
    /// let role = users.assign_role("00u1", RoleType::UserAdmin).await?;
    /// let quiet = users
    ///     .assign_role("00u1", AssignRoleRequest::custom("cr0Yq6IJxGIr0ouum0g3", "iamoJDFKaJxGIr0oamd9g"))
    ///     .disable_notifications(true)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn assign_role(
        &self,
        user_id: impl Into<String>,
        body: impl Into<AssignRoleRequest>,
    ) -> AssignRole<S> {
        AssignRole {
            users: self.clone(),
            user_id: user_id.into(),
            body: body.into(),
            disable_notifications: None,
        }
    }

    /// Unassigns a role from a user (`DELETE /api/v1/users/{userId}/roles/{roleId}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.unassign_role("00u1", "ra1b8anIk7rx7em7L0g4").await?;
    /// # Ok(()) }
    /// ```
    pub fn unassign_role(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
    ) -> UnassignRole<S> {
        UnassignRole {
            users: self.clone(),
            user_id: user_id.into(),
            role_id: role_id.into(),
        }
    }

    /// Lists the app targets of a user's `APP_ADMIN` role: OIN catalog apps, and app instances
    /// (those with an `id`) (`GET /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let apps = users.list_app_targets("00u1", "ra1").collect_all().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_app_targets(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
    ) -> ListAppTargets<S> {
        ListAppTargets {
            users: self.clone(),
            user_id: user_id.into(),
            role_id: role_id.into(),
            after: None,
            limit: None,
        }
    }

    /// Makes a user's `APP_ADMIN` role apply to every app again
    /// (`PUT /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.assign_all_apps_target("00u1", "ra1").await?;
    /// # Ok(()) }
    /// ```
    pub fn assign_all_apps_target(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
    ) -> AssignAllAppsTarget<S> {
        AssignAllAppsTarget {
            users: self.clone(),
            user_id: user_id.into(),
            role_id: role_id.into(),
        }
    }

    /// Adds an OIN catalog app (every instance of it) to the targets of a user's `APP_ADMIN`
    /// role (`PUT /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.assign_app_target("00u1", "ra1", "salesforce").await?;
    /// # Ok(()) }
    /// ```
    pub fn assign_app_target(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        app_name: impl Into<String>,
    ) -> AppTarget<S> {
        AppTarget::new(self, &ASSIGN_APP_TARGET, user_id, role_id, app_name)
    }

    /// Removes an OIN catalog app from the targets of a user's `APP_ADMIN` role
    /// (`DELETE /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}`).
    /// Okta refuses to remove the last target.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.unassign_app_target("00u1", "ra1", "salesforce").await?;
    /// # Ok(()) }
    /// ```
    pub fn unassign_app_target(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        app_name: impl Into<String>,
    ) -> AppTarget<S> {
        AppTarget::new(self, &UNASSIGN_APP_TARGET, user_id, role_id, app_name)
    }

    /// Adds one app instance to the targets of a user's `APP_ADMIN` role
    /// (`PUT /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}/{applicationId}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.assign_app_instance_target("00u1", "ra1", "salesforce", "0oafxqCAJWWGELFTYASJ").await?;
    /// # Ok(()) }
    /// ```
    pub fn assign_app_instance_target(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        app_name: impl Into<String>,
        app_id: impl Into<String>,
    ) -> AppInstanceTarget<S> {
        AppInstanceTarget::new(
            self,
            &ASSIGN_APP_INSTANCE_TARGET,
            user_id,
            role_id,
            app_name,
            app_id,
        )
    }

    /// Removes one app instance from the targets of a user's `APP_ADMIN` role
    /// (`DELETE /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}/{applicationId}`).
    /// Okta refuses to remove the last target.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.unassign_app_instance_target("00u1", "ra1", "salesforce", "0oafxqCAJWWGELFTYASJ").await?;
    /// # Ok(()) }
    /// ```
    pub fn unassign_app_instance_target(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        app_name: impl Into<String>,
        app_id: impl Into<String>,
    ) -> AppInstanceTarget<S> {
        AppInstanceTarget::new(
            self,
            &UNASSIGN_APP_INSTANCE_TARGET,
            user_id,
            role_id,
            app_name,
            app_id,
        )
    }

    /// Lists the group targets of a user's `USER_ADMIN`, `HELP_DESK_ADMIN` or
    /// `GROUP_MEMBERSHIP_ADMIN` role; empty when the role applies to every group
    /// (`GET /api/v1/users/{userId}/roles/{roleId}/targets/groups`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let groups = users.list_group_targets("00u1", "ra1").limit(100).collect_all().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_group_targets(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
    ) -> ListGroupTargets<S> {
        ListGroupTargets {
            users: self.clone(),
            user_id: user_id.into(),
            role_id: role_id.into(),
            after: None,
            limit: None,
        }
    }

    /// Adds a group to the targets of a user's role
    /// (`PUT /api/v1/users/{userId}/roles/{roleId}/targets/groups/{groupId}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.assign_group_target("00u1", "ra1", "00g1emaKYZTWRYYRRTSK").await?;
    /// # Ok(()) }
    /// ```
    pub fn assign_group_target(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        group_id: impl Into<String>,
    ) -> GroupTarget<S> {
        GroupTarget::new(self, &ASSIGN_GROUP_TARGET, user_id, role_id, group_id)
    }

    /// Removes a group from the targets of a user's role
    /// (`DELETE /api/v1/users/{userId}/roles/{roleId}/targets/groups/{groupId}`).
    /// Okta refuses to remove the last target.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.unassign_group_target("00u1", "ra1", "00g1emaKYZTWRYYRRTSK").await?;
    /// # Ok(()) }
    /// ```
    pub fn unassign_group_target(
        &self,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        group_id: impl Into<String>,
    ) -> GroupTarget<S> {
        GroupTarget::new(self, &UNASSIGN_GROUP_TARGET, user_id, role_id, group_id)
    }
}

/// One role assignment of one user, for managing its targets without repeating both ids;
/// built by [`Users::role`]. Each method builds the same request as the [`Users`] method of the
/// same name.
#[derive(Debug, Clone)]
pub struct UserRole<S> {
    users: Users<S>,
    user_id: String,
    role_id: String,
}

impl<S: HttpService> UserRole<S> {
    /// The user's id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The role assignment's id.
    pub fn role_id(&self) -> &str {
        &self.role_id
    }

    /// See [`Users::unassign_role`].
    pub fn unassign(&self) -> UnassignRole<S> {
        self.users.unassign_role(&self.user_id, &self.role_id)
    }

    /// See [`Users::list_app_targets`].
    pub fn list_app_targets(&self) -> ListAppTargets<S> {
        self.users.list_app_targets(&self.user_id, &self.role_id)
    }

    /// See [`Users::assign_all_apps_target`].
    pub fn assign_all_apps_target(&self) -> AssignAllAppsTarget<S> {
        self.users
            .assign_all_apps_target(&self.user_id, &self.role_id)
    }

    /// See [`Users::assign_app_target`].
    pub fn assign_app_target(&self, app_name: impl Into<String>) -> AppTarget<S> {
        self.users
            .assign_app_target(&self.user_id, &self.role_id, app_name)
    }

    /// See [`Users::unassign_app_target`].
    pub fn unassign_app_target(&self, app_name: impl Into<String>) -> AppTarget<S> {
        self.users
            .unassign_app_target(&self.user_id, &self.role_id, app_name)
    }

    /// See [`Users::assign_app_instance_target`].
    pub fn assign_app_instance_target(
        &self,
        app_name: impl Into<String>,
        app_id: impl Into<String>,
    ) -> AppInstanceTarget<S> {
        self.users
            .assign_app_instance_target(&self.user_id, &self.role_id, app_name, app_id)
    }

    /// See [`Users::unassign_app_instance_target`].
    pub fn unassign_app_instance_target(
        &self,
        app_name: impl Into<String>,
        app_id: impl Into<String>,
    ) -> AppInstanceTarget<S> {
        self.users
            .unassign_app_instance_target(&self.user_id, &self.role_id, app_name, app_id)
    }

    /// See [`Users::list_group_targets`].
    pub fn list_group_targets(&self) -> ListGroupTargets<S> {
        self.users.list_group_targets(&self.user_id, &self.role_id)
    }

    /// See [`Users::assign_group_target`].
    pub fn assign_group_target(&self, group_id: impl Into<String>) -> GroupTarget<S> {
        self.users
            .assign_group_target(&self.user_id, &self.role_id, group_id)
    }

    /// See [`Users::unassign_group_target`].
    pub fn unassign_group_target(&self, group_id: impl Into<String>) -> GroupTarget<S> {
        self.users
            .unassign_group_target(&self.user_id, &self.role_id, group_id)
    }
}

/// `GET /api/v1/users/{userId}/roles`, built by [`Users::list_roles`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListUserRoles<S> {
    users: Users<S>,
    user_id: String,
    expand: Option<String>,
}

impl<S> ListUserRoles<S> {
    /// Embeds each standard role's targets: `targets/groups` or `targets/catalog/apps`.
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&LIST_ROLES, &[&self.user_id])?;
        request.query_opt("expand", self.expand.as_deref());
        Ok(request)
    }
}
paged!(ListUserRoles => Role);

/// `POST /api/v1/users/{userId}/roles`, built by [`Users::assign_role`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct AssignRole<S> {
    users: Users<S>,
    user_id: String,
    body: AssignRoleRequest,
    disable_notifications: Option<bool>,
}

impl<S> AssignRole<S> {
    /// With `true`, the user gets third-party admin status and no admin notifications
    /// (Okta's default: `false`).
    pub fn disable_notifications(mut self, disable: bool) -> Self {
        self.disable_notifications = Some(disable);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&ASSIGN_ROLE, &[&self.user_id])?;
        request.query_opt("disableNotifications", self.disable_notifications);
        request.json(&self.body)?;
        Ok(request)
    }
}

impl<S: HttpService> AssignRole<S> {
    async fn reconcile_after(self, reconciler: Reconciler<S>) -> Result<Outcome<Role>> {
        let request = self.request()?;
        let resend = self.users.fetch_json(request);
        flows::assign_role(reconciler, &self.user_id, &self.body, resend).await
    }
}
single!(AssignRole => Role, json, reconcile custom);

/// `DELETE /api/v1/users/{userId}/roles/{roleId}`, built by [`Users::unassign_role`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct UnassignRole<S> {
    users: Users<S>,
    user_id: String,
    role_id: String,
}

impl<S> UnassignRole<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&UNASSIGN_ROLE, &[&self.user_id, &self.role_id])
    }
}
single!(UnassignRole => (), empty, reconcile resend);

/// `GET /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps`, built by
/// [`Users::list_app_targets`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListAppTargets<S> {
    users: Users<S>,
    user_id: String,
    role_id: String,
    after: Option<String>,
    limit: Option<u32>,
}

impl<S> ListAppTargets<S> {
    /// Resumes after this cursor (see [`Page::next_cursor`](crate::Page::next_cursor)).
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Targets per page (1 to 200; Okta's default is 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&LIST_APP_TARGETS, &[&self.user_id, &self.role_id])?;
        request.query_opt("after", self.after.as_deref());
        request.query_opt("limit", self.limit);
        Ok(request)
    }
}
paged!(ListAppTargets => CatalogApplication);

/// `PUT /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps`, built by
/// [`Users::assign_all_apps_target`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct AssignAllAppsTarget<S> {
    users: Users<S>,
    user_id: String,
    role_id: String,
}

impl<S> AssignAllAppsTarget<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&ASSIGN_ALL_APPS_TARGET, &[&self.user_id, &self.role_id])
    }
}
single!(AssignAllAppsTarget => (), empty, reconcile resend);

/// `PUT` or `DELETE /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}`,
/// built by [`Users::assign_app_target`] and [`Users::unassign_app_target`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct AppTarget<S> {
    users: Users<S>,
    user_id: String,
    role_id: String,
    app_name: String,
    endpoint: &'static Endpoint,
}

impl<S> AppTarget<S> {
    fn new(
        users: &Users<S>,
        endpoint: &'static Endpoint,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        app_name: impl Into<String>,
    ) -> Self
    where
        S: Clone,
    {
        AppTarget {
            users: users.clone(),
            user_id: user_id.into(),
            role_id: role_id.into(),
            app_name: app_name.into(),
            endpoint,
        }
    }

    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(
            self.endpoint,
            &[&self.user_id, &self.role_id, &self.app_name],
        )
    }
}
single!(AppTarget => (), empty, reconcile resend);

/// `PUT` or `DELETE
/// /api/v1/users/{userId}/roles/{roleId}/targets/catalog/apps/{appName}/{applicationId}`, built
/// by [`Users::assign_app_instance_target`] and [`Users::unassign_app_instance_target`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct AppInstanceTarget<S> {
    users: Users<S>,
    user_id: String,
    role_id: String,
    app_name: String,
    app_id: String,
    endpoint: &'static Endpoint,
}

impl<S> AppInstanceTarget<S> {
    fn new(
        users: &Users<S>,
        endpoint: &'static Endpoint,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        app_name: impl Into<String>,
        app_id: impl Into<String>,
    ) -> Self
    where
        S: Clone,
    {
        AppInstanceTarget {
            users: users.clone(),
            user_id: user_id.into(),
            role_id: role_id.into(),
            app_name: app_name.into(),
            app_id: app_id.into(),
            endpoint,
        }
    }

    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(
            self.endpoint,
            &[&self.user_id, &self.role_id, &self.app_name, &self.app_id],
        )
    }
}
single!(AppInstanceTarget => (), empty, reconcile resend);

/// `GET /api/v1/users/{userId}/roles/{roleId}/targets/groups`, built by
/// [`Users::list_group_targets`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListGroupTargets<S> {
    users: Users<S>,
    user_id: String,
    role_id: String,
    after: Option<String>,
    limit: Option<u32>,
}

impl<S> ListGroupTargets<S> {
    /// Resumes after this cursor (see [`Page::next_cursor`](crate::Page::next_cursor)).
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Groups per page (1 to 200; Okta's default is 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&LIST_GROUP_TARGETS, &[&self.user_id, &self.role_id])?;
        request.query_opt("after", self.after.as_deref());
        request.query_opt("limit", self.limit);
        Ok(request)
    }
}
paged!(ListGroupTargets => Group);

/// `PUT` or `DELETE /api/v1/users/{userId}/roles/{roleId}/targets/groups/{groupId}`,
/// built by [`Users::assign_group_target`] and [`Users::unassign_group_target`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct GroupTarget<S> {
    users: Users<S>,
    user_id: String,
    role_id: String,
    group_id: String,
    endpoint: &'static Endpoint,
}

impl<S> GroupTarget<S> {
    fn new(
        users: &Users<S>,
        endpoint: &'static Endpoint,
        user_id: impl Into<String>,
        role_id: impl Into<String>,
        group_id: impl Into<String>,
    ) -> Self
    where
        S: Clone,
    {
        GroupTarget {
            users: users.clone(),
            user_id: user_id.into(),
            role_id: role_id.into(),
            group_id: group_id.into(),
            endpoint,
        }
    }

    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(
            self.endpoint,
            &[&self.user_id, &self.role_id, &self.group_id],
        )
    }
}
single!(GroupTarget => (), empty, reconcile resend);
