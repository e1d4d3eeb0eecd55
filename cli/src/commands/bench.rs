//! `imctl bench`: load generators for the benchmark workloads (see docs/BENCHMARKS.md). Each
//! creates its own users through the normal register/login path, drives the servers over
//! loopback, and reports throughput, latency percentiles (HDR histogram, send time carried in
//! each message), errors, drops, duplicates, server CPU per message and peak server RSS.

mod chat;
mod connections;
mod devices;
mod files;
mod group;
mod latency;
mod login;
mod procs;
mod reconnect;
mod relay;
mod sched;
mod slow;
mod users;

use std::path::Path;

use imchat_sdk::tls::ClientTls;
use imchat_sdk::{AdminClient, ChatClient, Event, GateClient};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::Context;
use crate::cli::BenchCommand;
use crate::errors::{CliError, ErrorKind, Target, from_sdk};
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
    /// The CPU seconds of `server_cpu_s` per process (`name[pid]`), busiest first.
    pub server_cpu_s_by_process: Vec<(String, f64)>,
    /// Peak resident memory per server process, in KiB.
    pub peak_rss_kib: Vec<(String, u64)>,
    /// `Deliver` calls between chat servers during the run and the frames they carried, from
    /// the servers' registry counters (`chat` runs only; `null` elsewhere).
    pub peer_calls: Option<u64>,
    pub peer_frames: Option<u64>,
    /// Pushes the chat servers gave up during the run, from their own counters (`chat` runs
    /// only; `null` elsewhere).
    pub given_up: Option<u64>,
    /// The longest time between two deliveries while the senders sent, in µs (`chat` runs
    /// only): how long a fault (W11) stopped the pushes.
    pub longest_stall_us: Option<u64>,
    /// `--reconnect` runs: clients that came back after their connection ended, and the
    /// messages they found by sync rather than by push.
    pub reconnects: Option<u64>,
    pub recovered: Option<u64>,
    /// `--fault` runs: how long after the fault deliveries were back at half their rate of
    /// the two seconds before it, in ms.
    pub flowing_again_ms: Option<u64>,
    /// `--devices` runs: devices per user, the messages their other devices got (pushes and
    /// own texts), and those they did not.
    pub devices: Option<u64>,
    pub other_device_pushes: Option<u64>,
    pub other_device_missing: Option<u64>,
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
        "RPC/MSG",
        "GAVE UP",
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
            match r.peer_calls {
                Some(calls) if r.delivered > 0 => format!("{:.3}", calls as f64 / r.delivered as f64),
                _ => "-".into(),
            },
            r.given_up.map_or("-".into(), |n| n.to_string()),
        ]);
    }
    let mut out = table.render();
    for r in reports {
        if let Some(reconnects) = r.reconnects {
            out.push_str(&format!(
                "{reconnects} clients came back after their connection ended; {} messages reached them by sync\n",
                r.recovered.unwrap_or(0)
            ));
        }
        if let Some(ms) = r.flowing_again_ms {
            out.push_str(&format!("after the fault, pushes flowed again within {ms} ms\n"));
        }
        if let (Some(devices), Some(got), Some(missing)) = (r.devices, r.other_device_pushes, r.other_device_missing) {
            out.push_str(&format!(
                "{devices} devices per user: the other devices got {got} messages, and missed {missing}\n"
            ));
        }
    }
    if let [imchat, baseline] = reports
        && baseline.target == "baseline"
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

/// What every scenario starts from: the live chat servers' client addresses, a gate client and
/// `count` freshly registered, HTTP-logged-in users.
struct Setup {
    servers: Vec<String>,
    gate: GateClient,
    users: Vec<users::BenchUser>,
    /// How to reach `servers`.
    dial: Dial,
}

/// How bench clients reach the chat servers: plain TCP, or their TLS ports (`--tls`, trusting
/// `--ca-cert`).
#[derive(Debug, Clone, Default)]
pub struct Dial(Option<ClientTls>);

impl Dial {
    pub fn is_tls(&self) -> bool {
        self.0.is_some()
    }

    pub async fn connect(&self, addr: &str) -> Result<(ChatClient, mpsc::Receiver<Event>), imchat_sdk::SdkError> {
        match &self.0 {
            Some(tls) => ChatClient::connect_tls(addr, tls).await,
            None => ChatClient::connect(addr).await,
        }
    }
}

async fn setup(
    ctx: &Context,
    mail_dir: &Path,
    prefix: &str,
    count: usize,
    min_servers: usize,
) -> Result<Setup, CliError> {
    setup_over(ctx, mail_dir, prefix, count, min_servers, false).await
}

