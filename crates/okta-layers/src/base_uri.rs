//! [`BaseUriLayer`]: sends origin-form requests to the org, refuses requests for any other host.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Request, Uri};
use okta_users::error::RefusedReason;
use okta_users::{BoxError, Error};

use crate::ConfigError;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

/// The scheme and authority (host and port) of an Okta org, such as `https://dev-123.okta.com`.
///
/// Policy (`https` only, except for loopback hosts) is the client builder's business; this type
/// only guarantees a scheme, a host, no user info, and no path or query beyond `/`.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgUrl {
    scheme: Scheme,
    authority: Authority,
    port: u16,
}

impl OrgUrl {
    /// The org at `uri`, which must be `scheme://host[:port]` with at most a trailing `/`.
    pub fn from_uri(uri: &Uri) -> Result<OrgUrl, ConfigError> {
        let invalid = ConfigError::org_url;
        let scheme = uri
            .scheme()
            .ok_or_else(|| invalid("has no scheme (expected https://…)"))?;
        let authority = uri.authority().ok_or_else(|| invalid("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("must not contain user info"));
        }
        if authority.host().is_empty() {
            return Err(invalid("has no host"));
        }
        if !matches!(uri.path(), "" | "/") {
            return Err(invalid("must not have a path"));
        }
        if uri.query().is_some() {
            return Err(invalid("must not have a query"));
        }
        let port = effective_port(scheme, authority)
            .ok_or_else(|| invalid("has a scheme other than http or https"))?;
        Ok(OrgUrl {
            scheme: scheme.clone(),
            authority: authority.clone(),
            port,
        })
    }

    /// The scheme, `https` (or `http` for a local test server).
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// The host and optional port.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The host, without port (IPv6 addresses keep their brackets).
    pub fn host(&self) -> &str {
        self.authority.host()
    }

    /// Whether `uri` is absolute and for this org: same scheme, same host (ignoring case), same
    /// port (an explicit default port matches an implicit one), and no user info.
    pub fn is_origin_of(&self, uri: &Uri) -> bool {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return false;
        };
        if *scheme != self.scheme {
            return false;
        }
        // The usual case, the URI BaseUri built from this org: the same bytes.
        if authority.as_str() == self.authority.as_str() {
            return true;
        }
        !authority.as_str().contains('@')
            && authority.host().eq_ignore_ascii_case(self.authority.host())
            && effective_port(scheme, authority) == Some(self.port)
    }
}

fn effective_port(scheme: &Scheme, authority: &Authority) -> Option<u16> {
    authority.port_u16().or(if *scheme == Scheme::HTTPS {
        Some(443)
    } else if *scheme == Scheme::HTTP {
        Some(80)
    } else {
        None
    })
}

impl fmt::Display for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.authority)
    }
}

impl fmt::Debug for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgUrl({self})")
    }
}

/// Sets the org's scheme and host on origin-form requests (`/api/v1/users`), and refuses
/// absolute requests for any other origin, so that credentials added further in are never sent
/// elsewhere.
#[derive(Debug, Clone)]
pub struct BaseUriLayer {
    org: OrgUrl,
}

impl BaseUriLayer {
    /// A layer sending requests to `org`.
    pub fn new(org: OrgUrl) -> Self {
        BaseUriLayer { org }
    }

    /// The org requests are sent to.
    pub fn org(&self) -> &OrgUrl {
        &self.org
    }
}

impl<S> Layer<S> for BaseUriLayer {
    type Service = BaseUri<S>;

    fn layer(&self, inner: S) -> BaseUri<S> {
        BaseUri {
            inner,
            org: self.org.clone(),
        }
    }
}

/// The service of [`BaseUriLayer`].
#[derive(Debug, Clone)]
pub struct BaseUri<S> {
    inner: S,
    org: OrgUrl,
}

impl<S> BaseUri<S> {
    /// The org requests are sent to.
    pub fn org(&self) -> &OrgUrl {
        &self.org
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, B> Service<Request<B>> for BaseUri<S>
where
    S: Service<Request<B>>,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let uri = request.uri();
        if uri.scheme().is_none() && uri.authority().is_none() {
            let mut parts = std::mem::take(request.uri_mut()).into_parts();
            parts.scheme = Some(self.org.scheme.clone());
            parts.authority = Some(self.org.authority.clone());
            if parts.path_and_query.is_none() {
                parts.path_and_query = Some(PathAndQuery::from_static("/"));
            }
            match Uri::from_parts(parts) {
                Ok(uri) => *request.uri_mut() = uri,
                Err(error) => {
                    return ResponseFuture::refused(Error::Refused(RefusedReason::InvalidUri {
                        reason: error.to_string(),
                    }));
                }
            }
        } else if !self.org.is_origin_of(uri) {
            return ResponseFuture::refused(Error::Refused(off_origin(uri, &self.org)));
        }
        ResponseFuture::inner(self.inner.call(request))
    }
}

