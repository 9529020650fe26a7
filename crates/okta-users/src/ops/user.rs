//! Users: list, create, get, update, replace, delete.

use std::marker::PhantomData;

use crate::call::{paged, single};
use crate::endpoints::{
    CREATE_USER, DELETE_USER, Endpoint, GET_USER, LIST_USERS, REPLACE_USER, UPDATE_USER,
};
use crate::models::{CreateUserRequest, UpdateUserRequest, User, UserNextLogin, UserProfile};
use crate::reconcile::{Outcome, Reconciler, Rule, flows};
use crate::request::ApiRequest;
use crate::{HttpService, Result, Users};

/// A JSON object as a map; anything else as nothing.
fn json_object<T: serde::Serialize>(
    value: &T,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The order of a sorted search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

impl SortOrder {
    fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "asc",
            SortOrder::Descending => "desc",
        }
    }
}

impl<S: HttpService> Users<S> {
    /// Lists users, one page at a time or as a stream of every page (`GET /api/v1/users`).
    ///
    /// Without `q`, `filter` or `search`, DEPROVISIONED users are not listed.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let page = users.list().search(r#"profile.department eq "Engineering""#).limit(200).send().await?;
    /// let everyone: Vec<_> = users.list().stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListUsers<S> {
        ListUsers {
            users: self.clone(),
            q: None,
            after: None,
            limit: None,
            filter: None,
            search: None,
            sort_by: None,
            sort_order: None,
            profile: PhantomData,
        }
    }

    /// Creates a user (`POST /api/v1/users`); activates it unless `.activate(false)`.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// use okta_users::models::{CreateUserRequest, UserProfile};
    /// let profile = UserProfile::new("Ada", "Lovelace", "ada@example.com", "ada@example.com");
    /// let staged = users.create(CreateUserRequest::new(profile)).activate(false).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn create<P>(&self, body: CreateUserRequest<P>) -> CreateUser<S, P> {
        CreateUser {
            users: self.clone(),
            body,
            activate: None,
            provider: None,
            next_login: None,
        }
    }

    /// Fetches a user by id, login, or login short name (`GET /api/v1/users/{id}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// let user = users.get("ada@example.com").await?;
    /// println!("{} is {}", user.profile.login.as_deref().unwrap_or("?"), user.status);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id_or_login: impl Into<String>) -> GetUser<S> {
        GetUser {
            users: self.clone(),
            id: id_or_login.into(),
            expand: None,
            profile: PhantomData,
        }
    }

    /// Updates a user partially: only the profile attributes and credentials sent change
    /// (`POST /api/v1/users/{id}`).
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// use okta_users::models::{UpdateUserRequest, UserProfile};
    /// let mut profile = UserProfile::default();
    /// profile.title = Some("Countess".into());
    /// users.update("00u1", UpdateUserRequest::profile(profile)).await?;
    /// # Ok(()) }
    /// ```
    pub fn update<P>(&self, id: impl Into<String>, body: UpdateUserRequest<P>) -> UpdateUser<S, P> {
        UpdateUser {
            users: self.clone(),
            id: id.into(),
            body,
            strict: None,
            if_match: None,
            endpoint: &UPDATE_USER,
        }
    }

    /// Replaces a user's profile (and credentials, if sent) whole: attributes left out are
    /// cleared (`PUT /api/v1/users/{id}`). Read the user first to keep what you don't change.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// use okta_users::models::UpdateUserRequest;
    /// let mut user = users.get("00u1").await?;
    /// user.profile.set_custom("costCenter", "42".into());
    /// users.replace("00u1", UpdateUserRequest::profile(user.profile)).await?;
    /// # Ok(()) }
    /// ```
    pub fn replace<P>(
        &self,
        id: impl Into<String>,
        body: UpdateUserRequest<P>,
    ) -> UpdateUser<S, P> {
        UpdateUser {
            users: self.clone(),
            id: id.into(),
            body,
            strict: None,
            if_match: None,
            endpoint: &REPLACE_USER,
        }
    }

    /// Deletes a user (`DELETE /api/v1/users/{id}`). Okta deactivates a user that is not yet
    /// DEPROVISIONED on the first call and deletes it on the second.
    ///
    /// ```no_run
    /// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
    /// users.delete("00u1").await?; // deactivates
    /// users.delete("00u1").send_email(false).await?; // deletes
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<String>) -> DeleteUser<S> {
        DeleteUser {
            users: self.clone(),
            id: id.into(),
            send_email: None,
            respond_async: false,
        }
    }
}

