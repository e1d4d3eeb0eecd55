//! The client's model: screens, forms, chats and their messages, friends, and what the
//! signed-in user sees ([`Main`]); the helpers that keep it consistent.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use imchat_sdk::Dialect;
use imchat_sdk::cursor::ThreadCursor;
use imchat_sdk::proto::msg::{Presence, Quote, ReactionCount, SyncCursor};

use super::{Attach, Attachment, FailedDialog, FilesDialog, Switcher};
use crate::event::Effect;
use crate::i18n::Tr;
use crate::input::Input;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Login,
    Register,
    Reset,
    Main,
}

/// A field's label, said in the user's language when drawn.
pub type Label = fn(Tr) -> String;

/// A form: labelled inputs and the focused one.
#[derive(Debug, Clone, Default)]
pub struct Form {
    /// Each field's label (said in the user's language when drawn) and input.
    pub fields: Vec<(Label, Input)>,
    pub focus: usize,
}

impl Form {
    pub(super) fn new(fields: &[(Label, bool)]) -> Form {
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

    pub(super) fn focused(&mut self) -> Option<&mut Input> {
        self.fields.get_mut(self.focus).map(|(_, input)| input)
    }

    pub(super) fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub(super) fn prev(&mut self) {
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
    /// Recalled (撤回) by this uid: its text and file are gone, a notice is drawn instead.
    pub recalled: Option<i32>,
    /// A notice of a gesture on another message: it holds its place in the thread (the cursor
    /// passes it) and is not drawn; the message it names is, as the gesture left it. An edit
    /// notice's `text` is the message's new text.
    pub gesture: Option<Gesture>,
    /// Its text was edited since it was sent.
    pub edited: bool,
    /// Its reactions, most given first (this user's marked), as of the thread's seq
    /// `reactions_at`: a reaction notice older than that changes nothing.
    pub reactions: Vec<ReactionCount>,
    pub reactions_at: i64,
    /// The message of the thread it replies to, as last heard.
    pub reply: Option<Quote>,
    /// Forwarded by its sender: whose message it copies (0: not forwarded).
    pub forwarded_from: i32,
}

/// What a notice did to the message of the seq it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gesture {
    Recall(i64),
    Edit(i64),
    /// A reaction notice (`mine`: this user's): its `reactions` are the message's counts after
    /// it, its `text` the emoji its sender set (empty: taken back).
    React {
        seq: i64,
        mine: bool,
    },
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
    /// How many other members had read this user's last text (its seq) when the chat opened.
    pub read_by: Option<(i64, i64)>,
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
    /// How far the other member of a private chat has read it, as they let this user see
    /// (read receipts; 0: not known).
    pub peer_read: i64,
    /// Messages that came in below while the user read further up ("N new ↓").
    pub below: i64,
    /// Older messages exist on the server (`None`: not known yet) and whether a page is coming.
    pub older: Option<bool>,
    pub loading_older: bool,
}

impl Msg {
    /// A message this user writes, waiting for the server: a text, or a file's (`file`).
    pub(super) fn outgoing(from: i32, text: String, unique: String, file: Option<Attachment>) -> Msg {
        Msg {
            seq: 0,
            from,
            text,
            time: String::new(),
            state: MsgState::Sending,
            unique,
            lost: 0,
            failure: None,
            system: false,
            file,
            recalled: None,
            gesture: None,
            edited: false,
            reactions: Vec::new(),
            reactions_at: 0,
            reply: None,
            forwarded_from: 0,
        }
    }

    /// The seq it replies to (0: none), as a send names it.
    pub fn reply_to(&self) -> i64 {
        self.reply.as_ref().map_or(0, |q| q.seq)
    }

    /// Whether it is drawn and counted: not a recall notice.
    pub fn shown(&self) -> bool {
        self.gesture.is_none()
    }
}

impl Thread {
    /// Whether messages before the first loaded one may exist on the server.
    pub fn has_older(&self) -> bool {
        self.older.unwrap_or_else(|| self.msgs.first().is_some_and(|m| m.seq > 1))
    }

