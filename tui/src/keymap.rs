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
    Switch,
    Failed,
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
    PickUp,
    PickDown,
    Reply,
    Forward,
    JumpQuote,
}

/// Every action with its config name and help text (English, Chinese), in help-overlay order.
pub const ACTIONS: &[(Action, &str, &str, &str)] = &[
    (Action::Quit, "quit", "quit (asks while messages are not sent yet)", "退出（还有未发出的消息时会先问）"),
    (Action::Help, "help", "this help (↑↓ PgUp PgDn scroll it)", "本帮助（↑↓ PgUp PgDn 滚动）"),
    (Action::Submit, "submit", "log in / register / send / open / accept", "登录 / 注册 / 发送 / 打开 / 接受"),
    (Action::NextField, "next_field", "next field or pane", "下一个输入框或窗格"),
    (Action::PrevField, "prev_field", "previous field", "上一个输入框"),
    (Action::Newline, "newline", "new line in a message", "消息里换行"),
    (Action::Back, "back", "back / close dialog", "返回 / 关闭对话框"),
    (Action::Register, "register", "login screen: create an account", "登录界面：注册账号"),
    (Action::Forgot, "forgot", "login screen: reset the password", "登录界面：重置密码"),
    (Action::SendCode, "send_code", "send the email code", "发送邮箱验证码"),
    (Action::Chats, "chats", "main screen: chats", "主界面：聊天"),
    (Action::Contacts, "contacts", "main screen: contacts and new friends", "主界面：联系人和新朋友"),
    (Action::Find, "find", "find people by uid or name", "按 UID 或名字找人"),
    (
        Action::NewGroup,
        "new_group",
        "new group: name it, tick friends (Space), Enter",
        "新建群聊：起名、勾选好友（空格）、回车",
    ),
    (Action::Members, "members", "show or hide the open group's members", "显示或隐藏当前群的成员"),
    (Action::Attach, "attach", "send a picture or file (Tab completes the path)", "发送图片或文件（Tab 补全路径）"),
    (Action::Files, "files", "the chat's pictures and files: Enter saves", "聊天里的图片和文件：回车保存"),
    (
        Action::OpenFile,
        "open_file",
        "files list: save, show what it is, open on a yes",
        "文件列表：保存、说明是什么、确认后打开",
    ),
    (Action::Up, "up", "previous item", "上一项"),
    (Action::Down, "down", "next item", "下一项"),
    (
        Action::ScrollUp,
        "scroll_up",
        "scroll history up a page (loads older at the top)",
        "聊天记录上翻一页（到顶加载更早的）",
    ),
    (Action::ScrollDown, "scroll_down", "scroll history down a page", "聊天记录下翻一页"),
    (Action::ScrollTop, "scroll_top", "history: the oldest message loaded", "聊天记录：已加载的最早一条"),
    (Action::NextUnread, "next_unread", "open the next chat with unread messages", "打开下一个有未读消息的聊天"),
    (
        Action::Switch,
        "switch",
        "quick switcher: type a name (pinyin: zs finds 张三), Enter opens",
        "快速切换：输入名字（拼音：zs 找到 张三），回车打开",
    ),
    (
        Action::Failed,
        "failed",
        "the open chat's failed message: retry, edit or delete",
        "当前聊天里发送失败的消息：重试、编辑或删除",
    ),
    (Action::Editor, "editor", "edit the draft in $VISUAL or $EDITOR", "在 $VISUAL 或 $EDITOR 里编辑草稿"),
    (Action::PickUp, "pick_up", "pick the message above (Esc drops it)", "选中上一条消息（Esc 取消）"),
    (Action::PickDown, "pick_down", "pick the message below", "选中下一条消息"),
    (
        Action::Reply,
        "reply",
        "reply to the picked message (else the last one), quoting it",
        "引用回复选中的消息（未选中时回复最新一条）",
    ),
    (
        Action::Forward,
        "forward",
        "forward the picked message (else the last one): pick a chat, Enter",
        "转发选中的消息（未选中时转发最新一条）：选聊天，回车",
    ),
    (Action::JumpQuote, "jump_quote", "picked reply: jump to the message it quotes", "选中的回复：跳到它引用的消息"),
    (Action::ScrollBottom, "scroll_bottom", "history: the newest message", "聊天记录：最新一条"),
    (Action::Retry, "retry", "reconnect now / resend failed messages", "立即重连 / 重发失败的消息"),
    (Action::Left, "left", "caret left", "光标左移"),
    (Action::Right, "right", "caret right", "光标右移"),
    (Action::Home, "home", "start of line", "行首"),
    (Action::End, "end", "end of line", "行尾"),
    (Action::Backspace, "backspace", "delete before the caret", "删除光标前的字"),
    (
        Action::Delete,
        "delete",
        "delete at the caret; list: hides a chat, declines a request",
        "删除光标处的字；列表里：隐藏聊天、拒绝好友请求",
    ),
    (Action::KillLine, "kill_line", "delete to the end of the line", "删除到行尾"),
    (Action::WordLeft, "word_left", "caret to the word before", "光标移到前一个词"),
    (Action::WordRight, "word_right", "caret past the word after", "光标移到后一个词"),
    (Action::KillWord, "kill_word", "delete the word before the caret", "删除光标前的词"),
    (Action::KillToStart, "kill_to_start", "delete to the start of the line", "删除到行首"),
];

pub const DEFAULTS: &[(&str, &str)] = &[
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
    ("switch", "ctrl-g"),
    ("failed", "ctrl-r"),
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
    ("pick_up", "alt-up"),
    ("pick_down", "alt-down"),
    ("reply", "alt-r"),
    ("forward", "alt-s"),
    ("jump_quote", "alt-j"),
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
    ACTIONS.iter().find(|(_, n, _, _)| *n == name).map(|(a, _, _, _)| *a)
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
