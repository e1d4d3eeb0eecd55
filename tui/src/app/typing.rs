//! Typing notices: while the user types in a private chat, the friend is told every few
//! seconds (`Effect::Typing`); a friend typing to the user shows in the chat's title for a few
//! seconds after their last notice, or until their text arrives. Never stored anywhere.

use std::time::{Duration, Instant};

use super::{App, Main};
use crate::event::Effect;

/// How often a user who keeps typing tells their friend again.
pub(super) const TYPING_EVERY: Duration = Duration::from_secs(3);
/// How long a friend's notice shows without another.
pub(super) const TYPING_SHOWN: Duration = Duration::from_secs(5);

impl App {
    /// After the open chat's composer took text: the chat's friend hears of it, at most once
    /// every [`TYPING_EVERY`].
    pub(super) fn typed(&mut self) -> Vec<Effect> {
        let now = self.now;
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        let Some(thread) = main.open.and_then(|id| main.threads.get(&id)) else { return Vec::new() };
        if !main.takes_typing || thread.is_group() || thread.peer <= 0 {
            return Vec::new();
        }
        let to = thread.peer;
        if main.typing_sent.is_some_and(|(sent_to, at)| sent_to == to && now.duration_since(at) < TYPING_EVERY) {
            return Vec::new();
        }
        main.typing_sent = Some((to, now));
        vec![Effect::Typing { to }]
    }

    /// A friend is typing to this user.
    pub(super) fn typing_push(&mut self, from: i32) -> Vec<Effect> {
        let until = self.now + TYPING_SHOWN;
        if let Some(main) = self.main.as_mut() {
            main.typing.insert(from, until);
        }
        Vec::new()
    }
}

impl Main {
    /// Whether `uid` is typing to this user at `now`.
    pub fn is_typing(&self, uid: i32, now: Instant) -> bool {
        self.typing.get(&uid).is_some_and(|until| now < *until)
    }
}
