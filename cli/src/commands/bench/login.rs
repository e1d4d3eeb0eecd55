//! W2: login storms. The token path (TCP connect + 1005 with a valid token) and the password
//! path (HTTP `/user_login`, an argon2id verification and a token) are measured separately;
//! the password path is compared with this machine's argon2id ceiling measured alone.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use hdrhistogram::Histogram;
use serde::Serialize;

use crate::Context;
use crate::cli::LoginBench;
use crate::commands::bench::users::BenchUser;
use crate::commands::bench::{Setup, procs, setup_over};
use crate::errors::CliError;
use crate::output::Table;

/// How long the argon2id ceiling is measured.
const CEILING_WINDOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Serialize)]
pub struct LoginReport {
    pub scenario: String,
    pub logins_per_path: usize,
    pub errors: u64,
    /// The first few distinct failures, as the client saw them.
    pub error_samples: Vec<String>,
    pub token_per_sec: f64,
    pub token_p99_us: u64,
    /// CPU of the server processes (imchat-server, MariaDB, Redis) per token login.
    pub token_server_cpu_us: f64,
    pub password_per_sec: f64,
    pub password_p99_us: u64,
    /// argon2id verifications per second on all cores of this machine, nothing else running.
    pub argon2_ceiling_per_sec: f64,
    /// Password logins per second as a share of the ceiling.
    pub password_vs_ceiling: f64,
}

pub fn table(report: &LoginReport) -> String {
    let mut table = Table::new(&["PATH", "LOGINS", "PER SEC", "P99", "NOTE"]);
    let mut row = |path: &str, per_sec: f64, p99_us: u64, note: String| {
        // A path that was not run has no rate.
        if per_sec > 0.0 {
            let p99 = format!("{:.1}ms", p99_us as f64 / 1000.0);
            table.row(vec![path.into(), report.logins_per_path.to_string(), format!("{per_sec:.0}"), p99, note]);
        }
    };
    let cpu = format!("{:.0} µs of server CPU each", report.token_server_cpu_us);
    row("token (chat 1005)", report.token_per_sec, report.token_p99_us, cpu);
    let share = format!(
        "{:.0}% of the argon2id ceiling ({:.0}/s)",
        report.password_vs_ceiling * 100.0,
        report.argon2_ceiling_per_sec
    );
    row("password (HTTP)", report.password_per_sec, report.password_p99_us, share);
    table.render()
}

/// Distinct failures a report keeps.
const ERROR_SAMPLES: usize = 3;

/// What a storm measured.
struct Storm {
    per_sec: f64,
    p99_us: u64,
    errors: u64,
    samples: Vec<String>,
}