    /// Roughly how many lines the loaded messages take (a header and their text lines each).
    pub(super) fn line_estimate(&self) -> u16 {
        let lines: usize =
            self.msgs.iter().map(|m| 1 + m.text.lines().count().max(1) + usize::from(!m.reactions.is_empty())).sum();
        u16::try_from(lines).unwrap_or(u16::MAX)
    }
}

impl Thread {
    /// Adds a stored message unless it is already here; keeps seq order. The cursor moves
    /// only over messages held without a hole before them (as `dialect` numbers them).
    pub(super) fn merge(&mut self, msg: Msg, dialect: Dialect) -> bool {
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
        let mut msg = msg;
        match msg.gesture {
            Some(Gesture::Recall(target)) => drop(self.recall(target, msg.from)),
            Some(Gesture::Edit(target)) => self.edit(target, &msg.text),
            Some(Gesture::React { seq: target, mine }) => self.react(target, &msg, mine),
            // The server's counts are as of now: only a later notice changes them.
            None => msg.reactions_at = self.newest(),
        }
        let at = self.msgs.iter().position(|m| m.seq == 0 || m.seq > seq).unwrap_or(self.msgs.len());
        self.msgs.insert(at, msg);
        // An older page's messages are below the cursor already: nothing changes.
        self.cursor.observe(seq, dialect);
        true
    }

    /// Marks the message of `seq` recalled by `by` (its text and file dropped); what it was,
    /// if it was held and not recalled before.
    pub(super) fn recall(&mut self, seq: i64, by: i32) -> Option<Msg> {
        let msg = self.msgs.iter_mut().find(|m| m.seq == seq && m.recalled.is_none())?;
        let before = msg.clone();
        (msg.recalled, msg.text, msg.file) = (Some(by), String::new(), None);
        Some(before)
    }

    /// Gives the message of `seq` the counts of reaction notice `notice`, if it is newer than
    /// what it has; this user's own reaction follows the notice when it is theirs.
    fn react(&mut self, seq: i64, notice: &Msg, by_me: bool) {
        let Some(msg) = self.msgs.iter_mut().find(|m| m.seq == seq && m.recalled.is_none()) else { return };
        if notice.seq <= msg.reactions_at {
            return;
        }
        let mine = if by_me {
            Some(notice.text.clone())
        } else {
            msg.reactions.iter().find(|r| r.mine).map(|r| r.emoji.clone())
        };
        msg.reactions = notice.reactions.clone();
        for reaction in &mut msg.reactions {
            reaction.mine = mine.as_deref() == Some(reaction.emoji.as_str());
        }
        msg.reactions_at = notice.seq;
    }

    /// Gives the message of `seq` its edited `text` (a recalled one stays blank).
    pub(super) fn edit(&mut self, seq: i64, text: &str) {
        if let Some(msg) = self.msgs.iter_mut().find(|m| m.seq == seq && m.recalled.is_none()) {
            (msg.text, msg.edited) = (text.to_owned(), true);
        }
    }

    /// Whether a message past the cursor is held while one before it is missing: a push was
    /// lost, and a sync fetches it. Never true on llfc's servers (their cursor is the highest).
    pub fn has_gap(&self) -> bool {
        self.cursor.has_gap()
    }

    /// Moves the cursor up to just before `first` if it is behind it (see the sync reply).
    pub(super) fn skip_unreadable(&mut self, first: i64) {
        self.cursor.skip_to(first - 1);
    }

    /// The newest seq held or known.
    pub(super) fn newest(&self) -> i64 {
        self.msgs.iter().map(|m| m.seq).max().unwrap_or(0).max(self.cursor.newest())
    }

    /// The newest stored message that is drawn (recall notices are not).
    pub fn last(&self) -> Option<&Msg> {
        let mut shown = self.msgs.iter().rev().filter(|m| m.shown());
        shown.clone().find(|m| m.seq > 0).or_else(|| shown.next())
    }

