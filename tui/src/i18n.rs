//! Every string the client shows, in one catalogue: English and Simplified Chinese side by
//! side, an entry a function (`Tr::welcome(name)`), so a missing translation does not compile.
//! `[tui] lang = en|zh-CN` picks one; without it `LC_ALL`, `LC_MESSAGES` or `LANG` does.
//! What the server says in words (an error's message) is shown as it came, but known error
//! codes and the shared input rules are said in the user's language.

use imchat_sdk::proto::msg::GroupEvent;

/// The languages of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    pub const NAMES: &[&str] = &["en", "zh-CN"];

    /// `en`, `zh-CN` (also `zh`, `zh_CN`, `zh_CN.UTF-8`, any case).
    pub fn named(name: &str) -> Option<Lang> {
        let name = name.trim().to_ascii_lowercase().replace('_', "-");
        let name = name.split('.').next().unwrap_or("");
        match name {
            "en" | "c" | "posix" => Some(Lang::En),
            _ if name.starts_with("en-") => Some(Lang::En),
            "zh" | "zh-cn" | "zh-sg" | "zh-hans" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// From the locale the environment names (`LC_ALL`, then `LC_MESSAGES`, then `LANG`):
    /// Chinese for a `zh` one, English for anything else.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().find_map(|name| var(name).filter(|v| !v.is_empty()));
        match locale {
            Some(locale) if locale.to_ascii_lowercase().starts_with("zh") => Lang::ZhCn,
            _ => Lang::En,
        }
    }
}

/// The catalogue in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr(pub Lang);

macro_rules! catalogue {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) => $en:literal, $zh:literal;)*) => {
        impl Tr {
            $(
                $(#[$doc])*
                pub fn $name(self, $($arg: $ty),*) -> String {
                    match self.0 {
                        Lang::En => format!($en),
                        Lang::ZhCn => format!($zh),
                    }
                }
            )*
        }

        /// Every entry, both languages, with sample arguments: for the completeness test.
        #[cfg(test)]
        pub(crate) const ENTRIES: &[(&str, &str, &str)] = &[$((stringify!($name), $en, $zh)),*];
    };
}

mod catalogue;
#[cfg(test)]
pub(crate) use catalogue::ENTRIES;
use catalogue::{ERROR_CODES, RULES};

impl Tr {
    /// A group event in words: "ann added bob, carol".
    pub fn group_event(self, event: &GroupEvent) -> String {
        let by = if event.by == 0 { self.an_operator() } else { event.by_name.clone() };
        let sep = if self.0 == Lang::ZhCn { "、" } else { ", " };
        let mut whom = event.names.join(sep);
        let others = event.uids.len().saturating_sub(event.names.len());
        if others > 0 && !event.names.is_empty() {
            whom = self.and_others(&whom, others);
        } else if others > 0 {
            whom = self.n_members(others);
        }
        let text = event.text.as_str();
        match event.event.as_str() {
            "create" => self.ev_create(&by, text, &whom),
            "invite" => self.ev_invite(&by, &whom),
            "leave" => self.ev_leave(&by),
            "remove" => self.ev_remove(&by, &whom),
            "admin" => self.ev_admin(&by, &whom),
            "unadmin" => self.ev_unadmin(&by, &whom),
            "owner" => self.ev_owner(&by, &whom),
            "rename" => self.ev_rename(&by, text),
            "announce" => self.ev_announce(&by, text),
            "invite_policy" => self.ev_invite_policy(&by, text),
            "disband" => self.ev_disband(&by),
            imchat_sdk::proto::msg::OVERSIZE_EVENT => self.ev_oversize(),
            other => format!("{by}: {other}"),
        }
    }

    /// What a file's bytes are (`files::openable_kind` names them in English).
    pub fn file_kind(self, kind: &str) -> String {
        match kind {
            "PNG image" => self.kind_png(),
            "JPEG image" => self.kind_jpeg(),
            "GIF image" => self.kind_gif(),
            "WebP image" => self.kind_webp(),
            "PDF document" => self.kind_pdf(),
            "plain text" => self.kind_text(),
            other => other.to_owned(),
        }
    }

    /// Why something failed, as the network task said it: its one fixed reason in the
    /// user's language, anything else as it came.
    pub fn reason(self, why: &str) -> String {
        if why == crate::event::NO_RESOURCE_SERVER { self.no_resource_server() } else { why.to_owned() }
    }

    /// One of the shared input rules (`imchat_proto::rules`), which say themselves in English.
    pub fn rule(self, rule: &str) -> String {
        if self.0 == Lang::En {
            return rule.to_owned();
        }
        RULES.iter().find(|(en, _)| *en == rule).map_or_else(|| rule.to_owned(), |(_, zh)| (*zh).to_owned())
    }

    /// A server's error: by its code when the catalogue knows it, else as the server said it.
    pub fn server_error(self, code: i32, message: &str) -> String {
        let known = (self.0 == Lang::ZhCn).then(|| ERROR_CODES.iter().find(|(c, _)| *c == code)).flatten();
        match known {
            Some((_, zh)) => format!("{zh}（{code}）"),
            None if message.is_empty() => self.error_code(code),
            None => format!("{message} ({code})"),
        }
    }
}

#[cfg(test)]
mod tests;
