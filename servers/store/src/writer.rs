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
}

impl Default for WriterOptions {
    fn default() -> WriterOptions {
        WriterOptions { queue: 4096, max_batch: 512, workers: 2, breaker_pause: Duration::from_millis(500) }
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
                tokio::spawn(run(db.clone(), rx, options.max_batch.max(1), options.breaker_pause));
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

async fn run(db: Db, mut rx: mpsc::Receiver<Job>, max_batch: usize, pause: Duration) {
    // Set while the database is out of reach: when to probe it next.
    let mut next_probe: Option<Instant> = None;
    while let Some(first) = rx.recv().await {
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
