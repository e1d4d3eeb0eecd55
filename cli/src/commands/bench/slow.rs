//! W9: a slow consumer. One user logs in and stops reading while a friend floods it; beside
//! them, pairs chat as in W3. The server must disconnect the stalled reader once its bounded
//! queue fills, keep its own memory bounded, not slow the others down, and lose nothing: the
//! reader finds every acknowledged message by sync when it returns.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use imchat_sdk::proto::msg::{LoginReq, Message, SyncCursor};
use imchat_sdk::{AdminClient, ChatClient};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};

use crate::Context;
use crate::cli::SlowConsumerBench;
use crate::commands::bench::chat::{Connected, Load, befriend, body, connect, drive, fail, sent_at};
use crate::commands::bench::users::BenchUser;
use crate::commands::bench::{Report, Setup, procs, setup};
use crate::errors::{CliError, ErrorKind, Target, from_sdk};
use crate::output::Table;

/// The stalled reader's socket receive buffer: small, so the server's queue fills quickly.
const STALLED_RCVBUF: u32 = 4096;
/// Flood messages in flight (pipelined on the flooder's connection).
const FLOOD_WINDOW: u64 = 16;
/// How often the flood checks whether the reader was disconnected.
const CHECK_EVERY: Duration = Duration::from_millis(50);
/// How long the reader's login may take to show in the status server.
const LOGIN_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Serialize)]
pub struct SlowReport {
    pub scenario: String,
    /// The other pairs' load beside the flood to a reading reader, then to the stalled one.
    pub others: Vec<Report>,
    /// Flood messages acknowledged (stored) to the flooder.
    pub flood_acked: u64,
    pub flood_errors: u64,
    /// Whether the server dropped the stalled reader, and after how many acknowledged messages.
    pub disconnected: bool,
    pub disconnected_after: u64,
    /// Distinct flood messages the reader found by sync on its return.
    pub synced: u64,
    pub lost: u64,
    pub duplicates: u64,
    /// Growth of the imchat-server processes' RSS over the flood (peak minus before), in KiB.
    pub rss_growth_kib: i64,
}

impl SlowReport {
    pub fn failed(&self) -> bool {
        !self.disconnected
            || self.lost > 0
            || self.duplicates > 0
            || self.others.iter().any(|r| r.drops + r.duplicates + r.errors > 0)
    }
}

pub fn table(report: &SlowReport) -> String {
    let mut out = crate::commands::bench::table(&report.others);
    let mut table = Table::new(&[
        "STALLED READER",
        "FLOOD ACKED",
        "DISCONNECTED AFTER",
        "SYNCED ON RETURN",
        "LOST",
        "DUP",
        "RSS GROWTH",
    ]);
    table.row(vec![
        if report.disconnected { "disconnected".into() } else { "NOT disconnected".into() },
        report.flood_acked.to_string(),
        if report.disconnected { report.disconnected_after.to_string() } else { "-".into() },
        report.synced.to_string(),
        report.lost.to_string(),
        report.duplicates.to_string(),
        format!("{} KiB", report.rss_growth_kib),
    ]);
    out.push_str(&table.render());
    out
}

