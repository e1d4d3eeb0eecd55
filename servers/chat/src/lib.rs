//! The chat server: long-lived client TCP sessions speaking the llfc frame protocol
//! (login, search, friends, text chat, groups, threads, history, heartbeat, imchat's offline
//! sync),
//! and the `ChatService` gRPC service its peers call to deliver frames and kick users.
//!
//! Layout: [`connection`] is the only code that touches client sockets, fed by each session's
//! [`outbox`]; [`session`] turns requests into replies and effects; [`router`] knows the local
//! sessions, delivers pushes to them or, batched, to peers ([`peers`]), and kicks; [`heartbeat`]
//! keeps this server in the registry and its sessions' presence alive; [`rpc`] serves peers;
//! [`groups`] caches groups' members and makes every group change; [`admin`] answers the
//! operator's group calls.
//! Presence itself (tokens, routes, sessions, locks) is `imchat_store::presence`.

mod admin;
mod connection;
mod friendships;
mod groups;
mod heartbeat;
mod outbox;
mod peers;
mod router;
mod rpc;
mod session;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use imchat_edge::Rate;
use imchat_proto::codec::DEFAULT_MAX_BODY;
use imchat_rpc::Secret;
use imchat_store::presence::Presence;
use imchat_store::writer::MessageWriter;
use imchat_store::{Db, Kv};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::router::Router;

/// Who this chat server is.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// Unique server name, the value of `uip_<uid>` (llfc: `chatserver1`).
    pub name: String,
    /// Host handed to clients at login (the status server passes it on).
    pub advertise_host: String,
    /// Host peers use to reach this server's gRPC port.
    pub rpc_advertise_host: String,
    /// The deployment's secret: required of peers calling this server, carried to them.
    pub secret: Secret,
    pub limits: Limits,
}

