//! Keys to actions, as data: the default emacs-style table, remappable from the config file,
//! and the source of the help overlay. A key may carry one action per screen (F2 is "register"
//! on the login screen and "chats" on the main screen); the screen takes the first it knows.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    NextField,
    PrevField,
    Submit,
    Back,
    Newline,
    Register,
    Forgot,
    SendCode,
    Chats,
    Contacts,
    Find,
    Members,
    NewGroup,
    Attach,
    Files,
    OpenFile,
    Up,
    Down,
    ScrollUp,
    ScrollDown,
    ScrollTop,
    ScrollBottom,
    NextUnread,
    Editor,
    Retry,
    Left,
    Right,
    Home,
    End,
    Backspace,
    Delete,
    KillLine,
    WordLeft,
    WordRight,
    KillWord,
    KillToStart,
}

/// Every action with its config name and help text, in help-overlay order.
pub const ACTIONS: &[(Action, &str, &str)] = &[
    (Action::Quit, "quit", "quit (asks while messages are not sent yet)"),
    (Action::Help, "help", "this help (↑↓ PgUp PgDn scroll it)"),
    (Action::Submit, "submit", "log in / register / send / open / accept"),
    (Action::NextField, "next_field", "next field or pane"),
    (Action::PrevField, "prev_field", "previous field"),
    (Action::Newline, "newline", "new line in a message"),
    (Action::Back, "back", "back / close dialog"),
    (Action::Register, "register", "login screen: create an account"),
    (Action::Forgot, "forgot", "login screen: reset the password"),
    (Action::SendCode, "send_code", "send the email code"),
    (Action::Chats, "chats", "main screen: chats"),
    (Action::Contacts, "contacts", "main screen: contacts and new friends"),
    (Action::Find, "find", "find people by uid or name"),
    (Action::NewGroup, "new_group", "new group: name it, tick friends (Space), Enter"),
    (Action::Members, "members", "show or hide the open group's members"),
    (Action::Attach, "attach", "send a picture or file (Tab completes the path)"),
    (Action::Files, "files", "the chat's pictures and files: Enter saves"),
    (Action::OpenFile, "open_file", "files list: save, show what it is, open on a yes"),
    (Action::Up, "up", "previous item"),
    (Action::Down, "down", "next item"),
    (Action::ScrollUp, "scroll_up", "scroll history up a page (loads older at the top)"),
    (Action::ScrollDown, "scroll_down", "scroll history down a page"),
    (Action::ScrollTop, "scroll_top", "history: the oldest message loaded"),
    (Action::NextUnread, "next_unread", "open the next chat with unread messages"),
    (Action::Editor, "editor", "edit the draft in $VISUAL or $EDITOR"),
    (Action::ScrollBottom, "scroll_bottom", "history: the newest message"),
    (Action::Retry, "retry", "reconnect now / resend failed messages"),
    (Action::Left, "left", "caret left"),
    (Action::Right, "right", "caret right"),
    (Action::Home, "home", "start of line"),
    (Action::End, "end", "end of line"),
    (Action::Backspace, "backspace", "delete before the caret"),
    (Action::Delete, "delete", "delete at the caret; declines a friend request"),
    (Action::KillLine, "kill_line", "delete to the end of the line"),
    (Action::WordLeft, "word_left", "caret to the word before"),
    (Action::WordRight, "word_right", "caret past the word after"),
    (Action::KillWord, "kill_word", "delete the word before the caret"),
    (Action::KillToStart, "kill_to_start", "delete to the start of the line"),
];

