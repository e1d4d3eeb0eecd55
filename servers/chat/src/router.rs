//! The chat side of presence: [`Router::deliver`] takes a push (1011, 1015, 1019) to every
//! session of a user wherever they are connected — the local ones, and each peer chat server
//! their route names ([`crate::peers`]); nowhere when they are offline (everything pushed is
//! already stored and reaches them by sync) — and [`Router::kick`] ends a session wherever it
//! is (1021). It owns the local session table (a user may have several sessions, one per
//! device) and what this server caches of routes and the registry. A user's cached route
//! lives `RouteCacheMs`; a login that puts a user on a server their route did not name asks
//! every peer to drop it (`RoutesChanged`), and a peer that no longer has a user says so.
//! A push waits for room on its way (the recipient's queue, the peer's window), which is what
//! slows its sender; one that cannot be delivered to a connected recipient is counted as
//! given up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use dashmap::DashMap;
use imchat_proto::grpc::{KickUserReq, RoutesChangedReq};
use imchat_proto::msg::res::file_notice_sender;
use imchat_proto::msg::{Message, NotifyOffline};
use imchat_rpc::Channels;
use imchat_store::presence::{Presence, SessionEntry};
use imchat_store::registry::LiveCache;
use imchat_store::{Kv, StoreError};

use crate::outbox::{Outbox, Pushed};
use crate::peers::Peers;
use crate::{ChatConfig, Limits};

/// A session-table entry of a server that says it has no session of the user is taken out
/// once it is this old.
const STALE_AFTER: Duration = Duration::from_secs(60);

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
    /// The client named `devices`: it is sent its user's own texts from other devices and
    /// their read markers (`caps::DEVICES_IDS`); no other session is.
    pub(crate) devices: bool,
    /// The client named `typing`: it is sent typing notices (`caps::TYPING_IDS`); and
    /// `receipts`, read receipts (`caps::RECEIPTS_IDS`).
    pub(crate) typing: bool,
    pub(crate) receipts: bool,
    /// The gestures the client named: it is sent their notices (`caps::RECALL_IDS`,
    /// `EDIT_IDS`, `REACTIONS_IDS`) as they are; an llfc client gets a private chat's recalls
    /// and edits as texts, and no reactions.
    pub(crate) knows: imchat_proto::llfc_client::Knows,
    /// The client named `friends`: it is sent its user's friendship changes from other
    /// devices (`caps::FRIENDS_IDS`); and `presence`, friends' presence (`PRESENCE_IDS`).
    pub(crate) friends: bool,
    pub(crate) presence: bool,
    /// Its device and kind as the login named them, and when it logged in (epoch ms).
    pub(crate) device: Arc<str>,
    pub(crate) kind: &'static str,
    pub(crate) since_ms: i64,
}

impl SessionHandle {
    /// Whether this session is sent a frame of id `id`.
    fn takes(&self, id: u16) -> bool {
        use imchat_proto::msg::caps::{
            DEVICES_IDS, EDIT_IDS, FRIENDS_IDS, PRESENCE_IDS, REACTIONS_IDS, RECALL_IDS, RECEIPTS_IDS, TYPING_IDS,
        };
        (self.devices || !DEVICES_IDS.contains(&id))
            && (self.typing || !TYPING_IDS.contains(&id))
            && (self.receipts || !RECEIPTS_IDS.contains(&id))
            && (self.knows.recall || self.llfc || !RECALL_IDS.contains(&id))
            && (self.knows.edit || self.llfc || !EDIT_IDS.contains(&id))
            && (self.knows.reactions || !REACTIONS_IDS.contains(&id))
            && (self.friends || !FRIENDS_IDS.contains(&id))
            && (self.presence || !PRESENCE_IDS.contains(&id))
    }

    /// Queues `frame` for this session of `uid` as its client may take it (llfc's adapted;
    /// the user's own file notice only where it named `devices`).
    async fn deliver(&self, uid: i32, frame: Bytes) -> Pushed {
        if !self.devices && file_notice_sender(&frame) == Some(uid) {
            return Pushed::Queued;
        }
        let frame = if self.llfc { imchat_proto::llfc_client::adapt_push(frame, uid) } else { Some(frame) };
        match frame {
            Some(frame) => self.outbox.deliver(frame).await,
            None => Pushed::Queued,
        }
    }
}

/// The frame id of an encoded frame.
fn frame_id(frame: &[u8]) -> u16 {
    frame.get(..2).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
}

