//! A token bucket shared by every call of a client, so that a failing org gets no retry storm.

use std::sync::atomic::{AtomicU32, Ordering};

/// Settings of the [`RetryBudget`] (like aws-smithy-runtime's retry quota). Its defaults are in the *Defaults* table of the `okta-client` crate docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudgetConfig {
    /// Tokens when full (and at start).
    pub capacity: u32,
    /// Tokens a retry costs.
    pub retry_cost: u32,
    /// Tokens a retry after a timeout costs (timeouts are expensive to wait for).
    pub timeout_retry_cost: u32,
    /// Tokens a call that succeeded at its first attempt gives back. (A call that
    /// succeeded after retries gives back what its retries cost.)
    pub success_refund: u32,
}

impl Default for RetryBudgetConfig {
    fn default() -> Self {
        RetryBudgetConfig {
            capacity: 500,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_refund: 1,
        }
    }
}

/// The shared token bucket: a retry withdraws tokens, a success puts some back. With the
/// defaults, 100 retries in a row (no successes between) empty it; after that only 1 retry per
/// 5 successes is allowed.
#[derive(Debug)]
pub struct RetryBudget {
    tokens: AtomicU32,
    capacity: u32,
}

impl RetryBudget {
    /// A full budget of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            tokens: AtomicU32::new(capacity),
            capacity,
        }
    }

    /// Takes `cost` tokens if there are that many.
    pub fn try_withdraw(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                tokens.checked_sub(cost)
            })
            .is_ok()
    }

    /// Puts `amount` tokens back, up to the capacity. A single load when the budget is full.
    pub fn deposit(&self, amount: u32) {
        if amount == 0 || self.tokens.load(Ordering::Relaxed) >= self.capacity {
            return;
        }
        let capacity = self.capacity;
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                (tokens < capacity).then(|| tokens.saturating_add(amount).min(capacity))
            });
    }

    /// Tokens available now.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdraws_until_empty_and_refills_to_capacity() {
        let budget = RetryBudget::new(12);
        assert!(budget.try_withdraw(5));
        assert!(budget.try_withdraw(5));
        assert!(!budget.try_withdraw(5));
        assert_eq!(budget.available(), 2);
        budget.deposit(100);
        assert_eq!(budget.available(), 12);
    }
}
