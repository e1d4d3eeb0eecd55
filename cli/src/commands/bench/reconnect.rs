//! W8: a reconnect storm. Pairs of friends sit on two chat servers; every client of the first
//! server drops its connection while its partner keeps writing, then all of them come back at
//! once: a chat login with the token they hold (or, with `--password`, a fresh HTTP login
//! first) and a paged sync from the cursor they had. Each must find exactly what it missed;
//! the storm lasts from the first reconnect to the last client caught up.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use imchat_sdk::proto::msg::SyncCursor;
use imchat_sdk::{ChatClient, GateClient};
use serde::Serialize;
use tokio::task::JoinSet;

use crate::Context;
use crate::cli::ReconnectBench;
use crate::commands::bench::chat::{befriend, connect, fail};
use crate::commands::bench::users::BenchUser;
use crate::commands::bench::{Setup, procs, setup};
use crate::errors::{CliError, ErrorKind};
use crate::output::Table;

#[derive(Debug, Clone, Serialize)]
pub struct ReconnectReport {
    pub scenario: String,
    /// Clients that dropped and came back, and the messages each missed meanwhile.
    pub users: usize,
    pub missed_each: u64,
    /// Clients whose sync brought exactly what they missed.
    pub resumed: usize,
    pub errors: u64,
    pub error_samples: Vec<String>,
    /// Missed messages a sync did not bring, and messages it brought twice.
    pub missing: u64,
    pub duplicates: u64,
    /// From the first reconnect to the last client caught up, and per client (login + sync).
    pub storm_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Sync requests per client (paged).
    pub sync_requests_each: f64,
    /// CPU seconds of the server processes during the storm.
    pub server_cpu_s: f64,
}

/// One client's comeback: how long it took, what it found.
struct Comeback {
    took: Duration,
    found: u64,
    duplicates: u64,
    requests: u64,
}

pub async fn run(ctx: &Context, opts: &ReconnectBench) -> Result<ReconnectReport, CliError> {
    let Setup { servers, gate, users: people, .. } = setup(ctx, &opts.mail_dir, "w8", opts.users * 2, 2).await?;
    let mut clients = connect(&people, &servers, true).await?;
    let threads = befriend(&mut clients).await?;
    // Each reconnecting client (even index, first server) learns its cursor, then drops.
    let mut cursors = Vec::with_capacity(opts.users);
    for (pair, thread) in clients.chunks(2).zip(&threads) {
        let sync = pair[0].chat.sync(&[]).await.map_err(fail(&pair[0].addr))?;
        let seq = sync.threads.iter().find(|t| t.thread_id == *thread).map_or(0, |t| t.last_seq);
        cursors.push(SyncCursor { thread_id: *thread, seq });
    }
    for pair in clients.chunks(2) {
        pair[0].chat.close().await;
    }
    // Their partners write while they are away; every text is stored before its 1018.
    let mut writers = JoinSet::new();
    for (pair, thread) in clients.chunks(2).zip(&threads) {
        let (partner, to, thread, missed) = (pair[1].chat.clone(), pair[0].uid, *thread, opts.missed);
        let from = pair[1].uid;
        writers.spawn(async move {
            for n in 0..missed {
                let text = format!("missed {n}");
                let unique = format!("{{w8-{from}-{n}}}");
                partner.send_texts(from, to, thread, &[(&text, &unique)]).await?;
            }
            Ok::<(), imchat_sdk::SdkError>(())
        });
    }
    while let Some(done) = writers.join_next().await {
        done.map_err(|err| CliError::new(ErrorKind::Rejected, err.to_string()))?.map_err(fail(&servers[1]))?;
    }

    let before = procs::sample();
    let started = Instant::now();
    let mut storm = JoinSet::new();
    for (idx, cursor) in cursors.iter().enumerate() {
        let user = people[idx * 2].clone();
        let (addr, gate, cursor, password) = (servers[0].clone(), gate.clone(), *cursor, opts.password);
        storm.spawn(async move { come_back(&user, &addr, &gate, cursor, password).await });
    }
    let bar = crate::commands::progress(ctx, opts.users, "reconnecting");
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds");
    let (mut resumed, mut errors, mut missing, mut duplicates, mut requests) = (0, 0, 0, 0, 0);
    let mut error_samples = Vec::new();
    while let Some(done) = storm.join_next().await {
        bar.inc(1);
        match done.map_err(|err| err.to_string()).and_then(|r| r) {
            Ok(back) => {
                let _ = histogram.record(u64::try_from(back.took.as_micros()).unwrap_or(u64::MAX).max(1));
                missing += opts.missed.saturating_sub(back.found);
                duplicates += back.duplicates;
                requests += back.requests;
                if back.found == opts.missed && back.duplicates == 0 {
                    resumed += 1;
                }
            }
            Err(err) => {
                errors += 1;
                if error_samples.len() < 3 {
                    error_samples.push(err);
                }
            }
        }
    }
    let storm_ms = started.elapsed().as_secs_f64() * 1e3;
    bar.finish_and_clear();
    let cpu = procs::sample().cpu_since(&before);
    for client in &clients {
        client.chat.close().await;
    }
    let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1e3;
    Ok(ReconnectReport {
        scenario: format!(
            "reconnect --users {} --missed {}{}",
            opts.users,
            opts.missed,
            if opts.password { " --password" } else { "" }
        ),
        users: opts.users,
        missed_each: opts.missed,
        resumed,
        errors,
        error_samples,
        missing,
        duplicates,
        storm_ms,
        p50_ms: ms(0.5),
        p99_ms: ms(0.99),
        max_ms: histogram.max() as f64 / 1e3,
        sync_requests_each: requests as f64 / opts.users.max(1) as f64,
        server_cpu_s: cpu,
    })
}

