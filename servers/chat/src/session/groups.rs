//! Group requests (1120–1140): changes go through [`groups::apply`] and are answered with the
//! group as it is after them; a 1140 is stored once for the group, then pushed to every other
//! member (one fan-out per server), and acknowledged once each push has a place on its way.

use std::collections::HashMap;
use std::sync::Arc;

use imchat_proto::ErrorCode;
use imchat_proto::msg::{
    GroupCreateReq, GroupCreateRsp, GroupDisbandReq, GroupDisbandRsp, GroupInfo, GroupInfoReq, GroupInfoRsp,
    GroupInviteReq, GroupInviteRsp, GroupLeaveReq, GroupLeaveRsp, GroupMember, GroupMembersReq, GroupMembersRsp,
    GroupMuteReq, GroupMuteRsp, GroupReadByReq, GroupReadByRsp, GroupRemoveReq, GroupRemoveRsp, GroupRoleReq,
    GroupRoleRsp, GroupTextReq, GroupTextRsp, GroupUpdateReq, GroupUpdateRsp, Quote, ids,
};
use imchat_proto::rules::{check_announcement, check_group_name};
use imchat_store::{Actor, Change, Changed, Group, InvitePolicy, NewMsg, Refusal, Role, StoredMsg};

use crate::groups::{self, group_push, info, sync_data};
use crate::session::chat::{texts_valid, widest_quote};
use crate::session::{Done, Handled, Pending, Reject, Session};

/// A 1140 whose texts are stored: what its pushes and 1141 are made of.
pub(crate) struct GroupSent {
    fromuid: i32,
    thread_id: i64,
    group: Arc<Group>,
    stored: Vec<StoredMsg>,
    reused: bool,
    /// The messages its texts reply to, by seq.
    quotes: HashMap<i64, Quote>,
}

/// The one mapping of a group refusal to what the client is told. A group the user is not in
/// is answered as one that does not exist.
fn refused(refusal: Refusal) -> Reject {
    Reject(match refusal {
        Refusal::NoSuchGroup | Refusal::NotMember => ErrorCode::NotThreadMember,
        Refusal::NotAdmin => ErrorCode::NotGroupAdmin,
        Refusal::NotOwner => ErrorCode::NotGroupOwner,
        Refusal::Full => ErrorCode::GroupFull,
        Refusal::Disbanded => ErrorCode::GroupDisbanded,
        Refusal::NotFriend => ErrorCode::NotFriend,
        Refusal::NoSuchMember => ErrorCode::NotGroupMember,
        Refusal::Invalid => ErrorCode::InvalidArgument,
    })
}

fn check<T>(rule: Result<T, &'static str>) -> Result<T, Reject> {
    rule.map_err(|why| {
        tracing::debug!(why, "group request refused");
        Reject(ErrorCode::InvalidArgument)
    })
}

/// A group text's fixed fields take this much more than a private text's in its push.
const GROUP_TEXT_EXTRA_BYTES: usize = 128;
/// One mention in JSON at most (`-2147483648,`); each text carries its mentions, as does the
/// push, so a mention counts twice.
const MENTION_BYTES: usize = 12;

/// The size of the 1142 for `req` with every number at its widest.
fn widest_group_push(req: &GroupTextReq) -> usize {
    let widest = imchat_proto::msg::NotifyGroupMsg {
        fromuid: i32::MIN,
        thread_id: i64::MIN,
        chat_datas: req
            .text_array
            .iter()
            .map(|t| imchat_proto::msg::SyncData {
                thread_id: i64::MIN,
                seq: i64::MIN,
                message_id: i64::MIN,
                sender: i32::MIN,
                receiver: i32::MIN,
                unique_id: t.unique_id.clone(),
                content: t.content.clone(),
                chat_time: imchat_proto::time::format_chat_time(0),
                status: i32::MIN,
                msg_type: i32::MIN,
                mentions: vec![i32::MIN; req.mentions.len()],
                reactions: Vec::new(),
                reply: widest_quote(t),
                forwarded_from: 0,
            })
            .collect(),
        mentions: vec![i32::MIN; req.mentions.len()],
    };
    serde_json::to_vec(&widest).map_or(usize::MAX, |body| body.len())
}

impl Session {
    /// The group `thread_id` if this session's user is a member of it.
    pub(super) async fn member_group(&self, thread_id: i64) -> Result<Arc<Group>, Reject> {
        match self.shared.groups.get(&self.shared.db, thread_id).await? {
            Some(group) if group.member(self.uid()).is_some() => Ok(group),
            _ => Err(ErrorCode::NotThreadMember.into()),
        }
    }

