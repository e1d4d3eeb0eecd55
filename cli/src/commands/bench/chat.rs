//! W3/W4: pairs of friends chat 1:1, every sender with `--window` messages in flight; each
//! message is stored before its 1018 and pushed to the partner as 1019, on the same server or
//! across two. W11: with `--reconnect`, a client whose connection ends comes back on a live
//! server, resends what was unanswered (same unique ids) and syncs what it missed, and
//! `--fault` runs a command (say, a SIGKILL of a chat server) mid-run.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use imchat_sdk::cursor::ThreadCursor;
use imchat_sdk::proto::msg::{SyncData, TextChatData};
use imchat_sdk::{AdminClient, ChatClient, Dialect, Event, SdkError};
use tokio::sync::{Semaphore, mpsc, watch};

use crate::Context;
use crate::cli::ChatBench;
use crate::commands::bench::users::BenchUser;
use crate::commands::bench::{Dial, Report, Setup, procs, setup_over};
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
    /// Sustained runs: only pushes received in this span (µs since the start) count towards
    /// the histogram and `measured`; everything counts when `None`.
    pub span: Option<(u128, u128)>,
    pub measured: u64,
    /// The longest time without a delivery while the senders sent (µs): how long a fault
    /// stopped the pushes.
    pub longest_stall_us: u64,
    /// When the previous delivery arrived (µs since the start).
    previous_us: Option<u128>,
    /// Deliveries per [`BUCKET_US`] since the start: when pushes flowed again after a fault.
    buckets: Vec<u32>,
    /// Clients that came back after their connection ended, and what they found by sync.
    pub reconnects: u64,
    pub recovered: u64,
    /// When the fault command ran (µs since the start).
    pub fault_us: Option<u128>,
}

/// The width of one delivery-rate bucket (µs).
const BUCKET_US: u128 = 100_000;

impl Tally {
    pub fn new() -> Tally {
        Tally {
            histogram: Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds"),
            delivered: 0,
            duplicates: 0,
            last: Instant::now(),
            span: None,
            measured: 0,
            longest_stall_us: 0,
            previous_us: None,
            buckets: Vec::new(),
            reconnects: 0,
            recovered: 0,
            fault_us: None,
        }
    }

    /// How long after the fault deliveries came back to half their rate of the two seconds
    /// before it (ms); `None` without a fault, or if they never did.
    pub fn flowing_again_ms(&self) -> Option<u64> {
        let fault = usize::try_from(self.fault_us? / BUCKET_US).ok()?;
        let before = &self.buckets[fault.saturating_sub(20).min(self.buckets.len())..fault.min(self.buckets.len())];
        let usual = before.iter().map(|&n| u64::from(n)).sum::<u64>() as f64 / before.len().max(1) as f64;
        let back = self.buckets.iter().enumerate().skip(fault + 1).find(|&(_, &n)| f64::from(n) >= usual / 2.0)?.0;
        u64::try_from((back as u128 * BUCKET_US).saturating_sub(self.fault_us?) / 1000).ok()
    }

    /// What a run over `seconds` measured, with the server cost between the two samples:
    /// deliveries, latency percentiles, CPU per measured delivery, peak memory.
    pub fn report(&self, seconds: f64, before: &procs::Sample, after: &procs::Sample) -> Report {
        let cpu = after.cpu_since(before);
        Report {
            target: "imchat".into(),
            delivered: self.delivered,
            duplicates: self.duplicates,
            seconds,
            per_sec: self.measured as f64 / seconds,
            p50_us: self.histogram.value_at_quantile(0.5),
            p99_us: self.histogram.value_at_quantile(0.99),
            p999_us: self.histogram.value_at_quantile(0.999),
            server_cpu_s: cpu,
            server_cpu_us_per_msg: if self.measured > 0 { cpu * 1e6 / self.measured as f64 } else { 0.0 },
            server_cpu_s_by_process: after.cpu_by_process(before),
            peak_rss_kib: after.peak_rss(),
            ..Report::default()
        }
    }