/// Every limit of the chat server. [`Limits::default`] holds the documented defaults.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Inbound frame body limit (bytes, at most 65535).
    pub max_body: usize,
    /// A session with no inbound frame for this long is closed (llfc: 20 s, client beats 10 s).
    pub idle_timeout: Duration,
    /// Bytes queued to one client past which pushes to it wait (slowing their senders), and
    /// the reader stops reading its requests.
    pub out_budget: usize,
    /// Bytes queued to one client past which it is disconnected whatever was queued (a safety
    /// net far above the budget).
    pub out_queue_bytes: usize,
    /// How long a push waits for room in its recipient's queue before the recipient counts as
    /// a slow consumer and is disconnected (it syncs on return; the push is counted as given up).
    pub push_wait: Duration,
    /// How long a closing session may spend flushing its last frames.
    pub close_flush: Duration,
    /// A connection that wrote less than this ago waits out the rest before its next write,
    /// so frames arriving meanwhile share it (zero: every take is written at once). Trades at
    /// most this much latency for fewer writes per frame to busy recipients.
    pub write_coalesce: Duration,
    /// The most a kicked connection stays open after its 1021 while its client keeps sending
    /// (heartbeats answered, nothing else served; quiet for `idle_timeout`, it is closed), so
    /// llfc's client can close it first; zero closes at once.
    pub kick_grace: Duration,
    /// Client connections accepted at once, and from one address (IPv4, or IPv6 /64; 0: no
    /// limit per address).
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    /// A connection that has not logged in this long after it was accepted is closed.
    pub login_deadline: Duration,
    /// Failed logins (wrong or missing token) one connection may make before it is closed,
    /// and one address per minute before its logins are refused unread (0: no limit).
    pub max_failed_logins: u32,
    pub failed_logins_per_ip: u32,
    /// Texts one session may send per second, with this burst (0: no limit); more are
    /// refused with 1105 and not stored.
    pub messages_per_sec: u32,
    pub message_burst: u32,
    /// Bytes of one text message.
    pub max_text_bytes: usize,
    /// Texts in one 1017 frame.
    pub max_texts_per_frame: usize,
    /// 1017 requests of one connection waiting for their commit at once (pipelining); more
    /// are not read until one is answered (back-pressure through TCP).
    pub pipeline: usize,
    /// Page sizes (llfc: 10 threads, 10 messages).
    pub thread_page: i64,
    pub history_page: i64,
    /// Messages in one sync reply, and threads in one page of a paged sync.
    pub sync_page: i64,
    pub sync_threads: i64,
    /// Friend requests and friends in the login reply (llfc has no paging for either; these
    /// bounds keep the reply far below the 64 KiB frame limit).
    pub login_applies: i64,
    pub login_friends: usize,
    /// How long a login waits for the user's lock.
    pub login_lock_wait: Duration,
    /// Lifetime of a cached login view after its user goes offline (zero: no cache, every
    /// login reads the database). Must be the same on every chat server of a deployment.
    pub login_view_ttl: Duration,
    /// `[Sessions] Policy`: which sessions of one user may live side by side (one per kind of
    /// client by default), and `MaxDevices`: past it, a login ends the oldest.
    pub session_policy: imchat_store::presence::Policy,
    pub max_devices: usize,
    /// Typing notices (1114) one session may send a second, and in a burst: a client sends
    /// one every few seconds while its user types.
    pub typing_per_sec: u32,
    pub typing_burst: u32,
    /// How long after sending a sender may recall a message (1160); a group's owner and
    /// admins may recall any at any time.
    pub recall_window: Duration,
    /// How long after sending a sender may edit a text (1163).
    pub edit_window: Duration,
    /// How long a login's client address is remembered for the resource port, which keeps
    /// that address's connections that have not shown a token yet (llfc's Qt client opens
    /// one before its chat login and shows its token only with its first transfer).
    pub address_login_ttl: Duration,
    /// Lifetime of `uip_`/`usession_` routes; refreshed (at a third of it) while the session
    /// lives. Readers trust a route only while its server is live in the registry, so this only
    /// collects a dead server's routes; longer means fewer refreshes.
    pub route_ttl: Duration,
    /// How long a peer's route read from `uip_` is trusted before it is read again.
    pub route_cache: Duration,
    /// Registry heartbeat period and entry lifetime: a dead server drops out after `registry_ttl`.
    pub registry_interval: Duration,
    pub registry_ttl: Duration,
    /// Bytes of pushes queued or in flight to one peer server; a sender waits for room within
    /// it (up to `peer_wait`, then the push is given up and counted).
    pub peer_window: usize,
    pub peer_wait: Duration,
    /// `Deliver` calls (streams) in flight to one peer at once; a recipient's pushes always
    /// take the same one, so they arrive in order.
    pub peer_lanes: usize,
    /// Frames and bytes of one `Deliver` call (bytes well below gRPC's 4 MiB message limit).
    pub peer_batch: usize,
    pub peer_batch_bytes: usize,
    /// How long a lane waits for more pushes to share its `Deliver` call when pushes come close
    /// together (its last call ended less than this before the push came); an idle lane sends
    /// at once. Zero: never waits.
    pub peer_linger: Duration,
    /// Members of one group, the owner included.
    pub group_max_members: usize,
    /// Members in one page of a member list (1136).
    pub group_members_page: i64,
    /// Members one group text may @mention.
    pub max_mentions: usize,
    /// How long a chat server keeps a group's members cached. Changes drop the cache on every
    /// live server at once; this bounds what a server that missed that call keeps.
    pub group_cache: Duration,
    /// How long a session trusts a friendship it checked (an ended one is told to every
    /// server at once; this bounds what a server that missed it keeps).
    pub friend_cache: Duration,
    /// Most users one user may block.
    pub max_blocked: usize,
    /// Messages one forward (1178) may copy, and chats it may copy them to.
    pub forward_messages: usize,
    pub forward_targets: usize,
    /// Group changes (1120–1132) one user may make, and friend requests (1009) one user may
    /// send, by rate; past them, 1105 and nothing stored or pushed.
    pub group_changes: Rate,
    pub friend_requests: Rate,
    /// Friend requests waiting for one recipient; a new applicant past it gets 1105.
    pub max_pending_requests: i64,
    /// Friends or requests in one page of 1104/1106 (fewer when they would not fit a frame).
    pub friend_page: i64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body: DEFAULT_MAX_BODY,
            idle_timeout: Duration::from_secs(60),
            out_budget: 256 * 1024,
            out_queue_bytes: 8 * 1024 * 1024,
            push_wait: Duration::from_secs(5),
            close_flush: Duration::from_secs(1),
            write_coalesce: Duration::ZERO,
            kick_grace: Duration::from_secs(600),
            max_connections: 50_000,
            max_connections_per_ip: 256,
            login_deadline: Duration::from_secs(10),
            max_failed_logins: 3,
            failed_logins_per_ip: 30,
            messages_per_sec: 50,
            message_burst: 200,
            max_text_bytes: 4096,
            max_texts_per_frame: 16,
            pipeline: 32,
            thread_page: 10,
            history_page: 10,
            sync_page: 200,
            sync_threads: 500,
            login_applies: 50,
            login_friends: 300,
            login_lock_wait: Duration::from_secs(5),
            login_view_ttl: Duration::from_secs(600),
            session_policy: imchat_store::presence::Policy::PerKind,
            max_devices: 5,
            typing_per_sec: 2,
            typing_burst: 4,
            recall_window: Duration::from_secs(120),
            edit_window: Duration::from_secs(24 * 3600),
            address_login_ttl: Duration::from_secs(60),
            route_ttl: Duration::from_secs(300),
            route_cache: Duration::from_secs(5),
            registry_interval: Duration::from_secs(2),
            registry_ttl: Duration::from_secs(6),
            peer_window: 1024 * 1024,
            peer_wait: Duration::from_secs(5),
            // Four: with one, a call held by a slow recipient held every push behind it (p99
            // 30 ms at 2,000 msgs/s across servers; 11-14 ms with four, at the same CPU once
            // each lane is a stream).
            peer_lanes: 4,
            peer_batch: 256,
            peer_batch_bytes: 1024 * 1024,
            peer_linger: Duration::from_millis(2),
            group_max_members: 500,
            group_members_page: 100,
            max_mentions: 50,
            group_cache: Duration::from_secs(30),
            friend_cache: Duration::from_secs(60),
            max_blocked: 1000,
            forward_messages: 50,
            forward_targets: 10,
            group_changes: Rate { per_minute: 30, burst: 20 },
            friend_requests: Rate { per_minute: 10, burst: 20 },
            max_pending_requests: 200,
            friend_page: 100,
        }
    }
}

