//! The live chat-server registry: each chat server refreshes its entry on a timer; an entry
//! whose server died expires by itself, so the status server never hands out a dead server.
//! llfc's `logincount` hash is kept up to date beside it for familiar tooling.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::{Kv, StoreError, keys};

/// One chat server as it announces itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatServerEntry {
    pub name: String,
    /// Client-facing TCP host and port, as handed out at login.
    pub host: String,
    pub port: u16,
    /// Peer gRPC address (`host:port`).
    pub rpc_addr: String,
    /// Authenticated sessions.
    pub connections: i64,
    /// Open client connections, logged in or not, and how many it takes (0: not said): the
    /// status server sends no one to a full server. Absent (0) in older servers' entries.
    #[serde(default)]
    pub sockets: i64,
    #[serde(default)]
    pub max_sockets: i64,
    /// The client TLS port (0: none).
    #[serde(default)]
    pub tls_port: u16,
    /// When this entry was written (epoch ms).
    pub heartbeat_ms: i64,
    /// `Deliver` calls made to peer chat servers since this server started, and the frames
    /// they carried: their ratio shows how well inter-server traffic is batched. Absent
    /// (0) in entries from servers that predate them.
    #[serde(default)]
    pub peer_calls: u64,
    #[serde(default)]
    pub peer_frames: u64,
    /// Pushes to connected recipients this server gave up since it started (slow consumers,
    /// a peer gone or too slow, a failed route lookup).
    #[serde(default)]
    pub pushes_given_up: u64,
}

/// Writes (or renews) `entry`; false when there was no entry to renew, which for a server
/// that announced before means the store lost its state (Redis restarted or was flushed).
pub async fn announce(kv: &Kv, entry: &ChatServerEntry, ttl: Duration) -> Result<bool, StoreError> {
    let json = serde_json::to_string(entry).expect("entries always serialise");
    let before = kv.replace(&keys::chat_server(&entry.name), &json, ttl).await?;
    kv.hset(keys::LOGIN_COUNT, &entry.name, &entry.connections.to_string()).await?;
    Ok(before.is_some())
}

pub async fn withdraw(kv: &Kv, name: &str) -> Result<(), StoreError> {
    kv.del(&[&keys::chat_server(name)]).await?;
    kv.hdel(keys::LOGIN_COUNT, name).await
}

/// Forgets every server, live or stale (a store being torn down; a live server announces
/// itself again at its next heartbeat).
pub async fn clear(kv: &Kv) -> Result<(), StoreError> {
    let names: Vec<String> = kv.hgetall(keys::LOGIN_COUNT).await?.into_keys().collect();
    let mut doomed: Vec<String> = names.iter().map(|name| keys::chat_server(name)).collect();
    doomed.push(keys::LOGIN_COUNT.to_owned());
    kv.del(&doomed.iter().map(String::as_str).collect::<Vec<_>>()).await
}

/// Every live chat server, sorted by name. Names come from the `logincount` hash (every
/// announce writes it), entries from their expiring keys: the cost grows with the number of
/// servers, not with the keyspace (a SCAN would visit every token and route key).
pub async fn live(kv: &Kv) -> Result<Vec<ChatServerEntry>, StoreError> {
    let mut names: Vec<String> = kv.hgetall(keys::LOGIN_COUNT).await?.into_keys().collect();
    names.sort();
    let mut entries = Vec::with_capacity(names.len());
    for name in names {
        let key = keys::chat_server(&name);
        let Some(json) = kv.get(&key).await? else { continue };
        match serde_json::from_str(&json) {
            Ok(entry) => entries.push(entry),
            Err(err) => tracing::warn!(%key, %err, "ignoring malformed chat server entry"),
        }
    }
    Ok(entries)
}

/// [`live`], re-read at most once per `ttl`: for the hot paths (every login asks the status
/// server for a server; every push to another server needs its address).
#[derive(Debug)]
pub struct LiveCache {
    ttl: Duration,
    cached: Mutex<Option<(Instant, Arc<Vec<ChatServerEntry>>)>>,
}

impl LiveCache {
    pub fn new(ttl: Duration) -> LiveCache {
        LiveCache { ttl, cached: Mutex::new(None) }
    }

    pub async fn get(&self, kv: &Kv) -> Result<Arc<Vec<ChatServerEntry>>, StoreError> {
        let fresh = {
            let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
            cached.as_ref().filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, list)| list.clone())
        };
        if let Some(list) = fresh {
            return Ok(list);
        }
        let list = Arc::new(live(kv).await?);
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), list.clone()));
        Ok(list)
    }
}

/// Server names that appear in `logincount` but have no live entry (crashed, not withdrawn).
pub async fn stale_names(kv: &Kv) -> Result<Vec<String>, StoreError> {
    let live: Vec<String> = live(kv).await?.into_iter().map(|e| e.name).collect();
    let mut stale: Vec<String> =
        kv.hgetall(keys::LOGIN_COUNT).await?.into_keys().filter(|name| !live.contains(name)).collect();
    stale.sort();
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::ChatServerEntry;

    #[test]
    fn entries_from_servers_without_peer_counters_still_parse() {
        let old = r#"{"name":"c1","host":"h","port":8090,"rpc_addr":"h:50055","connections":3,"heartbeat_ms":7}"#;
        let entry: ChatServerEntry = serde_json::from_str(old).unwrap();
        assert_eq!((entry.connections, entry.peer_calls, entry.peer_frames), (3, 0, 0));
    }
}
