//! [`AuthLayer`] and [`Auth`]: the `Authorization` header, for the org only.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::header::{AUTHORIZATION, HeaderValue};
use http::{Request, Response, StatusCode};
use okta_users::{BoxError, Error};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::Credentials;
use super::token::{Lookup, TokenSource};
use crate::ConfigError;
use crate::base_uri::{OrgUrl, ResponseFuture, off_origin};

/// Where the `Authorization` header comes from.
#[derive(Clone)]
enum HeaderSource {
    /// A long-lived token (API token, access token obtained elsewhere), its header built once.
    Static(HeaderValue),
    /// Access tokens fetched with client credentials, cached and refreshed (see
    /// [`AuthLayer`]).
    OAuth(Arc<TokenSource>),
}

/// Adds the `Authorization` header for `credentials` to every request for the org, and refuses
/// any request that is not for the org (see the [module docs](super)).
///
/// With [`Credentials::PrivateKey`] the layer fetches access tokens itself, from
/// `{org}/oauth2/v1/token`, **through the service it wraps** (in `okta-client`, the
/// `HyperTransport`: below the retry and rate-limit layers, inside the attempt timeout). The
/// token is cached until shortly before its expiry (a minute, or half the lifetime of a short
/// token), fetched once however many calls wait for it, and after a 401 from the API refreshed
/// and the request re-sent once. Layer and services share one cache: build the layer once per
/// client. Token endpoint failures are [`Error::Auth`].
///
/// On that path a call keeps a copy of its request (method, URI, headers, a cheap clone of a
/// `Full<Bytes>` body) and a clone of the inner service for the one re-send after a 401; with a
/// fresh token it takes a read lock and clones the cached header, and never waits.
#[derive(Clone)]
pub struct AuthLayer {
    org: OrgUrl,
    source: HeaderSource,
}

impl AuthLayer {
    /// A layer authenticating requests for `org` with `credentials`; fails
    /// ([`ConfigError::InvalidCredentials`]) when a token cannot be a header value, or client
    /// credentials have no scope or an invalid one. Needs no runtime: tokens are fetched on the
    /// first call.
    pub fn new(org: OrgUrl, credentials: &Credentials) -> Result<AuthLayer, ConfigError> {
        let source = match credentials.static_header() {
            Some(header) => HeaderSource::Static(header?),
            None => match credentials {
                Credentials::PrivateKey(client) => {
                    HeaderSource::OAuth(Arc::new(TokenSource::new(&org, client)?))
                }
                _ => {
                    return Err(ConfigError::credentials("unsupported kind of credentials"));
                }
            },
        };
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

impl<S, B, RB> Service<Request<B>> for Auth<S>
where
    S: Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    B: From<Bytes> + Clone + Send + 'static,
    RB: http_body::Body<Data = Bytes> + Send + 'static,
    RB::Error: Into<BoxError>,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = AuthFuture<S::Future, S, B>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        if !self.org.is_origin_of(request.uri()) {
            // Only reachable when the layer is not inside BaseUri: refuse rather than guess.
            return AuthFuture::plain(ResponseFuture::refused(Error::Refused(off_origin(
                request.uri(),
                &self.org,
            ))));
        }
        let source = match &self.source {
            HeaderSource::Static(header) => {
                request.headers_mut().insert(AUTHORIZATION, header.clone());
                return AuthFuture::plain(ResponseFuture::inner(self.inner.call(request)));
            }
            HeaderSource::OAuth(source) => source,
        };
        match source.lookup() {
            Lookup::Use(header, generation) => {
                let copy = copy_request(&request);
                request.headers_mut().insert(AUTHORIZATION, header);
                let future = self.inner.call(request);
                AuthFuture::calling(
                    future,
                    Resend {
                        service: self.inner.clone(),
                        request: copy,
                        generation,
                        source: source.clone(),
                    },
                )
            }
            Lookup::Fetch(guard) => {
                // The ready service goes into the future; this one gets a clone.
                let clone = self.inner.clone();
                let service = std::mem::replace(&mut self.inner, clone);
                let token = Box::pin(source.clone().obtain(service.clone(), guard, None));
                AuthFuture::authorizing(token, service, request, Some(source.clone()))
            }
        }
    }
}

