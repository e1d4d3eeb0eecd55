//! Per-IP and per-email rate limits (token buckets). Codes have their own send limits in
//! `imchat_store::codes`; these bound request volume and password guessing.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota};

/// Limits; [`RateLimits::default`] holds the documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Requests per IP per second, with this burst.
    pub per_ip_per_sec: u32,
    pub per_ip_burst: u32,
    /// Login attempts and code requests per email per minute, with this burst.
    pub per_email_per_min: u32,
    pub per_email_burst: u32,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits { per_ip_per_sec: 20, per_ip_burst: 40, per_email_per_min: 10, per_email_burst: 10 }
    }
}

/// Forgotten keys are dropped this often so the tables stay small.
pub(crate) const LIMITER_SWEEP: Duration = Duration::from_secs(60);

pub(crate) struct Limiter {
    ip: DefaultKeyedRateLimiter<IpAddr>,
    email: DefaultKeyedRateLimiter<String>,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Limiter {
    pub(crate) fn new(limits: &RateLimits) -> Limiter {
        let ip = Quota::per_second(nonzero(limits.per_ip_per_sec)).allow_burst(nonzero(limits.per_ip_burst));
        let email = Quota::per_minute(nonzero(limits.per_email_per_min)).allow_burst(nonzero(limits.per_email_burst));
        Limiter { ip: DefaultKeyedRateLimiter::keyed(ip), email: DefaultKeyedRateLimiter::keyed(email) }
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
    }
}
