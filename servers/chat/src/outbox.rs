//! A session's outbound frame queue, bounded in bytes: the session's own replies are queued at
//! once (the reader stops reading while the queue is over budget, so they cannot pile up),
//! pushes from other sessions and peers wait for room within the budget (that is what slows
//! their senders), and a recipient that leaves them waiting too long is a slow consumer and is
//! disconnected. Also a close signal for the reader and the writer of its connection, and kicks
//! that the reader delivers between requests (after which only the kick's grace replies are
//! queued). Built on a mutex-guarded `VecDeque` and `Notify`s rather than a channel, so an idle
//! connection's queue holds no buffer at all (memory per idle connection is a benchmark target;
//! a channel keeps a block of slots for its whole life).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub(crate) struct Outbox(Arc<Inner>);

/// How much one session's queue holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutboxLimits {
    /// Pushes wait while this many bytes are queued and not yet taken by the writer.
    pub(crate) budget: usize,
    /// Queued bytes past which the session is disconnected whatever was queued (a safety net:
    /// the budget and the reader's back-pressure keep the queue far below it).
    pub(crate) hard: usize,
    /// How long a push waits for room before the recipient counts as a slow consumer.
    pub(crate) push_wait: Duration,
}

#[derive(Debug)]
struct Inner {
    state: Mutex<State>,
    /// Wakes the writer: frames queued, or closed.
    to_writer: Notify,
    /// Wakes the reader: closed.
    to_reader: Notify,
    /// Wakes whoever waits for room: the writer took the queue, or it closed.
    room: Notify,
    limits: OutboxLimits,
}

#[derive(Debug, Default)]
struct State {
    frames: VecDeque<Bytes>,
    /// Bytes in `frames`.
    bytes: usize,
    closed: bool,
    /// A kick's notice, waiting for the reader to queue it.
    kick: Option<Bytes>,
    /// The kick's notice is queued: the session is over, only grace replies go out.
    kicked: bool,
}

/// What became of a push ([`Outbox::deliver`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    Queued,
    /// The session is over (closed or kicked): its user is offline and syncs on return.
    Gone,
    /// The recipient did not read within the push wait: it was disconnected as a slow consumer
    /// (it syncs on return). The push is given up.
    GaveUp,
}

/// What the writer finds when it takes from the queue.
pub(crate) enum Taken {
    Frames(VecDeque<Bytes>),
    Closed(VecDeque<Bytes>),
}

impl Outbox {
    pub(crate) fn new(limits: OutboxLimits) -> Outbox {
        let limits = OutboxLimits { budget: limits.budget.max(1), hard: limits.hard.max(limits.budget), ..limits };
        Outbox(Arc::new(Inner {
            state: Mutex::default(),
            to_writer: Notify::new(),
            to_reader: Notify::new(),
            room: Notify::new(),
            limits,
        }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues one of the session's own replies. Past the hard limit the client is not reading
    /// its replies: it is disconnected (its messages are safe in the database and reach it by
    /// sync).
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

    /// Queues a push from another session or a peer once it has room within the budget,
    /// waiting up to the push wait; a recipient that lets it wait longer is disconnected.
    pub(crate) async fn deliver(&self, frame: Bytes) -> Pushed {
        let waited = tokio::time::timeout(self.0.limits.push_wait, async {
            loop {
                // Registered before looking, so room made between the look and the wait wakes it.
                let room = self.0.room.notified();
                {
                    let state = self.state();
                    if state.closed || state.kicked {
                        return Pushed::Gone;
                    }
                    if state.bytes < self.0.limits.budget {
                        // Open (checked above), so a refusal is the hard limit: given up.
                        return if self.enqueue(state, frame.clone()) { Pushed::Queued } else { Pushed::GaveUp };
                    }
                }
                room.await;
            }
        })
        .await;
        waited.unwrap_or_else(|_| {
            tracing::warn!(wait = ?self.0.limits.push_wait, "slow consumer: a push found no room in time, disconnecting");
            self.close();
            Pushed::GaveUp
        })
    }

    /// Resolves once the queue is below its budget or closed: the reader waits for this before
    /// reading the next request, so a client that does not read its replies stops being read.
    pub(crate) async fn room(&self) {
        loop {
            let room = self.0.room.notified();
            {
                let state = self.state();
                if state.closed || state.bytes < self.0.limits.budget {
                    return;
                }
            }
            room.await;
        }
    }

    /// Whether the queue is below its budget (or closed): see [`Outbox::room`].
    pub(crate) fn has_room(&self) -> bool {
        let state = self.state();
        state.closed || state.bytes < self.0.limits.budget
    }

    /// Queues `frame` under the lock already held; past the hard limit it disconnects.
    fn enqueue(&self, mut state: MutexGuard<'_, State>, frame: Bytes) -> bool {
        if state.closed {
            return false;
        }
        if state.bytes + frame.len() > self.0.limits.hard {
            drop(state);
            tracing::warn!("slow consumer: outbound queue over its hard limit, disconnecting");
            self.close();
            return false;
        }
        state.bytes += frame.len();
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
        self.0.room.notify_waiters();
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
            if let Some(taken) = self.take_ready() {
                return taken;
            }
            notified.await;
        }
    }

    /// What [`Outbox::take`] would return now, without waiting: `None` while the queue is
    /// empty and open.
    pub(crate) fn take_ready(&self) -> Option<Taken> {
        let mut state = self.state();
        if state.closed {
            state.bytes = 0;
            return Some(Taken::Closed(std::mem::take(&mut state.frames)));
        }
        if state.frames.is_empty() {
            return None;
        }
        state.bytes = 0;
        let frames = std::mem::take(&mut state.frames);
        drop(state);
        self.0.room.notify_waiters();
        Some(Taken::Frames(frames))
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

    fn outbox(budget: usize, hard: usize) -> Outbox {
        Outbox::new(OutboxLimits { budget, hard, push_wait: Duration::from_secs(30) })
    }

    #[tokio::test]
    async fn bounded_queue_closes_when_full_and_keeps_order() {
        let outbox = outbox(1, 2);
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
        let outbox = outbox(64, 64);
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
        let outbox = outbox(64, 64);
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

    #[tokio::test]
    async fn a_push_waits_for_room_and_is_queued_when_the_writer_takes() {
        let outbox = outbox(2, 64);
        assert!(outbox.push(Bytes::from_static(b"ab")), "a reply is queued whatever the budget");
        let push = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.deliver(Bytes::from_static(b"push")).await }
        });
        tokio::task::yield_now().await;
        assert!(!push.is_finished(), "the budget is used up: the push waits");
        let Taken::Frames(frames) = outbox.take().await else { panic!("not closed") };
        assert_eq!(frames, [Bytes::from_static(b"ab")]);
        assert_eq!(push.await.unwrap(), Pushed::Queued);
        let Taken::Frames(frames) = outbox.take().await else { panic!("not closed") };
        assert_eq!(frames, [Bytes::from_static(b"push")]);
    }

    #[tokio::test]
    async fn a_push_to_a_reader_that_never_takes_gives_up_and_disconnects() {
        let outbox = Outbox::new(OutboxLimits { budget: 1, hard: 64, push_wait: Duration::from_millis(50) });
        assert!(outbox.push(Bytes::from_static(b"x")));
        let room = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.room().await }
        });
        assert_eq!(outbox.deliver(Bytes::from_static(b"push")).await, Pushed::GaveUp);
        assert!(outbox.is_closed(), "the slow consumer is disconnected");
        room.await.unwrap();
        assert_eq!(outbox.deliver(Bytes::from_static(b"late")).await, Pushed::Gone);
    }
}
