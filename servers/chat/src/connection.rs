//! The only code that touches client sockets: the accept loops (plain TCP, and TLS when
//! configured), the read loop (bytes into frames via the sans-IO decoder) and the write loop
//! (queued frames out, gathered into one write per wake-up).

use std::sync::atomic::Ordering;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use imchat_proto::codec::{Decoded, Decoder};
use imchat_proto::{ErrorCode, msg::ErrorBody};
use std::future::Future;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf};
use tokio::net::TcpListener;
use tokio::net::tcp::OwnedReadHalf;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::Shared;
use crate::outbox::{Outbox, OutboxLimits, Taken};
use crate::session::{Flow, Pending, Session, Step};
use imchat_edge::Peer;

/// Room made in the read buffer for each read; it grows for a large frame. The buffer exists
/// only while bytes are being read or decoded: an idle connection holds none (memory per idle
/// connection is a benchmark target).
const READ_BUFFER: usize = 512;
/// Bytes gathered from the queue into one socket write.
const WRITE_BATCH: usize = 64 * 1024;
/// Idle deadlines are rounded up to a grid of this step (or a quarter of the idle timeout, if
/// that is shorter): the runtime then wakes once per step for every connection whose deadline
/// falls in it, not once per connection (idle CPU per connection is a benchmark target). A
/// connection may stay up to one step past its idle timeout.
const IDLE_TICK: Duration = Duration::from_secs(1);

/// A connection's read side: TCP, or TLS over it.
pub(crate) trait Inbound: AsyncRead + Unpin + Send {
    /// Resolves once bytes may have arrived. TCP waits for readiness, so an idle connection
    /// holds no read buffer; TLS cannot tell and reads at once.
    fn ready(&mut self) -> impl Future<Output = std::io::Result<()>> + Send;
}

impl Inbound for OwnedReadHalf {
    fn ready(&mut self) -> impl Future<Output = std::io::Result<()>> + Send {
        self.readable()
    }
}

impl<S: AsyncRead + AsyncWrite + Send> Inbound for ReadHalf<S> {
    fn ready(&mut self) -> impl Future<Output = std::io::Result<()>> + Send {
        std::future::ready(Ok(()))
    }
}

/// Accepts clients on `listener`, over TLS when `tls` is set (the handshake must end within
/// the login deadline).
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    stop: CancellationToken,
) {
    let slots = shared.slots.clone();
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
        let address = Peer::from(peer.ip());
        let Some(counted) = shared.edge.admit(address, shared.config.limits.max_connections_per_ip) else {
            tracing::debug!(%peer, "connection limit of the address reached; refusing");
            continue;
        };
        let shared = shared.clone();
        let stop = stop.clone();
        let tls = tls.clone();
        connections.spawn(async move {
            shared.sockets.fetch_add(1, Ordering::Relaxed);
            let _ = stream.set_nodelay(true);
            match tls {
                None => {
                    let (reader, writer) = stream.into_split();
                    serve(reader, writer, address, &shared, stop).await;
                }
                // Boxed: a TLS session's state is large, and inline it would make every
                // plaintext connection's task as big (memory per idle connection is a target).
                Some(tls) => Box::pin(serve_tls(stream, peer, tls, address, &shared, stop)).await,
            }
            shared.sockets.fetch_sub(1, Ordering::Relaxed);
            drop((slot, counted));
        });
    }
    // Graceful stop: every session closes and cleans up its routes.
    while connections.join_next().await.is_some() {}
}

