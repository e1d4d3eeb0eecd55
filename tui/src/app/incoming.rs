//! What the network brings: replies and pushes merged into the model.

use imchat_sdk::cursor::ThreadCursor;
use imchat_sdk::proto::msg::{
    AuthChatData, EditEvent, GroupEvent, GroupInfo, LoadOlderRsp, MSG_STATUS_EDITED, MSG_STATUS_RECALLED,
    MSG_TYPE_SYSTEM, NotifyGroupMsg, NotifyTextChat, ReactionEvent, RecallEvent, SyncData, TextChatData,
};

use super::{
    App, Conn, Focus, Friend, Gesture, GroupView, Main, Msg, MsgState, Pane, RESENDS_AFTER_LOSS, Request, Screen,
    Thread, draft_id, files,
};
use crate::event::{Effect, NetEvent, SendFailure};
use crate::i18n::Tr;
use crate::keymap::Action;

impl App {
    /// Takes in a group's state from a reply.
    pub(super) fn group_info(&mut self, info: GroupInfo) {
        let Some(main) = &mut self.main else { return };
        let thread = main.group_thread(info.thread_id);
        let group = thread.group.get_or_insert_with(GroupView::default);
        group.name = info.name;
        group.announcement = info.announcement;
        group.left = info.role.is_empty();
        group.muted = info.muted;
        group.members = info.members;
        group.disbanded = info.disbanded;
    }

    /// A group push: its messages merged, counted and announced.
    pub(super) fn group_push(&mut self, push: NotifyGroupMsg) -> Vec<Effect> {
        // A chat on screen while the terminal has no focus is not being read.
        let focused = self.focused;
        let Some(main) = &mut self.main else { return Vec::new() };
        let (me, dialect) = (main.uid, main.dialect);
        let open = main.open == Some(push.thread_id) && main.focus == Focus::Input && focused;
        let main_scrolled = main.scroll > 0 || main.anchored;
        let known =
            main.threads.get(&push.thread_id).is_some_and(|t| t.group.as_ref().is_some_and(|g| !g.name.is_empty()));
        let mut effects = Vec::new();
        let mut changed = false;
        let mut ring: Option<(String, bool)> = None;
        for data in push.chat_datas {
            let (seq, from) = (data.seq, data.sender);
            let mentioned = data.mentions.contains(&me);
            if data.msg_type == MSG_TYPE_SYSTEM
                && let Ok(event) = serde_json::from_str::<GroupEvent>(&data.content)
            {
                // Names of members who are not friends, as the event gives them.
                if event.by != 0 {
                    main.names.entry(event.by).or_insert_with(|| event.by_name.clone());
                }
                for (uid, name) in event.uids.iter().zip(&event.names) {
                    main.names.entry(*uid).or_insert_with(|| name.clone());
                }
                // This user left or was removed: nothing more to ask about it.
                let gone = matches!(event.event.as_str(), "leave" | "remove") && event.uids.contains(&me);
                if let Some(group) = &mut main.group_thread(push.thread_id).group {
                    group.left |= gone;
                    group.left &= !(event.event == "invite" && event.uids.contains(&me));
                    group.disbanded |= event.event == "disband";
                }
                changed = true;
            }
            let msg = sync_msg(data, main.tr, me);
            let preview = if msg.system { msg.text.clone() } else { format!("{}: {}", main.label(from), msg.text) };
            let thread = main.group_thread(push.thread_id);
            if thread.msgs.is_empty() && thread.cursor == ThreadCursor::default() {
                // A group joined now starts here: nothing before is this user's.
                thread.cursor = ThreadCursor::at(seq - 1);
            }
            let merged = thread.merge(msg, dialect);
            if merged && from != me && open && main_scrolled {
                thread.below += 1;
            }
            if merged && from != me && !open {
                thread.unread += 1;
                thread.divider.get_or_insert(seq);
                if mentioned && let Some(group) = &mut thread.group {
                    group.mentioned = true;
                }
                if thread.rings(mentioned) {
                    ring = Some((preview, mentioned));
                }
            }
        }
        let left = main.threads.get(&push.thread_id).and_then(|t| t.group.as_ref()).is_some_and(|g| g.left);
        if (changed || !known) && !left {
            effects.push(Effect::GroupInfo(push.thread_id));
            // The open group's members name its mentions and fill its pane.
            if main.open == Some(push.thread_id) {
                effects.push(Effect::GroupMembers(push.thread_id));
            }
        }
        if let Some((preview, mentioned)) = ring {
            let title = main.threads.get(&push.thread_id).map(|t| main.thread_label(t)).unwrap_or_default();
            let title = if mentioned { self.tr.mentioned_suffix(&title) } else { title };
            effects.push(Effect::Notify { thread: push.thread_id, mention: mentioned, title, body: preview });
        }
        effects.extend(main.sync_if_gap(push.thread_id));
        effects
    }

