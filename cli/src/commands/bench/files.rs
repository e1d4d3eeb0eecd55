//! W13: pictures and files through the resource server. Pairs of friends each keep one transfer
//! going (`--users` in flight at once): a file's message (1035), its bytes up (1041/1037 with
//! llfc's window of 5), then its bytes down again (1047). Reports MB/s each way over the
//! measured window, per-transfer latency, errors, and the servers' CPU and resident memory
//! (sampled through the run: memory stays flat however many bytes pass).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use imchat_sdk::files::{FileClient, Outgoing, announce_file};
use imchat_sdk::proto::msg::res::MSG_TYPE_FILE;
use serde::Serialize;
use tokio::sync::Mutex;

use crate::Context;
use crate::cli::FilesBench;
use crate::commands::bench::chat::{Counters, befriend, connect, counters};
use crate::commands::bench::{Setup, micros, procs, setup};
use crate::errors::{CliError, ErrorKind};
use crate::output::Table;

/// How often the servers' resident memory is sampled.
const RSS_EVERY: Duration = Duration::from_millis(250);
/// The bounds of one run.
const MAX_USERS: usize = 1000;
const MAX_FILE_BYTES: u64 = 1 << 30;
const MAX_SECS: u64 = 600;
/// Distinct failures a report keeps.
const ERROR_SAMPLES: usize = 3;

#[derive(Debug, Clone, Default, Serialize)]
pub struct FilesReport {
    pub scenario: String,
    /// Transfers in flight at once (one per user).
    pub concurrency: usize,
    pub file_bytes: u64,
    pub seconds: f64,
    pub uploads: u64,
    pub downloads: u64,
    pub upload_mb_per_sec: f64,
    pub download_mb_per_sec: f64,
    pub upload_p50_us: u64,
    pub upload_p99_us: u64,
    pub download_p50_us: u64,
    pub download_p99_us: u64,
    pub errors: u64,
    pub error_samples: Vec<String>,
    pub server_cpu_s: f64,
    pub server_cpu_s_by_process: Vec<(String, f64)>,
    /// imchat-server processes' resident memory before the transfers and at most during them.
    pub rss_before_kib: u64,
    pub rss_peak_kib: u64,
    /// Pushes (the 1039s to partners) the chat servers gave up during the run, from their own
    /// counters.
    pub given_up: u64,
}

pub fn table(report: &FilesReport) -> String {
    let mut table = Table::new(&["WAY", "TRANSFERS", "MB/S", "P50", "P99", "SERVER RSS"]);
    let rss = format!("{} → {} MiB", report.rss_before_kib / 1024, report.rss_peak_kib / 1024);
    table.row(vec![
        "upload".into(),
        report.uploads.to_string(),
        format!("{:.1}", report.upload_mb_per_sec),
        micros(report.upload_p50_us),
        micros(report.upload_p99_us),
        rss,
    ]);
    table.row(vec![
        "download".into(),
        report.downloads.to_string(),
        format!("{:.1}", report.download_mb_per_sec),
        micros(report.download_p50_us),
        micros(report.download_p99_us),
        format!("{:.1} CPU s · {} pushes given up", report.server_cpu_s, report.given_up),
    ]);
    table.render()
}

/// What the workers measured, in the window after the warm-up.
struct Tally {
    up: Histogram<u64>,
    down: Histogram<u64>,
    errors: u64,
    samples: Vec<String>,
}