pub async fn run(ctx: &Context, opts: &SlowConsumerBench) -> Result<SlowReport, CliError> {
    if opts.users < 2 || !opts.users.is_multiple_of(2) {
        return Err(CliError::usage("--users must be an even number of at least 2"));
    }
    let Setup { servers, users: mut people, .. } = setup(ctx, &opts.mail_dir, "slow", opts.users + 2, 1).await?;
    let server = servers[0].clone();
    let reader = people.pop().expect("two extra users");
    let flooder = people.pop().expect("two extra users");
    let status = |err| from_sdk(err, Target::Status(&ctx.status));
    let admin = AdminClient::connect(&ctx.status, ctx.secret.as_deref()).await.map_err(status)?;

    let mut pair = connect(&[flooder.clone(), reader.clone()], &servers, false).await?;
    let flood_thread = befriend(&mut pair).await?[0];
    let mut pair = pair.into_iter();
    let flooding = pair.next().expect("two clients");
    let Connected { chat: reader_chat, events: mut reader_events, .. } = pair.next().expect("two clients");
    let flood = Flood::new(flooding.chat, flooder.uid, reader.uid, flood_thread);

    // Phase 1: the others chat while the flooder floods a reader that reads.
    let load = Load::burst(opts.messages, opts.size, 1, opts.max_secs);
    let mut clients = connect(&people, &servers, false).await?;
    let threads = befriend(&mut clients).await?;
    let draining = tokio::spawn(async move { while reader_events.recv().await.is_some() {} });
    let others = drive(ctx, clients, &threads, &load, "others, beside a reading reader".into());
    let (alone, _, _) = flood.beside(others, opts, None).await?;
    reader_chat.close().await;
    let _ = draining.await;

    // Phase 2: the same, but the reader logs in again and stops reading.
    let before = admin.lookup(reader.uid).await.map_err(status)?.session;
    let _stalled = stalled_login(&server, &reader).await?;
    let deadline = Instant::now() + LOGIN_WAIT;
    let session = loop {
        let now = admin.lookup(reader.uid).await.map_err(status)?;
        if !now.server.is_empty() && now.session != before {
            break now.session;
        }
        if Instant::now() >= deadline {
            return Err(CliError::new(ErrorKind::Internal, "the stalled reader's login did not register"));
        }
        tokio::time::sleep(CHECK_EVERY).await;
    };
    let clients = connect(&people, &servers, false).await?;
    let others = drive(ctx, clients, &threads, &load, "others, beside a stalled reader".into());
    let (beside, gone, rss_growth_kib) = flood.beside(others, opts, Some((&admin, &session, &ctx.status))).await?;
    flood.chat.close().await;

    // The reader returns and syncs everything it missed.
    let (chat, _events) = ChatClient::connect(&server).await.map_err(fail(&server))?;
    chat.login(reader.uid, &reader.token).await.map_err(fail(&server))?;
    let (mut seen, mut total, mut cursor) = (HashSet::new(), 0u64, 0i64);
    loop {
        let page = chat.sync(&[SyncCursor { thread_id: flood_thread, seq: cursor }]).await.map_err(fail(&server))?;
        let mine = page.chat_datas.iter().filter(|d| d.thread_id == flood_thread);
        for data in mine {
            cursor = cursor.max(data.seq);
            // Only the flood: the thread also holds the friend request's greeting.
            if data.sender == flooder.uid && sent_at(&data.content).is_some() {
                total += 1;
                seen.insert(data.message_id);
            }
        }
        if !page.more || page.chat_datas.is_empty() {
            break;
        }
    }
    chat.close().await;

    let acked = flood.acked.load(Ordering::Relaxed);
    let synced = seen.len() as u64;
    Ok(SlowReport {
        scenario: "slow-consumer".into(),
        others: vec![alone, beside],
        flood_acked: acked,
        flood_errors: flood.errors.load(Ordering::Relaxed),
        disconnected: gone.is_some(),
        disconnected_after: gone.unwrap_or(0),
        synced,
        lost: acked.saturating_sub(synced),
        duplicates: total - synced,
        rss_growth_kib,
    })
}

/// Logs `user` in on a socket with a tiny receive buffer that is then never read.
async fn stalled_login(server: &str, user: &BenchUser) -> Result<TcpStream, CliError> {
    let io = |err: std::io::Error| CliError::new(ErrorKind::Unreachable, format!("stalled reader to {server}: {err}"));
    let addr = tokio::net::lookup_host(server)
        .await
        .map_err(io)?
        .next()
        .ok_or_else(|| CliError::new(ErrorKind::Unreachable, format!("{server} does not resolve")))?;
    let socket = if addr.is_ipv4() { TcpSocket::new_v4() } else { TcpSocket::new_v6() }.map_err(io)?;
    socket.set_recv_buffer_size(STALLED_RCVBUF).map_err(io)?;
    let mut stream = socket.connect(addr).await.map_err(io)?;
    let mut buf = BytesMut::new();
    LoginReq { uid: user.uid, token: user.token.clone(), ..LoginReq::default() }
        .encode(&mut buf)
        .expect("a login frame is small");
    stream.write_all(&buf).await.map_err(io)?;
    Ok(stream)
}