/// `GET /api/v1/users`, built by [`Users::list`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListUsers<S, P = UserProfile> {
    users: Users<S>,
    q: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
    filter: Option<String>,
    search: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<SortOrder>,
    profile: PhantomData<fn() -> P>,
}

impl<S, P> ListUsers<S, P> {
    /// Users whose first name, last name or email starts with `q`.
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }

    /// Resumes after this cursor (see [`Page::next_cursor`](crate::Page::next_cursor)).
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Users per page (Okta's default and maximum is 200).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// A filter expression, e.g. `status eq "ACTIVE"`.
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// A search expression, e.g. `profile.department eq "Engineering"`.
    pub fn search(mut self, search: impl Into<String>) -> Self {
        self.search = Some(search.into());
        self
    }

    /// Sorts search results by this attribute (with [`search`](Self::search) only).
    pub fn sort_by(mut self, attribute: impl Into<String>) -> Self {
        self.sort_by = Some(attribute.into());
        self
    }

    /// The order of sorted search results.
    pub fn sort_order(mut self, order: SortOrder) -> Self {
        self.sort_order = Some(order);
        self
    }

    /// Decodes profiles into your own type instead of [`UserProfile`].
    pub fn with_profile<Q>(self) -> ListUsers<S, Q> {
        let ListUsers {
            users,
            q,
            after,
            limit,
            filter,
            search,
            sort_by,
            sort_order,
            ..
        } = self;
        ListUsers {
            users,
            q,
            after,
            limit,
            filter,
            search,
            sort_by,
            sort_order,
            profile: PhantomData,
        }
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&LIST_USERS, &[])?;
        request.query_opt("q", self.q.as_deref());
        request.query_opt("after", self.after.as_deref());
        request.query_opt("limit", self.limit);
        request.query_opt("filter", self.filter.as_deref());
        request.query_opt("search", self.search.as_deref());
        request.query_opt("sortBy", self.sort_by.as_deref());
        request.query_opt("sortOrder", self.sort_order.map(SortOrder::as_str));
        Ok(request)
    }
}
paged!(ListUsers<P> => User<P>);

/// `POST /api/v1/users`, built by [`Users::create`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct CreateUser<S, P = UserProfile> {
    users: Users<S>,
    body: CreateUserRequest<P>,
    activate: Option<bool>,
    provider: Option<bool>,
    next_login: Option<UserNextLogin>,
}

impl<S, P: serde::Serialize> CreateUser<S, P> {
    /// Whether to activate the user now (Okta's default: `true`); `false` creates it STAGED.
    pub fn activate(mut self, activate: bool) -> Self {
        self.activate = Some(activate);
        self
    }

    /// Creates the user with an authentication provider and no password.
    pub fn provider(mut self, provider: bool) -> Self {
        self.provider = Some(provider);
        self
    }

    /// With activation, `changePassword` makes the password expire at first login.
    pub fn next_login(mut self, next_login: UserNextLogin) -> Self {
        self.next_login = Some(next_login);
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&CREATE_USER, &[])?;
        request.query_opt("activate", self.activate);
        request.query_opt("provider", self.provider);
        request.query_opt("nextLogin", self.next_login.as_ref());
        request.json(&self.body)?;
        Ok(request)
    }
}
impl<S, P> CreateUser<S, P>
where
    S: HttpService,
    P: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
{
    async fn reconcile_after(self, reconciler: Reconciler<S>) -> Result<Outcome<User<P>>> {
        let sent = json_object(&self.body.profile);
        let request = self.request()?;
        flows::create_user(reconciler, sent, self.users.fetch_user(request)).await
    }
}
single!(CreateUser<P> => User<P>, user, reconcile custom);

