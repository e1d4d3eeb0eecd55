//! imchat's friend-list messages (ids 1104–1109): the pages a login reply had no room for,
//! and declining a request. llfc had no paging (its 1006 carried everything, and a long
//! list made it unframable, review 3 N1) and no way to say no.

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
}

/// The reply id of a friend-list request.
pub fn reply_id(request_id: u16) -> Option<u16> {
    ((ids::FRIEND_PAGE_REQ..=ids::DECLINE_FRIEND_REQ).contains(&request_id) && request_id.is_multiple_of(2))
        .then_some(request_id + 1)
}

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
