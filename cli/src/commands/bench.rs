//! `imctl bench`: load generators for the benchmark workloads (see docs/BENCHMARKS.md). Each
//! creates its own users through the normal register/login path, drives the servers over
//! loopback, and reports throughput, latency percentiles (HDR histogram, send time carried in
//! each message), errors, drops, duplicates, server CPU per message and peak server RSS.

mod chat;
mod connections;
mod login;
mod procs;
mod relay;
mod users;

use serde::Serialize;

use crate::Context;
use crate::cli::BenchCommand;
use crate::errors::CliError;
use crate::output::{self, Table};

/// One scenario's result.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub scenario: String,
    pub target: String,
    pub users: usize,
    pub sent: u64,
    pub delivered: u64,
    pub errors: u64,
    pub drops: u64,
    pub duplicates: u64,
    pub seconds: f64,
    pub per_sec: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    /// CPU seconds used by server processes (imchat-server, MariaDB, Redis) during the run.
    pub server_cpu_s: f64,
    pub server_cpu_us_per_msg: f64,
    /// Peak resident memory per server process, in KiB.
    pub peak_rss_kib: Vec<(String, u64)>,
}

pub fn table(reports: &[Report]) -> String {
    let mut table = Table::new(&[
        "SCENARIO",
        "TARGET",
        "USERS",
        "DELIVERED",
        "ERR",
        "DROP",
        "DUP",
        "MSG/S",
        "P50",
        "P99",
        "P999",
        "CPU µs/MSG",
    ]);
    for r in reports {
        table.row(vec![
            r.scenario.clone(),
            r.target.clone(),
            r.users.to_string(),
            r.delivered.to_string(),
            r.errors.to_string(),
            r.drops.to_string(),
            r.duplicates.to_string(),
            format!("{:.0}", r.per_sec),
            micros(r.p50_us),
            micros(r.p99_us),
            micros(r.p999_us),
            if r.server_cpu_us_per_msg > 0.0 { format!("{:.0}", r.server_cpu_us_per_msg) } else { "-".into() },
        ]);
    }
    let mut out = table.render();
    if let [imchat, baseline] = reports
        && baseline.per_sec > 0.0
    {
        out.push_str(&format!(
            "imchat / baseline: {:.3} of the relay's throughput\n",
            imchat.per_sec / baseline.per_sec
        ));
    }
    out
}

fn micros(us: u64) -> String {
    if us >= 10_000 { format!("{:.1}ms", us as f64 / 1000.0) } else { format!("{us}µs") }
}

pub async fn run(ctx: &Context, command: BenchCommand) -> Result<(), CliError> {
    let opts = match command {
        BenchCommand::Chat(opts) => opts,
        BenchCommand::Connections(opts) => {
            let report = connections::run(ctx, &opts).await?;
            ctx.print(|| connections::table(&report), || output::json(&report));
            if report.errors > 0 || report.alive < report.connections {
                let lost = report.connections - report.alive;
                return Err(CliError::new(
                    crate::errors::ErrorKind::Rejected,
                    format!("{lost} connections failed or dropped"),
                )
                .reported());
            }
            return Ok(());
        }
        BenchCommand::Login(opts) => {
            let report = login::run(ctx, &opts).await?;
            ctx.print(|| login::table(&report), || output::json(&report));
            if report.errors > 0 {
                let message = format!("{} logins failed", report.errors);
                return Err(CliError::new(crate::errors::ErrorKind::Rejected, message).reported());
            }
            return Ok(());
        }
    };
    let mut reports = vec![chat::run(ctx, &opts).await?];
    if opts.baseline {
        reports.push(relay::run(ctx, &opts).await?);
    }
    ctx.print(|| table(&reports), || output::json(&reports));
    let lost: u64 = reports.iter().map(|r| r.drops + r.duplicates + r.errors).sum();
    if lost > 0 {
        return Err(CliError::new(
            crate::errors::ErrorKind::Rejected,
            format!("{lost} messages were lost, duplicated or refused"),
        )
        .reported());
    }
    Ok(())
}
