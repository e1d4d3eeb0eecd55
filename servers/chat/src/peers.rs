//! Outbound pushes to peer chat servers. Each peer has a window bounded in bytes that a
//! sender waits for room in (so a peer path slower than the senders slows them, instead of
//! dropping pushes), and a few lanes, each one task draining whatever waits into a single
//! `Deliver` call, with one call in flight per lane. A recipient always takes the same lane,
//! so its pushes arrive in order; the lanes' calls run side by side on the peer's HTTP/2
//! connection. A group message is one push for all its members on the peer (a `Fanout`: the
//! body crosses once), on its thread's lane, so a group's messages arrive in order too.
//! A lane's calls go out on one long-lived `DeliverStream` (a request and its answer per
//! batch, no stream set-up or headers each time), or as unary `Deliver` calls to a peer that
//! does not have it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use bytes::Bytes;
use dashmap::DashMap;
use imchat_proto::grpc::{DeliverReq, DeliverRsp, Fanout, Frame};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use imchat_store::writer::Linger;

use crate::router::Router;

/// Whom a push is for on the peer.
#[derive(Debug, Clone)]
enum To {
    One(i32),
    /// A group message's members there.
    Many(Vec<i32>),
}

impl To {
    fn uids(&self) -> &[i32] {
        match self {
            To::One(uid) => std::slice::from_ref(uid),
            To::Many(uids) => uids,
        }
    }
}

struct Push {
    to: To,
    msg_id: u16,
    frame: Bytes,
    /// This push's bytes of the peer's window, given back when its call returns.
    room: OwnedSemaphorePermit,
}

/// The way to one peer server.
#[derive(Clone)]
struct Link {
    window: Arc<Semaphore>,
    /// When a push last found the window full for a whole `peer_wait` (a peer frozen or far
    /// too slow): until the window has room again, pushes do not wait, so senders are not held
    /// `peer_wait` each by a peer that is not taking anything.
    stalled: Arc<std::sync::Mutex<Option<Instant>>>,
    /// Unbounded, because the window bounds what can be in them.
    lanes: Arc<[mpsc::UnboundedSender<Push>]>,
}

#[derive(Default)]
pub(crate) struct Peers {
    links: DashMap<String, Link>,
    /// `Deliver` calls made, and the frames they carried (announced in the registry).
    calls: AtomicU64,
    frames: AtomicU64,
}

impl Peers {
    /// (calls, frames) since this server started.
    pub(crate) fn traffic(&self) -> (u64, u64) {
        (self.calls.load(Ordering::Relaxed), self.frames.load(Ordering::Relaxed))
    }

    /// Hands a push to `server`'s link once its window has room, waiting up to `peer_wait`;
    /// after that the push is given up (and counted).
    pub(crate) async fn send(&self, router: &Arc<Router>, server: &str, uid: i32, msg_id: u16, frame: Bytes) {
        self.send_to(router, server, To::One(uid), uid.unsigned_abs() as usize, msg_id, frame).await;
    }

    /// [`Peers::send`] of one group message to its members `uids` on `server`: one push, on
    /// the lane of its thread.
    pub(crate) async fn send_fanout(
        &self,
        router: &Arc<Router>,
        server: &str,
        uids: Vec<i32>,
        thread_id: i64,
        msg_id: u16,
        frame: Bytes,
    ) {
        self.send_to(router, server, To::Many(uids), thread_id.unsigned_abs() as usize, msg_id, frame).await;
    }

    async fn send_to(&self, router: &Arc<Router>, server: &str, to: To, lane: usize, msg_id: u16, frame: Bytes) {
        let limits = &router.limits;
        let link = self.links.entry(server.to_owned()).or_insert_with(|| open(router, server)).clone();
        let (n, uid) = (to.uids().len(), to.uids().first().copied().unwrap_or(0));
        // What crosses: the frame, and a uid per recipient. A push bigger than the whole
        // window takes all of it.
        let size = frame.len() + 4 * n;
        let cost = u32::try_from(size.clamp(1, limits.peer_window.max(1))).unwrap_or(u32::MAX);
        let stalled = {
            let stalled = link.stalled.lock().unwrap_or_else(|p| p.into_inner());
            stalled.is_some_and(|at| at.elapsed() < limits.peer_wait)
        };
        let room = if stalled {
            link.window.clone().try_acquire_many_owned(cost).ok()
        } else {
            tokio::time::timeout(limits.peer_wait, link.window.clone().acquire_many_owned(cost))
                .await
                .ok()
                .and_then(Result::ok)
        };
        let mut marker = link.stalled.lock().unwrap_or_else(|p| p.into_inner());
        let Some(room) = room else {
            *marker = Some(Instant::now());
            drop(marker);
            return router.give_up(n, uid, "the peer's window stayed full");
        };
        *marker = None;
        drop(marker);
        let lane = &link.lanes[lane % link.lanes.len()];
        if lane.send(Push { to, msg_id, frame, room }).is_err() {
            router.give_up(n, uid, "the peer link is closed");
        }
    }
}

