//! Okta's SDK policy after a 429, as the benches' contender: the 429 handling of Okta's Node
//! SDK 8.1.0 (`DefaultRequestExecutor`), re-implemented over a bare hyper client. No pacing;
//! each request that gets a 429 waits `Reset − Date + 1 s` on its own and is re-sent with
//! `X-Okta-Retry-For` / `-Count`, at most twice, after which the 429 is the call's answer.
//! Okta's Python SDK does the same.

use std::time::Duration;

use crate::bare::Bare;

/// The 429 handling of Okta's Node SDK 8.1.0 (`DefaultRequestExecutor`) over a bare hyper
/// client: each request on its own, no pacing.
pub struct SdkPolicy {
    bare: Bare,
}

impl SdkPolicy {
    /// The SDK's default `maxRetries`.
    const MAX_RETRIES: u32 = 2;

    /// The policy over `bare`.
    pub fn new(bare: Bare) -> Self {
        SdkPolicy { bare }
    }

    /// `GET /api/v1/users/{id}`; whether the call succeeded, and the 429s it was answered.
    pub async fn get_user_counting(&self, id: &str) -> (bool, u32) {
        let mut too_many = 0;
        let ok = self.get_user_with(id, &mut too_many).await;
        (ok, too_many)
    }

    /// `GET /api/v1/users/{id}`; whether the call succeeded.
    pub async fn get_user(&self, id: &str) -> bool {
        self.get_user_with(id, &mut 0).await
    }

    async fn get_user_with(&self, id: &str, too_many: &mut u32) -> bool {
        let path = format!("/api/v1/users/{id}");
        let mut retry: Option<(String, u32)> = None;
        loop {
            let count = retry.as_ref().map_or(0, |(_, count)| *count);
            let count_text = count.to_string();
            let headers: Vec<(&str, &str)> = match &retry {
                Some((request_id, _)) => vec![
                    ("x-okta-retry-for", request_id.as_str()),
                    ("x-okta-retry-count", count_text.as_str()),
                ],
                None => Vec::new(),
            };
            let Some(response) = self.bare.send(&path, &headers).await else {
                return false;
            };
            if response.status().is_success() {
                return true;
            }
            if response.status() == http::StatusCode::TOO_MANY_REQUESTS {
                *too_many += 1;
            }
            let headers = response.headers();
            let delay = (response.status() == http::StatusCode::TOO_MANY_REQUESTS
                && count < Self::MAX_RETRIES)
                .then(|| retry_delay(headers))
                .flatten();
            let Some(delay) = delay else {
                return false;
            };
            tokio::time::sleep(delay).await;
            let request_id = match retry {
                Some((request_id, _)) => request_id,
                None => text(headers, "x-okta-request-id")
                    .unwrap_or_default()
                    .to_owned(),
            };
            retry = Some((request_id, count + 1));
        }
    }
}

fn text<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// `Reset × 1000 − Date + 1000` ms, as the SDK computes it; `None` (no retry) when the reset
/// header is missing or duplicated, as the SDK decides.
fn retry_delay(headers: &http::HeaderMap) -> Option<Duration> {
    if headers.get_all("x-rate-limit-reset").iter().count() != 1 {
        return None;
    }
    let reset_ms = text(headers, "x-rate-limit-reset")?.parse::<u64>().ok()? * 1000;
    let date = httpdate::parse_http_date(text(headers, "date")?).ok()?;
    let date_ms = date.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as u64;
    Some(Duration::from_millis(
        (reset_ms + 1000).saturating_sub(date_ms),
    ))
}
