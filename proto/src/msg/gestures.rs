//! imchat's gestures on messages already sent (ids 1160 and up): recall (撤回), edit and
//! reactions, each stored as a message of its own in the thread (its own `seq`), so a client
//! that syncs later meets it in order, and the message it acts on is changed in place; and the
//! new messages that point at others: a reply's quote and a forward.

use serde::{Deserialize, Serialize};

use super::{Message, SyncData};

/// Gesture message ids.
pub mod ids {
    /// imchat (`recall`): recall a message, its answer, and its push to the thread's sessions.
    pub const RECALL_REQ: u16 = 1160;
    pub const RECALL_RSP: u16 = 1161;
    pub const NOTIFY_RECALL: u16 = 1162;
    /// imchat (`edit`): replace a text's content, its answer, and its push.
    pub const EDIT_REQ: u16 = 1163;
    pub const EDIT_RSP: u16 = 1164;
    pub const NOTIFY_EDIT: u16 = 1165;
    /// imchat (`reactions`): set or take back a reaction, its answer, and its push.
    pub const REACT_REQ: u16 = 1166;
    pub const REACT_RSP: u16 = 1167;
    pub const NOTIFY_REACT: u16 = 1168;
    /// imchat (`forward`): copy messages of one thread into others, and its answer.
    pub const FORWARD_REQ: u16 = 1178;
    pub const FORWARD_RSP: u16 = 1179;
}

/// `msg_type` of a recall notice: its `content` is a [`RecallEvent`] as JSON.
pub const MSG_TYPE_RECALL: i32 = 11;
/// `status` of a recalled message: its `content` is empty (a file's bytes are gone too).
pub const MSG_STATUS_RECALLED: i32 = 4;
/// `msg_type` of an edit notice: its `content` is an [`EditEvent`] as JSON.
pub const MSG_TYPE_EDIT: i32 = 12;
/// `status` of an edited text: its `content` is the latest.
pub const MSG_STATUS_EDITED: i32 = 5;
/// `msg_type` of a reaction notice: its `content` is a [`ReactionEvent`] as JSON.
pub const MSG_TYPE_REACTION: i32 = 13;

/// The reply id of a gesture request.
pub fn reply_id(request_id: u16) -> Option<u16> {
    match request_id {
        ids::RECALL_REQ => Some(ids::RECALL_RSP),
        ids::EDIT_REQ => Some(ids::EDIT_RSP),
        ids::REACT_REQ => Some(ids::REACT_RSP),
        ids::FORWARD_REQ => Some(ids::FORWARD_RSP),
        _ => None,
    }
}

/// What a recall notice's `content` says: message `seq` of its thread was recalled by `by`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecallEvent {
    pub seq: i64,
    pub by: i32,
}

impl RecallEvent {
    /// The event a stored message carries, if it is a recall notice.
    pub fn of(data: &SyncData) -> Option<RecallEvent> {
        (data.msg_type == MSG_TYPE_RECALL).then(|| serde_json::from_str(&data.content).ok()).flatten()
    }
}

/// What an edit notice's `content` says: message `seq` of its thread now reads `text` (empty
/// once the message was recalled), edited by `by`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditEvent {
    pub seq: i64,
    pub by: i32,
    pub text: String,
}

impl EditEvent {
    /// The event a stored message carries, if it is an edit notice.
    pub fn of(data: &SyncData) -> Option<EditEvent> {
        (data.msg_type == MSG_TYPE_EDIT).then(|| serde_json::from_str(&data.content).ok()).flatten()
    }
}

/// Replaces the content of text `seq` of `thread_id` with `content`: its sender, within the
/// server's `EditSecs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditReq {
    pub thread_id: i64,
    pub seq: i64,
    pub content: String,
}
message!(EditReq = ids::EDIT_REQ);

/// The answer to a 1163: `notice` is the stored edit notice (absent when the text read so
/// already).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditRsp {
    pub error: i32,
    pub thread_id: i64,
    pub seq: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<SyncData>,
}
message!(EditRsp = ids::EDIT_RSP);

/// imchat (`edit`): text `seq` of `thread_id` was edited; `notice` is the stored edit notice
/// (`sender` the editor; `receiver` as for a recall notice), its content the new text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyEdit {
    pub thread_id: i64,
    pub seq: i64,
    pub notice: SyncData,
}
message!(NotifyEdit = ids::NOTIFY_EDIT);

/// How many gave one emoji to a message; `mine` (in sync and history, and the answer to a
/// 1166) when the reader is one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReactionCount {
    pub emoji: String,
    pub count: i64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
}

