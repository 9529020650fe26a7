//! Okta-shaped identifiers (`00u…`, `00g…`, `0oa…`) and random opaque tokens.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `prefix` followed by alphanumerics up to Okta's 20-character id length.
pub(crate) fn okta_id(rng: &mut impl Rng, prefix: &str) -> String {
    let mut s = String::with_capacity(20);
    s.push_str(prefix);
    while s.len() < 20 {
        s.push(ALNUM[rng.random_range(0..ALNUM.len())] as char);
    }
    s
}

/// `len` random alphanumerics.
pub(crate) fn random_alnum(rng: &mut impl Rng, len: usize) -> String {
    (0..len)
        .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
        .collect()
}

// Error ids and request ids need no determinism, only uniqueness and speed: a per-thread rng
// seeded from a global counter avoids any lock on the hot path.
static THREAD_SEEDS: AtomicU64 = AtomicU64::new(0x005e_ed0f_0c7a);

thread_local! {
    static FAST_RNG: RefCell<SmallRng> =
        RefCell::new(SmallRng::seed_from_u64(THREAD_SEEDS.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)));
}

/// A fresh `errorId` such as `oaeXyZ…`.
pub(crate) fn error_id() -> String {
    FAST_RNG.with(|r| okta_id(&mut *r.borrow_mut(), "oae"))
}

/// A fresh `X-Okta-Request-Id`.
pub(crate) fn request_id() -> String {
    FAST_RNG.with(|r| random_alnum(&mut *r.borrow_mut(), 24))
}

/// A fresh random token of `len` alphanumerics (access tokens, temp passwords).
pub(crate) fn token(len: usize) -> String {
    FAST_RNG.with(|r| random_alnum(&mut *r.borrow_mut(), len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;

    #[test]
    fn ids_have_prefix_and_length() {
        let mut rng = StdRng::seed_from_u64(1);
        let id = okta_id(&mut rng, "00u");
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("00u"));
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(error_id(), error_id());
    }
}
