//! The per-user distributed lock (llfc's `DistLock`): `SET lock:lock_<uid> <owner> NX PX`,
//! released by compare-and-delete. A chat login takes it together with its token check
//! ([`super::Presence::begin_login`]), so the lock costs no round trip of its own.

use std::time::Duration;

use crate::{Kv, StoreError};

/// How long a held lock lives if its owner dies (llfc: 10 s).
pub const LOCK_TTL: Duration = Duration::from_secs(10);
/// Pause between acquisition attempts while another login holds the lock.
pub const RETRY_EVERY: Duration = Duration::from_millis(5);

/// A lock to take or held. Release it with [`UserLock::release`]; if dropped, it expires after
/// [`LOCK_TTL`].
#[derive(Debug)]
pub struct UserLock {
    key: String,
    owner: String,
}

impl UserLock {
    /// The lock of `uid` with a fresh random owner, not yet taken.
    pub(crate) fn new(kv: &Kv, uid: i32) -> UserLock {
        UserLock { key: kv.layout().user_lock(uid), owner: crate::random_hex(16) }
    }

    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    pub(crate) fn owner(&self) -> &str {
        &self.owner
    }

    pub(crate) async fn release(self, kv: &Kv) -> Result<(), StoreError> {
        kv.compare_and_delete(&self.key, &self.owner, &[]).await?;
        Ok(())
    }
}
