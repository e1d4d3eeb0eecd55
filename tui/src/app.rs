//! The client's whole state ([`App`]) and its one transition function, [`App::update`]:
//! an event in, the state changed, effects out. No I/O and no clock here (time is passed in),
//! so every behaviour is tested with plain values.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imchat_sdk::Dialect;
use imchat_sdk::cursor::ThreadCursor;
use imchat_sdk::proto::msg::{
    AuthChatData, GroupEvent, GroupInfo, MSG_TYPE_SYSTEM, NotifyGroupMsg, SyncCursor, SyncData, TextChatData,
};
use imchat_sdk::proto::rules;

use crate::event::{Effect, Event, NetEvent, SendFailure, Welcome};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Login,
    Register,
    Reset,
    Main,
}

/// A form: labelled inputs and the focused one.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub fields: Vec<(&'static str, Input)>,
    pub focus: usize,
}

impl Form {
    fn new(fields: &[(&'static str, bool)]) -> Form {
        Form {
            fields: fields
                .iter()
                .map(|(label, masked)| (*label, if *masked { Input::masked() } else { Input::default() }))
                .collect(),
            focus: 0,
        }
    }

    pub fn value(&self, idx: usize) -> &str {
        self.fields.get(idx).map_or("", |(_, input)| input.text())
    }

    fn focused(&mut self) -> Option<&mut Input> {
        self.fields.get_mut(self.focus).map(|(_, input)| input)
    }

    fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    fn prev(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }
}

/// A line under the screen's content: what happened, good or bad.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
    /// When it was shown: it goes after [`NOTICE_FOR`] (errors after twice that), or at the
    /// next key.
    pub at: Instant,
}

/// At most one notification per chat this often; the rest are counted into the next.
pub const NOTIFY_EVERY: Duration = Duration::from_secs(3);

/// How a quit with unsent messages begins its question.
const QUIT_ASKS: &str = "quit?";

/// How long a notice stays on the notice line when nothing else happens.
pub const NOTICE_FOR: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conn {
    Offline,
    Connecting,
    Online,
    /// Waiting to try again at `at`.
    Reconnecting {
        at: Instant,
        attempt: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Chats,
    Contacts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgState {
    /// Stored by the server (it said so, or a sync brought it).
    Sent,
    /// Waiting for the server (or, typed offline, for the connection to come back).
    Sending,
    /// The connection ended while the server had it: stored or not, nobody knows until the
    /// reconnect resends it (its unique id makes a stored one answer as stored, not twice).
    Unknown,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// Per-thread sequence; 0 until the server stored it.
    pub seq: i64,
    pub from: i32,
    pub text: String,
    pub time: String,
    pub state: MsgState,
    pub unique: String,
    /// Times the connection ended while the server had this message.
    pub lost: u8,
    /// Why it was not sent, once it failed (shown beside it).
    pub failure: Option<String>,
    /// A group's system message (a change of members, name or roles): `text` says what.
    pub system: bool,
    /// The picture or file it carries (its `text` is then the file's name).
    pub file: Option<Attachment>,
}

/// What this client knows of a group thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupView {
    pub name: String,
    pub announcement: String,
    /// Whether this user muted the group.
    pub muted: bool,
    pub members: i64,
    pub disbanded: bool,
    /// This user left or was removed: the thread stays readable, nothing more comes.
    pub left: bool,
    /// An unread message @mentions this user.
    pub mentioned: bool,
    /// (uid, name, role), loaded when the member pane opens or the chat does.
    pub member_list: Vec<(i32, String, String)>,
}

/// The new-group dialog (a name and friends ticked), or with `invite_to` the invite picker of
/// an open group (friends ticked; members already in are shown, not tickable).
#[derive(Debug, Clone, Default)]
pub struct NewGroup {
    pub name: Input,
    pub picked: BTreeSet<i32>,
    /// The friend under the cursor, and whether focus is on the list (else on the name).
    pub cursor: usize,
    pub on_list: bool,
    pub invite_to: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thread {
    pub id: i64,
    /// The other member of a private thread (0 for a group).
    pub peer: i32,
    /// Set for a group thread.
    pub group: Option<GroupView>,
    pub msgs: Vec<Msg>,
    /// The sync cursor: it never passes a message that is missing (a lost push), so a sync
    /// fetches it again (see [`imchat_sdk::cursor`]).
    pub cursor: ThreadCursor,
    pub unread: i64,
    /// The first unread message's seq: where the "new messages" divider goes.
    pub divider: Option<i64>,
    /// How far the user has read it, as the server keeps it (or as this client last told it).
    pub read_mark: i64,
    /// Messages that came in below while the user read further up ("N new ↓").
    pub below: i64,
    /// Older messages exist on the server (`None`: not known yet) and whether a page is coming.
    pub older: Option<bool>,
    pub loading_older: bool,
}

impl Thread {
    /// Whether messages before the first loaded one may exist on the server.
    pub fn has_older(&self) -> bool {
        self.older.unwrap_or_else(|| self.msgs.first().is_some_and(|m| m.seq > 1))
    }

    /// Roughly how many lines the loaded messages take (a header and their text lines each).
    fn line_estimate(&self) -> u16 {
        let lines: usize = self.msgs.iter().map(|m| 1 + m.text.lines().count().max(1)).sum();
        u16::try_from(lines).unwrap_or(u16::MAX)
    }
}

impl Thread {
    /// Adds a stored message unless it is already here; keeps seq order. The cursor moves
    /// only over messages held without a hole before them (as `dialect` numbers them).
    fn merge(&mut self, msg: Msg, dialect: Dialect) -> bool {
        if msg.seq > 0 && self.msgs.iter().any(|m| m.seq == msg.seq) {
            return false;
        }
        // Ours, still waiting for its answer (say, unknown after a reconnect): it was stored.
        if msg.seq > 0
            && let Some(waiting) =
                self.msgs.iter().position(|m| m.seq == 0 && m.from == msg.from && m.unique == msg.unique)
        {
            self.msgs.remove(waiting);
        }
        let seq = msg.seq;
        let at = self.msgs.iter().position(|m| m.seq == 0 || m.seq > seq).unwrap_or(self.msgs.len());
        self.msgs.insert(at, msg);
        // An older page's messages are below the cursor already: nothing changes.
        self.cursor.observe(seq, dialect);
        true
    }

    /// Whether a message past the cursor is held while one before it is missing: a push was
    /// lost, and a sync fetches it. Never true on llfc's servers (their cursor is the highest).
    pub fn has_gap(&self) -> bool {
        self.cursor.has_gap()
    }

    /// Moves the cursor up to just before `first` if it is behind it (see the sync reply).
    fn skip_unreadable(&mut self, first: i64) {
        self.cursor.skip_to(first - 1);
    }

    /// The newest seq held or known.
    fn newest(&self) -> i64 {
        self.msgs.iter().map(|m| m.seq).max().unwrap_or(0).max(self.cursor.newest())
    }

    /// The newest stored message.
    pub fn last(&self) -> Option<&Msg> {
        self.msgs.iter().rev().find(|m| m.seq > 0).or_else(|| self.msgs.last())
    }

    /// When the thread was last active (`chat_time`, which sorts as text; "" when unknown).
    fn last_time(&self) -> &str {
        self.msgs.iter().map(|m| m.time.as_str()).max().unwrap_or("")
    }

    pub fn is_group(&self) -> bool {
        self.group.is_some()
    }

    /// Whether new messages here ring: not in a group this user muted (a mention still does).
    fn rings(&self, mentioned: bool) -> bool {
        self.group.as_ref().is_none_or(|g| !g.muted || mentioned)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Friend {
    pub uid: i32,
    pub name: String,
    pub remark: String,
}

impl Friend {
    pub fn label(&self) -> &str {
        if self.remark.is_empty() { &self.name } else { &self.remark }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub uid: i32,
    pub name: String,
    pub greeting: String,
    pub accepted: bool,
}

/// The find-people dialog.
#[derive(Debug, Clone, Default)]
pub struct Find {
    pub form: Form,
    pub found: Option<(i32, String, String)>,
}

/// The signed-in state.
#[derive(Debug, Clone)]
pub struct Main {
    pub uid: i32,
    pub name: String,
    pub server: String,
    pub friends: Vec<Friend>,
    pub requests: Vec<Request>,
    pub threads: BTreeMap<i64, Thread>,
    pub pane: Pane,
    pub selected: usize,
    pub focus: Focus,
    /// The open chat's thread.
    pub open: Option<i64>,
    pub input: Input,
    /// Lines scrolled up from the bottom of the open chat.
    pub scroll: u16,
    pub find: Option<Find>,
    pub new_group: Option<NewGroup>,
    /// The attach prompt (a path to send).
    pub attach: Option<Attach>,
    /// The open chat's pictures and files, to save or open.
    pub files: Option<FilesDialog>,
    /// The open group's member list is shown beside it.
    pub members_pane: bool,
    /// Names of people who are not friends (group members), learned from member lists and
    /// system messages.
    pub names: HashMap<i32, String>,
    /// How the server numbers messages (imchat: 1, 2, 3… per thread; llfc: message ids).
    pub dialect: Dialect,
    /// A sync is on its way: a gap found meanwhile waits for its answer.
    syncing: bool,
    /// The last text sent, for Up in an empty composer.
    pub last_sent: Option<String>,
    /// The most bytes of one text the server takes, if known (shown near the composer).
    pub max_text: Option<usize>,
    /// Each chat's unsent draft while another chat is open.
    pub drafts: HashMap<i64, String>,
}

/// What the left pane lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Thread(i64),
    Request(i32),
    Friend(i32),
}

impl Main {
    pub fn friend(&self, uid: i32) -> Option<&Friend> {
        self.friends.iter().find(|f| f.uid == uid)
    }

    /// A person's display name: remark, name, or uid.
    pub fn label(&self, uid: i32) -> String {
        if uid == self.uid {
            return self.name.clone();
        }
        if let Some(friend) = self.friend(uid) {
            return friend.label().to_owned();
        }
        self.names.get(&uid).cloned().unwrap_or_else(|| format!("uid {uid}"))
    }

    /// A chat's name: the group's, or the other person's.
    pub fn thread_label(&self, thread: &Thread) -> String {
        match &thread.group {
            Some(group) if !group.name.is_empty() => group.name.clone(),
            Some(_) => format!("group {}", thread.id),
            None => self.label(thread.peer),
        }
    }

    /// One line of a thread's last message for the chat list: "who: text" (or what a system
    /// message says).
    pub fn preview(&self, thread: &Thread) -> String {
        let Some(msg) = thread.last() else { return String::new() };
        let described;
        let text = match &msg.file {
            Some(file) => {
                described = format!("{} {}", if file.picture { "[picture]" } else { "[file]" }, file.title());
                described.as_str()
            }
            None => msg.text.lines().next().unwrap_or(""),
        };
        if msg.system {
            return text.to_owned();
        }
        let who = if msg.from == self.uid { "you".to_owned() } else { self.label(msg.from) };
        if thread.is_group() || msg.from == self.uid { format!("{who}: {text}") } else { text.to_owned() }
    }

    /// Threads by latest activity, newest first (a message waiting to be sent counts as now).
    pub fn chats(&self) -> Vec<&Thread> {
        let mut threads: Vec<&Thread> = self.threads.values().collect();
        threads.sort_by(|a, b| {
            let key = |t: &Thread| (t.msgs.iter().any(|m| m.seq == 0), t.last_time().to_owned(), t.newest(), t.id);
            key(b).cmp(&key(a))
        });
        threads
    }

    pub fn pending_requests(&self) -> usize {
        self.requests.iter().filter(|r| !r.accepted).count()
    }

    /// Unread messages, but those of muted groups (unless they mention this user).
    pub fn unread(&self) -> i64 {
        self.threads.values().filter(|t| t.rings(t.group.as_ref().is_some_and(|g| g.mentioned))).map(|t| t.unread).sum()
    }

    /// The items of the current pane, in display order.
    pub fn items(&self) -> Vec<Item> {
        match self.pane {
            Pane::Chats => self.chats().into_iter().map(|t| Item::Thread(t.id)).collect(),
            Pane::Contacts => self
                .requests
                .iter()
                .filter(|r| !r.accepted)
                .map(|r| Item::Request(r.uid))
                .chain(self.friends.iter().map(|f| Item::Friend(f.uid)))
                .collect(),
        }
    }

    /// Completes the `@` word before the composer's caret to a member of the open group (the
    /// first by name that the typed part begins, ignoring case); false when there is none.
    fn complete_mention(&mut self) -> bool {
        let token = self.input.token_before_caret();
        let Some(typed) = token.strip_prefix('@') else { return false };
        let Some(group) = self.open.and_then(|id| self.threads.get(&id)).and_then(|t| t.group.as_ref()) else {
            return false;
        };
        let typed = typed.to_lowercase();
        let mut names: Vec<&str> = group
            .member_list
            .iter()
            .filter(|(uid, _, _)| *uid != self.uid)
            .map(|(_, name, _)| name.as_str())
            .filter(|name| name.to_lowercase().starts_with(&typed))
            .collect();
        names.sort_unstable();
        let Some(name) = names.first().map(|n| format!("@{n} ")) else { return false };
        self.input.replace_token_before_caret(&name);
        true
    }

    /// The selection follows its chat, not its row, when the list reorders (a message moves
    /// a chat to the top): unless the event itself moved the selection or changed the pane,
    /// `item`, selected at `selected` before, stays selected wherever it went.
    fn keep_selection(&mut self, pane: Pane, selected: usize, item: &Item) {
        if self.pane != pane || self.selected != selected {
            return;
        }
        let items = self.items();
        if items.get(selected) != Some(item)
            && let Some(moved) = items.iter().position(|i| i == item)
        {
            self.selected = moved;
        }
    }

    /// Messages written here and not stored by the server yet (sending, unknown or failed).
    pub fn unsent(&self) -> usize {
        self.threads.values().flat_map(|t| &t.msgs).filter(|m| m.seq == 0 && m.from == self.uid && !m.system).count()
    }

    /// A private chat's thread with `peer`, or its draft.
    fn thread_with(&self, peer: i32) -> Option<i64> {
        self.threads.values().find(|t| !t.is_group() && t.peer == peer).map(|t| t.id)
    }

    /// The group thread `id`, known as one from now on.
    fn group_thread(&mut self, id: i64) -> &mut Thread {
        let thread = self.threads.entry(id).or_insert_with(|| Thread { id, ..Thread::default() });
        thread.group.get_or_insert_with(GroupView::default);
        thread
    }

    /// Friends by their label, for `/invite` and the new-group dialog.
    fn friend_named(&self, name: &str) -> Option<i32> {
        let name = name.trim().trim_start_matches('@');
        self.friends.iter().find(|f| f.label() == name || f.name == name).map(|f| f.uid)
    }

    fn cursors(&self) -> Vec<SyncCursor> {
        // A draft (a chat with no thread on the server yet) has nothing to sync.
        self.threads
            .values()
            .filter(|t| t.id > 0)
            .map(|t| SyncCursor { thread_id: t.id, seq: t.cursor.through() })
            .collect()
    }

    /// A sync of every thread from the current cursors, unless one is on its way.
    fn sync(&mut self) -> Vec<Effect> {
        self.sync_from(0)
    }

    /// A sync of the threads after `after_thread` (paged: the reply says where to go on).
    fn sync_from(&mut self, after_thread: i64) -> Vec<Effect> {
        if std::mem::replace(&mut self.syncing, true) {
            return Vec::new();
        }
        vec![Effect::Sync(self.cursors(), after_thread)]
    }

    /// A sync when `thread` holds a gap (a lost push), from that thread on.
    fn sync_if_gap(&mut self, thread: i64) -> Vec<Effect> {
        if self.threads.get(&thread).is_some_and(Thread::has_gap) { self.sync_from(thread - 1) } else { Vec::new() }
    }

    /// Opens a chat: its unread count clears, its "new messages" divider stays until the chat
    /// is left (the previous chat's divider goes now).
    fn open_thread(&mut self, thread_id: i64) {
        if let Some(previous) = self.open.and_then(|id| self.threads.get_mut(&id)) {
            previous.divider = None;
        }
        // The composer's draft stays with its chat; the chat opened gets its own back.
        if self.open != Some(thread_id) {
            let draft = self.input.take();
            if let Some(previous) = self.open.filter(|_| !draft.is_empty()) {
                self.drafts.insert(previous, draft);
            }
            if let Some(kept) = self.drafts.remove(&thread_id) {
                self.input.set(&kept);
            }
        }
        if let Some(thread) = self.threads.get_mut(&thread_id) {
            thread.unread = 0;
            thread.below = 0;
            if let Some(group) = &mut thread.group {
                group.mentioned = false;
            }
        }
        self.open = Some(thread_id);
        self.focus = Focus::Input;
        self.scroll = 0;
    }

    /// The message `unique` while it waits for the server's answer (a sync may have brought
    /// it stored meanwhile: then the answer changes nothing).
    fn find_unique(&mut self, unique: &str) -> Option<(&mut Thread, usize)> {
        self.threads.values_mut().find_map(|t| {
            let idx = t.msgs.iter().position(|m| m.seq == 0 && m.unique == unique)?;
            Some((t, idx))
        })
    }
}

/// The whole client.
#[derive(Debug, Clone)]
pub struct App {
    pub keymap: Keymap,
    pub screen: Screen,
    pub login: Form,
    pub register: Form,
    pub reset: Form,
    /// When "send code" is available again.
    pub code_ready_at: Option<Instant>,
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
}

/// The id a private chat with `peer` goes by before its thread exists on the server: negative,
/// so it never meets a server's id.
fn draft_id(peer: i32) -> i64 {
    -i64::from(peer)
}

fn peer_of(me: i32, from: i32, to: i32) -> i32 {
    if from == me { to } else { from }
}

impl App {
    pub fn new(keymap: Keymap, now: Instant) -> App {
        App {
            keymap,
            screen: Screen::Login,
            login: Form::new(&[("Email", false), ("Password", true)]),
            register: Form::new(&[
                ("Name", false),
                ("Email", false),
                ("Password", true),
                ("Confirm", true),
                ("Code", false),
            ]),
            reset: Form::new(&[("Name", false), ("Email", false), ("New password", true), ("Code", false)]),
            code_ready_at: None,
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
            list_area: std::cell::Cell::new(ratatui::layout::Rect::default()),
            composer_area: std::cell::Cell::new(ratatui::layout::Rect::default()),
            list_rows: std::cell::RefCell::new(Vec::new()),
            focused: true,
            help_scroll: 0,
            notified: HashMap::new(),
            nonce: 0,
            sent: 0,
            clock: crate::clock::Clock::default(),
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
        self.code_ready_at.map_or(0, |at| at.saturating_duration_since(self.now).as_secs_f64().ceil() as u64)
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
            let body = if *held > 0 { format!("{body} (+{held} more)") } else { body };
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
            let body = if held == 1 { "1 more message".to_owned() } else { format!("{held} more messages") };
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
                self.with_input(|input| {
                    input.insert(&text);
                });
                Vec::new()
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
                self.error(format!("the editor did not run: {why}"));
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
    fn with_input(&mut self, edit: impl FnOnce(&mut Input)) {
        let input = match self.screen {
            Screen::Login => self.login.focused(),
            Screen::Register => self.register.focused(),
            Screen::Reset => self.reset.focused(),
            Screen::Main => match &mut self.main {
                Some(Main { find: Some(find), .. }) => find.form.focused(),
                Some(Main { attach: Some(attach), .. }) => Some(&mut attach.input),
                Some(Main { files: Some(_), .. }) => None,
                Some(Main { new_group: Some(dialog), .. }) => {
                    (!dialog.on_list && dialog.invite_to.is_none()).then_some(&mut dialog.name)
                }
                Some(main) if main.focus == Focus::Input && main.open.is_some() => Some(&mut main.input),
                _ => None,
            },
        };
        if let Some(input) = input {
            edit(input);
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let actions = self.keymap.actions(&key);
        if actions.contains(&Action::Quit) {
            // Unsent messages would be lost: the first quit asks, a second one within the
            // notice's life goes.
            let unsent = self.main.as_ref().map_or(0, Main::unsent);
            let asked = self.notice.as_ref().is_some_and(|n| n.text.starts_with(QUIT_ASKS));
            if unsent > 0 && !asked {
                self.error(format!("{QUIT_ASKS} {unsent} not sent yet would be lost; quit again to leave anyway"));
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
        // Unbound keys type text.
        if let KeyCode::Char(c) = key.code
            && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            self.with_input(|input| {
                input.insert(&c.to_string());
            });
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
            && let Some(effects) = self.decline_selected()
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

    /// Delete on a pending friend request in the list declines it (imchat servers only).
    fn decline_selected(&mut self) -> Option<Vec<Effect>> {
        let main = self.main.as_ref().filter(|m| self.screen == Screen::Main && m.focus == Focus::List)?;
        let Some(Item::Request(uid)) = main.items().get(main.selected).cloned() else { return None };
        if main.requests.iter().any(|r| r.uid == uid && r.accepted) {
            return None;
        }
        if main.dialect == Dialect::Llfc {
            self.error("declining needs an imchat server: llfc has no way to say no");
            return Some(Vec::new());
        }
        Some(vec![Effect::Decline(uid)])
    }

    fn login_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::NextField | Action::Down => self.login.next(),
            Action::PrevField | Action::Up => self.login.prev(),
            Action::Register => {
                self.screen = Screen::Register;
                self.notice = None;
            }
            Action::Forgot => {
                self.screen = Screen::Reset;
                self.notice = None;
            }
            Action::Submit if !self.busy => {
                let (email, password) = (self.login.value(0).trim().to_owned(), self.login.value(1).to_owned());
                if email.is_empty() || password.is_empty() {
                    self.error("enter your email and password");
                    return Some(Vec::new());
                }
                self.busy = true;
                self.conn = Conn::Connecting;
                self.info("logging in…");
                return Some(vec![Effect::Login { email, password }]);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    fn send_code(&mut self, email: &str) -> Vec<Effect> {
        if let Err(rule) = rules::check_email(email) {
            self.error(rule);
            return Vec::new();
        }
        if self.code_countdown() > 0 {
            self.error(format!("you can ask for another code in {}s", self.code_countdown()));
            return Vec::new();
        }
        self.code_ready_at = Some(self.now + CODE_COOLDOWN);
        self.info(format!("sending a code to {email}…"));
        vec![Effect::RequestCode(email.to_owned())]
    }

    /// Moving between fields, going back and "send code" work alike on the register and reset
    /// forms (the email is field 1 on both).
    fn code_form_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let form = if self.screen == Screen::Register { &mut self.register } else { &mut self.reset };
        match action {
            Action::NextField | Action::Down => form.next(),
            Action::PrevField | Action::Up => form.prev(),
            Action::Back => {
                self.screen = Screen::Login;
                self.notice = None;
            }
            Action::SendCode => {
                let email = form.value(1).trim().to_owned();
                return Some(self.send_code(&email));
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    fn register_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if let Some(effects) = self.code_form_action(action) {
            return Some(effects);
        }
        match action {
            Action::Submit if !self.busy => {
                let form = &self.register;
                let (name, email, password, confirm, code) = (
                    form.value(0).to_owned(),
                    form.value(1).trim().to_owned(),
                    form.value(2),
                    form.value(3),
                    form.value(4),
                );
                let problem = rules::check_name(&name)
                    .err()
                    .or_else(|| rules::check_email(&email).err())
                    .or_else(|| rules::check_password(password).err())
                    .or_else(|| (password != confirm).then_some("the passwords differ"))
                    .or_else(|| code.trim().is_empty().then_some("enter the code from the mail (Ctrl-S sends one)"));
                if let Some(problem) = problem {
                    self.error(problem);
                    return Some(Vec::new());
                }
                let effect =
                    Effect::Register { email, name, password: password.to_owned(), code: code.trim().to_owned() };
                self.busy = true;
                self.info("registering…");
                Some(vec![effect])
            }
            _ => None,
        }
    }

    fn reset_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if let Some(effects) = self.code_form_action(action) {
            return Some(effects);
        }
        match action {
            Action::Submit if !self.busy => {
                let form = &self.reset;
                let (name, email, password, code) = (
                    form.value(0).to_owned(),
                    form.value(1).trim().to_owned(),
                    form.value(2).to_owned(),
                    form.value(3).trim().to_owned(),
                );
                if let Some(problem) = rules::check_password(&password)
                    .err()
                    .or_else(|| code.is_empty().then_some("enter the code from the mail"))
                {
                    self.error(problem);
                    return Some(Vec::new());
                }
                self.busy = true;
                self.info("resetting the password…");
                Some(vec![Effect::ResetPassword { email, name, password, code }])
            }
            _ => None,
        }
    }

    fn main_action(&mut self, action: Action, edit: impl FnOnce(&mut Input)) -> Option<Vec<Effect>> {
        match self.main.as_ref() {
            Some(Main { attach: Some(_), .. }) => return self.attach_action(action),
            Some(Main { files: Some(_), .. }) => return self.files_action(action),
            Some(Main { find: None, new_group: None, open: Some(_), .. })
                if matches!(action, Action::Attach | Action::Files) =>
            {
                return self.open_file_dialog(action);
            }
            _ => {}
        }
        let conn = self.conn;
        let width = self.composer_width.get();
        let main = self.main.as_mut()?;
        if let Some(dialog) = &mut main.new_group {
            match action {
                Action::Back => main.new_group = None,
                Action::NextField | Action::PrevField if dialog.invite_to.is_none() => dialog.on_list = !dialog.on_list,
                Action::Up if dialog.on_list => dialog.cursor = dialog.cursor.saturating_sub(1),
                Action::Down if dialog.on_list => {
                    dialog.cursor = (dialog.cursor + 1).min(main.friends.len().saturating_sub(1));
                }
                Action::Down => dialog.on_list = true,
                Action::Submit if dialog.invite_to.is_some() => {
                    if dialog.picked.is_empty() {
                        self.error("tick the friends to invite (Space ticks)");
                        return Some(Vec::new());
                    }
                    let (thread, uids) = (dialog.invite_to.unwrap_or(0), dialog.picked.iter().copied().collect());
                    main.new_group = None;
                    return Some(vec![Effect::Invite { thread, uids }]);
                }
                Action::Submit => {
                    let name = dialog.name.text().trim().to_owned();
                    if let Err(rule) = rules::check_group_name(&name) {
                        self.error(rule);
                        return Some(Vec::new());
                    }
                    if dialog.picked.is_empty() {
                        self.error("tick at least one friend (Tab to the list, Space ticks)");
                        return Some(Vec::new());
                    }
                    let members = dialog.picked.iter().copied().collect();
                    main.new_group = None;
                    self.info(format!("creating the group {name}…"));
                    return Some(vec![Effect::CreateGroup { name, members }]);
                }
                _ => return None,
            }
            return Some(Vec::new());
        }
        if let Some(find) = &mut main.find {
            match action {
                Action::Back => main.find = None,
                Action::NextField | Action::Down => find.form.next(),
                Action::PrevField | Action::Up => find.form.prev(),
                Action::Submit if find.form.focus == 0 => {
                    let query = find.form.value(0).trim().to_owned();
                    if query.is_empty() {
                        return Some(Vec::new());
                    }
                    find.found = None;
                    return Some(vec![Effect::Search(query)]);
                }
                Action::Submit => {
                    let Some((uid, _, _)) = find.found.clone() else {
                        self.error("find someone first (type a uid or name, then Enter)");
                        return Some(Vec::new());
                    };
                    let (greeting, remark) = (find.form.value(1).to_owned(), find.form.value(2).to_owned());
                    return Some(vec![Effect::Apply { to: uid, greeting, remark }]);
                }
                _ => return None,
            }
            return Some(Vec::new());
        }
        match action {
            Action::Chats => {
                main.pane = Pane::Chats;
                main.selected = 0;
                main.focus = Focus::List;
            }
            Action::Editor if main.open.is_some() => {
                main.focus = Focus::Input;
                return Some(vec![Effect::EditDraft(main.input.text().to_owned())]);
            }
            Action::NextUnread => {
                // The next chat below the open one (or from the top) with unread messages.
                let chats: Vec<(i64, bool)> = main.chats().iter().map(|t| (t.id, t.unread > 0)).collect();
                let after =
                    main.open.and_then(|open| chats.iter().position(|(id, _)| *id == open)).map_or(0, |i| i + 1);
                let next = chats[after..].iter().chain(&chats[..after]).find(|(_, unread)| *unread).map(|(id, _)| *id);
                match next {
                    Some(id) => {
                        main.pane = Pane::Chats;
                        main.selected = chats.iter().position(|(c, _)| *c == id).unwrap_or(0);
                        main.open_thread(id);
                    }
                    None => self.info("no unread messages"),
                }
            }
            Action::Contacts => {
                main.pane = Pane::Contacts;
                main.selected = 0;
                main.focus = Focus::List;
            }
            Action::Find => {
                main.find = Some(Find {
                    form: Form::new(&[("Uid or name", false), ("Greeting", false), ("Remark", false)]),
                    found: None,
                });
            }
            Action::NewGroup => {
                if main.dialect == Dialect::Llfc {
                    self.error("groups need an imchat server: this one speaks llfc's protocol only");
                    return Some(Vec::new());
                }
                if main.friends.is_empty() {
                    self.error("a group starts with friends: find some first (F4)");
                    return Some(Vec::new());
                }
                main.new_group = Some(NewGroup::default());
            }
            Action::Members => {
                main.members_pane = !main.members_pane;
                if main.members_pane
                    && let Some(id) = main.open.filter(|id| main.threads.get(id).is_some_and(Thread::is_group))
                {
                    return Some(vec![Effect::GroupMembers(id)]);
                }
            }
            // In a group's composer, Tab completes an `@name` from the members.
            Action::NextField if main.focus == Focus::Input && main.complete_mention() => {}
            Action::NextField | Action::PrevField => {
                main.focus = match main.focus {
                    Focus::List if main.open.is_some() => Focus::Input,
                    _ => Focus::List,
                };
            }
            Action::Up if main.focus == Focus::List => main.selected = main.selected.saturating_sub(1),
            // In the composer: Up in an empty one recalls the last text sent; else the caret
            // moves a row (the composer wraps at its width).
            Action::Up if main.focus == Focus::Input && main.input.is_empty() => {
                if let Some(last) = main.last_sent.clone() {
                    main.input.set(&last);
                }
            }
            Action::Up | Action::Down if main.focus == Focus::Input => {
                main.input.vertical(width, if action == Action::Up { -1 } else { 1 });
            }
            Action::Down if main.focus == Focus::List => {
                main.selected = (main.selected + 1).min(main.items().len().saturating_sub(1));
            }
            Action::ScrollUp => return Some(self.scroll(self.page())),
            Action::ScrollDown => return Some(self.scroll(-self.page())),
            Action::ScrollTop => return Some(self.scroll(i16::MAX)),
            Action::ScrollBottom => return Some(self.scroll(i16::MIN)),
            Action::Newline if main.focus == Focus::Input => edit(&mut main.input),
            Action::Submit if main.focus == Focus::List => {
                let item = main.items().get(main.selected).cloned();
                match item {
                    Some(Item::Thread(id)) => {
                        main.open_thread(id);
                        if main.threads.get(&id).is_some_and(Thread::is_group) {
                            return Some(vec![Effect::GroupInfo(id), Effect::GroupMembers(id)]);
                        }
                    }
                    Some(Item::Friend(uid)) => match main.thread_with(uid) {
                        Some(id) => main.open_thread(id),
                        None => return Some(vec![Effect::OpenChat(uid)]),
                    },
                    Some(Item::Request(uid)) => {
                        return Some(vec![Effect::Accept { applicant: uid, remark: String::new() }]);
                    }
                    None => {}
                }
            }
            Action::Submit if main.focus == Focus::Input => {
                let Some(thread_id) = main.open else { return Some(Vec::new()) };
                if main.input.text().trim().is_empty() {
                    return Some(Vec::new());
                }
                let group = main.threads.get(&thread_id).is_some_and(Thread::is_group);
                if group && main.input.text().starts_with('/') && !main.input.text().starts_with("//") {
                    let command = main.input.take();
                    return Some(self.group_command(thread_id, &command));
                }
                // Refused here, with the limit named, rather than by the server after a try.
                if let Some(limit) = main.max_text.filter(|limit| main.input.text().len() > *limit) {
                    let len = main.input.text().len();
                    self.error(format!("too long to send: {len} bytes, the server takes {limit}"));
                    return Some(Vec::new());
                }
                let text = main.input.take();
                main.last_sent = Some(text.clone());
                // `//text` sends `/text`.
                let text = if group && text.starts_with("//") { text[1..].to_owned() } else { text };
                // Counted per process, not per login: ids never repeat after a re-login.
                self.sent += 1;
                let unique = format!("{{tui-{}-{:x}-{}}}", main.uid, self.nonce, self.sent);
                let me = main.uid;
                let thread = main.threads.get_mut(&thread_id)?;
                thread.msgs.push(Msg {
                    seq: 0,
                    from: me,
                    text: text.clone(),
                    time: String::new(),
                    state: MsgState::Sending,
                    unique: unique.clone(),
                    lost: 0,
                    failure: None,
                    system: false,
                    file: None,
                });
                let mentions = main_mentions(me, thread, &text);
                let send = send_effect(thread, unique, text, mentions);
                main.scroll = 0;
                // Typed while offline: it waits in the outbox (state Sending) for the reconnect.
                if conn == Conn::Online {
                    return Some(vec![send]);
                }
            }
            Action::Retry => {
                let mut effects = Vec::new();
                let me = main.uid;
                for thread in main.threads.values_mut() {
                    let mut again = Vec::new();
                    for msg in thread.msgs.iter_mut().filter(|m| m.state == MsgState::Failed && m.file.is_none()) {
                        msg.state = MsgState::Sending;
                        msg.lost = 0;
                        msg.failure = None;
                        again.push((msg.unique.clone(), msg.text.clone()));
                    }
                    for (unique, text) in again {
                        let mentions = main_mentions(me, thread, &text);
                        effects.push(send_effect(thread, unique, text, mentions));
                    }
                }
                if let Conn::Reconnecting { attempt, .. } = conn {
                    self.conn = Conn::Reconnecting { at: self.now, attempt };
                    return Some(self.tick());
                }
                if conn != Conn::Online {
                    return Some(Vec::new());
                }
                effects.extend(self.retry_files());
                return Some(effects);
            }
            Action::Back => {
                main.members_pane = false;
                if let Some(thread) = main.open.take().and_then(|id| main.threads.get_mut(&id)) {
                    thread.divider = None;
                }
                main.focus = Focus::List;
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// A `/command` typed in a group chat.
    fn group_command(&mut self, thread: i64, line: &str) -> Vec<Effect> {
        let Some(main) = &self.main else { return Vec::new() };
        let (command, rest) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
        let rest = rest.trim();
        let effect = match command {
            "/invite" if rest.is_empty() => {
                if let Some(main) = &mut self.main {
                    main.new_group = Some(NewGroup { on_list: true, invite_to: Some(thread), ..NewGroup::default() });
                }
                return vec![Effect::GroupMembers(thread)];
            }
            "/invite" => {
                let names: Vec<&str> = rest.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
                let uids: Vec<i32> = names.iter().filter_map(|n| main.friend_named(n)).collect();
                if names.is_empty() || uids.len() != names.len() {
                    self.error("/invite takes your friends' names, separated by commas");
                    return Vec::new();
                }
                Effect::Invite { thread, uids }
            }
            "/leave" => Effect::LeaveGroup(thread),
            "/rename" => match rules::check_group_name(rest) {
                Ok(()) => Effect::UpdateGroup { thread, name: Some(rest.to_owned()), announcement: None },
                Err(rule) => {
                    self.error(format!("/rename: {rule}"));
                    return Vec::new();
                }
            },
            "/announce" => Effect::UpdateGroup { thread, name: None, announcement: Some(rest.to_owned()) },
            "/mute" => Effect::MuteGroup { thread, muted: true },
            "/unmute" => Effect::MuteGroup { thread, muted: false },
            "/members" => {
                if let Some(main) = &mut self.main {
                    main.members_pane = true;
                }
                Effect::GroupMembers(thread)
            }
            _ => {
                self.error(format!(
                    "unknown command {command}: /invite name,… /leave /rename name /announce text /mute /unmute \
                     /members (//text sends /text)"
                ));
                return Vec::new();
            }
        };
        vec![effect]
    }

    /// Takes in a group's state from a reply.
    fn group_info(&mut self, info: GroupInfo) {
        let Some(main) = &mut self.main else { return };
        let thread = main.group_thread(info.thread_id);
        let group = thread.group.get_or_insert_with(GroupView::default);
        group.name = info.name;
        group.announcement = info.announcement;
        group.left = info.role.is_empty();
        group.muted = info.muted;
        group.members = info.members;
        group.disbanded = info.disbanded;
    }

    /// A group push: its messages merged, counted and announced.
    fn group_push(&mut self, push: NotifyGroupMsg) -> Vec<Effect> {
        // A chat on screen while the terminal has no focus is not being read.
        let focused = self.focused;
        let Some(main) = &mut self.main else { return Vec::new() };
        let (me, dialect) = (main.uid, main.dialect);
        let open = main.open == Some(push.thread_id) && main.focus == Focus::Input && focused;
        let main_scrolled = main.scroll > 0;
        let known =
            main.threads.get(&push.thread_id).is_some_and(|t| t.group.as_ref().is_some_and(|g| !g.name.is_empty()));
        let mut effects = Vec::new();
        let mut changed = false;
        let mut ring: Option<(String, bool)> = None;
        for data in push.chat_datas {
            let (seq, from) = (data.seq, data.sender);
            let mentioned = data.mentions.contains(&me);
            if data.msg_type == MSG_TYPE_SYSTEM
                && let Ok(event) = serde_json::from_str::<GroupEvent>(&data.content)
            {
                // Names of members who are not friends, as the event gives them.
                if event.by != 0 {
                    main.names.entry(event.by).or_insert_with(|| event.by_name.clone());
                }
                for (uid, name) in event.uids.iter().zip(&event.names) {
                    main.names.entry(*uid).or_insert_with(|| name.clone());
                }
                // This user left or was removed: nothing more to ask about it.
                let gone = matches!(event.event.as_str(), "leave" | "remove") && event.uids.contains(&me);
                if let Some(group) = &mut main.group_thread(push.thread_id).group {
                    group.left |= gone;
                    group.left &= !(event.event == "invite" && event.uids.contains(&me));
                    group.disbanded |= event.event == "disband";
                }
                changed = true;
            }
            let msg = sync_msg(data);
            let preview = if msg.system { msg.text.clone() } else { format!("{}: {}", main.label(from), msg.text) };
            let thread = main.group_thread(push.thread_id);
            if thread.msgs.is_empty() && thread.cursor == ThreadCursor::default() {
                // A group joined now starts here: nothing before is this user's.
                thread.cursor = ThreadCursor::at(seq - 1);
            }
            let merged = thread.merge(msg, dialect);
            if merged && from != me && open && main_scrolled {
                thread.below += 1;
            }
            if merged && from != me && !open {
                thread.unread += 1;
                thread.divider.get_or_insert(seq);
                if mentioned && let Some(group) = &mut thread.group {
                    group.mentioned = true;
                }
                if thread.rings(mentioned) {
                    ring = Some((preview, mentioned));
                }
            }
        }
        let left = main.threads.get(&push.thread_id).and_then(|t| t.group.as_ref()).is_some_and(|g| g.left);
        if (changed || !known) && !left {
            effects.push(Effect::GroupInfo(push.thread_id));
            // The open group's members name its mentions and fill its pane.
            if main.open == Some(push.thread_id) {
                effects.push(Effect::GroupMembers(push.thread_id));
            }
        }
        if let Some((preview, mentioned)) = ring {
            let title = main.threads.get(&push.thread_id).map(|t| main.thread_label(t)).unwrap_or_default();
            let title = if mentioned { format!("{title} (you were mentioned)") } else { title };
            effects.push(Effect::Notify { thread: push.thread_id, mention: mentioned, title, body: preview });
        }
        effects.extend(main.sync_if_gap(push.thread_id));
        effects
    }

    fn net(&mut self, event: NetEvent) -> Vec<Effect> {
        let brings_messages =
            matches!(event, NetEvent::Synced(_) | NetEvent::Text(_) | NetEvent::Group(_) | NetEvent::Older(..));
        let mut effects = match event {
            NetEvent::File(event) => self.file_event(event),
            event => self.message_event(event),
        };
        // Pictures and files among what arrived are described (and previewed) next.
        if brings_messages && let Some(main) = &mut self.main {
            effects.extend(main.file_effects());
        }
        effects
    }

    fn message_event(&mut self, event: NetEvent) -> Vec<Effect> {
        match event {
            NetEvent::Group(push) => return self.group_push(push),
            NetEvent::GroupInfo(Ok(info)) => {
                let left = info.role.is_empty();
                let name = info.name.clone();
                self.group_info(info);
                if left {
                    self.info(format!("you are no longer in {name}"));
                }
            }
            NetEvent::GroupInfo(Err(err)) => self.error(format!("group: {err}")),
            NetEvent::GroupCreated(Ok(info)) => {
                let (id, name) = (info.thread_id, info.name.clone());
                self.group_info(info);
                let Some(main) = &mut self.main else { return Vec::new() };
                main.pane = Pane::Chats;
                main.open_thread(id);
                self.info(format!("created the group {name}"));
                return vec![Effect::GroupMembers(id)];
            }
            NetEvent::GroupCreated(Err(err)) => self.error(format!("could not create the group: {err}")),
            NetEvent::GroupMembers(id, Ok(members)) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                for m in &members {
                    if m.uid != main.uid {
                        main.names.insert(m.uid, m.name.clone());
                    }
                }
                let thread = main.group_thread(id);
                if let Some(group) = &mut thread.group {
                    group.member_list = members.into_iter().map(|m| (m.uid, m.name, m.role)).collect();
                }
            }
            NetEvent::GroupMembers(_, Err(err)) => self.error(format!("could not list the members: {err}")),
            NetEvent::CodeSent(Ok(())) => self.info("code sent: check your mail"),
            NetEvent::CodeSent(Err(err)) => {
                self.code_ready_at = None;
                self.error(format!("could not send a code: {err}"));
            }
            NetEvent::Registered(result) => {
                self.busy = false;
                match result {
                    Ok(uid) => {
                        let email = self.register.value(1).trim().to_owned();
                        self.login.fields[0].1.set(&email);
                        self.login.focus = 1;
                        self.screen = Screen::Login;
                        self.register = App::new(self.keymap.clone(), self.now).register;
                        self.info(format!("registered as uid {uid}: log in"));
                    }
                    Err(err) => self.error(format!("registration failed: {err}")),
                }
            }
            NetEvent::PasswordReset(result) => {
                self.busy = false;
                match result {
                    Ok(()) => {
                        self.screen = Screen::Login;
                        self.info("password changed: log in with the new one");
                    }
                    Err(err) => self.error(format!("reset failed: {err}")),
                }
            }
            NetEvent::LoggedIn(Ok(welcome)) => return self.welcome(welcome),
            NetEvent::LoggedIn(Err(err)) => {
                self.busy = false;
                match (&self.main, self.conn) {
                    (Some(_), Conn::Connecting) => self.retry_later(&err),
                    _ => {
                        self.conn = Conn::Offline;
                        self.error(format!("login failed: {err}"));
                    }
                }
            }
            NetEvent::Synced(sync) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                main.syncing = false;
                let (dialect, brought) = (main.dialect, !sync.chat_datas.is_empty());
                let mut unknown_groups = Vec::new();
                for state in sync.threads.iter().filter(|s| s.kind == "group") {
                    let closed = main.open != Some(state.thread_id);
                    let thread = main.group_thread(state.thread_id);
                    if state.mentions > 0 && closed {
                        thread.group.get_or_insert_with(GroupView::default).mentioned = true;
                    }
                    if thread.group.as_ref().is_some_and(|g| g.name.is_empty()) {
                        unknown_groups.push(Effect::GroupInfo(state.thread_id));
                    }
                }
                // A reply's first message of a thread is the next one this user may read: what
                // lies between the cursor and it is not theirs (said before they joined a
                // group), so the cursor moves past it instead of waiting for it forever.
                let mut firsts: HashMap<i64, i64> = HashMap::new();
                for data in &sync.chat_datas {
                    firsts.entry(data.thread_id).or_insert(data.seq);
                }
                if dialect == Dialect::Imchat {
                    for (thread_id, first) in firsts {
                        if let Some(thread) = main.threads.get_mut(&thread_id) {
                            thread.skip_unreadable(first);
                        }
                    }
                }
                for data in sync.chat_datas {
                    let thread_id = data.thread_id;
                    // A group's messages have no receiver.
                    let peer = if data.receiver == 0 { 0 } else { peer_of(main.uid, data.sender, data.receiver) };
                    let thread = main.threads.entry(thread_id).or_insert_with(|| Thread {
                        id: thread_id,
                        peer,
                        ..Thread::default()
                    });
                    if thread.msgs.is_empty() && thread.cursor == ThreadCursor::default() {
                        // A thread new to this client may start mid-way (the recent tail).
                        thread.cursor = ThreadCursor::at(data.seq - 1);
                    }
                    let (seq, from_peer) = (data.seq, data.sender != main.uid);
                    if thread.merge(sync_msg(data), dialect) && from_peer && main.open != Some(thread_id) {
                        thread.divider.get_or_insert(seq);
                    }
                }
                for state in sync.threads {
                    let thread = main.threads.entry(state.thread_id).or_insert_with(|| Thread {
                        id: state.thread_id,
                        peer: state.peer_uid,
                        ..Thread::default()
                    });
                    if state.read_seq > 0 {
                        // The server counts from the user's read marker (any device's): its
                        // count is the count, right after a restart too.
                        thread.read_mark = thread.read_mark.max(state.read_seq);
                        if main.open != Some(state.thread_id) {
                            thread.unread = state.unread;
                            thread.divider = (state.unread > 0).then_some(state.read_seq + 1);
                        }
                    } else if main.open != Some(state.thread_id) && state.unread > 0 {
                        thread.unread += state.unread;
                    }
                }
                // More to come (these threads' messages, or the next page of threads), or a gap
                // a push opened while this sync was on its way.
                if sync.more {
                    unknown_groups.extend(main.sync_from(sync.next_thread.unwrap_or(0)));
                    return unknown_groups;
                }
                if brought && let Some(gap) = main.threads.values().find(|t| t.has_gap()) {
                    let after = gap.id - 1;
                    unknown_groups.extend(main.sync_from(after));
                }
                return unknown_groups;
            }
            NetEvent::Text(push) => {
                let focused = self.focused;
                let Some(main) = &mut self.main else { return Vec::new() };
                let dialect = main.dialect;
                let open = main.open == Some(push.thread_id) && main.focus == Focus::Input && focused;
                let scrolled = main.scroll > 0;
                let thread = main.threads.entry(push.thread_id).or_insert_with(|| Thread {
                    id: push.thread_id,
                    peer: push.fromuid,
                    ..Thread::default()
                });
                let mut ring = None;
                for data in push.chat_datas {
                    let seq = data.seq;
                    let body = data.content.clone();
                    let merged = thread.merge(text_msg(push.fromuid, data), dialect);
                    if merged && !open {
                        thread.unread += 1;
                        thread.divider.get_or_insert(seq);
                        ring = Some(body);
                    } else if merged && scrolled {
                        // Read back up in the open chat: "N new ↓" says what came below.
                        thread.below += 1;
                    }
                }
                let mut effects = main.sync_if_gap(push.thread_id);
                if let Some(body) = ring {
                    effects.push(Effect::Notify {
                        thread: push.thread_id,
                        mention: false,
                        title: main.label(push.fromuid),
                        body,
                    });
                }
                return effects;
            }
            NetEvent::FriendRequest(req) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                main.requests.retain(|r| r.uid != req.applyuid);
                main.requests.push(Request {
                    uid: req.applyuid,
                    name: req.name.clone(),
                    greeting: req.desc,
                    accepted: false,
                });
                self.info(format!("{} wants to be friends (F3: contacts)", req.name));
            }
            NetEvent::FriendAccepted(notice) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                add_friendship(main, notice.fromuid, &notice.name, &notice.chat_datas);
                self.info(format!("{} accepted your request", notice.name));
            }
            NetEvent::Accepted(Ok(rsp)) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                for request in main.requests.iter_mut().filter(|r| r.uid == rsp.uid) {
                    request.accepted = true;
                }
                add_friendship(main, rsp.uid, &rsp.name, &rsp.chat_datas);
                main.selected = 0;
                self.info(format!("you and {} are friends now", rsp.name));
            }
            NetEvent::Accepted(Err(err)) => self.error(format!("could not accept: {err}")),
            NetEvent::Declined(Ok(uid)) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                let name = main.requests.iter().find(|r| r.uid == uid).map(|r| r.name.clone());
                main.requests.retain(|r| r.uid != uid);
                main.selected = main.selected.min(main.items().len().saturating_sub(1));
                self.info(format!("declined the request from {}", name.unwrap_or_else(|| format!("uid {uid}"))));
            }
            NetEvent::Declined(Err(err)) => self.error(format!("could not decline: {err}")),
            NetEvent::Sent { unique, result } => {
                let Some(main) = &mut self.main else { return Vec::new() };
                let dialect = main.dialect;
                let Some((thread, idx)) = main.find_unique(&unique) else { return Vec::new() };
                match result {
                    Ok(stored) => {
                        let mut msg = thread.msgs.remove(idx);
                        if let Some(data) = stored.into_iter().next() {
                            msg.seq = data.seq;
                            msg.time = data.chat_time;
                        }
                        msg.state = MsgState::Sent;
                        thread.merge(msg, dialect);
                        let thread = thread.id;
                        return main.sync_if_gap(thread);
                    }
                    // Stays "sending": the next login sends it.
                    Err(SendFailure::Offline) => {}
                    Err(SendFailure::Lost(_)) => {
                        let msg = &mut thread.msgs[idx];
                        msg.lost = msg.lost.saturating_add(1);
                        msg.state = MsgState::Unknown;
                        if msg.lost > RESENDS_AFTER_LOSS {
                            msg.state = MsgState::Failed;
                            msg.failure = Some("the connection ended twice while the server had it".into());
                            self.error(
                                "a message was not sent: the connection ended twice while the server had it \
                                 (too long for this server?); F5 tries again",
                            );
                        }
                    }
                    Err(SendFailure::Refused(why)) => {
                        thread.msgs[idx].state = MsgState::Failed;
                        thread.msgs[idx].failure = Some(why.clone());
                        self.error(format!("a message was not sent: {why}; F5 retries"));
                    }
                }
            }
            NetEvent::Older(thread_id, result) => {
                let Some(main) = self.main.as_mut() else { return Vec::new() };
                let dialect = main.dialect;
                let Some(thread) = main.threads.get_mut(&thread_id) else {
                    return Vec::new();
                };
                thread.loading_older = false;
                match result {
                    Ok(page) => {
                        thread.older = Some(page.more);
                        for data in page.chat_datas {
                            // Older than the cursor: it stays where it is.
                            thread.merge(sync_msg(data), dialect);
                        }
                    }
                    Err(err) => self.error(format!("could not load older messages: {err}")),
                }
            }
            NetEvent::Found(Ok(found)) => {
                if let Some(Main { find: Some(find), .. }) = &mut self.main {
                    // Focus stays where the user left it: the next Tab goes to Greeting.
                    find.found = Some((found.uid, found.name, found.nick));
                }
            }
            NetEvent::Found(Err(err)) => self.error(format!("nobody found: {err}")),
            NetEvent::Applied(Ok(uid)) => {
                if let Some(main) = &mut self.main {
                    main.find = None;
                }
                self.info(format!("friend request sent to uid {uid}"));
            }
            NetEvent::Applied(Err(err)) => self.error(format!("request not sent: {err}")),
            NetEvent::ChatOpened(Ok((peer, thread_id))) => {
                let Some(main) = &mut self.main else { return Vec::new() };
                // No thread yet (llfc: one is made only with the first text, so none is ever
                // empty): a draft under the peer's negative uid until the server names one.
                let id = if thread_id > 0 { thread_id } else { draft_id(peer) };
                let draft = (thread_id > 0).then(|| main.threads.remove(&draft_id(peer))).flatten();
                let was_open = main.open == Some(draft_id(peer));
                let thread = main.threads.entry(id).or_insert_with(|| Thread { id, peer, ..Thread::default() });
                // Opened when asked for; a draft becoming a thread stays open only if it was.
                let asked = draft.is_none();
                if let Some(draft) = draft {
                    thread.msgs.extend(draft.msgs);
                }
                if asked || was_open {
                    main.open_thread(id);
                }
            }
            NetEvent::ChatOpened(Err(err)) => self.error(format!("could not open the chat: {err}")),
            NetEvent::Kicked(reason) => {
                self.main = None;
                self.screen = Screen::Login;
                self.conn = Conn::Offline;
                self.busy = false;
                self.error(format!("signed out: {reason}"));
                // The server keeps a kicked connection open for a while (llfc's clients need
                // that); this client closes it now.
                return vec![Effect::Logout];
            }
            NetEvent::Disconnected(why) => {
                if self.main.is_some() && !matches!(self.conn, Conn::Reconnecting { .. }) {
                    self.retry_later(&why);
                }
            }
            // `net` gives these to `file_event`.
            NetEvent::File(_) => {}
        }
        Vec::new()
    }

    /// Scrolls the open chat; reaching the top of what is loaded asks for the page before it.
    /// The mouse, where the renderer last put things: the wheel scrolls the pane under the
    /// pointer (the chat list moves its selection); a click on a chat opens it, on a contact
    /// or request selects it, on the composer focuses it.
    fn mouse(&mut self, column: u16, row: u16, wheel: i32) -> Vec<Effect> {
        let inside = |rect: ratatui::layout::Rect| rect.contains(ratatui::layout::Position { x: column, y: row });
        let (list, composer) = (self.list_area.get(), self.composer_area.get());
        let hit = self.list_rows.borrow().iter().find(|(top, bottom, _)| (*top..*bottom).contains(&row)).map(|r| r.2);
        if self.screen != Screen::Main {
            return Vec::new();
        }
        let Some(main) = self.main.as_mut() else { return Vec::new() };
        if inside(list) {
            main.focus = Focus::List;
            if wheel != 0 {
                let last = main.items().len().saturating_sub(1);
                main.selected = if wheel > 0 { main.selected.saturating_sub(1) } else { (main.selected + 1).min(last) };
                return Vec::new();
            }
            let Some(idx) = hit else { return Vec::new() };
            main.selected = idx;
            if let Some(Item::Thread(id)) = main.items().get(idx).cloned() {
                main.open_thread(id);
                if main.threads.get(&id).is_some_and(Thread::is_group) {
                    return vec![Effect::GroupInfo(id), Effect::GroupMembers(id)];
                }
            }
            return Vec::new();
        }
        if wheel != 0 {
            return self.scroll(i16::try_from(wheel).unwrap_or(0));
        }
        if inside(composer) && main.open.is_some() {
            main.focus = Focus::Input;
        }
        Vec::new()
    }

    /// A page of the open chat: its rows on screen, less two kept for context.
    fn page(&self) -> i16 {
        i16::try_from(self.history_rows.get().saturating_sub(2).max(1)).unwrap_or(SCROLL_STEP)
    }

    fn scroll(&mut self, lines: i16) -> Vec<Effect> {
        // Never past the first line drawn: scrolling back down answers at once.
        let top = self.history_lines.get().saturating_sub(self.history_rows.get());
        let Some(main) = &mut self.main else { return Vec::new() };
        main.scroll = main.scroll.saturating_add_signed(lines).min(top);
        let Some(thread) = main.open.and_then(|id| main.threads.get_mut(&id)) else { return Vec::new() };
        if main.scroll == 0 {
            thread.below = 0;
        }
        if lines > 0
            && main.scroll >= top.min(thread.line_estimate())
            && thread.has_older()
            && !thread.loading_older
            && let Some(first) = thread.msgs.iter().find(|m| m.seq > 0)
        {
            thread.loading_older = true;
            return vec![Effect::LoadOlder { thread: thread.id, before_seq: first.seq }];
        }
        Vec::new()
    }

    fn retry_later(&mut self, why: &str) {
        let attempt = self.reconnects;
        self.reconnects += 1;
        let delay = BACKOFF_FIRST.saturating_mul(1 << attempt.min(5)).min(BACKOFF_MAX);
        self.conn = Conn::Reconnecting { at: self.now + delay, attempt };
        self.error(format!("connection lost ({why})"));
    }

    fn welcome(&mut self, welcome: Welcome) -> Vec<Effect> {
        self.busy = false;
        self.reconnects = 0;
        self.conn = Conn::Online;
        self.screen = Screen::Main;
        let first = self.main.as_ref().is_none_or(|m| m.uid != welcome.uid);
        if first {
            self.main = Some(Main {
                uid: welcome.uid,
                name: welcome.name.clone(),
                server: welcome.server.clone(),
                friends: Vec::new(),
                requests: Vec::new(),
                threads: BTreeMap::new(),
                pane: Pane::Chats,
                selected: 0,
                focus: Focus::List,
                open: None,
                input: Input::default(),
                scroll: 0,
                find: None,
                new_group: None,
                attach: None,
                files: None,
                members_pane: false,
                names: HashMap::new(),
                dialect: welcome.dialect,
                syncing: false,
                last_sent: None,
                drafts: HashMap::new(),
                max_text: welcome.max_text,
            });
            self.info(format!("welcome, {}", welcome.name));
        } else {
            self.info("reconnected");
        }
        // The password is not kept in the form once it has served (the network task holds it).
        self.login.fields[1].1.take();
        let main = self.main.as_mut().expect("just set");
        main.server = welcome.server;
        main.dialect = welcome.dialect;
        main.max_text = welcome.max_text;
        main.syncing = false;
        main.friends = welcome.friends.into_iter().map(|(uid, name, remark)| Friend { uid, name, remark }).collect();
        main.requests = welcome
            .requests
            .into_iter()
            .map(|(uid, name, greeting, status)| Request { uid, name, greeting, accepted: status == 1 })
            .collect();
        let mut effects = main.sync();
        // The outbox: whatever waited for the connection goes now, and what the server may or
        // may not have stored goes again (failed ones wait for F5).
        // A picture or file whose message was on its way is sent again by F5, under a new id.
        for msg in main.threads.values_mut().flat_map(|t| t.msgs.iter_mut()) {
            if msg.file.is_some() && msg.seq == 0 && msg.state != MsgState::Failed {
                msg.state = MsgState::Failed;
            }
        }
        for thread in main.threads.values() {
            let outbox = thread.msgs.iter().filter(|m| m.file.is_none());
            for msg in outbox.filter(|m| matches!(m.state, MsgState::Sending | MsgState::Unknown)) {
                let mentions = main_mentions(main.uid, thread, &msg.text);
                effects.push(send_effect(thread, msg.unique.clone(), msg.text.clone(), mentions));
            }
        }
        effects
    }
}

fn sync_msg(data: SyncData) -> Msg {
    let system = data.msg_type == MSG_TYPE_SYSTEM;
    let file = files::attachment_of(&data);
    let text = if system { system_text(&data.content) } else { data.content };
    Msg {
        seq: data.seq,
        from: data.sender,
        text,
        time: data.chat_time,
        state: MsgState::Sent,
        unique: data.unique_id,
        lost: 0,
        failure: None,
        system,
        file,
    }
}

fn text_msg(from: i32, data: TextChatData) -> Msg {
    Msg {
        seq: data.seq,
        from,
        text: data.content,
        time: data.chat_time,
        state: MsgState::Sent,
        unique: data.unique_id,
        lost: 0,
        failure: None,
        system: false,
        file: None,
    }
}

/// What a system message says, in words (its content is a JSON event).
fn system_text(content: &str) -> String {
    serde_json::from_str::<GroupEvent>(content).map_or_else(|_| content.to_owned(), |event| event.describe())
}

/// The effect that sends `text` under `unique` to `thread`.
fn send_effect(thread: &Thread, unique: String, text: String, mentions: Vec<i32>) -> Effect {
    if thread.is_group() {
        Effect::SendGroup { unique, thread: thread.id, text, mentions }
    } else {
        Effect::Send { unique, to: thread.peer, thread: thread.id, text }
    }
}

/// The members `text` @mentions in `thread` (a group), by the names its member list has.
fn main_mentions(me: i32, thread: &Thread, text: &str) -> Vec<i32> {
    let Some(group) = &thread.group else { return Vec::new() };
    let mut found: Vec<i32> = group
        .member_list
        .iter()
        .filter(|(uid, name, _)| *uid != me && !name.is_empty() && text.contains(&format!("@{name}")))
        .map(|(uid, _, _)| *uid)
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// A notification's text: one line, no control characters (a peer's message must never
/// reach the terminal as an escape sequence), at most `max` characters.
pub fn notification_text(text: &str, max: usize) -> String {
    let clean: String =
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).filter(|c| *c != ';').take(max).collect();
    clean.trim().to_owned()
}

fn add_friendship(main: &mut Main, uid: i32, name: &str, opening: &[AuthChatData]) {
    let dialect = main.dialect;
    if main.friend(uid).is_none() {
        main.friends.push(Friend { uid, name: name.to_owned(), remark: String::new() });
    }
    for data in opening {
        let thread = main.threads.entry(data.thread_id).or_insert_with(|| Thread {
            id: data.thread_id,
            peer: uid,
            ..Thread::default()
        });
        thread.merge(
            Msg {
                seq: data.seq,
                from: data.sender,
                text: data.msg_content.clone(),
                time: data.chat_time.clone(),
                state: MsgState::Sent,
                unique: data.unique_id.clone(),
                lost: 0,
                failure: None,
                system: false,
                file: None,
            },
            dialect,
        );
    }
}

#[cfg(test)]
mod tests;