    /// Makes `change` as this session's user; the group after it, as they see it.
    async fn change(&self, thread_id: i64, change: Change) -> Result<GroupInfo, Reject> {
        let me = self.uid();
        let changed: Changed =
            groups::apply(&self.shared, thread_id, Actor::User(me), &change).await?.map_err(refused)?;
        Ok(info(&changed.group, me))
    }

    fn check_uids(&self, uids: &[i32]) -> Handled {
        if uids.is_empty() || uids.len() > self.shared.config.limits.group_max_members {
            return Err(ErrorCode::InvalidArgument.into());
        }
        Ok(())
    }

    pub(super) async fn group_create(&mut self, req: GroupCreateReq) -> Handled {
        check(check_group_name(&req.name))?;
        if req.members.len() > self.shared.config.limits.group_max_members {
            return Err(ErrorCode::GroupFull.into());
        }
        let me = self.uid();
        let created = groups::create(&self.shared, me, &req.name, &req.members).await?.map_err(refused)?;
        self.send(&GroupCreateRsp { error: 0, group: info(&created.group, me) })
    }

    pub(super) async fn group_invite(&mut self, req: GroupInviteReq) -> Handled {
        self.check_uids(&req.uids)?;
        let group = self.change(req.thread_id, Change::Invite(req.uids)).await?;
        self.send(&GroupInviteRsp { error: 0, group })
    }

    pub(super) async fn group_leave(&mut self, req: GroupLeaveReq) -> Handled {
        let group = self.change(req.thread_id, Change::Leave).await?;
        self.send(&GroupLeaveRsp { error: 0, group })
    }

    pub(super) async fn group_remove(&mut self, req: GroupRemoveReq) -> Handled {
        let group = self.change(req.thread_id, Change::Remove(req.uid)).await?;
        self.send(&GroupRemoveRsp { error: 0, group })
    }

    pub(super) async fn group_role(&mut self, req: GroupRoleReq) -> Handled {
        let role = match req.role.as_str() {
            "admin" => Role::Admin,
            "member" => Role::Member,
            "owner" => Role::Owner,
            _ => return Err(ErrorCode::InvalidArgument.into()),
        };
        let group = self.change(req.thread_id, Change::SetRole(req.uid, role)).await?;
        self.send(&GroupRoleRsp { error: 0, group })
    }

