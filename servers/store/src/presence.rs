//! Presence, in one place: a user's login token, their live sessions (one per device, in a
//! session table, [`devices`]) and the chat servers holding them (the route), their login lock
//! and cached login view, and the lifetime of each. Every role reads
//! and writes these through [`Presence`]; no key name leaves this crate (see
//! [`crate::keys::KeyLayout`] for how they are named, llfc's way or hash-tagged for Redis
//! Cluster).
//!
//! Lifetimes: a token lives as long as the status server's `TokenTtl` says (llfc: forever); a
//! route and session live `RouteTtl` and are kept alive by their chat server while the
//! session lives ([`Presence::keep_alive`]), so a dead server's simply expire; a lock lives
//! [`LOCK_TTL`] if its owner dies; a login view lives its cache lifetime past its user's last
//! login.

pub mod devices;
mod lock;
mod login;

use std::time::Duration;

pub use devices::{Policy, SessionEntry, Sessions};
pub use lock::{LOCK_TTL, RETRY_EVERY};
pub use login::{Begin, Grant, MAX_CACHED_VIEW};

use lock::UserLock;

use crate::{Kv, StoreError, Ttl};

/// Users whose sessions [`Presence::restore`] writes back at once.
const RESTORE_AT_ONCE: usize = 16;

/// Presence over one key-value store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Presence {
    kv: Kv,
}

/// What presence holds of one user (the operator's lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPresence {
    pub token: Option<String>,
    pub token_ttl: Ttl,
    /// The user's route as stored (the servers holding their sessions), and the sessions.
    pub server: Option<String>,
    pub sessions: Sessions,
}

/// How a token compares with the user's current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Valid,
    /// The user has no token (never logged in over HTTP, expired, or revoked).
    Missing,
    Wrong,
}

impl Presence {
    pub fn new(kv: Kv) -> Presence {
        Presence { kv }
    }

    // Tokens: handed out by the status server, checked by chat logins.

    /// Gives `uid` a fresh random token (replacing the one they had), living `ttl` (`None`:
    /// until replaced or revoked, as llfc's).
    pub async fn issue_token(&self, uid: i32, ttl: Option<Duration>) -> Result<String, StoreError> {
        let token = crate::random_hex(16);
        self.set_token(uid, &token, ttl).await?;
        Ok(token)
    }

    /// `uid`'s token for a new login: the one they hold, living another `ttl` from now, or a
    /// fresh one. Every device of a user shares it, so a login on one does not make another's
    /// reconnect or file transfers fail; a revoke ends it for all of them.
    pub async fn login_token(&self, uid: i32, ttl: Duration) -> Result<String, StoreError> {
        let key = self.kv.layout().token(uid);
        let fresh = crate::random_hex(16);
        if self.kv.set_nx(&key, &fresh, ttl).await? {
            return Ok(fresh);
        }
        match self.kv.get(&key).await? {
            Some(held) => {
                self.kv.expire_many(&[key], ttl).await?;
                Ok(held)
            }
            // Revoked or expired in between: a fresh one.
            None => self.issue_token(uid, Some(ttl)).await,
        }
    }

    /// Gives `uid` the token `token` (an operator's, or a test's).
    pub async fn set_token(&self, uid: i32, token: &str, ttl: Option<Duration>) -> Result<(), StoreError> {
        self.kv.set(&self.kv.layout().token(uid), token, ttl).await
    }

    pub async fn check_token(&self, uid: i32, token: &str) -> Result<TokenCheck, StoreError> {
        Ok(match self.kv.get(&self.kv.layout().token(uid)).await? {
            None => TokenCheck::Missing,
            Some(stored) if !token.is_empty() && crate::constant_time_eq(stored.as_bytes(), token.as_bytes()) => {
                TokenCheck::Valid
            }
            Some(_) => TokenCheck::Wrong,
        })
    }

    /// Takes `uid`'s token away (a password reset, an operator); true when there was one.
    /// A live session stays: kick it for that.
    pub async fn revoke_token(&self, uid: i32) -> Result<bool, StoreError> {
        let key = self.kv.layout().token(uid);
        let found = self.kv.get(&key).await?.is_some();
        self.kv.del(&[&key]).await?;
        Ok(found)
    }

