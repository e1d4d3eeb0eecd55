//! The session's life: the welcome of a login (first or after a reconnect, with the outbox
//! sent again), the backoff between attempts, and sync replies merged into the model.

use std::collections::HashMap;

use imchat_sdk::Dialect;
use imchat_sdk::cursor::ThreadCursor;
use imchat_sdk::proto::msg::SyncRsp;

use super::incoming::sync_msg;
use super::saved::SAVED_VERSION;
use super::{
    App, BACKOFF_FIRST, BACKOFF_MAX, Conn, Friend, GroupView, Main, MsgState, Request, Saved, Screen, Thread,
    main_mentions, peer_of, send_effect,
};
use crate::event::{Effect, Welcome};

impl App {
    /// What this machine kept of the account being logged in to: shown at once (the login
    /// goes on; a refusal drops it), unless the login already answered. From now on unsent
    /// messages are kept too (`kept`), unless the account's file could not be had.
    pub(super) fn restored(&mut self, restored: Result<Option<Box<Saved>>, String>) {
        self.kept = restored.is_ok();
        match restored {
            Ok(Some(saved)) if self.busy && self.main.is_none() && saved.version == SAVED_VERSION => {
                self.main = Some(Main::restored(*saved, self.tr));
                self.screen = Screen::Main;
                self.info(self.tr.connecting_kept());
            }
            Ok(_) => {}
            Err(why) => self.error(why),
        }
    }

    /// A sync reply: its messages merged, its threads' counts and read markers taken, and the next page asked for.
    pub(super) fn synced(&mut self, sync: SyncRsp) -> Vec<Effect> {
        let tr = self.tr;
        let Some(main) = &mut self.main else { return Vec::new() };
        main.syncing = false;
        let (dialect, brought) = (main.dialect, !sync.chat_datas.is_empty());
        let mut unknown_groups = Vec::new();
        for state in sync.threads.iter().filter(|s| s.kind == "group") {
            let closed = main.open != Some(state.thread_id);
            let thread = main.group_thread(state.thread_id);
            if state.mentions > 0 && closed {
                thread.group.get_or_insert_with(GroupView::default).mentioned = true;
            }
            if thread.group.as_ref().is_some_and(|g| g.name.is_empty()) {
                unknown_groups.push(Effect::GroupInfo(state.thread_id));
            }
        }
        // A reply's first message of a thread is the next one this user may read: what
        // lies between the cursor and it is not theirs (said before they joined a
        // group), so the cursor moves past it instead of waiting for it forever.
        let mut firsts: HashMap<i64, i64> = HashMap::new();
        for data in &sync.chat_datas {
            firsts.entry(data.thread_id).or_insert(data.seq);
        }
        if dialect == Dialect::Imchat {
            for (thread_id, first) in firsts {
                if let Some(thread) = main.threads.get_mut(&thread_id) {
                    thread.skip_unreadable(first);
                }
            }
        }
        for data in sync.chat_datas {
            let thread_id = data.thread_id;
            // A group's messages have no receiver.
            let peer = if data.receiver == 0 { 0 } else { peer_of(main.uid, data.sender, data.receiver) };
            let thread =
                main.threads.entry(thread_id).or_insert_with(|| Thread { id: thread_id, peer, ..Thread::default() });
            if thread.msgs.is_empty() && thread.cursor == ThreadCursor::default() {
                // A thread new to this client may start mid-way (the recent tail).
                thread.cursor = ThreadCursor::at(data.seq - 1);
            }
            let (seq, from_peer) = (data.seq, data.sender != main.uid);
            if thread.merge(sync_msg(data, tr, main.uid), dialect) && from_peer && main.open != Some(thread_id) {
                thread.divider.get_or_insert(seq);
            }
        }
        for receipt in &sync.receipts {
            if let Some(thread) = main.threads.get_mut(&receipt.thread_id) {
                thread.peer_read = thread.peer_read.max(receipt.seq);
            }
        }
        for state in sync.threads {
            let thread = main.threads.entry(state.thread_id).or_insert_with(|| Thread {
                id: state.thread_id,
                peer: state.peer_uid,
                ..Thread::default()
            });
            if state.read_seq > 0 {
                // The server counts from the user's read marker (any device's): its
                // count is the count, right after a restart too.
                thread.read_mark = thread.read_mark.max(state.read_seq);
                if main.open != Some(state.thread_id) {
                    thread.unread = state.unread;
                    thread.divider = (state.unread > 0).then_some(state.read_seq + 1);
                }
            } else if main.open != Some(state.thread_id) && state.unread > 0 {
                thread.unread += state.unread;
            }
        }
        // More to come (these threads' messages, or the next page of threads), or a gap
        // a push opened while this sync was on its way.
        if sync.more {
            unknown_groups.extend(main.sync_from(sync.next_thread.unwrap_or(0)));
            return unknown_groups;
        }
        if brought && let Some(gap) = main.threads.values().find(|t| t.has_gap()) {
            let after = gap.id - 1;
            unknown_groups.extend(main.sync_from(after));
        }
        unknown_groups
    }

