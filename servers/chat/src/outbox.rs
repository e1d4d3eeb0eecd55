//! A session's outbound frame queue: bounded in frames, with a close signal for the reader and
//! the writer of its connection, and kicks that the reader delivers between requests (after
//! which only the kick's grace replies are queued). Built on
//! a mutex-guarded `VecDeque` and two `Notify`s rather than a channel, so an idle connection's
//! queue holds no buffer at all (memory per idle connection is a benchmark target; a channel
//! keeps a block of slots for its whole life).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub(crate) struct Outbox(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    state: Mutex<State>,
    /// Wakes the writer: frames queued, or closed.
    to_writer: Notify,
    /// Wakes the reader: closed.
    to_reader: Notify,
    limit: usize,
}

#[derive(Debug, Default)]
struct State {
    frames: VecDeque<Bytes>,
    closed: bool,
    /// A kick's notice, waiting for the reader to queue it.
    kick: Option<Bytes>,
    /// The kick's notice is queued: the session is over, only grace replies go out.
    kicked: bool,
}

/// What the writer finds when it takes from the queue.
pub(crate) enum Taken {
    Frames(VecDeque<Bytes>),
    Closed(VecDeque<Bytes>),
}

impl Outbox {
    /// A queue of at most `limit` frames.
    pub(crate) fn new(limit: usize) -> Outbox {
        Outbox(Arc::new(Inner {
            state: Mutex::default(),
            to_writer: Notify::new(),
            to_reader: Notify::new(),
            limit: limit.max(1),
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues one encoded frame. A full queue means the client does not read: it is
    /// disconnected (its messages are safe in the database and reach it by sync).
    pub(crate) fn push(&self, frame: Bytes) -> bool {
        self.push_if(frame, |state| !state.kicked)
    }

    /// Queues a reply of the kick's grace period ([`Outbox::deliver_kick`]): nothing else is
    /// queued once the notice went out.
    pub(crate) fn push_in_grace(&self, frame: Bytes) -> bool {
        self.push_if(frame, |state| state.kicked)
    }

    fn push_if(&self, frame: Bytes, allowed: impl FnOnce(&State) -> bool) -> bool {
        let state = self.state();
        if !allowed(&state) {
            return false;
        }
        self.enqueue(state, frame)
    }

    /// Queues `frame` under the lock already held; a full queue disconnects.
    fn enqueue(&self, mut state: MutexGuard<'_, State>, frame: Bytes) -> bool {
        if state.closed {
            return false;
        }
        if state.frames.len() >= self.0.limit {
            drop(state);
            tracing::warn!("slow consumer: outbound queue full, disconnecting");
            self.close();
            return false;
        }
        state.frames.push_back(frame);
        drop(state);
        self.0.to_writer.notify_one();
        true
    }

    /// Ends the session after the frames already queued are flushed.
    pub(crate) fn close(&self) {
        self.state().closed = true;
        self.0.to_writer.notify_one();
        self.0.to_reader.notify_one();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state().closed
    }

    /// Ends the session with `notice`, but only once the request it is handling (if any) is
    /// answered: the reader queues the notice and closes ([`Outbox::deliver_kick`]). A newer
    /// login may kick a session whose own login reply is not queued yet; that reply must still
    /// come first.
    pub(crate) fn kick(&self, notice: Bytes) {
        let mut state = self.state();
        if state.closed {
            return;
        }
        state.kick.get_or_insert(notice);
        drop(state);
        self.0.to_reader.notify_one();
    }

    /// Whether a kick waits for the reader.
    pub(crate) fn kick_waiting(&self) -> bool {
        self.state().kick.is_some()
    }

    /// For the reader, between requests: queues a waiting kick's notice, after which the
    /// session queues nothing but [`Outbox::push_in_grace`] replies; the reader closes the
    /// outbox when the grace period ends. True when there was a kick.
    pub(crate) fn deliver_kick(&self) -> bool {
        let mut state = self.state();
        let Some(notice) = state.kick.take() else { return false };
        // Under the same lock as the notice, so no push from another task lands behind it.
        state.kicked = true;
        self.enqueue(state, notice);
        true
    }

    /// Resolves once the outbox is closed or a kick waits (for the reader).
    pub(crate) async fn ended(&self) {
        loop {
            // Registered before looking, so a kick or close between the look and the wait
            // is not missed.
            let notified = self.0.to_reader.notified();
            {
                let state = self.state();
                if state.closed || state.kick.is_some() {
                    return;
                }
            }
            notified.await;
        }
    }

    /// Waits for frames (or the close) and takes everything queued; the queue's buffer leaves
    /// with them, so an empty queue holds no memory.
    pub(crate) async fn take(&self) -> Taken {
        loop {
            // Registered before looking, so a push between the look and the wait is not missed.
            let notified = self.0.to_writer.notified();
            {
                let mut state = self.state();
                if state.closed {
                    return Taken::Closed(std::mem::take(&mut state.frames));
                }
                if !state.frames.is_empty() {
                    return Taken::Frames(std::mem::take(&mut state.frames));
                }
            }
            notified.await;
        }
    }

    /// Resolves when the outbox closes while the writer is busy writing. Wake-ups for new
    /// frames are ignored here; the writer takes those after the write.
    pub(crate) async fn closed_while_writing(&self) {
        loop {
            let notified = self.0.to_writer.notified();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_queue_closes_when_full_and_keeps_order() {
        let outbox = Outbox::new(2);
        assert!(outbox.push(Bytes::from_static(b"a")));
        assert!(outbox.push(Bytes::from_static(b"b")));
        assert!(!outbox.is_closed());
        assert!(!outbox.push(Bytes::from_static(b"c")), "a third frame overflows");
        assert!(outbox.is_closed());
        assert!(!outbox.push(Bytes::from_static(b"d")), "nothing is queued after the close");
        match outbox.take().await {
            Taken::Closed(frames) => assert_eq!(frames, [Bytes::from_static(b"a"), Bytes::from_static(b"b")]),
            Taken::Frames(_) => panic!("the queue was closed"),
        }
        outbox.ended().await;
    }

    #[tokio::test]
    async fn a_kick_waits_for_the_reader_and_comes_after_what_is_queued() {
        let outbox = Outbox::new(8);
        let reader = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.ended().await }
        });
        outbox.kick(Bytes::from_static(b"kicked"));
        reader.await.unwrap();
        assert!(!outbox.is_closed(), "the kick is the reader's to deliver");
        // The reply to the request in progress, queued after the kick arrived.
        assert!(outbox.push(Bytes::from_static(b"reply")));
        outbox.kick(Bytes::from_static(b"kicked again"));
        assert!(!outbox.push_in_grace(Bytes::from_static(b"early")), "no grace before the notice");
        assert!(outbox.deliver_kick());
        assert!(!outbox.deliver_kick(), "delivered once");
        assert!(!outbox.push(Bytes::from_static(b"late")), "nothing but grace replies after the notice");
        assert!(outbox.push_in_grace(Bytes::from_static(b"beat")));
        outbox.close();
        assert!(!outbox.push_in_grace(Bytes::from_static(b"beat again")), "closed");
        match outbox.take().await {
            Taken::Closed(frames) => {
                assert_eq!(
                    frames,
                    [Bytes::from_static(b"reply"), Bytes::from_static(b"kicked"), Bytes::from_static(b"beat")]
                );
            }
            Taken::Frames(_) => panic!("closed"),
        }
    }

    #[tokio::test]
    async fn take_waits_for_a_push_from_another_task() {
        let outbox = Outbox::new(8);
        let writer = tokio::spawn({
            let outbox = outbox.clone();
            async move {
                match outbox.take().await {
                    Taken::Frames(frames) => frames,
                    Taken::Closed(_) => panic!("not closed"),
                }
            }
        });
        tokio::task::yield_now().await;
        assert!(outbox.push(Bytes::from_static(b"x")));
        assert_eq!(writer.await.unwrap(), [Bytes::from_static(b"x")]);
    }
}
