//! [`Reconciler`]: one reconciliation's requests (at most one read and one re-send, each
//! through the caller's service), what they showed, and how it ends.

use std::future::Future;

use serde::Deserialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use tokio::time::Instant;

use super::window::CallWindow;
use super::{Action, Effect, Evidence, Finding, Outcome, Reconciliation, Rule, Step};
use crate::endpoints::Endpoint;
use crate::error::{Error, Reconciled, Result};
use crate::models::UserStatus;
use crate::request::ApiRequest;
use crate::service::HttpService;
use crate::users::{RawResponse, Users};

/// One reconciliation of a write whose answer was lost.
pub(crate) struct Reconciler<S> {
    /// The caller's handle: reads and re-sends go through its service, rate-limited and
    /// traced like any call.
    users: Users<S>,
    endpoint: &'static Endpoint,
    rule: Rule,
    /// When the call started, on the client's monotonic clock.
    started: Instant,
    /// The first, outcome-unknown error.
    cause: Error,
    steps: Vec<Step>,
    evidence: Option<Evidence>,
}

/// A read's answer, and the span of Okta's clock the call ran in (from its `Date`).
pub(crate) struct Read {
    pub(crate) raw: RawResponse,
    window: Option<CallWindow>,
}

impl Read {
    /// The user read, as far as the rules look at it.
    pub(crate) fn user_state(&self) -> Result<UserState> {
        self.raw.json()
    }

    /// Whether Okta's timestamp `stamp` falls within the call; `None` when it cannot tell
    /// (no timestamp, or an answer without a usable `Date`).
    pub(crate) fn during_call(&self, stamp: Option<OffsetDateTime>) -> Option<bool> {
        Some(self.window?.contains(stamp?))
    }
}

/// What the rules read of a user.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserState {
    pub(crate) id: String,
    pub(crate) status: UserStatus,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub(crate) created: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub(crate) status_changed: Option<OffsetDateTime>,
    #[serde(default)]
    pub(crate) transitioning_to_status: Option<UserStatus>,
    #[serde(default)]
    pub(crate) profile: Map<String, Value>,
}

/// Whether Okta refused a request outright, having judged it against the resource as it is:
/// its own error body with a 4xx status other than 401 (credentials), 408 and 429 (not
/// judged at all).
pub(crate) fn is_refusal(error: &Error) -> bool {
    match error {
        Error::Api(api) => {
            api.status.is_client_error() && !matches!(api.status.as_u16(), 401 | 408 | 429)
        }
        _ => false,
    }
}

impl<S: HttpService> Reconciler<S> {
    pub(crate) fn new(
        users: Users<S>,
        endpoint: &'static Endpoint,
        rule: Rule,
        started: Instant,
        cause: Error,
    ) -> Self {
        Reconciler {
            users,
            endpoint,
            rule,
            started,
            cause,
            steps: Vec::new(),
            evidence: None,
        }
    }

    /// The rule being applied.
    pub(crate) fn rule(&self) -> Rule {
        self.rule
    }

    /// The one read: `request` sent through the caller's service.
    pub(crate) async fn read(&mut self, request: Result<ApiRequest>) -> Result<Read> {
        let (operation, result) = match request {
            Ok(request) => (
                request.endpoint.operation.name,
                self.users.execute(request).await,
            ),
            Err(error) => ("(not sent)", Err(error)),
        };
        let elapsed = self.started.elapsed();
        self.record(Action::Read, operation, &result);
        result.map(|raw| Read {
            window: raw.date().and_then(|date| CallWindow::new(date, elapsed)),
            raw,
        })
    }

    /// The one re-send.
    pub(crate) async fn resend<T>(&mut self, send: impl Future<Output = Result<T>>) -> Result<T> {
        let result = send.await;
        self.record(Action::Resend, self.endpoint.operation.name, &result);
        result
    }

    fn record<T>(&mut self, action: Action, operation: &'static str, result: &Result<T>) {
        self.steps.push(Step {
            action,
            operation,
            result: match result {
                Ok(_) => "ok".to_owned(),
                Err(error) => error.to_string(),
            },
        });
    }

