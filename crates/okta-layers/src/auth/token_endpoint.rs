//! [`TokenEndpoint`]: the token request of `private_key_jwt` — client credentials with a signed
//! assertion, at `POST {org}/oauth2/v1/token` — with a DPoP proof when DPoP is on, and what the
//! token endpoint answers.
//!
//! # DPoP at the token endpoint
//!
//! With DPoP on (or once auto has learned it) every token request carries a proof from its
//! first send, with the nonce Okta gave last. Okta answers a proof without a nonce, or with one
//! it no longer takes, `400 use_dpop_nonce` and a `DPoP-Nonce` header: the request is sent once
//! more with it, and the nonce is kept for the next token (any answer bringing another replaces
//! it). In auto mode, a `400 invalid_dpop_proof` to a request without a proof means the app
//! requires DPoP: the client turns it on for good and sends the request again with one. A fetch
//! sends at most three requests (learn, nonce, token), each with a fresh assertion and proof —
//! Okta spends an assertion's `jti` even on a `use_dpop_nonce` answer.

use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Response, Uri};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use okta_users::headers::request_id;
use okta_users::{AuthError, BoxError, Error, MaxResponseSize, Redactor, TimeoutKind};
use serde::Deserialize;
use tower::ServiceExt;
use tower_service::Service;

use super::credentials::{PrivateKeyJwt, SecretToken};
use super::dpop::{self, Dpop};
use super::provider::TokenKind;
use super::token::TokenRequestFailed;
use crate::ConfigError;
use crate::base_uri::OrgUrl;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The largest token response read (Okta's are well under 2 KiB).
pub(crate) const MAX_TOKEN_RESPONSE: usize = 64 * 1024;
/// Assumed lifetime when the answer has no `expires_in` (Okta's access tokens last an hour).
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Token requests one fetch may send: learning that DPoP is required, the nonce, the token.
const MAX_SENDS: usize = 3;

/// The org's token endpoint and the client credentials to present there.
pub(crate) struct TokenEndpoint {
    client: PrivateKeyJwt,
    scope: String,
    token_uri: Uri,
    /// `{org}/oauth2/v1/token`: the assertion's `aud` and the proofs' `htu`.
    audience: String,
}

impl std::fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("client_id", &self.client.client_id())
            .field("scope", &self.scope)
            .field("token_uri", &self.token_uri)
            .field("key", self.client.key())
            .finish()
    }
}

/// A token obtained, and the secrets sent to get it (the last assertion and proof), for the
/// redactor of the answers to come.
pub(crate) struct Fetched {
    pub(crate) token: SecretToken,
    pub(crate) kind: TokenKind,
    pub(crate) lifetime: Duration,
    pub(crate) sent: Vec<SecretToken>,
}

/// A token endpoint's answer, read whole.
struct Answer {
    parts: http::response::Parts,
    body: Bytes,
}

impl Answer {
    /// The OAuth `error` of a 400.
    fn oauth_error(&self) -> Option<String> {
        if self.parts.status != http::StatusCode::BAD_REQUEST {
            return None;
        }
        serde_json::from_slice::<ErrorAnswer>(&self.body)
            .ok()
            .and_then(|answer| answer.error)
    }
}

impl TokenEndpoint {
    /// The endpoint of `org` for `client`; fails on an unusable client id or scopes.
    pub(crate) fn new(org: &OrgUrl, client: &PrivateKeyJwt) -> Result<TokenEndpoint, ConfigError> {
        let scope = client.scope_parameter()?;
        let audience = format!("{org}/oauth2/v1/token");
        let token_uri = Uri::try_from(audience.as_str())
            .map_err(|error| ConfigError::org_url(format!("no token endpoint URI: {error}")))?;
        Ok(TokenEndpoint {
            client: client.clone(),
            scope,
            token_uri,
            audience,
        })
    }

