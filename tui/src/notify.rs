//! Telling the person something happened outside what they look at: the terminal bell, a
//! desktop notification by escape sequence (OSC 777 or OSC 9), and the unread count in the
//! terminal's title. Pure byte-building here; `term` writes them. Inside tmux each sequence
//! is wrapped for passthrough (tmux passes it on with `allow-passthrough on`), except the bell
//! and the title, which tmux itself understands.

use crate::app::notification_text;

/// Which desktop-notification sequence to send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Desktop {
    /// `OSC 777 ; notify ; title ; body` (foot, urxvt, WezTerm, Ghostty, VTE terminals).
    #[default]
    Osc777,
    /// `OSC 9 ; body` (iTerm2, Windows Terminal, ConEmu, WezTerm).
    Osc9,
    Off,
}

impl std::str::FromStr for Desktop {
    type Err = String;

    fn from_str(value: &str) -> Result<Desktop, String> {
        match value {
            "osc777" => Ok(Desktop::Osc777),
            "osc9" => Ok(Desktop::Osc9),
            "off" => Ok(Desktop::Off),
            other => Err(format!("`{other}` is not osc777, osc9 or off")),
        }
    }
}

/// What `[tui]` turns on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notifications {
    pub bell: bool,
    pub desktop: Desktop,
    /// The unread count in the terminal's title.
    pub title: bool,
}

impl Default for Notifications {
    fn default() -> Notifications {
        Notifications { bell: true, desktop: Desktop::Osc777, title: true }
    }
}

/// Longest title and body put in a notification.
const TITLE_CHARS: usize = 60;
const BODY_CHARS: usize = 200;

/// Wraps `sequence` for tmux's passthrough when `in_tmux`: `ESC P tmux ; <sequence with each
/// ESC doubled> ESC \`.
fn passthrough(sequence: &str, in_tmux: bool) -> String {
    if !in_tmux {
        return sequence.to_owned();
    }
    format!("\x1bPtmux;{}\x1b\\", sequence.replace('\x1b', "\x1b\x1b"))
}

impl Notifications {
    /// The bytes that announce a message: `title` and `body` come from peers, so every control
    /// character is taken out before they go near the terminal.
    pub fn announce(&self, title: &str, body: &str, in_tmux: bool) -> String {
        let (title, body) = (notification_text(title, TITLE_CHARS), notification_text(body, BODY_CHARS));
        let mut out = String::new();
        if self.bell {
            out.push('\x07');
        }
        match self.desktop {
            Desktop::Osc777 => out.push_str(&passthrough(&format!("\x1b]777;notify;{title};{body}\x07"), in_tmux)),
            Desktop::Osc9 => out.push_str(&passthrough(&format!("\x1b]9;{title}: {body}\x07"), in_tmux)),
            Desktop::Off => {}
        }
        out
    }

    /// The title sequence for `unread` messages (OSC 2, which tmux takes as the pane title).
    pub fn title(&self, unread: i64) -> Option<String> {
        if !self.title {
            return None;
        }
        let text = if unread > 0 { format!("imchat ({unread})") } else { "imchat".to_owned() };
        Some(format!("\x1b]2;{text}\x07"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peers_text_cannot_escape_into_the_terminal() {
        let n = Notifications::default();
        let evil = "hi\x1b]2;owned\x07\x1b[31m;x\nnext";
        let out = n.announce("bob\x1b[2J", evil, false);
        assert_eq!(out, "\x07\x1b]777;notify;bob [2J;hi ]2owned  [31mx next\x07");
        assert_eq!(out.matches('\x1b').count(), 1, "only the sequence's own ESC: {out:?}");
    }

    #[test]
    fn tmux_gets_its_passthrough_and_each_kind_can_be_off() {
        let n = Notifications { bell: false, desktop: Desktop::Osc9, title: false };
        assert_eq!(n.announce("team", "hello", true), "\x1bPtmux;\x1b\x1b]9;team: hello\x07\x1b\\");
        assert_eq!(n.title(3), None);
        let off = Notifications { bell: false, desktop: Desktop::Off, title: true };
        assert_eq!(off.announce("a", "b", true), "");
        assert_eq!(off.title(3).as_deref(), Some("\x1b]2;imchat (3)\x07"));
        assert_eq!(off.title(0).as_deref(), Some("\x1b]2;imchat\x07"));
        assert_eq!("osc9".parse::<Desktop>(), Ok(Desktop::Osc9));
        assert!("loud".parse::<Desktop>().is_err());
    }
}
