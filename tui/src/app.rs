//! The client's whole state ([`App`]) and its one transition function, [`App::update`]:
//! an event in, the state changed, effects out. No I/O and no clock here (time is passed in),
//! so every behaviour is tested with plain values.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imchat_sdk::Dialect;

use crate::event::{Effect, Event};
use crate::i18n::Tr;
use crate::input::Input;
use crate::keymap::{Action, Keymap};

mod files;
pub use files::{Attach, Attachment, FilesDialog, Transfer};

/// Lines one scroll key moves the chat history.
pub const SCROLL_STEP: i16 = 5;
/// How long "send code" stays disabled after a code was sent (the server's cooldown).
pub const CODE_COOLDOWN: Duration = Duration::from_secs(60);
/// How often a text whose connection ended while the server had it is sent again by itself:
/// once, because a server may drop the session over a message (llfc does over a long one),
/// and re-sending that one at every reconnect would drop every new session too.
pub const RESENDS_AFTER_LOSS: u8 = 1;
/// Reconnect delays: doubling from the first, capped at the last.
pub const BACKOFF_FIRST: Duration = Duration::from_secs(1);
pub const BACKOFF_MAX: Duration = Duration::from_secs(30);

mod forms;
mod friendship;
mod gestures;
mod incoming;
mod main_screen;
mod model;
mod outbox;
pub use outbox::FailedDialog;
mod quotes;
mod saved;
mod session;
mod switcher;
mod typing;
pub use model::*;
pub use saved::{SAVED_PER_THREAD, Saved};
pub use switcher::{SWITCHER_ROWS, Switcher, Target, name_matches};

/// At most one notification per chat this often; the rest are counted into the next.
pub const NOTIFY_EVERY: Duration = Duration::from_secs(3);

/// The whole client.
#[derive(Debug, Clone)]
pub struct App {
    pub keymap: Keymap,
    pub screen: Screen,
    pub login: Form,
    pub register: Form,
    pub reset: Form,
    /// When "send code" is available again.
    /// The address a code was last sent to, and when another may be asked for it.
    pub code_sent: Option<(String, Instant)>,
    pub notice: Option<Notice>,
    pub help: bool,
    /// A login, registration or reset is in flight.
    pub busy: bool,
    pub conn: Conn,
    /// Failed reconnect attempts since the connection was last up (sets the backoff).
    reconnects: u32,
    pub main: Option<Main>,
    pub quit: bool,
    pub now: Instant,
    /// The composer's width in cells as last drawn (it wraps there; Up and Down move by its
    /// rows). Written by the renderer, which alone knows the layout.
    pub composer_width: std::cell::Cell<u16>,
    /// The open chat's rows on screen and its lines in all, as last drawn: a page is the
    /// rows, and scrolling stops at the first line (no remembered overscroll).
    pub history_rows: std::cell::Cell<u16>,
    pub history_lines: std::cell::Cell<u16>,
    /// How far above the bottom the open chat was drawn (it differs from `Main::scroll` while
    /// a chat just opened shows its first unread message).
    pub history_scrolled: std::cell::Cell<u16>,
    /// Where the chat list and the composer were drawn, and the list's visible rows as
    /// (first screen row, row after the last, item index): what a click lands on.
    pub list_area: std::cell::Cell<ratatui::layout::Rect>,
    pub composer_area: std::cell::Cell<ratatui::layout::Rect>,
    pub list_rows: std::cell::RefCell<Vec<(u16, u16, usize)>>,
    /// The terminal has focus (terminals that never say count as focused).
    pub focused: bool,
    /// Lines the help overlay is scrolled by.
    pub help_scroll: u16,
    /// Per chat: when it last notified, and how many notifications were held since.
    notified: HashMap<i64, (Option<Instant>, u32)>,
    /// Makes this process's message ids its own (`unique_id`s must not repeat across runs of
    /// the client; the server refuses a reused one). Chosen by `main`, 0 in tests.
    pub nonce: u64,
    /// Texts written in this process.
    sent: u64,
    /// The user's time zone and today's date, set by the terminal loop: times are shown in the
    /// zone, today's as the time, yesterday's as "yesterday", older ones as the date.
    pub clock: crate::clock::Clock,
    /// The language every string is shown in (`[tui] lang`, else the locale).
    pub tr: Tr,
    /// This account's chats and outbox are kept on this machine (unsent messages outlive a
    /// quit).
    pub kept: bool,
}