    pub(super) fn net(&mut self, event: NetEvent) -> Vec<Effect> {
        let brings_messages = matches!(
            event,
            NetEvent::Synced(_) | NetEvent::Text(_) | NetEvent::OwnText(_) | NetEvent::Group(_) | NetEvent::Older(..)
        );
        let mut effects = match event {
            NetEvent::File(event) => self.file_event(event),
            event => self.message_event(event),
        };
        // Pictures and files among what arrived are described (and previewed) next.
        if brings_messages && let Some(main) = &mut self.main {
            effects.extend(main.file_effects());
        }
        effects
    }

    pub(super) fn message_event(&mut self, event: NetEvent) -> Vec<Effect> {
        match event {
            NetEvent::Synced(sync) => self.synced(sync),
            NetEvent::Text(push) => self.text_push(push),
            NetEvent::OwnText(push) => self.own_text_push(push),
            NetEvent::ReadMarked { thread, seq } => self.read_marked(thread, seq),
            NetEvent::Typing(from) => self.typing_push(from),
            NetEvent::Receipt { thread, seq } => {
                if let Some(thread) = self.main.as_mut().and_then(|main| main.threads.get_mut(&thread)) {
                    thread.peer_read = thread.peer_read.max(seq);
                }
                Vec::new()
            }
            NetEvent::ReadBy { thread, seq, readers } => {
                let group = self.main.as_mut().and_then(|main| main.threads.get_mut(&thread)?.group.as_mut());
                match (readers, group) {
                    (Ok(readers), Some(group)) => group.read_by = Some((seq, readers)),
                    // No longer a group here, or no count (an older server): nothing shown.
                    (Ok(_), None) | (Err(_), _) => {}
                }
                Vec::new()
            }
            NetEvent::Recalled(push) => self.recalled_push(push),
            NetEvent::RecallDone { thread, seq, result } => {
                self.recall_done(thread, seq, result);
                Vec::new()
            }
            NetEvent::Edited(push) => self.notice_push(push.thread_id, push.notice),
            NetEvent::Reacted(push) => self.notice_push(push.thread_id, push.notice),
            NetEvent::Presence(found) => {
                if let Some(main) = &mut self.main {
                    main.presence.extend(found.into_iter().map(|p| (p.uid, p)));
                }
                Vec::new()
            }
            NetEvent::PresenceSet(result) => {
                match result {
                    Ok(who) => self.info(self.tr.presence_set(&who)),
                    Err(err) => self.error(self.tr.friendship_failed(&err)),
                }
                Vec::new()
            }
            NetEvent::FriendChanged(changed) => {
                self.friendship_changed(Ok(changed), false);
                Vec::new()
            }
            NetEvent::FriendshipDone(result) => {
                self.friendship_changed(result, true);
                Vec::new()
            }
            NetEvent::ReactDone { thread, seq, result } => {
                self.react_done(thread, seq, result);
                Vec::new()
            }
            NetEvent::EditDone { thread, result, .. } => {
                match result {
                    Ok(notice) => drop(self.notice_push(thread, notice.unwrap_or_default())),
                    Err(err) => self.error(self.tr.edit_failed(&err)),
                }
                Vec::new()
            }
            NetEvent::ReceiptsSet(result) => {
                match result {
                    Ok(true) => self.info(self.tr.receipts_on()),
                    Ok(false) => self.info(self.tr.receipts_off()),
                    Err(err) => self.error(self.tr.receipts_not_set(&err)),
                }
                Vec::new()
            }
            NetEvent::Sent { unique, result } => self.sent(unique, result),
            NetEvent::Older(thread_id, result) => {
                let mut effects = self.older(thread_id, result);
                effects.extend(self.quote_page_came(thread_id));
                effects
            }
            NetEvent::Forwarded(Ok(_)) => {
                self.info(self.tr.forwarded());
                Vec::new()
            }
            NetEvent::Forwarded(Err(err)) => {
                self.error(self.tr.forward_failed(&err));
                Vec::new()
            }
            event @ (NetEvent::Group(_)
            | NetEvent::GroupInfo(_)
            | NetEvent::GroupCreated(_)
            | NetEvent::GroupMembers(..)) => self.group_event(event),
            event @ (NetEvent::FriendRequest(_)
            | NetEvent::FriendAccepted(_)
            | NetEvent::Accepted(_)
            | NetEvent::Declined(_)
            | NetEvent::Found(_)
            | NetEvent::Applied(_)
            | NetEvent::ChatOpened(_)) => self.people_event(event),
            // `net` gives these to `file_event`.
            NetEvent::File(_) => Vec::new(),
            event => self.account_event(event),
        }
    }

