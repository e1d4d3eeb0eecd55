//! imchat's friend-list messages (ids 1104–1109): the pages a login reply had no room for,
//! and declining a request; and (1146–1149, 1170–1172, `friends`) ending a friendship,
//! blocking and a remark per friend. llfc had no paging (its 1006 carried everything, and a
//! long list made it unframable, review 3 N1) and no way to say no.

use serde::{Deserialize, Serialize};

use super::{ApplyInfo, FriendInfo, Message};

/// Friend-list message ids.
pub mod ids {
    pub const FRIEND_PAGE_REQ: u16 = 1104;
    pub const FRIEND_PAGE_RSP: u16 = 1105;
    pub const APPLY_PAGE_REQ: u16 = 1106;
    pub const APPLY_PAGE_RSP: u16 = 1107;
    pub const DECLINE_FRIEND_REQ: u16 = 1108;
    pub const DECLINE_FRIEND_RSP: u16 = 1109;
    /// imchat (`friends`): end a friendship, block or unblock, a remark per friend, and the
    /// user's other devices told of each.
    pub const UNFRIEND_REQ: u16 = 1146;
    pub const UNFRIEND_RSP: u16 = 1147;
    pub const BLOCK_REQ: u16 = 1148;
    pub const BLOCK_RSP: u16 = 1149;
    pub const REMARK_REQ: u16 = 1170;
    pub const REMARK_RSP: u16 = 1171;
    pub const NOTIFY_FRIEND_CHANGED: u16 = 1172;
}

/// The reply id of a friend-list request.
pub fn reply_id(request_id: u16) -> Option<u16> {
    let pages = (ids::FRIEND_PAGE_REQ..=ids::DECLINE_FRIEND_REQ).contains(&request_id);
    let changes = matches!(request_id, ids::UNFRIEND_REQ | ids::BLOCK_REQ | ids::REMARK_REQ);
    ((pages || changes) && request_id.is_multiple_of(2)).then_some(request_id + 1)
}

/// Ends the friendship with `uid`, both ways; the thread stays readable, no new texts go
/// either way. `uid` is not told (their next text is refused as a stranger's is).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnfriendReq {
    pub uid: i32,
}
message!(UnfriendReq = ids::UNFRIEND_REQ);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnfriendRsp {
    pub error: i32,
    pub uid: i32,
}
message!(UnfriendRsp = ids::UNFRIEND_RSP);

/// Blocks `uid` (`blocked`) or unblocks them. A block ends the friendship; the blocked
/// user's requests, texts and mentions then fare as a stranger's would, so nothing tells them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockReq {
    pub uid: i32,
    pub blocked: bool,
}
message!(BlockReq = ids::BLOCK_REQ);

/// The answer to a 1148, with every user this user blocks (at most `[Limits] MaxBlocked`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockRsp {
    pub error: i32,
    pub uid: i32,
    pub blocked: bool,
    pub blocked_list: Vec<i32>,
}
message!(BlockRsp = ids::BLOCK_RSP);

/// Sets the user's remark (备注) for friend `uid` (empty: none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemarkReq {
    pub uid: i32,
    pub remark: String,
}
message!(RemarkReq = ids::REMARK_REQ);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemarkRsp {
    pub error: i32,
    pub uid: i32,
    pub remark: String,
}
message!(RemarkRsp = ids::REMARK_RSP);

/// imchat (`friends`): another device of the user changed their relation to `uid`: `friend`
/// whether they are still friends, `remark` the remark, `blocked` whether `uid` is blocked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyFriendChanged {
    pub uid: i32,
    pub friend: bool,
    pub remark: String,
    pub blocked: bool,
}
message!(NotifyFriendChanged = ids::NOTIFY_FRIEND_CHANGED);

/// The user's friends after `after` (a cursor: 0 for the first page, then the last page's
/// `next`), in the order they became friends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendPageReq {
    pub after: i64,
}
message!(FriendPageReq = ids::FRIEND_PAGE_REQ);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendPageRsp {
    pub error: i32,
    pub friends: Vec<FriendInfo>,
    /// Where the next page starts; `more` when there may be one.
    pub next: i64,
    pub more: bool,
}
message!(FriendPageRsp = ids::FRIEND_PAGE_RSP);

/// Friend requests to the user before `before` (0: from the newest), newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplyPageReq {
    pub before: i64,
}
message!(ApplyPageReq = ids::APPLY_PAGE_REQ);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplyPageRsp {
    pub error: i32,
    pub applies: Vec<ApplyInfo>,
    pub next: i64,
    pub more: bool,
}
message!(ApplyPageRsp = ids::APPLY_PAGE_RSP);

/// Declines `applyuid`'s pending request: it leaves the list, and the applicant is not told
/// (refusing and ignoring look the same to them, as in WeChat).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclineFriendReq {
    pub applyuid: i32,
}
message!(DeclineFriendReq = ids::DECLINE_FRIEND_REQ);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclineFriendRsp {
    pub error: i32,
    pub applyuid: i32,
}
message!(DeclineFriendRsp = ids::DECLINE_FRIEND_RSP);
