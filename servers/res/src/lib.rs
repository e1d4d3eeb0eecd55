//! The resource server: llfc Season_2's file port (llfc-wire.md §2.5), which its client opens
//! right after its chat connection. Avatars (1031 up, 1033 down), chat pictures and files
//! (reserved by their 1035 on the chat server; 1041/1037/1043 up, 1045/1047 down), with
//! llfc's framing and fields, without its defects: every request acts as the user whose token
//! the connection showed; names are checked and never become paths (bytes live under keys
//! the server chose); chunks land at their offset, in any order, resumable; a file is
//! complete only when its md5 matches; a chat file is readable by whoever may read its
//! message; sizes and quotas are capped. `connection.rs` holds the socket, `files.rs` the
//! rules, `storage.rs` the two backends, `thumb.rs` what the bytes say, `notify.rs` the 1039s.

mod connection;
mod files;
mod notify;
pub mod storage;
mod thumb;

pub use files::{FileLimits, ResDeps};
pub use storage::{S3Config, Storage, StorageConfig, StorageError};

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use imchat_edge::Rate;

/// Every socket limit of the resource server. [`ResLimits::default`] holds the documented
/// defaults; PROTOCOL.md ("Limits at the door") explains them.
#[derive(Debug, Clone)]
pub struct ResLimits {
    /// Inbound frame body limit (bytes; llfc: 51200, room for a 32 KiB chunk in base64). A
    /// larger frame is answered, then the connection closes (a `u32` length could announce
    /// gigabytes to skip).
    pub max_body: usize,
    /// Connections held at once, from one address (IPv4, or IPv6 /64; 0: no limit), and bound
    /// to one user (0: no limit); more are refused.
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    pub max_connections_per_user: usize,
    /// A connection that has shown no valid token this long after it was accepted (the TLS
    /// handshake included) is closed, unless a chat login came from its address lately (llfc's
    /// Qt client opens this port before its chat login and shows a token only with its first
    /// transfer).
    pub auth_deadline: Duration,
    /// A connection with no whole inbound frame for this long is closed; zero never closes an
    /// idle one. llfc's client sends nothing on this port while idle and logs out when it
    /// closes, so the default is zero.
    pub idle_timeout: Duration,
    /// A frame begun must be whole within this (bytes that never make a frame keep nothing
    /// alive).
    pub frame_timeout: Duration,
    /// How long one write may take; a peer that does not read is closed.
    pub write_timeout: Duration,
    /// Wrong tokens one connection may show before it is closed, and one address per minute
    /// before its token checks are answered 1105 unchecked (0: no limit).
    pub max_failed_auths: u32,
    pub failed_auths_per_ip: u32,
    /// Replies held before they are written: a pipeline of requests is answered in writes of
    /// about this much, never gathered whole.
    pub out_budget: usize,
    /// A download's read-ahead is let go after this long without a request (a paused
    /// download holds no buffer).
    pub read_ahead_hold: Duration,
    /// 1045s answered before a token per address (llfc's Qt client asks so for a picture it
    /// lacks on disk); past it, 1105.
    pub info_per_ip: imchat_edge::Rate,
}

impl Default for ResLimits {
    fn default() -> ResLimits {
        ResLimits {
            max_body: imchat_proto::codec::RES_DEFAULT_MAX_BODY,
            max_connections: 50_000,
            max_connections_per_ip: 64,
            max_connections_per_user: 16,
            auth_deadline: Duration::from_secs(10),
            idle_timeout: Duration::ZERO,
            frame_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(10),
            max_failed_auths: 3,
            failed_auths_per_ip: 30,
            out_budget: 256 * 1024,
            read_ahead_hold: Duration::from_secs(2),
            info_per_ip: imchat_edge::Rate { per_minute: 120, burst: 60 },
        }
    }
}

/// What the resource server has done since it started (for its operator).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResStats {
    /// 1039 notices not delivered to a recipient with a route (their server gone or failing).
    pub notices_given_up: u64,
}

/// A running resource server's handle, for its counters.
#[derive(Clone)]
pub struct ResHandle(Arc<files::Files>);

impl std::fmt::Debug for ResHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResHandle").field("stats", &self.stats()).finish()
    }
}

impl ResHandle {
    pub fn stats(&self) -> ResStats {
        ResStats { notices_given_up: self.0.notifier.given_up.load(Ordering::Relaxed) }
    }
}

/// Prepares the server: its staging directory and storage.
pub fn prepare(deps: ResDeps, files: FileLimits) -> std::io::Result<ResHandle> {
    Ok(ResHandle(Arc::new(files::Files::new(deps, files)?)))
}

/// A resource listener that speaks TLS, and its certificate.
pub struct TlsListener {
    pub listener: TcpListener,
    pub config: Arc<rustls::ServerConfig>,
}

/// Serves `listener` (and `tls`, over TLS) until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    tls: Option<TlsListener>,
    limits: ResLimits,
    handle: ResHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let files = handle.0;
    let door = Arc::new(connection::Door::new(files.clone(), limits));
    let (stop_tx, stop) = watch::channel(false);
    let expiry = {
        let (files, mut stop) = (files.clone(), stop.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(files.sweep_every());
            loop {
                let stopped = tokio::select! {
                    _ = every.tick() => false,
                    _ = stop.wait_for(|stopped| *stopped) => true,
                };
                if stopped {
                    return;
                }
                files.expire().await;
            }
        })
    };
    let mut loops = JoinSet::new();
    loops.spawn(accept_loop(listener, None, door.clone(), stop.clone()));
    if let Some(TlsListener { listener, config }) = tls {
        loops.spawn(accept_loop(listener, Some(tokio_rustls::TlsAcceptor::from(config)), door.clone(), stop.clone()));
    }
    shutdown.await;
    let _ = stop_tx.send(true);
    while loops.join_next().await.is_some() {}
    let _ = expiry.await;
    Ok(())
}

/// Accepts connections on `listener` (over TLS when `tls` is set) within the connection caps,
/// until `stop`.
async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    door: Arc<connection::Door>,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => break,
            accepted = listener.accept() => accepted,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                // EMFILE and friends: back off instead of spinning.
                tracing::warn!(%err, "resource accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(place) = door.admit(peer.ip()) else {
            tracing::debug!(%peer, "resource connection limit reached; refusing");
            continue;
        };
        let (door, tls, mut stop) = (door.clone(), tls.clone(), stop.clone());
        connections.spawn(async move {
            tokio::select! {
                () = connection::accept(stream, tls, place, &door) => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
        });
    }
    while connections.join_next().await.is_some() {}
}
