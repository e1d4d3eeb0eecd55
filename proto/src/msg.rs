//! Typed chat messages (llfc-wire.md §2.3), one struct per message id.
//!
//! Field names and JSON types are llfc's, quirks included: the search `uid` is a string,
//! history `unique_id` is the integer `0`, `load_more` is a bool. Replies never carry a
//! password (`pwd` is always `""`) nor another user's email.

use bytes::BytesMut;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::codec::{EncodeError, encode};
use crate::error::ErrorCode;

/// Message ids. 1005–1030 are llfc's; 1100 and up are imchat extensions.
pub mod ids {
    pub const CHAT_LOGIN: u16 = 1005;
    pub const CHAT_LOGIN_RSP: u16 = 1006;
    pub const SEARCH_USER_REQ: u16 = 1007;
    pub const SEARCH_USER_RSP: u16 = 1008;
    pub const ADD_FRIEND_REQ: u16 = 1009;
    pub const ADD_FRIEND_RSP: u16 = 1010;
    pub const NOTIFY_ADD_FRIEND_REQ: u16 = 1011;
    pub const AUTH_FRIEND_REQ: u16 = 1013;
    pub const AUTH_FRIEND_RSP: u16 = 1014;
    pub const NOTIFY_AUTH_FRIEND_REQ: u16 = 1015;
    pub const TEXT_CHAT_MSG_REQ: u16 = 1017;
    pub const TEXT_CHAT_MSG_RSP: u16 = 1018;
    pub const NOTIFY_TEXT_CHAT_MSG_REQ: u16 = 1019;
    pub const NOTIFY_OFF_LINE_REQ: u16 = 1021;
    pub const HEART_BEAT_REQ: u16 = 1023;
    pub const HEARTBEAT_RSP: u16 = 1024;
    pub const LOAD_CHAT_THREAD_REQ: u16 = 1025;
    pub const LOAD_CHAT_THREAD_RSP: u16 = 1026;
    pub const CREATE_PRIVATE_CHAT_REQ: u16 = 1027;
    pub const CREATE_PRIVATE_CHAT_RSP: u16 = 1028;
    pub const LOAD_CHAT_MSG_REQ: u16 = 1029;
    pub const LOAD_CHAT_MSG_RSP: u16 = 1030;
    /// llfc Season_2: a picture message (imchat: or a file); its bytes go to the resource
    /// server, and the recipient hears of it (1039) once they are all there.
    pub const IMG_CHAT_MSG_REQ: u16 = 1035;
    pub const IMG_CHAT_MSG_RSP: u16 = 1036;
    /// imchat: offline sync by per-thread cursors.
    pub const SYNC_REQ: u16 = 1100;
    pub const SYNC_RSP: u16 = 1101;
    /// imchat: a page of older messages, for scrolling back.
    pub const LOAD_OLDER_REQ: u16 = 1102;
    pub const LOAD_OLDER_RSP: u16 = 1103;
    /// imchat: "read up to seq" in a thread (the user's read marker).
    pub const READ_MARK_REQ: u16 = 1110;
    pub const READ_MARK_RSP: u16 = 1111;
    /// imchat (`devices`): a text the user sent from another of their devices (the body of
    /// the 1019 its recipient got), and a read marker another device moved.
    pub const NOTIFY_OWN_TEXT: u16 = 1112;
    pub const NOTIFY_READ_MARK: u16 = 1113;
    /// imchat (`typing`): "I am typing to `touid`" (no reply; never stored), and its push to
    /// a friend's sessions.
    pub const TYPING_REQ: u16 = 1114;
    pub const NOTIFY_TYPING: u16 = 1115;
    /// imchat (`receipts`): the user's settings (read receipts on or off), and a private
    /// chat's other member having read it up to a seq.
    pub const SETTINGS_REQ: u16 = 1116;
    pub const SETTINGS_RSP: u16 = 1117;
    pub const NOTIFY_RECEIPT: u16 = 1118;
    /// imchat (`presence`): friends' presence (online, last seen) asked for, and pushed when
    /// it changes.
    pub const PRESENCE_REQ: u16 = 1174;
    pub const PRESENCE_RSP: u16 = 1175;
    pub const NOTIFY_PRESENCE: u16 = 1176;
    /// imchat: error reply to a frame whose id has no reply id of its own.
    pub const ERROR_RSP: u16 = 1199;
    /// imchat: friend-list pages and declining a request, 1104–1109.
    pub use super::friends::ids::*;
    /// imchat: gestures on sent messages (recall), 1160 and up.
    pub use super::gestures::ids::*;
    /// imchat: groups, 1120–1145.
    pub use super::groups::ids::*;
}

pub mod groups;
pub use groups::*;
pub mod res;