    pub fn record(&mut self, start: Instant, sent_us: u128) {
        let now_us = start.elapsed().as_micros();
        self.delivered += 1;
        let bucket = usize::try_from(now_us / BUCKET_US).unwrap_or(usize::MAX);
        if bucket < 100_000 {
            if self.buckets.len() <= bucket {
                self.buckets.resize(bucket + 1, 0);
            }
            self.buckets[bucket] += 1;
        }
        self.last = Instant::now();
        let sending = self.span.is_none_or(|(_, to)| now_us < to);
        if let Some(previous) = self.previous_us.replace(now_us)
            && sending
        {
            self.longest_stall_us = self.longest_stall_us.max(u64::try_from(now_us - previous).unwrap_or(u64::MAX));
        }
        if self.span.is_some_and(|(from, to)| now_us < from || now_us >= to) {
            return;
        }
        self.measured += 1;
        let _ = self.histogram.record(u64::try_from(now_us.saturating_sub(sent_us)).unwrap_or(u64::MAX).max(1));
    }
}

/// Maps a chat-server failure, naming the server.
pub fn fail(addr: &str) -> impl Fn(imchat_sdk::SdkError) -> CliError + '_ {
    move |err| from_sdk(err, Target::Chat(addr))
}

/// A connected, logged-in bench user.
pub struct Connected {
    pub uid: i32,
    /// Its login token, for a chat login elsewhere after its server died.
    pub token: String,
    pub chat: ChatClient,
    pub events: mpsc::Receiver<Event>,
    /// The chat server it is connected to, for error messages.
    pub addr: String,
}

/// The shape of one load: what each user sends, and how fast.
#[derive(Debug, Clone)]
pub struct Load {
    /// Messages per user (a burst), unless `secs` is set.
    pub messages: u64,
    pub size: usize,
    pub window: u64,
    /// Open loop at this total rate; closed loop (as fast as `pacing` lets) when `None`.
    pub rate: Option<u64>,
    pub max_secs: u64,
    /// Sustained: send for this long after `warmup` seconds, and measure only that span.
    pub secs: Option<u64>,
    pub warmup: u64,
    pub pacing: Pacing,
    /// Clients whose connection ends come back on one of these chat servers (W11); empty:
    /// they stop.
    pub reconnect_to: Vec<String>,
    pub fault: Option<Fault>,
    /// How clients (re)connect: plain, or TLS.
    pub dial: Dial,
}

/// A command run once mid-run (`sh -c`), and when (seconds after the start).
#[derive(Debug, Clone)]
pub struct Fault {
    pub at_secs: f64,
    pub command: String,
}

/// When a closed-loop sender may send again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// A window slot is freed by the message's 1018 (as llfc's client does).
    Ack,
    /// A window slot is freed once the message is acknowledged and its push has reached the
    /// partner.
    Delivery,
}

impl Load {
    pub fn of(opts: &ChatBench) -> Load {
        Load {
            messages: opts.messages,
            size: opts.size,
            window: opts.window,
            rate: opts.rate,
            max_secs: opts.max_secs,
            secs: opts.secs,
            warmup: opts.warmup,
            pacing: if opts.ack_paced { Pacing::Ack } else { Pacing::Delivery },
            reconnect_to: Vec::new(),
            fault: opts.fault.clone().map(|command| Fault { at_secs: opts.fault_at, command }),
            dial: Dial::default(),
        }
    }

    /// A burst of `messages` per user, ack-paced.
    pub fn burst(messages: u64, size: usize, window: u64, max_secs: u64) -> Load {
        Load {
            messages,
            size,
            window,
            rate: None,
            max_secs,
            secs: None,
            warmup: 0,
            pacing: Pacing::Ack,
            reconnect_to: Vec::new(),
            fault: None,
            dial: Dial::default(),
        }
    }