/// What this server holds of one user's route: the other live servers with their sessions
/// (read at `.1`), or a mark that a peer said it changed at `.1` (a read begun before that
/// is not cached).
#[derive(Debug, Clone)]
enum Cached {
    Route(Arc<[String]>, Instant),
    Changed(Instant),
}

pub(crate) struct Router {
    /// This server's name, and its limits.
    pub(crate) name: String,
    pub(crate) limits: Limits,
    presence: Presence,
    kv: Kv,
    pub(crate) channels: Channels,
    pub(crate) peers: Peers,
    /// uid → the user's sessions here (shared, so a push clones a pointer, not the list).
    sessions: DashMap<i32, Arc<[SessionHandle]>>,
    /// uid → the other servers holding the user's sessions.
    routes: DashMap<i32, Cached>,
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

    /// Sessions here.
    pub(crate) fn len(&self) -> usize {
        self.sessions.iter().map(|entry| entry.value().len()).sum()
    }

    /// Registers `handle` for `uid`, whose sessions elsewhere are on `elsewhere` (from the
    /// login's session table). An older session here of the same device, which the table no
    /// longer named (the store lost it), is returned to be kicked.
    pub(crate) fn insert(&self, uid: i32, handle: SessionHandle, elsewhere: Vec<String>) -> Vec<SessionHandle> {
        self.routes.insert(uid, Cached::Route(elsewhere.into(), Instant::now()));
        let mut handles = self.sessions.entry(uid).or_insert_with(|| Arc::from([]));
        let (same, mut others): (Vec<SessionHandle>, Vec<SessionHandle>) =
            handles.iter().cloned().partition(|h| h.device == handle.device);
        others.push(handle);
        *handles = others.into();
        same
    }

    /// Removes `uid`'s session `id`, if it is still here.
    pub(crate) fn remove(&self, uid: i32, id: &str) {
        if let Some(mut handles) = self.sessions.get_mut(&uid) {
            *handles = handles.iter().filter(|handle| &*handle.id != id).cloned().collect();
        }
        self.ended(uid);
    }

    /// After a session of `uid` here ended: the cached route goes too (it was kept without a
    /// lifetime's worth of reads because they had sessions here; see `cache_route`).
    fn ended(&self, uid: i32) {
        self.sessions.remove_if(&uid, |_, handles| handles.is_empty());
        self.routes.remove(&uid);
    }

    pub(crate) fn uids(&self) -> Vec<i32> {
        self.sessions.iter().map(|entry| *entry.key()).collect()
    }

    /// Every local session as presence stores it.
    pub(crate) fn sessions(&self) -> Vec<(i32, SessionEntry)> {
        let mut all = Vec::new();
        for entry in &self.sessions {
            for handle in entry.value().iter() {
                let session = SessionEntry {
                    session: handle.id.to_string(),
                    device: handle.device.to_string(),
                    kind: handle.kind.to_owned(),
                    server: self.name.clone(),
                    since_ms: handle.since_ms,
                };
                all.push((*entry.key(), session));
            }
        }
        all
    }

    /// Queues a push to each of `uid`'s sessions here, waiting for room in their queues;
    /// false when they have none (or their sessions just ended). A recipient that leaves it
    /// waiting too long is disconnected, and the push counted as given up.
    pub(crate) async fn push_local(&self, uid: i32, frame: Bytes) -> bool {
        self.push_local_except(uid, None, frame).await
    }

    /// [`Router::push_local`] to every session but `except` (the one that sent it). A session
    /// that is not sent frames of this id (`SessionHandle::takes`) still counts as there.
    async fn push_local_except(&self, uid: i32, except: Option<&str>, frame: Bytes) -> bool {
        // Cloned out of the map: no shard lock is held across the wait.
        let Some(handles) = self.sessions.get(&uid).map(|handles| handles.clone()) else {
            return false;
        };
        let id = frame_id(&frame);
        // One session, the common case: no list of futures.
        if let [handle] = &handles[..] {
            if !handle.takes(id) || except.is_some_and(|except| &*handle.id == except) {
                return true;
            }
            return self.taken(uid, handle.deliver(uid, frame).await);
        }
        let to = handles.iter().filter(|h| h.takes(id) && except.is_none_or(|except| &*h.id != except));
        let pushed = futures_util::future::join_all(to.map(|handle| handle.deliver(uid, frame.clone()))).await;
        let here = pushed.into_iter().fold(false, |here, pushed| self.taken(uid, pushed) | here);
        // Sessions not sent this frame, or the sender's own, are still here.
        here || handles.iter().any(|h| !h.takes(id) || except.is_some_and(|except| &*h.id == except))
    }