/// The reply id for a request id, if the request has one.
pub fn reply_id(request_id: u16) -> Option<u16> {
    use ids::*;
    Some(match request_id {
        CHAT_LOGIN => CHAT_LOGIN_RSP,
        SEARCH_USER_REQ => SEARCH_USER_RSP,
        ADD_FRIEND_REQ => ADD_FRIEND_RSP,
        AUTH_FRIEND_REQ => AUTH_FRIEND_RSP,
        TEXT_CHAT_MSG_REQ => TEXT_CHAT_MSG_RSP,
        HEART_BEAT_REQ => HEARTBEAT_RSP,
        LOAD_CHAT_THREAD_REQ => LOAD_CHAT_THREAD_RSP,
        CREATE_PRIVATE_CHAT_REQ => CREATE_PRIVATE_CHAT_RSP,
        LOAD_CHAT_MSG_REQ => LOAD_CHAT_MSG_RSP,
        IMG_CHAT_MSG_REQ => IMG_CHAT_MSG_RSP,
        SYNC_REQ => SYNC_RSP,
        LOAD_OLDER_REQ => LOAD_OLDER_RSP,
        READ_MARK_REQ => READ_MARK_RSP,
        SETTINGS_REQ => SETTINGS_RSP,
        PRESENCE_REQ => PRESENCE_RSP,
        other => {
            return groups::reply_id(other).or_else(|| friends::reply_id(other)).or_else(|| gestures::reply_id(other));
        }
    })
}

/// A message with a fixed frame id.
pub trait Message: Serialize + DeserializeOwned {
    const ID: u16;

    /// Appends this message as one frame.
    fn encode(&self, dst: &mut BytesMut) -> Result<(), EncodeError> {
        let body = serde_json::to_vec(self).expect("message types always serialise");
        encode(Self::ID, &body, dst)
    }
}

macro_rules! message {
    ($ty:ident = $id:expr) => {
        impl Message for $ty {
            const ID: u16 = $id;
        }
    };
}

pub mod friends;
pub use friends::*;
pub mod gestures;
pub use gestures::{
    EditEvent, EditReq, EditRsp, ForwardReq, ForwardRsp, Forwarded, MAX_FORWARD_UNIQUE_ID_BYTES, MSG_STATUS_EDITED,
    MSG_STATUS_RECALLED, MSG_TYPE_EDIT, MSG_TYPE_REACTION, MSG_TYPE_RECALL, NotifyEdit, NotifyReact, NotifyRecall,
    QUOTE_EXCERPT_CHARS, Quote, ReactReq, ReactRsp, ReactionCount, ReactionEvent, RecallEvent, RecallReq, RecallRsp,
};

// ---- client to server -------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginReq {
    pub uid: i32,
    pub token: String,
    /// imchat: the extensions the client speaks (as the 1006's list). llfc's clients send
    /// none; to them the server shows only what llfc's client can show (a file as a text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imchat: Vec<String>,
    /// imchat (`devices`): the device this login is from, a stable id the client keeps
    /// ([`crate::rules::check_device_id`]) and its [`DeviceKind`]. A client that names none
    /// is a device of its own per login, of kind `qt` if it names no extensions (llfc's Qt
    /// client) and `cli` otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub device: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
}
message!(LoginReq = ids::CHAT_LOGIN);

/// What kind of client a device is: the `per-kind` login policy lets one session of each
/// kind live at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceKind {
    Tui,
    Cli,
    /// llfc's Qt client, and any client that names no extensions.
    Qt,
    Bot,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 4] = [DeviceKind::Tui, DeviceKind::Cli, DeviceKind::Qt, DeviceKind::Bot];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Tui => "tui",
            DeviceKind::Cli => "cli",
            DeviceKind::Qt => "qt",
            DeviceKind::Bot => "bot",
        }
    }
}

impl std::fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DeviceKind {
    type Err = String;

    fn from_str(text: &str) -> Result<DeviceKind, String> {
        DeviceKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| format!("unknown device kind {text:?} (tui, cli, qt or bot)"))
    }
}

/// `uid` is a string: all digits searches by uid, anything else by exact name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchReq {
    pub uid: String,
}
message!(SearchReq = ids::SEARCH_USER_REQ);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddFriendReq {
    pub uid: i32,
    /// The greeting.
    #[serde(default)]
    pub applyname: String,
    /// The applicant's remark for the target.
    #[serde(default)]
    pub bakname: String,
    pub touid: i32,
}
message!(AddFriendReq = ids::ADD_FRIEND_REQ);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthFriendReq {
    /// The approver (the session's own uid).
    pub fromuid: i32,
    /// The applicant.
    pub touid: i32,
    /// The approver's remark for the applicant.
    #[serde(default)]
    pub back: String,
}
message!(AuthFriendReq = ids::AUTH_FRIEND_REQ);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextItem {
    pub content: String,
    /// Client-chosen id; a resend with the same id is stored once.
    #[serde(default)]
    pub unique_id: String,
    /// imchat (`reply`): the `seq` of the message of the same thread this text replies to.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reply_to: i64,
}

