//! The signed-in screen's keys and mouse: the chat list, the composer, the dialogs, scrolling.

use imchat_sdk::Dialect;
use imchat_sdk::proto::rules;

use super::{
    App, Conn, Find, Focus, Form, Item, Main, Msg, NOTICE_FOR, NewGroup, Pane, SCROLL_STEP, Screen, Switcher, Thread,
    main_mentions, send_effect, unique_id,
};
use crate::event::Effect;
use crate::i18n::Tr;
use crate::input::Input;
use crate::keymap::Action;

impl App {
    /// Delete on the list: a chat is hidden from it (a new message, or the switcher, brings it
    /// back); a pending friend request is declined (imchat servers only).
    pub(super) fn delete_selected(&mut self) -> Option<Vec<Effect>> {
        let main = self.main.as_mut().filter(|m| self.screen == Screen::Main && m.focus == Focus::List)?;
        if main.switcher.is_some() || main.find.is_some() || main.new_group.is_some() || main.failed.is_some() {
            return None;
        }
        match main.items().get(main.selected).cloned()? {
            Item::Thread(id) => {
                main.hidden.insert(id);
                if main.open == Some(id) {
                    main.close_open();
                }
                main.selected = main.selected.min(main.items().len().saturating_sub(1));
                let keys = self.keymap.keys_for(Action::Switch);
                self.info(self.tr.chat_hidden(&keys));
                Some(Vec::new())
            }
            Item::Request(uid) if !main.requests.iter().any(|r| r.uid == uid && r.accepted) => {
                if main.dialect == Dialect::Llfc {
                    self.error(self.tr.declining_needs_imchat());
                    return Some(Vec::new());
                }
                Some(vec![Effect::Decline(uid)])
            }
            _ => None,
        }
    }