    /// A token, through `service`: `previous` is the token it replaces (redacted from the
    /// answers, as the assertions and proofs are); `dpop` the client's DPoP state, if not off.
    pub(crate) async fn fetch<S, B, RB>(
        &self,
        service: S,
        previous: Option<&SecretToken>,
        dpop: Option<&Dpop>,
    ) -> Result<Fetched, Error>
    where
        S: Service<Request<B>, Response = Response<RB>> + Clone,
        S::Error: Into<BoxError>,
        B: From<Bytes>,
        RB: http_body::Body<Data = Bytes>,
        RB::Error: Into<BoxError>,
    {
        let mut sends = 0;
        loop {
            sends += 1;
            let proving = dpop.filter(|dpop| dpop.active());
            let assertion = self
                .client
                .key()
                .assertion(self.client.client_id(), &self.audience)?;
            let nonce = proving.and_then(|dpop| dpop.token_nonce().get());
            let proof = proving
                .map(|dpop| dpop.proof(&Method::POST, &self.audience, None, nonce.as_deref()))
                .transpose()?;
            let redactor = Redactor::new(
                [
                    Some(assertion.as_str()),
                    previous.map(SecretToken::expose),
                    proof.as_deref(),
                ]
                .into_iter()
                .flatten(),
            );
            let answer = self
                .send(service.clone(), &assertion, proof.as_deref(), &redactor)
                .await?;
            // A nonce other than the one this proof carried: the answer brought a new one.
            let new_nonce = dpop.is_some_and(|dpop| {
                dpop.token_nonce().update(&answer.parts.headers);
                dpop.token_nonce().get() != nonce
            });
            let again = sends < MAX_SENDS;
            match answer.oauth_error().as_deref() {
                Some("use_dpop_nonce") if proof.is_some() && new_nonce && again => {
                    tracing::debug!(
                        "okta: the token endpoint asked for a DPoP nonce; sending again with it"
                    );
                    continue;
                }
                Some("invalid_dpop_proof")
                    if proof.is_none() && again && dpop.is_some_and(Dpop::learn) =>
                {
                    tracing::info!(
                        "okta: the token endpoint requires DPoP for this app; binding tokens to the client's key from now on"
                    );
                    continue;
                }
                _ => {}
            }
            let (token, kind, lifetime) = parse_token_response(
                answer.parts.status,
                &answer.body,
                request_id(&answer.parts.headers),
                &redactor,
                proof.is_some(),
            )?;
            let sent = [Some(assertion), proof]
                .into_iter()
                .flatten()
                .map(SecretToken::from)
                .collect();
            return Ok(Fetched {
                token,
                kind,
                lifetime,
                sent,
            });
        }
    }

    /// One token request, its answer read whole (at most [`MAX_TOKEN_RESPONSE`] bytes).
    async fn send<S, B, RB>(
        &self,
        service: S,
        assertion: &str,
        proof: Option<&str>,
        redactor: &Redactor,
    ) -> Result<Answer, Error>
    where
        S: Service<Request<B>, Response = Response<RB>>,
        S::Error: Into<BoxError>,
        B: From<Bytes>,
        RB: http_body::Body<Data = Bytes>,
        RB::Error: Into<BoxError>,
    {
        let body = token_request_body(&self.scope, assertion);
        let mut request = Request::post(self.token_uri.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(B::from(Bytes::from(body)))
            .map_err(|error| {
                Error::from(AuthError::new(format!(
                    "could not build the token request: {error}"
                )))
            })?;
        if let Some(proof) = proof {
            dpop::set_proof(&mut request, proof)?;
        }
        request
            .extensions_mut()
            .insert(MaxResponseSize(MAX_TOKEN_RESPONSE));
        let response = service
            .oneshot(request)
            .await
            .map_err(|error| self.no_answer(error.into(), redactor))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_TOKEN_RESPONSE).collect().await;
        let unreadable = |reason: String| {
            let request_id = request_id(&parts.headers).map(|id| redactor.redact(id).into_owned());
            Error::from(
                AuthError::new(redactor.redact_owned(reason))
                    .with_status(parts.status)
                    .with_request_id(request_id),
            )
        };
        let body = match body {
            Ok(body) => body.to_bytes(),
            Err(error) if error.is::<LengthLimitError>() => {
                return Err(unreadable(format!(
                    "the token endpoint's answer is larger than {MAX_TOKEN_RESPONSE} bytes"
                )));
            }
            Err(error) => {
                return Err(unreadable(format!(
                    "the token endpoint's answer could not be read: {error}"
                )));
            }
        };
        Ok(Answer { parts, body })
    }