    /// Whether a push to a session of `uid` found it there (a slow one's is counted as given
    /// up, and it is disconnected: it was there).
    fn taken(&self, uid: i32, pushed: Pushed) -> bool {
        match pushed {
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

    /// Takes `uid`'s local session `session` (every one, for `None`) out of the table and
    /// kicks it (1021, then closed, after the request it is handling is answered); how many
    /// were kicked.
    pub(crate) fn kick_local(&self, uid: i32, session: Option<&str>, reason: &str) -> usize {
        let Some(mut handles) = self.sessions.get_mut(&uid) else { return 0 };
        let (kicked, kept): (Vec<SessionHandle>, Vec<SessionHandle>) =
            handles.iter().cloned().partition(|h| session.is_none_or(|session| &*h.id == session));
        *handles = kept.into();
        drop(handles);
        self.ended(uid);
        kicked.iter().for_each(|handle| kick(handle, uid, reason));
        kicked.len()
    }

    /// Kicks `uid`'s session `session` on `server` (this one or a peer): what a login does to
    /// the sessions it ends. An unreachable peer is logged: its session dies with it, or on its
    /// idle timer.
    pub(crate) async fn kick(&self, uid: i32, server: &str, session: &str, reason: &str) -> Result<(), StoreError> {
        if server == self.name {
            self.kick_local(uid, Some(session), reason);
            return Ok(());
        }
        let Some(addr) = self.peer_addr(server).await? else { return Ok(()) };
        let req = KickUserReq { uid, reason: reason.to_owned(), session: session.to_owned() };
        let kicked = match self.channels.chat(&addr) {
            Ok(mut client) => client.notify_kick_user(req).await.map(|_| ()).map_err(|status| status.to_string()),
            Err(err) => Err(err.to_string()),
        };
        if let Err(err) = kicked {
            tracing::warn!(uid, server, %err, "could not kick an ended session");
        }
        Ok(())
    }

    /// Whether `uid` may have sessions besides `session` (here, or on servers their cached
    /// route names); false only when this server knows they have none, which spares a user on
    /// one device the encoding of their own texts for nobody.
    pub(crate) fn may_have_others(&self, uid: i32, session: &str) -> bool {
        let here = self.sessions.get(&uid).is_some_and(|handles| handles.iter().any(|h| &*h.id != session));
        here || self.cached_route(uid).is_none_or(|servers| !servers.is_empty())
    }

    /// Forgets `uid`'s cached route, returning the servers it named.
    pub(crate) fn forget_route(&self, uid: i32) -> Arc<[String]> {
        match self.routes.remove(&uid) {
            Some((_, Cached::Route(servers, _))) => servers,
            _ => Arc::from([]),
        }
    }

    /// `server` said it has no session of `uid`: what `uid`'s table still names there and began
    /// more than [`STALE_AFTER`] ago is gone (a server restarted under the same name); newer
    /// entries may be logins in flight, and clocks differ between hosts.
    pub(crate) async fn drop_stale_sessions(&self, uid: i32, server: &str) {
        let before = imchat_store::now_ms() - STALE_AFTER.as_millis() as i64;
        match self.presence.drop_stale(uid, server, before, self.limits.route_ttl).await {
            Ok(true) => tracing::info!(uid, server, "stale sessions taken out of a user's table"),
            Ok(false) => {}
            Err(err) => tracing::debug!(%err, uid, server, "stale sessions not taken out"),
        }
    }

    /// A peer says `uids` have sessions on it that their cached routes may lack.
    pub(crate) fn routes_changed(&self, uids: &[i32]) {
        let now = Instant::now();
        for uid in uids {
            self.routes.insert(*uid, Cached::Changed(now));
        }
    }

    /// Drops cached routes past their lifetime (they would be read again anyway), so the cache
    /// holds only users pushed to lately.
    pub(crate) fn purge_routes(&self) {
        let lifetime = self.limits.route_cache;
        self.routes.retain(|_, cached| match cached {
            Cached::Route(_, at) | Cached::Changed(at) => at.elapsed() < lifetime,
        });
    }

    /// Tells every live peer that `uid` now has a session here (a login of another device
    /// while their route named other servers), so their cached routes include this server.
    pub(crate) async fn announce_route(&self, uid: i32) {
        let peers = match self.live_peers().await {
            Ok(peers) => peers,
            Err(err) => return tracing::warn!(%err, uid, "peers not told of a new session"),
        };
        let calls = peers.into_iter().map(|(name, addr)| async move {
            let told = match self.channels.chat(&addr) {
                Ok(mut client) => client.routes_changed(RoutesChangedReq { uids: vec![uid] }).await.map(|_| ()),
                Err(err) => Err(tonic::Status::unavailable(err.to_string())),
            };
            match told {
                Ok(()) => {}
                // An older peer: its cached routes expire by themselves.
                Err(status) if status.code() == tonic::Code::Unimplemented => {}
                Err(status) => tracing::warn!(uid, peer = %name, %status, "peer not told of a new session"),
            }
        });
        futures_util::future::join_all(calls).await;
    }

    /// The names of the live chat servers, this one included.
    pub(crate) async fn live_servers(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let list = self.registry.get(&self.kv).await?;
        let mut names: std::collections::HashSet<String> = list.iter().map(|entry| entry.name.clone()).collect();
        names.insert(self.name.clone());
        // A peer the registry lost lately (a Redis restart) is still taken as live.
        for entry in &self.peers_seen {
            if entry.value().1.elapsed() < self.limits.registry_ttl {
                names.insert(entry.key().clone());
            }
        }
        Ok(names)
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
    /// Delivers one encoded frame to every session of `uid`, wherever they are connected.
    /// Resolves once the push is queued here and on its way to each peer (or given up).
    pub(crate) async fn deliver(self: &Arc<Self>, uid: i32, msg_id: u16, frame: Bytes) {
        self.deliver_except(uid, None, msg_id, frame).await;
    }

    /// [`Router::deliver`] to every session of `uid` but `except` (here): a user's own send,
    /// or their read marker, to their other devices.
    pub(crate) async fn deliver_except(self: &Arc<Self>, uid: i32, except: Option<&str>, msg_id: u16, frame: Bytes) {
        let here = self.push_local_except(uid, except, frame.clone()).await;
        match self.route(uid, here).await {
            Ok(servers) => {
                for server in servers.iter() {
                    self.peers.send(self, server, uid, msg_id, frame.clone()).await;
                }
            }
            // Delivered here; the user's other devices sync.
            Err(err) if here => tracing::debug!(%err, uid, "route lookup failed"),
            Err(err) => {
                tracing::warn!(%err, uid, "route lookup failed");
                self.give_up(1, uid, "the route lookup failed");
            }
        }
    }

    /// A push that `server` reported it has no session of `uid` for: delivered where the
    /// route, read again, names a server that it did not name before (`before`). Sessions
    /// here had it already.
    pub(crate) async fn redeliver(
        self: &Arc<Self>,
        uid: i32,
        msg_id: u16,
        frame: Bytes,
        server: &str,
        before: &[String],
    ) {
        match self.route(uid, false).await {
            Ok(servers) => {
                for to in servers.iter().filter(|to| to.as_str() != server && !before.contains(to)) {
                    self.peers.send(self, to, uid, msg_id, frame.clone()).await;
                }
            }
            // A server already reported the user missing: most likely offline, not counted.
            Err(err) => tracing::debug!(%err, uid, "route lookup failed"),
        }
    }

    /// Delivers one frame (a group message, encoded once) to every session of each of `uids`
    /// but `except` (the sender's): side by side into the queues of those connected here, and
    /// as one fan-out per other server holding some of them (their routes read in one round
    /// trip). Resolves once every push has a place on its way (or was given up), as
    /// [`Router::deliver`] does for one.
    pub(crate) async fn deliver_group(
        self: &Arc<Self>,
        uids: &[i32],
        except: Option<&str>,
        msg_id: u16,
        frame: Bytes,
        thread_id: i64,
    ) {
        let here =
            futures_util::future::join_all(uids.iter().map(|uid| self.push_local_except(*uid, except, frame.clone())));
        let there = async {
            let by_server = self.routes_of(uids).await;
            let sends = by_server.into_iter().map(|(server, uids)| {
                let frame = frame.clone();
                async move { self.peers.send_fanout(self, &server, uids, thread_id, msg_id, frame).await }
            });
            futures_util::future::join_all(sends).await;
        };
        futures_util::future::join(here, there).await;
    }

    /// Which of `uids` have a session here or on a live server (one round trip for them all).
    pub(crate) async fn online(&self, uids: &[i32]) -> Result<std::collections::HashSet<i32>, StoreError> {
        let routes = self.presence.routes(uids).await?;
        let live = self.live_servers().await?;
        Ok(uids
            .iter()
            .zip(routes)
            .filter(|(uid, servers)| self.sessions.contains_key(uid) || servers.iter().any(|s| live.contains(s)))
            .map(|(uid, _)| *uid)
            .collect())
    }

    /// The live peer servers holding sessions of `uids`, with the uids each holds: cached
    /// routes first, the rest read in one round trip. Offline users are left out; a failed
    /// read counts their pushes as given up, but for routes known before and users here.
    async fn routes_of(&self, uids: &[i32]) -> std::collections::HashMap<String, Vec<i32>> {
        let mut by_server: std::collections::HashMap<String, Vec<i32>> = std::collections::HashMap::new();
        let mut unknown = Vec::new();
        for uid in uids {
            match self.cached_route(*uid) {
                Some(servers) => servers.iter().for_each(|s| by_server.entry(s.clone()).or_default().push(*uid)),
                None => unknown.push(*uid),
            }
        }
        if unknown.is_empty() {
            return by_server;
        }
        let started = Instant::now();
        let stored = match self.presence.routes(&unknown).await {
            Ok(stored) => stored,
            Err(err) => {
                tracing::warn!(%err, users = unknown.len(), "route lookup failed");
                let lost = unknown.iter().filter(|uid| !self.sessions.contains_key(uid)).count();
                if lost > 0 {
                    self.give_up(lost, 0, "the route lookup failed");
                }
                return by_server;
            }
        };
        let mut live: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
        for (uid, servers) in unknown.into_iter().zip(stored) {
            let mut peers = Vec::new();
            for server in servers {
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
                    by_server.entry(server.clone()).or_default().push(uid);
                    peers.push(server);
                }
            }
            self.cache_route(uid, peers, started);
        }
        by_server
    }

    /// `uid`'s cached route, if fresh: the other servers holding their sessions.
    fn cached_route(&self, uid: i32) -> Option<Arc<[String]>> {
        match &*self.routes.get(&uid)? {
            Cached::Route(servers, at) if at.elapsed() < self.limits.route_cache => Some(servers.clone()),
            _ => None,
        }
    }

    /// Caches `uid`'s route as read from a read begun at `started`, unless a peer said it
    /// changed since. An empty route is cached only for a user with sessions here: a peer
    /// tells this server of their other logins (`RoutesChanged`), not of an offline user's.
    fn cache_route(&self, uid: i32, servers: Vec<String>, started: Instant) {
        if servers.is_empty() && !self.sessions.contains_key(&uid) {
            self.routes.remove_if(&uid, |_, cached| matches!(cached, Cached::Route(..)));
            return;
        }
        match self.routes.entry(uid) {
            dashmap::Entry::Occupied(mut entry) => {
                if !matches!(entry.get(), Cached::Changed(at) if *at > started) {
                    entry.insert(Cached::Route(servers.into(), Instant::now()));
                }
            }
            dashmap::Entry::Vacant(entry) => {
                entry.insert(Cached::Route(servers.into(), Instant::now()));
            }
        }
    }

    /// Every live chat server but this one: (name, gRPC address).
    pub(crate) async fn live_peers(&self) -> Result<Vec<(String, String)>, StoreError> {
        let list = self.registry.get(&self.kv).await?;
        Ok(list.iter().filter(|entry| entry.name != self.name).map(|e| (e.name.clone(), e.rpc_addr.clone())).collect())
    }

    /// The other live servers holding `uid`'s sessions (`here`: they have some on this one).
    async fn route(&self, uid: i32, here: bool) -> Result<Arc<[String]>, StoreError> {
        if let Some(servers) = self.cached_route(uid) {
            return Ok(servers);
        }
        let started = Instant::now();
        let stored = match self.presence.route(uid).await {
            Ok(stored) => stored,
            // Redis out of reach: the route known before, if any, is tried once more (a peer
            // without the user reports them missing).
            Err(err) => {
                return match self.routes.get(&uid).map(|c| c.clone()) {
                    Some(Cached::Route(servers, _)) => {
                        tracing::debug!(%err, uid, "route lookup failed; trying the route known before");
                        Ok(servers)
                    }
                    _ if here => Ok(Arc::from([])),
                    _ => Err(err),
                };
            }
        };
        let mut servers = Vec::new();
        for server in stored {
            // Our own name (the sessions here were pushed to) or a dead server's.
            if server != self.name && self.peer_addr(&server).await?.is_some() {
                servers.push(server);
            }
        }
        self.cache_route(uid, servers.clone(), started);
        Ok(servers.into())
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
