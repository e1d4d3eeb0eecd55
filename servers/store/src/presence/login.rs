//! A chat login's storage protocol, in two key-value round trips and, usually, no SQL:
//! [`super::Presence::begin_login`] checks the token, takes the user's lock and reads the
//! session table, the route and the cached login view in one atomic step; [`Grant::admit`]
//! decides which older sessions the login ends; [`Grant::commit`] writes the table and route
//! and releases the lock in another.
//!
//! The login view (profile, friend requests, friends) is cached under `imchat:login_view:<uid>`
//! so that a login storm does not reach the database. An entry is either a *marker* (a random
//! stamp: "changed, read the database") or a stamp, a newline and the view as JSON. A login that
//! missed fills the entry only if it still holds what the login saw, so a fill racing a change
//! never writes the old view over the change's marker. Whatever changes what a login shows
//! (requests, friendships) calls [`super::Presence::forget_views`] before and after its commit.
//! Entries live for the configured lifetime after they are written, and are kept alive while
//! their user is online ([`super::Presence::refresh_views`]). Password hashes are never cached.

use std::time::Duration;

use tokio::time::Instant;

use super::Presence;
use super::devices::{Policy, SessionEntry, Sessions};
use super::lock::{LOCK_TTL, RETRY_EVERY, UserLock};
use crate::{Db, GuardedLock, Kv, LoginView, StoreError};

/// A serialized view larger than this is not cached (users with very many friends read the
/// database), which bounds the cache's memory per user.
pub const MAX_CACHED_VIEW: usize = 16 * 1024;

/// The outcome of [`super::Presence::begin_login`].
#[derive(Debug)]
pub enum Begin {
    /// No token for this uid (never logged in over HTTP, or it expired).
    NoToken,
    /// A token, but not the one given.
    WrongToken,
    /// Another login of this user held the lock for the whole wait.
    Busy,
    Granted(Grant),
}

/// A login whose token held and which holds the user's lock: release it with
/// [`Grant::commit`] or [`Grant::release`] (or it expires after [`LOCK_TTL`]).
#[derive(Debug)]
pub struct Grant {
    uid: i32,
    lock: UserLock,
    sessions: Sessions,
    cached: Cached,
}

#[derive(Debug)]
enum Cached {
    /// Caching is off.
    Off,
    Hit(Box<LoginView>),
    /// The entry as read (a marker, or `None`), and when: a fill compares against it.
    Miss {
        seen: Option<String>,
        at: Instant,
    },
    /// Taken by [`Grant::view`].
    Used,
}

/// Checks `token` for `uid` and takes the user's lock, retrying while another login holds it
/// for up to `wait`. `view_ttl` is the login-view cache's entry lifetime; zero turns the cache
/// off.
pub(super) async fn begin(
    kv: &Kv,
    uid: i32,
    token: &str,
    wait: Duration,
    view_ttl: Duration,
) -> Result<Begin, StoreError> {
    let keys = kv.layout();
    let (token_key, route_key, view_key) = (keys.token(uid), keys.route(uid), keys.login_view(uid));
    let table_key = keys.session(uid);
    let cache = !view_ttl.is_zero();
    let read: &[&str] = if cache { &[&table_key, &route_key, &view_key] } else { &[&table_key, &route_key] };
    let lock = UserLock::new(kv, uid);
    let deadline = Instant::now() + wait;
    loop {
        let at = Instant::now();
        match kv.lock_if_equal(&token_key, token, lock.key(), lock.owner(), LOCK_TTL, read).await? {
            GuardedLock::Missing => return Ok(Begin::NoToken),
            GuardedLock::Mismatch => return Ok(Begin::WrongToken),
            GuardedLock::Busy if at >= deadline => return Ok(Begin::Busy),
            GuardedLock::Busy => tokio::time::sleep(RETRY_EVERY).await,
            GuardedLock::Locked(mut values) => {
                let entry = if cache { values.pop().flatten() } else { None };
                let route = values.pop().flatten();
                let table = values.pop().flatten();
                let sessions = Sessions::parse(table.as_deref(), route.as_deref());
                let cached = if cache { Cached::from_entry(entry, at) } else { Cached::Off };
                return Ok(Begin::Granted(Grant { uid, lock, sessions, cached }));
            }
        }
    }
}