/// [`setup`], with the chat servers' TLS ports when `tls`.
async fn setup_over(
    ctx: &Context,
    mail_dir: &Path,
    prefix: &str,
    count: usize,
    min_servers: usize,
    tls: bool,
) -> Result<Setup, CliError> {
    let (servers, gate, dial) = cluster_over(ctx, min_servers, tls).await?;
    // Unique per run, so repeated runs against one database never collide on names.
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros());
    let run = format!("{prefix}{:x}", stamp & 0xffff_ffff);
    let bar = crate::commands::progress(ctx, count, "creating users");
    let users = users::create(&gate, mail_dir, &run, count, &bar).await?;
    bar.finish_and_clear();
    Ok(Setup { servers, gate, users, dial })
}

/// The live chat servers' client addresses (at least `min_servers`) and a gate client.
async fn cluster(ctx: &Context, min_servers: usize) -> Result<(Vec<String>, GateClient), CliError> {
    let (servers, gate, _) = cluster_over(ctx, min_servers, false).await?;
    Ok((servers, gate))
}

/// [`cluster`], with the servers' TLS ports (and how to dial them) when `tls`.
async fn cluster_over(
    ctx: &Context,
    min_servers: usize,
    tls: bool,
) -> Result<(Vec<String>, GateClient, Dial), CliError> {
    let status = |err| from_sdk(err, Target::Status(&ctx.status));
    let admin = AdminClient::connect(&ctx.status, ctx.secret.as_deref()).await.map_err(status)?;
    let servers: Vec<String> = admin
        .servers()
        .await
        .map_err(status)?
        .into_iter()
        .filter(|s| s.live)
        .filter(|s| !tls || s.tls_port != 0)
        .map(|s| if tls { format!("{}:{}", s.host, s.tls_port) } else { format!("{}:{}", s.host, s.port) })
        .collect();
    if servers.len() < min_servers.max(1) {
        let with = if tls { " with a TLS port" } else { "" };
        let message = format!("{} live chat server(s){with} needed, {} found", min_servers.max(1), servers.len());
        return Err(CliError::new(ErrorKind::Unreachable, message));
    }
    let gate = ctx.gate_client()?;
    let dial = if tls {
        let tls = ClientTls::new(ctx.ca_cert.as_deref()).map_err(|err| from_sdk(err, Target::Gate(&ctx.gate)))?;
        Dial(Some(tls))
    } else {
        Dial::default()
    };
    Ok((servers, gate, dial))
}

pub async fn run(ctx: &Context, command: BenchCommand) -> Result<(), CliError> {
    let opts = match command {
        BenchCommand::Chat(opts) => opts,
        BenchCommand::Connections(opts) if opts.worker => return connections::worker(ctx, &opts).await,
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
                let message = format!("{} logins failed: {}", report.errors, report.error_samples.join("; "));
                return Err(CliError::new(crate::errors::ErrorKind::Rejected, message).reported());
            }
            return Ok(());
        }
        BenchCommand::Reconnect(opts) => {
            let report = reconnect::run(ctx, &opts).await?;
            ctx.print(|| reconnect::table(&report), || output::json(&report));
            if report.resumed < report.users {
                let message = format!(
                    "{} of {} clients did not resume: {} errors ({}), {} missed messages not synced, {} duplicated",
                    report.users - report.resumed,
                    report.users,
                    report.errors,
                    report.error_samples.join("; "),
                    report.missing,
                    report.duplicates
                );
                return Err(CliError::new(crate::errors::ErrorKind::Rejected, message).reported());
            }
            return Ok(());
        }
        BenchCommand::Group(opts) => {
            let report = group::run(ctx, &opts).await?;
            ctx.print(|| table(std::slice::from_ref(&report)), || output::json(&report));
            return lost(std::slice::from_ref(&report));
        }
        BenchCommand::Files(opts) => {
            let report = files::run(ctx, &opts).await?;
            ctx.print(|| files::table(&report), || output::json(&report));
            if report.errors > 0 || report.given_up > 0 {
                let message = format!(
                    "{} transfers failed ({}), {} pushes given up",
                    report.errors,
                    report.error_samples.join("; "),
                    report.given_up
                );
                return Err(CliError::new(ErrorKind::Rejected, message).reported());
            }
            return Ok(());
        }
        BenchCommand::Latency(opts) => {
            let reports = latency::run(ctx, &opts).await?;
            ctx.print(|| table(&reports), || output::json(&reports));
            return lost(&reports);
        }
        BenchCommand::SlowConsumer(opts) => {
            let report = slow::run(ctx, &opts).await?;
            ctx.print(|| slow::table(&report), || output::json(&report));
            if report.failed() {
                let message = format!(
                    "slow consumer: disconnected {}, {} lost, {} duplicated, {} of the others' messages lost or refused",
                    report.disconnected,
                    report.lost,
                    report.duplicates,
                    report.others.iter().map(|r| r.drops + r.duplicates + r.errors).sum::<u64>()
                );
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
    lost(&reports)
}

/// Fails a run (exit 5) if any message was lost, duplicated or refused.
fn lost(reports: &[Report]) -> Result<(), CliError> {
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
