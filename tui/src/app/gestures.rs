//! Gestures on sent messages. Recall (撤回): `/recall` takes back this user's last message in
//! the open chat, `/reedit` puts a recalled text back in the composer. Edit: `/edit` puts the
//! user's last text in the composer behind `/edit `, and Enter replaces it. Reactions:
//! `/react 👍` on the newest message of someone else's, `/react` alone takes this user's back.
//! Gestures from elsewhere change the message they name. A notice is a message of its own (it holds its
//! place in the thread), never drawn: the message is drawn as the gesture left it.

use imchat_sdk::proto::msg::{NotifyRecall, ReactionCount, SyncData};

use super::incoming::sync_msg;
use super::{App, Main, Msg, Thread};
use crate::event::Effect;

impl App {
    /// `/recall` and `/reedit` in the composer of `thread_id`; `None` for any other text.
    pub(super) fn recall_command(&mut self, thread_id: i64, command: &str) -> Option<Vec<Effect>> {
        let main = self.main.as_mut()?;
        match command {
            "/recall" => {
                if !main.takes_recall {
                    self.error(self.tr.recall_unsupported());
                    return Some(Vec::new());
                }
                let mine = main.threads.get(&thread_id).and_then(|t| last_recallable(t, main.uid));
                let Some(seq) = mine else {
                    self.error(self.tr.recall_none());
                    return Some(Vec::new());
                };
                main.input.take();
                Some(vec![Effect::Recall { thread: thread_id, seq }])
            }
            "/reedit" => {
                match main.recalled_text.take_if(|(thread, _)| *thread == thread_id) {
                    Some((_, text)) => main.input.set(&text),
                    None => self.error(self.tr.reedit_none()),
                }
                Some(Vec::new())
            }
            "/edit" | "/edit " => {
                let last = main.threads.get(&thread_id).and_then(|t| last_editable(t, main.uid));
                match last {
                    _ if !main.takes_edit => self.error(self.tr.edit_unsupported()),
                    Some((_, text)) => {
                        main.input.set(&format!("/edit {text}"));
                        self.info(self.tr.edit_hint());
                    }
                    None => self.error(self.tr.edit_none()),
                }
                Some(Vec::new())
            }
            _ => {
                let text = command.strip_prefix("/edit ")?.trim();
                let last = main.threads.get(&thread_id).and_then(|t| last_editable(t, main.uid));
                let takes_edit = main.takes_edit;
                let Some((seq, _)) = last.filter(|_| takes_edit) else {
                    self.error(if takes_edit { self.tr.edit_none() } else { self.tr.edit_unsupported() });
                    return Some(Vec::new());
                };
                if let Some(limit) = main.max_text.filter(|limit| text.len() > *limit) {
                    self.error(self.tr.too_long(text.len(), limit));
                    return Some(Vec::new());
                }
                let text = text.to_owned();
                main.input.take();
                Some(vec![Effect::Edit { thread: thread_id, seq, text }])
            }
        }
    }

    /// `/react EMOJI` on the newest message of someone else's in `thread_id`; `/react` alone
    /// takes back this user's newest reaction there. `None` for any other text.
    pub(super) fn react_command(&mut self, thread_id: i64, command: &str) -> Option<Vec<Effect>> {
        let emoji = command.strip_prefix("/react").filter(|rest| rest.is_empty() || rest.starts_with(' '))?.trim();
        let main = self.main.as_mut()?;
        if !main.takes_reactions {
            self.error(self.tr.react_unsupported());
            return Some(Vec::new());
        }
        if !emoji.is_empty() && imchat_sdk::proto::rules::check_reaction(emoji).is_err() {
            self.error(self.tr.react_one_emoji());
            return Some(Vec::new());
        }
        let me = main.uid;
        let reactable = |m: &&Msg| m.seq > 0 && !m.system && m.shown() && m.recalled.is_none();
        let target = main.threads.get(&thread_id).and_then(|t| {
            let mut msgs = t.msgs.iter().rev().filter(reactable);
            if emoji.is_empty() {
                msgs.find(|m| m.reactions.iter().any(|r| r.mine)).map(|m| m.seq)
            } else {
                msgs.find(|m| m.from != me).map(|m| m.seq)
            }
        });
        let Some(seq) = target else {
            self.error(self.tr.react_none());
            return Some(Vec::new());
        };
        let emoji = emoji.to_owned();
        main.input.take();
        Some(vec![Effect::React { thread: thread_id, seq, emoji }])
    }

