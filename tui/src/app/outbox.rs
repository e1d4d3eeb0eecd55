//! Messages that did not go: F5 sends every failed one again; the failed-message dialog
//! decides on one (retry it, put its text back in the composer, or delete it). Nothing is
//! retried forever: a text the connection twice dropped under, or one the server refused,
//! waits for the user.

use super::{App, Conn, Focus, Main, MsgState, main_mentions, send_effect};
use crate::event::Effect;
use crate::keymap::Action;

/// The failed message being decided on: its unique id and thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedDialog {
    pub thread: i64,
    pub unique: String,
}

impl Main {
    /// The open chat's newest failed message of this user.
    fn newest_failed(&self) -> Option<FailedDialog> {
        let thread = self.threads.get(&self.open?)?;
        let msg = thread.msgs.iter().rev().find(|m| m.state == MsgState::Failed && m.from == self.uid)?;
        Some(FailedDialog { thread: thread.id, unique: msg.unique.clone() })
    }
}

impl App {
    /// F5: every failed text is sent again (and failed files, when online); a reconnect that
    /// waits for its backoff goes now.
    pub(super) fn retry_failed(&mut self) -> Vec<Effect> {
        let conn = self.conn;
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let mut effects = Vec::new();
        let me = main.uid;
        for thread in main.threads.values_mut() {
            let mut again = Vec::new();
            for msg in thread.msgs.iter_mut().filter(|m| m.state == MsgState::Failed && m.file.is_none()) {
                msg.state = MsgState::Sending;
                msg.lost = 0;
                msg.failure = None;
                again.push((msg.unique.clone(), msg.text.clone(), msg.reply_to()));
            }
            for (unique, text, reply_to) in again {
                let mentions = main_mentions(me, thread, &main.friends, &text);
                effects.push(send_effect(thread, unique, text, mentions, reply_to));
            }
        }
        if let Conn::Reconnecting { attempt, .. } = conn {
            self.conn = Conn::Reconnecting { at: self.now, attempt };
            return self.tick();
        }
        if conn != Conn::Online {
            return Vec::new();
        }
        effects.extend(self.retry_files());
        effects
    }

    /// Opens the dialog on the open chat's newest failed message, if it has one.
    pub(super) fn open_failed(&mut self) -> Vec<Effect> {
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        match main.newest_failed() {
            Some(dialog) => main.failed = Some(dialog),
            None => self.info(self.tr.no_failed_here()),
        }
        Vec::new()
    }

    /// Keys while the dialog is open: Enter retries, Esc closes (letters: `failed_key`).
    pub(super) fn failed_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::Submit => Some(self.decide_failed('r')),
            Action::Back | Action::Failed => {
                self.main.as_mut()?.failed = None;
                Some(Vec::new())
            }
            _ => None,
        }
    }

    /// A letter while the dialog is open: r retries, e edits, d deletes; `None`: not open.
    pub(super) fn failed_key(&mut self, c: char) -> Option<Vec<Effect>> {
        self.main.as_ref()?.failed.as_ref()?;
        Some(self.decide_failed(c.to_ascii_lowercase()))
    }

    fn decide_failed(&mut self, choice: char) -> Vec<Effect> {
        let online = self.conn == Conn::Online;
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let Some(dialog) = main.failed.clone() else { return Vec::new() };
        let me = main.uid;
        let Some(thread) = main.threads.get_mut(&dialog.thread) else { return Vec::new() };
        let Some(idx) = thread.msgs.iter().position(|m| m.seq == 0 && m.unique == dialog.unique) else {
            main.failed = None;
            return Vec::new();
        };
        match choice {
            'r' => {
                main.failed = None;
                let msg = &mut thread.msgs[idx];
                if msg.file.is_some() {
                    // A file goes again under a new id, with the other failed files.
                    return if online { self.retry_files() } else { Vec::new() };
                }
                msg.state = MsgState::Sending;
                (msg.lost, msg.failure) = (0, None);
                let (unique, text, reply_to) = (msg.unique.clone(), msg.text.clone(), msg.reply_to());
                let mentions = main_mentions(me, thread, &main.friends, &text);
                let send = send_effect(thread, unique, text, mentions, reply_to);
                // Offline, it waits in the outbox for the reconnect.
                if online { vec![send] } else { Vec::new() }
            }
            'e' | 'd' => {
                main.failed = None;
                let msg = thread.msgs.remove(idx);
                if choice == 'e' && msg.file.is_none() {
                    // Back in the composer, before whatever draft is there.
                    let draft = main.input.take();
                    let text = if draft.is_empty() { msg.text } else { format!("{}\n{draft}", msg.text) };
                    main.input.set(&text);
                    main.focus = Focus::Input;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
