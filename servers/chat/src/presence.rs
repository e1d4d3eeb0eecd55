//! Keeps this chat server in the live registry (so the status server hands it out and peers
//! route to it) and keeps its sessions' `uip_`/`usession_` routes and cached login views from
//! expiring. When the server dies, all of them simply expire.

use std::sync::Arc;

use imchat_store::registry::{self, ChatServerEntry};
use imchat_store::{keys, login};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::Shared;

pub(crate) async fn run(shared: Arc<Shared>, stop: CancellationToken) {
    let limits = &shared.config.limits;
    let mut beat = tokio::time::interval(limits.registry_interval);
    beat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Routes and cached login views are refreshed well before they expire.
    let route_every = limits.route_ttl / 3;
    let view_every = limits.login_view_ttl / 3;
    let (mut last_route_refresh, mut last_view_refresh) = (Instant::now(), Instant::now());
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = beat.tick() => {}
        }
        let (peer_calls, peer_frames) = shared.peers.traffic();
        let entry = ChatServerEntry {
            name: shared.config.name.clone(),
            host: shared.config.advertise_host.clone(),
            port: shared.port,
            rpc_addr: shared.rpc_addr.clone(),
            connections: i64::try_from(shared.hub.len()).unwrap_or(i64::MAX),
            heartbeat_ms: imchat_store::now_ms(),
            peer_calls,
            peer_frames,
        };
        if let Err(err) = registry::announce(&shared.kv, &entry, limits.registry_ttl).await {
            tracing::warn!(%err, "registry heartbeat failed");
        }
        if last_route_refresh.elapsed() >= route_every {
            last_route_refresh = Instant::now();
            let keys: Vec<String> =
                shared.hub.uids().into_iter().flat_map(|uid| [keys::route(uid), keys::session(uid)]).collect();
            if let Err(err) = shared.kv.expire_many(&keys, limits.route_ttl).await {
                tracing::warn!(%err, "route refresh failed");
            }
        }
        if last_view_refresh.elapsed() >= view_every {
            last_view_refresh = Instant::now();
            if let Err(err) = login::refresh_views(&shared.kv, &shared.hub.uids(), limits.login_view_ttl).await {
                tracing::warn!(%err, "login-view refresh failed");
            }
        }
    }
    if let Err(err) = registry::withdraw(&shared.kv, &shared.config.name).await {
        tracing::warn!(%err, "leaving the registry failed");
    }
}
