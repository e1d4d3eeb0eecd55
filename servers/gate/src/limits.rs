//! Per-IP and per-email rate limits (token buckets), and the back-off of failed logins. Codes
//! have their own send limits in `imchat_store::codes`; these bound request volume and
//! password guessing.
//!
//! Failed logins count per account *and* address: past a few free ones, each next try from
//! that address waits twice as long as the one before (up to a cap), and a success clears
//! it. So nobody can lock an account by failing at it: the owner's own address has no
//! failures and logs in at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota};

/// Limits; [`RateLimits::default`] holds the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Requests per IP per second, with this burst.
    pub per_ip_per_sec: u32,
    pub per_ip_burst: u32,
    /// Code requests per email per minute, with this burst.
    pub per_email_per_min: u32,
    pub per_email_burst: u32,
    /// Failed logins of one account from one address before back-off starts, and the
    /// longest back-off (it doubles from one second).
    pub free_login_failures: u32,
    pub max_login_backoff: Duration,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            per_ip_per_sec: 20,
            per_ip_burst: 40,
            per_email_per_min: 10,
            per_email_burst: 10,
            free_login_failures: 5,
            max_login_backoff: Duration::from_secs(15 * 60),
        }
    }
}

/// Forgotten keys are dropped this often so the tables stay small.
pub(crate) const LIMITER_SWEEP: Duration = Duration::from_secs(60);

pub(crate) struct Limiter {
    ip: DefaultKeyedRateLimiter<IpAddr>,
    email: DefaultKeyedRateLimiter<String>,
    /// (account email, address key) → failures in a row, and when the last one was.
    failures: Mutex<HashMap<(String, IpAddr), (u32, Instant)>>,
    free_failures: u32,
    max_backoff: Duration,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Limiter {
    pub(crate) fn new(limits: &RateLimits) -> Limiter {
        let ip = Quota::per_second(nonzero(limits.per_ip_per_sec)).allow_burst(nonzero(limits.per_ip_burst));
        let email = Quota::per_minute(nonzero(limits.per_email_per_min)).allow_burst(nonzero(limits.per_email_burst));
        Limiter {
            ip: DefaultKeyedRateLimiter::keyed(ip),
            email: DefaultKeyedRateLimiter::keyed(email),
            failures: Mutex::default(),
            free_failures: limits.free_login_failures,
            max_backoff: limits.max_login_backoff,
        }
    }

    /// How long a login of `email` from `ip` must still wait, if it must.
    pub(crate) fn login_wait(&self, email: &str, ip: IpAddr) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let (count, last) = failures.get(&(email.to_owned(), crate::edge::limit_key(ip)))?;
        let wait = self.backoff(*count)?;
        wait.checked_sub(last.elapsed()).filter(|left| !left.is_zero())
    }

    /// The wait after `count` failures in a row: none for the free ones, then 1 s, 2 s, 4 s…
    fn backoff(&self, count: u32) -> Option<Duration> {
        let over = count.checked_sub(self.free_failures)?;
        Some(Duration::from_secs(1u64 << over.min(20)).min(self.max_backoff))
    }

    pub(crate) fn login_failed(&self, email: &str, ip: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let entry = failures.entry((email.to_owned(), crate::edge::limit_key(ip))).or_insert((0, Instant::now()));
        *entry = (entry.0.saturating_add(1), Instant::now());
    }

    pub(crate) fn login_succeeded(&self, email: &str, ip: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&(email.to_owned(), crate::edge::limit_key(ip)));
    }

    /// Whether a request from `ip` (keyed per IPv4 address or IPv6 /64) is within its rate.
    pub(crate) fn ip_ok(&self, ip: IpAddr) -> bool {
        self.ip.check_key(&crate::edge::limit_key(ip)).is_ok()
    }

    pub(crate) fn email_ok(&self, email: &str) -> bool {
        self.email.check_key(&email.to_owned()).is_ok()
    }

    pub(crate) fn sweep(&self) {
        self.ip.retain_recent();
        self.email.retain_recent();
        // A failure older than the longest back-off no longer delays anything.
        let forget = self.max_backoff.max(Duration::from_secs(60));
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, (_, last)| last.elapsed() < forget);
    }
}
