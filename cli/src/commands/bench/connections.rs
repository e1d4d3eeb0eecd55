//! W1: many authenticated connections that only heartbeat. Reports what each idle connection
//! costs the chat servers in memory, and the CPU they burn while idle. Past `--per-process`
//! connections they are held by worker processes (this binary again, in `--worker` mode),
//! because one process may open only so many sockets. The generator runs as `SCHED_BATCH`
//! (see [`sched`]), so the servers' idle CPU is theirs, not the price of waking it.

use std::process::Stdio;
use std::time::{Duration, Instant};

use imchat_sdk::ChatClient;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

use crate::Context;
use crate::cli::ConnectionsBench;
use crate::commands::bench::users::{self, BenchUser};
use crate::commands::bench::{Setup, cluster, procs, sched, setup};
use crate::errors::{CliError, ErrorKind};
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
    /// Load-generator processes that held the connections.
    pub processes: usize,
    /// Growth of the imchat-server processes' resident memory per connection, in bytes.
    pub rss_bytes_per_conn: f64,
    /// CPU the server processes used while idle, as a share of one core.
    pub idle_cpu_share: f64,
    pub idle_seconds: f64,
}

/// What a worker reports: once connected, and once done.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct WorkerLine {
    connected: usize,
    errors: usize,
    alive: usize,
}

pub fn table(report: &ConnReport) -> String {
    let mut table = Table::new(&["SCENARIO", "CONNS", "ALIVE", "ERR", "PROCS", "RSS/CONN", "IDLE CPU"]);
    table.row(vec![
        report.scenario.clone(),
        report.connections.to_string(),
        report.alive.to_string(),
        report.errors.to_string(),
        report.processes.to_string(),
        format!("{:.1} KiB", report.rss_bytes_per_conn / 1024.0),
        format!("{:.2}% of a core", report.idle_cpu_share * 100.0),
    ]);
    table.render()
}

/// Idle connections held by this process.
struct Held {
    clients: Vec<(ChatClient, tokio::sync::mpsc::Receiver<imchat_sdk::Event>, tokio::task::JoinHandle<()>)>,
    errors: usize,
}