/// One client back: (an HTTP login,) a chat login, then a paged sync from `cursor`, counting
/// the messages of its thread past it.
async fn come_back(
    user: &BenchUser,
    addr: &str,
    gate: &GateClient,
    cursor: SyncCursor,
    password: bool,
) -> Result<Comeback, String> {
    let started = Instant::now();
    let token = if password {
        gate.login(&user.email, &user.password).await.map_err(|err| format!("HTTP login: {err}"))?.token
    } else {
        user.token.clone()
    };
    let (chat, _events) = ChatClient::connect(addr).await.map_err(|err| err.to_string())?;
    chat.login(user.uid, &token).await.map_err(|err| err.to_string())?;
    let (mut held, mut after, mut requests) = (vec![cursor], 0, 0);
    let (mut found, mut duplicates) = (0, 0);
    let mut seen = std::collections::HashSet::new();
    loop {
        let page = chat.sync_page(&held, None, after).await.map_err(|err| err.to_string())?;
        requests += 1;
        for data in page.chat_datas.iter().filter(|d| d.thread_id == cursor.thread_id && d.seq > cursor.seq) {
            if seen.insert(data.seq) {
                found += 1;
            } else {
                duplicates += 1;
            }
        }
        // Cursors move to what arrived, as a client's would.
        for data in &page.chat_datas {
            match held.iter_mut().find(|c| c.thread_id == data.thread_id) {
                Some(c) => c.seq = c.seq.max(data.seq),
                None => held.push(SyncCursor { thread_id: data.thread_id, seq: data.seq }),
            }
        }
        if !page.more {
            break;
        }
        after = page.next_thread.unwrap_or(0);
    }
    let took = started.elapsed();
    chat.close().await;
    Ok(Comeback { took, found, duplicates, requests })
}

pub fn table(r: &ReconnectReport) -> String {
    let mut table = Table::new(&[
        "SCENARIO", "USERS", "RESUMED", "ERR", "MISSING", "DUP", "STORM", "P50", "P99", "MAX", "SYNC REQ",
    ]);
    table.row(vec![
        r.scenario.clone(),
        r.users.to_string(),
        r.resumed.to_string(),
        r.errors.to_string(),
        r.missing.to_string(),
        r.duplicates.to_string(),
        format!("{:.0}ms", r.storm_ms),
        format!("{:.1}ms", r.p50_ms),
        format!("{:.1}ms", r.p99_ms),
        format!("{:.1}ms", r.max_ms),
        format!("{:.1}", r.sync_requests_each),
    ]);
    table.render()
}