/// `GET /api/v1/users/{id}`, built by [`Users::get`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct GetUser<S, P = UserProfile> {
    users: Users<S>,
    id: String,
    expand: Option<String>,
    profile: PhantomData<fn() -> P>,
}

impl<S, P> GetUser<S, P> {
    /// Embeds related resources, e.g. `blocks`.
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    /// Decodes the profile into your own type instead of [`UserProfile`].
    pub fn with_profile<Q>(self) -> GetUser<S, Q> {
        GetUser {
            users: self.users,
            id: self.id,
            expand: self.expand,
            profile: PhantomData,
        }
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(&GET_USER, &[&self.id])?;
        request.query_opt("expand", self.expand.as_deref());
        Ok(request)
    }
}
single!(GetUser<P> => User<P>, user);

/// `POST` (partial) or `PUT` (whole) `/api/v1/users/{id}`, built by [`Users::update`] and
/// [`Users::replace`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct UpdateUser<S, P = UserProfile> {
    users: Users<S>,
    id: String,
    body: UpdateUserRequest<P>,
    strict: Option<bool>,
    if_match: Option<String>,
    endpoint: &'static Endpoint,
}

impl<S, P: serde::Serialize> UpdateUser<S, P> {
    /// With `true`, Okta validates the password against the password policy history too.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = Some(strict);
        self
    }

    /// Updates only if the user still has this entity tag (`If-Match`), so a concurrent change
    /// is not overwritten: Okta answers 412 otherwise.
    pub fn if_match(mut self, etag: impl Into<String>) -> Self {
        self.if_match = Some(etag.into());
        self
    }

    fn request(&self) -> Result<ApiRequest> {
        let mut request = ApiRequest::new(self.endpoint, &[&self.id])?;
        request.query_opt("strict", self.strict);
        if let Some(etag) = &self.if_match {
            request.header(http::header::IF_MATCH, etag)?;
        }
        request.json(&self.body)?;
        Ok(request)
    }
}
impl<S, P> UpdateUser<S, P>
where
    S: HttpService,
    P: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
{
    /// A body setting a password is not reconciled: the password history can refuse a
    /// re-send that the first request caused, and no read shows a password.
    fn rule(&self, endpoint: &'static Endpoint) -> Rule {
        let sets_password = self
            .body
            .credentials
            .as_ref()
            .is_some_and(|credentials| credentials.password.is_some());
        if sets_password {
            Rule::None
        } else {
            endpoint.reconcile
        }
    }

    async fn reconcile_after(self, reconciler: Reconciler<S>) -> Result<Outcome<User<P>>> {
        // Only a profile can be compared with a read: a body with anything else is re-sent
        // but not compared.
        let profile_only = self.body.credentials.is_none()
            && self.body.realm_id.is_none()
            && self.body.r#type.is_none();
        let sent = self
            .body
            .profile
            .as_ref()
            .filter(|_| profile_only)
            .and_then(json_object);
        let replace = std::ptr::eq(self.endpoint, &REPLACE_USER);
        let request = self.request()?;
        let resend = self.users.fetch_user(request);
        flows::profile(reconciler, &self.id, sent, replace, resend).await
    }
}
single!(UpdateUser<P> => User<P>, user, reconcile custom_rule);

/// `DELETE /api/v1/users/{id}`, built by [`Users::delete`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct DeleteUser<S> {
    users: Users<S>,
    id: String,
    send_email: Option<bool>,
    respond_async: bool,
}

impl<S> DeleteUser<S> {
    /// Asks Okta to finish the deletion in the background (`Prefer: respond-async`).
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
        let mut request = ApiRequest::new(&DELETE_USER, &[&self.id])?;
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
impl<S: HttpService> DeleteUser<S> {
    async fn reconcile_after(self, reconciler: Reconciler<S>) -> Result<Outcome<()>> {
        let request = self.request()?;
        flows::delete_user(reconciler, &self.id, self.users.fetch_empty(request)).await
    }
}
single!(DeleteUser => (), empty, reconcile custom);
