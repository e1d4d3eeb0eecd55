//! The live chat-server registry: each chat server refreshes its entry on a timer; an entry
//! whose server died expires by itself, so the status server never hands out a dead server.
//! llfc's `logincount` hash is kept up to date beside it for familiar tooling.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Kv, StoreError, keys};

/// One chat server as it announces itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatServerEntry {
    pub name: String,
    /// Client-facing TCP host and port, as handed out at login.
    pub host: String,
    pub port: u16,
    /// Peer gRPC address (`host:port`).
    pub rpc_addr: String,
    /// Authenticated sessions.
    pub connections: i64,
    /// When this entry was written (epoch ms).
    pub heartbeat_ms: i64,
}

pub async fn announce(kv: &Kv, entry: &ChatServerEntry, ttl: Duration) -> Result<(), StoreError> {
    let json = serde_json::to_string(entry).expect("entries always serialise");
    kv.set(&keys::chat_server(&entry.name), &json, Some(ttl)).await?;
    kv.hset(keys::LOGIN_COUNT, &entry.name, &entry.connections.to_string()).await
}

pub async fn withdraw(kv: &Kv, name: &str) -> Result<(), StoreError> {
    kv.del(&[&keys::chat_server(name)]).await?;
    kv.hdel(keys::LOGIN_COUNT, name).await
}

/// Every live chat server, sorted by name.
pub async fn live(kv: &Kv) -> Result<Vec<ChatServerEntry>, StoreError> {
    let mut entries: Vec<ChatServerEntry> = kv
        .scan_prefix(keys::CHAT_SERVER_PREFIX)
        .await?
        .into_iter()
        .filter_map(|(key, json)| match serde_json::from_str(&json) {
            Ok(entry) => Some(entry),
            Err(err) => {
                tracing::warn!(%key, %err, "ignoring malformed chat server entry");
                None
            }
        })
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// Server names that appear in `logincount` but have no live entry (crashed, not withdrawn).
pub async fn stale_names(kv: &Kv) -> Result<Vec<String>, StoreError> {
    let live: Vec<String> = live(kv).await?.into_iter().map(|e| e.name).collect();
    let mut stale: Vec<String> =
        kv.hgetall(keys::LOGIN_COUNT).await?.into_keys().filter(|name| !live.contains(name)).collect();
    stale.sort();
    Ok(stale)
}