/// Runs `work(n)` for n in 0..total with `concurrency` in flight.
async fn storm<F, Fut>(total: usize, concurrency: usize, work: F) -> Storm
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let work = Arc::new(work);
    let next = Arc::new(Mutex::new(0usize));
    let histogram = Arc::new(Mutex::new(Histogram::<u64>::new_with_bounds(1, 600_000_000, 3).expect("bounds")));
    let errors = Arc::new(Mutex::new((0u64, Vec::<String>::new())));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (work, next, histogram, errors) = (work.clone(), next.clone(), histogram.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = {
                    let mut next = next.lock().unwrap_or_else(|p| p.into_inner());
                    let n = *next;
                    *next += 1;
                    n
                };
                if n >= total {
                    return;
                }
                let began = Instant::now();
                match work(n).await {
                    Ok(()) => {
                        let us = u64::try_from(began.elapsed().as_micros()).unwrap_or(u64::MAX).max(1);
                        let _ = histogram.lock().unwrap_or_else(|p| p.into_inner()).record(us);
                    }
                    Err(err) => {
                        let (count, samples) = &mut *errors.lock().unwrap_or_else(|p| p.into_inner());
                        *count += 1;
                        if samples.len() < ERROR_SAMPLES && !samples.contains(&err) {
                            samples.push(err);
                        }
                    }
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let ok = histogram.lock().unwrap_or_else(|p| p.into_inner()).len();
    let p99 = histogram.lock().unwrap_or_else(|p| p.into_inner()).value_at_quantile(0.99);
    let (errors, samples) = std::mem::take(&mut *errors.lock().unwrap_or_else(|p| p.into_inner()));
    Storm { per_sec: ok as f64 / seconds, p99_us: p99, errors, samples }
}

/// argon2id verifications per second with every core busy.
async fn argon2_ceiling() -> f64 {
    let hash = Argon2::default().hash_password(b"ceiling-probe").map(|h| h.to_string()).unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = Vec::new();
    for _ in 0..cores {
        let hash = hash.clone();
        threads.push(tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).expect("a hash we just made");
            let start = Instant::now();
            let mut done = 0u64;
            while start.elapsed() < CEILING_WINDOW {
                let _ = Argon2::default().verify_password(b"ceiling-probe", &parsed);
                done += 1;
            }
            done as f64 / start.elapsed().as_secs_f64()
        }));
    }
    let mut total = 0.0;
    for thread in threads {
        total += thread.await.unwrap_or(0.0);
    }
    total
}

pub async fn run(ctx: &Context, opts: &LoginBench) -> Result<LoginReport, CliError> {
    let Setup { servers, gate, users, dial } =
        setup_over(ctx, &opts.mail_dir, "login", opts.users.max(1), 1, opts.tls).await?;
    let people: Arc<Vec<BenchUser>> = Arc::new(users);
    let total = people.len() * opts.rounds.max(1);
    let mut report = LoginReport {
        scenario: "login".into(),
        logins_per_path: total,
        errors: 0,
        error_samples: Vec::new(),
        token_per_sec: 0.0,
        token_p99_us: 0,
        token_server_cpu_us: 0.0,
        password_per_sec: 0.0,
        password_p99_us: 0,
        argon2_ceiling_per_sec: 0.0,
        password_vs_ceiling: 0.0,
    };

    if opts.path.token() {
        let (servers, tokens, dial) = (Arc::new(servers), people.clone(), dial.clone());
        let before = procs::sample();
        let run = storm(total, opts.concurrency, move |n| {
            let (servers, people, dial) = (servers.clone(), tokens.clone(), dial.clone());
            async move {
                let user = &people[n % people.len()];
                let server = &servers[n % servers.len()];
                let (chat, _events) = dial.connect(server).await.map_err(|err| format!("connect {server}: {err}"))?;
                let login = chat.login(user.uid, &user.token).await.map(|_| ()).map_err(|err| format!("1005: {err}"));
                chat.close().await;
                login
            }
        })
        .await;
        let cpu = procs::sample().cpu_since(&before);
        report.token_per_sec = run.per_sec;
        report.token_p99_us = run.p99_us;
        report.token_server_cpu_us = cpu * 1e6 / total as f64;
        report.errors += run.errors;
        report.error_samples.extend(run.samples);
    }

    if opts.path.password() {
        let passwords = people.clone();
        let gate = Arc::new(gate);
        let run = storm(total, opts.concurrency, move |n| {
            let (gate, people) = (gate.clone(), passwords.clone());
            async move {
                let user = &people[n % people.len()];
                gate.login(&user.email, &user.password).await.map(|_| ()).map_err(|err| format!("/user_login: {err}"))
            }
        })
        .await;
        let ceiling = argon2_ceiling().await;
        report.password_per_sec = run.per_sec;
        report.password_p99_us = run.p99_us;
        report.argon2_ceiling_per_sec = ceiling;
        report.password_vs_ceiling = if ceiling > 0.0 { run.per_sec / ceiling } else { 0.0 };
        report.errors += run.errors;
        report.error_samples.extend(run.samples);
    }
    Ok(report)
}
