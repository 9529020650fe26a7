//! [`Redactor`]: our own secrets, cut out of any text built from a server's bytes.
//!
//! A server (a proxy, a WAF page, a broken echo) may reflect the request's `Authorization`
//! value into a body or a header. The layer that holds the secrets (auth) attaches a
//! `Redactor` to every response's extensions; whoever turns server-supplied bytes into an error
//! message or a traced field runs them through it first.

use std::borrow::Cow;
use std::sync::Arc;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// Secrets shorter than this are not searched for: they would match ordinary text, and no
/// token, assertion or key is this short.
const MIN_SECRET_LEN: usize = 8;

/// A set of secrets to cut out of server-supplied text. Cheap to clone; its `Debug` shows how
/// many secrets it holds, never them.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<[Box<[u8]>]>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for `secrets` (those shorter than 8 bytes are ignored).
    pub fn new<I, T>(secrets: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let secrets: Vec<Box<[u8]>> = secrets
            .into_iter()
            .filter(|secret| secret.as_ref().len() >= MIN_SECRET_LEN)
            .map(|secret| Box::from(secret.as_ref()))
            .collect();
        Redactor {
            secrets: secrets.into(),
        }
    }

    /// Whether it holds no secret.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// The length in bytes of the longest secret (0 when there is none).
    pub(crate) fn longest(&self) -> usize {
        self.secrets
            .iter()
            .map(|secret| secret.len())
            .max()
            .unwrap_or(0)
    }

    /// Whether `bytes` contain one of the secrets.
    pub fn finds_secret_in(&self, bytes: &[u8]) -> bool {
        self.secrets
            .iter()
            .any(|secret| find(bytes, secret).is_some())
    }

    /// `text` with every occurrence of a secret replaced by [`REDACTED`]; borrowed when there is
    /// none.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.finds_secret_in(text.as_bytes()) {
            return Cow::Borrowed(text);
        }
        let mut out = text.to_owned();
        for secret in self.secrets.iter() {
            // A secret is valid UTF-8 whenever it occurs in UTF-8 text.
            if let Ok(secret) = std::str::from_utf8(secret)
                && out.contains(secret)
            {
                out = out.replace(secret, REDACTED);
            }
        }
        Cow::Owned(out)
    }

    /// [`redact`](Self::redact) into an owned `String`.
    pub fn redact_owned(&self, text: String) -> String {
        match self.redact(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(redacted) => redacted,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_cut_out_and_short_ones_ignored() {
        let redactor = Redactor::new(["00s3cr3t-token", "abc"]);
        assert_eq!(
            redactor.redact("echo: SSWS 00s3cr3t-token, again 00s3cr3t-token; abc"),
            "echo: SSWS <redacted>, again <redacted>; abc"
        );
        assert!(matches!(redactor.redact("nothing here"), Cow::Borrowed(_)));
        assert!(!format!("{redactor:?}").contains("s3cr3t"));
        assert!(Redactor::default().is_empty());
    }
}