/// A link to `server`: its window and its lanes' tasks.
fn open(router: &Arc<Router>, server: &str) -> Link {
    let limits = &router.limits;
    let window = Arc::new(Semaphore::new(limits.peer_window.clamp(1, u32::MAX as usize)));
    let lanes = (0..limits.peer_lanes.max(1))
        .map(|_| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(run(Arc::downgrade(router), server.to_owned(), rx));
            tx
        })
        .collect();
    Link { window, stalled: Arc::default(), lanes }
}

/// One lane: whatever waits, up to `peer_batch` frames and about `peer_batch_bytes` (at most
/// one frame more), goes out in one call; in a steady flow it lingers up to `peer_linger`
/// for more, so a moderate rate makes few calls rather than one per push.
async fn run(router: Weak<Router>, server: String, mut rx: mpsc::UnboundedReceiver<Push>) {
    let mut lingering: Option<Linger> = None;
    let mut calls = Calls::default();
    while let Some(first) = rx.recv().await {
        let arrived = tokio::time::Instant::now();
        let Some(router) = router.upgrade() else { return };
        let limits = &router.limits;
        let mut bytes = first.frame.len();
        let mut batch = vec![first];
        let room = |batch: &Vec<Push>, bytes: usize| batch.len() < limits.peer_batch && bytes < limits.peer_batch_bytes;
        while room(&batch, bytes) {
            match rx.try_recv() {
                Ok(push) => {
                    bytes += push.frame.len();
                    batch.push(push);
                }
                Err(_) => break,
            }
        }
        let lingering = lingering.get_or_insert_with(|| Linger::new(limits.peer_linger));
        if let Some(deadline) = lingering.wait(arrived).filter(|_| room(&batch, bytes)) {
            let before = batch.len();
            while room(&batch, bytes) {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(push)) => {
                        bytes += push.frame.len();
                        batch.push(push);
                    }
                    _ => break,
                }
            }
            lingering.gathered(batch.len() - before);
        }
        deliver(&router, &server, &mut calls, batch).await;
        lingering.done(tokio::time::Instant::now());
    }
}

/// A peer found without `DeliverStream` is asked again after this long (it may have been
/// upgraded in place).
const STREAM_RETRY: std::time::Duration = std::time::Duration::from_secs(60);

/// How a lane reaches its peer: the open `DeliverStream`, if any, and the peer address found
/// to lack it, and when (called unary until `STREAM_RETRY` has passed or the address changed).
#[derive(Default)]
struct Calls {
    stream: Option<Stream>,
    unary: Option<(String, Instant)>,
}

/// One open `DeliverStream`: requests go in on `requests`, their answers come back in order.
struct Stream {
    addr: String,
    requests: mpsc::Sender<DeliverReq>,
    answers: tonic::Streaming<DeliverRsp>,
}

impl Calls {
    /// `req` delivered by `addr`: the recipients it did not have. Any failure drops the stream
    /// (the next batch opens another); a peer that answers `UNIMPLEMENTED` to the opening is
    /// called unary from then on. A stream the peer ended cleanly had not taken the request
    /// (it ends only between requests), which then goes once more on a fresh stream.
    async fn call(&mut self, router: &Router, addr: &str, req: DeliverReq) -> Result<Vec<i32>, tonic::Status> {
        let mut client = router.channels.chat(addr).map_err(|err| tonic::Status::unavailable(err.to_string()))?;
        if self.stream.as_ref().is_some_and(|stream| stream.addr != addr) {
            self.stream = None;
        }
        let mut fresh = false;
        loop {
            if self.unary.as_ref().is_some_and(|(older, at)| older == addr && at.elapsed() < STREAM_RETRY) {
                return client.deliver(req).await.map(|r| r.into_inner().missing_uids);
            }
            let mut stream = match self.stream.take() {
                Some(stream) => stream,
                None => {
                    fresh = true;
                    // One request in flight at a time: a queue of one is enough.
                    let (requests, rx) = mpsc::channel(1);
                    match client.deliver_stream(tokio_stream::wrappers::ReceiverStream::new(rx)).await {
                        Ok(answers) => Stream { addr: addr.to_owned(), requests, answers: answers.into_inner() },
                        Err(status) if status.code() == tonic::Code::Unimplemented => {
                            tracing::info!(addr, "the peer has no DeliverStream; unary Deliver calls");
                            self.unary = Some((addr.to_owned(), Instant::now()));
                            continue;
                        }
                        Err(status) => return Err(status),
                    }
                }
            };
            let answer = match stream.requests.send(req.clone()).await {
                Ok(()) => stream.answers.message().await?,
                Err(_) => None,
            };
            match answer {
                Some(answer) => {
                    self.stream = Some(stream);
                    return Ok(answer.missing_uids);
                }
                None if fresh => return Err(tonic::Status::unavailable("the peer ended a fresh stream")),
                None => {}
            }
        }
    }
}