    /// Signing up, in and out, and the connection ending.
    fn account_event(&mut self, event: NetEvent) -> Vec<Effect> {
        match event {
            NetEvent::CodeSent(Ok(())) => self.info(self.tr.code_sent()),
            NetEvent::CodeSent(Err(err)) => {
                self.code_sent = None;
                self.error(self.tr.code_not_sent(&err));
            }
            NetEvent::Registered(result) => {
                self.busy = false;
                match result {
                    Ok(uid) => {
                        let email = self.register.value(1).trim().to_owned();
                        self.login.fields[0].1.set(&email);
                        self.login.focus = 1;
                        self.screen = Screen::Login;
                        self.register = App::new(self.keymap.clone(), self.now).register;
                        self.info(self.tr.registered(uid));
                    }
                    Err(err) => self.error(self.tr.registration_failed(&err)),
                }
            }
            NetEvent::PasswordReset(result) => {
                self.busy = false;
                match result {
                    Ok(()) => {
                        // The login form is ready for the account just reset, not the last try.
                        let email = self.reset.value(1).trim().to_owned();
                        self.login.fields[0].1.set(&email);
                        self.login.fields[1].1.take();
                        self.login.focus = 1;
                        self.reset = App::new(self.keymap.clone(), self.now).reset;
                        self.screen = Screen::Login;
                        self.info(self.tr.password_changed());
                    }
                    Err(err) => self.error(self.tr.reset_failed(&err)),
                }
            }
            NetEvent::LoggedIn(Ok(welcome)) => return self.welcome(welcome),
            NetEvent::LoggedIn(Err(err)) => {
                self.busy = false;
                match (&self.main, self.conn) {
                    // Signed in before, or what this machine kept is shown and the server is
                    // only out of reach: try again later (the kept chats stay readable).
                    (Some(main), Conn::Connecting) if main.verified || err.unreachable => self.retry_later(&err.why),
                    _ => {
                        // A refused login shows nothing kept of the account.
                        if self.main.as_ref().is_some_and(|m| !m.verified) {
                            self.main = None;
                            self.screen = Screen::Login;
                        }
                        self.conn = Conn::Offline;
                        self.error(self.tr.login_failed(&err.why));
                    }
                }
            }
            NetEvent::Kicked(reason) => {
                self.main = None;
                self.screen = Screen::Login;
                self.conn = Conn::Offline;
                self.busy = false;
                // The server may say "signed out" itself; it is said once.
                let reason = reason.strip_prefix("signed out: ").unwrap_or(&reason);
                let reason = if reason.starts_with("your login was revoked") {
                    self.tr.login_revoked()
                } else {
                    reason.to_owned()
                };
                self.error(self.tr.signed_out(&reason));
                // The server keeps a kicked connection open for a while (llfc's clients need
                // that); this client closes it now.
                return vec![Effect::Logout];
            }
            NetEvent::Disconnected(why) if self.main.is_some() && !matches!(self.conn, Conn::Reconnecting { .. }) => {
                self.retry_later(&why);
            }
            _ => {}
        }
        Vec::new()
    }

