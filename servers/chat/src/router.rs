//! The chat side of presence: [`Router::deliver`] takes a push (1011, 1015, 1019) to a user
//! wherever they are connected — a local session, the peer chat server their route names
//! ([`crate::peers`]), or nowhere when they are offline (everything pushed is already stored
//! and reaches them by sync) — and [`Router::kick`] ends their session wherever it is (1021).
//! It owns the local session table and what this server caches of routes and the registry.
//! A push waits for room on its way (the recipient's queue, the peer's window), which is what
//! slows its sender; one that cannot be delivered to a connected recipient is counted as
//! given up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use dashmap::DashMap;
use imchat_proto::grpc::KickUserReq;
use imchat_proto::msg::{Message, NotifyOffline};
use imchat_rpc::Channels;
use imchat_store::presence::Presence;
use imchat_store::registry::LiveCache;
use imchat_store::{Kv, StoreError};

use crate::outbox::{Outbox, Pushed};
use crate::peers::Peers;
use crate::{ChatConfig, Limits};

/// The live-server list is re-read at most this often.
const REGISTRY_CACHE_TTL: Duration = Duration::from_millis(500);

/// One logged-in session on this server.
#[derive(Debug, Clone)]
pub(crate) struct SessionHandle {
    pub(crate) id: Arc<str>,
    pub(crate) outbox: Outbox,
    /// The client named no imchat extensions (llfc's Qt client): pushes go through
    /// `imchat_proto::llfc_client::adapt_push`.
    pub(crate) llfc: bool,
}

pub(crate) struct Router {
    /// This server's name, and its limits.
    pub(crate) name: String,
    pub(crate) limits: Limits,
    presence: Presence,
    kv: Kv,
    pub(crate) channels: Channels,
    pub(crate) peers: Peers,
    sessions: DashMap<i32, SessionHandle>,
    /// uid → server name, for users on other servers.
    routes: DashMap<i32, (String, Instant)>,
    registry: LiveCache,
    /// Each peer's address and when the registry last listed it.
    peers_seen: DashMap<String, (String, Instant)>,
    /// Wakes the heartbeat: the registry read lacked this server, so the store lost what it
    /// held (see `heartbeat`).
    pub(crate) store_lost: tokio::sync::Notify,
    /// Pushes to connected recipients that were not delivered (announced in the registry).
    given_up: AtomicU64,
}

