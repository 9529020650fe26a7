//! Redaction of secrets in `Debug` output.

use std::fmt;

/// The text printed instead of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// Debug-prints an optional secret as `Some("<redacted>")` or `None`.
pub(crate) struct Redacted<'a>(pub(crate) &'a Option<String>);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.debug_tuple("Some").field(&REDACTED).finish(),
            None => f.write_str("None"),
        }
    }
}