async fn deliver(router: &Arc<Router>, server: &str, calls: &mut Calls, batch: Vec<Push>) {
    let uids: Vec<i32> = batch.iter().flat_map(|p| p.to.uids().iter().copied()).collect();
    let first = uids.first().copied().unwrap_or(0);
    let addr = match router.peer_addr(server).await {
        Ok(Some(addr)) => addr,
        Ok(None) => {
            uids.iter().for_each(|uid| drop(router.forget_route(*uid)));
            return router.give_up(uids.len(), first, "the recipients' server is gone");
        }
        Err(err) => {
            tracing::warn!(%err, server, "registry lookup failed");
            return router.give_up(uids.len(), first, "the peer's address is unknown");
        }
    };
    // The window's room is held until the call returns: what is in flight counts.
    // The pushes are kept (cheap clones) for the recipients the peer no longer has.
    let mut pushes = Vec::with_capacity(batch.len());
    let mut frames = Vec::with_capacity(batch.len());
    let mut fanouts = Vec::new();
    let mut held = Vec::with_capacity(batch.len());
    for Push { to, msg_id, frame, room } in batch {
        let body = frame.slice(imchat_proto::codec::HEADER_LEN..);
        match &to {
            To::One(uid) => frames.push(Frame { touid: *uid, msg_id: u32::from(msg_id), body }),
            To::Many(uids) => fanouts.push(Fanout { touids: uids.clone(), msg_id: u32::from(msg_id), body }),
        }
        pushes.push((to, msg_id, frame));
        held.push(room);
    }
    router.peers.calls.fetch_add(1, Ordering::Relaxed);
    router.peers.frames.fetch_add(uids.len() as u64, Ordering::Relaxed);
    // The peer may hold a call while a recipient of it is slow (up to `push_wait`); a call
    // longer than that and a window's wait is a peer that is not answering. Timed out, the
    // stream is dropped with the call (its answer could no longer be told from the next).
    let bound = router.limits.push_wait + router.limits.peer_wait;
    let result = match tokio::time::timeout(bound, calls.call(router, &addr, DeliverReq { frames, fanouts })).await {
        Ok(result) => result,
        Err(_) => Err(tonic::Status::deadline_exceeded("the peer did not answer in time")),
    };
    drop(held);
    match result {
        Ok(missing) if missing.is_empty() => {}
        Ok(missing) => reroute(router, server, &missing, pushes),
        Err(status) => {
            tracing::warn!(server, %status, "peer delivery failed");
            uids.iter().for_each(|uid| drop(router.forget_route(*uid)));
            router.give_up(uids.len(), first, "the peer call failed");
        }
    }
}

/// The pushes of `missing` users, whom `server` no longer has: they logged out (offline; they
/// sync on return) or logged in again elsewhere after their route was read, perhaps after
/// their new session's sync. They go out once more on a freshly read route, in order.
fn reroute(router: &Arc<Router>, server: &str, missing: &[i32], pushes: Vec<(To, u16, Bytes)>) {
    let missing: std::collections::HashSet<i32> = missing.iter().copied().collect();
    let mut by_uid: std::collections::HashMap<i32, Vec<(u16, Bytes)>> = std::collections::HashMap::new();
    for (to, msg_id, frame) in pushes {
        for uid in to.uids().iter().filter(|uid| missing.contains(uid)) {
            by_uid.entry(*uid).or_default().push((msg_id, frame.clone()));
        }
    }
    for (uid, frames) in by_uid {
        let before = router.forget_route(uid);
        let (router, server) = (router.clone(), server.to_owned());
        tokio::spawn(async move {
            for (msg_id, frame) in frames {
                router.redeliver(uid, msg_id, frame, &server, &before).await;
            }
            router.drop_stale_sessions(uid, &server).await;
        });
    }
}