    /// The uids holding a token, in no order (a SCAN: for operators, not for hot paths).
    pub async fn token_holders(&self) -> Result<Vec<i32>, StoreError> {
        let layout = self.kv.layout();
        let found = self.kv.scan_prefix(crate::keys::TOKEN_PREFIX).await?;
        Ok(found.into_iter().filter_map(|(key, _)| layout.token_uid(&key)).collect())
    }

    // Routes and sessions: written by a chat login, kept alive by its server.

    /// The chat servers named by `uid`'s route, holding their sessions (some may be dead:
    /// check the registry); empty when they are offline. One round trip.
    pub async fn route(&self, uid: i32) -> Result<Vec<String>, StoreError> {
        let route = self.kv.get(&self.kv.layout().route(uid)).await?;
        Ok(route.as_deref().map(devices::route_servers).unwrap_or_default())
    }

    /// The routes of `uids`, in order, in one round trip (a group's fan-out).
    pub async fn routes(&self, uids: &[i32]) -> Result<Vec<Vec<String>>, StoreError> {
        let layout = self.kv.layout();
        let keys: Vec<String> = uids.iter().map(|uid| layout.route(*uid)).collect();
        let routes = self.kv.get_many(&keys).await?;
        Ok(routes.into_iter().map(|r| r.as_deref().map(devices::route_servers).unwrap_or_default()).collect())
    }

    /// Points `uid`'s route at `server` (an operator's repair, or a test's detour); the next
    /// login or the session's end replaces or clears it.
    pub async fn set_route(&self, uid: i32, server: &str, ttl: Option<Duration>) -> Result<(), StoreError> {
        self.kv.set(&self.kv.layout().route(uid), server, ttl).await
    }

    /// Everything presence holds of `uid`.
    pub async fn lookup(&self, uid: i32) -> Result<UserPresence, StoreError> {
        let keys = self.kv.layout();
        let token_key = keys.token(uid);
        let server = self.kv.get(&keys.route(uid)).await?;
        let table = self.kv.get(&keys.session(uid)).await?;
        Ok(UserPresence {
            token: self.kv.get(&token_key).await?,
            token_ttl: self.kv.ttl(&token_key).await?,
            sessions: Sessions::parse(table.as_deref(), server.as_deref()),
            server,
        })
    }

    /// Takes `session` out of `uid`'s session table (and the route, if it was their last on
    /// its server), under the user's lock; true when it was there (a login may have ended it
    /// first). `ttl`: the route's lifetime, which the rest of the table keeps.
    pub async fn end_session(&self, uid: i32, session: &str, ttl: Duration) -> Result<bool, StoreError> {
        let mut removed = false;
        self.update_sessions(uid, ttl, |sessions| removed = sessions.remove(session)).await?;
        Ok(removed)
    }

    /// Takes out of `uid`'s table the sessions on `server` that began before `before_ms`:
    /// `server` said it has none of theirs (a server restarted under the same name leaves
    /// its old sessions in tables, which its end never cleared). True when any went.
    pub async fn drop_stale(&self, uid: i32, server: &str, before_ms: i64, ttl: Duration) -> Result<bool, StoreError> {
        let mut dropped = false;
        self.update_sessions(uid, ttl, |sessions| dropped = sessions.drop_stale(server, before_ms)).await?;
        Ok(dropped)
    }

    /// Reads `uid`'s session table under their lock (waiting up to [`LOCK_TTL`] for a login
    /// holding it), lets `change` edit it, and writes it back with the route and releases
    /// the lock in one step; an emptied table deletes both. `ttl`: the keys' lifetime (the
    /// route's, which heartbeats renew).
    async fn update_sessions(
        &self,
        uid: i32,
        ttl: Duration,
        change: impl FnOnce(&mut Sessions),
    ) -> Result<(), StoreError> {
        let keys = self.kv.layout();
        let (table_key, route_key) = (keys.session(uid), keys.route(uid));
        let lock = UserLock::new(&self.kv, uid);
        let deadline = tokio::time::Instant::now() + LOCK_TTL;
        let values = loop {
            match self.kv.lock_and_read(lock.key(), lock.owner(), LOCK_TTL, &[&table_key, &route_key]).await? {
                Some(values) => break values,
                None if tokio::time::Instant::now() >= deadline => return Err(StoreError::Busy),
                None => tokio::time::sleep(RETRY_EVERY).await,
            }
        };
        let mut sessions = Sessions::parse(values[0].as_deref(), values[1].as_deref());
        let before = sessions.clone();
        change(&mut sessions);
        if sessions == before {
            return lock.release(&self.kv).await;
        }
        let (table, route) = (sessions.encode(), sessions.route());
        let pairs = [(table_key.as_str(), table.as_str()), (route_key.as_str(), route.as_str())];
        self.kv.set_many_unlock(&pairs, ttl, lock.key(), lock.owner()).await
    }