/// Why a request for `uri` is refused; names only the origins, never the path, query or user
/// info.
pub(crate) fn off_origin(uri: &Uri, org: &OrgUrl) -> RefusedReason {
    let scheme = uri.scheme_str().unwrap_or("");
    let host = uri.authority().map_or("", |authority| authority.host());
    let port = uri
        .port_u16()
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    RefusedReason::OffOrigin {
        origin: format!("{scheme}://{host}{port}"),
        org: org.to_string(),
    }
}

pin_project! {
    /// The future of [`BaseUri`]: the inner service's future, or a refusal, with errors boxed.
    pub struct ResponseFuture<F> {
        #[pin]
        kind: Kind<F>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        Inner { #[pin] future: F },
        Refused { error: Option<Error> },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn inner(future: F) -> Self {
        ResponseFuture {
            kind: Kind::Inner { future },
        }
    }

    pub(crate) fn refused(error: Error) -> Self {
        ResponseFuture {
            kind: Kind::Refused { error: Some(error) },
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Into<BoxError>,
{
    type Output = Result<T, BoxError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Inner { future } => future.poll(cx).map_err(Into::into),
            KindProj::Refused { error } => Poll::Ready(Err(Box::new(
                error.take().expect("polled after completion"),
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::{ServiceExt, service_fn};

    fn org() -> OrgUrl {
        OrgUrl::from_uri(&Uri::from_static("https://dev-123.okta.com/")).unwrap()
    }

    fn echo_uri()
    -> BaseUri<impl Service<Request<()>, Response = Uri, Error = BoxError, Future: Send> + Clone>
    {
        BaseUriLayer::new(org()).layer(service_fn(|request: Request<()>| async move {
            Ok::<_, BoxError>(request.uri().clone())
        }))
    }

    fn request(uri: &str) -> Request<()> {
        Request::builder().uri(uri).body(()).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn origin_form_requests_get_the_org_scheme_and_host() {
        let uri = echo_uri()
            .oneshot(request("/api/v1/users?limit=2"))
            .await
            .unwrap();
        assert_eq!(uri, "https://dev-123.okta.com/api/v1/users?limit=2");
    }

    #[tokio::test(start_paused = true)]
    async fn absolute_requests_for_the_org_pass_unchanged() {
        for same in [
            "https://dev-123.okta.com/api/v1/users?after=x",
            "https://DEV-123.okta.com:443/api/v1/users?after=x",
        ] {
            let uri = echo_uri().oneshot(request(same)).await.unwrap();
            assert_eq!(uri, same);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn absolute_requests_for_another_origin_are_refused() {
        for other in [
            "https://evil.example.com/api/v1/users",
            "http://dev-123.okta.com/api/v1/users",
            "https://dev-123.okta.com:8443/api/v1/users",
            "https://dev-123.okta.com.evil.example/api/v1/users",
            "https://user@dev-123.okta.com/api/v1/users",
        ] {
            let error = echo_uri().oneshot(request(other)).await.unwrap_err();
            let error = Error::from_service(error);
            assert!(
                matches!(
                    &error,
                    Error::Refused(RefusedReason::OffOrigin { org, .. }) if org == "https://dev-123.okta.com"
                ),
                "{other}: {error:?}"
            );
            assert!(!error.to_string().contains("/api/v1/users"), "{error}");
        }
    }

    #[test]
    fn org_urls_with_a_path_query_or_no_scheme_are_invalid() {
        for bad in [
            "https://dev-123.okta.com/api",
            "https://dev-123.okta.com/?a=b",
            "/api",
            "ftp://x.example",
        ] {
            let result = OrgUrl::from_uri(&bad.parse().unwrap());
            assert!(
                matches!(result, Err(ConfigError::InvalidOrgUrl { .. })),
                "{bad}: {result:?}"
            );
        }
        assert_eq!(org().to_string(), "https://dev-123.okta.com");
    }
}