impl Tally {
    fn failed(&mut self, what: &str, err: impl std::fmt::Display) {
        self.errors += 1;
        let text = format!("{what}: {err}");
        if self.samples.len() < ERROR_SAMPLES && !self.samples.contains(&text) {
            self.samples.push(text);
        }
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("static bounds")
}

pub async fn run(ctx: &Context, opts: &FilesBench) -> Result<FilesReport, CliError> {
    if opts.users < 2 || !opts.users.is_multiple_of(2) {
        return Err(CliError::usage("--users must be an even number of at least 2"));
    }
    if opts.users > MAX_USERS {
        return Err(CliError::usage(format!("--users is at most {MAX_USERS}")));
    }
    if opts.size == 0 || opts.size > MAX_FILE_BYTES {
        return Err(CliError::usage(format!("--size is 1 to {MAX_FILE_BYTES} bytes")));
    }
    if opts.secs == 0 || opts.secs + opts.warmup > MAX_SECS {
        return Err(CliError::usage(format!("--secs is at least 1, and with --warmup at most {MAX_SECS}")));
    }
    let Setup { servers, users: people, .. } = setup(ctx, &opts.mail_dir, "files", opts.users, 1).await?;
    // The resource server is the one the gate hands out at login.
    let Some(res) = people[0].res.clone() else {
        return Err(CliError::new(ErrorKind::Unreachable, "the gate names no resource server"));
    };
    let mut clients = connect(&people, &servers, servers.len() > 1).await?;
    let threads = befriend(&mut clients).await?;
    let admin = imchat_sdk::AdminClient::connect(&ctx.status, ctx.secret.as_deref())
        .await
        .map_err(|err| crate::errors::from_sdk(err, crate::errors::Target::Status(&ctx.status)))?;
    let before = counters(ctx, &admin, Instant::now()).await?;

    let scratch = std::env::temp_dir().join(format!("imctl-bench-files-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .map_err(|err| CliError::new(ErrorKind::Internal, format!("{}: {err}", scratch.display())))?;
    let result = transfer(ctx, opts, &scratch, &res, clients, &people, &threads).await;
    let _ = std::fs::remove_dir_all(&scratch);
    let mut report = result?;
    let after = counters(ctx, &admin, Instant::now()).await?;
    report.given_up = Counters::grown(&before, &after).given_up;
    Ok(report)
}

/// The measured part of [`run`], with its files under `scratch`.
async fn transfer(
    ctx: &Context,
    opts: &FilesBench,
    scratch: &std::path::Path,
    res: &imchat_sdk::files::ResPlace,
    clients: Vec<crate::commands::bench::chat::Connected>,
    people: &[crate::commands::bench::users::BenchUser],
    threads: &[i64],
) -> Result<FilesReport, CliError> {
    let source = scratch.join("payload.bin");
    // Not all one byte: nothing on the way may compress it.
    let bytes: Vec<u8> = (0..opts.size).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&source, &bytes)
        .map_err(|err| CliError::new(ErrorKind::Internal, format!("{}: {err}", source.display())))?;

    let tally = Arc::new(Mutex::new(Tally { up: histogram(), down: histogram(), errors: 0, samples: Vec::new() }));
    let start = Instant::now();
    let measured_from = start + Duration::from_secs(opts.warmup);
    let end = measured_from + Duration::from_secs(opts.secs);
    let before_rss = procs::sample().imchat_rss_now();
    let mut cpu_before = None;
    let mut workers = tokio::task::JoinSet::new();
    let mut drains = tokio::task::JoinSet::new();
    for (idx, client) in clients.into_iter().enumerate() {
        let partner = people[idx ^ 1].uid;
        let thread_id = threads[idx / 2];
        let (res, tally, source) = (res.to_owned(), tally.clone(), source.clone());
        let down_dir: PathBuf = scratch.join(format!("down-{idx}"));
        let crate::commands::bench::chat::Connected { uid, token, chat, mut events, .. } = client;
        // The partner's 1039s arrive here; unread, they would stall the connection's replies.
        drains.spawn(async move { while events.recv().await.is_some() {} });
        workers.spawn(async move {
            let _ = std::fs::create_dir_all(&down_dir);
            let mut files = match FileClient::open(&res, uid, &token).await {
                Ok(files) => files,
                Err(err) => return tally.lock().await.failed("resource connection", err),
            };
            let mut n = 0u64;
            while Instant::now() < end {
                n += 1;
                let unique = format!("{{bench-file-{uid}-{n}}}");
                let out = Outgoing {
                    me: uid,
                    touid: partner,
                    thread_id,
                    path: &source,
                    msg_type: MSG_TYPE_FILE,
                    unique_id: &unique,
                };
                let began = Instant::now();
                let sent = match announce_file(&chat, &out).await {
                    Ok(sent) => sent,
                    Err(err) => {
                        tally.lock().await.failed("1035", err);
                        continue;
                    }
                };
                let name = sent.message.unique_name;
                if let Err(err) = files.upload(&source, &name, &sent.md5, 1, |_, _| {}).await {
                    tally.lock().await.failed("upload", err);
                    continue;
                }
                let uploaded = Instant::now();
                let copy = down_dir.join("copy");
                let got = files.download(&name, false, &copy, |_, _| {}).await;
                let downloaded = Instant::now();
                let mut t = tally.lock().await;
                if uploaded >= measured_from && uploaded <= end {
                    t.up.saturating_record((uploaded - began).as_micros() as u64);
                }
                match got {
                    Ok(size) if size == sent.size => {
                        if downloaded >= measured_from && downloaded <= end {
                            t.down.saturating_record((downloaded - uploaded).as_micros() as u64);
                        }
                    }
                    Ok(size) => t.failed("download", format!("{size} bytes, not {}", sent.size)),
                    Err(err) => t.failed("download", err),
                }
            }
        });
    }
    // Memory through the run; the CPU from the end of the warm-up.
    let mut rss_peak = before_rss;
    let bar = crate::commands::progress(ctx, (opts.warmup + opts.secs) as usize, "transferring");
    while !workers.is_empty() {
        tokio::select! {
            joined = workers.join_next() => { if joined.is_none() { break } }
            () = tokio::time::sleep(RSS_EVERY) => {
                rss_peak = rss_peak.max(procs::sample().imchat_rss_now());
                if cpu_before.is_none() && Instant::now() >= measured_from {
                    cpu_before = Some(procs::sample());
                }
                bar.set_position(start.elapsed().as_secs());
            }
        }
    }
    bar.finish_and_clear();
    drains.abort_all();
    let cpu_after = procs::sample();
    let cpu_before = cpu_before.unwrap_or_default();
    let t = tally.lock().await;
    let mb = |count: u64| (count * opts.size) as f64 / 1e6 / opts.secs as f64;
    Ok(FilesReport {
        scenario: format!("files {} KiB × {} in flight", opts.size / 1024, opts.users),
        concurrency: opts.users,
        file_bytes: opts.size,
        seconds: opts.secs as f64,
        uploads: t.up.len(),
        downloads: t.down.len(),
        upload_mb_per_sec: mb(t.up.len()),
        download_mb_per_sec: mb(t.down.len()),
        upload_p50_us: t.up.value_at_quantile(0.5),
        upload_p99_us: t.up.value_at_quantile(0.99),
        download_p50_us: t.down.value_at_quantile(0.5),
        download_p99_us: t.down.value_at_quantile(0.99),
        errors: t.errors,
        error_samples: t.samples.clone(),
        server_cpu_s: cpu_after.cpu_since(&cpu_before),
        server_cpu_s_by_process: cpu_after.cpu_by_process(&cpu_before),
        rss_before_kib: before_rss,
        rss_peak_kib: rss_peak,
        given_up: 0,
    })
}
