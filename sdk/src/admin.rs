//! Client for the status server's operator API (`AdminService`): chat servers and their
//! loads, kicks, token inspection and revocation, groups, stored files. Used by `imctl`. Every call carries the
//! deployment's internal secret, without which the status server answers `UNAUTHENTICATED`.

use std::time::Duration;

use imchat_proto::grpc::admin_service_client::AdminServiceClient;
use imchat_proto::grpc::{
    AdminKickReq, ChatServerInfo, DeleteFileReq, DeleteFileRsp, DisbandGroupReq, DisbandGroupRsp, FileInfo,
    FileUsageReq, GroupMemberInfo, GroupSummary, ListChatServersReq, ListFilesReq, ListGroupMembersReq, ListGroupsReq,
    ListTokensReq, LookupUserReq, LookupUserRsp, RevokeTokenReq, SECRET_METADATA, ShowGroupReq, UserUsage,
};
use tonic::metadata::AsciiMetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

use crate::SdkError;

/// How long connecting to the status server may take.
pub const ADMIN_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one admin call may take.
pub const ADMIN_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A connected admin client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AdminClient {
    addr: String,
    inner: AdminServiceClient<InterceptedService<Channel, Secret>>,
}

/// The internal secret on every call (or nothing, and the server refuses).
#[derive(Clone)]
struct Secret(Option<AsciiMetadataValue>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Secret(…)" } else { "Secret(none)" })
    }
}

impl Interceptor for Secret {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(secret) = &self.0 {
            request.metadata_mut().insert(SECRET_METADATA, secret.clone());
        }
        Ok(request)
    }
}

/// The outcome of kicking one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kicked {
    pub uid: i32,
    pub found: bool,
    /// The chat server the user was on (empty when offline; the first, when several).
    pub server: String,
    /// Sessions ended.
    pub kicked: u32,
}

impl AdminClient {
    /// Connects to the status server at `addr` (`host:port`); its calls carry `secret`, the
    /// deployment's internal secret.
    pub async fn connect(addr: &str, secret: Option<&str>) -> Result<AdminClient, SdkError> {
        let unreachable = |source: std::io::Error| SdkError::Connect { addr: addr.to_owned(), source };
        let secret = match secret.map(AsciiMetadataValue::try_from) {
            None => None,
            Some(Ok(value)) => Some(value),
            Some(Err(_)) => return Err(SdkError::Decode("the internal secret is not printable ASCII".into())),
        };
        let endpoint = Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|err| unreachable(std::io::Error::other(err)))?
            .connect_timeout(ADMIN_CONNECT_TIMEOUT)
            .timeout(ADMIN_CALL_TIMEOUT);
        let channel = endpoint.connect().await.map_err(|err| unreachable(std::io::Error::other(err)))?;
        let inner = AdminServiceClient::with_interceptor(channel, Secret(secret));
        Ok(AdminClient { addr: addr.to_owned(), inner })
    }

    pub fn addr(&self) -> &str {
        &self.addr
    }

    pub async fn servers(&self) -> Result<Vec<ChatServerInfo>, SdkError> {
        Ok(self.inner.clone().list_chat_servers(ListChatServersReq {}).await?.into_inner().servers)
    }

    /// Ends `uid`'s sessions (only `device`'s, if named) wherever they are.
    pub async fn kick(&self, uid: i32, device: Option<&str>, reason: &str) -> Result<Kicked, SdkError> {
        let req = AdminKickReq { uid, reason: reason.to_owned(), device: device.unwrap_or_default().to_owned() };
        let rsp = self.inner.clone().kick_user(req).await?.into_inner();
        Ok(Kicked { uid: rsp.uid, found: rsp.found, server: rsp.server, kicked: rsp.kicked })
    }

    pub async fn lookup(&self, uid: i32) -> Result<LookupUserRsp, SdkError> {
        Ok(self.inner.clone().lookup_user(LookupUserReq { uid }).await?.into_inner())
    }

    /// Users with tokens whose uid matches `pattern` (a glob); `true` when the list was cut.
    pub async fn tokens(&self, pattern: &str, limit: u32) -> Result<(Vec<LookupUserRsp>, bool), SdkError> {
        let rsp = self.inner.clone().list_tokens(ListTokensReq { pattern: pattern.to_owned(), limit }).await?;
        let rsp = rsp.into_inner();
        Ok((rsp.users, rsp.truncated))
    }

    /// Deletes `uid`'s login token; `true` when there was one.
    pub async fn revoke(&self, uid: i32) -> Result<bool, SdkError> {
        Ok(self.inner.clone().revoke_token(RevokeTokenReq { uid }).await?.into_inner().found)
    }

    /// Groups above `after` (of `member` when not 0), one page; `true` when more remain.
    pub async fn groups(&self, after: i64, limit: u32, member: i32) -> Result<(Vec<GroupSummary>, bool), SdkError> {
        let rsp = self.inner.clone().list_groups(ListGroupsReq { after, limit, member }).await?.into_inner();
        Ok((rsp.groups, rsp.more))
    }

    pub async fn group(&self, thread_id: i64) -> Result<Option<GroupSummary>, SdkError> {
        let rsp = self.inner.clone().show_group(ShowGroupReq { thread_id }).await?.into_inner();
        Ok(rsp.group.filter(|_| rsp.found))
    }

    /// Every member of a group, page by page; `None` when there is no such group.
    pub async fn group_members(&self, thread_id: i64) -> Result<Option<Vec<GroupMemberInfo>>, SdkError> {
        let mut members: Vec<GroupMemberInfo> = Vec::new();
        loop {
            let after_uid = members.last().map_or(0, |m| m.uid);
            let req = ListGroupMembersReq { thread_id, after_uid, limit: 0 };
            let rsp = self.inner.clone().list_group_members(req).await?.into_inner();
            if !rsp.found {
                return Ok(None);
            }
            let more = rsp.more && !rsp.members.is_empty();
            members.extend(rsp.members);
            if !more {
                return Ok(Some(members));
            }
        }
    }

    pub async fn disband_group(&self, thread_id: i64) -> Result<DisbandGroupRsp, SdkError> {
        Ok(self.inner.clone().disband_group(DisbandGroupReq { thread_id }).await?.into_inner())
    }

    /// Storage `uid` holds, or (uid 0) the `limit` users holding the most.
    pub async fn file_usage(&self, uid: i32, limit: u32) -> Result<Vec<UserUsage>, SdkError> {
        Ok(self.inner.clone().file_usage(FileUsageReq { uid, limit }).await?.into_inner().users)
    }

    /// A user's files, newest first.
    pub async fn files(&self, uid: i32, limit: u32) -> Result<Vec<FileInfo>, SdkError> {
        Ok(self.inner.clone().list_files(ListFilesReq { uid, limit }).await?.into_inner().files)
    }

    /// Deletes a file for everyone; its bytes go at the resource server's next sweep.
    pub async fn delete_file(&self, name: &str) -> Result<DeleteFileRsp, SdkError> {
        Ok(self.inner.clone().delete_file(DeleteFileReq { name: name.to_owned() }).await?.into_inner())
    }
}
