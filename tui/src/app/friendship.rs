//! A friendship after it starts, from the open private chat: `/unfriend`, `/block`,
//! `/unblock`, `/remark NAME` (empty: none); the same from another device of the user's
//! arrives as a change to apply. The chat stays readable after a friendship ends.

use imchat_sdk::proto::msg::NotifyFriendChanged;

use super::{App, Main};
use crate::event::Effect;

impl App {
    /// A friendship command in the composer of `thread_id`; `None` for any other text.
    pub(super) fn friendship_command(&mut self, thread_id: i64, command: &str) -> Option<Vec<Effect>> {
        let (verb, rest) = command.split_once(' ').unwrap_or((command, ""));
        if !matches!(verb, "/unfriend" | "/block" | "/unblock" | "/remark") {
            return None;
        }
        let main = self.main.as_mut()?;
        let peer = main.threads.get(&thread_id).filter(|t| !t.is_group()).map(|t| t.peer).filter(|p| *p > 0);
        let Some(uid) = peer else {
            self.error(self.tr.friendship_in_private_chat());
            return Some(Vec::new());
        };
        if !main.takes_friends {
            self.error(self.tr.friendship_unsupported());
            return Some(Vec::new());
        }
        main.input.take();
        let effect = match verb {
            "/unfriend" => Effect::Unfriend(uid),
            "/block" => Effect::Block { uid, blocked: true },
            "/unblock" => Effect::Block { uid, blocked: false },
            _ => Effect::Remark { uid, remark: rest.trim().to_owned() },
        };
        Some(vec![effect])
    }

    /// A friendship changed, here (`ours`: this device asked) or on another device: the
    /// friend list follows; the chat stays.
    pub(super) fn friendship_changed(&mut self, changed: Result<NotifyFriendChanged, String>, ours: bool) {
        let changed = match changed {
            Ok(changed) => changed,
            Err(err) => return self.error(self.tr.friendship_failed(&err)),
        };
        let Some(main) = &mut self.main else { return };
        let name = main.label(changed.uid);
        apply(main, &changed);
        if !ours {
            return;
        }
        let said = match (changed.blocked, changed.friend) {
            (true, _) => self.tr.blocked(&name),
            (false, false) => self.tr.no_longer_friends(&name),
            (false, true) if changed.remark.is_empty() => self.tr.remark_cleared(&name),
            (false, true) => self.tr.remark_set(&name, &changed.remark),
        };
        self.info(said);
    }
}

/// The friend list as `changed` leaves it; a former friend's name stays known.
fn apply(main: &mut Main, changed: &NotifyFriendChanged) {
    if let Some(friend) = main.friends.iter().find(|f| f.uid == changed.uid) {
        main.names.insert(friend.uid, friend.name.clone());
    }
    if changed.friend {
        if let Some(friend) = main.friends.iter_mut().find(|f| f.uid == changed.uid) {
            friend.remark = changed.remark.clone();
        }
    } else {
        main.friends.retain(|f| f.uid != changed.uid);
    }
    if changed.blocked {
        main.blocked.insert(changed.uid);
    } else {
        main.blocked.remove(&changed.uid);
    }
}