    /// Groups' pushes and the answers to group requests.
    fn group_event(&mut self, event: NetEvent) -> Vec<Effect> {
        match event {
            NetEvent::Group(push) => return self.group_push(push),
            NetEvent::GroupInfo(Ok(info)) => {
                let left = info.role.is_empty();
                let name = info.name.clone();
                self.group_info(info);
                if left {
                    self.info(self.tr.no_longer_in(&name));
                }
            }
            NetEvent::GroupInfo(Err(err)) => self.error(self.tr.group_error(&err)),
            NetEvent::GroupCreated(Ok(info)) => {
                let (id, name) = (info.thread_id, info.name.clone());
                self.group_info(info);
                let Some(main) = &mut self.main else { return Vec::new() };
                main.pane = Pane::Chats;
                main.open_thread(id);
                self.info(self.tr.created_group(&name));
                return vec![Effect::GroupMembers(id)];
            }
            NetEvent::GroupCreated(Err(err)) => self.error(self.tr.group_create_failed(&err)),
            NetEvent::GroupMembers(id, Ok(members)) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                for m in &members {
                    if m.uid != main.uid {
                        main.names.insert(m.uid, m.name.clone());
                    }
                }
                let thread = main.group_thread(id);
                if let Some(group) = &mut thread.group {
                    group.member_list = members.into_iter().map(|m| (m.uid, m.name, m.role)).collect();
                }
            }
            NetEvent::GroupMembers(_, Err(err)) => self.error(self.tr.members_failed(&err)),
            _ => {}
        }
        Vec::new()
    }

    /// Friends, requests, finding people and opening a chat with one.
    fn people_event(&mut self, event: NetEvent) -> Vec<Effect> {
        match event {
            NetEvent::FriendRequest(req) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                main.requests.retain(|r| r.uid != req.applyuid);
                main.requests.push(Request {
                    uid: req.applyuid,
                    name: req.name.clone(),
                    greeting: req.desc,
                    accepted: false,
                });
                self.info(self.tr.wants_friends(&req.name, &self.keymap.keys_for(Action::Contacts)));
            }
            NetEvent::FriendAccepted(notice) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                add_friendship(main, notice.fromuid, &notice.name, &notice.chat_datas);
                if let Some(remark) = main.applied_remarks.remove(&notice.fromuid)
                    && let Some(friend) = main.friends.iter_mut().find(|f| f.uid == notice.fromuid)
                {
                    friend.remark = remark;
                }
                self.info(self.tr.accepted_yours(&notice.name));
            }
            NetEvent::Accepted(Ok(rsp)) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                for request in main.requests.iter_mut().filter(|r| r.uid == rsp.uid) {
                    request.accepted = true;
                }
                add_friendship(main, rsp.uid, &rsp.name, &rsp.chat_datas);
                main.selected = 0;
                self.info(self.tr.friends_now(&rsp.name));
            }
            NetEvent::Accepted(Err(err)) => self.error(self.tr.accept_failed(&err)),
            NetEvent::Declined(Ok(uid)) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                let name = main.requests.iter().find(|r| r.uid == uid).map(|r| r.name.clone());
                main.requests.retain(|r| r.uid != uid);
                main.selected = main.selected.min(main.items().len().saturating_sub(1));
                let name = name.unwrap_or_else(|| self.tr.uid_label(uid));
                self.info(self.tr.declined_from(&name));
            }
            NetEvent::Declined(Err(err)) => self.error(self.tr.decline_failed(&err)),
            NetEvent::Found(Ok(found)) => {
                if let Some(Main { find: Some(find), .. }) = &mut self.main {
                    // Focus stays where the user left it: the next Tab goes to Greeting.
                    find.found = Some((found.uid, found.name, found.nick));
                    // The name found, not what was typed: a second Enter on it sends the request.
                    find.searched = find.form.value(0).trim().to_owned();
                }
            }
            NetEvent::Found(Err(err)) => self.error(self.tr.nobody_found(&err)),
            NetEvent::Applied(Ok(uid)) => {
                if let Some(main) = &mut self.main {
                    main.find = None;
                }
                self.info(self.tr.request_sent(uid));
            }
            NetEvent::Applied(Err(err)) => self.error(self.tr.request_not_sent(&err)),
            NetEvent::ChatOpened(Ok((peer, thread_id))) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                // No thread yet (llfc: one is made only with the first text, so none is ever
                // empty): a draft under the peer's negative uid until the server names one.
                let id = if thread_id > 0 { thread_id } else { draft_id(peer) };
                let draft = (thread_id > 0).then(|| main.threads.remove(&draft_id(peer))).flatten();
                let was_open = main.open == Some(draft_id(peer));
                let thread = main.threads.entry(id).or_insert_with(|| Thread { id, peer, ..Thread::default() });
                // Opened when asked for; a draft becoming a thread stays open only if it was.
                let asked = draft.is_none();
                if let Some(draft) = draft {
                    thread.msgs.extend(draft.msgs);
                }
                if asked || was_open {
                    main.open_thread(id);
                }
            }
            NetEvent::ChatOpened(Err(err)) => self.error(self.tr.open_chat_failed(&err)),
            _ => {}
        }
        Vec::new()
    }

    /// A private text pushed: merged, counted unless read now, announced.
    fn text_push(&mut self, push: NotifyTextChat) -> Vec<Effect> {
        let focused = self.focused;
        let Some(main) = &mut self.main else { return Vec::new() };
        let dialect = main.dialect;
        let open = main.open == Some(push.thread_id) && main.focus == Focus::Input && focused;
        let scrolled = main.scroll > 0 || main.anchored;
        // Their text is here: they are no longer typing it.
        main.typing.remove(&push.fromuid);
        let thread = main.threads.entry(push.thread_id).or_insert_with(|| Thread {
            id: push.thread_id,
            peer: push.fromuid,
            ..Thread::default()
        });
        let mut ring = None;
        for data in push.chat_datas {
            let seq = data.seq;
            let body = data.content.clone();
            let merged = thread.merge(text_msg(push.fromuid, data), dialect);
            if merged && !open {
                thread.unread += 1;
                thread.divider.get_or_insert(seq);
                ring = Some(body);
            } else if merged && scrolled {
                // Read back up in the open chat: "N new ↓" says what came below.
                thread.below += 1;
            }
        }
        let mut effects = main.sync_if_gap(push.thread_id);
        if let Some(body) = ring {
            effects.push(Effect::Notify {
                thread: push.thread_id,
                mention: false,
                title: main.label(push.fromuid),
                body,
            });
        }
        effects
    }

    /// A text this user sent from another device: shown as theirs in the chat with `touid`,
    /// neither unread nor announced.
    fn own_text_push(&mut self, push: NotifyTextChat) -> Vec<Effect> {
        let Some(main) = &mut self.main else { return Vec::new() };
        let dialect = main.dialect;
        let thread = main.threads.entry(push.thread_id).or_insert_with(|| Thread {
            id: push.thread_id,
            peer: push.touid,
            ..Thread::default()
        });
        for data in push.chat_datas {
            thread.merge(text_msg(push.fromuid, data), dialect);
        }
        main.sync_if_gap(push.thread_id)
    }

    /// Another device read `thread_id` up to `seq`: what this one counted unread there up to
    /// it is read too.
    fn read_marked(&mut self, thread_id: i64, seq: i64) -> Vec<Effect> {
        let Some(main) = &mut self.main else { return Vec::new() };
        let me = main.uid;
        let Some(thread) = main.threads.get_mut(&thread_id) else { return Vec::new() };
        if seq <= thread.read_mark {
            return Vec::new();
        }
        thread.read_mark = seq;
        let unread = |m: &&Msg| m.seq > seq && m.from != me && !m.system && m.shown() && m.recalled.is_none();
        thread.unread = thread.msgs.iter().filter(unread).count() as i64;
        if thread.unread == 0 {
            thread.divider = None;
        } else {
            thread.divider = thread.msgs.iter().find(|m| m.seq > seq && m.from != me).map(|m| m.seq);
        }
        Vec::new()
    }

    /// The answer to a text sent: stored (it takes its seq), or why not.
    fn sent(&mut self, unique: String, result: Result<Vec<TextChatData>, SendFailure>) -> Vec<Effect> {
        let Some(main) = &mut self.main else { return Vec::new() };
        let dialect = main.dialect;
        let Some((thread, idx)) = main.find_unique(&unique) else { return Vec::new() };
        match result {
            Ok(stored) => {
                let mut msg = thread.msgs.remove(idx);
                if let Some(data) = stored.into_iter().next() {
                    msg.seq = data.seq;
                    msg.time = data.chat_time;
                }
                msg.state = MsgState::Sent;
                thread.merge(msg, dialect);
                let thread = thread.id;
                return main.sync_if_gap(thread);
            }
            // Stays "sending": the next login sends it.
            Err(SendFailure::Offline) => {}
            Err(SendFailure::Lost(_)) => {
                let msg = &mut thread.msgs[idx];
                msg.lost = msg.lost.saturating_add(1);
                msg.state = MsgState::Unknown;
                if msg.lost > RESENDS_AFTER_LOSS {
                    msg.state = MsgState::Failed;
                    msg.failure = Some(self.tr.not_sent_twice());
                    let keys = self.keymap.keys_for(Action::Failed);
                    self.error(self.tr.message_not_sent_twice(&keys));
                }
            }
            Err(SendFailure::Refused(why)) => {
                thread.msgs[idx].state = MsgState::Failed;
                thread.msgs[idx].failure = Some(why.clone());
                let keys = self.keymap.keys_for(Action::Failed);
                self.error(self.tr.message_not_sent(&why, &keys));
            }
        }
        Vec::new()
    }

    /// A page of older messages of a thread.
    fn older(&mut self, thread_id: i64, result: Result<LoadOlderRsp, String>) -> Vec<Effect> {
        let tr = self.tr;
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let (me, dialect) = (main.uid, main.dialect);
        let Some(thread) = main.threads.get_mut(&thread_id) else {
            return Vec::new();
        };
        thread.loading_older = false;
        match result {
            Ok(page) => {
                thread.older = Some(page.more);
                for data in page.chat_datas {
                    // Older than the cursor: it stays where it is.
                    thread.merge(sync_msg(data, tr, me), dialect);
                }
            }
            Err(err) => self.error(self.tr.older_failed(&err)),
        }
        Vec::new()
    }
}

