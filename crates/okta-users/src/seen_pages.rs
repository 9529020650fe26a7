//! [`SeenPages`]: which pages one walk of a list has read, to stop a `next` link that leads
//! back to one of them (A → B → A …) in bounded memory.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

/// How many pages are remembered one by one: 65,536 hashes, about 1 MiB, cover a walk of 13
/// million users at 200 a page.
const REMEMBERED: usize = 1 << 16;

/// The pages a walk has read, as keyed 64-bit hashes of their path and query.
///
/// The first [`REMEMBERED`] pages are each remembered, so a `next` link back to any of them is
/// caught at once. Past that, memory stays put: Brent's cycle detection keeps one checkpoint
/// page, moved to the current page each time the steps since reach a doubling power, so a
/// cycle of any length `λ` is still caught within about `2λ` more pages (sooner when it
/// returns to a remembered page).
///
/// The hash is keyed per walk (`RandomState`), so a server cannot choose cursors whose hashes
/// collide to end a walk early.
#[derive(Debug)]
pub(crate) struct SeenPages {
    keys: RandomState,
    remembered: HashSet<u64>,
    capacity: usize,
    checkpoint: Option<u64>,
    steps: u64,
    power: u64,
}

impl SeenPages {
    pub(crate) fn new() -> Self {
        Self::remembering(REMEMBERED)
    }

    fn remembering(capacity: usize) -> Self {
        SeenPages {
            keys: RandomState::new(),
            remembered: HashSet::new(),
            capacity,
            checkpoint: None,
            steps: 0,
            power: 1,
        }
    }

    /// Records a visit to `path_and_query`; `true` when this walk has been there before.
    pub(crate) fn visit(&mut self, path_and_query: &str) -> bool {
        let hash = self.keys.hash_one(path_and_query);
        if self.remembered.contains(&hash) || self.checkpoint == Some(hash) {
            return true;
        }
        if self.remembered.len() < self.capacity {
            self.remembered.insert(hash);
            return false;
        }
        self.steps += 1;
        if self.steps >= self.power {
            self.checkpoint = Some(hash);
            self.power = self.power.saturating_mul(2);
            self.steps = 0;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_return_to_any_remembered_page_is_caught_at_once() {
        let mut seen = SeenPages::new();
        assert!(!seen.visit("/api/v1/users?limit=2"));
        assert!(!seen.visit("/api/v1/users?after=A&limit=2"));
        assert!(!seen.visit("/api/v1/users?after=B&limit=2"));
        assert!(seen.visit("/api/v1/users?after=A&limit=2"));
        assert!(seen.visit("/api/v1/users?limit=2"));
    }

    #[test]
    fn a_long_cycle_past_the_remembered_pages_is_caught_with_memory_fixed() {
        // Remember 4 pages, then walk 50 distinct pages into a cycle of 37.
        let mut seen = SeenPages::remembering(4);
        let page = |i: usize| format!("/x?after={}", if i < 50 { i } else { 50 + (i - 50) % 37 });
        let caught_at = (0..10_000).find(|&i| seen.visit(&page(i)));
        let caught_at = caught_at.expect("the cycle is caught");
        assert!(
            caught_at >= 50 + 37,
            "not before a page repeats: {caught_at}"
        );
        assert!(
            caught_at <= 50 + 4 * 37 + 64,
            "within a bounded number of pages: {caught_at}"
        );
        assert_eq!(seen.remembered.len(), 4);
    }

    #[test]
    fn distinct_pages_are_never_a_cycle() {
        let mut seen = SeenPages::remembering(8);
        assert!((0..5_000).all(|i| !seen.visit(&format!("/x?after={i}"))));
    }
}
