//! Which of Okta's rate-limit buckets a request counts against: a pure function of method and path.

use http::Method;

/// One of Okta's rate-limit buckets for the Users API.
///
/// Okta meters each endpoint family separately; the limits below are those of Okta's
/// "Management rate limits" table for `/api/v1/users`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Bucket {
    /// `GET` and `POST /api/v1/users` (list and create).
    UsersCollection,
    /// `POST`, `PUT` and `DELETE /api/v1/users/{id}` exactly (update, replace, delete).
    UserWrite,
    /// `GET /api/v1/users/{idOrLogin}` exactly (get one user).
    UserRead,
    /// Every other request under `/api/v1/users` (lifecycle, factors, groups of a user, …), and
    /// other methods on the two paths above.
    UsersOther,
    /// Anything outside `/api/v1/users` (Okta's default `/api/v1` bucket).
    Other,
}

impl Bucket {
    /// Every bucket, in index order.
    pub const ALL: [Bucket; 5] = [
        Bucket::UsersCollection,
        Bucket::UserWrite,
        Bucket::UserRead,
        Bucket::UsersOther,
        Bucket::Other,
    ];

    /// A stable name for logs and metrics, e.g. `users.read`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Bucket::UsersCollection => "users.collection",
            Bucket::UserWrite => "users.write",
            Bucket::UserRead => "users.read",
            Bucket::UsersOther => "users.other",
            Bucket::Other => "other",
        }
    }

    /// The bucket's position in [`Bucket::ALL`] (for arrays indexed by bucket).
    pub const fn index(self) -> usize {
        match self {
            Bucket::UsersCollection => 0,
            Bucket::UserWrite => 1,
            Bucket::UserRead => 2,
            Bucket::UsersOther => 3,
            Bucket::Other => 4,
        }
    }

    /// Classifies a request by its method and path (the query is not part of `path`).
    ///
    /// `/api/v1/users/` (a trailing slash) is the collection too.
    pub fn classify(method: &Method, path: &str) -> Bucket {
        let Some(rest) = path.strip_prefix("/api/v1/users") else {
            return Bucket::Other;
        };
        if rest.is_empty() || rest == "/" {
            return if *method == Method::GET || *method == Method::POST {
                Bucket::UsersCollection
            } else {
                Bucket::UsersOther
            };
        }
        let Some(rest) = rest.strip_prefix('/') else {
            // `/api/v1/usersfoo` is not a Users path at all.
            return Bucket::Other;
        };
        if rest.is_empty() || rest.contains('/') {
            return Bucket::UsersOther;
        }
        match *method {
            Method::GET => Bucket::UserRead,
            Method::POST | Method::PUT | Method::DELETE => Bucket::UserWrite,
            _ => Bucket::UsersOther,
        }
    }
}

impl std::fmt::Display for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collection_is_get_and_post_only() {
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/users"),
            Bucket::UsersCollection
        );
        assert_eq!(
            Bucket::classify(&Method::POST, "/api/v1/users"),
            Bucket::UsersCollection
        );
        assert_eq!(
            Bucket::classify(&Method::DELETE, "/api/v1/users"),
            Bucket::UsersOther
        );
    }

    #[test]
    fn one_user_by_method() {
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/users/00u1"),
            Bucket::UserRead
        );
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/users/ada%40example.com"),
            Bucket::UserRead
        );
        for method in [Method::POST, Method::PUT, Method::DELETE] {
            assert_eq!(
                Bucket::classify(&method, "/api/v1/users/00u1"),
                Bucket::UserWrite,
                "{method}"
            );
        }
        assert_eq!(
            Bucket::classify(&Method::PATCH, "/api/v1/users/00u1"),
            Bucket::UsersOther
        );
    }

    #[test]
    fn subresources_and_odd_paths() {
        assert_eq!(
            Bucket::classify(&Method::POST, "/api/v1/users/00u1/lifecycle/activate"),
            Bucket::UsersOther
        );
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/users/00u1/groups"),
            Bucket::UsersOther
        );
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/users/"),
            Bucket::UsersCollection
        );
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/usersx"),
            Bucket::Other
        );
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/groups"),
            Bucket::Other
        );
    }

    #[test]
    fn indices_match_all() {
        for (i, bucket) in Bucket::ALL.iter().enumerate() {
            assert_eq!(bucket.index(), i);
        }
    }
}
