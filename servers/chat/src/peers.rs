//! Outbound pushes to peer chat servers, batched: one queue and one task per peer, draining
//! whatever is waiting into a single `Deliver` call, so under load inter-server traffic is far
//! below one rpc per message.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use bytes::Bytes;
use dashmap::DashMap;
use imchat_proto::grpc::{DeliverReq, Frame};
use tokio::sync::mpsc;

use crate::Shared;

struct Push {
    uid: i32,
    msg_id: u16,
    frame: Bytes,
}

#[derive(Default)]
pub(crate) struct Peers {
    queues: DashMap<String, mpsc::Sender<Push>>,
    /// `Deliver` calls made, and the frames they carried (announced in the registry).
    calls: AtomicU64,
    frames: AtomicU64,
}

impl Peers {
    /// (calls, frames) since this server started.
    pub(crate) fn traffic(&self) -> (u64, u64) {
        (self.calls.load(Ordering::Relaxed), self.frames.load(Ordering::Relaxed))
    }

    /// Queues a push for `server`. A full queue drops the push (the message is stored; the
    /// recipient gets it by sync) rather than stalling the sender.
    pub(crate) fn send(&self, shared: &Arc<Shared>, server: &str, uid: i32, msg_id: u16, frame: Bytes) {
        let tx = self
            .queues
            .entry(server.to_owned())
            .or_insert_with(|| {
                let (tx, rx) = mpsc::channel(shared.config.limits.peer_queue.max(1));
                tokio::spawn(run(Arc::downgrade(shared), server.to_owned(), rx));
                tx
            })
            .clone();
        if tx.try_send(Push { uid, msg_id, frame }).is_err() {
            tracing::warn!(server, uid, "peer queue full; push dropped (message is stored)");
        }
    }
}

async fn run(shared: Weak<Shared>, server: String, mut rx: mpsc::Receiver<Push>) {
    while let Some(first) = rx.recv().await {
        let Some(shared) = shared.upgrade() else { return };
        let mut batch = vec![first];
        while batch.len() < shared.config.limits.peer_batch {
            match rx.try_recv() {
                Ok(push) => batch.push(push),
                Err(_) => break,
            }
        }
        deliver(&shared, &server, batch).await;
    }
}

async fn deliver(shared: &Shared, server: &str, batch: Vec<Push>) {
    let uids: Vec<i32> = batch.iter().map(|p| p.uid).collect();
    let addr = match shared.peer_addr(server).await {
        Ok(Some(addr)) => addr,
        Ok(None) => {
            tracing::debug!(server, "peer is gone; its users are offline");
            uids.iter().for_each(|uid| shared.hub.forget_route(*uid));
            return;
        }
        Err(err) => {
            tracing::warn!(%err, server, "registry lookup failed; pushes dropped (messages are stored)");
            return;
        }
    };
    let frames = batch
        .into_iter()
        .map(|p| Frame {
            touid: p.uid,
            msg_id: u32::from(p.msg_id),
            body: p.frame.slice(imchat_proto::codec::HEADER_LEN..),
        })
        .collect::<Vec<Frame>>();
    let result = match shared.channels.chat(&addr) {
        Ok(mut client) => {
            shared.peers.calls.fetch_add(1, Ordering::Relaxed);
            shared.peers.frames.fetch_add(frames.len() as u64, Ordering::Relaxed);
            client.deliver(DeliverReq { frames }).await.map(|r| r.into_inner().missing_uids)
        }
        Err(err) => Err(tonic::Status::unavailable(err.to_string())),
    };
    match result {
        Ok(missing) => missing.iter().for_each(|uid| shared.hub.forget_route(*uid)),
        Err(status) => {
            tracing::warn!(server, %status, "peer delivery failed (messages are stored)");
            uids.iter().for_each(|uid| shared.hub.forget_route(*uid));
        }
    }
}
