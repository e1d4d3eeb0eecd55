//! Ended friendships, as this server knows of them: a session caches the friends it checked
//! (a text costs no query), and an unfriend or a block anywhere drops those entries on every
//! live server before and after it is stored (`FriendsChanged`), as a group change drops the
//! group cache. A session's entry older than `[Limits] FriendCacheMs` is checked again, which
//! bounds what a server that missed the call keeps.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imchat_proto::grpc::FriendsChangedReq;

use crate::Shared;

/// Pairs of users whose friendship ended, and when this server heard of it.
#[derive(Debug)]
pub(crate) struct Friendships {
    ended: Mutex<HashMap<(i32, i32), Instant>>,
    /// Whether `ended` may hold anything: a text checks this, not the lock, while nothing
    /// ended lately (almost always).
    any: AtomicBool,
    ttl: Duration,
}

/// A pair in one order, whoever ended it.
fn pair(a: i32, b: i32) -> (i32, i32) {
    (a.min(b), a.max(b))
}

impl Friendships {
    pub(crate) fn new(ttl: Duration) -> Friendships {
        Friendships { ended: Mutex::default(), any: AtomicBool::new(false), ttl }
    }

    /// The friendship of `a` and `b` may have ended now. Entries older than the lifetime
    /// go: no session trusts a check that old.
    pub(crate) fn ended(&self, a: i32, b: i32) {
        let now = Instant::now();
        let mut ended = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        ended.retain(|_, at| now.duration_since(*at) < self.ttl);
        ended.insert(pair(a, b), now);
        self.any.store(true, Ordering::Release);
    }

    /// Whether a friendship of `a` and `b` checked at `checked` still holds as far as this
    /// server knows: checked within the lifetime, and not ended since.
    pub(crate) fn holds(&self, a: i32, b: i32, checked: Instant) -> bool {
        if checked.elapsed() >= self.ttl {
            return false;
        }
        if !self.any.load(Ordering::Acquire) {
            return true;
        }
        let mut ended = self.ended.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        ended.retain(|_, at| now.duration_since(*at) < self.ttl);
        if ended.is_empty() {
            self.any.store(false, Ordering::Release);
        }
        ended.get(&pair(a, b)).is_none_or(|at| *at < checked)
    }
}

/// Tells this server and every live peer that the friendship of `a` and `b` may have ended,
/// side by side, each within the peer wait. A peer that cannot be reached keeps its sessions'
/// entries at most `FriendCacheMs`.
pub(crate) async fn ended_everywhere(shared: &Arc<Shared>, a: i32, b: i32) {
    shared.friendships.ended(a, b);
    let router = &shared.router;
    let peers = match router.live_peers().await {
        Ok(peers) => peers,
        Err(err) => return tracing::warn!(%err, "registry unreadable; peers keep friendships until they expire"),
    };
    let wait = shared.config.limits.peer_wait;
    let calls = peers.into_iter().map(|(name, addr)| async move {
        let called = match router.channels.chat(&addr) {
            Ok(mut client) => {
                tokio::time::timeout(wait, client.friends_changed(FriendsChangedReq { uids: vec![a, b] }))
                    .await
                    .map_err(|_| "timed out".to_owned())
                    .and_then(|r| r.map(|_| ()).map_err(|status| status.to_string()))
            }
            Err(err) => Err(err.to_string()),
        };
        if let Err(err) = called {
            tracing::warn!(peer = %name, %err, "a peer did not hear of an ended friendship; it expires there");
        }
    });
    futures_util::future::join_all(calls).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_friendship_outlives_only_the_checks_before_it() {
        let friendships = Friendships::new(Duration::from_secs(60));
        let before = Instant::now();
        assert!(friendships.holds(1, 2, before));
        friendships.ended(2, 1);
        assert!(!friendships.holds(1, 2, before), "checked before it ended");
        assert!(friendships.holds(1, 2, Instant::now()), "checked after: the database said so");
        assert!(friendships.holds(1, 3, before), "another pair");
        let short = Friendships::new(Duration::ZERO);
        assert!(!short.holds(1, 2, Instant::now()), "too old to trust");
    }
}