/// What a reaction notice's `content` says: `by` set their reaction to message `seq` to
/// `emoji` (empty: took it back), after which the message has `reactions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReactionEvent {
    pub seq: i64,
    pub by: i32,
    pub emoji: String,
    pub reactions: Vec<ReactionCount>,
}

impl ReactionEvent {
    /// The event a stored message carries, if it is a reaction notice.
    pub fn of(data: &SyncData) -> Option<ReactionEvent> {
        (data.msg_type == MSG_TYPE_REACTION).then(|| serde_json::from_str(&data.content).ok()).flatten()
    }
}

/// Sets the user's reaction to message `seq` of `thread_id` to `emoji` (one per user and
/// message; empty takes it back).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReactReq {
    pub thread_id: i64,
    pub seq: i64,
    pub emoji: String,
}
message!(ReactReq = ids::REACT_REQ);

/// The answer to a 1166: the message's reactions after it, and the stored notice (absent when
/// nothing changed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReactRsp {
    pub error: i32,
    pub thread_id: i64,
    pub seq: i64,
    pub reactions: Vec<ReactionCount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<SyncData>,
}
message!(ReactRsp = ids::REACT_RSP);

/// imchat (`reactions`): a reaction to message `seq` of `thread_id` was set or taken back;
/// `notice` is the stored reaction notice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyReact {
    pub thread_id: i64,
    pub seq: i64,
    pub notice: SyncData,
}
message!(NotifyReact = ids::NOTIFY_REACT);

/// Recalls message `seq` of `thread_id`: its sender within the server's `RecallSecs`, a
/// group's owner or admins at any time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecallReq {
    pub thread_id: i64,
    pub seq: i64,
}
message!(RecallReq = ids::RECALL_REQ);

/// The answer to a 1160: `notice` is the stored recall notice (absent when the message had
/// been recalled already: nothing more was stored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecallRsp {
    pub error: i32,
    pub thread_id: i64,
    pub seq: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<SyncData>,
}
message!(RecallRsp = ids::RECALL_RSP);

/// imchat (`recall`): message `seq` of `thread_id` was recalled; `notice` is the stored
/// recall notice (`sender` the one who recalled it; `receiver` the other member of a private
/// chat, 0 in a group).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyRecall {
    pub thread_id: i64,
    pub seq: i64,
    pub notice: SyncData,
}
message!(NotifyRecall = ids::NOTIFY_RECALL);

/// imchat (`reply`): the message a reply quotes, as it is now: `excerpt` the start of its text
/// (a file's name; empty once it was recalled, and then `recalled`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Quote {
    pub seq: i64,
    pub sender: i32,
    pub msg_type: i32,
    pub excerpt: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recalled: bool,
}

/// Most characters of a quote's excerpt.
pub const QUOTE_EXCERPT_CHARS: usize = 80;

impl Quote {
    /// The excerpt of `content`: its first [`QUOTE_EXCERPT_CHARS`] characters, line breaks as
    /// spaces, `…` where cut.
    pub fn excerpt_of(content: &str) -> String {
        let mut excerpt: String =
            content.chars().take(QUOTE_EXCERPT_CHARS).map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
        if content.chars().nth(QUOTE_EXCERPT_CHARS).is_some() {
            excerpt.push('…');
        }
        excerpt
    }
}

/// Forwards messages `seqs` of `thread_id` (at most the server's `ForwardMessages`, in the
/// order given) to private chats with friends `to_uids` and to `to_threads` (groups or private
/// threads of the user's; together at most `ForwardTargets`). Each becomes a new message of
/// the forwarder's, marked `forwarded_from` its sender; a picture or file is not uploaded
/// again. `unique_id` (at most [`MAX_FORWARD_UNIQUE_ID_BYTES`]) makes a resend idempotent, as
/// a text's does. The new messages reach every session of the forwarder, this one included,
/// as pushes (1112, 1142, 1039), and the members of each target as any message does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForwardReq {
    pub thread_id: i64,
    pub seqs: Vec<i64>,
    pub to_uids: Vec<i32>,
    pub to_threads: Vec<i64>,
    pub unique_id: String,
}
message!(ForwardReq = ids::FORWARD_REQ);

/// Longest `unique_id` of a forward: each copy's key is it with the target and the seq.
pub const MAX_FORWARD_UNIQUE_ID_BYTES: usize = 36;

/// Where one target of a forward stored its copies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Forwarded {
    pub thread_id: i64,
    /// The friend of a private chat (0 for a group).
    pub touid: i32,
    /// The copies' seqs in that thread, in the order asked.
    pub seqs: Vec<i64>,
}

/// The answer to a 1178: what was stored where, in the order asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForwardRsp {
    pub error: i32,
    pub thread_id: i64,
    pub forwarded: Vec<Forwarded>,
}
message!(ForwardRsp = ids::FORWARD_RSP);