    pub(super) fn main_action(&mut self, action: Action, edit: impl FnOnce(&mut Input)) -> Option<Vec<Effect>> {
        match self.main.as_ref() {
            Some(Main { attach: Some(_), .. }) => return self.attach_action(action),
            Some(Main { files: Some(_), .. }) => return self.files_action(action),
            Some(Main { find: None, new_group: None, open: Some(_), .. })
                if matches!(action, Action::Attach | Action::Files) =>
            {
                return self.open_file_dialog(action);
            }
            Some(Main { switcher: Some(_), .. }) => return self.switcher_action(action),
            Some(Main { failed: Some(_), .. }) => return self.failed_action(action),
            _ => {}
        }
        let width = self.composer_width.get();
        let main = self.main.as_mut()?;
        if main.new_group.is_some() {
            return self.new_group_action(action);
        }
        if main.find.is_some() {
            return self.find_action(action);
        }
        match action {
            Action::Switch => main.switcher = Some(Switcher::default()),
            Action::Failed => return Some(self.open_failed()),
            Action::Chats => {
                main.pane = Pane::Chats;
                main.selected = 0;
                main.focus = Focus::List;
            }
            Action::Editor if main.open.is_some() => {
                main.focus = Focus::Input;
                return Some(vec![Effect::EditDraft(main.input.text().to_owned())]);
            }
            Action::NextUnread => {
                // The next chat below the open one (or from the top) with unread messages.
                let chats: Vec<(i64, bool)> = main.chats().iter().map(|t| (t.id, t.unread > 0)).collect();
                let after =
                    main.open.and_then(|open| chats.iter().position(|(id, _)| *id == open)).map_or(0, |i| i + 1);
                let next = chats[after..].iter().chain(&chats[..after]).find(|(_, unread)| *unread).map(|(id, _)| *id);
                match next {
                    Some(id) => {
                        main.pane = Pane::Chats;
                        main.selected = chats.iter().position(|(c, _)| *c == id).unwrap_or(0);
                        main.open_thread(id);
                    }
                    None => self.info(self.tr.no_unread()),
                }
            }
            Action::Contacts => {
                main.pane = Pane::Contacts;
                main.selected = 0;
                main.focus = Focus::List;
            }
            Action::Find => {
                main.find = Some(Find {
                    form: Form::new(&[
                        (Tr::field_uid_or_name, false),
                        (Tr::field_greeting, false),
                        (Tr::field_remark, false),
                    ]),
                    found: None,
                    searched: String::new(),
                });
            }
            Action::NewGroup => {
                if main.dialect == Dialect::Llfc {
                    self.error(self.tr.groups_need_imchat());
                    return Some(Vec::new());
                }
                if main.friends.is_empty() {
                    self.error(self.tr.group_needs_friends(&self.keymap.keys_for(Action::Find)));
                    return Some(Vec::new());
                }
                main.new_group = Some(NewGroup::default());
            }
            Action::Members => {
                main.members_pane = !main.members_pane;
                if main.members_pane
                    && let Some(id) = main.open.filter(|id| main.threads.get(id).is_some_and(Thread::is_group))
                {
                    return Some(vec![Effect::GroupMembers(id)]);
                }
            }
            // In a group's composer, Tab completes an `@name` from the members.
            Action::NextField if main.focus == Focus::Input && main.complete_mention() => {}
            Action::NextField | Action::PrevField => {
                main.focus = match main.focus {
                    Focus::List if main.open.is_some() => Focus::Input,
                    _ => Focus::List,
                };
            }
            Action::Up if main.focus == Focus::List => main.selected = main.selected.saturating_sub(1),
            // In the composer: Up in an empty one recalls the last text sent; else the caret
            // moves a row (the composer wraps at its width).
            Action::Up if main.focus == Focus::Input && main.input.is_empty() => {
                if let Some(last) = main.last_sent.clone() {
                    main.input.set(&last);
                }
            }
            Action::Up | Action::Down if main.focus == Focus::Input => {
                main.input.vertical(width, if action == Action::Up { -1 } else { 1 });
            }
            Action::Down if main.focus == Focus::List => {
                main.selected = (main.selected + 1).min(main.items().len().saturating_sub(1));
            }
            Action::ScrollUp => return Some(self.scroll(self.page())),
            Action::ScrollDown => return Some(self.scroll(-self.page())),
            Action::ScrollTop => return Some(self.scroll(i16::MAX)),
            Action::ScrollBottom => return Some(self.scroll(i16::MIN)),
            Action::Newline if main.focus == Focus::Input => edit(&mut main.input),
            Action::Submit if main.focus == Focus::List => return Some(self.open_selected()),
            Action::Submit if main.focus == Focus::Input => return self.send_composed(),
            Action::Retry => return Some(self.retry_failed()),
            Action::PickUp | Action::PickDown | Action::Reply | Action::Forward | Action::JumpQuote => {
                return self.quote_action(action);
            }
            Action::Back if main.picked.is_some() || main.replying.is_some() => {
                (main.picked, main.replying) = (None, None);
            }
            Action::Back => {
                main.members_pane = false;
                main.close_open();
                main.focus = Focus::List;
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// The new-group dialog, or the invite picker: Tab between name and list, Enter creates or invites (Space ticks, in `key`).
    fn new_group_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let main = self.main.as_mut()?;
        let dialog = main.new_group.as_mut()?;
        match action {
            Action::Back => main.new_group = None,
            Action::NextField | Action::PrevField if dialog.invite_to.is_none() => dialog.on_list = !dialog.on_list,
            Action::Up if dialog.on_list => dialog.cursor = dialog.cursor.saturating_sub(1),
            Action::Down if dialog.on_list => {
                dialog.cursor = (dialog.cursor + 1).min(main.friends.len().saturating_sub(1));
            }
            Action::Down => dialog.on_list = true,
            Action::Submit if dialog.invite_to.is_some() => {
                if dialog.picked.is_empty() {
                    self.error(self.tr.tick_to_invite());
                    return Some(Vec::new());
                }
                let (thread, uids) = (dialog.invite_to.unwrap_or(0), dialog.picked.iter().copied().collect());
                main.new_group = None;
                return Some(vec![Effect::Invite { thread, uids }]);
            }
            Action::Submit => {
                let name = dialog.name.text().trim().to_owned();
                if let Err(rule) = rules::check_group_name(&name) {
                    self.error(self.tr.rule(rule));
                    return Some(Vec::new());
                }
                if dialog.picked.is_empty() {
                    self.error(self.tr.tick_one());
                    return Some(Vec::new());
                }
                let members = dialog.picked.iter().copied().collect();
                main.new_group = None;
                self.info(self.tr.creating_group(&name));
                return Some(vec![Effect::CreateGroup { name, members }]);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// The find-people dialog: Enter on the first field looks someone up, on the others sends a request.
    fn find_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let main = self.main.as_mut()?;
        let find = main.find.as_mut()?;
        match action {
            Action::Back => main.find = None,
            Action::NextField | Action::Down => find.form.next(),
            Action::PrevField | Action::Up => find.form.prev(),
            Action::Submit
                if find.form.focus == 0 && (find.found.is_none() || find.form.value(0).trim() != find.searched) =>
            {
                let query = find.form.value(0).trim().to_owned();
                if query.is_empty() {
                    return Some(Vec::new());
                }
                find.found = None;
                return Some(vec![Effect::Search(query)]);
            }
            Action::Submit => {
                let Some((uid, _, _)) = find.found.clone() else {
                    self.error(self.tr.find_first());
                    return Some(Vec::new());
                };
                let (greeting, remark) = (find.form.value(1).to_owned(), find.form.value(2).to_owned());
                // Shown for them as soon as they accept (the server keeps it for later logins).
                main.applied_remarks.insert(uid, remark.clone());
                return Some(vec![Effect::Apply { to: uid, greeting, remark }]);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Enter in the composer: a group's `/command`, or the text sent (or kept in the outbox
    /// while offline).
    fn send_composed(&mut self) -> Option<Vec<Effect>> {
        let conn = self.conn;
        let main = self.main.as_mut()?;
        let Some(thread_id) = main.open else { return Some(Vec::new()) };
        if main.input.text().trim().is_empty() {
            return Some(Vec::new());
        }
        // `/recall` and `/reedit`, in any chat.
        let command = main.input.text().trim().to_owned();
        if let Some(effects) = self.recall_command(thread_id, &command) {
            return Some(effects);
        }
        if let Some(effects) = self.react_command(thread_id, &command) {
            return Some(effects);
        }
        if let Some(effects) = self.friendship_command(thread_id, &command) {
            return Some(effects);
        }
        let main = self.main.as_mut()?;
        // `/receipts on|off`, in any chat: this user's read receipts.
        let receipts = match main.input.text().trim() {
            "/receipts on" => Some(true),
            "/receipts off" => Some(false),
            _ => None,
        };
        if let Some(on) = receipts {
            main.input.take();
            return Some(vec![Effect::SetReceipts(on)]);
        }
        // `/presence everyone|friends|nobody`, in any chat.
        if let Some(who) = main.input.text().trim().strip_prefix("/presence").map(str::trim) {
            if !matches!(who, "everyone" | "friends" | "nobody") {
                self.error(self.tr.presence_usage());
                return Some(Vec::new());
            }
            let who = who.to_owned();
            main.input.take();
            return Some(vec![Effect::SetPresence(who)]);
        }
        let group = main.threads.get(&thread_id).is_some_and(Thread::is_group);
        if group && main.input.text().starts_with('/') && !main.input.text().starts_with("//") {
            let command = main.input.text().to_owned();
            let effects = self.group_command(thread_id, &command);
            // A command refused here keeps its text, to be fixed rather than typed again.
            if !effects.is_empty()
                && let Some(main) = &mut self.main
            {
                main.input.take();
            }
            return Some(effects);
        }
        // Refused here, with the limit named, rather than by the server after a try.
        if let Some(limit) = main.max_text.filter(|limit| main.input.text().len() > *limit) {
            let len = main.input.text().len();
            self.error(self.tr.too_long(len, limit));
            return Some(Vec::new());
        }
        let text = main.input.take();
        main.last_sent = Some(text.clone());
        // `//text` sends `/text`.
        let text = if group && text.starts_with("//") { text[1..].to_owned() } else { text };
        // Counted per process, not per login: ids never repeat after a re-login.
        let unique = unique_id(main.uid, self.nonce, &mut self.sent);
        let me = main.uid;
        let reply = main.replying.take_if(|(thread, _)| *thread == thread_id).map(|(_, quote)| quote);
        main.picked = None;
        let thread = main.threads.get_mut(&thread_id)?;
        let mut msg = Msg::outgoing(me, text.clone(), unique.clone(), None);
        msg.reply = reply;
        let reply_to = msg.reply_to();
        thread.msgs.push(msg);
        let mentions = main_mentions(me, thread, &main.friends, &text);
        let send = send_effect(thread, unique, text, mentions, reply_to);
        (main.scroll, main.anchored) = (0, false);
        // Typed while offline: it waits in the outbox (state Sending) for the reconnect.
        if conn == Conn::Online {
            return Some(vec![send]);
        }
        Some(Vec::new())
    }

    /// Enter on the list: a chat opens, a friend's chat opens (or is asked for), a request is
    /// accepted.
    fn open_selected(&mut self) -> Vec<Effect> {
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let item = main.items().get(main.selected).cloned();
        match item {
            Some(Item::Thread(id)) => {
                main.open_thread(id);
                if let Some(thread) = main.threads.get(&id).filter(|t| t.is_group()) {
                    let mut effects = vec![Effect::GroupInfo(id), Effect::GroupMembers(id)];
                    // Who has read this user's last text there, asked once per opening.
                    let mine = thread.msgs.iter().rev().find(|m| m.from == main.uid && m.seq > 0).map(|m| m.seq);
                    if let Some(seq) = mine.filter(|_| main.takes_receipts) {
                        effects.push(Effect::ReadBy { thread: id, seq });
                    }
                    return effects;
                }
                // A private chat's person: online, or when last seen.
                let peer = main.threads.get(&id).map(|t| t.peer).filter(|p| *p > 0);
                if let Some(peer) = peer.filter(|_| main.takes_presence) {
                    return vec![Effect::Presence(vec![peer])];
                }
            }
            Some(Item::Friend(uid)) => match main.thread_with(uid) {
                Some(id) => {
                    main.open_thread(id);
                    if main.takes_presence {
                        return vec![Effect::Presence(vec![uid])];
                    }
                }
                None => return vec![Effect::OpenChat(uid)],
            },
            Some(Item::Request(uid)) => {
                return vec![Effect::Accept { applicant: uid, remark: String::new() }];
            }
            None => {}
        }
        Vec::new()
    }

    /// A `/command` typed in a group chat.
    pub(super) fn group_command(&mut self, thread: i64, line: &str) -> Vec<Effect> {
        let Some(main) = &self.main else { return Vec::new() };
        let (command, rest) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
        let rest = rest.trim();
        let effect = match command {
            "/invite" if rest.is_empty() => {
                if let Some(main) = &mut self.main {
                    main.new_group = Some(NewGroup { on_list: true, invite_to: Some(thread), ..NewGroup::default() });
                }
                return vec![Effect::GroupMembers(thread)];
            }
            "/invite" => {
                let names: Vec<&str> = rest.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
                let uids: Vec<i32> = names.iter().filter_map(|n| main.friend_named(n)).collect();
                if names.is_empty() || uids.len() != names.len() {
                    self.error(self.tr.invite_usage());
                    return Vec::new();
                }
                Effect::Invite { thread, uids }
            }
            // Leaving is not undone by the one who leaves: the first Enter asks, a second one
            // on the same text within `NOTICE_FOR` leaves.
            "/leave" => {
                let now = self.now;
                let asked = main.leave_asked.is_some_and(|(id, at)| id == thread && now < at + NOTICE_FOR);
                let name = main.threads.get(&thread).map(|t| main.thread_label(t)).unwrap_or_default();
                if let Some(main) = &mut self.main {
                    main.leave_asked = (!asked).then_some((thread, now));
                }
                if !asked {
                    self.error(self.tr.leave_asks(&name, &self.keymap.keys_for(Action::Submit)));
                    return Vec::new();
                }
                Effect::LeaveGroup(thread)
            }
            "/rename" => match rules::check_group_name(rest) {
                Ok(()) => Effect::UpdateGroup { thread, name: Some(rest.to_owned()), announcement: None },
                Err(rule) => {
                    self.error(self.tr.rename_rule(&self.tr.rule(rule)));
                    return Vec::new();
                }
            },
            "/announce" => Effect::UpdateGroup { thread, name: None, announcement: Some(rest.to_owned()) },
            "/mute" => Effect::MuteGroup { thread, muted: true },
            "/unmute" => Effect::MuteGroup { thread, muted: false },
            "/members" => {
                if let Some(main) = &mut self.main {
                    main.members_pane = true;
                }
                Effect::GroupMembers(thread)
            }
            _ => {
                self.error(self.tr.unknown_command(command));
                return Vec::new();
            }
        };
        vec![effect]
    }

    /// The mouse, where the renderer last put things: the wheel scrolls the pane under the
    /// pointer (the chat list moves its selection); a click on a chat opens it, on a contact
    /// or request selects it, on the composer focuses it.
    pub(super) fn mouse(&mut self, column: u16, row: u16, wheel: i32) -> Vec<Effect> {
        let inside = |rect: ratatui::layout::Rect| rect.contains(ratatui::layout::Position { x: column, y: row });
        let (list, composer) = (self.list_area.get(), self.composer_area.get());
        let hit = self.list_rows.borrow().iter().find(|(top, bottom, _)| (*top..*bottom).contains(&row)).map(|r| r.2);
        if self.screen != Screen::Main {
            return Vec::new();
        }
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        if inside(list) {
            main.focus = Focus::List;
            if wheel != 0 {
                let last = main.items().len().saturating_sub(1);
                main.selected = if wheel > 0 { main.selected.saturating_sub(1) } else { (main.selected + 1).min(last) };
                return Vec::new();
            }
            let Some(idx) = hit else { return Vec::new() };
            main.selected = idx;
            if let Some(Item::Thread(id)) = main.items().get(idx).cloned() {
                main.open_thread(id);
                if main.threads.get(&id).is_some_and(Thread::is_group) {
                    return vec![Effect::GroupInfo(id), Effect::GroupMembers(id)];
                }
            }
            return Vec::new();
        }
        if wheel != 0 {
            return self.scroll(i16::try_from(wheel).unwrap_or(0));
        }
        if inside(composer) && main.open.is_some() {
            main.focus = Focus::Input;
        }
        Vec::new()
    }

    /// A page of the open chat: its rows on screen, less two kept for context.
    pub(super) fn page(&self) -> i16 {
        i16::try_from(self.history_rows.get().saturating_sub(2).max(1)).unwrap_or(SCROLL_STEP)
    }

    /// Scrolls the open chat; reaching the top of what is loaded asks for the page before it.
    pub(super) fn scroll(&mut self, lines: i16) -> Vec<Effect> {
        // Never past the first line drawn: scrolling back down answers at once.
        let top = self.history_lines.get().saturating_sub(self.history_rows.get());
        let Some(main) = &mut self.main else { return Vec::new() };
        // From where the reader is: a chat opened on its first unread starts above the bottom.
        if std::mem::take(&mut main.anchored) {
            main.scroll = self.history_scrolled.get();
        }
        main.scroll = main.scroll.saturating_add_signed(lines).min(top);
        let Some(thread) = main.open.and_then(|id| main.threads.get_mut(&id)) else { return Vec::new() };
        if main.scroll == 0 {
            thread.below = 0;
        }
        if lines > 0
            && main.scroll >= top.min(thread.line_estimate())
            && thread.has_older()
            && !thread.loading_older
            && let Some(first) = thread.msgs.iter().find(|m| m.seq > 0)
        {
            thread.loading_older = true;
            return vec![Effect::LoadOlder { thread: thread.id, before_seq: first.seq }];
        }
        Vec::new()
    }
}
