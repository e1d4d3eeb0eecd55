//! The only code that touches client sockets: the accept loop, the read loop (bytes into
//! frames via the sans-IO decoder) and the write loop (queued frames out, batched into one
//! write per wake-up).

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use imchat_proto::codec::{Decoded, Decoder};
use imchat_proto::{ErrorCode, msg::ErrorBody};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::Shared;
use crate::session::{Flow, Pending, Session, Step};

/// Initial read buffer; grows for a large frame and shrinks back once empty.
const READ_BUFFER: usize = 512;
/// A buffer that grew past this for a large frame or burst is dropped once empty, so an idle
/// connection holds only small buffers (memory per idle connection is a benchmark target).
const KEEP_BUFFER: usize = 4 * 1024;
/// Bytes gathered from the queue into one socket write.
const WRITE_BATCH: usize = 64 * 1024;

/// The sending side of a session: a bounded frame queue and a close signal.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    tx: mpsc::Sender<Bytes>,
    close: CancellationToken,
}

impl Outbox {
    /// Queues one encoded frame. A full queue means the client does not read: it is
    /// disconnected (its messages are safe in the database and reach it by sync).
    pub(crate) fn push(&self, frame: Bytes) -> bool {
        match self.tx.try_send(frame) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("slow consumer: outbound queue full, disconnecting");
                self.close.cancel();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Ends the session after the frames already queued are flushed.
    pub(crate) fn close(&self) {
        self.close.cancel();
    }
}

pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: CancellationToken) {
    let slots = Arc::new(Semaphore::new(shared.config.limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                // EMFILE and friends: back off instead of spinning.
                tracing::warn!(%err, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "connection limit reached; refusing");
            continue;
        };
        let shared = shared.clone();
        let stop = stop.clone();
        connections.spawn(async move {
            serve(stream, shared, stop).await;
            drop(slot);
        });
    }
    // Graceful stop: every session closes and cleans up its routes.
    while connections.join_next().await.is_some() {}
}

async fn serve(stream: TcpStream, shared: Arc<Shared>, stop: CancellationToken) {
    let _ = stream.set_nodelay(true);
    let (reader, writer) = stream.into_split();
    let (tx, rx) = mpsc::channel(shared.config.limits.out_queue.max(1));
    let close = stop.child_token();
    let outbox = Outbox { tx, close: close.clone() };
    let mut write_task =
        AbortOnDrop(tokio::spawn(write_loop(writer, rx, close.clone(), shared.config.limits.close_flush)));
    let mut session = Session::new(shared.clone(), outbox.clone());
    read_loop(reader, &mut session, &outbox, &close, &shared).await;
    session.end().await;
    close.cancel();
    let _ = (&mut write_task.0).await;
}

/// Ties the write task to its connection: if the connection task is aborted (the server is
/// killed), the socket's write half goes with it instead of lingering.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Reads frames and hands them to the session. Text messages (1017) are pipelined: up to
/// `limits.pipeline` per connection wait for their commit at once, finished in order; any other
/// frame first waits for those, so replies always keep the order of their requests.
async fn read_loop(
    mut reader: OwnedReadHalf,
    session: &mut Session,
    outbox: &Outbox,
    close: &CancellationToken,
    shared: &Shared,
) {
    let mut decoder = Decoder::new(shared.config.limits.max_body);
    let mut buf = BytesMut::with_capacity(READ_BUFFER);
    let idle = shared.config.limits.idle_timeout;
    let window = shared.config.limits.pipeline.max(1);
    let mut pending: FuturesOrdered<Pending> = FuturesOrdered::new();
    loop {
        while pending.len() < window
            && let Some(decoded) = decoder.decode(&mut buf)
        {
            let flow = match decoded {
                Decoded::Frame(frame) => {
                    if !Session::pipelined(frame.id) {
                        finish_all(&mut pending, session).await;
                    }
                    match session.handle(frame).await {
                        Step::Done(flow) => flow,
                        Step::Pending(next) => {
                            pending.push_back(next);
                            Flow::Continue
                        }
                    }
                }
                Decoded::Oversized { id, len } => {
                    tracing::debug!(id, len, "oversized frame");
                    finish_all(&mut pending, session).await;
                    send_error(outbox, ErrorCode::FrameTooLarge, id);
                    Flow::Continue
                }
            };
            if flow == Flow::Close || close.is_cancelled() {
                return;
            }
        }
        if buf.is_empty() && buf.capacity() > KEEP_BUFFER {
            buf = BytesMut::with_capacity(READ_BUFFER);
        }
        let read = tokio::select! {
            _ = close.cancelled() => return,
            Some(done) = pending.next() => {
                session.finish(done).await;
                continue;
            }
            read = tokio::time::timeout(idle, reader.read_buf(&mut buf)), if pending.len() < window => read,
        };
        match read {
            Err(_) => {
                tracing::debug!("idle timeout");
                return;
            }
            Ok(Ok(0)) => {
                if !decoder.is_at_boundary(&buf) {
                    tracing::debug!("connection closed mid-frame");
                }
                // The client stopped sending, not necessarily reading: answer what it sent.
                finish_all(&mut pending, session).await;
                return;
            }
            Ok(Ok(_)) => {}
            Ok(Err(err)) => {
                tracing::debug!(%err, "read failed");
                return;
            }
        }
    }
}

async fn finish_all(pending: &mut FuturesOrdered<Pending>, session: &mut Session) {
    while let Some(done) = pending.next().await {
        session.finish(done).await;
    }
}

pub(crate) fn send_error(outbox: &Outbox, code: ErrorCode, req_id: u16) {
    let mut buf = BytesMut::new();
    ErrorBody::new(code, req_id).encode(&mut buf).expect("error bodies are small");
    outbox.push(buf.freeze());
}

async fn write_loop(
    mut writer: OwnedWriteHalf,
    mut rx: mpsc::Receiver<Bytes>,
    close: CancellationToken,
    close_flush: std::time::Duration,
) {
    let mut batch = BytesMut::new();
    'run: loop {
        let first = tokio::select! {
            biased;
            _ = close.cancelled() => break,
            frame = rx.recv() => frame,
        };
        let Some(first) = first else { break };
        batch.extend_from_slice(&first);
        while batch.len() < WRITE_BATCH {
            match rx.try_recv() {
                Ok(frame) => batch.extend_from_slice(&frame),
                Err(_) => break,
            }
        }
        // `write_buf` only consumes what was written, so a close in the middle loses nothing.
        while !batch.is_empty() {
            tokio::select! {
                written = writer.write_buf(&mut batch) => match written {
                    Ok(0) | Err(_) => {
                        close.cancel();
                        return;
                    }
                    Ok(_) => {}
                },
                _ = close.cancelled() => break 'run,
            }
        }
        if batch.capacity() > KEEP_BUFFER {
            batch = BytesMut::new();
        }
    }
    // Flush what is still queued (a kick notice, the last replies), but never wait long on a
    // client that does not read.
    while let Ok(frame) = rx.try_recv() {
        batch.extend_from_slice(&frame);
    }
    let _ = tokio::time::timeout(close_flush, async {
        writer.write_all(&batch).await?;
        writer.shutdown().await
    })
    .await;
}
