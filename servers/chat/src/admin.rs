//! The operator's group and file calls, which the status server's `AdminService` passes on to
//! a live chat server (the status server holds no database). A disband goes through the same
//! [`groups::apply`] as an owner's, as an operator; a file's delete drops its row here and
//! leaves its bytes to a resource server's sweep (this server holds no storage).

use std::sync::Arc;

use imchat_proto::grpc::{
    DeleteFileReq, DeleteFileRsp, DisbandGroupReq, DisbandGroupRsp, FileInfo, FileUsageReq, FileUsageRsp,
    GroupMemberInfo, GroupSummary, ListFilesReq, ListFilesRsp, ListGroupMembersReq, ListGroupMembersRsp, ListGroupsReq,
    ListGroupsRsp, ShowGroupReq, ShowGroupRsp, UserUsage,
};
use imchat_store::{Actor, Change, FileRow, GroupRow, Refusal, StoreError, Usage};
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

fn file_info(row: &FileRow) -> FileInfo {
    FileInfo {
        name: row.name.clone(),
        owner: row.owner,
        kind: row.kind.as_str().to_owned(),
        size: row.size,
        complete: row.complete,
        mime: row.mime.clone(),
        label: row.label.clone(),
        thread_id: row.thread_id,
        message_id: row.message_id,
        created_at_ms: row.created_at,
        sha256: row.sha256.clone(),
    }
}

fn user_usage(usage: Usage) -> UserUsage {
    UserUsage { uid: usage.uid, files: usage.files, bytes: usage.bytes }
}

pub(crate) async fn file_usage(shared: &Shared, req: FileUsageReq) -> Result<FileUsageRsp, Status> {
    let users = if req.uid != 0 {
        vec![user_usage(shared.db.usage(req.uid).await.map_err(internal)?)]
    } else {
        shared.db.top_usage(page(req.limit)).await.map_err(internal)?.into_iter().map(user_usage).collect()
    };
    Ok(FileUsageRsp { users })
}

pub(crate) async fn list_files(shared: &Shared, req: ListFilesReq) -> Result<ListFilesRsp, Status> {
    let files = shared.db.user_files(req.uid, page(req.limit)).await.map_err(internal)?;
    Ok(ListFilesRsp { files: files.iter().map(file_info).collect() })
}

pub(crate) async fn delete_file(shared: &Shared, req: DeleteFileReq) -> Result<DeleteFileRsp, Status> {
    if imchat_proto::rules::check_file_name(&req.name).is_err() {
        return Err(Status::invalid_argument(format!("{:?} is not a file name", req.name)));
    }
    let gone = shared.db.discard_file(&req.name, imchat_store::now_ms()).await.map_err(internal)?;
    if let Some(file) = &gone {
        tracing::info!(name = %file.name, owner = file.owner, "an operator deleted a file");
    }
    Ok(DeleteFileRsp { found: gone.is_some(), file: gone.as_ref().map(file_info) })
}