impl App {
    pub fn new(keymap: Keymap, now: Instant) -> App {
        App {
            keymap,
            screen: Screen::Login,
            login: Form::new(&[(Tr::field_email, false), (Tr::field_password, true)]),
            register: Form::new(&[
                (Tr::field_name, false),
                (Tr::field_email, false),
                (Tr::field_password, true),
                (Tr::field_confirm, true),
                (Tr::field_code, false),
            ]),
            reset: Form::new(&[
                (Tr::field_name, false),
                (Tr::field_email, false),
                (Tr::field_new_password, true),
                (Tr::field_code, false),
            ]),
            code_sent: None,
            notice: None,
            help: false,
            busy: false,
            conn: Conn::Offline,
            reconnects: 0,
            main: None,
            quit: false,
            now,
            composer_width: std::cell::Cell::new(40),
            history_rows: std::cell::Cell::new(10),
            history_lines: std::cell::Cell::new(u16::MAX),
            history_scrolled: std::cell::Cell::new(0),
            list_area: std::cell::Cell::new(ratatui::layout::Rect::default()),
            composer_area: std::cell::Cell::new(ratatui::layout::Rect::default()),
            list_rows: std::cell::RefCell::new(Vec::new()),
            focused: true,
            help_scroll: 0,
            notified: HashMap::new(),
            nonce: 0,
            sent: 0,
            clock: crate::clock::Clock::default(),
            tr: Tr::default(),
            kept: false,
        }
    }

    fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: text.into(), error: false, at: self.now });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: text.into(), error: true, at: self.now });
    }

    /// Seconds until "send code" is available again (0: now).
    pub fn code_countdown(&self) -> u64 {
        // The cooldown is the address's: another address may have a code at once.
        let email = match self.screen {
            Screen::Register => self.register.value(1),
            Screen::Reset => self.reset.value(1),
            _ => "",
        };
        self.code_sent
            .as_ref()
            .filter(|(to, _)| to == email.trim())
            .map_or(0, |(_, at)| at.saturating_duration_since(self.now).as_secs_f64().ceil() as u64)
    }

    /// The one transition: `event` at time `now` changes the state and asks for effects.
    pub fn update(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        self.now = now;
        let before = self.main.as_ref().map(|m| (m.pane, m.selected, m.items().get(m.selected).cloned()));
        let mut effects = self.handle(event);
        if let (Some(main), Some((pane, selected, Some(item)))) = (self.main.as_mut(), before) {
            main.keep_selection(pane, selected, &item);
        }
        effects.extend(self.mark_read());
        self.coalesce(effects)
    }

    /// At most one notification per chat every [`NOTIFY_EVERY`]: the ones in between are
    /// counted, and said with the next (or on the tick after the window, as a count).
    fn coalesce(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        let now = self.now;
        let mut out = Vec::with_capacity(effects.len());
        for effect in effects {
            let Effect::Notify { thread, mention, title, body } = effect else {
                out.push(effect);
                continue;
            };
            let (last, held) = self.notified.entry(thread).or_insert((None, 0));
            // A mention always rings.
            if !mention && last.is_some_and(|at| now.saturating_duration_since(at) < NOTIFY_EVERY) {
                *held += 1;
                continue;
            }
            let body = if *held > 0 { self.tr.held_more(&body, *held) } else { body };
            (*last, *held) = (Some(now), 0);
            out.push(Effect::Notify { thread, mention, title, body });
        }
        // Held ones whose window has passed with nothing newer: said as a count.
        let due: Vec<i64> = self
            .notified
            .iter()
            .filter(|(_, (last, held))| {
                *held > 0 && last.is_some_and(|at| now.saturating_duration_since(at) >= NOTIFY_EVERY)
            })
            .map(|(thread, _)| *thread)
            .collect();
        for thread in due {
            let held = self.notified.get(&thread).map_or(0, |(_, held)| *held);
            self.notified.insert(thread, (Some(now), 0));
            let title = self
                .main
                .as_ref()
                .and_then(|main| main.threads.get(&thread).map(|t| main.thread_label(t)))
                .unwrap_or_default();
            let body = if held == 1 { self.tr.one_more_message() } else { self.tr.more_messages(held) };
            out.push(Effect::Notify { thread, mention: false, title, body });
        }
        out
    }

    /// The open chat, shown while the terminal has focus, is read up to its newest message:
    /// the server keeps that for every device (once per new message, not per event).
    fn mark_read(&mut self) -> Option<Effect> {
        if self.screen != Screen::Main || !self.focused {
            return None;
        }
        let main = self.main.as_mut()?;
        let me = main.uid;
        let thread = main.threads.get_mut(&main.open?)?;
        // Only someone else's message makes news to mark; one's own is read by its writer.
        let news = thread.msgs.iter().rev().find(|m| m.seq > 0 && m.from != me)?.seq;
        let newest = thread.msgs.iter().rev().map(|m| m.seq).find(|seq| *seq > 0)?;
        if thread.id <= 0 || news <= thread.read_mark || main.dialect == Dialect::Llfc {
            return None;
        }
        thread.read_mark = newest;
        Some(Effect::MarkRead { thread: thread.id, seq: newest })
    }

    fn handle(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Focus(focused) => {
                self.focused = focused;
                Vec::new()
            }
            Event::Tick => self.tick(),
            Event::Key(key) => {
                // The next action clears what the last one said (a quit's question stays for
                // the answer).
                if !self.keymap.actions(&key).contains(&Action::Quit) {
                    self.notice = None;
                }
                self.key(key)
            }
            Event::Paste(text) => {
                let composer = self.with_input(|input| {
                    input.insert(&text);
                });
                if composer { self.typed() } else { Vec::new() }
            }
            Event::Mouse { column, row, wheel } => self.mouse(column, row, wheel),
            Event::Net(net) => self.net(net),
            Event::Completed(completion) => {
                self.completed(completion);
                Vec::new()
            }
            Event::Checked(result) => self.checked(result),
            Event::Edited(Ok(text)) => {
                if let Some(main) = self.main.as_mut() {
                    // Editors end a file with a line break; a message does not.
                    main.input.set(text.strip_suffix('\n').unwrap_or(&text));
                }
                Vec::new()
            }
            Event::Edited(Err(why)) => {
                self.error(self.tr.editor_failed(&why));
                Vec::new()
            }
            Event::Restored(restored) => {
                self.restored(restored);
                Vec::new()
            }
        }
    }

    fn tick(&mut self) -> Vec<Effect> {
        if let Some(notice) = &self.notice {
            let stays = if notice.error { NOTICE_FOR * 2 } else { NOTICE_FOR };
            if self.now.saturating_duration_since(notice.at) >= stays {
                self.notice = None;
            }
        }
        if let Conn::Reconnecting { at, attempt } = self.conn
            && self.now >= at
            && let Some(main) = &self.main
        {
            self.conn = Conn::Connecting;
            let _ = attempt;
            return vec![Effect::Reconnect(main.cursors())];
        }
        Vec::new()
    }

    /// The input that typing goes to on the current screen, if any.
    /// Edits the focused input; true when that was the open chat's composer.
    fn with_input(&mut self, edit: impl FnOnce(&mut Input)) -> bool {
        let mut composer = false;
        let input = match self.screen {
            Screen::Login => self.login.focused(),
            Screen::Register => self.register.focused(),
            Screen::Reset => self.reset.focused(),
            Screen::Main => match &mut self.main {
                Some(Main { switcher: Some(switcher), .. }) => Some(&mut switcher.input),
                Some(Main { failed: Some(_), .. }) => None,
                Some(Main { find: Some(find), .. }) => find.form.focused(),
                Some(Main { attach: Some(attach), .. }) => Some(&mut attach.input),
                Some(Main { files: Some(_), .. }) => None,
                Some(Main { new_group: Some(dialog), .. }) => {
                    (!dialog.on_list && dialog.invite_to.is_none()).then_some(&mut dialog.name)
                }
                Some(main) if main.focus == Focus::Input && main.open.is_some() => {
                    composer = true;
                    Some(&mut main.input)
                }
                _ => None,
            },
        };
        if let Some(input) = input {
            edit(input);
        }
        composer
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let actions = self.keymap.actions(&key);
        // A `/leave` asked about is confirmed by Enter alone; any other key keeps the group.
        if !actions.contains(&Action::Submit)
            && let Some(main) = &mut self.main
        {
            main.leave_asked = None;
        }
        if actions.contains(&Action::Quit) {
            // Unsent messages would be lost: the first quit asks, a second one within the
            // notice's life goes.
            let unsent = self.main.as_ref().map_or(0, Main::unsent);
            let question = if self.kept { self.tr.quit_asks_kept(unsent) } else { self.tr.quit_asks(unsent) };
            let asked = self.notice.as_ref().is_some_and(|n| n.text == question);
            if unsent > 0 && !asked {
                self.error(question);
                return Vec::new();
            }
            self.quit = true;
            return vec![Effect::Quit];
        }
        if self.help {
            if actions.contains(&Action::Help) || actions.contains(&Action::Back) {
                self.help = false;
                self.help_scroll = 0;
            }
            // The list is longer than a small terminal: it scrolls.
            let last = u16::try_from(crate::keymap::ACTIONS.len()).unwrap_or(u16::MAX);
            for action in actions {
                self.help_scroll = match action {
                    Action::Up => self.help_scroll.saturating_sub(1),
                    Action::Down => (self.help_scroll + 1).min(last),
                    Action::ScrollUp => self.help_scroll.saturating_sub(10),
                    Action::ScrollDown => (self.help_scroll + 10).min(last),
                    _ => continue,
                };
                break;
            }
            return Vec::new();
        }
        if actions.contains(&Action::Help) {
            self.help = true;
            return Vec::new();
        }
        for action in &actions {
            if let Some(effects) = self.action(*action) {
                return effects;
            }
        }
        // Space ticks a friend in the new-group list.
        if key.code == KeyCode::Char(' ')
            && let Some(Main { new_group: Some(dialog), friends, threads, .. }) = &mut self.main
            && dialog.on_list
        {
            let member = |uid: i32| {
                let group = dialog.invite_to.and_then(|id| threads.get(&id)).and_then(|t| t.group.as_ref());
                group.is_some_and(|g| g.member_list.iter().any(|(m, _, _)| *m == uid))
            };
            if let Some(friend) = friends.get(dialog.cursor)
                && !member(friend.uid)
                && !dialog.picked.remove(&friend.uid)
            {
                dialog.picked.insert(friend.uid);
            }
            return Vec::new();
        }
        if let KeyCode::Char(c) = key.code
            && let Some(effects) = self.failed_key(c)
        {
            return effects;
        }
        // Unbound keys type text.
        if let KeyCode::Char(c) = key.code
            && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            let composer = self.with_input(|input| {
                input.insert(&c.to_string());
            });
            if composer {
                return self.typed();
            }
        }
        Vec::new()
    }

    /// Runs `action` if it means something here; `None` lets the next action for the key try.
    fn action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let edit = |input: &mut Input| match action {
            Action::Left => input.left(),
            Action::Right => input.right(),
            Action::Home => input.home(),
            Action::End => input.end(),
            Action::Backspace => input.backspace(),
            Action::Delete => input.delete(),
            Action::KillLine => input.kill_line(),
            Action::WordLeft => input.word_left(),
            Action::WordRight => input.word_right(),
            Action::KillWord => input.kill_word(),
            Action::KillToStart => input.kill_to_start(),
            Action::Newline => {
                input.insert("\n");
            }
            _ => {}
        };
        if action == Action::Delete
            && let Some(effects) = self.delete_selected()
        {
            return Some(effects);
        }
        if matches!(
            action,
            Action::Left
                | Action::Right
                | Action::Home
                | Action::End
                | Action::Backspace
                | Action::Delete
                | Action::KillLine
                | Action::WordLeft
                | Action::WordRight
                | Action::KillWord
                | Action::KillToStart
        ) {
            self.with_input(edit);
            return Some(Vec::new());
        }
        match self.screen {
            Screen::Login => self.login_action(action),
            Screen::Register => self.register_action(action),
            Screen::Reset => self.reset_action(action),
            Screen::Main => self.main_action(action, edit),
        }
    }
}

#[cfg(test)]
mod tests;
