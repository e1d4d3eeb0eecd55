//! What flows through the client: [`Event`]s in (keys, ticks, network results, pushes — all on
//! one channel) and [`Effect`]s out (work for the network task).

use crate::app::Saved;
use std::path::PathBuf;

use crossterm::event::KeyEvent;
use imchat_sdk::Dialect;
use imchat_sdk::proto::msg::res::{FileMetaRsp, NotifyImgChat};
use imchat_sdk::proto::msg::{
    AuthFriendRsp, GroupInfo, GroupMember, ImgChatRsp, LoadOlderRsp, NotifyAddFriend, NotifyAuthFriend, NotifyEdit,
    NotifyFriendChanged, NotifyGroupMsg, NotifyReact, NotifyRecall, NotifyTextChat, Presence, ReactionCount, SearchRsp,
    SyncCursor, SyncData, SyncRsp, TextChatData,
};

use crate::files::{Chosen, Completion, Openable};

/// Everything `App::update` reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Key(KeyEvent),
    Paste(String),
    /// The mouse: the wheel (`lines`, positive up) or a left click, at a cell of the screen.
    Mouse {
        column: u16,
        row: u16,
        wheel: i32,
    },
    /// The terminal gained (true) or lost focus; terminals that do not say are taken as focused.
    Focus(bool),
    Tick,
    Net(NetEvent),
    /// What Tab found for the attach prompt's path.
    Completed(Completion),
    /// The attach prompt's path, checked: the file to send, or why not.
    Checked(Result<Chosen, String>),
    /// The draft as the user's editor left it, or why it could not run.
    Edited(Result<String, String>),
    /// What this machine kept of the account a login names (read as the login starts), or
    /// why it cannot be kept (another client of the account holds it).
    Restored(Result<Option<Box<Saved>>, String>),
}

/// The signed-in user's starting state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    pub uid: i32,
    pub name: String,
    pub email: String,
    /// `host:port` of the chat server.
    pub server: String,
    pub friends: Vec<(i32, String, String)>,
    /// (uid, name, greeting, status: 0 pending / 1 accepted)
    pub requests: Vec<(i32, String, String, i32)>,
    /// How the server numbers each thread's messages (imchat: 1, 2, 3…; llfc: message ids).
    pub dialect: Dialect,
    /// The most bytes of one text the server takes, if known.
    pub max_text: Option<usize>,
    /// The server takes typing notices, and keeps read receipts.
    pub typing: bool,
    pub receipts: bool,
    /// The server recalls messages, edits texts and keeps reactions.
    pub recall: bool,
    pub edit: bool,
    pub reactions: bool,
    /// The server ends friendships, blocks and keeps remarks; and tells presence.
    pub friendships: bool,
    pub presence: bool,
    /// The server keeps replies' quotes, and forwards messages.
    pub reply: bool,
    pub forward: bool,
}

/// Why a login failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFailure {
    /// The servers could not be reached (not: they said no).
    pub unreachable: bool,
    pub why: String,
}

impl From<&str> for LoginFailure {
    /// A refusal, said in words.
    fn from(why: &str) -> LoginFailure {
        LoginFailure { unreachable: false, why: why.to_owned() }
    }
}

