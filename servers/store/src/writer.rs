//! The message writer: group commit for chat messages. Requests queue on a bounded channel;
//! one task drains whatever is waiting (up to a batch limit) and stores it in one transaction,
//! so under load many messages share one commit, and when idle a message commits alone.

use tokio::sync::{mpsc, oneshot};

use crate::{Db, NewMsg, StoreError, StoredMsg};

/// Writer limits.
#[derive(Debug, Clone, Copy)]
pub struct WriterOptions {
    /// Pending requests before senders wait (back-pressure reaches the connections).
    pub queue: usize,
    /// Most messages stored in one transaction.
    pub max_batch: usize,
    /// Transactions in flight at once (each uses one pooled connection).
    pub workers: usize,
}

impl Default for WriterOptions {
    fn default() -> WriterOptions {
        WriterOptions { queue: 4096, max_batch: 512, workers: 2 }
    }
}

struct Job {
    msgs: Vec<NewMsg>,
    reply: oneshot::Sender<Result<Vec<StoredMsg>, StoreError>>,
}

/// A handle to the writer. Cheap to clone; the writer stops when every handle is dropped.
#[derive(Clone)]
pub struct MessageWriter {
    tx: mpsc::Sender<Job>,
}

impl std::fmt::Debug for MessageWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageWriter").finish_non_exhaustive()
    }
}

impl MessageWriter {
    pub fn spawn(db: Db, options: WriterOptions) -> MessageWriter {
        let (tx, rx) = mpsc::channel(options.queue.max(1));
        let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..options.workers.max(1) {
            tokio::spawn(run(db.clone(), rx.clone(), options.max_batch.max(1)));
        }
        MessageWriter { tx }
    }

    /// Stores `msgs` (all or nothing) and returns them as stored, in order.
    pub async fn store(&self, msgs: Vec<NewMsg>) -> Result<Vec<StoredMsg>, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job { msgs, reply }).await.map_err(|_| StoreError::WriterClosed)?;
        rx.await.map_err(|_| StoreError::WriterClosed)?
    }
}

async fn run(db: Db, rx: std::sync::Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>, max_batch: usize) {
    loop {
        // Workers take turns collecting a batch; the lock is held only while draining.
        let jobs = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else { return };
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
            jobs
        };
        commit(&db, jobs).await;
    }
}

async fn commit(db: &Db, jobs: Vec<Job>) {
    if jobs.len() == 1 {
        let job = jobs.into_iter().next().expect("one job");
        let _ = job.reply.send(db.store_messages(&job.msgs).await);
        return;
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
        Err(err) => {
            // One bad job must not fail its neighbours: retry each on its own.
            tracing::warn!(%err, jobs = jobs.len(), "batched insert failed; retrying jobs one by one");
            for job in jobs {
                let _ = job.reply.send(db.store_messages(&job.msgs).await);
            }
        }
    }
}
