//! W1: many authenticated connections that only heartbeat. Reports what each idle connection
//! costs the chat servers in memory, and the CPU they burn while idle.

use std::time::{Duration, Instant};

use imchat_sdk::ChatClient;
use serde::Serialize;

use crate::Context;
use crate::cli::ConnectionsBench;
use crate::commands::bench::{Setup, procs, setup};
use crate::errors::CliError;
use crate::output::Table;

/// How often each bench connection heartbeats (the client default).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Serialize)]
pub struct ConnReport {
    pub scenario: String,
    pub connections: usize,
    /// Connections that logged in and stayed up through the idle period.
    pub alive: usize,
    pub errors: usize,
    /// Growth of the imchat-server processes' resident memory per connection, in bytes.
    pub rss_bytes_per_conn: f64,
    /// CPU the server processes used while idle, as a share of one core.
    pub idle_cpu_share: f64,
    pub idle_seconds: f64,
}

pub fn table(report: &ConnReport) -> String {
    let mut table = Table::new(&["SCENARIO", "CONNS", "ALIVE", "ERR", "RSS/CONN", "IDLE CPU"]);
    table.row(vec![
        report.scenario.clone(),
        report.connections.to_string(),
        report.alive.to_string(),
        report.errors.to_string(),
        format!("{:.1} KiB", report.rss_bytes_per_conn / 1024.0),
        format!("{:.2}% of a core", report.idle_cpu_share * 100.0),
    ]);
    table.render()
}

pub async fn run(ctx: &Context, opts: &ConnectionsBench) -> Result<ConnReport, CliError> {
    let Setup { servers, users: people, .. } = setup(ctx, &opts.mail_dir, "conn", opts.users, 1).await?;

    let before = procs::sample();
    let rss_before = before.imchat_rss_now();
    let bar = crate::commands::progress(ctx, people.len(), "connecting");
    let mut clients = Vec::with_capacity(people.len());
    let mut errors = 0;
    for (idx, user) in people.iter().enumerate() {
        let addr = &servers[idx % servers.len()];
        match ChatClient::connect(addr).await {
            Ok((chat, events)) => match chat.login(user.uid, &user.token).await {
                Ok(_) => {
                    let beat = chat.spawn_heartbeat(user.uid, HEARTBEAT_EVERY);
                    clients.push((chat, events, beat));
                }
                Err(_) => errors += 1,
            },
            Err(_) => errors += 1,
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let connected = procs::sample();
    let rss_after = connected.imchat_rss_now();
    let idle_start = Instant::now();
    tokio::time::sleep(Duration::from_secs(opts.idle_secs)).await;
    let idle = idle_start.elapsed().as_secs_f64();
    let after = procs::sample();
    let alive = clients.iter().filter(|(_, _, beat)| !beat.is_finished()).count();
    for (chat, _, beat) in &clients {
        beat.abort();
        chat.close().await;
    }
    Ok(ConnReport {
        scenario: "connections".into(),
        connections: people.len(),
        alive,
        errors,
        rss_bytes_per_conn: rss_after.saturating_sub(rss_before) as f64 * 1024.0 / clients.len().max(1) as f64,
        idle_cpu_share: after.cpu_since(&connected) / idle,
        idle_seconds: idle,
    })
}