impl std::fmt::Display for LoginFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// Results and pushes from the network task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    CodeSent(Result<(), String>),
    Registered(Result<i32, String>),
    PasswordReset(Result<(), String>),
    /// A login (first or after a reconnect) succeeded or failed.
    LoggedIn(Result<Welcome, LoginFailure>),
    Synced(SyncRsp),
    Text(NotifyTextChat),
    /// A text this user sent from another device.
    OwnText(NotifyTextChat),
    /// Another device of this user read `thread` up to `seq`.
    ReadMarked {
        thread: i64,
        seq: i64,
    },
    /// A friend is typing to this user.
    Typing(i32),
    /// The other member of private chat `thread` has read it up to `seq`.
    Receipt {
        thread: i64,
        seq: i64,
    },
    /// This user's read receipts are on (true) or off, as the server stored them.
    ReceiptsSet(Result<bool, String>),
    /// A message of a thread of this user's was recalled (by anyone, from any device but this).
    Recalled(NotifyRecall),
    /// This client's recall of message `seq` of `thread`: the stored notice (`None`: it had
    /// been recalled already).
    RecallDone {
        thread: i64,
        seq: i64,
        result: Result<Option<SyncData>, String>,
    },
    /// This client's forward: where it went (thread), or why not.
    Forwarded(Result<i64, String>),
    /// A text of a thread of this user's was edited (from any device but this).
    Edited(NotifyEdit),
    /// People's presence: asked for (the reply), or pushed as it changes.
    Presence(Vec<Presence>),
    /// Who sees this user online, as the server stored it.
    PresenceSet(Result<String, String>),
    /// Another device of this user changed a friendship (ended, blocked, a remark).
    FriendChanged(NotifyFriendChanged),
    /// This client's friendship change, as it now stands.
    FriendshipDone(Result<NotifyFriendChanged, String>),
    /// A reaction to a message of a thread of this user's was set or taken back.
    Reacted(NotifyReact),
    /// This client's reaction to message `seq` of `thread`: the message's counts after it
    /// and the stored notice (`None`: nothing changed).
    ReactDone {
        thread: i64,
        seq: i64,
        result: Result<(Vec<ReactionCount>, Option<SyncData>), String>,
    },
    /// This client's edit of text `seq` of `thread`: the stored notice (`None`: it read so).
    EditDone {
        thread: i64,
        seq: i64,
        result: Result<Option<SyncData>, String>,
    },
    /// How many other members of group `thread` have read it up to `seq`.
    ReadBy {
        thread: i64,
        seq: i64,
        readers: Result<i64, String>,
    },
    /// A group's new messages (texts, or a system message of a change).
    Group(NotifyGroupMsg),
    /// A group as a request's answer left it (info, invite, leave, rename, mute, ...).
    GroupInfo(Result<GroupInfo, String>),
    /// The group this user just made: it opens.
    GroupCreated(Result<GroupInfo, String>),
    GroupMembers(i64, Result<Vec<GroupMember>, String>),
    FriendRequest(NotifyAddFriend),
    FriendAccepted(NotifyAuthFriend),
    Sent {
        unique: String,
        result: Result<Vec<TextChatData>, SendFailure>,
    },
    Found(Result<SearchRsp, String>),
    /// A page of older messages of a thread.
    Older(i64, Result<LoadOlderRsp, String>),
    Applied(Result<i32, String>),
    Accepted(Result<AuthFriendRsp, String>),
    /// A friend request this user declined (the applicant's uid).
    Declined(Result<i32, String>),
    ChatOpened(Result<(i32, i64), String>),
    /// Pictures and files.
    File(FileEvent),
    /// The server ended the session (1021).
    Kicked(String),
    /// The connection dropped.
    Disconnected(String),
}

/// Why a file request failed when there was no resource connection to make it on (offline, a
/// server without files, or the resource server unreachable): worth asking again later.
pub const NO_RESOURCE_SERVER: &str = "not connected to a resource server";

/// News of pictures and files from the network task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileEvent {
    /// A picture's or file's message: stored (the 1036, with the name its bytes go under),
    /// or not.
    Stored { unique: String, result: Result<ImgChatRsp, SendFailure> },
    /// Bytes of a transfer so far (upload or download of file `name`).
    Progress { name: String, up: bool, done: u64, total: u64 },
    /// An upload ended: every byte is there, or why not.
    Uploaded { name: String, result: Result<(), String> },
    /// 1039: a picture or file is ready to download.
    Notice(NotifyImgChat),
    /// What the resource server holds of a file (1153).
    Meta(String, Result<FileMetaRsp, String>),
    /// A picture's thumbnail, downloaded to this path.
    Thumb(String, Result<PathBuf, String>),
    /// A file saved to the downloads folder (then inspected, if it is to be opened).
    Saved { name: String, result: Result<PathBuf, String> },
    /// What a file to be opened is, or why it is never opened.
    Inspected(Result<Openable, String>),
    /// A file given to the desktop's viewer, or why it could not be.
    Opened(Result<PathBuf, String>),
}

/// Why a text was not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Not connected: it waits for the next login.
    Offline,
    /// The connection ended while the server had it: it may have made the server drop the
    /// session (llfc does that over a too-long frame), so it is re-sent only once.
    Lost(String),
    /// The server or the client refused it; it stays failed until the user retries (F5).
    Refused(String),
}