    /// When the thread was last active (`chat_time`, which sorts as text; "" when unknown).
    pub(super) fn last_time(&self) -> &str {
        self.msgs.iter().map(|m| m.time.as_str()).max().unwrap_or("")
    }

    pub fn is_group(&self) -> bool {
        self.group.is_some()
    }

    /// Whether new messages here ring: not in a group this user muted (a mention still does).
    pub(super) fn rings(&self, mentioned: bool) -> bool {
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
    /// What `found` was found for: Enter on it again sends the request.
    pub searched: String,
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
    /// The open chat shows its first unread message (its "new messages" line on top) until the
    /// reader scrolls or writes.
    pub anchored: bool,
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
    pub(super) syncing: bool,
    /// The last text sent, for Up in an empty composer.
    pub last_sent: Option<String>,
    /// The most bytes of one text the server takes, if known (shown near the composer).
    pub max_text: Option<usize>,
    /// The server takes typing notices; the friend this user last said they type to, and
    /// when; and the friends typing to this user, until when.
    pub takes_typing: bool,
    /// The server keeps read receipts, and recalls messages.
    pub takes_receipts: bool,
    pub takes_recall: bool,
    pub takes_edit: bool,
    pub takes_reactions: bool,
    /// The server keeps replies' quotes, and forwards messages.
    pub takes_reply: bool,
    pub takes_forward: bool,
    /// The message of the open chat picked (by seq) to reply to, forward or jump from.
    pub picked: Option<i64>,
    /// The message the next text of a chat replies to (thread, quote), shown over the
    /// composer until sent or dropped.
    pub replying: Option<(i64, Quote)>,
    /// A jump to a quoted message not loaded yet: (thread, seq), done when older pages come.
    pub jump_pending: Option<(i64, i64)>,
    /// The server ends friendships, blocks and keeps remarks; whom this user blocked (as far
    /// as this client knows: blocked here or told by another device).
    pub takes_friends: bool,
    /// The server tells presence; people's presence as last heard (asked when their chat
    /// opens, then pushed).
    pub takes_presence: bool,
    pub presence: HashMap<i32, Presence>,
    pub blocked: std::collections::HashSet<i32>,
    /// The text of this user's message that this device recalled last (thread, text), for
    /// `/reedit` to put back in the composer.
    pub recalled_text: Option<(i64, String)>,
    pub typing_sent: Option<(i32, Instant)>,
    pub typing: HashMap<i32, Instant>,
    /// Each chat's unsent draft while another chat is open.
    pub drafts: HashMap<i64, String>,
    /// The language names and labels are said in.
    pub tr: Tr,
    /// Chats the user hid from the list (a new message shows them again).
    pub hidden: BTreeSet<i64>,
    /// A `/leave` asked about (the group, and when): a second one soon after leaves.
    pub leave_asked: Option<(i64, Instant)>,
    /// Remarks given with friend requests this user sent, until the request is accepted.
    pub applied_remarks: HashMap<i32, String>,
    /// The quick switcher, while open.
    pub switcher: Option<Switcher>,
    /// The failed message being decided on (retry, edit or delete), while asked.
    pub failed: Option<FailedDialog>,
    /// A login answered for this model: until then it is what was saved on this machine,
    /// shown while the server is asked (a refused login drops it).
    pub verified: bool,
}

/// What the left pane lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Thread(i64),
    Request(i32),
    Friend(i32),
}

impl Main {
    /// A signed-in user's model with nothing in it yet.
    pub(super) fn new(uid: i32, name: String, server: String, dialect: Dialect, tr: Tr) -> Main {
        Main {
            uid,
            name,
            server,
            friends: Vec::new(),
            requests: Vec::new(),
            threads: BTreeMap::new(),
            pane: Pane::Chats,
            selected: 0,
            focus: Focus::List,
            open: None,
            input: Input::default(),
            scroll: 0,
            anchored: false,
            find: None,
            new_group: None,
            attach: None,
            files: None,
            members_pane: false,
            names: HashMap::new(),
            dialect,
            syncing: false,
            last_sent: None,
            drafts: HashMap::new(),
            max_text: None,
            takes_typing: false,
            takes_receipts: false,
            takes_recall: false,
            takes_edit: false,
            takes_reactions: false,
            takes_reply: false,
            takes_forward: false,
            picked: None,
            replying: None,
            jump_pending: None,
            takes_friends: false,
            takes_presence: false,
            presence: HashMap::new(),
            blocked: std::collections::HashSet::new(),
            recalled_text: None,
            typing_sent: None,
            typing: HashMap::new(),
            tr,
            hidden: BTreeSet::new(),
            leave_asked: None,
            applied_remarks: HashMap::new(),
            switcher: None,
            failed: None,
            verified: false,
        }
    }

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
        self.names.get(&uid).cloned().unwrap_or_else(|| self.tr.uid_label(uid))
    }