impl Router {
    pub(crate) fn new(config: &ChatConfig, kv: Kv) -> Router {
        Router {
            name: config.name.clone(),
            limits: config.limits.clone(),
            presence: Presence::new(kv.clone()),
            kv,
            channels: Channels::new(config.secret.clone()),
            peers: Peers::default(),
            sessions: DashMap::new(),
            routes: DashMap::new(),
            registry: LiveCache::new(REGISTRY_CACHE_TTL),
            peers_seen: DashMap::new(),
            store_lost: tokio::sync::Notify::new(),
            given_up: AtomicU64::new(0),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Registers `handle` for `uid`, returning the session it replaces.
    pub(crate) fn insert(&self, uid: i32, handle: SessionHandle) -> Option<SessionHandle> {
        self.routes.remove(&uid);
        self.sessions.insert(uid, handle)
    }

    /// Removes `uid`'s entry only if it is still the session `id`.
    pub(crate) fn remove(&self, uid: i32, id: &str) {
        self.sessions.remove_if(&uid, |_, handle| &*handle.id == id);
    }

    pub(crate) fn uids(&self) -> Vec<i32> {
        self.sessions.iter().map(|entry| *entry.key()).collect()
    }

    /// Every local session's (uid, session id).
    pub(crate) fn sessions(&self) -> Vec<(i32, Arc<str>)> {
        self.sessions.iter().map(|entry| (*entry.key(), entry.value().id.clone())).collect()
    }

    /// Queues a push to `uid` if they are connected here, waiting for room in their queue;
    /// false when they are not (or their session just ended). A recipient that leaves it
    /// waiting too long is disconnected, and the push counted as given up.
    pub(crate) async fn push_local(&self, uid: i32, frame: Bytes) -> bool {
        // Cloned out of the map: no shard lock is held across the wait.
        let Some((outbox, llfc)) = self.sessions.get(&uid).map(|handle| (handle.outbox.clone(), handle.llfc)) else {
            return false;
        };
        let frame = if llfc { imchat_proto::llfc_client::adapt_push(frame) } else { frame };
        match outbox.deliver(frame).await {
            Pushed::Queued => true,
            Pushed::Gone => false,
            Pushed::GaveUp => {
                self.give_up(1, uid, "the recipient is a slow consumer");
                true
            }
        }
    }

    /// Counts `n` pushes to `uid` (or to the users of one peer call) that were not delivered.
    pub(crate) fn give_up(&self, n: usize, uid: i32, why: &str) {
        self.given_up.fetch_add(n as u64, Ordering::Relaxed);
        tracing::warn!(uid, n, why, "push given up (message is stored; it arrives by sync)");
    }

    /// Pushes given up since this server started.
    pub(crate) fn given_up(&self) -> u64 {
        self.given_up.load(Ordering::Relaxed)
    }

    /// Takes `uid`'s local session out of the table and kicks it (1021, then closed, after
    /// the request it is handling is answered); false when there is none.
    pub(crate) fn kick_local(&self, uid: i32, reason: &str) -> bool {
        let Some((_, handle)) = self.sessions.remove(&uid) else { return false };
        kick(&handle, uid, reason);
        true
    }

    /// Kicks `uid`'s session on `server` (this one or a peer): what a login does to the
    /// session its user's route named. An unreachable peer is logged: its session dies with
    /// it, or on its idle timer.
    pub(crate) async fn kick(&self, uid: i32, server: &str, reason: &str) -> Result<(), StoreError> {
        if server == self.name {
            self.kick_local(uid, reason);
            return Ok(());
        }
        let Some(addr) = self.peer_addr(server).await? else { return Ok(()) };
        let kicked = match self.channels.chat(&addr) {
            Ok(mut client) => client
                .notify_kick_user(KickUserReq { uid, reason: reason.to_owned() })
                .await
                .map(|_| ())
                .map_err(|status| status.to_string()),
            Err(err) => Err(err.to_string()),
        };
        if let Err(err) = kicked {
            tracing::warn!(uid, server, %err, "could not kick the previous session");
        }
        Ok(())
    }

    pub(crate) fn forget_route(&self, uid: i32) {
        self.routes.remove(&uid);
    }
}

/// Sends `handle`'s session 1021 with `reason` and ends it (see [`Outbox::kick`]).
pub(crate) fn kick(handle: &SessionHandle, uid: i32, reason: &str) {
    handle.outbox.kick(kick_notice(uid, reason));
}

/// The longest kick reason passed on; the rest is cut (at a character boundary). Reasons
/// come from operators and peers over gRPC, and a frame body must stay under 64 KiB.
const MAX_KICK_REASON: usize = 256;

/// The 1021 frame for `uid`.
fn kick_notice(uid: i32, reason: &str) -> Bytes {
    let end = (0..=reason.len().min(MAX_KICK_REASON)).rev().find(|&i| reason.is_char_boundary(i)).unwrap_or(0);
    let mut buf = BytesMut::new();
    NotifyOffline { error: 0, uid, reason: reason[..end].to_owned() }
        .encode(&mut buf)
        .expect("a bounded reason makes a small frame");
    buf.freeze()
}

impl Router {
    /// Delivers one encoded frame to `uid` wherever they are connected.
    /// Resolves once the push is queued here or on its way to a peer (or given up).
    pub(crate) async fn deliver(self: &Arc<Self>, uid: i32, msg_id: u16, frame: Bytes) {
        self.deliver_unless_at(uid, msg_id, frame, None).await;
    }

    /// [`Router::deliver`] for a push that `server` reported it has no session for: delivered
    /// only where the route now names somewhere else.
    pub(crate) async fn redeliver(self: &Arc<Self>, uid: i32, msg_id: u16, frame: Bytes, server: &str) {
        self.deliver_unless_at(uid, msg_id, frame, Some(server)).await;
    }

    async fn deliver_unless_at(self: &Arc<Self>, uid: i32, msg_id: u16, frame: Bytes, missing_at: Option<&str>) {
        if self.push_local(uid, frame.clone()).await {
            return;
        }
        match self.route(uid).await {
            Ok(Some(server)) if missing_at != Some(server.as_str()) => {
                self.peers.send(self, &server, uid, msg_id, frame).await;
            }
            Ok(_) => {}
            // A server already reported the user missing: most likely offline, not counted.
            Err(err) if missing_at.is_some() => tracing::debug!(%err, uid, "route lookup failed"),
            Err(err) => {
                tracing::warn!(%err, uid, "route lookup failed");
                self.give_up(1, uid, "the route lookup failed");
            }
        }
    }

    /// Delivers one frame (a group message, encoded once) to each of `uids`: side by side into
    /// the queues of those connected here, and as one fan-out per other server holding some
    /// of them (their routes read in one round trip). Resolves once every push has a place on
    /// its way (or was given up), as [`Router::deliver`] does for one.
    pub(crate) async fn deliver_group(self: &Arc<Self>, uids: &[i32], msg_id: u16, frame: Bytes, thread_id: i64) {
        let mut local = Vec::new();
        let mut remote = Vec::new();
        for uid in uids {
            match self.sessions.get(uid) {
                Some(handle) => local.push((*uid, handle.outbox.clone(), handle.llfc)),
                None => remote.push(*uid),
            }
        }
        let here = futures_util::future::join_all(local.into_iter().map(|(uid, outbox, llfc)| {
            let frame = if llfc { imchat_proto::llfc_client::adapt_push(frame.clone()) } else { frame.clone() };
            async move { (uid, outbox.deliver(frame).await) }
        }));
        let there = async {
            let by_server = self.routes_of(&remote).await;
            let sends = by_server.into_iter().map(|(server, uids)| {
                let frame = frame.clone();
                async move { self.peers.send_fanout(self, &server, uids, thread_id, msg_id, frame).await }
            });
            futures_util::future::join_all(sends).await;
        };
        let (here, ()) = futures_util::future::join(here, there).await;
        for (uid, pushed) in here {
            match pushed {
                Pushed::Queued => {}
                Pushed::GaveUp => self.give_up(1, uid, "the recipient is a slow consumer"),
                // The session just ended: its user may be logging in elsewhere.
                Pushed::Gone => self.deliver(uid, msg_id, frame.clone()).await,
            }
        }
    }

    /// The live peer servers holding sessions of `uids`, with the uids each holds: cached
    /// routes first, the rest read in one round trip. Offline users are left out; a failed
    /// read counts their pushes as given up, but for routes known before.
    async fn routes_of(&self, uids: &[i32]) -> std::collections::HashMap<String, Vec<i32>> {
        let mut by_server: std::collections::HashMap<String, Vec<i32>> = std::collections::HashMap::new();
        let mut unknown = Vec::new();
        for uid in uids {
            match self.routes.get(uid) {
                Some(entry) if entry.1.elapsed() < self.limits.route_cache => {
                    by_server.entry(entry.0.clone()).or_default().push(*uid);
                }
                _ => unknown.push(*uid),
            }
        }
        if unknown.is_empty() {
            return by_server;
        }
        let stored = match self.presence.routes(&unknown).await {
            Ok(stored) => stored,
            Err(err) => {
                tracing::warn!(%err, users = unknown.len(), "route lookup failed");
                let mut lost = 0;
                for uid in unknown {
                    match self.routes.get(&uid).map(|entry| entry.0.clone()) {
                        Some(server) => by_server.entry(server).or_default().push(uid),
                        None => lost += 1,
                    }
                }
                if lost > 0 {
                    self.give_up(lost, 0, "the route lookup failed");
                }
                return by_server;
            }
        };
        let mut live: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
        for (uid, server) in unknown.into_iter().zip(stored) {
            // No route stored (offline, or the store lost it: see `route`): a route this server
            // used before is tried once more; a peer without the user reports it missing.
            let Some(server) = server.or_else(|| self.routes.get(&uid).map(|entry| entry.0.clone())) else {
                continue;
            };
            if server == self.name {
                continue;
            }
            let is_live = match live.get(&server) {
                Some(known) => *known,
                None => {
                    let known = matches!(self.peer_addr(&server).await, Ok(Some(_)));
                    live.insert(server.clone(), known);
                    known
                }
            };
            if is_live {
                self.routes.insert(uid, (server.clone(), Instant::now()));
                by_server.entry(server).or_default().push(uid);
            }
        }
        by_server
    }

    /// Every live chat server but this one: (name, gRPC address).
    pub(crate) async fn live_peers(&self) -> Result<Vec<(String, String)>, StoreError> {
        let list = self.registry.get(&self.kv).await?;
        Ok(list.iter().filter(|entry| entry.name != self.name).map(|e| (e.name.clone(), e.rpc_addr.clone())).collect())
    }

    /// The live peer server holding `uid`'s session, if any.
    async fn route(&self, uid: i32) -> Result<Option<String>, StoreError> {
        if let Some(entry) = self.routes.get(&uid)
            && entry.1.elapsed() < self.limits.route_cache
        {
            return Ok(Some(entry.0.clone()));
        }
        // No route in the store (offline, or the store lost it: Redis restarted or flushed,
        // and this user's server restores it at its next heartbeat), or no store at all (Redis
        // down): a route this server used before is tried once more meanwhile. If the user is
        // gone, the peer reports them missing and the route is forgotten then.
        let stored = match self.presence.route(uid).await {
            Ok(stored) => stored,
            Err(err) if self.routes.contains_key(&uid) => {
                tracing::debug!(%err, uid, "route lookup failed; trying the route known before");
                None
            }
            Err(err) => return Err(err),
        };
        let Some(server) = stored else {
            let Some((server, _)) = self.routes.get(&uid).map(|entry| entry.clone()) else { return Ok(None) };
            return Ok(self.peer_addr(&server).await?.map(|_| server));
        };
        if server == self.name || self.peer_addr(&server).await?.is_none() {
            // Our own stale route (no local session) or a dead server's: the user is offline.
            return Ok(None);
        }
        self.routes.insert(uid, (server.clone(), Instant::now()));
        Ok(Some(server))
    }

    /// The gRPC address of live peer `name`. A peer missing from the registry (or a registry
    /// out of reach) that was in it less than a registry lifetime ago is still taken as live:
    /// the store may have lost the registry (a Redis restart) and the peer writes itself back
    /// at its next heartbeat. A peer that really died makes the call fail, and that push is
    /// counted as given up.
    pub(crate) async fn peer_addr(&self, name: &str) -> Result<Option<String>, StoreError> {
        let recent = || {
            let seen = self.peers_seen.get(name)?;
            (seen.1.elapsed() < self.limits.registry_ttl).then(|| seen.0.clone())
        };
        let list = match self.registry.get(&self.kv).await {
            Ok(list) => list,
            Err(err) => return recent().map_or(Err(err), |addr| Ok(Some(addr))),
        };
        if !list.iter().any(|entry| entry.name == self.name) {
            // The registry lost this live server too: the store was flushed or restarted.
            self.store_lost.notify_one();
        }
        if let Some(entry) = list.iter().find(|entry| entry.name == name) {
            self.peers_seen.insert(name.to_owned(), (entry.rpc_addr.clone(), Instant::now()));
            return Ok(Some(entry.rpc_addr.clone()));
        }
        Ok(recent())
    }
}

#[cfg(test)]
mod tests {
    use imchat_proto::codec::HEADER_LEN;
    use imchat_proto::msg::NotifyOffline;

    use super::kick_notice;

    #[test]
    fn a_kick_notice_cuts_a_long_reason_at_a_character_boundary() {
        // Kept whole; 2-byte characters past 64 KiB, cut at the limit; cut one byte short of
        // it, where the limit falls inside a character.
        let odd = format!("x{}", "é".repeat(200));
        for (reason, kept) in [("maintenance".to_owned(), 11), ("é".repeat(70_000), 256), (odd, 255)] {
            let frame = kick_notice(7, &reason);
            let notice: NotifyOffline = serde_json::from_slice(&frame[HEADER_LEN..]).unwrap();
            assert_eq!(notice.uid, 7);
            assert_eq!(notice.reason, reason[..kept]);
        }
    }
}