impl Cached {
    fn from_entry(entry: Option<String>, at: Instant) -> Cached {
        let view = entry.as_deref().and_then(|e| e.split_once('\n')).map(|(_, json)| serde_json::from_str(json));
        match view {
            Some(Ok(view)) => Cached::Hit(Box::new(view)),
            Some(Err(err)) => {
                // Written by another version, say: treated as a miss, and overwritten.
                tracing::warn!(%err, "unreadable login-view cache entry");
                Cached::Miss { seen: entry, at }
            }
            None => Cached::Miss { seen: entry, at },
        }
    }
}

impl Grant {
    /// The user's sessions: before [`Grant::admit`], those this login found; after, those
    /// that stay with it.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// Takes the login's session into the table under `policy` and `max_devices`
    /// ([`Sessions::admit`]); returns the sessions it ends, which the caller kicks.
    pub fn admit(
        &mut self,
        entry: SessionEntry,
        policy: Policy,
        max_devices: usize,
        live: impl Fn(&str) -> bool,
    ) -> Vec<SessionEntry> {
        self.sessions.admit(entry, policy, max_devices, live)
    }

    /// The user's login view: from the cache, or from the database (then cached). `None` for
    /// a uid without an account. `applies` bounds the friend requests read.
    pub async fn view(
        &mut self,
        db: &Db,
        presence: &Presence,
        applies: i64,
        ttl: Duration,
    ) -> Result<Option<LoginView>, StoreError> {
        let kv = &presence.kv;
        // What this login saw of the entry, and when: the condition for filling it.
        let fill = match std::mem::replace(&mut self.cached, Cached::Used) {
            Cached::Hit(view) => return Ok(Some(*view)),
            Cached::Miss { seen, at } => Some((seen, at)),
            Cached::Off | Cached::Used => None,
        };
        let Some(view) = db.login_view(self.uid, applies).await? else { return Ok(None) };
        // A fill must land while a change's marker, written after what this login saw, still
        // lives: markers live `ttl`, so a login that took half of that does not fill.
        if let Some((seen, at)) = fill
            && at.elapsed() < ttl / 2
        {
            let json = serde_json::to_string(&view).map_err(|err| StoreError::Encode(err.to_string()))?;
            if json.len() <= MAX_CACHED_VIEW {
                let entry = format!("{}\n{json}", crate::random_hex(8));
                kv.set_if(&kv.layout().login_view(self.uid), seen.as_deref(), &entry, ttl).await?;
            }
        }
        Ok(Some(view))
    }

    /// Writes the session table (as [`Grant::admit`] left it) and the route, and releases
    /// the lock, in one atomic step. An ended session's own cleanup, which edits the table
    /// under the lock, finds itself gone and leaves the rest alone.
    pub async fn commit(&self, presence: &Presence, route_ttl: Duration) -> Result<(), StoreError> {
        let kv = &presence.kv;
        let (session_key, route_key) = (kv.layout().session(self.uid), kv.layout().route(self.uid));
        let (table, route) = (self.sessions.encode(), self.sessions.route());
        let pairs = [(session_key.as_str(), table.as_str()), (route_key.as_str(), route.as_str())];
        kv.set_many_unlock(&pairs, route_ttl, self.lock.key(), self.lock.owner()).await
    }

    /// Gives the lock up without logging in.
    pub async fn release(self, presence: &Presence) -> Result<(), StoreError> {
        self.lock.release(&presence.kv).await
    }
}

/// Marks the cached login views of `uids` as changed. Call it before a change to what a login
/// shows (if it fails, make no change) and again after the change's commit; `ttl` is the
/// cache's entry lifetime (zero: the cache is off and entries are deleted).
pub(super) async fn forget_views(kv: &Kv, uids: &[i32], ttl: Duration) -> Result<(), StoreError> {
    let keys: Vec<String> = uids.iter().map(|&uid| kv.layout().login_view(uid)).collect();
    if ttl.is_zero() {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        return kv.del(&keys).await;
    }
    // A fresh random stamp: a login that saw an earlier marker cannot mistake this one for it.
    let marker = crate::random_hex(8);
    let pairs: Vec<(&str, &str)> = keys.iter().map(|key| (key.as_str(), marker.as_str())).collect();
    kv.set_many(&pairs, ttl).await
}

/// Keeps the cached login views of online `uids` for another `ttl`.
pub(super) async fn refresh_views(kv: &Kv, uids: &[i32], ttl: Duration) -> Result<(), StoreError> {
    if ttl.is_zero() {
        return Ok(());
    }
    let keys: Vec<String> = uids.iter().map(|&uid| kv.layout().login_view(uid)).collect();
    kv.expire_many(&keys, ttl).await
}