fn is_zero_uid(n: &i32) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextChatReq {
    pub fromuid: i32,
    pub touid: i32,
    pub thread_id: i64,
    pub text_array: Vec<TextItem>,
}
message!(TextChatReq = ids::TEXT_CHAT_MSG_REQ);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatReq {
    pub fromuid: i32,
}
message!(HeartbeatReq = ids::HEART_BEAT_REQ);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadThreadsReq {
    pub uid: i32,
    /// Cursor: the last thread id seen, 0 at start.
    pub thread_id: i64,
}
message!(LoadThreadsReq = ids::LOAD_CHAT_THREAD_REQ);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePrivateChatReq {
    pub uid: i32,
    pub other_id: i32,
}
message!(CreatePrivateChatReq = ids::CREATE_PRIVATE_CHAT_REQ);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadChatMsgReq {
    pub thread_id: i64,
    /// Cursor: the last message id seen, 0 at start.
    pub message_id: i64,
}
message!(LoadChatMsgReq = ids::LOAD_CHAT_MSG_REQ);

/// llfc Season_2's picture message (1035): stores the message (status 3, not uploaded) and
/// reserves the file's name; the bytes follow on the resource connection. imchat's extension
/// fields are optional: `msg_type` 3 sends a generic file, `total_size` announces its size
/// (checked against the caps at once), `label` is the sender's file name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImgChatReq {
    pub fromuid: i32,
    /// The other member of a private thread; 0 in a group.
    pub touid: i32,
    pub thread_id: i64,
    pub md5: String,
    /// The client's unique file name (UUID plus extension); empty lets the server choose one.
    pub name: String,
    pub unique_id: String,
    /// imchat: 1 (picture, the default) or 3 (file).
    pub msg_type: i32,
    /// imchat: the file's size, when the client knows it up front.
    pub total_size: i64,
    /// imchat: the sender's name for the file.
    pub label: String,
}
message!(ImgChatReq = ids::IMG_CHAT_MSG_REQ);

/// imchat: the user has read `thread_id` up to `seq` (a marker only moves forward, and never
/// past the thread's last message).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadMarkReq {
    pub thread_id: i64,
    pub seq: i64,
}
message!(ReadMarkReq = ids::READ_MARK_REQ);

/// The marker as stored after the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadMarkRsp {
    pub error: i32,
    pub thread_id: i64,
    pub seq: i64,
}
message!(ReadMarkRsp = ids::READ_MARK_RSP);

/// imchat (`devices`): the user's marker in `thread_id`, moved to `seq` by another of their
/// devices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyReadMark {
    pub thread_id: i64,
    pub seq: i64,
}
message!(NotifyReadMark = ids::NOTIFY_READ_MARK);

/// imchat (`devices`): a text the user sent from another of their devices, as its recipient
/// got it (`fromuid` is the user; the chat is the one with `touid`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotifyOwnText(pub NotifyTextChat);
message!(NotifyOwnText = ids::NOTIFY_OWN_TEXT);

/// imchat (`typing`): the user is typing in their private chat with `touid`. Ephemeral: no
/// reply (an error comes as 1199), never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TypingReq {
    pub touid: i32,
}
message!(TypingReq = ids::TYPING_REQ);

/// imchat (`typing`): `fromuid`, a friend, is typing to the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyTyping {
    pub fromuid: i32,
}
message!(NotifyTyping = ids::NOTIFY_TYPING);

/// imchat (`receipts`): changes the settings named (absent: unchanged), and asks for them all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsReq {
    /// Whether the other member of a private chat sees how far this user has read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_receipts: Option<bool>,
    /// imchat (`presence`): who sees this user online and when last seen: `"everyone"`,
    /// `"friends"` or `"nobody"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence: Option<String>,
}
message!(SettingsReq = ids::SETTINGS_REQ);

/// The user's settings as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsRsp {
    pub error: i32,
    pub read_receipts: bool,
    pub presence: String,
}
message!(SettingsRsp = ids::SETTINGS_RSP);

/// imchat (`presence`): asks for the presence of `uids` (at most [`MAX_PRESENCE_UIDS`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PresenceReq {
    pub uids: Vec<i32>,
}
message!(PresenceReq = ids::PRESENCE_REQ);

/// Most uids one 1174 asks about.
pub const MAX_PRESENCE_UIDS: usize = 200;