    /// What the read or re-send showed.
    pub(crate) fn saw(&mut self, evidence: Evidence) {
        self.evidence = Some(evidence);
    }

    /// Ends with a value: the re-send's answer, or what the read found.
    pub(crate) fn done<T>(self, finding: Finding, value: T) -> Result<Outcome<T>> {
        let (reconciliation, _) = self.into_record(finding, None);
        Ok(Outcome {
            value,
            reconciliation: Some(reconciliation),
        })
    }

    /// Ends with an error: Okta's refusal (not applied), a re-send's success that could not be
    /// decoded (re-sent), or none. An error that is itself outcome-unknown says nothing of a
    /// decided finding and is left out (the steps keep it).
    pub(crate) fn fail<T>(self, finding: Finding, error: Option<Error>) -> Result<Outcome<T>> {
        let error = error.filter(|error| error.effect() != Effect::Unknown);
        let (reconciliation, _) = self.into_record(finding, None);
        Err(Error::Reconciled(Box::new(Reconciled {
            reconciliation,
            error,
        })))
    }

    /// Ends undecided, on the first error.
    pub(crate) fn undecided<T>(self) -> Result<Outcome<T>> {
        let (reconciliation, cause) = self.into_record(Finding::Undecided, None);
        Err(Error::Reconciled(Box::new(Reconciled {
            reconciliation,
            error: Some(cause),
        })))
    }

    /// Ends applied, with the value a read gave, or with the data only the lost answer held
    /// gone.
    pub(crate) fn applied<T>(self, value: AppliedValue<T>) -> Result<Outcome<T>> {
        match value {
            AppliedValue::Value(value) => self.done(Finding::Applied, value),
            AppliedValue::Failed(error) => self.fail(Finding::Applied, Some(error)),
            AppliedValue::Lost(what) => {
                let (reconciliation, _) = self.into_record(Finding::Applied, Some(what));
                Err(Error::Reconciled(Box::new(Reconciled {
                    reconciliation,
                    error: None,
                })))
            }
        }
    }

    /// The record (its tracing event emitted), and the first error.
    fn into_record(self, finding: Finding, lost: Option<&'static str>) -> (Reconciliation, Error) {
        let reconciliation = Reconciliation {
            operation: self.endpoint.operation,
            rule: self.rule,
            finding,
            evidence: self.evidence,
            steps: self.steps,
            lost,
            cause: self.cause.to_string(),
        };
        emit(&reconciliation);
        (reconciliation, self.cause)
    }
}

/// The value of a call a read showed took effect.
pub(crate) enum AppliedValue<T> {
    /// What the call returns, from the read (or, for an empty answer, nothing).
    Value(T),
    /// The read's body could not be decoded.
    Failed(Error),
    /// Only the lost answer held it (an activation token).
    Lost(&'static str),
}

/// The tracing event of a reconciliation: `info` when it settled the call, `warn` when not.
fn emit(reconciliation: &Reconciliation) {
    let operation = reconciliation.operation.name;
    let rule = tracing::field::display(reconciliation.rule);
    let finding = tracing::field::debug(reconciliation.finding);
    let evidence = reconciliation
        .evidence
        .as_ref()
        .map(tracing::field::display);
    let reads = reconciliation
        .steps
        .iter()
        .filter(|step| step.action == Action::Read)
        .count();
    let resent = reconciliation
        .steps
        .iter()
        .any(|step| step.action == Action::Resend);
    if reconciliation.finding == Finding::Undecided {
        tracing::warn!(
            target: "okta_users::reconcile",
            operation, rule, finding, evidence, reads, resent, cause = %reconciliation.cause,
            "a write's answer was lost, and reconciling it did not tell whether it took effect"
        );
    } else {
        tracing::info!(
            target: "okta_users::reconcile",
            operation, rule, finding, evidence, reads, resent, lost = reconciliation.lost,
            "a write's answer was lost; reconciled"
        );
    }
}
