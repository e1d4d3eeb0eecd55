//! The message writer: group commit for chat messages. Requests queue on bounded channels,
//! one per worker; a worker drains whatever is waiting (up to a batch limit) and stores it in
//! one transaction, so under load many messages share one commit, and when idle a message
//! commits alone. A thread always goes to the same worker, so one sender's pipelined messages
//! commit, and take their `seq`, in the order they were submitted.
//!
//! When the database is out of reach a worker does not try job after job, each waiting out a
//! connection timeout while the queue grows: it fails the batch, then fails what arrives at
//! once (a breaker) while it probes the database at most every `breaker_pause`, and closes the
//! breaker when a probe answers. Nothing failed was acknowledged, and a resend stores once, so
//! nothing is lost or doubled.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::{Db, NewMsg, StoreError, StoredMsg};

/// Writer limits.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    /// Pending requests before senders wait (back-pressure reaches the connections).
    pub queue: usize,
    /// Most messages stored in one transaction.
    pub max_batch: usize,
    /// Transactions in flight at once (each uses one pooled connection); threads are spread
    /// over the workers.
    pub workers: usize,
    /// While the database is out of reach, how often a worker probes it (new jobs fail at once
    /// meanwhile); a probe waits at most this long too.
    pub breaker_pause: Duration,
    /// How long a worker waits for more jobs to share a commit, when jobs come close together
    /// (the last commit ended less than this before the job came): at moderate rates many
    /// messages share one transaction and one log flush instead of one each, for at most this
    /// much latency; an idle writer commits a lone message at once. Zero: never waits.
    pub linger: Duration,
}

impl Default for WriterOptions {
    fn default() -> WriterOptions {
        WriterOptions {
            queue: 4096,
            max_batch: 512,
            // One: a moderate flow then gathers into shared commits (with `linger`); at
            // saturation one worker's batches are simply larger (W3/W4 measured no slower).
            workers: 1,
            breaker_pause: Duration::from_millis(500),
            linger: Duration::from_millis(2),
        }
    }
}

struct Job {
    msgs: Vec<NewMsg>,
    reply: oneshot::Sender<Result<Vec<StoredMsg>, StoreError>>,
}

/// A handle to the writer. Cheap to clone; the writer stops when every handle is dropped.
#[derive(Clone)]
pub struct MessageWriter {
    shards: std::sync::Arc<[mpsc::Sender<Job>]>,
}

/// A submitted job's outcome, to be awaited: the messages as stored, in order.
pub struct Stored(oneshot::Receiver<Result<Vec<StoredMsg>, StoreError>>);

impl Future for Stored {
    type Output = Result<Vec<StoredMsg>, StoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|reply| reply.map_err(|_| StoreError::WriterClosed)?)
    }
}

impl std::fmt::Debug for MessageWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageWriter").finish_non_exhaustive()
    }
}

impl MessageWriter {
    pub fn spawn(db: Db, options: WriterOptions) -> MessageWriter {
        let workers = options.workers.max(1);
        let queue = options.queue.div_ceil(workers).max(1);
        let shards = (0..workers)
            .map(|_| {
                let (tx, rx) = mpsc::channel(queue);
                tokio::spawn(run(db.clone(), rx, options));
                tx
            })
            .collect();
        MessageWriter { shards }
    }

    /// Queues `msgs` (all of one thread; stored all or nothing) and returns their outcome.
    /// Waits only while the queue is full (back-pressure), not for the commit, so a caller can
    /// submit again before the first commit lands; jobs of one thread commit in submit order.
    pub async fn submit(&self, msgs: Vec<NewMsg>) -> Result<Stored, StoreError> {
        let thread = msgs.first().map_or(0, |m| m.thread_id);
        let shard = &self.shards[thread.unsigned_abs() as usize % self.shards.len()];
        let (reply, rx) = oneshot::channel();
        shard.send(Job { msgs, reply }).await.map_err(|_| StoreError::WriterClosed)?;
        Ok(Stored(rx))
    }