/// A client over TLS: the handshake (within the login deadline), then [`serve`].
async fn serve_tls(
    stream: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    tls: tokio_rustls::TlsAcceptor,
    address: Peer,
    shared: &Arc<Shared>,
    stop: CancellationToken,
) {
    match tokio::time::timeout(shared.config.limits.login_deadline, tls.accept(stream)).await {
        Ok(Ok(stream)) => {
            let (reader, writer) = tokio::io::split(stream);
            serve(reader, writer, address, shared, stop).await;
        }
        Ok(Err(err)) => tracing::debug!(%peer, %err, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

async fn serve(
    reader: impl Inbound,
    writer: impl AsyncWrite + Unpin + Send,
    address: Peer,
    shared: &Arc<Shared>,
    stop: CancellationToken,
) {
    let limits = &shared.config.limits;
    let outbox = Outbox::new(OutboxLimits {
        budget: limits.out_budget,
        hard: limits.out_queue_bytes,
        push_wait: limits.push_wait,
    });
    let mut session = Session::new(shared.clone(), outbox.clone(), address);
    let read_side = async {
        read_loop(reader, &mut session, &outbox, &stop, shared).await;
        Box::pin(session.end()).await;
        outbox.close();
    };
    // The writer runs beside the reader in the same task: one task per connection to keep in
    // memory, and a reply wakes no other task.
    tokio::join!(read_side, write_loop(writer, outbox.clone(), limits.close_flush, limits.write_coalesce));
}

/// Reads frames and hands them to the session. Text messages (1017) are pipelined: up to
/// `limits.pipeline` per connection wait for their commit at once, finished in order; any other
/// frame first waits for those, so replies always keep the order of their requests. Nothing is
/// read while the session's own queue is over its budget, nor while a finished request's push
/// waits for room (TCP then slows the client).
async fn read_loop(
    mut reader: impl Inbound,
    session: &mut Session,
    outbox: &Outbox,
    stop: &CancellationToken,
    shared: &Shared,
) {
    let mut decoder = Decoder::new(shared.config.limits.max_body);
    let mut buf = BytesMut::new();
    let idle = shared.config.limits.idle_timeout;
    let window = shared.config.limits.pipeline.max(1);
    let mut pending = Pipeline::default();
    // One lazily re-armed timer for the idle timeout: a complete frame only records the time
    // (a byte at a time keeps nothing alive), and the timer, when it fires early, moves to the
    // new deadline. Until the login, the login deadline counts too.
    let login_by = Instant::now() + shared.config.limits.login_deadline;
    let mut last_frame = Instant::now();
    let next_deadline = |last_frame: Instant, session: &Session| {
        let idle_at = idle_deadline(last_frame, idle);
        if session.logged_in() { idle_at } else { idle_at.min(login_by) }
    };
    let deadline = tokio::time::sleep_until(next_deadline(last_frame, session));
    tokio::pin!(deadline);
    loop {
        while pending.len() < window
            && let Some(decoded) = decoder.decode(&mut buf)
        {
            let flow = match decoded {
                Decoded::Frame(frame) => {
                    last_frame = Instant::now();
                    if !Session::pipelined(frame.id) {
                        finish_all(&mut pending, session).await;
                    }
                    // Boxed: a handler's state lives only while it runs, not in every idle
                    // connection's task.
                    match Box::pin(session.handle(frame)).await {
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
            if flow == Flow::Close {
                return;
            }
            if kicked(outbox, &mut pending, session).await {
                return kick_grace(reader, decoder, buf, session, outbox, stop, shared).await;
            }
            if outbox.is_closed() || stop.is_cancelled() {
                return;
            }
        }
        if buf.is_empty() {
            buf = BytesMut::new();
        }
        // A client whose replies (or pushes to it) fill its queue is not read until they drain.
        let room = outbox.has_room();
        let read = tokio::select! {
            () = outbox.ended() => {
                if kicked(outbox, &mut pending, session).await {
                    return kick_grace(reader, decoder, buf, session, outbox, stop, shared).await;
                }
                return;
            }
            _ = stop.cancelled() => return,
            Some(done) = pending.next() => {
                Box::pin(session.finish(done)).await;
                continue;
            }
            () = &mut deadline => {
                if last_frame.elapsed() >= idle {
                    tracing::debug!("idle timeout");
                    return;
                }
                if !session.logged_in() && Instant::now() >= login_by {
                    tracing::debug!("no login before the login deadline");
                    return;
                }
                deadline.as_mut().reset(next_deadline(last_frame, session));
                continue;
            }
            () = outbox.room(), if !room => continue,
            read = read_some(&mut reader, &mut buf), if pending.len() < window && room => read,
        };
        match read {
            Ok(0) => {
                if !decoder.is_at_boundary(&buf) {
                    tracing::debug!("connection closed mid-frame");
                }
                // The client stopped sending, not necessarily reading: answer what it sent.
                finish_all(&mut pending, session).await;
                return;
            }
            Ok(_) => {}
            Err(err) => {
                tracing::debug!(%err, "read failed");
                return;
            }
        }
    }
}

/// After a kick's 1021 the connection stays open while its client keeps sending (heartbeats
/// within `limits.idle_timeout`), for at most `limits.kick_grace`, as llfc's does: its Qt
/// client closes the socket itself once the user has read the notice, and a close from this
/// side first would also fire its disconnect handler, which leaves it unable to log in again in
/// the same process. The session is over (routes cleared, nothing pushed); heartbeats are
/// answered, anything else gets 1101.
async fn kick_grace(
    mut reader: impl Inbound,
    mut decoder: Decoder,
    mut buf: BytesMut,
    session: &mut Session,
    outbox: &Outbox,
    stop: &CancellationToken,
    shared: &Shared,
) {
    Box::pin(session.end()).await;
    let limits = &shared.config.limits;
    let grace = tokio::time::sleep(limits.kick_grace);
    tokio::pin!(grace);
    loop {
        while let Some(decoded) = decoder.decode(&mut buf) {
            if let Decoded::Frame(frame) = decoded {
                outbox.push_in_grace(Session::grace_reply(frame.id));
            }
        }
        // A client that went quiet is gone: it is not waiting to log in again.
        let quiet = async {
            match limits.idle_timeout {
                Duration::ZERO => std::future::pending().await,
                idle => tokio::time::sleep(idle).await,
            }
        };
        let read = tokio::select! {
            () = &mut grace => return,
            () = quiet => return,
            _ = stop.cancelled() => return,
            () = outbox.ended() => return,
            read = read_some(&mut reader, &mut buf) => read,
        };
        if !matches!(read, Ok(1..)) {
            return;
        }
    }
}

/// `last_read + idle`, rounded up to the grid shared by every connection (see [`IDLE_TICK`]).
fn idle_deadline(last_read: Instant, idle: Duration) -> Instant {
    static GRID: LazyLock<Instant> = LazyLock::new(Instant::now);
    let due = last_read + idle;
    let tick = IDLE_TICK.min(idle / 4).as_nanos().max(1);
    let ticks = due.saturating_duration_since(*GRID).as_nanos().div_ceil(tick);
    *GRID + Duration::from_nanos(u64::try_from(ticks * tick).unwrap_or(u64::MAX))
}

/// Ends the session if a kick waits: the requests in flight are answered first (their
/// messages are stored; the client learns so), then the kick's notice goes out. True when
/// kicked.
async fn kicked(outbox: &Outbox, pending: &mut Pipeline, session: &mut Session) -> bool {
    if !outbox.kick_waiting() {
        return false;
    }
    finish_all(pending, session).await;
    outbox.deliver_kick()
}

async fn finish_all(pending: &mut Pipeline, session: &mut Session) {
    while let Some(done) = pending.next().await {
        Box::pin(session.finish(done)).await;
    }
}

/// The pipelined requests in flight, allocated only while there are some.
#[derive(Default)]
struct Pipeline(Option<FuturesOrdered<Pending>>);

impl Pipeline {
    fn len(&self) -> usize {
        self.0.as_ref().map_or(0, FuturesOrdered::len)
    }

    fn push_back(&mut self, next: Pending) {
        self.0.get_or_insert_with(FuturesOrdered::new).push_back(next);
    }

    /// The oldest request once it is done; `None` when there is none.
    async fn next(&mut self) -> Option<crate::session::Finished> {
        let done = self.0.as_mut()?.next().await;
        if self.len() == 0 {
            self.0 = None;
        }
        done
    }
}

/// Reads what has arrived into `buf`, making room only once the socket is readable.
async fn read_some(reader: &mut impl Inbound, buf: &mut BytesMut) -> std::io::Result<usize> {
    reader.ready().await?;
    if buf.capacity() - buf.len() < READ_BUFFER {
        buf.reserve(READ_BUFFER);
    }
    // `read_buf` (unlike `try_read_buf`) forgets the readiness after a short read, which saves
    // the syscall that would only learn the socket is empty.
    reader.read_buf(buf).await
}

pub(crate) fn send_error(outbox: &Outbox, code: ErrorCode, req_id: u16) {
    let mut buf = BytesMut::new();
    ErrorBody::new(code, req_id).encode(&mut buf).expect("error bodies are small");
    outbox.push(buf.freeze());
}

/// Writes queued frames: a lone frame as it is, several gathered into one write. On close it
/// flushes what is left, but never waits long on a client that does not read.
/// Writes what the outbox queues, each take in one write. With `coalesce`, a connection that
/// wrote less than that ago waits out the rest of it first, so what arrives meanwhile goes out
/// in the same write: fewer system calls and packets per frame for a busy recipient (a
/// member of lively groups), at most `coalesce` of latency; an idle one writes at once.
async fn write_loop(
    mut writer: impl AsyncWrite + Unpin + Send,
    outbox: Outbox,
    close_flush: std::time::Duration,
    coalesce: std::time::Duration,
) {
    let mut last_write: Option<tokio::time::Instant> = None;
    let left = 'run: loop {
        let mut frames = match outbox.take().await {
            Taken::Frames(frames) => frames,
            Taken::Closed(frames) => break 'run gather(frames),
        };
        if let Some(last) = last_write
            && !coalesce.is_zero()
            && last.elapsed() < coalesce
        {
            tokio::select! {
                () = tokio::time::sleep_until(last + coalesce) => {}
                () = outbox.closed_while_writing() => {}
            }
            match outbox.take_ready() {
                Some(Taken::Frames(more)) => frames.extend(more),
                Some(Taken::Closed(more)) => {
                    frames.extend(more);
                    break 'run gather(frames);
                }
                None => {}
            }
        }
        last_write = Some(tokio::time::Instant::now());
        let mut out = gather(frames);
        // `write_buf` only consumes what was written, so a close in the middle loses nothing.
        while !out.is_empty() {
            tokio::select! {
                written = writer.write_buf(&mut out) => match written {
                    Ok(0) | Err(_) => {
                        outbox.close();
                        return;
                    }
                    Ok(_) => {}
                },
                _ = outbox.closed_while_writing() => {
                    let mut rest = BytesMut::from(out);
                    let (Taken::Closed(frames) | Taken::Frames(frames)) = outbox.take().await;
                    rest.extend_from_slice(&gather(frames));
                    break 'run rest.freeze();
                }
            }
        }
        // TLS may hold the last records back until flushed (TCP's flush does nothing).
        if writer.flush().await.is_err() {
            outbox.close();
            return;
        }
    };
    let _ = tokio::time::timeout(close_flush, async {
        writer.write_all(&left).await?;
        writer.shutdown().await
    })
    .await;
}

/// The frames as one buffer (no copy for a single frame).
fn gather(mut frames: std::collections::VecDeque<Bytes>) -> Bytes {
    if frames.len() <= 1 {
        return frames.pop_front().unwrap_or_default();
    }
    let mut batch = BytesMut::with_capacity(frames.iter().map(Bytes::len).sum::<usize>().min(WRITE_BATCH));
    for frame in frames {
        batch.extend_from_slice(&frame);
    }
    batch.freeze()
}