/// One user's presence as the asker may see it: `visible` false (their setting hides it from
/// the asker) says nothing of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Presence {
    pub uid: i32,
    pub visible: bool,
    pub online: bool,
    /// When their last session ended (`chat_time` form, UTC); empty while online or unknown.
    pub last_seen: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PresenceRsp {
    pub error: i32,
    pub presences: Vec<Presence>,
}
message!(PresenceRsp = ids::PRESENCE_RSP);

/// imchat (`presence`): a friend came online or went offline (their setting lets the user
/// see it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotifyPresence(pub Presence);
message!(NotifyPresence = ids::NOTIFY_PRESENCE);

/// imchat (`receipts`): `uid`, the other member of private chat `thread_id`, has read it up
/// to `seq` (their read marker, which they let the user see).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyReceipt {
    pub thread_id: i64,
    pub uid: i32,
    pub seq: i64,
}
message!(NotifyReceipt = ids::NOTIFY_RECEIPT);

/// One private chat's read receipt in a sync reply: the other member's read marker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Receipt {
    pub thread_id: i64,
    pub seq: i64,
}

/// imchat extension: "what did I miss?" with the client's per-thread cursors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReq {
    /// The last `seq` the client holds per thread; threads not listed start at 0.
    #[serde(default)]
    pub cursors: Vec<SyncCursor>,
    /// For threads not listed: start this many messages before the end instead of at 0
    /// (a new device shows recent history and loads older pages on demand with 1102).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<i64>,
    /// Paged sync: only threads with an id above this one, at most `page_threads` of them
    /// (the server's `SyncThreads` when absent or larger). The client sends the cursors of
    /// its own first `page_threads` threads above it. Absent: every thread at once, as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_thread: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_threads: Option<i64>,
    /// imchat (`receipts`): also the read receipts of every private thread the sync covers
    /// (changed or not), in [`SyncRsp::receipts`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub receipts: bool,
}
message!(SyncReq = ids::SYNC_REQ);

/// imchat extension: the page of messages just before `before_seq` in a thread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadOlderReq {
    pub thread_id: i64,
    pub before_seq: i64,
}
message!(LoadOlderReq = ids::LOAD_OLDER_REQ);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCursor {
    pub thread_id: i64,
    pub seq: i64,
}

/// Every request a client may send, parsed from one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMsg {
    Login(LoginReq),
    Search(SearchReq),
    AddFriend(AddFriendReq),
    AuthFriend(AuthFriendReq),
    TextChat(TextChatReq),
    Heartbeat(HeartbeatReq),
    LoadThreads(LoadThreadsReq),
    CreatePrivateChat(CreatePrivateChatReq),
    LoadChatMsg(LoadChatMsgReq),
    Sync(SyncReq),
    LoadOlder(LoadOlderReq),
    ImgChat(ImgChatReq),
    GroupCreate(GroupCreateReq),
    GroupInvite(GroupInviteReq),
    GroupLeave(GroupLeaveReq),
    GroupRemove(GroupRemoveReq),
    GroupRole(GroupRoleReq),
    GroupUpdate(GroupUpdateReq),
    GroupDisband(GroupDisbandReq),
    GroupMute(GroupMuteReq),
    GroupMembers(GroupMembersReq),
    GroupInfo(GroupInfoReq),
    GroupReadBy(GroupReadByReq),
    GroupText(GroupTextReq),
    FriendPage(FriendPageReq),
    ApplyPage(ApplyPageReq),
    DeclineFriend(DeclineFriendReq),
    ReadMark(ReadMarkReq),
    Typing(TypingReq),
    Settings(SettingsReq),
    Recall(RecallReq),
    Edit(EditReq),
    React(ReactReq),
    Unfriend(UnfriendReq),
    Block(BlockReq),
    Remark(RemarkReq),
    Presence(PresenceReq),
    Forward(ForwardReq),
}

/// Why a frame body is not a valid request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown message id {0}")]
    UnknownId(u16),
    #[error("body is not valid UTF-8")]
    Utf8,
    #[error("bad JSON: {0}")]
    Json(String),
}

impl ParseError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ParseError::UnknownId(_) => ErrorCode::UnknownMsgId,
            ParseError::Utf8 | ParseError::Json(_) => ErrorCode::Json,
        }
    }
}

fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ParseError> {
    let text = std::str::from_utf8(body).map_err(|_| ParseError::Utf8)?;
    serde_json::from_str(text).map_err(|err| ParseError::Json(err.to_string()))
}

