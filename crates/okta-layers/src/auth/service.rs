//! [`AuthLayer`] and [`Auth`]: the `Authorization` header, for the org only, and the secrets it
//! sent kept out of what comes back.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::header::{AUTHORIZATION, HeaderValue};
use http::{Request, Response, StatusCode};
use okta_users::{BoxError, Error, REDACTED, Redactor};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use super::Credentials;
use super::credentials::SecretToken;
use super::token::{Authorization, Lookup, TokenSource};
use crate::ConfigError;
use crate::base_uri::{OrgUrl, off_origin};

/// Where the `Authorization` header comes from.
#[derive(Clone)]
enum HeaderSource {
    /// A long-lived token (API token, access token obtained elsewhere), its header (and its
    /// redactor) built once.
    Static(Authorization),
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
///
/// # Secrets in responses
///
/// A server may reflect what it was sent (a proxy's error page, a broken echo). Every response
/// leaves this layer with an [`okta_users::Redactor`] in its extensions, holding every secret
/// the layer may have sent (the API token; or the access token, the one before it and the last
/// client assertion), for whoever turns the response into an error text; and any header value
/// containing one of them (a reflected `X-Okta-Request-Id`) has it replaced by
/// [`REDACTED`] before any layer above sees it.
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
        let source = match credentials {
            Credentials::ApiToken(token) => HeaderSource::Static(fixed("SSWS", token)?),
            Credentials::AccessToken(token) => HeaderSource::Static(fixed("Bearer", token)?),
            Credentials::PrivateKey(client) => {
                HeaderSource::OAuth(Arc::new(TokenSource::new(&org, client)?))
            }
        };
        Ok(AuthLayer { org, source })
    }

    /// The org it authenticates requests for.
    pub fn org(&self) -> &OrgUrl {
        &self.org
    }
}