    /// Each field given is its own change (and system message), checked all before any is made.
    pub(super) async fn group_update(&mut self, req: GroupUpdateReq) -> Handled {
        let mut changes = Vec::new();
        if let Some(name) = req.name {
            check(check_group_name(&name))?;
            changes.push(Change::Rename(name));
        }
        if let Some(text) = req.announcement {
            check(check_announcement(&text))?;
            changes.push(Change::Announce(text));
        }
        match req.invite.as_deref() {
            None => {}
            Some("members") => changes.push(Change::SetInvite(InvitePolicy::Members)),
            Some("admins") => changes.push(Change::SetInvite(InvitePolicy::Admins)),
            Some(_) => return Err(ErrorCode::InvalidArgument.into()),
        }
        if changes.is_empty() {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let mut group = None;
        for change in changes {
            group = Some(self.change(req.thread_id, change).await?);
        }
        self.send(&GroupUpdateRsp { error: 0, group: group.unwrap_or_default() })
    }

    pub(super) async fn group_disband(&mut self, req: GroupDisbandReq) -> Handled {
        let group = self.change(req.thread_id, Change::Disband).await?;
        self.send(&GroupDisbandRsp { error: 0, group })
    }

    pub(super) async fn group_mute(&mut self, req: GroupMuteReq) -> Handled {
        let group = self.change(req.thread_id, Change::Mute(req.muted)).await?;
        self.send(&GroupMuteRsp { error: 0, group })
    }

    pub(super) async fn group_info(&mut self, req: GroupInfoReq) -> Handled {
        let group = self.member_group(req.thread_id).await?;
        self.send(&GroupInfoRsp { error: 0, group: info(&group, self.uid()) })
    }

    /// 1144: how many other members have read the group up to `seq` (those who allow
    /// receipts): asked for, never pushed per reader.
    /// 1144: a count over the group's read markers, taken from the session's message rate
    /// (a query per request).
    pub(super) async fn group_read_by(&mut self, req: GroupReadByReq) -> Handled {
        let limits = &self.shared.config.limits;
        if !self.rate.take(1, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        self.member_group(req.thread_id).await?;
        let readers = self.shared.db.group_readers(req.thread_id, req.seq, self.uid()).await?;
        self.send(&GroupReadByRsp { error: 0, thread_id: req.thread_id, seq: req.seq, readers })
    }

    pub(super) async fn group_members(&mut self, req: GroupMembersReq) -> Handled {
        self.member_group(req.thread_id).await?;
        let page = self.shared.config.limits.group_members_page.max(1);
        let limit = if req.limit <= 0 { page } else { req.limit.min(page) };
        let (views, more) = self.shared.db.group_members(req.thread_id, req.after_uid, limit).await?;
        let members: Vec<GroupMember> = views
            .into_iter()
            .map(|v| GroupMember {
                uid: v.member.uid,
                name: v.name,
                nick: v.nick,
                icon: v.icon,
                role: v.member.role.as_str().to_owned(),
            })
            .collect();
        self.send_fitting(members.len(), |n| GroupMembersRsp {
            error: 0,
            thread_id: req.thread_id,
            members: members[..n].to_vec(),
            more: more || n < members.len(),
        })
    }

    /// Checks a 1140 and queues its texts for the writer, as [`Session::text_chat`] does.
    pub(super) async fn group_text(&mut self, req: GroupTextReq) -> Result<Pending, Reject> {
        let me = self.me(req.fromuid)?;
        let limits = &self.shared.config.limits;
        if req.mentions.len() > limits.max_mentions {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let extra = GROUP_TEXT_EXTRA_BYTES + 2 * MENTION_BYTES * req.mentions.len();
        if !texts_valid(&req.text_array, limits, extra, || widest_group_push(&req)) {
            return Err(ErrorCode::InvalidArgument.into());
        }
        if !self.rate.take(req.text_array.len(), limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let group = self.member_group(req.thread_id).await?;
        if group.row.disbanded {
            return Err(ErrorCode::GroupDisbanded.into());
        }
        let mut mentions = req.mentions;
        mentions.sort_unstable();
        mentions.dedup();
        if mentions.iter().any(|uid| group.member(*uid).is_none()) {
            return Err(ErrorCode::NotGroupMember.into());
        }
        // A member who blocked the sender is not @mentioned by them (the text still reaches
        // the group; nothing tells the sender).
        if !mentions.is_empty() {
            let blocked = self.shared.db.blocked_by(me, &mentions).await?;
            mentions.retain(|uid| !blocked.contains(uid));
        }
        let floor = group.member(me).map_or(0, |m| m.joined_seq);
        let quotes = self.replied_to(req.thread_id, floor, &req.text_array).await?;
        let now = imchat_store::now_ms();
        let thread_id = req.thread_id;
        let msgs = req
            .text_array
            .iter()
            .map(|t| NewMsg {
                reply_seq: t.reply_to,
                ..NewMsg::group_text(thread_id, me, &t.unique_id, &t.content, &mentions, now)
            })
            .collect();
        let stored = self.shared.writer.submit(msgs).await?;
        let texts = req.text_array;
        Ok(Box::pin(async move {
            let sent = stored.await.map(|stored| {
                let (stored, reused): (Vec<_>, Vec<_>) = stored.into_iter().zip(&texts).partition(|(stored, sent)| {
                    stored.thread_id == thread_id && stored.receiver == 0 && stored.content == sent.content
                });
                let stored = stored.into_iter().map(|(stored, _)| stored).collect();
                Done::Group(GroupSent { fromuid: me, thread_id, group, stored, reused: !reused.is_empty(), quotes })
            });
            (ids::GROUP_TEXT_REQ, sent.map_err(Reject::from))
        }))
    }

    /// The members' 1142 (one frame for all), then the sender's 1141.
    pub(super) async fn group_sent(&mut self, sent: GroupSent) {
        let GroupSent { fromuid, thread_id, group, stored, reused, quotes } = sent;
        let chat_datas: Vec<_> = stored
            .into_iter()
            .map(sync_data)
            .map(|mut d| {
                if let Some(quote) = d.reply.as_ref().and_then(|q| quotes.get(&q.seq)) {
                    d.reply = Some(quote.clone());
                }
                d
            })
            .collect();
        if !chat_datas.is_empty()
            && let Some(frame) = group_push(fromuid, thread_id, chat_datas.clone())
        {
            // The members as they are now: one removed while the text was being stored gets
            // nothing more (a change drops the cache everywhere before it is answered).
            let group = match self.shared.groups.get(&self.shared.db, thread_id).await {
                Ok(Some(now)) => now,
                _ => group,
            };
            // The sender's other devices too: every member but this session.
            let members: Vec<i32> = group.uids().collect();
            let me = self.session_id();
            self.shared.router.deliver_group(&members, me.as_deref(), ids::NOTIFY_GROUP_MSG, frame, thread_id).await;
        }
        if reused {
            self.reject(ErrorCode::UniqueIdReused.into(), ids::GROUP_TEXT_REQ);
        } else if let Err(reject) = self.send(&GroupTextRsp { error: 0, fromuid, thread_id, chat_datas }) {
            self.reject(reject, ids::GROUP_TEXT_REQ);
        }
    }
}
