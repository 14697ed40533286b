//! Rate limits kept in memory only: nothing about who tried what reaches the disk.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest wait between two attempts for one account.
const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Accounts (or devices) tracked at most; beyond, the oldest quiet ones are dropped first.
const MAX_KEYS: usize = 100_000;

struct Attempts {
    count: u32,
    last: Instant,
    next_allowed: Instant,
}

/// Login attempts per account name (or per device that has logged in to it before).
/// An attempt is counted *before* its password is checked, under one lock, so that guesses
/// sent in parallel cannot pass the limit. After `max` attempts without success, each
/// further one must wait, 1 s doubling up to 15 minutes: guessing is slowed to a crawl, but
/// the owner is never refused for good, and on a device she has logged in from before she
/// has an allowance of her own that strangers' guesses cannot spend.
pub struct LoginLimiter {
    max: u32,
    attempts: Mutex<HashMap<String, Attempts>>,
}

impl LoginLimiter {
    pub fn new(max: u32) -> LoginLimiter {
        LoginLimiter { max: max.max(1), attempts: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt for `key` now; `Err(wait)` when it comes too early, without counting.
    pub fn begin(&self, key: &str) -> Result<(), Duration> {
        self.begin_at(key, Instant::now())
    }

    fn begin_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let Ok(mut map) = self.attempts.lock() else { return Err(Duration::from_secs(1)) };
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            map.retain(|_, a| now.duration_since(a.last) < WINDOW);
        }
        let a = map.entry(key.to_string()).or_insert(Attempts { count: 0, last: now, next_allowed: now });
        if now.duration_since(a.last) >= WINDOW {
            *a = Attempts { count: 0, last: now, next_allowed: now };
        }
        if now < a.next_allowed {
            return Err(a.next_allowed - now);
        }
        a.count += 1;
        a.last = now;
        if a.count >= self.max {
            let doublings = (a.count - self.max).min(20);
            a.next_allowed = now + Duration::from_secs(1u64 << doublings).min(MAX_DELAY);
        }
        Ok(())
    }

    pub fn succeeded(&self, key: &str) {
        if let Ok(mut map) = self.attempts.lock() {
            map.remove(key);
        }
    }

    pub fn forget_old(&self) {
        if let Ok(mut map) = self.attempts.lock() {
            map.retain(|_, a| a.last.elapsed() < WINDOW || a.next_allowed > Instant::now());
        }
    }
}

/// Requests per key (a remote host) per minute: a GCRA limiter (`governor`), O(1) per call,
/// allowing a burst of the whole minute's allowance.
pub struct HostLimiter(governor::DefaultKeyedRateLimiter<String>);

impl HostLimiter {
    pub fn new(per_minute: u32) -> HostLimiter {
        let n = std::num::NonZeroU32::new(per_minute).unwrap_or(std::num::NonZeroU32::MIN);
        HostLimiter(governor::RateLimiter::keyed(governor::Quota::per_minute(n)))
    }

    /// Counts a request from `host`; false when its allowance is spent.
    pub fn allow(&self, host: &str) -> bool {
        self.0.check_key(&host.to_string()).is_ok()
    }

    /// Drops the hosts whose allowance is whole again (called by the sweeper).
    pub fn forget_old(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_host_has_its_own_allowance() {
        let l = HostLimiter::new(2);
        assert!(l.allow("a.example") && l.allow("a.example"));
        assert!(!l.allow("a.example"));
        assert!(l.allow("b.example"));
    }

    #[test]
    fn attempts_past_the_limit_wait_longer_and_longer_and_success_clears_them() {
        let l = LoginLimiter::new(3);
        let t0 = Instant::now();
        assert!(l.begin_at("amina", t0).is_ok());
        assert!(l.begin_at("amina", t0).is_ok());
        assert!(l.begin_at("amina", t0).is_ok(), "the third is counted, and sets a wait");
        assert_eq!(l.begin_at("amina", t0), Err(Duration::from_secs(1)));
        assert!(l.begin_at("other", t0).is_ok(), "other accounts are not affected");
        let t1 = t0 + Duration::from_secs(1);
        assert!(l.begin_at("amina", t1).is_ok(), "after the wait, one more attempt");
        assert_eq!(l.begin_at("amina", t1), Err(Duration::from_secs(2)), "and the wait doubles");
        let t2 = t1 + Duration::from_secs(2);
        assert!(l.begin_at("amina", t2).is_ok());
        assert_eq!(l.begin_at("amina", t2), Err(Duration::from_secs(4)));
        l.succeeded("amina");
        assert!(l.begin_at("amina", t2).is_ok());
    }

    #[test]
    fn parallel_guesses_cannot_pass_the_limit() {
        let l = std::sync::Arc::new(LoginLimiter::new(5));
        let passed: usize = (0..64)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || l.begin("amina").is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum();
        assert_eq!(passed, 5, "five attempts, then a wait, however many arrive at once");
    }
}