    /// Stores `msgs` (all or nothing) and returns them as stored, in order.
    pub async fn store(&self, msgs: Vec<NewMsg>) -> Result<Vec<StoredMsg>, StoreError> {
        self.submit(msgs).await?.await
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>, options: WriterOptions) {
    let (max_batch, pause, linger) = (options.max_batch.max(1), options.breaker_pause, options.linger);
    // Set while the database is out of reach: when to probe it next.
    let mut next_probe: Option<Instant> = None;
    let mut lingering = Linger::new(linger);
    while let Some(first) = rx.recv().await {
        let arrived = Instant::now();
        let mut rows = first.msgs.len();
        let mut jobs = vec![first];
        while rows < max_batch {
            match rx.try_recv() {
                Ok(job) => {
                    rows += job.msgs.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        if let Some(deadline) = lingering.wait(arrived).filter(|_| next_probe.is_none() && rows < max_batch) {
            let before = jobs.len();
            while rows < max_batch {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(job)) => {
                        rows += job.msgs.len();
                        jobs.push(job);
                    }
                    _ => break,
                }
            }
            lingering.gathered(jobs.len() - before);
        }
        if let Some(at) = next_probe {
            if Instant::now() < at {
                fail_all(jobs, "database out of reach");
                continue;
            }
            if !matches!(tokio::time::timeout(pause, db.ping()).await, Ok(Ok(()))) {
                next_probe = Some(Instant::now() + pause);
                fail_all(jobs, "database out of reach");
                continue;
            }
            tracing::info!("database reachable again");
            next_probe = None;
        }
        if commit(&db, jobs).await {
            next_probe = Some(Instant::now() + pause);
        }
        lingering.done(Instant::now());
    }
}

/// When to wait a little for more work to share one commit (or one call): only in a flow (the
/// last batch ended less than `linger` before this one began) and only while waiting pays. A
/// wait that gathers fewer than [`Linger::PAYS`] more (a lone sender waiting on its own
/// answer, whose next message the wait only delays) sends the next batches at once, a number
/// doubling up to [`Linger::MAX_SKIP`], so such flows seldom pay the wait; a wait that pays
/// resets that. One more pays: at 1,000 msgs/s a 2 ms wait gathers fewer than two 40% of the
/// time, and counting those as fruitless left a moderate flow committing most messages alone
/// (2,000 msgs/s across two servers: 216-233 µs/msg with one, 283-330 with two). The price is
/// paid by two senders in a tight loop on one server (each waiting on its own answer): their
/// messages wait out the linger (p50 3.6 ms instead of 0.7).
#[derive(Debug)]
pub struct Linger {
    linger: Duration,
    last_end: Option<Instant>,
    /// Batches still to go at once, and how many the next fruitless wait skips.
    skip: u32,
    backoff: u32,
}

impl Linger {
    pub const MAX_SKIP: u32 = 256;
    /// Batches the first fruitless wait skips.
    pub const FIRST_SKIP: u32 = 8;
    /// The least a wait must gather to be worth its latency.
    pub const PAYS: usize = 1;

    pub fn new(linger: Duration) -> Linger {
        Linger { linger, last_end: None, skip: 0, backoff: Linger::FIRST_SKIP }
    }

    /// Whether a batch that began at `now` waits for more, and until when.
    pub fn wait(&mut self, now: Instant) -> Option<Instant> {
        let flowing = self.last_end.is_some_and(|at| now.saturating_duration_since(at) < self.linger);
        if !flowing || self.linger.is_zero() {
            return None;
        }
        if self.skip > 0 {
            self.skip -= 1;
            return None;
        }
        Some(now + self.linger)
    }

    /// What the last wait gathered.
    pub fn gathered(&mut self, more: usize) {
        if more < Linger::PAYS {
            self.skip = self.backoff;
            self.backoff = (self.backoff * 2).min(Linger::MAX_SKIP);
        } else {
            self.backoff = Linger::FIRST_SKIP;
        }
    }

    /// The batch went out, at `now`.
    pub fn done(&mut self, now: Instant) {
        self.last_end = Some(now);
    }
}

fn fail_all(jobs: Vec<Job>, why: &str) {
    for job in jobs {
        let _ = job.reply.send(Err(StoreError::Unreachable(why.to_owned())));
    }
}

/// Stores `jobs`; true when the database was out of reach (every job then failed).
async fn commit(db: &Db, jobs: Vec<Job>) -> bool {
    if jobs.len() == 1 {
        let job = jobs.into_iter().next().expect("one job");
        let result = db.store_messages(&job.msgs).await;
        let unreachable = result.as_ref().is_err_and(StoreError::is_unavailable);
        let _ = job.reply.send(result);
        return unreachable;
    }
    let all: Vec<NewMsg> = jobs.iter().flat_map(|job| job.msgs.iter().cloned()).collect();
    match db.store_messages(&all).await {
        Ok(stored) => {
            let mut stored = stored.into_iter();
            for job in jobs {
                let mine: Vec<StoredMsg> = stored.by_ref().take(job.msgs.len()).collect();
                let _ = job.reply.send(Ok(mine));
            }
        }
        Err(err) if err.is_unavailable() => {
            tracing::warn!(%err, jobs = jobs.len(), "database out of reach; failing the batch");
            fail_all(jobs, &err.to_string());
            return true;
        }
        Err(err) => {
            // One bad job must not fail its neighbours: retry each on its own.
            tracing::warn!(%err, jobs = jobs.len(), "batched insert failed; retrying jobs one by one");
            for job in jobs {
                let _ = job.reply.send(db.store_messages(&job.msgs).await);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{Duration, Instant, Linger};

    /// A lone message after a pause goes at once; in a flow the writer waits while waiting
    /// gathers enough, and backs off (doubling) while it does not.
    #[test]
    fn lingers_only_while_it_pays() {
        let linger = Duration::from_millis(2);
        let mut l = Linger::new(linger);
        let t0 = Instant::now();
        assert_eq!(l.wait(t0), None, "nothing before: no flow");
        l.done(t0);
        let t1 = t0 + Duration::from_millis(10);
        assert_eq!(l.wait(t1), None, "a pause longer than the linger: at once");
        l.done(t1);
        let t2 = t1 + Duration::from_micros(500);
        assert_eq!(l.wait(t2), Some(t2 + linger), "in a flow: waits");
        l.gathered(5);
        l.done(t2);
        assert!(l.wait(t2).is_some(), "it paid: waits again");
        l.gathered(1);
        assert!(l.wait(t2).is_some(), "one more pays too: waits again");
        l.gathered(0);
        let skipped = (0..20).take_while(|_| l.wait(t2).is_none()).count();
        assert_eq!(skipped, Linger::FIRST_SKIP as usize, "nothing gathered is not worth it: skips");
        l.gathered(0);
        let skipped = (0..40).take_while(|_| l.wait(t2).is_none()).count();
        assert_eq!(skipped, 2 * Linger::FIRST_SKIP as usize, "and skips twice as many next time");
        assert_eq!(Linger::new(Duration::ZERO).wait(t2), None);
    }
}