/// A stored message as this client holds it (`me`: whose reaction notices are this user's).
pub(super) fn sync_msg(data: SyncData, tr: Tr, me: i32) -> Msg {
    let system = data.msg_type == MSG_TYPE_SYSTEM;
    let edit = EditEvent::of(&data);
    let reaction = ReactionEvent::of(&data);
    let gesture = match (RecallEvent::of(&data), &edit, &reaction) {
        (Some(recall), _, _) => Some(Gesture::Recall(recall.seq)),
        (_, Some(edit), _) => Some(Gesture::Edit(edit.seq)),
        (_, _, Some(reaction)) => Some(Gesture::React { seq: reaction.seq, mine: reaction.by == me }),
        _ => None,
    };
    let reactions = match &reaction {
        Some(reaction) => reaction.reactions.clone(),
        None => data.reactions.clone(),
    };
    // Recalled before it reached this client: who recalled it is in a notice that may not be
    // held, so it reads as its sender's.
    let recalled = (data.status == MSG_STATUS_RECALLED).then_some(data.sender);
    let edited = data.status == MSG_STATUS_EDITED;
    let file = if recalled.is_some() || gesture.is_some() { None } else { files::attachment_of(&data) };
    let text = match () {
        () if system => system_text(&data.content, tr),
        () if edit.is_some() => edit.map(|e| e.text).unwrap_or_default(),
        () if reaction.is_some() => reaction.map(|r| r.emoji).unwrap_or_default(),
        () if recalled.is_some() || gesture.is_some() => String::new(),
        () => data.content,
    };
    Msg {
        seq: data.seq,
        from: data.sender,
        text,
        time: data.chat_time,
        state: MsgState::Sent,
        unique: data.unique_id,
        lost: 0,
        failure: None,
        system,
        file,
        recalled,
        gesture,
        edited,
        reactions,
        reactions_at: 0,
        reply: data.reply,
        forwarded_from: data.forwarded_from,
    }
}

