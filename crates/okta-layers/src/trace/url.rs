//! What a span says about a request's URL: the operation's path template (`url.template`),
//! `server.address` / `server.port`, and `url.full` with personal data cut out unless the
//! caller opts in.
//!
//! # What `url.full` keeps
//! The scheme, host and port (the org; never any user info), the path with each segment that
//! holds a **user id or login** (a template variable whose name mentions a user or a login:
//! `{userId}`, `{associatedUserId}`, `{primaryUserId}`) replaced by `REDACTED`, and the query
//! with the value of every parameter not known to hold no personal data replaced by
//! `REDACTED` — so `q`, `filter`, `search` (logins, names, e-mail addresses) and `after` (a
//! user id, for users) are cut, while `limit`, `expand`, `sortBy`, … stay. `REDACTED` is
//! OpenTelemetry's own placeholder for redacted URL parts.
//!
//! A request without a known operation (not sent by the façade) is matched against
//! [`endpoints::ALL`] by method and path; when nothing matches, every path segment after
//! `/api/v1/<resource>` is cut.

use std::fmt::{self, Display, Formatter};

use http::{Method, Uri};
use okta_users::Operation;
use okta_users::endpoints::{self, Endpoint};

/// OpenTelemetry's placeholder for a redacted part of a URL.
pub(crate) const REDACTED: &str = "REDACTED";

/// Query parameters whose values hold no personal data (every other value is cut): the
/// paging size, expansions, sort keys and the flags of Okta's Users API.
const PLAIN_QUERY_KEYS: &[&str] = &[
    "activate",
    "disableNotifications",
    "expand",
    "forgetDevices",
    "limit",
    "nextLogin",
    "oauthTokens",
    "provider",
    "revokeSessions",
    "scopeId",
    "sendEmail",
    "sortBy",
    "sortOrder",
    "strict",
    "tempPassword",
];

/// Path segments kept when the request matches no known endpoint: `/api/v1/<resource>`.
const UNMATCHED_KEPT_SEGMENTS: usize = 3;

/// The endpoint a request is for: the one whose [`Operation`] the request carries, else the
/// one whose method and path template the request's method and path match.
pub(crate) fn endpoint_of(
    operation: Option<&Operation>,
    method: &Method,
    path: &str,
) -> Option<&'static Endpoint> {
    let all: &'static [&'static Endpoint] = endpoints::ALL;
    if let Some(operation) = operation
        && let Some(endpoint) = all.iter().find(|endpoint| endpoint.operation == *operation)
    {
        return Some(*endpoint);
    }
    all.iter()
        .filter(|endpoint| endpoint.method == *method && matches_template(endpoint.path, path))
        // The most literal segments win (a fixed `/lifecycle/activate` over a variable).
        .max_by_key(|endpoint| endpoint.path.split('/').filter(|s| !is_variable(s)).count())
        .copied()
}

fn is_variable(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// Whether `path` has the template's segments: the same literals, anything non-empty for a
/// `{variable}`.
fn matches_template(template: &str, path: &str) -> bool {
    let mut segments = path.split('/');
    for expected in template.split('/') {
        match segments.next() {
            Some(segment) if is_variable(expected) => {
                if segment.is_empty() {
                    return false;
                }
            }
            Some(segment) if segment == expected => {}
            _ => return false,
        }
    }
    segments.next().is_none()
}

/// Whether a template variable names a user (id or login): personal data.
fn holds_user(variable: &str) -> bool {
    let name = variable.trim_start_matches('{').trim_end_matches('}');
    let lower = name.to_ascii_lowercase();
    lower.contains("user") || lower.contains("login")
}

/// `server.address`, and `server.port` (the scheme's default when the URI gives none), of an
/// absolute URI; `None` for an origin-form one.
pub(crate) fn server(uri: &Uri) -> Option<(&str, u16)> {
    let host = uri.host()?;
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("http") => 80,
        _ => 443,
    });
    Some((host, port))
}

/// `url.full`: the URI without user info, its personal data cut out unless `keep_pii`. For an
/// origin-form URI (no base URI layer above), the path and query alone.
pub(crate) struct FullUrl<'a> {
    pub(crate) uri: &'a Uri,
    pub(crate) template: Option<&'static str>,
    pub(crate) keep_pii: bool,
}

impl Display for FullUrl<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let (Some(scheme), Some(host)) = (self.uri.scheme_str(), self.uri.host()) {
            write!(f, "{scheme}://{host}")?;
            if let Some(port) = self.uri.port_u16() {
                write!(f, ":{port}")?;
            }
        }
        let path = self.uri.path();
        if self.keep_pii {
            f.write_str(self.uri.path_and_query().map_or("/", |pq| pq.as_str()))?;
            return Ok(());
        }
        write_path(f, path, self.template)?;
        if let Some(query) = self.uri.query() {
            f.write_str("?")?;
            write_query(f, query)?;
        }
        Ok(())
    }
}

fn write_path(f: &mut Formatter<'_>, path: &str, template: Option<&str>) -> fmt::Result {
    let template = template.filter(|template| matches_template(template, path));
    let mut variables = template.map(|template| template.split('/'));
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            f.write_str("/")?;
        }
        let cut = match &mut variables {
            Some(variables) => variables
                .next()
                .is_some_and(|expected| is_variable(expected) && holds_user(expected)),
            // `""`, `api`, `v1`, the resource: kept; anything after it may name someone.
            None => index > UNMATCHED_KEPT_SEGMENTS && !segment.is_empty(),
        };
        f.write_str(if cut { REDACTED } else { segment })?;
    }
    Ok(())
}