    pub(super) fn welcome(&mut self, welcome: Welcome) -> Vec<Effect> {
        self.busy = false;
        self.reconnects = 0;
        self.conn = Conn::Online;
        self.screen = Screen::Main;
        let first = self.main.as_ref().is_none_or(|m| m.uid != welcome.uid);
        if first {
            let mut main =
                Main::new(welcome.uid, welcome.name.clone(), welcome.server.clone(), welcome.dialect, self.tr);
            main.verified = true;
            self.main = Some(main);
            self.info(self.tr.welcome(&welcome.name));
        } else if self.main.as_ref().is_some_and(|m| !m.verified) {
            self.info(self.tr.welcome_back(&welcome.name));
        } else {
            self.info(self.tr.reconnected());
        }
        // The password is not kept in the form once it has served (the network task holds it).
        self.login.fields[1].1.take();
        let main = self.main.as_mut().expect("just set");
        main.server = welcome.server;
        main.dialect = welcome.dialect;
        main.max_text = welcome.max_text;
        main.takes_typing = welcome.typing;
        main.takes_receipts = welcome.receipts;
        main.takes_recall = welcome.recall;
        main.takes_edit = welcome.edit;
        main.takes_reactions = welcome.reactions;
        main.takes_reply = welcome.reply;
        main.takes_forward = welcome.forward;
        main.takes_friends = welcome.friendships;
        main.takes_presence = welcome.presence;
        main.syncing = false;
        main.verified = true;
        main.friends = welcome.friends.into_iter().map(|(uid, name, remark)| Friend { uid, name, remark }).collect();
        main.requests = welcome
            .requests
            .into_iter()
            .map(|(uid, name, greeting, status)| Request { uid, name, greeting, accepted: status == 1 })
            .collect();
        let mut effects = main.sync();
        // The outbox: whatever waited for the connection goes now, and what the server may or
        // may not have stored goes again (failed ones wait for F5).
        // A picture or file whose message was on its way is sent again by F5, under a new id.
        for msg in main.threads.values_mut().flat_map(|t| t.msgs.iter_mut()) {
            if msg.file.is_some() && msg.seq == 0 && msg.state != MsgState::Failed {
                msg.state = MsgState::Failed;
            }
        }
        for thread in main.threads.values() {
            let outbox = thread.msgs.iter().filter(|m| m.file.is_none());
            for msg in outbox.filter(|m| matches!(m.state, MsgState::Sending | MsgState::Unknown)) {
                let mentions = main_mentions(main.uid, thread, &main.friends, &msg.text);
                effects.push(send_effect(thread, msg.unique.clone(), msg.text.clone(), mentions, msg.reply_to()));
            }
        }
        effects
    }

    pub(super) fn retry_later(&mut self, why: &str) {
        let attempt = self.reconnects;
        self.reconnects += 1;
        let delay = BACKOFF_FIRST.saturating_mul(1 << attempt.min(5)).min(BACKOFF_MAX);
        self.conn = Conn::Reconnecting { at: self.now + delay, attempt };
        self.error(self.tr.connection_lost(why));
    }
}
