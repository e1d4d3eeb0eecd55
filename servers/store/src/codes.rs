//! Email verification codes: minted by the verify server, consumed by the gate.
//!
//! Fixes llfc §10.2: 6 digits from a CSPRNG, a send cooldown and an hourly send cap (no
//! mail bombing), single use (deleted when consumed), and invalidated after too many wrong
//! guesses. A guess is checked and counted in one atomic step, so concurrent guesses cannot
//! pass the limit; wrong guesses also count per address per day, and a new code does not
//! reset that count.

use std::time::Duration;

use rand::RngExt;

use crate::{Guess, Kv, StoreError};

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
    /// Wrong guesses per address per [`CodePolicy::attempt_window`], whatever the codes: past
    /// them, no code of that address is accepted until the window ends.
    pub max_attempts_per_window: i64,
    pub attempt_window: Duration,
}

impl Default for CodePolicy {
    fn default() -> CodePolicy {
        CodePolicy {
            ttl: Duration::from_secs(600),
            cooldown: Duration::from_secs(60),
            max_sends: 10,
            send_window: Duration::from_secs(3600),
            max_attempts: 5,
            max_attempts_per_window: 20,
            attempt_window: Duration::from_secs(24 * 3600),
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
    /// Too many wrong guesses for this address today: no code is accepted for now.
    Throttled,
}

pub async fn issue(kv: &Kv, policy: &CodePolicy, email: &str) -> Result<Issue, StoreError> {
    if !kv.set_nx(&kv.layout().code_cooldown(email), "1", policy.cooldown).await? {
        return Ok(Issue::Throttled);
    }
    if kv.incr(&kv.layout().code_sends(email), policy.send_window).await? > policy.max_sends {
        return Ok(Issue::Throttled);
    }
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    // The new code's own count starts at zero; the address's daily count goes on.
    kv.del(&[&kv.layout().code_attempts(email)]).await?;
    kv.set(&kv.layout().code(email), &code, Some(policy.ttl)).await?;
    Ok(Issue::Fresh(code))
}

/// Checks `given` and consumes the code when it matches, in one atomic step with the count
/// of wrong guesses. Concurrent requests with the right code succeed at most once, and
/// concurrent wrong ones cannot pass the limits.
pub async fn consume(kv: &Kv, policy: &CodePolicy, email: &str, given: &str) -> Result<Check, StoreError> {
    let keys = kv.layout();
    let (per_code, per_window) = (keys.code_attempts(email), keys.code_attempts_window(email));
    let counters = [
        (per_code.as_str(), policy.max_attempts, policy.ttl),
        (per_window.as_str(), policy.max_attempts_per_window, policy.attempt_window),
    ];
    Ok(match kv.guess(&keys.code(email), given.trim(), counters).await? {
        Guess::Right => Check::Ok,
        Guess::Wrong => Check::Wrong,
        Guess::Missing => Check::Expired,
        Guess::Exhausted => Check::Throttled,
    })
}