pub(super) fn text_msg(from: i32, data: TextChatData) -> Msg {
    Msg {
        seq: data.seq,
        from,
        text: data.content,
        time: data.chat_time,
        state: MsgState::Sent,
        unique: data.unique_id,
        lost: 0,
        failure: None,
        system: false,
        file: None,
        recalled: (data.status == MSG_STATUS_RECALLED).then_some(from),
        gesture: None,
        edited: data.status == MSG_STATUS_EDITED,
        reactions: Vec::new(),
        reactions_at: 0,
        reply: data.reply,
        forwarded_from: data.forwarded_from,
    }
}

/// What a system message says, in words (its content is a JSON event).
pub(super) fn system_text(content: &str, tr: Tr) -> String {
    serde_json::from_str::<GroupEvent>(content).map_or_else(|_| content.to_owned(), |event| tr.group_event(&event))
}

pub(super) fn add_friendship(main: &mut Main, uid: i32, name: &str, opening: &[AuthChatData]) {
    let dialect = main.dialect;
    if main.friend(uid).is_none() {
        main.friends.push(Friend { uid, name: name.to_owned(), remark: String::new() });
    }
    for data in opening {
        let thread = main.threads.entry(data.thread_id).or_insert_with(|| Thread {
            id: data.thread_id,
            peer: uid,
            ..Thread::default()
        });
        thread.merge(
            Msg {
                seq: data.seq,
                from: data.sender,
                text: data.msg_content.clone(),
                time: data.chat_time.clone(),
                state: MsgState::Sent,
                unique: data.unique_id.clone(),
                lost: 0,
                failure: None,
                system: false,
                file: None,
                recalled: None,
                gesture: None,
                edited: false,
                reactions: Vec::new(),
                reactions_at: 0,
                reply: None,
                forwarded_from: 0,
            },
            dialect,
        );
    }
}