    /// This client's reaction is stored: the notice merged (which gives the message its
    /// counts), or the counts taken as they are when nothing changed.
    pub(super) fn react_done(
        &mut self,
        thread_id: i64,
        seq: i64,
        result: Result<(Vec<ReactionCount>, Option<SyncData>), String>,
    ) {
        match result {
            Ok((_, Some(notice))) => drop(self.notice_push(thread_id, notice)),
            Ok((counts, None)) => {
                let msg = self
                    .main
                    .as_mut()
                    .and_then(|main| main.threads.get_mut(&thread_id))
                    .and_then(|t| t.msgs.iter_mut().find(|m| m.seq == seq));
                if let Some(msg) = msg {
                    msg.reactions = counts;
                }
            }
            Err(err) => self.error(self.tr.react_failed(&err)),
        }
    }

    /// A gesture's notice, this client's (`seq` 0 when it changed nothing) or from elsewhere:
    /// merged, which changes the message it names.
    pub(super) fn notice_push(&mut self, thread_id: i64, notice: SyncData) -> Vec<Effect> {
        let tr = self.tr;
        let Some(main) = &mut self.main else { return Vec::new() };
        if notice.seq == 0 {
            return Vec::new();
        }
        let (me, dialect) = (main.uid, main.dialect);
        let thread = if notice.receiver == 0 {
            main.group_thread(thread_id)
        } else {
            let peer = if notice.sender == me { notice.receiver } else { notice.sender };
            main.threads.entry(thread_id).or_insert_with(|| Thread { id: thread_id, peer, ..Thread::default() })
        };
        thread.merge(sync_msg(notice, tr, me), dialect);
        main.sync_if_gap(thread_id)
    }

    /// This client's recall is done: the message is blanked and the notice merged; a text of
    /// this user's is offered back (in the composer when it is empty, else by `/reedit`).
    pub(super) fn recall_done(&mut self, thread_id: i64, seq: i64, result: Result<Option<SyncData>, String>) {
        let tr = self.tr;
        let Some(main) = &mut self.main else { return };
        let notice = match result {
            Ok(notice) => notice,
            Err(err) => return self.error(tr.recall_failed(&err)),
        };
        let (me, dialect) = (main.uid, main.dialect);
        let Some(thread) = main.threads.get_mut(&thread_id) else { return };
        let before = thread.recall(seq, me);
        if let Some(notice) = notice {
            thread.merge(sync_msg(notice, tr, me), dialect);
        }
        let text = before.filter(|m| m.from == me && m.file.is_none() && !m.text.is_empty()).map(|m| m.text);
        let Some(text) = text else { return self.info(tr.you_recalled()) };
        if main.input.is_empty() && main.open == Some(thread_id) {
            main.input.set(&text);
            self.info(tr.recalled_text_back());
        } else {
            main.recalled_text = Some((thread_id, text));
            self.info(tr.recalled_reedit());
        }
    }

    /// A recall from elsewhere (the other member, an admin, another device of this user's).
    pub(super) fn recalled_push(&mut self, push: NotifyRecall) -> Vec<Effect> {
        let tr = self.tr;
        let Some(main) = &mut self.main else { return Vec::new() };
        let (me, dialect) = (main.uid, main.dialect);
        let notice = push.notice;
        let thread = if notice.receiver == 0 {
            main.group_thread(push.thread_id)
        } else {
            let peer = if notice.sender == me { notice.receiver } else { notice.sender };
            main.threads.entry(push.thread_id).or_insert_with(|| Thread {
                id: push.thread_id,
                peer,
                ..Thread::default()
            })
        };
        let before = thread.recall(push.seq, notice.sender);
        // Not read yet: one less to read.
        if let Some(before) = before
            && before.from != me
            && thread.divider.is_some_and(|first| before.seq >= first)
        {
            thread.unread = (thread.unread - 1).max(0);
        }
        thread.merge(sync_msg(notice, tr, me), dialect);
        main.sync_if_gap(push.thread_id)
    }
}

/// The newest stored text of `me`'s in `thread` (its seq and text): what `/edit` changes.
fn last_editable(thread: &Thread, me: i32) -> Option<(i64, String)> {
    let mine = |m: &&Msg| m.seq > 0 && m.from == me && !m.system && m.shown() && m.recalled.is_none();
    let last = thread.msgs.iter().rev().find(mine)?;
    last.file.is_none().then(|| (last.seq, last.text.clone()))
}

/// The newest stored message of `me`'s in `thread` that may be recalled: a text, picture or
/// file, not recalled already.
fn last_recallable(thread: &Thread, me: i32) -> Option<i64> {
    thread
        .msgs
        .iter()
        .rev()
        .find(|m| m.seq > 0 && m.from == me && !m.system && m.shown() && m.recalled.is_none())
        .map(|m| m.seq)
}

impl Main {
    /// What a recalled message reads as, in place of its text.
    pub fn recall_notice(&self, msg: &Msg) -> String {
        let by = msg.recalled.unwrap_or(msg.from);
        match () {
            () if by == self.uid => self.tr.you_recalled(),
            () if by == msg.from => self.tr.recalled(&self.label(by)),
            () => self.tr.recalled_for(&self.label(by), &self.label(msg.from)),
        }
    }
}