/// The authorization of a long-lived token.
fn fixed(scheme: &str, token: &SecretToken) -> Result<Authorization, ConfigError> {
    Ok(Authorization {
        header: super::credentials::authorization_header(scheme, token)?,
        generation: 0,
        redactor: Redactor::new([token.expose()]),
    })
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
            return AuthFuture::refused(Error::Refused(off_origin(request.uri(), &self.org)));
        }
        let source = match &self.source {
            HeaderSource::Static(authorization) => {
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, authorization.header.clone());
                let future = self.inner.call(request);
                return AuthFuture::calling(future, authorization.redactor.clone(), None);
            }
            HeaderSource::OAuth(source) => source,
        };
        match source.lookup() {
            Lookup::Use(authorization) => {
                let copy = copy_request(&request);
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, authorization.header);
                let future = self.inner.call(request);
                let resend = Resend {
                    service: self.inner.clone(),
                    request: copy,
                    generation: authorization.generation,
                    source: source.clone(),
                };
                AuthFuture::calling(future, authorization.redactor, Some(Box::new(resend)))
            }
            Lookup::Fetch(guard) => {
                // The ready service goes into the future; this one gets a clone.
                let clone = self.inner.clone();
                let service = std::mem::replace(&mut self.inner, clone);
                let token = Box::pin(source.clone().obtain(service.clone(), guard, None));
                AuthFuture {
                    state: State::authorizing(token, service, request, Some(source.clone())),
                }
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

/// Hands `response` the secrets that may be reflected in it, and cuts them out of its headers.
fn protect<RB>(response: &mut Response<RB>, redactor: Redactor) {
    for value in response.headers_mut().values_mut() {
        if redactor.finds_secret_in(value.as_bytes()) {
            *value = value
                .to_str()
                .ok()
                .and_then(|text| HeaderValue::try_from(redactor.redact(text).as_ref()).ok())
                .unwrap_or(HeaderValue::from_static(REDACTED));
        }
    }
    response.extensions_mut().insert(redactor);
}

/// A token being fetched (or waited for).
type TokenFuture = Pin<Box<dyn Future<Output = Result<Authorization, Error>> + Send>>;

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
    /// when none is cached, and re-sent once with a new token after a 401; its response
    /// carries the [`Redactor`] of what was sent.
    pub struct AuthFuture<F, S, B> {
        #[pin]
        state: State<F, S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, S, B> {
        /// Refused before sending.
        Refused { error: Option<Error> },
        /// Waiting for a token, then for the service to be ready.
        // What only OAuth needs is boxed: a small future is cheaper for every layer above to
        // move, on every call.
        Authorizing {
            token: TokenFuture,
            authorization: Option<Authorization>,
            pending: Option<Box<Pending<S, B>>>,
        },
        /// Sent; `resend` is kept for one re-send after a 401 (OAuth only).
        Calling {
            #[pin]
            future: F,
            redactor: Option<Redactor>,
            resend: Option<Box<Resend<S, B>>>,
        },
    }
}

impl<F, S, B> AuthFuture<F, S, B> {
    fn refused(error: Error) -> Self {
        AuthFuture {
            state: State::Refused { error: Some(error) },
        }
    }

    fn calling(future: F, redactor: Redactor, resend: Option<Box<Resend<S, B>>>) -> Self {
        AuthFuture {
            state: State::Calling {
                future,
                redactor: Some(redactor),
                resend,
            },
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
            authorization: None,
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
                StateProj::Refused { error } => {
                    let error = error.take().expect("polled after completion");
                    return Poll::Ready(Err(Box::new(error)));
                }
                StateProj::Authorizing {
                    token,
                    authorization,
                    pending,
                } => {
                    if authorization.is_none() {
                        *authorization = Some(ready!(token.as_mut().poll(cx))?);
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
                    let Authorization {
                        header,
                        generation,
                        redactor,
                    } = authorization.take().expect("an authorization was obtained");
                    let resend = resend_source.map(|source| {
                        Box::new(Resend {
                            service: ready_service.clone(),
                            request: copy_request(&request),
                            generation,
                            source,
                        })
                    });
                    request.headers_mut().insert(AUTHORIZATION, header);
                    let future = ready_service.call(request);
                    State::Calling {
                        future,
                        redactor: Some(redactor),
                        resend,
                    }
                }
                StateProj::Calling {
                    future,
                    redactor,
                    resend,
                } => {
                    let mut response = ready!(future.poll(cx)).map_err(Into::into)?;
                    let resend = match resend.take() {
                        Some(resend) if response.status() == StatusCode::UNAUTHORIZED => resend,
                        // Not a 401, or refused again with a new token: the answer.
                        _ => {
                            let redactor = redactor.take().expect("polled after completion");
                            protect(&mut response, redactor);
                            return Poll::Ready(Ok(response));
                        }
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

    #[tokio::test(start_paused = true)]
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

    #[tokio::test(start_paused = true)]
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

    #[tokio::test(start_paused = true)]
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

    #[tokio::test(start_paused = true)]
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

    #[tokio::test(start_paused = true)]
    async fn a_reflected_token_is_cut_out_of_the_headers_and_the_redactor_comes_along() {
        const TOKEN: &str = "00reflected-api-token";
        let echo = service_fn(|request: Request<Body>| async move {
            let authorization = request.headers()[AUTHORIZATION]
                .to_str()
                .unwrap()
                .to_owned();
            let response = Response::builder()
                .header("x-okta-request-id", format!("id {authorization}"))
                .header(
                    "x-other",
                    HeaderValue::from_bytes(&[authorization.as_bytes(), b"\xff"].concat()).unwrap(),
                )
                .header("x-fine", "nothing secret")
                .body(Body::new(Bytes::from(authorization)))
                .unwrap();
            Ok::<_, BoxError>(response)
        });
        let auth = AuthLayer::new(org(), &Credentials::api_token(TOKEN))
            .unwrap()
            .layer(echo);
        let response = auth
            .oneshot(
                request("https://dev-123.okta.com/api/v1/users")
                    .body(Body::default())
                    .unwrap(),
            )
            .await
            .unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-okta-request-id"], "id SSWS <redacted>");
        assert_eq!(headers["x-other"], REDACTED, "not text: replaced whole");
        assert_eq!(headers["x-fine"], "nothing secret");
        let redactor = response.extensions().get::<Redactor>().unwrap().clone();
        assert_eq!(
            redactor.redact(&format!("body: SSWS {TOKEN}")),
            "body: SSWS <redacted>"
        );
    }
}