/// A copy of `request` for a re-send (the body is cloned: cheap for `Full<Bytes>`).
fn copy_request<B: Clone>(request: &Request<B>) -> Request<B> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    *copy.extensions_mut() = request.extensions().clone();
    copy
}

/// A token being fetched (or waited for): the header and its generation.
type TokenFuture = Pin<Box<dyn Future<Output = Result<(HeaderValue, u64), Error>> + Send>>;

/// What waits for a token: the service, the request, and (on the first attempt) what a
/// re-send after a 401 needs.
struct Pending<S, B> {
    service: S,
    request: Request<B>,
    resend_source: Option<Arc<TokenSource>>,
}

/// What a 401 needs for the one re-send with a new token.
struct Resend<S, B> {
    service: S,
    request: Request<B>,
    generation: u64,
    source: Arc<TokenSource>,
}

pin_project! {
    /// The future of [`Auth`]: the inner service's future, after fetching an access token
    /// when none is cached, and re-sent once with a new token after a 401.
    pub struct AuthFuture<F, S, B> {
        #[pin]
        state: State<F, S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, S, B> {
        /// A static header, or a refusal.
        Plain { #[pin] future: ResponseFuture<F> },
        /// Waiting for a token, then for the service to be ready.
        // What only OAuth needs is boxed: a small future is cheaper for every layer above to
        // move, on every call.
        Authorizing {
            token: TokenFuture,
            header: Option<HeaderValue>,
            generation: u64,
            pending: Option<Box<Pending<S, B>>>,
        },
        /// Sent; `resend` is kept for one re-send after a 401.
        Calling { #[pin] future: F, resend: Option<Box<Resend<S, B>>> },
    }
}

impl<F, S, B> AuthFuture<F, S, B> {
    fn plain(future: ResponseFuture<F>) -> Self {
        AuthFuture {
            state: State::Plain { future },
        }
    }

    fn calling(future: F, resend: Resend<S, B>) -> Self {
        AuthFuture {
            state: State::Calling {
                future,
                resend: Some(Box::new(resend)),
            },
        }
    }

    fn authorizing(
        token: TokenFuture,
        service: S,
        request: Request<B>,
        resend_source: Option<Arc<TokenSource>>,
    ) -> Self {
        AuthFuture {
            state: State::authorizing(token, service, request, resend_source),
        }
    }
}

impl<F, S, B> State<F, S, B> {
    /// Waiting for `token`, then for `service`, to send `request`.
    fn authorizing(
        token: TokenFuture,
        service: S,
        request: Request<B>,
        resend_source: Option<Arc<TokenSource>>,
    ) -> Self {
        State::Authorizing {
            token,
            header: None,
            generation: 0,
            pending: Some(Box::new(Pending {
                service,
                request,
                resend_source,
            })),
        }
    }
}

impl<F, S, B> fmt::Debug for AuthFuture<F, S, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthFuture").finish_non_exhaustive()
    }
}

impl<F, S, B, RB> Future for AuthFuture<F, S, B>
where
    S: Service<Request<B>, Response = Response<RB>, Future = F> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    F: Future<Output = Result<Response<RB>, S::Error>> + Send + 'static,
    B: From<Bytes> + Clone + Send + 'static,
    RB: http_body::Body<Data = Bytes> + Send + 'static,
    RB::Error: Into<BoxError>,
{
    type Output = Result<Response<RB>, BoxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            let next = match state.as_mut().project() {
                StateProj::Plain { future } => return future.poll(cx),
                StateProj::Authorizing {
                    token,
                    header,
                    generation,
                    pending,
                } => {
                    if header.is_none() {
                        let (value, number) = ready!(token.as_mut().poll(cx))?;
                        *header = Some(value);
                        *generation = number;
                    }
                    let waiting = pending.as_mut().expect("polled after completion");
                    match waiting.service.poll_ready(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(error)) => return Poll::Ready(Err(error.into())),
                        Poll::Ready(Ok(())) => {}
                    }
                    let Pending {
                        service: mut ready_service,
                        mut request,
                        resend_source,
                    } = *pending.take().expect("polled after completion");
                    let resend = resend_source.map(|source| {
                        Box::new(Resend {
                            service: ready_service.clone(),
                            request: copy_request(&request),
                            generation: *generation,
                            source,
                        })
                    });
                    let value = header.take().expect("a header was obtained");
                    request.headers_mut().insert(AUTHORIZATION, value);
                    let future = ready_service.call(request);
                    State::Calling { future, resend }
                }
                StateProj::Calling { future, resend } => {
                    let response = ready!(future.poll(cx)).map_err(Into::into)?;
                    if response.status() != StatusCode::UNAUTHORIZED {
                        return Poll::Ready(Ok(response));
                    }
                    let Some(resend) = resend.take() else {
                        // Refused again with a new token: the 401 is the answer.
                        return Poll::Ready(Ok(response));
                    };
                    tracing::debug!(
                        "okta: 401 with an access token; fetching a new one and re-sending once"
                    );
                    let token = Box::pin(resend.source.obtain(
                        resend.service.clone(),
                        None,
                        Some(resend.generation),
                    ));
                    let Resend {
                        service, request, ..
                    } = *resend;
                    State::authorizing(token, service, request, None)
                }
            };
            state.set(next);
        }
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

    type Body = http_body_util::Full<Bytes>;

    /// Answers with the `Authorization` header it saw, in the response's extensions.
    fn seen_authorization()
    -> impl Service<
        Request<Body>,
        Response = Response<Body>,
        Error = BoxError,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static {
        service_fn(|request: Request<Body>| async move {
            let mut response = Response::new(Body::default());
            if let Some(header) = request.headers().get(AUTHORIZATION).cloned() {
                response.extensions_mut().insert(header);
            }
            Ok::<_, BoxError>(response)
        })
    }

    fn seen(response: Response<Body>) -> HeaderValue {
        response.extensions().get::<HeaderValue>().unwrap().clone()
    }

    fn request(uri: &str) -> http::request::Builder {
        Request::builder().uri(uri)
    }

    #[tokio::test]
    async fn requests_for_the_org_carry_the_sensitive_header() {
        let auth = AuthLayer::new(org(), &Credentials::api_token("00abc"))
            .unwrap()
            .layer(seen_authorization());
        let request = request("https://dev-123.okta.com/api/v1/users")
            .body(Body::default())
            .unwrap();
        let header = seen(auth.oneshot(request).await.unwrap());
        assert_eq!(header, "SSWS 00abc");
        assert!(header.is_sensitive());
    }

    #[tokio::test]
    async fn an_existing_authorization_header_is_replaced() {
        let auth = AuthLayer::new(org(), &Credentials::access_token("t0k"))
            .unwrap()
            .layer(seen_authorization());
        let request = request("https://dev-123.okta.com/api/v1/users")
            .header(AUTHORIZATION, "Basic Zm9vOmJhcg==")
            .body(Body::default())
            .unwrap();
        assert_eq!(seen(auth.oneshot(request).await.unwrap()), "Bearer t0k");
    }

    #[tokio::test]
    async fn requests_not_for_the_org_are_refused_and_never_reach_the_inner_service() {
        for uri in ["https://evil.example.com/api/v1/users", "/api/v1/users"] {
            let reached = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = reached.clone();
            let inner = service_fn(move |_: Request<Body>| {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                async { Ok::<_, BoxError>(Response::new(Body::default())) }
            });
            let auth = AuthLayer::new(org(), &Credentials::api_token("00abc"))
                .unwrap()
                .layer(inner);
            let error = auth
                .oneshot(request(uri).body(Body::default()).unwrap())
                .await
                .unwrap_err();
            let error = Error::from_service(error);
            assert!(matches!(&error, Error::Refused(_)), "{uri}: {error:?}");
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
        let request = request("/api/v1/users/me").body(Body::default()).unwrap();
        assert_eq!(seen(service.oneshot(request).await.unwrap()), "SSWS 00abc");
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
