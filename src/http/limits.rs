//! Rate limits kept in memory only: nothing about who tried what reaches the disk.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Failed logins per account name within a 15-minute window. Keyed by the name typed, so
/// that guessing one account's password is slowed wherever the guesses come from.
pub struct LoginLimiter {
    max: u32,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    pub fn new(max: u32) -> LoginLimiter {
        LoginLimiter { max, failures: Mutex::new(HashMap::new()) }
    }

    /// Whether another attempt for `username` may be made now.
    pub fn allowed(&self, username: &str) -> bool {
        let Ok(mut map) = self.failures.lock() else { return false };
        match map.get_mut(username) {
            Some(times) => {
                times.retain(|t| t.elapsed() < WINDOW);
                (times.len() as u32) < self.max
            }
            None => true,
        }
    }

    pub fn failed(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.entry(username.to_string()).or_default().push(Instant::now());
        }
    }

    pub fn succeeded(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(username);
        }
    }

    pub fn forget_old(&self) {
        if let Ok(mut map) = self.failures.lock() {
            map.retain(|_, times| {
                times.retain(|t| t.elapsed() < WINDOW);
                !times.is_empty()
            });
        }
    }
}

/// Requests per key (a remote host) per minute, counted in fixed one-minute windows.
pub struct HostLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl HostLimiter {
    pub fn new(per_minute: u32) -> HostLimiter {
        HostLimiter { per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts a request from `host`; false when its allowance for this minute is spent.
    pub fn allow(&self, host: &str) -> bool {
        let Ok(mut map) = self.windows.lock() else { return false };
        if map.len() > 10_000 {
            map.retain(|_, (start, _)| start.elapsed() < Duration::from_secs(60));
        }
        let entry = map.entry(host.to_string()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= Duration::from_secs(60) {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
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
    fn an_account_is_locked_after_too_many_failures_and_freed_by_success() {
        let l = LoginLimiter::new(2);
        assert!(l.allowed("amina"));
        l.failed("amina");
        l.failed("amina");
        assert!(!l.allowed("amina"));
        assert!(l.allowed("other"));
        l.succeeded("amina");
        assert!(l.allowed("amina"));
    }
}
