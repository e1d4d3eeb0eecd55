//! Presence, in one place: a user's login token, which chat session and server hold them (the
//! route), their login lock and cached login view, and the lifetime of each. Every role reads
//! and writes these through [`Presence`]; no key name leaves this crate (see
//! [`crate::keys::KeyLayout`] for how they are named, llfc's way or hash-tagged for Redis
//! Cluster).
//!
//! Lifetimes: a token lives as long as the status server's `TokenTtl` says (llfc: forever); a
//! route and session live `RouteTtl` and are kept alive by their chat server while the
//! session lives ([`Presence::keep_alive`]), so a dead server's simply expire; a lock lives
//! [`LOCK_TTL`] if its owner dies; a login view lives its cache lifetime past its user's last
//! login.

mod lock;
mod login;

use std::time::Duration;

pub use lock::{LOCK_TTL, RETRY_EVERY};
pub use login::{Begin, Grant, MAX_CACHED_VIEW};

use crate::{Kv, StoreError, Ttl};

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
    /// The chat server named by the user's route, and their session there.
    pub server: Option<String>,
    pub session: Option<String>,
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

    /// The chat server named by `uid`'s route (it may be dead: check the registry).
    pub async fn route(&self, uid: i32) -> Result<Option<String>, StoreError> {
        self.kv.get(&self.kv.layout().route(uid)).await
    }

    /// The routes of `uids`, in order, in one round trip (a group's fan-out).
    pub async fn routes(&self, uids: &[i32]) -> Result<Vec<Option<String>>, StoreError> {
        let layout = self.kv.layout();
        let keys: Vec<String> = uids.iter().map(|uid| layout.route(*uid)).collect();
        self.kv.get_many(&keys).await
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
        Ok(UserPresence {
            token: self.kv.get(&token_key).await?,
            token_ttl: self.kv.ttl(&token_key).await?,
            server: self.kv.get(&keys.route(uid)).await?,
            session: self.kv.get(&keys.session(uid)).await?,
        })
    }

    /// Clears `uid`'s session and route if the session is still `session` (a newer login's
    /// stay); true when cleared.
    pub async fn end_session(&self, uid: i32, session: &str) -> Result<bool, StoreError> {
        let keys = self.kv.layout();
        self.kv.compare_and_delete(&keys.session(uid), session, &[&keys.route(uid)]).await
    }

    /// Keeps the routes and sessions of `uids` (live here) for another `ttl`.
    pub async fn keep_alive(&self, uids: &[i32], ttl: Duration) -> Result<(), StoreError> {
        let keys = self.kv.layout();
        let keys: Vec<String> = uids.iter().flat_map(|&uid| [keys.route(uid), keys.session(uid)]).collect();
        self.kv.expire_many(&keys, ttl).await
    }

    /// Writes again the routes (to `server`) and sessions of `sessions` that the store lost (a
    /// Redis restart or flush). A route or session that exists is left alone: it may belong
    /// to a newer login of that user elsewhere.
    pub async fn restore(&self, server: &str, sessions: &[(i32, &str)], ttl: Duration) -> Result<(), StoreError> {
        let keys = self.kv.layout();
        let pairs: Vec<(String, String)> = sessions
            .iter()
            .flat_map(|&(uid, session)| [(keys.route(uid), server.to_owned()), (keys.session(uid), session.to_owned())])
            .collect();
        self.kv.set_many_nx(&pairs, ttl).await
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