impl ClientMsg {
    pub fn parse(id: u16, body: &[u8]) -> Result<ClientMsg, ParseError> {
        use ids::*;
        Ok(match id {
            CHAT_LOGIN => ClientMsg::Login(parse_body(body)?),
            SEARCH_USER_REQ => ClientMsg::Search(parse_body(body)?),
            ADD_FRIEND_REQ => ClientMsg::AddFriend(parse_body(body)?),
            AUTH_FRIEND_REQ => ClientMsg::AuthFriend(parse_body(body)?),
            TEXT_CHAT_MSG_REQ => ClientMsg::TextChat(parse_body(body)?),
            HEART_BEAT_REQ => ClientMsg::Heartbeat(parse_body(body)?),
            LOAD_CHAT_THREAD_REQ => ClientMsg::LoadThreads(parse_body(body)?),
            CREATE_PRIVATE_CHAT_REQ => ClientMsg::CreatePrivateChat(parse_body(body)?),
            LOAD_CHAT_MSG_REQ => ClientMsg::LoadChatMsg(parse_body(body)?),
            SYNC_REQ => ClientMsg::Sync(parse_body(body)?),
            LOAD_OLDER_REQ => ClientMsg::LoadOlder(parse_body(body)?),
            IMG_CHAT_MSG_REQ => ClientMsg::ImgChat(parse_body(body)?),
            GROUP_CREATE_REQ => ClientMsg::GroupCreate(parse_body(body)?),
            GROUP_INVITE_REQ => ClientMsg::GroupInvite(parse_body(body)?),
            GROUP_LEAVE_REQ => ClientMsg::GroupLeave(parse_body(body)?),
            GROUP_REMOVE_REQ => ClientMsg::GroupRemove(parse_body(body)?),
            GROUP_ROLE_REQ => ClientMsg::GroupRole(parse_body(body)?),
            GROUP_UPDATE_REQ => ClientMsg::GroupUpdate(parse_body(body)?),
            GROUP_DISBAND_REQ => ClientMsg::GroupDisband(parse_body(body)?),
            GROUP_MUTE_REQ => ClientMsg::GroupMute(parse_body(body)?),
            GROUP_MEMBERS_REQ => ClientMsg::GroupMembers(parse_body(body)?),
            GROUP_INFO_REQ => ClientMsg::GroupInfo(parse_body(body)?),
            GROUP_READ_BY_REQ => ClientMsg::GroupReadBy(parse_body(body)?),
            GROUP_TEXT_REQ => ClientMsg::GroupText(parse_body(body)?),
            FRIEND_PAGE_REQ => ClientMsg::FriendPage(parse_body(body)?),
            APPLY_PAGE_REQ => ClientMsg::ApplyPage(parse_body(body)?),
            DECLINE_FRIEND_REQ => ClientMsg::DeclineFriend(parse_body(body)?),
            READ_MARK_REQ => ClientMsg::ReadMark(parse_body(body)?),
            TYPING_REQ => ClientMsg::Typing(parse_body(body)?),
            SETTINGS_REQ => ClientMsg::Settings(parse_body(body)?),
            RECALL_REQ => ClientMsg::Recall(parse_body(body)?),
            EDIT_REQ => ClientMsg::Edit(parse_body(body)?),
            REACT_REQ => ClientMsg::React(parse_body(body)?),
            UNFRIEND_REQ => ClientMsg::Unfriend(parse_body(body)?),
            BLOCK_REQ => ClientMsg::Block(parse_body(body)?),
            REMARK_REQ => ClientMsg::Remark(parse_body(body)?),
            PRESENCE_REQ => ClientMsg::Presence(parse_body(body)?),
            FORWARD_REQ => ClientMsg::Forward(parse_body(body)?),
            other => return Err(ParseError::UnknownId(other)),
        })
    }
}