fn write_query(f: &mut Formatter<'_>, query: &str) -> fmt::Result {
    for (index, pair) in query.split('&').enumerate() {
        if index > 0 {
            f.write_str("&")?;
        }
        match pair.split_once('=') {
            Some((key, value)) if PLAIN_QUERY_KEYS.contains(&key) => {
                write!(f, "{key}={value}")?;
            }
            Some((key, _)) => write!(f, "{key}={REDACTED}")?,
            None => f.write_str(pair)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use okta_users::endpoints::{ASSIGN_LINKED_OBJECT, GET_USER, LIST_USERS};

    fn full(uri: &str, template: Option<&'static str>, keep_pii: bool) -> String {
        let uri: Uri = uri.parse().unwrap();
        FullUrl {
            uri: &uri,
            template,
            keep_pii,
        }
        .to_string()
    }

    #[test]
    fn user_ids_logins_and_search_terms_are_cut_from_url_full() {
        assert_eq!(
            full(
                "https://dev-1.okta.com/api/v1/users/ada%40example.com",
                Some(GET_USER.path),
                false
            ),
            "https://dev-1.okta.com/api/v1/users/REDACTED"
        );
        assert_eq!(
            full(
                "https://dev-1.okta.com:8443/api/v1/users?search=profile.email%20eq%20%22ada%40example.com%22&limit=200&q=ada&filter=x&after=00u1&sortBy=id",
                Some(LIST_USERS.path),
                false
            ),
            "https://dev-1.okta.com:8443/api/v1/users?search=REDACTED&limit=200&q=REDACTED&filter=REDACTED&after=REDACTED&sortBy=id"
        );
        // Only the variables naming a user; the relationship name stays.
        assert_eq!(
            full(
                "https://dev-1.okta.com/api/v1/users/00u1/linkedObjects/manager/00u2",
                Some(ASSIGN_LINKED_OBJECT.path),
                false
            ),
            "https://dev-1.okta.com/api/v1/users/REDACTED/linkedObjects/manager/REDACTED"
        );
    }

    #[test]
    fn the_caller_can_opt_in_to_the_whole_url_but_never_to_user_info() {
        let uri = "https://admin:pw@dev-1.okta.com/api/v1/users/ada%40example.com?q=ada";
        assert_eq!(
            full(uri, Some(GET_USER.path), true),
            "https://dev-1.okta.com/api/v1/users/ada%40example.com?q=ada"
        );
        assert_eq!(
            full(uri, Some(GET_USER.path), false),
            "https://dev-1.okta.com/api/v1/users/REDACTED?q=REDACTED"
        );
    }

    #[test]
    fn paths_matching_no_endpoint_keep_only_the_resource() {
        assert_eq!(
            full(
                "https://dev-1.okta.com/api/v1/users/me/things/42",
                None,
                false
            ),
            "https://dev-1.okta.com/api/v1/users/REDACTED/REDACTED/REDACTED"
        );
        assert_eq!(
            full("/api/v1/users?limit=2", None, false),
            "/api/v1/users?limit=2"
        );
        // A template that does not fit the path is not trusted.
        assert_eq!(
            full("/api/v1/users/00u1/x", Some(GET_USER.path), false),
            "/api/v1/users/REDACTED/REDACTED"
        );
    }

    #[test]
    fn endpoints_are_found_by_operation_or_by_method_and_path() {
        let by_operation = endpoint_of(Some(&GET_USER.operation), &Method::GET, "/whatever");
        assert_eq!(by_operation.map(|e| e.path), Some(GET_USER.path));
        let by_path = endpoint_of(None, &Method::POST, "/api/v1/users/00u1/lifecycle/activate");
        assert_eq!(
            by_path.map(|e| e.path),
            Some("/api/v1/users/{userId}/lifecycle/activate")
        );
        assert_eq!(
            endpoint_of(None, &Method::GET, "/api/v1/users/00u1").map(|e| e.path),
            Some(GET_USER.path)
        );
        assert!(endpoint_of(None, &Method::GET, "/api/v1/groups").is_none());
        assert!(endpoint_of(None, &Method::GET, "/api/v1/users//").is_none());
    }

    #[test]
    fn every_template_variable_naming_a_user_is_one_the_rule_cuts() {
        // The rule is a name test: check it against every variable the endpoints have.
        let mut seen = std::collections::BTreeSet::new();
        for endpoint in endpoints::ALL {
            for name in endpoint.segment_names() {
                seen.insert((name, holds_user(name)));
            }
        }
        for (name, cut) in seen {
            let expected = matches!(name, "userId" | "associatedUserId" | "primaryUserId");
            assert_eq!(cut, expected, "{name}");
        }
    }

    #[test]
    fn server_address_and_port_default_by_scheme() {
        let uri: Uri = "https://dev-1.okta.com/api/v1/users".parse().unwrap();
        assert_eq!(server(&uri), Some(("dev-1.okta.com", 443)));
        let uri: Uri = "http://127.0.0.1:8080/api/v1/users".parse().unwrap();
        assert_eq!(server(&uri), Some(("127.0.0.1", 8080)));
        let uri: Uri = "http://localhost/x".parse().unwrap();
        assert_eq!(server(&uri), Some(("localhost", 80)));
        assert_eq!(server(&"/api/v1/users".parse().unwrap()), None);
    }
}
