//! Replies and forwards. Alt-↑/↓ pick a message of the open chat (drawn marked, kept in
//! view); Alt-R replies to it (else to the newest one of someone else's), quoting it over the
//! composer until the text goes or Esc drops it; Alt-S forwards it (else the newest message)
//! to a chat chosen in the quick switcher; Alt-J on a picked reply picks the message it
//! quotes, loading older pages until it is there.

use imchat_sdk::proto::msg::Quote;

use super::{App, Main, Msg, Switcher, Target};
use crate::event::Effect;
use crate::keymap::Action;

/// Whether `msg` can be picked: someone's stored message that is still there.
fn pickable(msg: &Msg) -> bool {
    msg.seq > 0 && msg.shown() && !msg.system && msg.recalled.is_none()
}

/// `msg` as a reply quotes it.
fn quote_of(msg: &Msg) -> Quote {
    Quote {
        seq: msg.seq,
        sender: msg.from,
        msg_type: msg.file.as_ref().map_or(0, |f| if f.picture { 1 } else { 3 }),
        excerpt: Quote::excerpt_of(&msg.text),
        recalled: false,
    }
}

impl Main {
    /// The open chat's picked message, else its newest one (of someone else's, with
    /// `others_only`).
    fn picked_or_last(&self, others_only: bool) -> Option<&Msg> {
        let thread = self.threads.get(&self.open?)?;
        let mut candidates = thread.msgs.iter().filter(|m| pickable(m));
        match self.picked {
            Some(seq) => candidates.find(|m| m.seq == seq),
            None => candidates.rfind(|m| !others_only || m.from != self.uid),
        }
    }

    /// Picks the message above or below the picked one (from the newest when none is); below
    /// the newest, none is picked.
    fn pick(&mut self, up: bool) {
        let Some(thread) = self.open.and_then(|id| self.threads.get(&id)) else { return };
        let seqs: Vec<i64> = thread.msgs.iter().filter(|m| pickable(m)).map(|m| m.seq).collect();
        let at = self.picked.and_then(|seq| seqs.iter().position(|s| *s == seq));
        self.picked = match (at, up) {
            (None, true) => seqs.last().copied(),
            (None, false) => None,
            (Some(i), true) => seqs.get(i.saturating_sub(1)).copied(),
            (Some(i), false) => seqs.get(i + 1).copied(),
        };
    }
}

impl App {
    /// Alt-↑/↓, Alt-R, Alt-S and Alt-J in a chat.
    pub(super) fn quote_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let main = self.main.as_mut()?;
        let thread_id = main.open?;
        match action {
            Action::PickUp => main.pick(true),
            Action::PickDown => main.pick(false),
            Action::Reply | Action::Forward => {
                let reply = action == Action::Reply;
                if !(if reply { main.takes_reply } else { main.takes_forward }) {
                    let tr = self.tr;
                    self.error(if reply { tr.reply_unsupported() } else { tr.forward_unsupported() });
                    return Some(Vec::new());
                }
                // A reply answers someone else; anything may be forwarded.
                let Some(quote) = main.picked_or_last(reply).map(quote_of) else {
                    self.error(self.tr.nothing_to_quote());
                    return Some(Vec::new());
                };
                if reply {
                    main.replying = Some((thread_id, quote));
                    main.picked = None;
                    main.focus = super::Focus::Input;
                } else {
                    main.switcher = Some(Switcher { forward: Some((thread_id, quote.seq)), ..Switcher::default() });
                }
            }
            Action::JumpQuote => return Some(self.jump_to_quote(thread_id)),
            _ => return None,
        }
        Some(Vec::new())
    }

    /// Picks the message the picked reply quotes; not loaded yet, the older pages come first.
    fn jump_to_quote(&mut self, thread_id: i64) -> Vec<Effect> {
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let quoted = main.picked_or_last(false).and_then(|m| m.reply.as_ref()).map(|q| q.seq);
        let Some(seq) = quoted else {
            self.error(self.tr.pick_a_reply(&self.keymap.keys_for(Action::PickUp)));
            return Vec::new();
        };
        self.find_quoted(thread_id, seq)
    }

    /// Picks message `seq` of `thread_id` if loaded; else asks for the page before the oldest
    /// held and tries again when it comes ([`App::quote_page_came`]).
    fn find_quoted(&mut self, thread_id: i64, seq: i64) -> Vec<Effect> {
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let Some(thread) = main.threads.get_mut(&thread_id) else { return Vec::new() };
        if thread.msgs.iter().any(|m| m.seq == seq && pickable(m)) {
            (main.picked, main.jump_pending) = (Some(seq), None);
            return Vec::new();
        }
        let first = thread.msgs.iter().find(|m| m.seq > 0).map(|m| m.seq);
        match first {
            Some(first) if first > seq && thread.has_older() => {
                main.jump_pending = Some((thread_id, seq));
                if thread.loading_older {
                    return Vec::new();
                }
                thread.loading_older = true;
                vec![Effect::LoadOlder { thread: thread_id, before_seq: first }]
            }
            _ => {
                main.jump_pending = None;
                self.error(self.tr.quote_gone());
                Vec::new()
            }
        }
    }

    /// An older page of `thread_id` came: a jump waiting for it goes on.
    pub(super) fn quote_page_came(&mut self, thread_id: i64) -> Vec<Effect> {
        match self.main.as_ref().and_then(|m| m.jump_pending) {
            Some((thread, seq)) if thread == thread_id => self.find_quoted(thread, seq),
            _ => Vec::new(),
        }
    }

    /// Enter in the switcher opened by Alt-S: the message goes to `target`.
    pub(super) fn forward_to(&mut self, (thread, seq): (i64, i64), target: Target) -> Vec<Effect> {
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        main.picked = None;
        // Under 36 bytes, as the server asks of a forward's key.
        self.sent += 1;
        let unique = format!("fw-{:x}-{}", self.nonce, self.sent);
        self.info(self.tr.forwarding());
        vec![Effect::Forward { thread, seq, to: target, unique }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_keeps_the_start_of_one_line() {
        let msg = Msg::outgoing(1, "第一行\nsecond".into(), String::new(), None);
        assert_eq!(quote_of(&msg).excerpt, "第一行 second");
        let long = Msg::outgoing(1, "x".repeat(200), String::new(), None);
        assert!(quote_of(&long).excerpt.ends_with('…'));
    }
}
