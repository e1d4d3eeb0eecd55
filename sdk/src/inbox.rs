//! A chat connection's events with the holes filled: every text push passes through the
//! account's [`Cursors`], duplicates are dropped, and a push that shows a message before it
//! was lost on its way fetches the missing range first, so texts come out of [`Inbox::next`]
//! in each thread's order with nothing skipped, without a reconnect.
//!
//! For programs that read a connection's events in one loop (bots, `imctl`, tests). A UI that
//! keeps its own state does the same with [`Cursors`] and [`ChatClient::fetch_between`].

use std::collections::VecDeque;

use imchat_proto::msg::{
    EditEvent, NotifyEdit, NotifyGroupMsg, NotifyReact, NotifyRecall, NotifyTextChat, ReactionEvent, RecallEvent,
    SyncData, TextChatData,
};
use tokio::sync::mpsc;

use crate::cursor::{Cursors, Seen};
use crate::{ChatClient, Event};

pub struct Inbox {
    client: ChatClient,
    events: mpsc::Receiver<Event>,
    cursors: Cursors,
    ready: VecDeque<Event>,
    recovered: u64,
    closed: bool,
}

impl Inbox {
    /// Reads `events` (from [`ChatClient::connect`]) for a logged-in `client`, starting from
    /// `cursors` (what the account holds; a thread not in them starts at its first message).
    pub fn new(client: ChatClient, events: mpsc::Receiver<Event>, cursors: Cursors) -> Inbox {
        Inbox { client, events, cursors, ready: VecDeque::new(), recovered: 0, closed: false }
    }

    /// The next event; `None` once the connection closed (after its [`Event::Closed`]).
    /// A text event holds only messages not seen before, in seq order.
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            if self.closed {
                return None;
            }
            let event = self.events.recv().await.unwrap_or(Event::Closed);
            match event {
                Event::Text(push) => self.text(push, Event::Text).await,
                // A text of this user's from another device takes its place in the thread's
                // cursor as any message does.
                Event::OwnText(push) => self.text(push, Event::OwnText).await,
                Event::Group(push) => self.group(push).await,
                Event::Recalled(push) => {
                    let (thread, notice) = (push.thread_id, push.notice.clone());
                    self.notice(thread, &notice, Event::Recalled(push)).await;
                }
                Event::Edited(push) => {
                    let (thread, notice) = (push.thread_id, push.notice.clone());
                    self.notice(thread, &notice, Event::Edited(push)).await;
                }
                Event::Reacted(push) => {
                    let (thread, notice) = (push.thread_id, push.notice.clone());
                    self.notice(thread, &notice, Event::Reacted(push)).await;
                }
                Event::Closed => {
                    self.closed = true;
                    self.ready.push_back(Event::Closed);
                }
                other => self.ready.push_back(other),
            }
        }
    }

    /// What the account holds: sync from these after a reconnect.
    pub fn cursors(&self) -> &Cursors {
        &self.cursors
    }

    /// Messages fetched because their push never came.
    pub fn recovered(&self) -> u64 {
        self.recovered
    }

    /// A private text push, passed on as `event` with only what was not seen before.
    async fn text(&mut self, mut push: NotifyTextChat, event: fn(NotifyTextChat) -> Event) {
        let thread = push.thread_id;
        push.chat_datas.retain(|data| self.cursors.observe(thread, data.seq) != Seen::Duplicate);
        self.fill_hole(thread, false).await;
        if !push.chat_datas.is_empty() {
            self.ready.push_back(event(push));
        }
    }

    async fn group(&mut self, mut push: NotifyGroupMsg) {
        let thread = push.thread_id;
        push.chat_datas.retain(|data| self.cursors.observe(thread, data.seq) != Seen::Duplicate);
        self.fill_hole(thread, true).await;
        if !push.chat_datas.is_empty() {
            self.ready.push_back(Event::Group(push));
        }
    }

    /// A recall or an edit (`event`): its notice takes a place in the thread as any message does.
    async fn notice(&mut self, thread: i64, notice: &SyncData, event: Event) {
        let seen = self.cursors.observe(thread, notice.seq);
        self.fill_hole(thread, notice.receiver == 0).await;
        if seen != Seen::Duplicate {
            self.ready.push_back(event);
        }
    }

    /// Fetches what `thread`'s cursor misses, as the pushes they should have been.
    async fn fill_hole(&mut self, thread: i64, group: bool) {
        let Some((after, before)) = self.cursors.get(thread).and_then(|cursor| cursor.missing()) else { return };
        match self.client.fetch_between(thread, after, before).await {
            Ok(found) => {
                // The server answers from the first message this reader may have: what lies
                // before it is not theirs (a group joined later), and is never waited for.
                let first = found.first().map_or(before, |d| d.seq);
                if first > after + 1 && self.cursors.dialect() == crate::Dialect::Imchat {
                    self.cursors.skip_to(thread, first - 1);
                }
                let found: Vec<SyncData> =
                    found.into_iter().filter(|d| self.cursors.observe(thread, d.seq) != Seen::Duplicate).collect();
                self.recovered += found.len() as u64;
                self.ready.extend(found.into_iter().map(|data| {
                    if let Some(recall) = RecallEvent::of(&data) {
                        return Event::Recalled(NotifyRecall { thread_id: thread, seq: recall.seq, notice: data });
                    }
                    if let Some(edit) = EditEvent::of(&data) {
                        return Event::Edited(NotifyEdit { thread_id: thread, seq: edit.seq, notice: data });
                    }
                    if let Some(reaction) = ReactionEvent::of(&data) {
                        return Event::Reacted(NotifyReact { thread_id: thread, seq: reaction.seq, notice: data });
                    }
                    if group { as_group_push(data) } else { as_push(data) }
                }));
            }
            // The hole stays: the cursor does not pass it, and the next push of this thread
            // (or a sync from the cursors) tries again.
            Err(err) => tracing::debug!(%err, thread, "fetching a lost push failed"),
        }
    }
}

/// A fetched group message as the push it should have been.
fn as_group_push(data: SyncData) -> Event {
    Event::Group(NotifyGroupMsg {
        fromuid: data.sender,
        thread_id: data.thread_id,
        mentions: data.mentions.clone(),
        chat_datas: vec![data],
    })
}

/// A fetched message as the push it should have been.
fn as_push(data: SyncData) -> Event {
    Event::Text(NotifyTextChat {
        error: 0,
        fromuid: data.sender,
        touid: data.receiver,
        thread_id: data.thread_id,
        chat_datas: vec![TextChatData {
            message_id: data.message_id,
            unique_id: data.unique_id,
            content: data.content,
            status: data.status,
            chat_time: data.chat_time,
            seq: data.seq,
            reply: data.reply,
            forwarded_from: data.forwarded_from,
        }],
    })
}