    /// The token request failed without a usable answer. In transit (connect, reset, timeout,
    /// before any answer): the API request was certainly not sent, so the attempt may be
    /// retried whatever its method (a token request is safe to repeat). An answer that could
    /// not be read (too large, malformed, stalled): the token endpoint's fault, an auth error.
    fn no_answer(&self, error: BoxError, redactor: &Redactor) -> Error {
        match Error::from_service(error) {
            error @ (Error::BodyTooLarge { .. }
            | Error::MalformedResponse { .. }
            | Error::Timeout {
                kind: TimeoutKind::BodyStalled,
            }) => Error::from(AuthError::new(redactor.redact_owned(format!(
                "the token endpoint's answer could not be read: {error}"
            )))),
            error @ (Error::Transport { .. } | Error::Timeout { .. }) => Error::Transport {
                not_sent: true,
                source: Box::new(TokenRequestFailed::new(self.token_uri.to_string(), error)),
            },
            error => Error::from(AuthError::new(redactor.redact_owned(format!(
                "the token request to {} failed: {error}",
                self.token_uri
            )))),
        }
    }
}

/// `grant_type=client_credentials&scope=…&client_assertion_type=…&client_assertion=…`.
pub(crate) fn token_request_body(scope: &str, assertion: &str) -> String {
    form_urlencoded::Serializer::new(String::with_capacity(assertion.len() + scope.len() + 160))
        .append_pair("grant_type", "client_credentials")
        .append_pair("scope", scope)
        .append_pair("client_assertion_type", ASSERTION_TYPE)
        .append_pair("client_assertion", assertion)
        .finish()
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
}

/// An OAuth error body (`error`, `error_description`), or Okta's API error shape, which its
/// rate limiter and front end answer with.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(rename = "errorCode")]
    error_code: Option<String>,
    #[serde(rename = "errorSummary")]
    error_summary: Option<String>,
}