/// Work for the network task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    RequestCode(String),
    Register {
        email: String,
        name: String,
        password: String,
        code: String,
    },
    ResetPassword {
        email: String,
        name: String,
        password: String,
        code: String,
    },
    Login {
        email: String,
        password: String,
    },
    /// Log in again with the remembered credentials, then sync from these cursors.
    Reconnect(Vec<SyncCursor>),
    /// A page of a sync: every cursor held, and the thread the page starts after.
    Sync(Vec<SyncCursor>, i64),
    LoadOlder {
        thread: i64,
        before_seq: i64,
    },
    Send {
        unique: String,
        to: i32,
        thread: i64,
        text: String,
        /// The seq of the message of the thread it replies to (0: none).
        reply_to: i64,
    },
    Search(String),
    Apply {
        to: i32,
        greeting: String,
        remark: String,
    },
    Accept {
        applicant: i32,
        remark: String,
    },
    /// Decline a pending friend request (imchat servers).
    Decline(i32),
    /// The user has read `thread` up to `seq` (imchat servers keep it for every device).
    MarkRead {
        thread: i64,
        seq: i64,
    },
    /// The user is typing to friend `to` (imchat servers pass it on, never store it).
    Typing {
        to: i32,
    },
    /// Turn this user's read receipts on or off (imchat servers keep it).
    SetReceipts(bool),
    /// Forward message `seq` of `thread` to a chat (imchat servers with `forward`).
    Forward {
        thread: i64,
        seq: i64,
        to: crate::app::Target,
        /// Makes a resend store nothing twice.
        unique: String,
    },
    /// Recall message `seq` of `thread` (imchat servers with `recall`).
    Recall {
        thread: i64,
        seq: i64,
    },
    /// Ask for the presence of these people (imchat servers with `presence`).
    Presence(Vec<i32>),
    /// Who sees this user online: `everyone`, `friends` or `nobody`.
    SetPresence(String),
    /// End the friendship with `uid` (imchat servers with `friends`).
    Unfriend(i32),
    /// Block or unblock `uid`.
    Block {
        uid: i32,
        blocked: bool,
    },
    /// This user's remark for friend `uid` (empty: none).
    Remark {
        uid: i32,
        remark: String,
    },
    /// Set this user's reaction to message `seq` of `thread` (`""` takes it back).
    React {
        thread: i64,
        seq: i64,
        emoji: String,
    },
    /// Replace text `seq` of `thread` with `text` (imchat servers with `edit`).
    Edit {
        thread: i64,
        seq: i64,
        text: String,
    },
    /// Ask how many other members have read group `thread` up to `seq`.
    ReadBy {
        thread: i64,
        seq: i64,
    },
    OpenChat(i32),
    CreateGroup {
        name: String,
        members: Vec<i32>,
    },
    GroupInfo(i64),
    GroupMembers(i64),
    Invite {
        thread: i64,
        uids: Vec<i32>,
    },
    LeaveGroup(i64),
    UpdateGroup {
        thread: i64,
        name: Option<String>,
        announcement: Option<String>,
    },
    MuteGroup {
        thread: i64,
        muted: bool,
    },
    SendGroup {
        unique: String,
        thread: i64,
        text: String,
        mentions: Vec<i32>,
        reply_to: i64,
    },
    /// Send a picture or file: its message, then its bytes.
    SendFile {
        unique: String,
        to: i32,
        thread: i64,
        path: PathBuf,
        picture: bool,
    },
    /// Send the bytes of a file whose message is stored (again, after a failed upload).
    Upload {
        name: String,
        path: PathBuf,
    },
    FileMeta(String),
    FetchThumb(String),
    /// Download file `name` into the downloads folder (as `label` says), then open it if asked.
    SaveFile {
        name: String,
        label: String,
        open: bool,
    },
    /// Tell what a file on this machine is, before asking whether to open it (the terminal
    /// loop reads it).
    Inspect(PathBuf),
    /// Open a file already on this machine with the desktop's viewer (checked again first).
    Open(PathBuf),
    /// Complete the attach prompt's path (the terminal loop reads the directory).
    CompletePath(String),
    /// Check the attach prompt's path before anything is sent.
    CheckPath(String),
    /// Open `$VISUAL`/`$EDITOR` on the draft (the terminal loop hands it the terminal).
    EditDraft(String),
    /// Tell the person something happened outside what they look at: the terminal bell and a
    /// desktop notification, as `[tui]` configures them. Text from peers, never escapes.
    Notify {
        /// The chat it is about (notifications are coalesced per chat, but for a mention).
        thread: i64,
        mention: bool,
        title: String,
        body: String,
    },
    Logout,
    Quit,
}
