//! Email verification codes: minted by the verify server, consumed by the gate.
//!
//! Fixes llfc §10.2: 6 digits from a CSPRNG, a send cooldown and an hourly send cap (no
//! mail bombing), single use (deleted when consumed), and invalidated after too many wrong
//! guesses.

use std::time::Duration;

use rand::RngExt;

use crate::{Kv, StoreError};

/// Limits of the code flow. Every value is configurable; [`CodePolicy::default`] holds the
/// documented defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    /// How long a code stays valid.
    pub ttl: Duration,
    /// Minimum time between two codes to the same address.
    pub cooldown: Duration,
    /// Codes per address per [`CodePolicy::send_window`].
    pub max_sends: i64,
    pub send_window: Duration,
    /// Wrong guesses that invalidate a code.
    pub max_attempts: i64,
}

impl Default for CodePolicy {
    fn default() -> CodePolicy {
        CodePolicy {
            ttl: Duration::from_secs(600),
            cooldown: Duration::from_secs(60),
            max_sends: 10,
            send_window: Duration::from_secs(3600),
            max_attempts: 5,
        }
    }
}

/// Outcome of asking for a new code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// A fresh code; the caller mails it.
    Fresh(String),
    /// Asked again inside the cooldown, or over the send cap: nothing is minted or sent.
    Throttled,
}

/// Outcome of presenting a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Ok,
    /// No code (never sent, expired, already used, or invalidated by wrong guesses).
    Expired,
    Wrong,
}

pub async fn issue(kv: &Kv, policy: &CodePolicy, email: &str) -> Result<Issue, StoreError> {
    if !kv.set_nx(&kv.layout().code_cooldown(email), "1", policy.cooldown).await? {
        return Ok(Issue::Throttled);
    }
    if kv.incr(&kv.layout().code_sends(email), policy.send_window).await? > policy.max_sends {
        return Ok(Issue::Throttled);
    }
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    kv.del(&[&kv.layout().code_attempts(email)]).await?;
    kv.set(&kv.layout().code(email), &code, Some(policy.ttl)).await?;
    Ok(Issue::Fresh(code))
}

/// Checks `given` and consumes the code when it matches. Concurrent requests with the right
/// code succeed at most once.
pub async fn consume(kv: &Kv, policy: &CodePolicy, email: &str, given: &str) -> Result<Check, StoreError> {
    let key = kv.layout().code(email);
    let Some(stored) = kv.get(&key).await? else {
        return Ok(Check::Expired);
    };
    if crate::constant_time_eq(stored.as_bytes(), given.trim().as_bytes()) {
        let attempts = kv.layout().code_attempts(email);
        return Ok(if kv.compare_and_delete(&key, &stored, &[&attempts]).await? { Check::Ok } else { Check::Expired });
    }
    if kv.incr(&kv.layout().code_attempts(email), policy.ttl).await? >= policy.max_attempts {
        kv.compare_and_delete(&key, &stored, &[]).await?;
    }
    Ok(Check::Wrong)
}
