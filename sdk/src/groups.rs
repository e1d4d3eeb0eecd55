//! Groups on [`ChatClient`]: create, invite, leave, remove, roles, settings, mute, members,
//! and texts (1120–1142). A group is a thread: its pushes come as [`crate::Event::Group`], and
//! sync and history cover it as any thread. Only imchat servers have groups (the `groups`
//! capability); against others these calls fail with the server's answer.

use imchat_proto::msg::{
    GroupCreateReq, GroupCreateRsp, GroupDisbandReq, GroupDisbandRsp, GroupInfoReq, GroupInfoRsp, GroupInviteReq,
    GroupInviteRsp, GroupLeaveReq, GroupLeaveRsp, GroupMember, GroupMembersReq, GroupMembersRsp, GroupMuteReq,
    GroupMuteRsp, GroupReadByReq, GroupReadByRsp, GroupRemoveReq, GroupRemoveRsp, GroupRoleReq, GroupRoleRsp,
    GroupTextReq, GroupTextRsp, GroupUpdateReq, GroupUpdateRsp, TextItem,
};

use crate::{ChatClient, SdkError};

impl ChatClient {
    /// A new group of this user and `members` (their friends).
    pub async fn create_group(&self, name: &str, members: &[i32]) -> Result<GroupCreateRsp, SdkError> {
        self.call(&GroupCreateReq { name: name.to_owned(), members: members.to_vec() }).await
    }

    pub async fn invite_to_group(&self, thread_id: i64, uids: &[i32]) -> Result<GroupInviteRsp, SdkError> {
        self.call(&GroupInviteReq { thread_id, uids: uids.to_vec() }).await
    }

    pub async fn leave_group(&self, thread_id: i64) -> Result<GroupLeaveRsp, SdkError> {
        self.call(&GroupLeaveReq { thread_id }).await
    }

    pub async fn remove_from_group(&self, thread_id: i64, uid: i32) -> Result<GroupRemoveRsp, SdkError> {
        self.call(&GroupRemoveReq { thread_id, uid }).await
    }

    /// `role`: `"admin"`, `"member"`, or `"owner"` (hands the group over).
    pub async fn set_group_role(&self, thread_id: i64, uid: i32, role: &str) -> Result<GroupRoleRsp, SdkError> {
        self.call(&GroupRoleReq { thread_id, uid, role: role.to_owned() }).await
    }

    /// Changes what is given of the name, the announcement and who may invite
    /// (`"members"`/`"admins"`).
    pub async fn update_group(&self, req: GroupUpdateReq) -> Result<GroupUpdateRsp, SdkError> {
        self.call(&req).await
    }

    pub async fn disband_group(&self, thread_id: i64) -> Result<GroupDisbandRsp, SdkError> {
        self.call(&GroupDisbandReq { thread_id }).await
    }

    pub async fn mute_group(&self, thread_id: i64, muted: bool) -> Result<GroupMuteRsp, SdkError> {
        self.call(&GroupMuteReq { thread_id, muted }).await
    }

    pub async fn group_info(&self, thread_id: i64) -> Result<GroupInfoRsp, SdkError> {
        self.call(&GroupInfoReq { thread_id }).await
    }

    /// One page of members (uids above `after_uid`).
    pub async fn group_members_page(&self, thread_id: i64, after_uid: i32) -> Result<GroupMembersRsp, SdkError> {
        self.call(&GroupMembersReq { thread_id, after_uid, limit: 0 }).await
    }

    /// Every member, page by page.
    pub async fn group_members(&self, thread_id: i64) -> Result<Vec<GroupMember>, SdkError> {
        let mut members: Vec<GroupMember> = Vec::new();
        loop {
            let after = members.last().map_or(0, |m| m.uid);
            let page = self.group_members_page(thread_id, after).await?;
            let more = page.more && !page.members.is_empty();
            members.extend(page.members);
            if !more {
                return Ok(members);
            }
        }
    }

    /// How many other members have read group `thread_id` up to `seq` (1144, `receipts`).
    pub async fn group_read_by(&self, thread_id: i64, seq: i64) -> Result<i64, SdkError> {
        Ok(self.call::<_, GroupReadByRsp>(&GroupReadByReq { thread_id, seq }).await?.readers)
    }

    /// Sends texts as `(content, unique_id)` pairs to a group, @mentioning `mentions`.
    pub async fn send_group_texts(
        &self,
        uid: i32,
        thread_id: i64,
        texts: &[(&str, &str)],
        mentions: &[i32],
    ) -> Result<GroupTextRsp, SdkError> {
        self.send_group_items(uid, thread_id, crate::chat::plain_texts(texts), mentions).await
    }

    /// Sends texts to a group that may reply to messages of it ([`TextItem::reply_to`]).
    pub async fn send_group_items(
        &self,
        uid: i32,
        thread_id: i64,
        text_array: Vec<TextItem>,
        mentions: &[i32],
    ) -> Result<GroupTextRsp, SdkError> {
        self.call(&GroupTextReq { fromuid: uid, thread_id, text_array, mentions: mentions.to_vec() }).await
    }
}