/// Storage handles the chat role shares.
#[derive(Debug, Clone)]
pub struct ChatDeps {
    pub db: Db,
    pub kv: Kv,
    pub writer: MessageWriter,
}

/// State shared by every task of one chat server.
pub(crate) struct Shared {
    pub(crate) config: ChatConfig,
    pub(crate) db: Db,
    pub(crate) kv: Kv,
    pub(crate) presence: Presence,
    pub(crate) writer: MessageWriter,
    pub(crate) router: Arc<Router>,
    /// Groups' members, cached.
    pub(crate) groups: groups::Groups,
    /// Friendships ended lately, for sessions' cached friends.
    pub(crate) friendships: friendships::Friendships,
    /// Per-address limits of the client port, and the connections open now.
    pub(crate) edge: imchat_edge::Edge,
    /// Per-user rates of the costly requests (`GroupChanges`, `FriendRequests`).
    pub(crate) group_changes: imchat_edge::Buckets<i32>,
    pub(crate) friend_requests: imchat_edge::Buckets<i32>,
    pub(crate) sockets: std::sync::atomic::AtomicI64,
    /// Client connections at once, over both listeners.
    pub(crate) slots: Arc<tokio::sync::Semaphore>,
    /// The client TLS port (0: none), announced in the registry.
    pub(crate) tls_port: u16,
    /// Client-facing and peer-facing addresses, as bound.
    pub(crate) port: u16,
    pub(crate) rpc_addr: String,
}

/// A client listener that speaks TLS, and its certificate.
pub struct TlsListener {
    pub listener: TcpListener,
    pub config: Arc<rustls::ServerConfig>,
}

/// Serves clients on `tcp` (and over TLS on `tls`) and peers on `rpc` until `shutdown`
/// completes. Dropping the returned future stops every task of this server at once (as a
/// crash would).
pub async fn run(
    tcp: TcpListener,
    tls: Option<TlsListener>,
    rpc: TcpListener,
    config: ChatConfig,
    deps: ChatDeps,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let port = tcp.local_addr()?.port();
    let tls_port = match &tls {
        Some(tls) => tls.listener.local_addr()?.port(),
        None => 0,
    };
    let rpc_addr = format!("{}:{}", config.rpc_advertise_host, rpc.local_addr()?.port());
    let shared = Arc::new(Shared {
        router: Arc::new(Router::new(&config, deps.kv.clone())),
        presence: Presence::new(deps.kv.clone()),
        groups: groups::Groups::new(config.limits.group_cache),
        friendships: friendships::Friendships::new(config.limits.friend_cache),
        edge: imchat_edge::Edge::default(),
        group_changes: imchat_edge::Buckets::new(config.limits.group_changes),
        friend_requests: imchat_edge::Buckets::new(config.limits.friend_requests),
        sockets: std::sync::atomic::AtomicI64::new(0),
        slots: Arc::new(tokio::sync::Semaphore::new(
            config.limits.max_connections.min(tokio::sync::Semaphore::MAX_PERMITS),
        )),
        tls_port,
        db: deps.db,
        kv: deps.kv,
        writer: deps.writer,
        port,
        rpc_addr,
        config,
    });
    let stop = CancellationToken::new();
    let mut tasks = JoinSet::new();
    tasks.spawn(rpc::serve(rpc, shared.clone(), stop.clone()));
    tasks.spawn(heartbeat::run(shared.clone(), stop.clone()));
    tasks.spawn(connection::accept_loop(tcp, None, shared.clone(), stop.clone()));
    if let Some(TlsListener { listener, config }) = tls {
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        tasks.spawn(connection::accept_loop(listener, Some(acceptor), shared.clone(), stop.clone()));
    }
    tracing::info!(name = %shared.config.name, port, rpc = %shared.rpc_addr, "chat server up");
    shutdown.await;
    stop.cancel();
    while tasks.join_next().await.is_some() {}
    tracing::info!(name = %shared.config.name, "chat server stopped");
    Ok(())
}
