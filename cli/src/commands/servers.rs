//! `imctl servers [--watch]`: the chat servers from the status server's registry.

use std::io::IsTerminal;
use std::time::Duration;

use imchat_sdk::proto::grpc::ChatServerInfo;
use serde::Serialize;

use crate::Context;
use crate::commands::admin;
use crate::errors::{CliError, Target, from_sdk};
use crate::output::{self, Format, Table};

/// One chat server as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerRow {
    pub name: String,
    /// Client-facing address.
    pub addr: String,
    pub rpc_addr: String,
    pub connections: i64,
    /// Milliseconds since the server's last heartbeat (null when stale).
    pub heartbeat_age_ms: Option<i64>,
    pub live: bool,
    /// `Deliver` calls this server made to its peers since it started, and the frames they
    /// carried (frames per call is the inter-server batching).
    pub peer_calls: u64,
    pub peer_frames: u64,
    /// Pushes to connected recipients the server gave up since it started (they arrive by sync).
    pub pushes_given_up: u64,
}

impl From<ChatServerInfo> for ServerRow {
    fn from(info: ChatServerInfo) -> ServerRow {
        let addr = if info.host.is_empty() { String::new() } else { format!("{}:{}", info.host, info.port) };
        ServerRow {
            name: info.name,
            addr,
            rpc_addr: info.rpc_addr,
            connections: info.connections,
            heartbeat_age_ms: info.live.then_some(info.heartbeat_age_ms),
            live: info.live,
            peer_calls: info.peer_calls,
            peer_frames: info.peer_frames,
            pushes_given_up: info.pushes_given_up,
        }
    }
}

pub fn table(rows: &[ServerRow]) -> String {
    let mut table =
        Table::new(&["NAME", "CLIENT ADDR", "PEER RPC", "CONNS", "CALLS", "BATCH", "GIVEN UP", "HEARTBEAT", "STATE"]);
    for row in rows {
        table.row(vec![
            row.name.clone(),
            row.addr.clone(),
            row.rpc_addr.clone(),
            if row.live { row.connections.to_string() } else { "-".into() },
            if row.live { row.peer_calls.to_string() } else { "-".into() },
            if row.live && row.peer_calls > 0 {
                format!("{:.1}", row.peer_frames as f64 / row.peer_calls as f64)
            } else {
                "-".into()
            },
            if row.live { row.pushes_given_up.to_string() } else { "-".into() },
            row.heartbeat_age_ms.map_or("-".into(), |ms| format!("{:.1}s ago", ms as f64 / 1000.0)),
            if row.live { "live".into() } else { "stale".into() },
        ]);
    }
    table.render()
}

pub async fn run(ctx: &Context, watch: bool, interval: u64, count: Option<u64>) -> Result<(), CliError> {
    let client = admin(ctx).await?;
    let fetch = async || -> Result<Vec<ServerRow>, CliError> {
        let servers = client.servers().await.map_err(|err| from_sdk(err, Target::Status(&ctx.status)))?;
        Ok(servers.into_iter().map(ServerRow::from).collect())
    };
    if !watch {
        let rows = fetch().await?;
        ctx.print(|| table(&rows), || output::json(&rows));
        return Ok(());
    }
    let in_place = ctx.format == Format::Table && std::io::stdout().is_terminal();
    let spinner = if in_place && !ctx.quiet && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(format!("refreshing every {interval}s; Ctrl-C stops"));
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut tick = tokio::time::interval(Duration::from_secs(interval.max(1)));
    let mut done = 0u64;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = tokio::signal::ctrl_c() => break,
        }
        let rows = fetch().await?;
        if in_place {
            // Clear the screen and draw the table from the top left.
            spinner.suspend(|| ctx.print(|| format!("\x1b[2J\x1b[H{}", table(&rows)), String::new));
        } else {
            // One JSON document per line, so a pipe sees each refresh as it happens.
            ctx.print(|| table(&rows) + "\n", || output::json(&rows));
        }
        done += 1;
        if count.is_some_and(|count| done >= count) {
            break;
        }
    }
    spinner.finish_and_clear();
    Ok(())
}
