//! Keeps this chat server in the live registry (so the status server hands it out and peers
//! route to it) and keeps its sessions' `uip_`/`usession_` routes and tables and cached login
//! views from expiring. When the server dies, all of them simply expire (a table's entries of a
//! dead server are dropped by the user's next login). When the store loses them while the
//! server lives (Redis restarted or flushed), the next heartbeat finds its entry gone and writes
//! its live sessions back into their users' tables, beside what other servers and newer logins
//! wrote meanwhile; a call that met Redis's dropped connection, or a registry read without this
//! server, brings that heartbeat forward. It also drops cached routes past their lifetime.

use std::sync::Arc;

use imchat_store::registry::{self, ChatServerEntry};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::Shared;

/// Writes every live session here back into its user's session table and route, beside the
/// sessions other servers write back or newer logins made meanwhile.
async fn restore_routes(shared: &Shared) -> bool {
    let sessions = shared.router.sessions();
    let restored = sessions.len();
    match shared.presence.restore(&sessions, shared.config.limits.route_ttl).await {
        Ok(()) => {
            tracing::warn!(sessions = restored, "the registry entry was gone (store restarted?); routes restored");
            true
        }
        Err(err) => {
            tracing::warn!(%err, "restoring routes failed; the next heartbeat tries again");
            false
        }
    }
}

pub(crate) async fn run(shared: Arc<Shared>, stop: CancellationToken) {
    let limits = &shared.config.limits;
    let mut beat = tokio::time::interval(limits.registry_interval);
    beat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Routes and cached login views are refreshed well before they expire.
    let route_every = limits.route_ttl / 3;
    let view_every = limits.login_view_ttl / 3;
    let (mut last_route_refresh, mut last_view_refresh) = (Instant::now(), Instant::now());
    // Whether this server announced before, and whether the store lost its routes since.
    let (mut announced, mut lost) = (false, false);
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = beat.tick() => {}
            // Redis came back, maybe empty, or a registry read lacked this server (flushed):
            // announce, and restore the routes, now rather than at the next beat.
            () = shared.kv.reconnected() => {}
            () = shared.router.store_lost.notified() => {}
        }
        let (peer_calls, peer_frames) = shared.router.peers.traffic();
        let entry = ChatServerEntry {
            name: shared.config.name.clone(),
            host: shared.config.advertise_host.clone(),
            port: shared.port,
            rpc_addr: shared.rpc_addr.clone(),
            connections: i64::try_from(shared.router.len()).unwrap_or(i64::MAX),
            sockets: shared.sockets.load(std::sync::atomic::Ordering::Relaxed),
            max_sockets: i64::try_from(limits.max_connections).unwrap_or(i64::MAX),
            tls_port: shared.tls_port,
            heartbeat_ms: imchat_store::now_ms(),
            peer_calls,
            peer_frames,
            pushes_given_up: shared.router.given_up(),
        };
        match registry::announce(&shared.kv, &entry, limits.registry_ttl).await {
            Ok(renewed) => {
                lost |= announced && !renewed;
                announced = true;
            }
            Err(err) => tracing::warn!(%err, "registry heartbeat failed"),
        }
        if lost {
            lost = !restore_routes(&shared).await;
        }
        shared.router.purge_routes();
        if last_route_refresh.elapsed() >= route_every {
            last_route_refresh = Instant::now();
            if let Err(err) = shared.presence.keep_alive(&shared.router.uids(), limits.route_ttl).await {
                tracing::warn!(%err, "route refresh failed");
            }
        }
        if last_view_refresh.elapsed() >= view_every {
            last_view_refresh = Instant::now();
            if let Err(err) = shared.presence.refresh_views(&shared.router.uids(), limits.login_view_ttl).await {
                tracing::warn!(%err, "login-view refresh failed");
            }
        }
    }
    if let Err(err) = registry::withdraw(&shared.kv, &shared.config.name).await {
        tracing::warn!(%err, "leaving the registry failed");
    }
}
