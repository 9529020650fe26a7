//! Linked objects: relationships between users such as manager and subordinate
//! (`/api/v1/users/{userId}/linkedObjects/…`).

use crate::call::{paged, single};
use crate::endpoints::{ASSIGN_LINKED_OBJECT, DELETE_LINKED_OBJECT, LIST_LINKED_OBJECTS};
use crate::models::LinkedObject;
use crate::request::ApiRequest;
use crate::{HttpService, Result, Users};

impl<S: HttpService> Users<S> {
    /// Makes `associated_user_id` the associated user of `primary_user_id` in the relationship
    /// whose primary name is `primary_relationship_name`, replacing any previous primary
    /// (`PUT /api/v1/users/{associatedUserId}/linkedObjects/{primaryRelationshipName}/{primaryUserId}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// // 00u2 reports to 00u1 ("manager" is the primary name, "subordinate" the associated one)
    /// users.assign_linked_object("00u2", "manager", "00u1").await?;
    /// # Ok(()) }
    /// ```
    pub fn assign_linked_object(
        &self,
        associated_user_id: impl Into<String>,
        primary_relationship_name: impl Into<String>,
        primary_user_id: impl Into<String>,
    ) -> AssignLinkedObject<S> {
        AssignLinkedObject {
            users: self.clone(),
            associated_user_id: associated_user_id.into(),
            primary_relationship_name: primary_relationship_name.into(),
            primary_user_id: primary_user_id.into(),
        }
    }

    /// Lists the user's links in a relationship: with the primary name, the user's primary
    /// (one `self` link); with the associated name, every associated user
    /// (`GET /api/v1/users/{userIdOrLogin}/linkedObjects/{relationshipName}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let subordinates = users.list_linked_objects("00u1", "subordinate").collect_all().await?;
    /// println!("{} subordinates", subordinates.len());
    /// # Ok(()) }
    /// ```
    pub fn list_linked_objects(
        &self,
        user_id_or_login: impl Into<String>,
        relationship_name: impl Into<String>,
    ) -> ListLinkedObjects<S> {
        ListLinkedObjects {
            users: self.clone(),
            user_id: user_id_or_login.into(),
            relationship_name: relationship_name.into(),
            after: None,
            limit: None,
        }
    }

    /// Removes the user, as the associated user, from the relationship whose primary name is
    /// `primary_relationship_name`; succeeds too when there was no link
    /// (`DELETE /api/v1/users/{userIdOrLogin}/linkedObjects/{relationshipName}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.delete_linked_object("00u2", "manager").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_linked_object(
        &self,
        user_id_or_login: impl Into<String>,
        primary_relationship_name: impl Into<String>,
    ) -> DeleteLinkedObject<S> {
        DeleteLinkedObject {
            users: self.clone(),
            user_id: user_id_or_login.into(),
            relationship_name: primary_relationship_name.into(),
        }
    }
}

/// `PUT /api/v1/users/{associatedUserId}/linkedObjects/{primaryRelationshipName}/{primaryUserId}`,
/// built by [`Users::assign_linked_object`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct AssignLinkedObject<S> {
    users: Users<S>,
    associated_user_id: String,
    primary_relationship_name: String,
    primary_user_id: String,
}

impl<S> AssignLinkedObject<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(
            &ASSIGN_LINKED_OBJECT,
            &[
                &self.associated_user_id,
                &self.primary_relationship_name,
                &self.primary_user_id,
            ],
        )
    }
}
single!(AssignLinkedObject => (), empty, reconcile resend);

/// `GET /api/v1/users/{userIdOrLogin}/linkedObjects/{relationshipName}`, built by
/// [`Users::list_linked_objects`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListLinkedObjects<S> {
    users: Users<S>,
    user_id: String,
    relationship_name: String,
    after: Option<String>,
    limit: Option<u32>,
}

impl<S> ListLinkedObjects<S> {
    /// Resumes after this cursor (see [`Page::next_cursor`](crate::Page::next_cursor)).
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Links per page.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(
            &LIST_LINKED_OBJECTS,
            &[&self.user_id, &self.relationship_name],
        )?;
        request.query_opt("after", self.after.as_deref());
        request.query_opt("limit", self.limit);
        Ok(request)
    }
}
paged!(ListLinkedObjects => LinkedObject);

/// `DELETE /api/v1/users/{userIdOrLogin}/linkedObjects/{relationshipName}`, built by
/// [`Users::delete_linked_object`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct DeleteLinkedObject<S> {
    users: Users<S>,
    user_id: String,
    relationship_name: String,
}

impl<S> DeleteLinkedObject<S> {
    fn request(&self) -> Result<ApiRequest> {
        ApiRequest::new(
            &DELETE_LINKED_OBJECT,
            &[&self.user_id, &self.relationship_name],
        )
    }
}
single!(DeleteLinkedObject => (), empty, reconcile resend);