    /// When senders stop (µs since the start), and the measured span, for a sustained load.
    fn span(&self) -> Option<(u128, u128)> {
        let secs = self.secs?;
        let from = u128::from(self.warmup) * 1_000_000;
        Some((from, from + u128::from(secs) * 1_000_000))
    }
}

pub async fn run(ctx: &Context, opts: &ChatBench) -> Result<Report, CliError> {
    if opts.users < 2 || !opts.users.is_multiple_of(2) {
        return Err(CliError::usage("--users must be an even number of at least 2"));
    }
    let needed = if opts.cross_server { 2 } else { 1 };
    let Setup { servers, users: people, dial, .. } =
        setup_over(ctx, &opts.mail_dir, "bench", opts.users, needed, opts.tls).await?;
    if !(1..=super::devices::MAX_DEVICES).contains(&opts.devices) {
        return Err(CliError::usage(format!("--devices must be 1 to {}", super::devices::MAX_DEVICES)));
    }
    let mut clients = connect_over(&dial, &people, &servers, opts.cross_server).await?;
    let threads = befriend(&mut clients).await?;
    let others = if opts.devices > 1 {
        Some(super::devices::OtherDevices::connect(&dial, &people, &servers, opts.cross_server, opts.devices).await?)
    } else {
        None
    };
    let admin = AdminClient::connect(&ctx.status, ctx.secret.as_deref())
        .await
        .map_err(|err| from_sdk(err, Target::Status(&ctx.status)))?;
    let before = counters(ctx, &admin, Instant::now()).await?;
    let mut load = Load::of(opts);
    if opts.reconnect {
        load.reconnect_to = servers.clone();
    }
    load.dial = dial;
    let mut report = drive(ctx, clients, &threads, &load, scenario(opts.cross_server, &load)).await?;
    if let Some(others) = others {
        let got = others.finish().await;
        report.devices = Some(opts.devices as u64);
        report.other_device_pushes = Some(got.pushes);
        report.other_device_missing = Some(got.missing);
    }
    let after = counters(ctx, &admin, Instant::now()).await?;
    let grown = Counters::grown(&before, &after);
    report.peer_calls = Some(grown.peer_calls);
    report.peer_frames = Some(grown.peer_frames);
    report.given_up = Some(grown.given_up);
    Ok(report)
}

/// One chat server's own counters.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Counters {
    pub(super) peer_calls: u64,
    pub(super) peer_frames: u64,
    pub(super) given_up: u64,
}

impl Counters {
    /// What the servers live at the end counted between `before` and `after` (by server name:
    /// a server killed mid-run takes its counts with it, and a new one starts from zero).
    pub(super) fn grown(before: &[(String, Counters)], after: &[(String, Counters)]) -> Counters {
        after.iter().fold(Counters::default(), |sum, (name, now)| {
            let was = before.iter().find(|(n, _)| n == name).map_or(Counters::default(), |(_, c)| *c);
            Counters {
                peer_calls: sum.peer_calls + now.peer_calls.saturating_sub(was.peer_calls),
                peer_frames: sum.peer_frames + now.peer_frames.saturating_sub(was.peer_frames),
                given_up: sum.given_up + now.given_up.saturating_sub(was.given_up),
            }
        })
    }
}

/// How long the chat servers may take to announce their counters (they do every
/// `[Limits] RegistryIntervalMs`, 2 s by default).
const ANNOUNCE_WAIT: Duration = Duration::from_secs(30);