    /// Keeps the routes and sessions of `uids` (live here) for another `ttl`.
    pub async fn keep_alive(&self, uids: &[i32], ttl: Duration) -> Result<(), StoreError> {
        let keys = self.kv.layout();
        let keys: Vec<String> = uids.iter().flat_map(|&uid| [keys.route(uid), keys.session(uid)]).collect();
        self.kv.expire_many(&keys, ttl).await
    }

    /// Writes again the sessions of `sessions` (each on this server) that the store lost (a
    /// Redis restart or flush) into their users' tables, beside whatever other sessions the
    /// tables hold by now (other servers restore theirs), a few users at a time.
    pub async fn restore(&self, sessions: &[(i32, SessionEntry)], ttl: Duration) -> Result<(), StoreError> {
        let mut by_uid: std::collections::HashMap<i32, Vec<SessionEntry>> = std::collections::HashMap::new();
        for (uid, entry) in sessions {
            by_uid.entry(*uid).or_default().push(entry.clone());
        }
        let users: Vec<(i32, Vec<SessionEntry>)> = by_uid.into_iter().collect();
        for chunk in users.chunks(RESTORE_AT_ONCE) {
            let mut tasks = tokio::task::JoinSet::new();
            for (uid, entries) in chunk.iter().cloned() {
                let presence = self.clone();
                tasks.spawn(async move {
                    presence.update_sessions(uid, ttl, |table| entries.into_iter().for_each(|e| table.restore(e))).await
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.map_err(|err| StoreError::Encode(format!("a restore task failed: {err}")))??;
            }
        }
        Ok(())
    }

    // Addresses: where chat logins come from, for the resource port's deadline.

    /// Notes a chat login from `address` (a client address as `imchat_edge::Peer` prints it),
    /// remembered for `ttl`. llfc's Qt client opens its resource connection just before its
    /// chat login and shows a token there only with its first transfer; the resource port
    /// keeps such a connection past its authentication deadline while this holds.
    pub async fn note_address_login(&self, address: &str, ttl: Duration) -> Result<(), StoreError> {
        self.kv.set(&self.kv.layout().address_login(address), "1", Some(ttl)).await
    }

    /// Whether a chat login from `address` was noted within its lifetime.
    pub async fn address_logged_in(&self, address: &str) -> Result<bool, StoreError> {
        Ok(self.kv.get(&self.kv.layout().address_login(address)).await?.is_some())
    }

    // Logins: the token check, the lock, the previous route and the cached view in one step.

    /// Checks `token` for `uid` and takes the user's lock, retrying while another login holds
    /// it for up to `wait`. `view_ttl` is the login-view cache's entry lifetime; zero turns the
    /// cache off.
    pub async fn begin_login(
        &self,
        uid: i32,
        token: &str,
        wait: Duration,
        view_ttl: Duration,
    ) -> Result<Begin, StoreError> {
        login::begin(&self.kv, uid, token, wait, view_ttl).await
    }

    /// Marks the cached login views of `uids` as changed. Call it before a change to what a
    /// login shows (if it fails, make no change) and again after the change's commit; `ttl` is
    /// the cache's entry lifetime (zero: the cache is off and entries are deleted).
    pub async fn forget_views(&self, uids: &[i32], ttl: Duration) -> Result<(), StoreError> {
        login::forget_views(&self.kv, uids, ttl).await
    }

    /// Keeps the cached login views of online `uids` for another `ttl`.
    pub async fn refresh_views(&self, uids: &[i32], ttl: Duration) -> Result<(), StoreError> {
        login::refresh_views(&self.kv, uids, ttl).await
    }

    /// `uid`'s login-view cache entry as stored (a marker, or a stamp and the view's JSON),
    /// for inspection.
    pub async fn cached_view_entry(&self, uid: i32) -> Result<Option<String>, StoreError> {
        self.kv.get(&self.kv.layout().login_view(uid)).await
    }
}
