//! imchat's group messages (ids 1120–1143). A group is a thread: its texts and system messages
//! take the thread's `seq`, sync and history as a private thread's do, and llfc's 1025 lists it
//! with `type: "group"`. Every reply carries the group as it is after the request.

use serde::{Deserialize, Serialize};

use super::{Message, SyncData, TextItem};

/// Group message ids.
pub mod ids {
    pub const GROUP_CREATE_REQ: u16 = 1120;
    pub const GROUP_CREATE_RSP: u16 = 1121;
    pub const GROUP_INVITE_REQ: u16 = 1122;
    pub const GROUP_INVITE_RSP: u16 = 1123;
    pub const GROUP_LEAVE_REQ: u16 = 1124;
    pub const GROUP_LEAVE_RSP: u16 = 1125;
    pub const GROUP_REMOVE_REQ: u16 = 1126;
    pub const GROUP_REMOVE_RSP: u16 = 1127;
    pub const GROUP_ROLE_REQ: u16 = 1128;
    pub const GROUP_ROLE_RSP: u16 = 1129;
    pub const GROUP_UPDATE_REQ: u16 = 1130;
    pub const GROUP_UPDATE_RSP: u16 = 1131;
    pub const GROUP_DISBAND_REQ: u16 = 1132;
    pub const GROUP_DISBAND_RSP: u16 = 1133;
    pub const GROUP_MUTE_REQ: u16 = 1134;
    pub const GROUP_MUTE_RSP: u16 = 1135;
    pub const GROUP_MEMBERS_REQ: u16 = 1136;
    pub const GROUP_MEMBERS_RSP: u16 = 1137;
    pub const GROUP_INFO_REQ: u16 = 1138;
    pub const GROUP_INFO_RSP: u16 = 1139;
    pub const GROUP_TEXT_REQ: u16 = 1140;
    pub const GROUP_TEXT_RSP: u16 = 1141;
    /// A group's new message (a text or a system message), pushed to every member.
    pub const NOTIFY_GROUP_MSG: u16 = 1142;
    /// A group's state after a change, pushed to its members before and after it.
    pub const NOTIFY_GROUP_CHANGED: u16 = 1143;
    /// imchat (`receipts`): how many members have read a group up to a seq.
    pub const GROUP_READ_BY_REQ: u16 = 1144;
    pub const GROUP_READ_BY_RSP: u16 = 1145;
}

/// The reply id of a group request.
pub fn reply_id(request_id: u16) -> Option<u16> {
    let group_request =
        (ids::GROUP_CREATE_REQ..=ids::GROUP_TEXT_REQ).contains(&request_id) || request_id == ids::GROUP_READ_BY_REQ;
    (group_request && request_id.is_multiple_of(2)).then_some(request_id + 1)
}

/// `msg_type` of a group's system message; its `content` is a [`GroupEvent`] as JSON.
pub const MSG_TYPE_SYSTEM: i32 = 10;

/// A group as its members see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupInfo {
    pub thread_id: i64,
    pub name: String,
    pub announcement: String,
    pub owner: i32,
    /// Who may invite: `"members"` (their friends) or `"admins"`.
    pub invite: String,
    pub members: i64,
    pub disbanded: bool,
    pub last_seq: i64,
    /// The asking (or pushed-to) user's role: `"owner"`, `"admin"`, `"member"`, or `""` when
    /// they are no longer a member; and whether they muted the group.
    pub role: String,
    pub muted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupMember {
    pub uid: i32,
    pub name: String,
    pub nick: String,
    pub icon: String,
    pub role: String,
}

/// Most names a [`GroupEvent`] lists; its `uids` are all there, so the rest are counted
/// (`uids.len() - names.len()`). Bounds the event however many are invited at once, so every
/// system message fits a frame (review 3, N8).
pub const EVENT_NAMES: usize = 20;

/// A stored message too large to frame is sent as this (its `msg_type` and place kept), so
/// sync and history always move past it.
pub const OVERSIZE_TEXT: &str = "[a message too large to show]";

/// The system event shown in place of one too large to frame.
pub const OVERSIZE_EVENT: &str = "oversize";

/// What a system message says happened (its `content`). Names are those at the time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupEvent {
    /// `create`, `invite`, `leave`, `remove`, `admin`, `unadmin`, `owner`, `rename`,
    /// `announce`, `invite_policy`, `disband`.
    pub event: String,
    /// The actor (0: an operator).
    pub by: i32,
    pub by_name: String,
    pub uids: Vec<i32>,
    pub names: Vec<String>,
    /// The new name, announcement or invite policy.
    pub text: String,
}

impl GroupEvent {
    /// One line for a chat view: "alice added bob, carol".
    pub fn describe(&self) -> String {
        let by = if self.by == 0 { "an operator".to_owned() } else { self.by_name.clone() };
        let mut whom = self.names.join(", ");
        let others = self.uids.len().saturating_sub(self.names.len());
        if others > 0 && !self.names.is_empty() {
            whom.push_str(&format!(" and {others} others"));
        } else if others > 0 {
            whom = format!("{others} members");
        }
        match self.event.as_str() {
            "create" => format!("{by} created the group \"{}\" with {whom}", self.text),
            "invite" => format!("{by} added {whom}"),
            "leave" => format!("{by} left"),
            "remove" => format!("{by} removed {whom}"),
            "admin" => format!("{by} made {whom} an admin"),
            "unadmin" => format!("{by} made {whom} a member"),
            "owner" => format!("{by} handed the group to {whom}"),
            "rename" => format!("{by} renamed the group \"{}\"", self.text),
            "announce" => format!("{by} set the announcement: {}", self.text),
            "invite_policy" => format!("{by} let {} invite", self.text),
            "disband" => format!("{by} disbanded the group"),
            OVERSIZE_EVENT => "(an event too large to show)".to_owned(),
            other => format!("{by}: {other}"),
        }
    }
}