/// The live chat servers' counters, from announcements made after `mark`, so they include
/// everything done before it.
pub(super) async fn counters(
    ctx: &Context,
    admin: &AdminClient,
    mark: Instant,
) -> Result<Vec<(String, Counters)>, CliError> {
    loop {
        // Taken before asking, so an entry counts only if it is surely newer than `mark`.
        let since_ms = i64::try_from(mark.elapsed().as_millis()).unwrap_or(i64::MAX);
        let servers = admin.servers().await.map_err(|err| from_sdk(err, Target::Status(&ctx.status)))?;
        let live: Vec<_> = servers.iter().filter(|s| s.live).collect();
        if live.iter().all(|s| s.heartbeat_age_ms < since_ms) {
            return Ok(live
                .iter()
                .map(|s| {
                    let counters =
                        Counters { peer_calls: s.peer_calls, peer_frames: s.peer_frames, given_up: s.pushes_given_up };
                    (s.name.clone(), counters)
                })
                .collect());
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
        "chat --{}{}{}{}{}{}{}{}",
        if cross_server { "cross-server" } else { "same-server" },
        if load.window > 1 { format!(" --window {}", load.window) } else { String::new() },
        load.rate.map_or(String::new(), |rate| format!(" --rate {rate}")),
        match load.secs {
            Some(secs) => format!(" --secs {secs} --warmup {}", load.warmup),
            None => format!(" (burst of {})", load.messages),
        },
        if load.pacing == Pacing::Ack && load.rate.is_none() { " --ack-paced" } else { "" },
        if load.reconnect_to.is_empty() { "" } else { " --reconnect" },
        if load.dial.is_tls() { " --tls" } else { "" },
        load.fault.as_ref().map_or(String::new(), |f| format!(" --fault-at {}", f.at_secs)),
    )
}

/// Connects and logs in `people`: all on the first server, or neighbours on different ones.
pub async fn connect(people: &[BenchUser], servers: &[String], cross_server: bool) -> Result<Vec<Connected>, CliError> {
    connect_over(&Dial::default(), people, servers, cross_server).await
}

/// [`connect`] as `dial` says (TLS or not).
pub async fn connect_over(
    dial: &Dial,
    people: &[BenchUser],
    servers: &[String],
    cross_server: bool,
) -> Result<Vec<Connected>, CliError> {
    let mut clients = Vec::with_capacity(people.len());
    for (idx, user) in people.iter().enumerate() {
        let addr = if cross_server { &servers[idx % 2] } else { &servers[0] };
        let (chat, events) = dial.connect(addr).await.map_err(fail(addr))?;
        chat.login(user.uid, &user.token).await.map_err(fail(addr))?;
        clients.push(Connected { uid: user.uid, token: user.token.clone(), chat, events, addr: addr.clone() });
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
pub(super) async fn notified(client: &mut Connected, what: &str, is: impl Fn(&Event) -> bool) -> Result<(), CliError> {
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
/// `threads[i / 2]`) and closes them. A sustained load reports only its measured span; the
/// pushes still on their way when the senders stop are waited for, so `drops` covers
/// everything acknowledged.
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
    let span = load.span();
    let tally = Arc::new(Mutex::new(Tally { span, ..Tally::new() }));
    let stop_at = span.map(|(_, to)| start + Duration::from_micros(u64::try_from(to).unwrap_or(u64::MAX)));
    let give_up_at = start + Duration::from_secs(load.max_secs);
    let window = load.window.max(1);
    // Delivery pacing: each user's free window slots, given back by its partner's receiver.
    let credits: Vec<Arc<Semaphore>> = (0..users).map(|_| Arc::new(Semaphore::new(0))).collect();
    let acked = Arc::new(AtomicU64::new(0));
    let mut before = procs::sample();
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    let mut keep = Vec::new();
    // A reconnecting client's link to its current connection: its lanes send on whatever it
    // holds, and wait for a new one when theirs closed.
    let reconnect = !load.reconnect_to.is_empty();
    let until = stop_at.unwrap_or(give_up_at);
    for (idx, Connected { uid, token, chat, mut events, .. }) in clients.into_iter().enumerate() {
        let link = Arc::new(watch::Sender::new(chat.clone()));
        let tally = tally.clone();
        let partner_credits = (load.pacing == Pacing::Delivery).then(|| credits[idx ^ 1].clone());
        let partner = uids[idx ^ 1];
        let thread = threads[idx / 2];
        let servers = load.reconnect_to.clone();
        let dial = load.dial.clone();
        let receiver_link = link.clone();
        // W11 runs: the thread's seqs this user holds (its own from acknowledgements, its
        // partner's from pushes), so a push lost with a killed server shows as a hole.
        let cursor = reconnect.then(|| Arc::new(Mutex::new(ThreadCursor::default())));
        let mut got = Received {
            partner,
            seen: HashSet::new(),
            fetched: HashSet::new(),
            cursor: cursor.clone(),
            tally,
            start,
            credits: partner_credits,
        };
        receivers.push(tokio::spawn(async move {
            let mut holes = tokio::time::interval(HOLE_WAIT);
            let mut hole = None;
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Some(Event::Text(push)) => got.pushed(push.chat_datas),
                        Some(Event::Closed) | None => {
                            // The connection ended: come back elsewhere (W11), or stop.
                            if servers.is_empty() {
                                return;
                            }
                            let Some((chat, next)) = come_back(&dial, uid, &token, &servers, until).await else { return };
                            receiver_link.send_replace(chat.clone());
                            events = next;
                            got.tally.lock().unwrap_or_else(|p| p.into_inner()).reconnects += 1;
                            // What was pushed while it was away.
                            let after = got.through();
                            got.fetched(chat.fetch_between(thread, after, i64::MAX).await.unwrap_or_default());
                        }
                        Some(_) => {}
                    },
                    // A hole that stayed for a whole tick is a push lost on its way (with a
                    // killed server, say): fetched, as `imchat_sdk::Inbox` does at once (here
                    // a hole may also be an acknowledgement not yet read, so it gets a tick).
                    _ = holes.tick(), if got.cursor.is_some() => {
                        let now = got.missing();
                        if let Some((after, before)) = now.filter(|_| now == hole) {
                            let chat = receiver_link.borrow().clone();
                            got.fetched(chat.fetch_between(thread, after, before).await.unwrap_or_default());
                        }
                        hole = got.missing();
                    }
                }
            }
        }));
        let (messages, size) = if stop_at.is_some() { (u64::MAX, load.size) } else { (load.messages, load.size) };
        // Open loop (W7): each sender keeps its share of the rate on a fixed schedule, staggered
        // so the senders do not fire together. Latency counts from the scheduled time, so a
        // late send is not hidden (no coordinated omission).
        let interval = load.rate.map(|rate| Duration::from_secs_f64(users as f64 / rate.max(1) as f64));
        let offset = interval.map(|i| i.mul_f64(idx as f64 / users as f64));
        // `window` lanes per user share its connection (pipelined requests); lane k sends
        // messages k, k + window, ... Delivery-paced lanes also wait for a slot their partner
        // frees as pushes arrive.
        let my_credits = (load.pacing == Pacing::Delivery).then(|| credits[idx].clone());
        if let Some(credits) = &my_credits {
            credits.add_permits(window as usize);
        }
        for lane in 0..window {
            let mut link = link.subscribe();
            let (credits, acked, cursor) = (my_credits.clone(), acked.clone(), cursor.clone());
            senders.push(tokio::spawn(async move {
                let mut errors = 0u64;
                for n in (lane..messages).step_by(window as usize) {
                    if stop_at.is_some_and(|at| Instant::now() >= at) {
                        break;
                    }
                    if let Some(credits) = &credits {
                        // A push that never arrives never frees its slot: stop waiting at the
                        // end of the run (the loss shows as a drop).
                        let until = tokio::time::Instant::from_std(until);
                        let Ok(Ok(slot)) = tokio::time::timeout_at(until, credits.acquire()).await else { break };
                        slot.forget();
                    }
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
                    loop {
                        let chat = link.borrow_and_update().clone();
                        // An acknowledgement of anything but this text (say, an earlier message
                        // with the same key) is an error too.
                        match chat.send_texts(uid, partner, thread, &[(&text, &unique)]).await {
                            Ok(rsp) if rsp.chat_datas.first().is_some_and(|d| d.content == text) => {
                                acked.fetch_add(1, Ordering::Relaxed);
                                if let Some(cursor) = &cursor {
                                    let mut cursor = cursor.lock().unwrap_or_else(|p| p.into_inner());
                                    cursor.observe(rsp.chat_datas[0].seq, Dialect::Imchat);
                                }
                            }
                            // The connection ended with the text unanswered: once the client is
                            // back, the same text with the same key again (stored once either way).
                            Err(SdkError::Closed | SdkError::Timeout(_))
                                if reconnect
                                    && tokio::time::timeout_at((until + REJOIN_GRACE).into(), link.changed())
                                        .await
                                        .is_ok_and(|changed| changed.is_ok()) =>
                            {
                                continue;
                            }
                            _ => {
                                errors += 1;
                                // No push will free this slot.
                                if let Some(credits) = &credits {
                                    credits.add_permits(1);
                                }
                            }
                        }
                        break;
                    }
                }
                errors
            }));
        }
        keep.push(link);
    }
    if let Some(fault) = &load.fault {
        let (fault, tally) = (fault.clone(), tally.clone());
        tokio::spawn(async move {
            tokio::time::sleep_until((start + Duration::from_secs_f64(fault.at_secs.max(0.0))).into()).await;
            let at = start.elapsed().as_micros();
            match tokio::process::Command::new("sh").arg("-c").arg(&fault.command).status().await {
                Ok(status) if status.success() => {}
                Ok(status) => eprintln!("imctl: the fault command exited with {status}"),
                Err(err) => eprintln!("imctl: the fault command did not run: {err}"),
            }
            tally.lock().unwrap_or_else(|p| p.into_inner()).fault_us = Some(at);
        });
    }
    let total = stop_at.map_or(load.messages * users as u64, |_| 0);
    let bar = match stop_at {
        Some(_) => crate::commands::progress(ctx, span.map_or(0, |(_, to)| (to / 1_000_000) as usize), "seconds"),
        None => crate::commands::progress(ctx, total as usize, "delivering"),
    };
    let mut after = None;
    if let Some((from, to)) = span {
        // The server CPU of the measured span only.
        let measure = async {
            tokio::time::sleep_until((start + Duration::from_micros(from as u64)).into()).await;
            before = procs::sample();
            tokio::time::sleep_until((start + Duration::from_micros(to as u64)).into()).await;
            after = Some(procs::sample());
        };
        let ticks = async {
            loop {
                bar.set_position(start.elapsed().as_secs());
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        };
        tokio::select! { () = measure => {}, () = ticks => {} }
    }
    let mut errors = 0;
    for sender in senders {
        errors += sender.await.unwrap_or(0);
    }
    let sent = acked.load(Ordering::Relaxed);
    // Pushes trail the last acknowledgement: wait for them, within the run's bound.
    let deadline =
        start + Duration::from_secs(load.max_secs.max(span.map_or(0, |(_, to)| (to / 1_000_000) as u64 + 10)));
    loop {
        let delivered = tally.lock().unwrap_or_else(|p| p.into_inner()).delivered;
        if stop_at.is_none() {
            bar.set_position(delivered);
        }
        if delivered >= sent || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bar.finish_and_clear();
    let after = after.unwrap_or_else(procs::sample);
    for link in &keep {
        let chat = link.borrow().clone();
        chat.close().await;
    }
    for receiver in receivers {
        receiver.abort();
    }
    let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    let seconds = match span {
        Some((from, to)) => (to - from) as f64 / 1e6,
        None => tally.last.duration_since(start).as_secs_f64().max(1e-9),
    };
    Ok(Report {
        scenario,
        users,
        sent,
        errors,
        drops: sent.saturating_sub(tally.delivered),
        longest_stall_us: Some(tally.longest_stall_us),
        reconnects: reconnect.then_some(tally.reconnects),
        recovered: reconnect.then_some(tally.recovered),
        flowing_again_ms: tally.flowing_again_ms(),
        ..tally.report(seconds, &before, &after)
    })
}

/// How long a hole in a W11 client's thread may stay before it is fetched.
const HOLE_WAIT: Duration = Duration::from_secs(1);

/// What one bench user received of its partner's messages.
struct Received {
    partner: i32,
    /// Message ids received, and those fetched (a push of one may still follow).
    seen: HashSet<i64>,
    fetched: HashSet<i64>,
    /// W11 runs: the seqs held of the thread (see `drive`).
    cursor: Option<Arc<Mutex<ThreadCursor>>>,
    tally: Arc<Mutex<Tally>>,
    start: Instant,
    /// Delivery pacing: the partner's window, given back as its messages arrive.
    credits: Option<Arc<Semaphore>>,
}

impl Received {
    fn pushed(&mut self, datas: Vec<TextChatData>) {
        self.observe(datas.iter().map(|d| d.seq));
        let mut fresh = 0;
        let mut tally = self.tally.lock().unwrap_or_else(|p| p.into_inner());
        for data in datas {
            let Some(sent_us) = sent_at(&data.content) else { continue };
            if !self.seen.insert(data.message_id) {
                if !self.fetched.contains(&data.message_id) {
                    tally.duplicates += 1;
                }
                continue;
            }
            tally.record(self.start, sent_us);
            fresh += 1;
        }
        drop(tally);
        self.free(fresh);
    }

    fn fetched(&mut self, datas: Vec<SyncData>) {
        self.observe(datas.iter().map(|d| d.seq));
        let mut fresh = 0;
        let mut tally = self.tally.lock().unwrap_or_else(|p| p.into_inner());
        for data in datas.into_iter().filter(|d| d.sender == self.partner) {
            let Some(sent_us) = sent_at(&data.content) else { continue };
            if self.seen.insert(data.message_id) {
                self.fetched.insert(data.message_id);
                tally.record(self.start, sent_us);
                tally.recovered += 1;
                fresh += 1;
            }
        }
        drop(tally);
        self.free(fresh);
    }

    fn observe(&self, seqs: impl Iterator<Item = i64>) {
        if let Some(cursor) = &self.cursor {
            let mut cursor = cursor.lock().unwrap_or_else(|p| p.into_inner());
            for seq in seqs {
                cursor.observe(seq, Dialect::Imchat);
            }
        }
    }

    fn through(&self) -> i64 {
        self.cursor.as_ref().map_or(0, |c| c.lock().unwrap_or_else(|p| p.into_inner()).through())
    }

    fn missing(&self) -> Option<(i64, i64)> {
        self.cursor.as_ref()?.lock().unwrap_or_else(|p| p.into_inner()).missing()
    }

    fn free(&self, slots: usize) {
        if let Some(credits) = &self.credits {
            credits.add_permits(slots);
        }
    }
}

/// How long past the run's end a client may still be coming back, with texts to resend.
const REJOIN_GRACE: Duration = Duration::from_secs(10);
/// One attempt to connect and log in on one server.
const REJOIN_ATTEMPT: Duration = Duration::from_secs(2);

/// A chat login with `token` on the first of `servers` that takes it, retrying (with a
/// growing pause) until `until` and its grace; `None` if none did.
async fn come_back(
    dial: &Dial,
    uid: i32,
    token: &str,
    servers: &[String],
    until: Instant,
) -> Option<(ChatClient, mpsc::Receiver<Event>)> {
    let mut pause = Duration::from_millis(50);
    while Instant::now() < until + REJOIN_GRACE {
        for addr in servers {
            let attempt = async {
                let (chat, events) = dial.connect(addr).await.ok()?;
                chat.login(uid, token).await.ok()?;
                Some((chat, events))
            };
            if let Ok(Some(joined)) = tokio::time::timeout(REJOIN_ATTEMPT, attempt).await {
                return Some(joined);
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
    None
}
