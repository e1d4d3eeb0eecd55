//! W5: group chat under sustained load. Members alternate between two chat servers; group g
//! is owned by user g and holds the next `members - 1` users (a ring), the owner's friends.
//! The first `senders` users send to their groups in turn, `window` texts in flight each;
//! every member's connection counts what reaches it (latency from the send time each text
//! carries). A delivery-paced sender frees a slot once every member got the text; an
//! ack-paced one on its 1141. Given-up pushes come from the servers' own counters.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imchat_sdk::{AdminClient, Event};
use tokio::sync::oneshot;

use crate::Context;
use crate::cli::GroupBench;
use crate::commands::bench::chat::{Connected, Counters, Tally, body, connect_over, counters, fail, notified, sent_at};
use crate::commands::bench::{Dial, Report, Setup, procs, setup};
use crate::errors::{CliError, ErrorKind, Target, from_sdk};

/// How long a delivery-paced sender waits for every member to get a text before it counts the
/// text as lost and moves on.
const DELIVERY_WAIT: Duration = Duration::from_secs(30);
/// Shards of the table of texts waiting for their members.
const SHARDS: usize = 64;

/// One shard of [`Waiting`]: unique id → members still to reach, and the sender's slot.
type Shard = Mutex<HashMap<String, (usize, Option<oneshot::Sender<()>>)>>;

/// Texts on their way, by unique id.
struct Waiting(Vec<Shard>);

impl Waiting {
    fn new() -> Waiting {
        Waiting((0..SHARDS).map(|_| Mutex::default()).collect())
    }

    fn shard(&self, key: &str) -> &Shard {
        let hash = key.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
        &self.0[hash % SHARDS]
    }

    fn expect(&self, key: &str, members: usize) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.shard(key).lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), (members, Some(tx)));
        rx
    }

    fn reached(&self, key: &str) {
        let mut shard = self.shard(key).lock().unwrap_or_else(|p| p.into_inner());
        let Some((left, tx)) = shard.get_mut(key) else { return };
        *left = left.saturating_sub(1);
        if *left == 0 {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
            shard.remove(key);
        }
    }
}

fn check(opts: &GroupBench, users: usize) -> Result<(), CliError> {
    if opts.members < 2 {
        return Err(CliError::usage("--members must be at least 2"));
    }
    if users < opts.members {
        return Err(CliError::usage("--users must be at least --members"));
    }
    if opts.groups == 0 || opts.senders == 0 || opts.senders > users {
        return Err(CliError::usage("--groups and --senders must be at least 1, --senders at most --users"));
    }
    Ok(())
}

/// Befriends users `a` < `b` of `clients`.
async fn befriend(clients: &mut [Connected], a: usize, b: usize) -> Result<(), CliError> {
    let (left, right) = clients.split_at_mut(b);
    let (x, y) = (&mut left[a], &mut right[0]);
    x.chat.add_friend(x.uid, y.uid, "w5", "").await.map_err(fail(&x.addr))?;
    notified(y, "the friend request (1011)", |e| matches!(e, Event::FriendRequest(_))).await?;
    y.chat.accept_friend(y.uid, x.uid, "").await.map_err(fail(&y.addr))?;
    notified(x, "the acceptance (1015)", |e| matches!(e, Event::FriendAccepted(_))).await
}