macro_rules! group_message {
    ($(#[$doc:meta])* $ty:ident = $id:expr, { $($(#[$fdoc:meta])* $field:ident: $fty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default)]
        pub struct $ty {
            $($(#[$fdoc])* pub $field: $fty,)*
        }
        impl Message for $ty {
            const ID: u16 = $id;
        }
    };
}

group_message!(
    /// A new group of the sender and `members` (their friends).
    GroupCreateReq = ids::GROUP_CREATE_REQ, { name: String, members: Vec<i32> });
group_message!(
    /// Adds the sender's friends `uids` (members already in are skipped).
    GroupInviteReq = ids::GROUP_INVITE_REQ, { thread_id: i64, uids: Vec<i32> });
group_message!(GroupLeaveReq = ids::GROUP_LEAVE_REQ, { thread_id: i64 });
group_message!(GroupRemoveReq = ids::GROUP_REMOVE_REQ, { thread_id: i64, uid: i32 });
group_message!(
    /// The owner sets a member's role: `"admin"`, `"member"`, or `"owner"` (hands the group
    /// over; the old owner becomes an admin).
    GroupRoleReq = ids::GROUP_ROLE_REQ, { thread_id: i64, uid: i32, role: String });
group_message!(
/// An admin changes what is given (each field optional).
GroupUpdateReq = ids::GROUP_UPDATE_REQ, {
    thread_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    announcement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invite: Option<String>,
});
group_message!(GroupDisbandReq = ids::GROUP_DISBAND_REQ, { thread_id: i64 });
group_message!(GroupMuteReq = ids::GROUP_MUTE_REQ, { thread_id: i64, muted: bool });
group_message!(
    /// A page of members by uid above `after_uid` (`limit` at most the server's page).
    GroupMembersReq = ids::GROUP_MEMBERS_REQ, { thread_id: i64, after_uid: i32, limit: i64 });
group_message!(GroupInfoReq = ids::GROUP_INFO_REQ, { thread_id: i64 });
group_message!(
    /// How many other members have read group `thread_id` up to `seq` (`receipts`).
    GroupReadByReq = ids::GROUP_READ_BY_REQ, { thread_id: i64, seq: i64 });
group_message!(
    /// Members other than the asker whose read marker has reached `seq` and who allow receipts.
    GroupReadByRsp = ids::GROUP_READ_BY_RSP, { error: i32, thread_id: i64, seq: i64, readers: i64 });
group_message!(
    /// Texts to a group; `mentions` are members the texts @mention (flagged for them in the
    /// push and counted in their sync).
    GroupTextReq = ids::GROUP_TEXT_REQ, { fromuid: i32, thread_id: i64, text_array: Vec<TextItem>, mentions: Vec<i32> });

group_message!(GroupCreateRsp = ids::GROUP_CREATE_RSP, { error: i32, group: GroupInfo });
group_message!(GroupInviteRsp = ids::GROUP_INVITE_RSP, { error: i32, group: GroupInfo });
group_message!(GroupLeaveRsp = ids::GROUP_LEAVE_RSP, { error: i32, group: GroupInfo });
group_message!(GroupRemoveRsp = ids::GROUP_REMOVE_RSP, { error: i32, group: GroupInfo });
group_message!(GroupRoleRsp = ids::GROUP_ROLE_RSP, { error: i32, group: GroupInfo });
group_message!(GroupUpdateRsp = ids::GROUP_UPDATE_RSP, { error: i32, group: GroupInfo });
group_message!(GroupDisbandRsp = ids::GROUP_DISBAND_RSP, { error: i32, group: GroupInfo });
group_message!(GroupMuteRsp = ids::GROUP_MUTE_RSP, { error: i32, group: GroupInfo });
group_message!(GroupInfoRsp = ids::GROUP_INFO_RSP, { error: i32, group: GroupInfo });
group_message!(GroupMembersRsp = ids::GROUP_MEMBERS_RSP, {
    error: i32, thread_id: i64, members: Vec<GroupMember>, more: bool });
group_message!(
    /// The sender's acknowledgement: the texts as stored (with `seq`), once each has a place
    /// on its way to every connected member.
    GroupTextRsp = ids::GROUP_TEXT_RSP, { error: i32, fromuid: i32, thread_id: i64, chat_datas: Vec<SyncData> });
group_message!(
    /// A group's new messages, pushed to its members: texts, or a system message
    /// (`msg_type` [`MSG_TYPE_SYSTEM`]). `mentions` lists whom `chat_datas` @mention.
    NotifyGroupMsg = ids::NOTIFY_GROUP_MSG, { fromuid: i32, thread_id: i64, chat_datas: Vec<SyncData>, mentions: Vec<i32> });
group_message!(
    /// A group after a change (`role` as the recipient's, `""` once they left).
    NotifyGroupChanged = ids::NOTIFY_GROUP_CHANGED, { group: GroupInfo });
