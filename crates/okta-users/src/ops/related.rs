//! What a user is related to: assigned app links, groups, identity providers
//! (`GET /api/v1/users/{userId}/appLinks`, `…/groups`, `…/idps`).

use crate::call::paged;
use crate::endpoints::{LIST_APP_LINKS, LIST_GROUPS, LIST_IDENTITY_PROVIDERS};
use crate::models::{AppLink, Group, IdentityProvider};
use crate::request::ApiRequest;
use crate::{HttpService, Result, Users};

impl<S: HttpService> Users<S> {
    /// Lists the app links of every app assigned to the user, directly or through a group
    /// (`GET /api/v1/users/{userId}/appLinks`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// for link in users.list_app_links("00u1").collect_all().await? {
    ///     println!("{:?}: {:?}", link.label, link.link_url);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_app_links(&self, user_id: impl Into<String>) -> ListAppLinks<S> {
        ListAppLinks {
            users: self.clone(),
            user_id: user_id.into(),
        }
    }

    /// Lists the groups the user is a member of (`GET /api/v1/users/{userId}/groups`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut groups = users.list_groups("00u1").stream();
    /// while let Some(group) = groups.try_next().await? {
    ///     println!("{}", group.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_groups(&self, user_id: impl Into<String>) -> ListUserGroups<S> {
        ListUserGroups {
            users: self.clone(),
            user_id: user_id.into(),
        }
    }

    /// Lists the identity providers the user is linked to (`GET /api/v1/users/{userId}/idps`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let idps = users.list_identity_providers("00u1").collect_all().await?;
    /// println!("{} identity providers", idps.len());
    /// # Ok(()) }
    /// ```
    pub fn list_identity_providers(
        &self,
        user_id: impl Into<String>,
    ) -> ListUserIdentityProviders<S> {
        ListUserIdentityProviders {
            users: self.clone(),
            user_id: user_id.into(),
        }
    }
}

/// `GET /api/v1/users/{userId}/appLinks`, built by [`Users::list_app_links`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListAppLinks<S> {
    users: Users<S>,
    user_id: String,
}

impl<S> ListAppLinks<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&LIST_APP_LINKS, &[&self.user_id])
    }
}
paged!(ListAppLinks => AppLink);

/// `GET /api/v1/users/{userId}/groups`, built by [`Users::list_groups`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListUserGroups<S> {
    users: Users<S>,
    user_id: String,
}

impl<S> ListUserGroups<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&LIST_GROUPS, &[&self.user_id])
    }
}
paged!(ListUserGroups => Group);

/// `GET /api/v1/users/{userId}/idps`, built by [`Users::list_identity_providers`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListUserIdentityProviders<S> {
    users: Users<S>,
    user_id: String,
}

impl<S> ListUserIdentityProviders<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(&LIST_IDENTITY_PROVIDERS, &[&self.user_id])
    }
}
paged!(ListUserIdentityProviders => IdentityProvider);
