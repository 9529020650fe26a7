//! [`Client`]: the configured stack, handing out the façade.

use okta_layers::base_uri::OrgUrl;
use okta_users::Users;

use crate::builder::ClientBuilder;
use crate::stack::ClientService;
use okta_layers::rate_limit::RateLimiter;

/// A client for one Okta org. Cheap to clone; clones share the connection pool.
///
/// Its `Debug` output never shows the credentials.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) service: ClientService,
    pub(crate) org: OrgUrl,
    pub(crate) rate_limiter: RateLimiter,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The Users API of the org.
    pub fn users(&self) -> Users<ClientService> {
        Users::new(self.service.clone())
    }

    /// The org this client talks to.
    pub fn org_url(&self) -> &OrgUrl {
        &self.org
    }

    /// The rate limiter shared by every call of this client (and its clones): what it has learnt
    /// of each bucket's budget.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.rate_limiter
    }

    /// The underlying tower service, to wrap in your own layers (then hand the result to
    /// [`Users::new`]).
    pub fn service(&self) -> &ClientService {
        &self.service
    }
}