const DEFAULTS: &[(&str, &str)] = &[
    ("quit", "ctrl-q ctrl-c"),
    ("help", "f1"),
    ("next_field", "tab"),
    ("prev_field", "backtab"),
    ("submit", "enter"),
    ("back", "esc"),
    ("newline", "alt-enter ctrl-j"),
    ("register", "f2"),
    ("forgot", "f3"),
    ("send_code", "ctrl-s"),
    ("chats", "f2"),
    ("contacts", "f3"),
    ("find", "f4"),
    ("members", "f6"),
    ("new_group", "f7"),
    ("attach", "ctrl-t"),
    ("files", "f8"),
    ("open_file", "ctrl-o"),
    ("up", "up ctrl-p"),
    ("down", "down ctrl-n"),
    ("scroll_up", "pageup"),
    ("scroll_down", "pagedown"),
    ("scroll_top", "ctrl-home"),
    ("next_unread", "alt-a"),
    ("editor", "alt-e"),
    ("scroll_bottom", "ctrl-end"),
    ("retry", "f5"),
    ("left", "left ctrl-b"),
    ("right", "right ctrl-f"),
    ("home", "home ctrl-a"),
    ("end", "end ctrl-e"),
    ("backspace", "backspace ctrl-h"),
    ("delete", "delete ctrl-d"),
    ("kill_line", "ctrl-k"),
    ("word_left", "alt-b ctrl-left"),
    ("word_right", "alt-f ctrl-right"),
    ("kill_word", "ctrl-w alt-backspace"),
    ("kill_to_start", "ctrl-u"),
];

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Parses `ctrl-f`, `alt-enter`, `f1`, `pageup`, `x`, ...
    pub fn parse(spec: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = spec.trim().to_ascii_lowercase();
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = r.to_owned();
            } else if let Some(r) = rest.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = r.to_owned();
            } else if let Some(r) = rest.strip_prefix("shift-") {
                mods |= KeyModifiers::SHIFT;
                rest = r.to_owned();
            } else {
                break;
            }
        }
        let code = match rest.as_str() {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') && f.len() > 1 => {
                KeyCode::F(f[1..].parse().map_err(|_| format!("unknown key `{spec}`"))?)
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            _ => return Err(format!("unknown key `{spec}`")),
        };
        Ok(Key { code, mods })
    }

    fn matches(&self, event: &KeyEvent) -> bool {
        // Terminals report BackTab with SHIFT and capitals with SHIFT; compare what matters.
        let mods = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::Char(c) => KeyCode::Char(c.to_ascii_lowercase()),
            other => other,
        };
        code == self.code && mods == self.mods & (KeyModifiers::CONTROL | KeyModifiers::ALT)
    }

    pub fn describe(&self) -> String {
        let mut out = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            out.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            out.push_str("Alt-");
        }
        out.push_str(&match self.code {
            KeyCode::Char(c) => c.to_ascii_uppercase().to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        });
        out
    }
}

/// The active bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

fn action_named(name: &str) -> Option<Action> {
    ACTIONS.iter().find(|(_, n, _)| *n == name).map(|(a, _, _)| *a)
}

impl Keymap {
    /// The defaults with `overrides` (`name = "key key"`) replacing whole entries.
    pub fn new(overrides: &[(String, String)]) -> Result<Keymap, String> {
        let mut table: Vec<(String, String)> = DEFAULTS.iter().map(|(n, k)| (n.to_string(), k.to_string())).collect();
        for (name, keys) in overrides {
            let Some(entry) = table.iter_mut().find(|(n, _)| n == name) else {
                return Err(format!("unknown key action `{name}`"));
            };
            entry.1 = keys.clone();
        }
        let mut bindings = Vec::new();
        for (name, keys) in &table {
            let action = action_named(name).ok_or_else(|| format!("unknown key action `{name}`"))?;
            for spec in keys.split_whitespace() {
                bindings.push((Key::parse(spec)?, action));
            }
        }
        Ok(Keymap { bindings })
    }

    /// Every action bound to this key press, in table order.
    pub fn actions(&self, event: &KeyEvent) -> Vec<Action> {
        self.bindings.iter().filter(|(key, _)| key.matches(event)).map(|(_, action)| *action).collect()
    }

    /// The keys bound to `action`, for hints and help (`F2`, `Ctrl-Q/Ctrl-C`).
    pub fn keys_for(&self, action: Action) -> String {
        let keys: Vec<String> =
            self.bindings.iter().filter(|(_, a)| *a == action).map(|(key, _)| key.describe()).collect();
        keys.join("/")
    }
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap::new(&[]).expect("the default table parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let map = Keymap::default();
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(map.actions(&ctrl_q), [Action::Quit]);
        let f2 = KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE);
        assert_eq!(map.actions(&f2), [Action::Register, Action::Chats]);
        let map = Keymap::new(&[("quit".into(), "ctrl-x".into())]).unwrap();
        assert!(map.actions(&ctrl_q).is_empty());
        assert_eq!(map.keys_for(Action::Quit), "Ctrl-X");
        assert!(Keymap::new(&[("fly".into(), "f9".into())]).is_err());
        assert!(Keymap::new(&[("quit".into(), "hyper-x".into())]).is_err());
    }
}
