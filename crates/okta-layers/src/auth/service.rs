//! [`AuthLayer`] and [`Auth`]: the `Authorization` header, for the org only.

use std::fmt;
use std::task::{Context, Poll};

use http::Request;
use http::header::{AUTHORIZATION, HeaderValue};
use okta_users::{BoxError, Error};
use tower_layer::Layer;
use tower_service::Service;

use super::Credentials;
use crate::base_uri::{OrgUrl, ResponseFuture, outside_org};

/// Where the `Authorization` header comes from.
///
/// A static token's header is built once, when the layer is. A refreshing source (OAuth 2.0
/// client credentials, to come) will be another variant: it resolves a current header in
/// `poll_ready` — waiting there for a fetch or refresh — so that `call` stays synchronous and
/// [`ResponseFuture`] keeps its shape.
#[derive(Clone)]
enum HeaderSource {
    /// A long-lived token (API token, access token obtained elsewhere).
    Static(HeaderValue),
}

/// Adds the `Authorization` header for `credentials` to every request for the org, and refuses
/// any request that is not for the org (see the [module docs](super)).
#[derive(Clone)]
pub struct AuthLayer {
    org: OrgUrl,
    source: HeaderSource,
}

impl AuthLayer {
    /// A layer authenticating requests for `org` with `credentials`; fails
    /// ([`Error::InvalidInput`]) when the token cannot be a header value.
    pub fn new(org: OrgUrl, credentials: &Credentials) -> Result<AuthLayer, Error> {
        let source = HeaderSource::Static(credentials.static_header()?);
        Ok(AuthLayer { org, source })
    }
}

impl fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthLayer")
            .field("org", &self.org)
            .field("credentials", &"<redacted>")
            .finish()
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth {
            inner,
            org: self.org.clone(),
            source: self.source.clone(),
        }
    }
}

/// The service of [`AuthLayer`].
#[derive(Clone)]
pub struct Auth<S> {
    inner: S,
    org: OrgUrl,
    source: HeaderSource,
}

impl<S> Auth<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: fmt::Debug> fmt::Debug for Auth<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("org", &self.org)
            .field("credentials", &"<redacted>")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<S, B> Service<Request<B>> for Auth<S>
where
    S: Service<Request<B>>,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        match &self.source {
            HeaderSource::Static(_) => self.inner.poll_ready(cx).map_err(Into::into),
        }
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        if !self.org.is_origin_of(request.uri()) {
            // Only reachable when the layer is not inside BaseUri: refuse rather than guess.
            return ResponseFuture::refused(Error::Refused {
                reason: outside_org(request.uri(), &self.org),
            });
        }
        let header = match &self.source {
            HeaderSource::Static(header) => header.clone(),
        };
        request.headers_mut().insert(AUTHORIZATION, header);
        ResponseFuture::inner(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base_uri::BaseUriLayer;
    use http::Uri;
    use tower::{ServiceExt, service_fn};

    fn org() -> OrgUrl {
        OrgUrl::from_uri(&Uri::from_static("https://dev-123.okta.com")).unwrap()
    }

    fn seen_authorization()
    -> impl Service<Request<()>, Response = Option<HeaderValue>, Error = BoxError> + Clone {
        service_fn(|request: Request<()>| async move {
            Ok::<_, BoxError>(request.headers().get(AUTHORIZATION).cloned())
        })
    }

    #[tokio::test]
    async fn requests_for_the_org_carry_the_sensitive_header() {
        let auth = AuthLayer::new(org(), &Credentials::api_token("00abc"))
            .unwrap()
            .layer(seen_authorization());
        let request = Request::builder()
            .uri("https://dev-123.okta.com/api/v1/users")
            .body(())
            .unwrap();
        let header = auth.oneshot(request).await.unwrap().unwrap();
        assert_eq!(header, "SSWS 00abc");
        assert!(header.is_sensitive());
    }

    #[tokio::test]
    async fn an_existing_authorization_header_is_replaced() {
        let auth = AuthLayer::new(org(), &Credentials::access_token("t0k"))
            .unwrap()
            .layer(seen_authorization());
        let request = Request::builder()
            .uri("https://dev-123.okta.com/api/v1/users")
            .header(AUTHORIZATION, "Basic Zm9vOmJhcg==")
            .body(())
            .unwrap();
        assert_eq!(auth.oneshot(request).await.unwrap().unwrap(), "Bearer t0k");
    }

    #[tokio::test]
    async fn requests_not_for_the_org_are_refused_and_never_reach_the_inner_service() {
        for uri in ["https://evil.example.com/api/v1/users", "/api/v1/users"] {
            let reached = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = reached.clone();
            let inner = service_fn(move |_: Request<()>| {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                async { Ok::<_, BoxError>(()) }
            });
            let auth = AuthLayer::new(org(), &Credentials::api_token("00abc"))
                .unwrap()
                .layer(inner);
            let error = auth
                .oneshot(Request::builder().uri(uri).body(()).unwrap())
                .await
                .unwrap_err();
            let error = Error::from_service(error);
            assert!(matches!(&error, Error::Refused { .. }), "{uri}: {error:?}");
            assert!(!error.to_string().contains("00abc"));
            assert!(!reached.load(std::sync::atomic::Ordering::SeqCst), "{uri}");
        }
    }

    #[tokio::test]
    async fn inside_base_uri_origin_form_requests_are_authenticated() {
        let auth = AuthLayer::new(org(), &Credentials::api_token("00abc")).unwrap();
        let service = tower::ServiceBuilder::new()
            .layer(BaseUriLayer::new(org()))
            .layer(auth)
            .service(seen_authorization());
        let request = Request::builder().uri("/api/v1/users/me").body(()).unwrap();
        assert_eq!(
            service.oneshot(request).await.unwrap().unwrap(),
            "SSWS 00abc"
        );
    }

    #[test]
    fn debug_output_hides_the_token() {
        let layer = AuthLayer::new(org(), &Credentials::api_token("00s3cr3t")).unwrap();
        let service = layer.layer(());
        let text = format!("{layer:?} {service:?}");
        assert!(
            !text.contains("00s3cr3t") && text.contains("<redacted>"),
            "{text}"
        );
    }
}
