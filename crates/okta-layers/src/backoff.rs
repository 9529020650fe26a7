//! Exponential backoff with full jitter, and the seeded random numbers behind the jitter: shared
//! by the retry policy and the rate limiter.
//!
//! Ours rather than tower's `ExponentialBackoffMaker`: the retry rules are a pure function
//! ([`decide`](crate::retry::decide)) that takes the jitter's random number as an argument, which
//! a stateful backoff maker cannot be.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// `base × 2^n`, capped at `max`, scaled by `unit` ∈ [0, 1] (full jitter: the delay is uniform
/// in `[0, ceiling]` when `unit` is). Saturates rather than overflowing; a `unit` outside
/// [0, 1] is clamped, and a NaN is 0.
pub fn full_jitter(n: u32, base: Duration, max: Duration, unit: f64) -> Duration {
    let ceiling = base
        .saturating_mul(1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX))
        .min(max);
    let unit = if unit.is_nan() {
        0.0
    } else {
        unit.clamp(0.0, 1.0)
    };
    // Not `mul_f64`, which panics when the float rounds above `Duration::MAX`.
    Duration::try_from_secs_f64(ceiling.as_secs_f64() * unit)
        .unwrap_or(ceiling)
        .min(ceiling)
}

/// The random numbers of a jitter: seeded (for tests) or from the OS's per-process hash keys.
/// Shared by every clone of the policy or limiter that owns it.
pub(crate) struct Jitter(Mutex<SmallRng>);

impl Jitter {
    /// Seeded with `seed`, or with a random seed when `None`.
    pub(crate) fn new(seed: Option<u64>) -> Self {
        use std::hash::{BuildHasher, Hasher};
        let seed = seed.unwrap_or_else(|| {
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        });
        Jitter(Mutex::new(SmallRng::seed_from_u64(seed)))
    }

    /// A number uniform in [0, 1).
    pub(crate) fn unit(&self) -> f64 {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .random::<f64>()
    }
}

impl std::fmt::Debug for Jitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jitter")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_caps_and_scales() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(5);
        assert_eq!(full_jitter(0, base, max, 1.0), base);
        assert_eq!(full_jitter(3, base, max, 1.0), Duration::from_millis(800));
        assert_eq!(full_jitter(40, base, max, 1.0), max);
        assert_eq!(full_jitter(3, base, max, 0.5), Duration::from_millis(400));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let huge = Duration::MAX;
        assert_eq!(full_jitter(u32::MAX, huge, huge, 1.0), huge);
        assert_eq!(full_jitter(1, huge, huge, f64::NAN), Duration::ZERO);
        assert_eq!(
            full_jitter(0, Duration::from_secs(1), huge, 7.0),
            Duration::from_secs(1)
        );
        assert_eq!(
            full_jitter(0, Duration::from_secs(1), huge, -1.0),
            Duration::ZERO
        );
    }

    #[test]
    fn a_seed_repeats_its_numbers() {
        let (a, b) = (Jitter::new(Some(9)), Jitter::new(Some(9)));
        for _ in 0..5 {
            let unit = a.unit();
            assert!((0.0..1.0).contains(&unit));
            assert_eq!(unit, b.unit());
        }
    }
}