/// The flood: one user sending to the reader, `FLOOD_WINDOW` messages in flight, counted
/// across phases.
struct Flood {
    chat: ChatClient,
    from: i32,
    to: i32,
    thread: i64,
    next: Arc<AtomicU64>,
    acked: Arc<AtomicU64>,
    errors: Arc<AtomicU64>,
}

/// What a phase watches for: the stalled reader's session (asked of the status server at the
/// given address) ending.
type Watch<'a> = (&'a AdminClient, &'a str, &'a str);

impl Flood {
    fn new(chat: ChatClient, from: i32, to: i32, thread: i64) -> Flood {
        let counter = Arc::<AtomicU64>::default;
        Flood { chat, from, to, thread, next: counter(), acked: counter(), errors: counter() }
    }

    /// Floods while `others` runs (and, when watching, until the reader is disconnected or
    /// `--flood` is spent). Returns the others' report, the acknowledged count at the
    /// disconnect, and the imchat-server RSS growth over the phase (KiB).
    async fn beside(
        &self,
        others: impl Future<Output = Result<Report, CliError>>,
        opts: &SlowConsumerBench,
        watch: Option<Watch<'_>>,
    ) -> Result<(Report, Option<u64>, i64), CliError> {
        let stop = Arc::new(AtomicBool::new(false));
        let done = AtomicBool::new(false);
        let lanes: Vec<_> = (0..FLOOD_WINDOW).map(|_| tokio::spawn(self.lane(stop.clone(), opts))).collect();
        let rss_before = procs::sample().imchat_rss_now();
        let others = async {
            let report = others.await;
            done.store(true, Ordering::Relaxed);
            report
        };
        let monitor = async {
            let (mut peak, mut gone) = (rss_before, None);
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(CHECK_EVERY).await;
                peak = peak.max(procs::sample().imchat_rss_now());
                if let Some((admin, session, status)) = watch
                    && gone.is_none()
                    && admin.lookup(self.to).await.map_err(|err| from_sdk(err, Target::Status(status)))?.session
                        != session
                {
                    gone = Some(self.acked.load(Ordering::Relaxed));
                }
                if done.load(Ordering::Relaxed) && (watch.is_none() || gone.is_some()) {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            Ok::<_, CliError>((gone, peak))
        };
        let (report, watched) = tokio::join!(others, monitor);
        stop.store(true, Ordering::Relaxed);
        for lane in lanes {
            let _ = lane.await;
        }
        let (gone, peak) = watched?;
        let growth = i64::try_from(peak).unwrap_or(i64::MAX) - i64::try_from(rss_before).unwrap_or(0);
        Ok((report?, gone, growth))
    }

    /// One lane of the flood: sends until stopped or `--flood` messages are taken.
    fn lane(&self, stop: Arc<AtomicBool>, opts: &SlowConsumerBench) -> impl Future<Output = ()> + Send + 'static {
        let chat = self.chat.clone();
        let (next, acked, errors) = (self.next.clone(), self.acked.clone(), self.errors.clone());
        let (from, to, thread, max, size) = (self.from, self.to, self.thread, opts.flood, opts.size);
        async move {
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= max {
                    stop.store(true, Ordering::Relaxed);
                    return;
                }
                let text = body(0, size);
                let unique = format!("{{f-{from}-{n}}}");
                match chat.send_texts(from, to, thread, &[(&text, &unique)]).await {
                    Ok(_) => acked.fetch_add(1, Ordering::Relaxed),
                    Err(_) => errors.fetch_add(1, Ordering::Relaxed),
                };
            }
        }
    }
}
