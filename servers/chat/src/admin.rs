//! The operator's group calls, which the status server's `AdminService` passes on to a live
//! chat server (the status server holds no database). A disband goes through the same
//! [`groups::apply`] as an owner's, as an operator.

use std::sync::Arc;

use imchat_proto::grpc::{
    DisbandGroupReq, DisbandGroupRsp, GroupMemberInfo, GroupSummary, ListGroupMembersReq, ListGroupMembersRsp,
    ListGroupsReq, ListGroupsRsp, ShowGroupReq, ShowGroupRsp,
};
use imchat_store::{Actor, Change, GroupRow, Refusal, StoreError};
use tonic::Status;

use crate::{Shared, groups};

/// Groups in one page when the caller does not say.
const GROUP_PAGE: i64 = 100;
/// The most in one page whatever the caller says.
const MAX_GROUP_PAGE: i64 = 1000;

fn internal(err: StoreError) -> Status {
    tracing::error!(%err, "an operator's group call failed");
    Status::internal(err.to_string())
}

fn page(limit: u32) -> i64 {
    if limit == 0 { GROUP_PAGE } else { i64::from(limit).min(MAX_GROUP_PAGE) }
}

fn summary(row: &GroupRow) -> GroupSummary {
    GroupSummary {
        thread_id: row.thread_id,
        name: row.name.clone(),
        owner: row.owner,
        members: row.members,
        last_seq: row.last_seq,
        disbanded: row.disbanded,
        created_at_ms: row.created_at,
        announcement: row.announcement.clone(),
        invite: row.invite.as_str().to_owned(),
    }
}

pub(crate) async fn list_groups(shared: &Shared, req: ListGroupsReq) -> Result<ListGroupsRsp, Status> {
    let member = (req.member != 0).then_some(req.member);
    let (groups, more) = shared.db.groups(req.after.max(0), page(req.limit), member).await.map_err(internal)?;
    Ok(ListGroupsRsp { groups: groups.iter().map(summary).collect(), more })
}

pub(crate) async fn show_group(shared: &Shared, req: ShowGroupReq) -> Result<ShowGroupRsp, Status> {
    let group = shared.db.group(req.thread_id).await.map_err(internal)?;
    Ok(ShowGroupRsp { found: group.is_some(), group: group.map(|g| summary(&g.row)) })
}

pub(crate) async fn list_group_members(
    shared: &Shared,
    req: ListGroupMembersReq,
) -> Result<ListGroupMembersRsp, Status> {
    if shared.db.group(req.thread_id).await.map_err(internal)?.is_none() {
        return Ok(ListGroupMembersRsp { found: false, members: Vec::new(), more: false });
    }
    let (views, more) =
        shared.db.group_members(req.thread_id, req.after_uid, page(req.limit)).await.map_err(internal)?;
    let members = views
        .into_iter()
        .map(|v| GroupMemberInfo {
            uid: v.member.uid,
            name: v.name,
            role: v.member.role.as_str().to_owned(),
            muted: v.member.muted,
            joined_at_ms: v.member.joined_at,
        })
        .collect();
    Ok(ListGroupMembersRsp { found: true, members, more })
}

pub(crate) async fn disband_group(shared: &Arc<Shared>, req: DisbandGroupReq) -> Result<DisbandGroupRsp, Status> {
    match groups::apply(shared, req.thread_id, Actor::Operator, &Change::Disband).await.map_err(internal)? {
        Ok(_) => Ok(DisbandGroupRsp { found: true, disbanded: true, already: false }),
        Err(Refusal::NoSuchGroup) => Ok(DisbandGroupRsp { found: false, disbanded: false, already: false }),
        Err(Refusal::Disbanded) => Ok(DisbandGroupRsp { found: true, disbanded: false, already: true }),
        Err(other) => Err(Status::failed_precondition(format!("not disbanded: {other:?}"))),
    }
}