/// The token, how it is sent and its lifetime from a token endpoint's answer, or why there is
/// none (never quoting the body of a successful answer, which may hold a token; every
/// server-supplied text kept goes through `redactor`). `proof_sent`: the request carried a
/// DPoP proof, so a DPoP token may come back.
pub(crate) fn parse_token_response(
    status: http::StatusCode,
    body: &[u8],
    request_id: Option<&str>,
    redactor: &Redactor,
    proof_sent: bool,
) -> Result<(SecretToken, TokenKind, Duration), Error> {
    let failure = |reason: String| {
        AuthError::new(reason)
            .with_status(status)
            .with_request_id(request_id.map(|id| redactor.redact(id).into_owned()))
    };
    if !status.is_success() {
        let error = match serde_json::from_slice::<ErrorAnswer>(body) {
            Ok(answer) => {
                let code = answer.error.or(answer.error_code);
                let hint = if code.as_deref() == Some("invalid_dpop_proof") && !proof_sent {
                    " (the app requires DPoP proofs, and DPoP is off for this client)"
                } else {
                    ""
                };
                failure(format!("the token endpoint answered {status}{hint}")).with_oauth_error(
                    code.map(|text| redactor.redact_owned(text)),
                    answer
                        .error_description
                        .or(answer.error_summary)
                        .map(|text| redactor.redact_owned(text)),
                )
            }
            Err(_) => failure(format!(
                "the token endpoint answered {status} (without an OAuth error body)"
            )),
        };
        return Err(error.into());
    }
    let answer: TokenAnswer = serde_json::from_slice(body).map_err(|_| {
        failure(format!(
            "the token endpoint answered {status} without a token response (access_token, token_type)"
        ))
    })?;
    let kind = if answer.token_type.eq_ignore_ascii_case("bearer") {
        TokenKind::Bearer
    } else if answer.token_type.eq_ignore_ascii_case("dpop") && proof_sent {
        TokenKind::Dpop
    } else if answer.token_type.eq_ignore_ascii_case("dpop") {
        return Err(failure(
            "the token endpoint issued a DPoP token to a request without a DPoP proof".into(),
        )
        .into());
    } else {
        return Err(failure(format!(
            "the token endpoint issued a {:?} token; only Bearer and DPoP tokens are supported",
            redactor.redact(&answer.token_type)
        ))
        .into());
    };
    let lifetime = answer
        .expires_in
        .map_or(DEFAULT_LIFETIME, Duration::from_secs);
    Ok((SecretToken::new(answer.access_token), kind, lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn the_form_is_encoded() {
        let body = token_request_body("okta.users.read okta.users.manage", "eyJ.a-b_c.d");
        assert_eq!(
            body,
            "grant_type=client_credentials&scope=okta.users.read+okta.users.manage\
             &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
             &client_assertion=eyJ.a-b_c.d"
        );
        assert_eq!(
            token_request_body("a+b=c&d/é", "x"),
            "grant_type=client_credentials&scope=a%2Bb%3Dc%26d%2F%C3%A9\
             &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
             &client_assertion=x"
        );
    }

    fn parse(
        status: StatusCode,
        body: &[u8],
        proof_sent: bool,
    ) -> Result<(SecretToken, TokenKind, Duration), Error> {
        parse_token_response(status, body, None, &Redactor::default(), proof_sent)
    }

    #[test]
    fn token_answers_are_parsed() {
        let (token, kind, lifetime) = parse(
            StatusCode::OK,
            br#"{"token_type":"Bearer","expires_in":3600,"access_token":"eyJ.tok.en","scope":"okta.users.read"}"#,
            false,
        )
        .unwrap();
        assert_eq!(token.expose(), "eyJ.tok.en");
        assert_eq!(
            (kind, lifetime),
            (TokenKind::Bearer, Duration::from_secs(3600))
        );
        let (_, _, lifetime) = parse(
            StatusCode::OK,
            br#"{"token_type":"bearer","access_token":"t"}"#,
            false,
        )
        .unwrap();
        assert_eq!(lifetime, DEFAULT_LIFETIME);
        let (_, kind, _) = parse(
            StatusCode::OK,
            br#"{"token_type":"DPoP","access_token":"t"}"#,
            true,
        )
        .unwrap();
        assert_eq!(kind, TokenKind::Dpop);
        // A server that does not bind answers Bearer to a request with a proof.
        let (_, kind, _) = parse(
            StatusCode::OK,
            br#"{"token_type":"Bearer","access_token":"t"}"#,
            true,
        )
        .unwrap();
        assert_eq!(kind, TokenKind::Bearer);
    }

    fn reason(result: Result<(SecretToken, TokenKind, Duration), Error>) -> String {
        match result {
            Err(error @ Error::Auth(_)) => error.to_string(),
            other => panic!("{:?}", other.map(|(_, kind, lifetime)| (kind, lifetime))),
        }
    }

    #[test]
    fn error_answers_keep_okta_error_and_description_but_no_token() {
        let text = reason(parse_token_response(
            StatusCode::UNAUTHORIZED,
            br#"{"error":"invalid_client","error_description":"The client_assertion token is invalid."}"#,
            Some("req-9"),
            &Redactor::default(),
            false,
        ));
        assert_eq!(
            text,
            "authentication failed: the token endpoint answered 401 Unauthorized: invalid_client: The client_assertion token is invalid. [request id req-9]"
        );
        let text = reason(parse(
            StatusCode::TOO_MANY_REQUESTS,
            br#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#,
            false,
        ));
        assert!(text.contains("429") && text.contains("E0000047"), "{text}");
        let text = reason(parse(
            StatusCode::BAD_GATEWAY,
            b"<html>s3cr3t</html>",
            false,
        ));
        assert!(text.contains("502") && !text.contains("s3cr3t"), "{text}");
        // A 200 whose body is not a token response is not quoted: it may hold a token.
        let text = reason(parse(
            StatusCode::OK,
            br#"{"access_token":"s3cr3t"}"#,
            false,
        ));
        assert!(!text.contains("s3cr3t"), "{text}");
        let text = reason(parse(
            StatusCode::OK,
            br#"{"access_token":"s3cr3t","token_type":"DPoP"}"#,
            false,
        ));
        assert!(text.contains("DPoP") && !text.contains("s3cr3t"), "{text}");
        let text = reason(parse(
            StatusCode::OK,
            br#"{"access_token":"s3cr3t","token_type":"MAC"}"#,
            true,
        ));
        assert!(text.contains("MAC") && !text.contains("s3cr3t"), "{text}");
    }

    #[test]
    fn a_dpop_requirement_with_dpop_off_says_so() {
        let text = reason(parse(
            StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}"#,
            false,
        ));
        assert!(
            text.contains("DPoP is off for this client")
                && text.contains("invalid_dpop_proof: The DPoP proof JWT header is missing."),
            "{text}"
        );
    }
}
