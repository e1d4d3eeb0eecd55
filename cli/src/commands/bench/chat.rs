//! W3/W4: pairs of friends chat 1:1, every sender with `--window` messages in flight; each
//! message is stored before its 1018 and pushed to the partner as 1019, on the same server or
//! across two.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use imchat_sdk::{AdminClient, ChatClient, Event};
use tokio::sync::mpsc;

use crate::Context;
use crate::cli::ChatBench;
use crate::commands::bench::users::BenchUser;
use crate::commands::bench::{Report, Setup, procs, setup};
use crate::errors::{CliError, ErrorKind, Target, from_sdk};

/// Marks bench messages: `bench|<send time µs>|<padding>`.
pub const PREFIX: &str = "bench|";

/// The body of a bench message of `size` bytes sent at `sent_us`.
pub fn body(sent_us: u128, size: usize) -> String {
    let head = format!("{PREFIX}{sent_us}|");
    let pad = size.saturating_sub(head.len());
    head + &"x".repeat(pad)
}

/// The send time carried in a bench message.
pub fn sent_at(body: &str) -> Option<u128> {
    body.strip_prefix(PREFIX)?.split('|').next()?.parse().ok()
}

/// Latencies and counts gathered by the receivers.
pub struct Tally {
    pub histogram: Histogram<u64>,
    pub delivered: u64,
    pub duplicates: u64,
    pub last: Instant,
}

impl Tally {
    pub fn new() -> Tally {
        Tally {
            histogram: Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds"),
            delivered: 0,
            duplicates: 0,
            last: Instant::now(),
        }
    }

    pub fn record(&mut self, start: Instant, sent_us: u128) {
        let now_us = start.elapsed().as_micros();
        let _ = self.histogram.record(u64::try_from(now_us.saturating_sub(sent_us)).unwrap_or(u64::MAX).max(1));
        self.delivered += 1;
        self.last = Instant::now();
    }
}

/// Maps a chat-server failure, naming the server.
pub fn fail(addr: &str) -> impl Fn(imchat_sdk::SdkError) -> CliError + '_ {
    move |err| from_sdk(err, Target::Chat(addr))
}

/// A connected, logged-in bench user.
pub struct Connected {
    pub uid: i32,
    pub chat: ChatClient,
    pub events: mpsc::Receiver<Event>,
    /// The chat server it is connected to, for error messages.
    pub addr: String,
}

/// The shape of one load: what each user sends, and how fast.
#[derive(Debug, Clone)]
pub struct Load {
    pub messages: u64,
    pub size: usize,
    pub window: u64,
    /// Open loop at this total rate; closed loop (as fast as replies come back) when `None`.
    pub rate: Option<u64>,
    pub max_secs: u64,
}

impl Load {
    pub fn of(opts: &ChatBench) -> Load {
        Load { messages: opts.messages, size: opts.size, window: opts.window, rate: opts.rate, max_secs: opts.max_secs }
    }
}

pub async fn run(ctx: &Context, opts: &ChatBench) -> Result<Report, CliError> {
    if opts.users < 2 || !opts.users.is_multiple_of(2) {
        return Err(CliError::usage("--users must be an even number of at least 2"));
    }
    let needed = if opts.cross_server { 2 } else { 1 };
    let Setup { servers, users: people, .. } = setup(ctx, &opts.mail_dir, "bench", opts.users, needed).await?;
    let mut clients = connect(&people, &servers, opts.cross_server).await?;
    let threads = befriend(&mut clients).await?;
    let admin = AdminClient::connect(&ctx.status).await.map_err(|err| from_sdk(err, Target::Status(&ctx.status)))?;
    let before = peer_traffic(ctx, &admin, Instant::now()).await?;
    let mut report =
        drive(ctx, clients, &threads, &Load::of(opts), scenario(opts.cross_server, &Load::of(opts))).await?;
    let after = peer_traffic(ctx, &admin, Instant::now()).await?;
    report.peer_calls = Some(after.0.saturating_sub(before.0));
    report.peer_frames = Some(after.1.saturating_sub(before.1));
    Ok(report)
}

/// How long the chat servers may take to announce their counters (they do every
/// `[Limits] RegistryIntervalMs`, 2 s by default).
const ANNOUNCE_WAIT: Duration = Duration::from_secs(30);

