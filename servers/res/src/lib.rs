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
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// Every socket limit of the resource server. [`ResLimits::default`] holds the documented
/// defaults.
#[derive(Debug, Clone)]
pub struct ResLimits {
    /// Inbound frame body limit (bytes; llfc: 51200, room for a 32 KiB chunk in base64). A
    /// larger frame is answered, then the connection closes (a `u32` length could announce
    /// gigabytes to skip).
    pub max_body: usize,
    /// Connections held at once; more are refused.
    pub max_connections: usize,
    /// A connection with no inbound frame for this long is closed; zero never closes one. llfc's
    /// client sends nothing on this port while idle and logs out when it closes, so the
    /// default is zero.
    pub idle_timeout: Duration,
    /// How long one reply may take to write; a peer that does not read is closed.
    pub write_timeout: Duration,
}

impl Default for ResLimits {
    fn default() -> ResLimits {
        ResLimits {
            max_body: imchat_proto::codec::RES_DEFAULT_MAX_BODY,
            max_connections: 50_000,
            idle_timeout: Duration::ZERO,
            write_timeout: Duration::from_secs(10),
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

/// Serves `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    limits: ResLimits,
    handle: ResHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let files = handle.0;
    let limits = Arc::new(limits);
    let slots = Arc::new(Semaphore::new(limits.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
    let (stop_tx, stop) = watch::channel(false);
    let mut connections = JoinSet::new();
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
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                tracing::warn!(%err, "resource accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "resource connection limit reached; refusing");
            continue;
        };
        let (limits, files, mut stop) = (limits.clone(), files.clone(), stop.clone());
        connections.spawn(async move {
            tokio::select! {
                () = connection::serve(stream, &files, &limits) => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
            drop(slot);
        });
    }
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
    let _ = expiry.await;
    Ok(())
}
