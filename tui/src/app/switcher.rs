//! The quick switcher: type to filter chats and friends, Enter opens one. CJK names match by
//! pinyin too, in full or by initials and mixed (`zhangsan`, `zs`, `zhangs` all find 张三),
//! with every reading of a character that has several (曾: zeng, ceng).

use pinyin::ToPinyinMulti;

use super::{App, Effect, Item, Main, Pane, Thread};
use crate::input::Input;
use crate::keymap::Action;

/// Most matches the switcher lists.
pub const SWITCHER_ROWS: usize = 8;

/// The switcher dialog: what was typed and the match under the cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Switcher {
    pub input: Input,
    pub cursor: usize,
    /// Opened to forward message (thread, seq): Enter sends it there instead of opening.
    pub forward: Option<(i64, i64)>,
}

/// What a match opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Thread(i64),
    /// A friend with no chat yet.
    Friend(i32),
}

/// The ways one character of a name may be typed: its pinyin readings for a CJK character,
/// else the character itself, lower case.
fn readings(c: char) -> Vec<String> {
    match c.to_pinyin_multi() {
        Some(multi) => {
            let mut all: Vec<String> = multi.into_iter().map(|p| p.plain().to_owned()).collect();
            all.dedup();
            all
        }
        None => vec![c.to_lowercase().collect()],
    }
}

/// Whether `query` (lower case, no spaces) is typed from the characters `units` on, each one
/// typed whole, by a first part, or (the last one) begun.
fn typed_from(units: &[Vec<String>], query: &str) -> bool {
    if query.is_empty() {
        return true;
    }
    let Some((first, rest)) = units.split_first() else { return false };
    first.iter().any(|reading| {
        (1..=reading.len().min(query.len())).rev().any(|k| {
            reading.is_char_boundary(k)
                && query.is_char_boundary(k)
                && reading[..k] == query[..k]
                && typed_from(rest, &query[k..])
        })
    })
}

/// Whether `name` matches `query`: as text (any case), or by pinyin from any character on.
pub fn name_matches(name: &str, query: &str) -> bool {
    let query: String = query.split_whitespace().collect::<String>().to_lowercase();
    if query.is_empty() || name.to_lowercase().contains(&query) {
        return true;
    }
    let units: Vec<Vec<String>> = name.chars().filter(|c| !c.is_whitespace()).map(readings).collect();
    (0..units.len()).any(|start| typed_from(&units[start..], &query))
}

impl Main {
    /// The switcher's matches, best first: chats by latest activity, then friends without a
    /// chat; hidden chats too (opening one shows it again).
    pub fn switcher_matches(&self) -> Vec<(Target, String)> {
        let Some(switcher) = &self.switcher else { return Vec::new() };
        let query = switcher.input.text();
        let mut threads: Vec<&Thread> = self.threads.values().collect();
        threads.sort_by(|a, b| b.last_time().cmp(a.last_time()).then(b.id.cmp(&a.id)));
        let chats = threads.into_iter().map(|t| (Target::Thread(t.id), self.thread_label(t)));
        let friends = self
            .friends
            .iter()
            .filter(|f| self.thread_with(f.uid).is_none())
            .map(|f| (Target::Friend(f.uid), f.label().to_owned()));
        chats
            .chain(friends)
            // A friend is found by the name they chose too, not only by the remark shown.
            .filter(|(target, label)| {
                name_matches(label, query) || self.friend_of(target).is_some_and(|f| name_matches(&f.name, query))
            })
            .take(SWITCHER_ROWS)
            .collect()
    }

    /// The friend a target is (a friend, or a private chat's peer).
    fn friend_of(&self, target: &Target) -> Option<&super::Friend> {
        match target {
            Target::Friend(uid) => self.friend(*uid),
            Target::Thread(id) => self.threads.get(id).filter(|t| !t.is_group()).and_then(|t| self.friend(t.peer)),
        }
    }
}

impl App {
    /// Keys while the switcher is open (typing goes to its input, in `with_input`).
    pub(super) fn switcher_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let main = self.main.as_mut()?;
        let matches = main.switcher_matches();
        let switcher = main.switcher.as_mut()?;
        match action {
            Action::Back | Action::Switch => main.switcher = None,
            Action::Up => switcher.cursor = switcher.cursor.saturating_sub(1),
            Action::Down | Action::NextField => {
                switcher.cursor = (switcher.cursor + 1).min(matches.len().saturating_sub(1));
            }
            Action::Submit => {
                let Some(target) = matches.get(switcher.cursor).map(|(target, _)| *target) else {
                    return Some(Vec::new());
                };
                if let Some(forward) = switcher.forward {
                    main.switcher = None;
                    return Some(self.forward_to(forward, target));
                }
                main.switcher = None;
                main.pane = Pane::Chats;
                return Some(match target {
                    Target::Thread(id) => {
                        main.hidden.remove(&id);
                        main.open_thread(id);
                        main.selected = main.items().iter().position(|i| *i == Item::Thread(id)).unwrap_or(0);
                        if main.threads.get(&id).is_some_and(Thread::is_group) {
                            vec![Effect::GroupInfo(id), Effect::GroupMembers(id)]
                        } else {
                            Vec::new()
                        }
                    }
                    Target::Friend(uid) => vec![Effect::OpenChat(uid)],
                });
            }
            _ => return None,
        }
        Some(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn pinyin_finds_cjk_names() {
        for query in ["zhangsan", "zs", "zhangs", "zsan", "ZS", "zhang san", "san", "张三", "张"] {
            assert!(name_matches("张三", query), "{query}");
        }
        for query in ["zz", "zhangsi", "ls", "x"] {
            assert!(!name_matches("张三", query), "{query}");
        }
        // Every reading of a character with several; Latin names by any part, any case.
        assert!(name_matches("曾小明", "cengxm"));
        assert!(name_matches("曾小明", "zxm"));
        assert!(name_matches("Ann Lee", "lee"));
        assert!(name_matches("小明Ann", "xmann"));
        assert!(!name_matches("Ann Lee", "bob"));
    }
}