    /// A chat's name: the group's, or the other person's.
    pub fn thread_label(&self, thread: &Thread) -> String {
        match &thread.group {
            Some(group) if !group.name.is_empty() => group.name.clone(),
            Some(_) => self.tr.group_label(thread.id),
            None => self.label(thread.peer),
        }
    }

    /// One line of a thread's last message for the chat list: "who: text" (or what a system
    /// message says).
    pub fn preview(&self, thread: &Thread) -> String {
        let Some(msg) = thread.last() else { return String::new() };
        if msg.recalled.is_some() {
            return self.recall_notice(msg);
        }
        let described;
        let text = match &msg.file {
            Some(file) => {
                let tag = if file.picture { self.tr.picture_tag() } else { self.tr.file_tag() };
                described = format!("{tag} {}", file.title());
                described.as_str()
            }
            None => msg.text.lines().next().unwrap_or(""),
        };
        if msg.system {
            return text.to_owned();
        }
        let who = if msg.from == self.uid { self.tr.you() } else { self.label(msg.from) };
        if thread.is_group() || msg.from == self.uid { format!("{who}: {text}") } else { text.to_owned() }
    }

    /// Threads by latest activity, newest first (a message waiting to be sent counts as now);
    /// a hidden one only while it has unread messages or is open.
    pub fn chats(&self) -> Vec<&Thread> {
        let shown = |t: &&Thread| !self.hidden.contains(&t.id) || t.unread > 0 || self.open == Some(t.id);
        let mut threads: Vec<&Thread> = self.threads.values().filter(shown).collect();
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
    pub(super) fn complete_mention(&mut self) -> bool {
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
    pub(super) fn keep_selection(&mut self, pane: Pane, selected: usize, item: &Item) {
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
    pub(super) fn thread_with(&self, peer: i32) -> Option<i64> {
        self.threads.values().find(|t| !t.is_group() && t.peer == peer).map(|t| t.id)
    }

    /// The group thread `id`, known as one from now on.
    pub(super) fn group_thread(&mut self, id: i64) -> &mut Thread {
        let thread = self.threads.entry(id).or_insert_with(|| Thread { id, ..Thread::default() });
        thread.group.get_or_insert_with(GroupView::default);
        thread
    }

    /// Friends by their label, for `/invite` and the new-group dialog.
    pub(super) fn friend_named(&self, name: &str) -> Option<i32> {
        let name = name.trim().trim_start_matches('@');
        self.friends.iter().find(|f| f.label() == name || f.name == name).map(|f| f.uid)
    }

    pub(super) fn cursors(&self) -> Vec<SyncCursor> {
        // A draft (a chat with no thread on the server yet) has nothing to sync.
        self.threads
            .values()
            .filter(|t| t.id > 0)
            .map(|t| SyncCursor { thread_id: t.id, seq: t.cursor.through() })
            .collect()
    }

    /// A sync of every thread from the current cursors, unless one is on its way.
    pub(super) fn sync(&mut self) -> Vec<Effect> {
        self.sync_from(0)
    }

    /// A sync of the threads after `after_thread` (paged: the reply says where to go on).
    pub(super) fn sync_from(&mut self, after_thread: i64) -> Vec<Effect> {
        if std::mem::replace(&mut self.syncing, true) {
            return Vec::new();
        }
        vec![Effect::Sync(self.cursors(), after_thread)]
    }

    /// A sync when `thread` holds a gap (a lost push), from that thread on.
    pub(super) fn sync_if_gap(&mut self, thread: i64) -> Vec<Effect> {
        if self.threads.get(&thread).is_some_and(Thread::has_gap) { self.sync_from(thread - 1) } else { Vec::new() }
    }

    /// Opens a chat: its unread count clears, its "new messages" divider stays until the chat
    /// is left (the previous chat's divider goes now).
    pub(super) fn open_thread(&mut self, thread_id: i64) {
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
        self.hidden.remove(&thread_id);
        if let Some(thread) = self.threads.get_mut(&thread_id) {
            thread.unread = 0;
            thread.below = 0;
            if let Some(group) = &mut thread.group {
                group.mentioned = false;
            }
        }
        self.anchored = self.threads.get(&thread_id).is_some_and(|t| t.divider.is_some());
        self.open = Some(thread_id);
        self.focus = Focus::Input;
        self.scroll = 0;
    }

    /// Leaves the open chat: its draft stays with it, its "new messages" divider goes.
    pub(super) fn close_open(&mut self) {
        self.anchored = false;
        let Some(id) = self.open.take() else { return };
        let draft = self.input.take();
        if !draft.is_empty() {
            self.drafts.insert(id, draft);
        }
        if let Some(thread) = self.threads.get_mut(&id) {
            thread.divider = None;
        }
    }

    /// The message `unique` while it waits for the server's answer (a sync may have brought
    /// it stored meanwhile: then the answer changes nothing).
    pub(super) fn find_unique(&mut self, unique: &str) -> Option<(&mut Thread, usize)> {
        self.threads.values_mut().find_map(|t| {
            let idx = t.msgs.iter().position(|m| m.seq == 0 && m.unique == unique)?;
            Some((t, idx))
        })
    }
}

/// The id a private chat with `peer` goes by before its thread exists on the server: negative,
/// so it never meets a server's id.
pub(super) fn draft_id(peer: i32) -> i64 {
    -i64::from(peer)
}

/// The next message id of this process (`nonce`) for user `me`: ids never repeat across runs
/// or logins (the server refuses a reused one for another message).
pub(super) fn unique_id(me: i32, nonce: u64, sent: &mut u64) -> String {
    *sent += 1;
    format!("{{tui-{me}-{nonce:x}-{sent}}}")
}

pub(super) fn peer_of(me: i32, from: i32, to: i32) -> i32 {
    if from == me { to } else { from }
}

/// The effect that sends `text` under `unique` to `thread`, replying to its message `reply_to`
/// (0: none).
pub(super) fn send_effect(thread: &Thread, unique: String, text: String, mentions: Vec<i32>, reply_to: i64) -> Effect {
    if thread.is_group() {
        Effect::SendGroup { unique, thread: thread.id, text, mentions, reply_to }
    } else {
        Effect::Send { unique, to: thread.peer, thread: thread.id, text, reply_to }
    }
}

/// The members `text` @mentions in `thread` (a group), by the names its member list has or
/// the remarks of `friends`.
pub(super) fn main_mentions(me: i32, thread: &Thread, friends: &[Friend], text: &str) -> Vec<i32> {
    let Some(group) = &thread.group else { return Vec::new() };
    // By the name the member chose, or by the remark this user gave a friend (shown instead).
    let named = |uid: i32, name: &str| {
        let remark = friends.iter().find(|f| f.uid == uid).map_or("", |f| f.remark.as_str());
        [name, remark].iter().any(|n| !n.is_empty() && text.contains(&format!("@{n}")))
    };
    let mut found: Vec<i32> = group
        .member_list
        .iter()
        .filter(|(uid, name, _)| *uid != me && named(*uid, name))
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