// ---- server to client -------------------------------------------------------------------
//
// Every field of a server message is optional when read (`#[serde(default)]`): llfc's servers
// omit some (`token`, `apply_list`, `friend_list`, `status`, `seq`, `chat_datas`) and imchat's
// clients must read them all the same.

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplyInfo {
    pub name: String,
    pub uid: i32,
    pub icon: String,
    pub nick: String,
    pub sex: i32,
    /// The greeting (llfc left this empty).
    pub desc: String,
    /// 0 pending, 1 accepted.
    pub status: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendInfo {
    pub name: String,
    pub uid: i32,
    pub icon: String,
    pub nick: String,
    pub sex: i32,
    pub desc: String,
    /// This user's remark for the friend (llfc sent the friend's name by mistake).
    pub back: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginRsp {
    pub error: i32,
    pub uid: i32,
    /// Always `""`: the credential never leaves the server.
    pub pwd: String,
    pub name: String,
    pub email: String,
    pub nick: String,
    pub desc: String,
    pub sex: i32,
    pub icon: String,
    pub token: String,
    pub apply_list: Vec<ApplyInfo>,
    pub friend_list: Vec<FriendInfo>,
    /// imchat (`friend-pages`): the lists were cut to fit the frame; the rest come by 1104
    /// and 1106. Absent (false) when all of them are here.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub friends_more: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub applies_more: bool,
    /// imchat: the extensions this server speaks ([`caps`]). Absent from llfc's reply, which
    /// is how a client knows it talks to an llfc server.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub imchat: Vec<String>,
}
message!(LoginRsp = ids::CHAT_LOGIN_RSP);

/// What a 1006's `imchat` list may name.
pub mod caps {
    /// 1100 sync, 1102 older pages, and `seq` on every stored message.
    pub const SYNC: &str = "sync";
    /// Every error reply carries `message` and `req_id`; unknown ids are answered with 1199.
    pub const ERRORS: &str = "errors";
    /// 1100 takes `after_thread`/`page_threads` and answers with `next_thread`.
    pub const SYNC_PAGES: &str = "sync-pages";
    /// Groups: 1120–1143.
    pub const GROUPS: &str = "groups";
    /// Friend and request pages (1104, 1106), declining a request (1108), and the 1006's
    /// `friends_more`/`applies_more`.
    pub const FRIEND_PAGES: &str = "friend-pages";
    /// Read markers: 1110, and `read_seq` with unread counts from it in 1101.
    pub const READ_MARKS: &str = "read-marks";
    /// Several devices: the 1005's `device` and `kind`; a session that names it also gets
    /// its user's texts from their other devices (1112) and their read markers (1113).
    pub const DEVICES: &str = "devices";
    /// Typing notices: 1114, and 1115 to a session that names it.
    pub const TYPING: &str = "typing";
    /// Read receipts: 1116 (settings), 1118 to a session that names it, `receipts` in 1100/1101.
    pub const RECEIPTS: &str = "receipts";
    /// Recall: 1160, 1162 to a session that names it, recall notices (`msg_type` 11) and
    /// recalled messages (`status` 4) in its sync and history.
    pub const RECALL: &str = "recall";
    /// Edit: 1163, 1165 to a session that names it, edit notices (`msg_type` 12) as they are.
    pub const EDIT: &str = "edit";
    /// Reactions: 1166, 1168 to a session that names it, reaction notices (`msg_type` 13) as
    /// they are, and `reactions` on messages in 1101 and 1103.
    pub const REACTIONS: &str = "reactions";
    /// Friendships ended, blocks and remarks: 1146, 1148, 1170, and 1172 to a session that
    /// names it.
    pub const FRIENDS: &str = "friends";
    /// Presence: 1174, 1176 to a session that names it, `presence` in 1116/1117.
    pub const PRESENCE: &str = "presence";
    /// Replies: a text's `reply_to`, and `reply` (the quote as it is now) on messages.
    pub const REPLY: &str = "reply";
    /// Forwarding: 1178, and `forwarded_from` on messages.
    pub const FORWARD: &str = "forward";
    /// What an imchat server of this version announces.
    pub const ALL: &[&str] = &[
        SYNC,
        ERRORS,
        SYNC_PAGES,
        GROUPS,
        FRIEND_PAGES,
        READ_MARKS,
        DEVICES,
        TYPING,
        RECEIPTS,
        RECALL,
        EDIT,
        REACTIONS,
        FRIENDS,
        PRESENCE,
        REPLY,
        FORWARD,
    ];
    /// The frame ids only a session that named [`DEVICES`] is sent.
    pub const DEVICES_IDS: &[u16] = &[super::ids::NOTIFY_OWN_TEXT, super::ids::NOTIFY_READ_MARK];
    /// The frame ids only a session that named [`TYPING`] is sent.
    pub const TYPING_IDS: &[u16] = &[super::ids::NOTIFY_TYPING];
    /// The frame ids only a session that named [`RECEIPTS`] is sent.
    pub const RECEIPTS_IDS: &[u16] = &[super::ids::NOTIFY_RECEIPT];
    /// The frame ids only a session that named [`RECALL`] is sent as they are (an llfc
    /// client gets a private chat's as a text, `crate::llfc_client::adapt_push`).
    pub const RECALL_IDS: &[u16] = &[super::ids::NOTIFY_RECALL];
    /// The frame ids only a session that named [`EDIT`] is sent as they are (an llfc client
    /// gets a private chat's as a text).
    pub const EDIT_IDS: &[u16] = &[super::ids::NOTIFY_EDIT];
    /// The frame ids only a session that named [`REACTIONS`] is sent (no llfc client is).
    pub const REACTIONS_IDS: &[u16] = &[super::ids::NOTIFY_REACT];
    /// The frame ids only a session that named [`FRIENDS`] is sent.
    pub const FRIENDS_IDS: &[u16] = &[super::ids::NOTIFY_FRIEND_CHANGED];
    /// The frame ids only a session that named [`PRESENCE`] is sent.
    pub const PRESENCE_IDS: &[u16] = &[super::ids::NOTIFY_PRESENCE];
    /// `max-text=N`: the most bytes of one text the server takes (`[Limits] MaxTextBytes`).
    pub const MAX_TEXT: &str = "max-text=";

    /// The text limit a 1006's list announces, if it does.
    pub fn max_text(list: &[String]) -> Option<usize> {
        list.iter().find_map(|cap| cap.strip_prefix(MAX_TEXT)?.parse().ok())
    }
}

/// `pwd` and `email` are always `""`: search never reveals another user's secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRsp {
    pub error: i32,
    pub uid: i32,
    pub pwd: String,
    pub name: String,
    pub email: String,
    pub nick: String,
    pub desc: String,
    pub sex: i32,
    pub icon: String,
}
message!(SearchRsp = ids::SEARCH_USER_RSP);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddFriendRsp {
    pub error: i32,
}
message!(AddFriendRsp = ids::ADD_FRIEND_RSP);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyAddFriend {
    pub error: i32,
    pub applyuid: i32,
    pub name: String,
    /// The greeting.
    pub desc: String,
    pub icon: String,
    pub sex: i32,
    pub nick: String,
}
message!(NotifyAddFriend = ids::NOTIFY_ADD_FRIEND_REQ);

/// A message as carried in 1014/1015 (`chat_datas` of a new friendship).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthChatData {
    pub sender: i32,
    pub msg_id: i64,
    pub thread_id: i64,
    pub unique_id: String,
    pub msg_content: String,
    pub chat_time: String,
    pub status: i32,
    /// imchat: the per-thread sequence number.
    #[serde(default)]
    pub seq: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthFriendRsp {
    pub error: i32,
    pub name: String,
    pub nick: String,
    pub icon: String,
    pub sex: i32,
    pub uid: i32,
    pub chat_datas: Vec<AuthChatData>,
}
message!(AuthFriendRsp = ids::AUTH_FRIEND_RSP);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyAuthFriend {
    pub error: i32,
    pub fromuid: i32,
    pub touid: i32,
    pub name: String,
    pub nick: String,
    pub icon: String,
    pub sex: i32,
    pub chat_datas: Vec<AuthChatData>,
}
message!(NotifyAuthFriend = ids::NOTIFY_AUTH_FRIEND_REQ);

/// A stored text message as carried in 1018/1019.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextChatData {
    pub message_id: i64,
    pub unique_id: String,
    pub content: String,
    pub status: i32,
    pub chat_time: String,
    /// imchat: the per-thread sequence number, for sync cursors.
    #[serde(default)]
    pub seq: i64,
    /// imchat (`reply`): the message this text replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Quote>,
    /// imchat (`forward`): the sender forwarded it; the original was this user's.
    #[serde(default, skip_serializing_if = "is_zero_uid")]
    pub forwarded_from: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextChatRsp {
    pub error: i32,
    pub fromuid: i32,
    pub touid: i32,
    pub thread_id: i64,
    pub chat_datas: Vec<TextChatData>,
}
message!(TextChatRsp = ids::TEXT_CHAT_MSG_RSP);

/// The push to the recipient: the same object as the sender's 1018.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyTextChat {
    pub error: i32,
    pub fromuid: i32,
    pub touid: i32,
    pub thread_id: i64,
    pub chat_datas: Vec<TextChatData>,
}
message!(NotifyTextChat = ids::NOTIFY_TEXT_CHAT_MSG_REQ);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyOffline {
    pub error: i32,
    pub uid: i32,
    /// imchat: why the session ends ("logged in elsewhere", an operator's reason, ...).
    #[serde(default)]
    pub reason: String,
}
message!(NotifyOffline = ids::NOTIFY_OFF_LINE_REQ);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeartbeatRsp {
    pub error: i32,
}
message!(HeartbeatRsp = ids::HEARTBEAT_RSP);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThreadInfo {
    pub thread_id: i64,
    /// `"private"` or `"group"`.
    #[serde(rename = "type")]
    pub kind: String,
    pub user1_id: i32,
    pub user2_id: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadThreadsRsp {
    pub error: i32,
    pub uid: i32,
    pub load_more: bool,
    pub next_last_id: i64,
    pub threads: Vec<ThreadInfo>,
}
message!(LoadThreadsRsp = ids::LOAD_CHAT_THREAD_RSP);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreatePrivateChatRsp {
    pub error: i32,
    pub uid: i32,
    pub other_id: i32,
    pub thread_id: i64,
}
message!(CreatePrivateChatRsp = ids::CREATE_PRIVATE_CHAT_RSP);

/// A message as carried in history pages (1030). `unique_id` is the integer 0, as in llfc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HistoryData {
    pub sender: i32,
    pub msg_id: i64,
    pub thread_id: i64,
    pub unique_id: i32,
    pub msg_content: String,
    pub chat_time: String,
    pub status: i32,
    pub msg_type: i32,
    pub receiver: i32,
    /// imchat: the per-thread sequence number.
    #[serde(default)]
    pub seq: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadChatMsgRsp {
    pub error: i32,
    pub thread_id: i64,
    pub last_message_id: i64,
    pub load_more: bool,
    pub chat_datas: Vec<HistoryData>,
}
message!(LoadChatMsgRsp = ids::LOAD_CHAT_MSG_RSP);

/// Per-thread state in a sync reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncThread {
    pub thread_id: i64,
    /// The other member of a private thread (0 for a group).
    pub peer_uid: i32,
    pub last_seq: i64,
    /// Messages not sent by the client after its read marker (`read-marks`; before them,
    /// after its cursor).
    pub unread: i64,
    /// imchat (`read-marks`): the seq the user has read up to, on any device.
    #[serde(skip_serializing_if = "is_zero")]
    pub read_seq: i64,
    /// imchat groups: `"group"` (absent or `"private"` otherwise), and how many of the unread
    /// messages @mention the client.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub mentions: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// A message in a sync reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncData {
    pub thread_id: i64,
    pub seq: i64,
    pub message_id: i64,
    pub sender: i32,
    pub receiver: i32,
    pub unique_id: String,
    pub content: String,
    pub chat_time: String,
    pub status: i32,
    pub msg_type: i32,
    /// Group texts: the members they @mention.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<i32>,
    /// imchat (`reactions`): the message's reactions, most given first (sync and history).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionCount>,
    /// imchat (`reply`): the message this one replies to, as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<Quote>,
    /// imchat (`forward`): the sender forwarded it; the original was this user's.
    #[serde(skip_serializing_if = "is_zero_uid")]
    pub forwarded_from: i32,
}

