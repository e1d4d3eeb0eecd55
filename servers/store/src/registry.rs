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
        let read = live(kv).await?;
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        // Every entry gone at once, moments after they were written: the store lost its state
        // (Redis restarted or was flushed), not every server died. They stand until their
        // servers announce again, within a heartbeat; a read that finds any entry replaces them.
        if read.is_empty()
            && let Some((_, before)) = cached.as_ref()
        {
            let now = crate::now_ms();
            let grace = i64::try_from(STORE_LOSS_GRACE.as_millis()).unwrap_or(i64::MAX);
            let standing: Vec<ChatServerEntry> =
                before.iter().filter(|e| now - e.heartbeat_ms < grace).cloned().collect();
            if !standing.is_empty() {
                return Ok(Arc::new(standing));
            }
        }
        let list = Arc::new(read);
        *cached = Some((Instant::now(), list.clone()));
        Ok(list)
    }
}

/// How long after its last heartbeat an entry outlives a store that lost every entry at once
/// ([`LiveCache::get`]): longer than a chat server's heartbeat period (2 s by default), short
/// enough that a server that really died with the store drops out soon after.
pub const STORE_LOSS_GRACE: Duration = Duration::from_secs(5);

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
    use super::*;

    #[tokio::test]
    async fn entries_outlive_a_store_that_lost_them_all_for_a_moment() {
        let kv = Kv::memory();
        let cache = LiveCache::new(Duration::ZERO);
        let entry =
            |name: &str, heartbeat_ms| ChatServerEntry { name: name.into(), heartbeat_ms, ..Default::default() };
        announce(&kv, &entry("c1", crate::now_ms()), Duration::from_secs(60)).await.unwrap();
        assert_eq!(cache.get(&kv).await.unwrap().len(), 1);
        clear(&kv).await.unwrap();
        let kept = cache.get(&kv).await.unwrap();
        assert_eq!(kept.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["c1"], "a store that lost them");
        // Any entry read replaces them; and an old heartbeat is not kept.
        announce(&kv, &entry("c2", 1), Duration::from_secs(60)).await.unwrap();
        assert_eq!(cache.get(&kv).await.unwrap()[0].name, "c2");
        clear(&kv).await.unwrap();
        assert!(cache.get(&kv).await.unwrap().is_empty(), "c2's heartbeat is long past");
    }

    #[test]
    fn entries_from_servers_without_peer_counters_still_parse() {
        let old = r#"{"name":"c1","host":"h","port":8090,"rpc_addr":"h:50055","connections":3,"heartbeat_ms":7}"#;
        let entry: ChatServerEntry = serde_json::from_str(old).unwrap();
        assert_eq!((entry.connections, entry.peer_calls, entry.peer_frames), (3, 0, 0));
    }
}