pub async fn run(ctx: &Context, opts: &GroupBench) -> Result<Report, CliError> {
    let users = opts.users.unwrap_or(opts.members);
    check(opts, users)?;
    let Setup { servers, users: people, .. } = setup(ctx, &opts.mail_dir, "grp", users, 2).await?;
    let mut clients = connect_over(&Dial::default(), &people, &servers, true).await?;
    let layout: Vec<Vec<usize>> =
        (0..opts.groups).map(|g| (0..opts.members).map(|k| (g + k) % users).collect()).collect();
    let pairs: BTreeSet<(usize, usize)> = layout
        .iter()
        .flat_map(|members| members[1..].iter().map(|&m| (members[0].min(m), members[0].max(m))))
        .collect();
    let bar = crate::commands::progress(ctx, pairs.len(), "befriending");
    for (a, b) in pairs {
        befriend(&mut clients, a, b).await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let bar = crate::commands::progress(ctx, layout.len(), "creating groups");
    let mut threads = Vec::with_capacity(layout.len());
    for (g, members) in layout.iter().enumerate() {
        let owner = &clients[members[0]];
        let uids: Vec<i32> = members[1..].iter().map(|&m| clients[m].uid).collect();
        let created = owner.chat.create_group(&format!("w5-{g}"), &uids).await.map_err(fail(&owner.addr))?;
        threads.push(created.group.thread_id);
        bar.inc(1);
    }
    bar.finish_and_clear();
    // Each sender's groups.
    let of_sender: Vec<Vec<i64>> = (0..opts.senders)
        .map(|s| layout.iter().zip(&threads).filter(|(m, _)| m.contains(&s)).map(|(_, t)| *t).collect())
        .collect();

    let admin = AdminClient::connect(&ctx.status, ctx.secret.as_deref())
        .await
        .map_err(|err| from_sdk(err, Target::Status(&ctx.status)))?;
    let counted_before = counters(ctx, &admin, Instant::now()).await?;
    let start = Instant::now();
    let from = Duration::from_secs(opts.warmup);
    let to = from + Duration::from_secs(opts.secs);
    let mut tally = Tally::new();
    tally.span = Some((from.as_micros(), to.as_micros()));
    let tally = Arc::new(Mutex::new(tally));
    let waiting = Arc::new(Waiting::new());
    let delivery_paced = !opts.ack_paced;

    let mut receivers = Vec::new();
    let mut chats = Vec::new();
    for client in clients {
        let Connected { chat, mut events, .. } = client;
        chats.push(chat);
        let (tally, waiting) = (tally.clone(), waiting.clone());
        receivers.push(tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let Event::Group(push) = event else { continue };
                for data in &push.chat_datas {
                    let Some(sent) = sent_at(&data.content) else { continue };
                    tally.lock().unwrap_or_else(|p| p.into_inner()).record(start, sent);
                    if delivery_paced {
                        waiting.reached(&data.unique_id);
                    }
                }
            }
        }));
    }
    let acked = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let mut senders = Vec::new();
    for (s, groups) in of_sender.into_iter().enumerate() {
        let groups = Arc::new(groups);
        let next = Arc::new(AtomicUsize::new(0));
        for lane in 0..opts.window.max(1) {
            let (chat, uid) = (chats[s].clone(), people[s].uid);
            let (groups, next, waiting) = (groups.clone(), next.clone(), waiting.clone());
            let (acked, errors) = (acked.clone(), errors.clone());
            let (size, others) = (opts.size, opts.members - 1);
            senders.push(tokio::spawn(async move {
                let mut n = 0u64;
                while start.elapsed() < to && !groups.is_empty() {
                    let thread = groups[next.fetch_add(1, Ordering::Relaxed) % groups.len()];
                    let key = format!("w5-{s}-{lane}-{n}");
                    n += 1;
                    let content = body(start.elapsed().as_micros(), size);
                    let reached = delivery_paced.then(|| waiting.expect(&key, others));
                    match chat.send_group_texts(uid, thread, &[(&content, &key)], &[]).await {
                        Ok(_) => {
                            acked.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    }
                    if let Some(reached) = reached {
                        let _ = tokio::time::timeout(DELIVERY_WAIT, reached).await;
                    }
                }
            }));
        }
    }
    let bar = crate::commands::progress(ctx, to.as_secs() as usize, "seconds");
    let ticks = async {
        loop {
            bar.set_position(start.elapsed().as_secs());
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let measure = async {
        tokio::time::sleep_until((start + from).into()).await;
        let before = procs::sample();
        tokio::time::sleep_until((start + to).into()).await;
        (before, procs::sample())
    };
    let (before, after) = tokio::select! { sampled = measure => sampled, () = ticks => unreachable!() };
    for sender in senders {
        let _ = sender.await;
    }
    // Pushes trail the last acknowledgement: wait for them.
    let expected = acked.load(Ordering::Relaxed) * (opts.members as u64 - 1);
    let deadline = Instant::now() + DELIVERY_WAIT;
    while tally.lock().unwrap_or_else(|p| p.into_inner()).delivered < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bar.finish_and_clear();
    for chat in &chats {
        chat.close().await;
    }
    for receiver in receivers {
        receiver.abort();
    }
    let counted_after = counters(ctx, &admin, Instant::now()).await?;
    let grown = Counters::grown(&counted_before, &counted_after);
    let tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    let seconds = opts.secs as f64;
    let scenario = format!(
        "group --groups {} --members {} --users {users} --senders {} --window {} --secs {} --warmup {}{}",
        opts.groups,
        opts.members,
        opts.senders,
        opts.window,
        opts.secs,
        opts.warmup,
        if opts.ack_paced { " --ack-paced" } else { "" }
    );
    if tally.delivered > expected {
        return Err(CliError::new(ErrorKind::Internal, "more deliveries than texts times members"));
    }
    Ok(Report {
        scenario,
        users,
        sent: acked.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        drops: expected - tally.delivered,
        peer_calls: Some(grown.peer_calls),
        peer_frames: Some(grown.peer_frames),
        given_up: Some(grown.given_up),
        ..tally.report(seconds, &before, &after)
    })
}