/// imchat extension: what the client missed, oldest first. When `more` is true the client asks
/// again with its advanced cursors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncRsp {
    pub error: i32,
    pub threads: Vec<SyncThread>,
    pub chat_datas: Vec<SyncData>,
    pub more: bool,
    /// Paged syncs with `more`: the `after_thread` of the next request (the same one while
    /// this page of threads has messages left, then the page's last thread).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_thread: Option<i64>,
    /// Asked for with [`SyncReq::receipts`]: the other member's read marker per private thread
    /// covered, where they have one and allow receipts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<Receipt>,
}
message!(SyncRsp = ids::SYNC_RSP);

/// imchat extension: older messages of one thread, oldest first; `more` when even older exist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadOlderRsp {
    pub error: i32,
    pub thread_id: i64,
    pub chat_datas: Vec<SyncData>,
    pub more: bool,
}
message!(LoadOlderRsp = ids::LOAD_OLDER_RSP);

/// The answer to a picture message (1036): llfc's fields (the request's echoed, the stored
/// message's `message_id`, `status` 3 and `chat_time`), imchat's `seq` and `msg_type`. On an
/// error, what names the picture is still echoed, so a client can mark it as not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImgChatRsp {
    pub error: i32,
    pub message: String,
    pub req_id: u16,
    pub fromuid: i32,
    pub touid: i32,
    pub thread_id: i64,
    pub md5: String,
    /// The file's name: the client's, or the one the server chose.
    pub unique_name: String,
    pub unique_id: String,
    pub message_id: i64,
    pub status: i32,
    pub chat_time: String,
    pub seq: i64,
    pub msg_type: i32,
}
message!(ImgChatRsp = ids::IMG_CHAT_MSG_RSP);

/// The body of any failed request, sent under the request's reply id (or [`ids::ERROR_RSP`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: i32,
    #[serde(default)]
    pub message: String,
    /// The id of the frame this answers.
    #[serde(default)]
    pub req_id: u16,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, req_id: u16) -> ErrorBody {
        ErrorBody { error: code.code(), message: code.describe().to_owned(), req_id }
    }

    /// Appends the error as a frame under the reply id of `req_id`.
    pub fn encode(&self, dst: &mut BytesMut) -> Result<(), EncodeError> {
        let id = reply_id(self.req_id).unwrap_or(ids::ERROR_RSP);
        let body = serde_json::to_vec(self).expect("error bodies always serialise");
        encode(id, &body, dst)
    }
}

#[cfg(test)]
mod tests;