impl Held {
    /// Connects `people` (global index `first + i`) round-robin over `servers`.
    async fn connect(ctx: &Context, people: &[BenchUser], first: usize, servers: &[String]) -> Held {
        let bar = crate::commands::progress(ctx, people.len(), "connecting");
        let mut held = Held { clients: Vec::with_capacity(people.len()), errors: 0 };
        for (idx, user) in people.iter().enumerate() {
            let addr = &servers[(first + idx) % servers.len()];
            match ChatClient::connect(addr).await {
                Ok((chat, events)) => match chat.login(user.uid, &user.token).await {
                    Ok(_) => {
                        let beat = chat.spawn_heartbeat(user.uid, HEARTBEAT_EVERY);
                        held.clients.push((chat, events, beat));
                    }
                    Err(_) => held.errors += 1,
                },
                Err(_) => held.errors += 1,
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        held
    }

    /// Counts the connections still up, then closes them.
    async fn close(self) -> usize {
        let alive = self.clients.iter().filter(|(_, _, beat)| !beat.is_finished()).count();
        for (chat, _, beat) in &self.clients {
            beat.abort();
            chat.close().await;
        }
        alive
    }
}

pub async fn run(ctx: &Context, opts: &ConnectionsBench) -> Result<ConnReport, CliError> {
    // Before any worker process or thread starts: they inherit it.
    sched::batch();
    let per_process = opts.per_process.max(1);
    if opts.users > per_process && opts.seeded.is_none() {
        return Err(CliError::usage(format!(
            "more than {per_process} connections are held by several processes and need seeded accounts: \
             create them with `imchat-server seed` and pass --seeded PREFIX"
        )));
    }
    let before = procs::sample();
    let rss_before = before.imchat_rss_now();
    let (connected, errors, processes, finish) = if opts.users > per_process {
        let workers = Workers::spawn(ctx, opts).await?;
        let (connected, errors) = workers.ready;
        (connected, errors, workers.children.len(), Finish::Workers(workers))
    } else {
        let (servers, people) = match &opts.seeded {
            Some(prefix) => {
                let (servers, gate) = cluster(ctx, 1).await?;
                let bar = crate::commands::progress(ctx, opts.users, "logging in");
                let people = users::seeded(&gate, prefix, opts.first..opts.first + opts.users, &bar).await?;
                bar.finish_and_clear();
                (servers, people)
            }
            None => {
                let Setup { servers, users, .. } = setup(ctx, &opts.mail_dir, "conn", opts.users, 1).await?;
                (servers, users)
            }
        };
        let held = Held::connect(ctx, &people, opts.first, &servers).await;
        (held.clients.len(), held.errors, 1, Finish::Here(held))
    };
    let connected_at = procs::sample();
    let rss_after = connected_at.imchat_rss_now();
    let idle_start = Instant::now();
    tokio::time::sleep(Duration::from_secs(opts.idle_secs)).await;
    let idle = idle_start.elapsed().as_secs_f64();
    let after = procs::sample();
    let alive = match finish {
        Finish::Here(held) => held.close().await,
        Finish::Workers(workers) => workers.finish().await?,
    };
    Ok(ConnReport {
        scenario: "connections".into(),
        connections: opts.users,
        alive,
        errors,
        processes,
        rss_bytes_per_conn: rss_after.saturating_sub(rss_before) as f64 * 1024.0 / connected.max(1) as f64,
        idle_cpu_share: after.cpu_since(&connected_at) / idle,
        idle_seconds: idle,
    })
}

enum Finish {
    Here(Held),
    Workers(Workers),
}

/// `--worker`: log in and connect the slice, say so on stdout, hold the connections until
/// stdin closes, then report how many stayed up.
pub async fn worker(ctx: &Context, opts: &ConnectionsBench) -> Result<(), CliError> {
    let prefix = opts.seeded.as_deref().ok_or_else(|| CliError::usage("--worker needs --seeded"))?;
    let (servers, gate) = cluster(ctx, 1).await?;
    let hidden = indicatif::ProgressBar::hidden();
    let people = users::seeded(&gate, prefix, opts.first..opts.first + opts.users, &hidden).await?;
    let held = Held::connect(ctx, &people, opts.first, &servers).await;
    let line = WorkerLine { connected: held.clients.len(), errors: held.errors, alive: 0 };
    println!("{}", serde_json::to_string(&line).expect("plain data"));
    let _ = tokio::task::spawn_blocking(|| std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new())).await;
    let alive = held.close().await;
    println!("{}", serde_json::to_string(&WorkerLine { alive, ..line }).expect("plain data"));
    Ok(())
}

/// Worker processes, each holding up to `--per-process` connections.
struct Workers {
    children: Vec<(Child, tokio::io::Lines<BufReader<ChildStdout>>)>,
    /// Connections up, and failures, once every worker reported.
    ready: (usize, usize),
}

impl Workers {
    async fn spawn(ctx: &Context, opts: &ConnectionsBench) -> Result<Workers, CliError> {
        let internal = |what: &str, err: std::io::Error| CliError::new(ErrorKind::Internal, format!("{what}: {err}"));
        let exe = std::env::current_exe().map_err(|err| internal("cannot find this program", err))?;
        let prefix = opts.seeded.as_deref().expect("checked by the caller");
        let mut children = Vec::new();
        let mut first = opts.first;
        let end = opts.first + opts.users;
        while first < end {
            let count = (end - first).min(opts.per_process.max(1));
            let mut child = Command::new(&exe)
                .args(["--gate", &ctx.gate, "--status", &ctx.status, "-q", "bench", "connections", "--worker"])
                .args(["--seeded", prefix, "--first", &first.to_string(), "--users", &count.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .map_err(|err| internal("cannot start a worker", err))?;
            let stdout = child.stdout.take().expect("piped");
            children.push((child, BufReader::new(stdout).lines()));
            first += count;
        }
        let bar = crate::commands::progress(ctx, children.len(), "workers connecting");
        let mut ready = (0, 0);
        for (_, lines) in &mut children {
            let line = read_line(lines).await?;
            ready = (ready.0 + line.connected, ready.1 + line.errors);
            bar.inc(1);
        }
        bar.finish_and_clear();
        Ok(Workers { children, ready })
    }

    /// Tells every worker to stop and sums the connections that stayed up.
    async fn finish(self) -> Result<usize, CliError> {
        let mut alive = 0;
        let mut children = self.children;
        for (child, _) in &mut children {
            drop(child.stdin.take());
        }
        for (mut child, mut lines) in children {
            alive += read_line(&mut lines).await?.alive;
            let _ = child.wait().await;
        }
        Ok(alive)
    }
}

async fn read_line(lines: &mut tokio::io::Lines<BufReader<ChildStdout>>) -> Result<WorkerLine, CliError> {
    let line = lines
        .next_line()
        .await
        .ok()
        .flatten()
        .ok_or_else(|| CliError::new(ErrorKind::Internal, "a bench worker exited early (see its errors above)"))?;
    serde_json::from_str(&line)
        .map_err(|err| CliError::new(ErrorKind::Internal, format!("a bench worker said {line:?}: {err}")))
}