/// The live chat servers' peer counters (calls, frames) summed, from announcements made after
/// `mark`, so they include everything sent before it.
async fn peer_traffic(ctx: &Context, admin: &AdminClient, mark: Instant) -> Result<(u64, u64), CliError> {
    loop {
        // Taken before asking, so an entry counts only if it is surely newer than `mark`.
        let since_ms = i64::try_from(mark.elapsed().as_millis()).unwrap_or(i64::MAX);
        let servers = admin.servers().await.map_err(|err| from_sdk(err, Target::Status(&ctx.status)))?;
        let live: Vec<_> = servers.iter().filter(|s| s.live).collect();
        if live.iter().all(|s| s.heartbeat_age_ms < since_ms) {
            return Ok(live.iter().fold((0, 0), |(calls, frames), s| (calls + s.peer_calls, frames + s.peer_frames)));
        }
        if mark.elapsed() > ANNOUNCE_WAIT {
            let message = format!("the chat servers did not announce themselves within {ANNOUNCE_WAIT:?}");
            return Err(CliError::new(ErrorKind::Unreachable, message));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The scenario's name as the command line that runs it.
pub fn scenario(cross_server: bool, load: &Load) -> String {
    format!(
        "chat --{}{}{}",
        if cross_server { "cross-server" } else { "same-server" },
        if load.window > 1 { format!(" --window {}", load.window) } else { String::new() },
        load.rate.map_or(String::new(), |rate| format!(" --rate {rate}"))
    )
}

/// Connects and logs in `people`: all on the first server, or neighbours on different ones.
pub async fn connect(people: &[BenchUser], servers: &[String], cross_server: bool) -> Result<Vec<Connected>, CliError> {
    let mut clients = Vec::with_capacity(people.len());
    for (idx, user) in people.iter().enumerate() {
        let addr = if cross_server { &servers[idx % 2] } else { &servers[0] };
        let (chat, events) = ChatClient::connect(addr).await.map_err(fail(addr))?;
        chat.login(user.uid, &user.token).await.map_err(fail(addr))?;
        clients.push(Connected { uid: user.uid, chat, events, addr: addr.clone() });
    }
    Ok(clients)
}

/// Pairs (0,1), (2,3), ... become friends; returns each pair's thread.
pub async fn befriend(clients: &mut [Connected]) -> Result<Vec<i64>, CliError> {
    let mut threads = Vec::with_capacity(clients.len() / 2);
    for pair in clients.chunks_mut(2) {
        let [a, b] = pair else { return Err(CliError::usage("users come in pairs")) };
        a.chat.add_friend(a.uid, b.uid, "bench", "").await.map_err(fail(&a.addr))?;
        notified(b, "the friend request (1011)", |e| matches!(e, Event::FriendRequest(_))).await?;
        let accepted = b.chat.accept_friend(b.uid, a.uid, "").await.map_err(fail(&b.addr))?;
        notified(a, "the acceptance (1015)", |e| matches!(e, Event::FriendAccepted(_))).await?;
        threads.push(accepted.chat_datas.first().map_or(0, |d| d.thread_id));
    }
    Ok(threads)
}

/// How long a befriending notification may take.
const NOTIFY_WAIT: Duration = Duration::from_secs(10);

/// Waits for `client`'s event that `is`, so nothing of the setup is still on its way (across
/// servers, say) when the measured run starts.
async fn notified(client: &mut Connected, what: &str, is: impl Fn(&Event) -> bool) -> Result<(), CliError> {
    let waiting = async {
        while let Some(event) = client.events.recv().await {
            if is(&event) {
                return true;
            }
        }
        false
    };
    match tokio::time::timeout(NOTIFY_WAIT, waiting).await {
        Ok(true) => Ok(()),
        _ => {
            let message = format!("{what} did not reach user {} within {NOTIFY_WAIT:?}", client.uid);
            Err(CliError::new(ErrorKind::Unreachable, message))
        }
    }
}

/// Runs `load` over paired, befriended `clients` (partner of `i` is `i ^ 1`, thread
/// `threads[i / 2]`) and closes them.
pub async fn drive(
    ctx: &Context,
    clients: Vec<Connected>,
    threads: &[i64],
    load: &Load,
    scenario: String,
) -> Result<Report, CliError> {
    let users = clients.len();
    let uids: Vec<i32> = clients.iter().map(|c| c.uid).collect();
    let start = Instant::now();
    // Idempotency keys are unique per drive: phases that reuse users must not collide with
    // earlier phases' keys (the server would answer with the earlier, stored message).
    let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()) as u64;
    let tally = Arc::new(Mutex::new(Tally::new()));
    let expected = load.messages * users as u64;
    let before = procs::sample();
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    let mut keep = Vec::new();
    for (idx, Connected { uid, chat, mut events, .. }) in clients.into_iter().enumerate() {
        let tally = tally.clone();
        receivers.push(tokio::spawn(async move {
            let mut seen = HashSet::new();
            while let Some(event) = events.recv().await {
                let Event::Text(push) = event else { continue };
                let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
                for data in push.chat_datas {
                    let Some(sent_us) = sent_at(&data.content) else { continue };
                    if !seen.insert(data.message_id) {
                        tally.duplicates += 1;
                        continue;
                    }
                    tally.record(start, sent_us);
                }
            }
        }));
        let partner = uids[idx ^ 1];
        let thread = threads[idx / 2];
        let (messages, size) = (load.messages, load.size);
        // Open loop (W7): each sender keeps its share of the rate on a fixed schedule, staggered
        // so the senders do not fire together. Latency counts from the scheduled time, so a
        // late send is not hidden (no coordinated omission).
        let interval = load.rate.map(|rate| Duration::from_secs_f64(users as f64 / rate.max(1) as f64));
        let offset = interval.map(|i| i.mul_f64(idx as f64 / users as f64));
        // `window` lanes per user share its connection (pipelined requests); lane k sends
        // messages k, k + window, ...
        let window = load.window.max(1);
        for lane in 0..window {
            let chat = chat.clone();
            senders.push(tokio::spawn(async move {
                let mut errors = 0u64;
                for n in (lane..messages).step_by(window as usize) {
                    let sent_us = match (interval, offset) {
                        (Some(interval), Some(offset)) => {
                            let due = offset + interval.mul_f64(n as f64);
                            tokio::time::sleep_until((start + due).into()).await;
                            due.as_micros()
                        }
                        _ => start.elapsed().as_micros(),
                    };
                    let text = body(sent_us, size);
                    let unique = format!("{{b-{nonce:x}-{uid}-{n}}}");
                    // An acknowledgement of anything but this text (say, an earlier message with the
                    // same key) is an error too.
                    match chat.send_texts(uid, partner, thread, &[(&text, &unique)]).await {
                        Ok(rsp) if rsp.chat_datas.first().is_some_and(|d| d.content == text) => {}
                        _ => errors += 1,
                    }
                }
                errors
            }));
        }
        keep.push(chat);
    }
    let bar = crate::commands::progress(ctx, expected as usize, "delivering");
    let mut errors = 0;
    for sender in senders {
        errors += sender.await.unwrap_or(0);
    }
    // Pushes trail the last acknowledgement: wait for them, within the run's bound.
    let deadline = start + Duration::from_secs(load.max_secs);
    loop {
        let delivered = tally.lock().unwrap_or_else(|p| p.into_inner()).delivered;
        bar.set_position(delivered);
        if delivered + errors >= expected || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bar.finish_and_clear();
    let after = procs::sample();
    for chat in &keep {
        chat.close().await;
    }
    for receiver in receivers {
        receiver.abort();
    }
    let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    let seconds = tally.last.duration_since(start).as_secs_f64().max(1e-9);
    let cpu = after.cpu_since(&before);
    Ok(Report {
        scenario,
        target: "imchat".into(),
        users,
        sent: expected - errors,
        delivered: tally.delivered,
        errors,
        drops: expected.saturating_sub(errors + tally.delivered),
        duplicates: tally.duplicates,
        seconds,
        per_sec: tally.delivered as f64 / seconds,
        p50_us: tally.histogram.value_at_quantile(0.5),
        p99_us: tally.histogram.value_at_quantile(0.99),
        p999_us: tally.histogram.value_at_quantile(0.999),
        server_cpu_s: cpu,
        server_cpu_us_per_msg: if tally.delivered > 0 { cpu * 1e6 / tally.delivered as f64 } else { 0.0 },
        peak_rss_kib: after.peak_rss(),
        peer_calls: None,
        peer_frames: None,
    })
}
