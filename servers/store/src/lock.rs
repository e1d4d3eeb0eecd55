//! The per-user distributed lock (llfc's `DistLock`): `SET lock:lock_<uid> <owner> NX PX`,
//! released by compare-and-delete, acquired with async retries until a deadline.

use std::time::Duration;

use tokio::time::Instant;

use crate::{Kv, StoreError, keys};

/// How long a held lock lives if its owner dies (llfc: 10 s).
pub const LOCK_TTL: Duration = Duration::from_secs(10);
/// Pause between acquisition attempts.
const RETRY_EVERY: Duration = Duration::from_millis(5);

/// A held lock. Release it with [`UserLock::release`]; if dropped, it expires after [`LOCK_TTL`].
#[derive(Debug)]
pub struct UserLock {
    key: String,
    owner: String,
}

impl UserLock {
    /// Tries until `wait` has passed; `None` when someone else held the lock all along.
    pub async fn acquire(kv: &Kv, uid: i32, wait: Duration) -> Result<Option<UserLock>, StoreError> {
        let key = keys::user_lock(uid);
        let owner = crate::random_hex(16);
        let deadline = Instant::now() + wait;
        loop {
            if kv.set_nx(&key, &owner, LOCK_TTL).await? {
                return Ok(Some(UserLock { key, owner }));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(RETRY_EVERY).await;
        }
    }

    pub async fn release(self, kv: &Kv) -> Result<(), StoreError> {
        kv.compare_and_delete(&self.key, &self.owner, &[]).await?;
        Ok(())
    }
}
