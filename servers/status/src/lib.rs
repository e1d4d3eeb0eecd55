//! The status server: `StatusService.GetChatServer` picks the least-loaded live chat server
//! from the registry the chat servers keep fresh and issues a login token; `AdminService`
//! (imchat extension) lists chat servers, kicks users and looks up a user's token and route.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use imchat_proto::ErrorCode;
use imchat_proto::grpc::admin_service_server::{AdminService, AdminServiceServer};
use imchat_proto::grpc::chat_service_client::ChatServiceClient;
use imchat_proto::grpc::status_service_server::{StatusService, StatusServiceServer};
use imchat_proto::grpc::{
    AdminKickReq, AdminKickRsp, ChatServerInfo, DeleteFileReq, DeleteFileRsp, DeviceSession, DisbandGroupReq,
    DisbandGroupRsp, FileUsageReq, FileUsageRsp, GetChatServerReq, GetChatServerRsp, KickUserReq, ListChatServersReq,
    ListChatServersRsp, ListFilesReq, ListFilesRsp, ListGroupMembersReq, ListGroupMembersRsp, ListGroupsReq,
    ListGroupsRsp, ListTokensReq, ListTokensRsp, LoginReq, LoginRsp, LookupUserReq, LookupUserRsp, RevokeTokenReq,
    RevokeTokenRsp, ShowGroupReq, ShowGroupRsp,
};
use imchat_rpc::{Channels, RequireSecret, Secret};
use imchat_store::presence::{Presence, TokenCheck};
use imchat_store::registry::{self, ChatServerEntry};
use imchat_store::{Kv, StoreError, Ttl};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};

/// Default lifetime of a login token (llfc's never expired, §10.3).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(30 * 60);

/// A chat server known from configuration, used only while the registry is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticServer {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub rpc_addr: String,
}

/// Everything the status role needs.
#[derive(Debug, Clone)]
pub struct StatusServer {
    pub kv: Kv,
    pub presence: Presence,
    /// Required of every caller, and carried to the chat servers (admin kicks).
    pub secret: Secret,
    pub token_ttl: Duration,
    pub fallback: Vec<StaticServer>,
    pub channels: Channels,
    pub assigned: Assignments,
    /// The live servers, re-read at most every [`REGISTRY_CACHE_TTL`] (a login burst asks for
    /// a server thousands of times a second).
    pub registry: Arc<registry::LiveCache>,
}

impl StatusServer {
    pub fn new(kv: Kv, token_ttl: Duration, fallback: Vec<StaticServer>, secret: Secret) -> StatusServer {
        StatusServer {
            presence: Presence::new(kv.clone()),
            kv,
            token_ttl,
            fallback,
            channels: Channels::new(secret.clone()),
            secret,
            assigned: Assignments::default(),
            registry: Arc::new(registry::LiveCache::new(REGISTRY_CACHE_TTL)),
        }
    }
}

/// How long the status server trusts its copy of the live-server list.
pub const REGISTRY_CACHE_TTL: Duration = Duration::from_millis(250);

/// Logins handed to each chat server since its last registry heartbeat. A server's count only
/// moves when it next heartbeats, so without this a login burst would all go to one server.
#[derive(Debug, Clone, Default)]
pub struct Assignments(Arc<Mutex<AssignmentState>>);

#[derive(Debug, Default)]
struct AssignmentState {
    /// Server name → (the heartbeat the count belongs to, logins handed out since).
    since_heartbeat: HashMap<String, (i64, i64)>,
    /// Picks so far; rotates the choice among equally loaded servers.
    picks: usize,
}

/// Serves `StatusService` and `AdminService` on `listener` until `shutdown` completes; a
/// call without the deployment's secret is refused.
pub async fn run(
    listener: TcpListener,
    status: StatusServer,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    let require = RequireSecret::new(status.secret.clone());
    tonic::transport::Server::builder()
        .add_service(StatusServiceServer::with_interceptor(status.clone(), require.clone()))
        .add_service(AdminServiceServer::with_interceptor(status, require))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await
}

fn internal(err: StoreError) -> Status {
    tracing::error!(%err, "status server store failure");
    Status::internal("store unavailable")
}

impl StatusServer {
    /// The live server with the fewest connections (sessions, or open connections when more:
    /// connections that never log in load a server too), counting logins handed out since its
    /// last heartbeat (ties: in turn), else the first fallback. A server at its connection
    /// limit is not handed out.
    async fn pick(&self) -> Result<Option<(String, u16, u16)>, StoreError> {
        let live = self.registry.get(&self.kv).await?;
        let live: Vec<&ChatServerEntry> =
            live.iter().filter(|e| e.max_sockets == 0 || e.sockets.max(e.connections) < e.max_sockets).collect();
        let mut state = self.assigned.0.lock().unwrap_or_else(|p| p.into_inner());
        let pending = |entry: &ChatServerEntry| match state.since_heartbeat.get(&entry.name) {
            Some((heartbeat, n)) if *heartbeat == entry.heartbeat_ms => *n,
            _ => 0,
        };
        let rotation = state.picks;
        let Some((_, best)) = live.iter().enumerate().min_by_key(|(idx, e)| {
            (e.connections.max(e.sockets) + pending(e), (idx + live.len() - rotation % live.len()) % live.len())
        }) else {
            return Ok(self.fallback.first().map(|s| (s.host.clone(), s.port, 0)));
        };
        state.picks = state.picks.wrapping_add(1);
        let slot = state.since_heartbeat.entry(best.name.clone()).or_insert((best.heartbeat_ms, 0));
        if slot.0 != best.heartbeat_ms {
            *slot = (best.heartbeat_ms, 0);
        }
        slot.1 += 1;
        Ok(Some((best.host.clone(), best.port, best.tls_port)))
    }

    /// A live chat server's peer client, for the calls it answers for the operator (groups).
    async fn any_chat(&self) -> Result<ChatServiceClient<imchat_rpc::Authed>, Status> {
        let live = self.registry.get(&self.kv).await.map_err(internal)?;
        let addr = live
            .first()
            .map(|entry| entry.rpc_addr.clone())
            .or_else(|| self.fallback.first().map(|s| s.rpc_addr.clone()))
            .ok_or_else(|| Status::unavailable("no live chat server to ask"))?;
        self.channels.chat(&addr).map_err(|err| Status::unavailable(err.to_string()))
    }

    async fn rpc_addr_of(&self, name: &str) -> Result<Option<String>, StoreError> {
        let live = self.registry.get(&self.kv).await?;
        if let Some(entry) = live.iter().find(|e| e.name == name) {
            return Ok(Some(entry.rpc_addr.clone()));
        }
        Ok(self.fallback.iter().find(|s| s.name == name).map(|s| s.rpc_addr.clone()))
    }
}

#[tonic::async_trait]
impl StatusService for StatusServer {
    async fn get_chat_server(&self, request: Request<GetChatServerReq>) -> Result<Response<GetChatServerRsp>, Status> {
        let uid = request.into_inner().uid;
        if uid <= 0 {
            return Ok(Response::new(GetChatServerRsp { error: ErrorCode::UidInvalid.code(), ..Default::default() }));
        }
        let Some((host, port, tls_port)) = self.pick().await.map_err(internal)? else {
            tracing::warn!("no live chat server to hand out");
            return Ok(Response::new(GetChatServerRsp { error: ErrorCode::RpcFailed.code(), ..Default::default() }));
        };
        let token = self.presence.login_token(uid, self.token_ttl).await.map_err(internal)?;
        let tls_port = if tls_port == 0 { String::new() } else { tls_port.to_string() };
        Ok(Response::new(GetChatServerRsp { error: 0, host, port: port.to_string(), token, tls_port }))
    }

    /// llfc declared this and inverted its check (§10.7); here it answers whether `token` is
    /// the user's current token.
    async fn login(&self, request: Request<LoginReq>) -> Result<Response<LoginRsp>, Status> {
        let LoginReq { uid, token } = request.into_inner();
        let error = match self.presence.check_token(uid, &token).await.map_err(internal)? {
            TokenCheck::Missing => ErrorCode::UidInvalid,
            TokenCheck::Valid => ErrorCode::Success,
            TokenCheck::Wrong => ErrorCode::TokenInvalid,
        };
        Ok(Response::new(LoginRsp { error: error.code(), uid, token: String::new() }))
    }
}

fn info(entry: &ChatServerEntry, now_ms: i64) -> ChatServerInfo {
    ChatServerInfo {
        name: entry.name.clone(),
        host: entry.host.clone(),
        port: entry.port.to_string(),
        rpc_addr: entry.rpc_addr.clone(),
        connections: entry.connections,
        heartbeat_age_ms: (now_ms - entry.heartbeat_ms).max(0),
        live: true,
        peer_calls: entry.peer_calls,
        peer_frames: entry.peer_frames,
        pushes_given_up: entry.pushes_given_up,
        tls_port: u32::from(entry.tls_port),
    }
}

#[tonic::async_trait]
impl AdminService for StatusServer {
    async fn list_chat_servers(
        &self,
        _request: Request<ListChatServersReq>,
    ) -> Result<Response<ListChatServersRsp>, Status> {
        let now = imchat_store::now_ms();
        let mut servers: Vec<ChatServerInfo> =
            registry::live(&self.kv).await.map_err(internal)?.iter().map(|e| info(e, now)).collect();
        for name in registry::stale_names(&self.kv).await.map_err(internal)? {
            servers.push(ChatServerInfo { name, live: false, heartbeat_age_ms: -1, ..Default::default() });
        }
        Ok(Response::new(ListChatServersRsp { servers }))
    }

    async fn list_groups(&self, request: Request<ListGroupsReq>) -> Result<Response<ListGroupsRsp>, Status> {
        self.any_chat().await?.list_groups(request.into_inner()).await
    }

    async fn show_group(&self, request: Request<ShowGroupReq>) -> Result<Response<ShowGroupRsp>, Status> {
        self.any_chat().await?.show_group(request.into_inner()).await
    }

    async fn list_group_members(
        &self,
        request: Request<ListGroupMembersReq>,
    ) -> Result<Response<ListGroupMembersRsp>, Status> {
        self.any_chat().await?.list_group_members(request.into_inner()).await
    }

    async fn disband_group(&self, request: Request<DisbandGroupReq>) -> Result<Response<DisbandGroupRsp>, Status> {
        self.any_chat().await?.disband_group(request.into_inner()).await
    }

    async fn file_usage(&self, request: Request<FileUsageReq>) -> Result<Response<FileUsageRsp>, Status> {
        self.any_chat().await?.file_usage(request.into_inner()).await
    }

    async fn list_files(&self, request: Request<ListFilesReq>) -> Result<Response<ListFilesRsp>, Status> {
        self.any_chat().await?.list_files(request.into_inner()).await
    }

    async fn delete_file(&self, request: Request<DeleteFileReq>) -> Result<Response<DeleteFileRsp>, Status> {
        self.any_chat().await?.delete_file(request.into_inner()).await
    }

    async fn kick_user(&self, request: Request<AdminKickReq>) -> Result<Response<AdminKickRsp>, Status> {
        let AdminKickReq { uid, reason, device } = request.into_inner();
        Ok(Response::new(self.kick(uid, &device, reason).await?))
    }

    async fn lookup_user(&self, request: Request<LookupUserReq>) -> Result<Response<LookupUserRsp>, Status> {
        Ok(Response::new(self.lookup(request.into_inner().uid).await.map_err(internal)?))
    }

    async fn list_tokens(&self, request: Request<ListTokensReq>) -> Result<Response<ListTokensRsp>, Status> {
        let ListTokensReq { pattern, limit } = request.into_inner();
        if pattern.len() > MAX_PATTERN_LEN {
            return Err(Status::invalid_argument(format!("a pattern of at most {MAX_PATTERN_LEN} characters")));
        }
        let limit = match limit {
            0 => MAX_LISTED_TOKENS,
            n => usize::try_from(n).unwrap_or(MAX_LISTED_TOKENS).min(MAX_LISTED_TOKENS),
        };
        let mut uids: Vec<i32> = self
            .presence
            .token_holders()
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|uid: &i32| pattern.is_empty() || glob_match(pattern.as_bytes(), uid.to_string().as_bytes()))
            .collect();
        uids.sort_unstable();
        let truncated = uids.len() > limit;
        uids.truncate(limit);
        let mut users = Vec::with_capacity(uids.len());
        for uid in uids {
            users.push(self.lookup(uid).await.map_err(internal)?);
        }
        Ok(Response::new(ListTokensRsp { users, truncated }))
    }

    async fn revoke_token(&self, request: Request<RevokeTokenReq>) -> Result<Response<RevokeTokenRsp>, Status> {
        let uid = request.into_inner().uid;
        let found = self.presence.revoke_token(uid).await.map_err(internal)?;
        // A revoked token ends the session it opened too. The revoke stands if that fails
        // (the session's server is out of reach): the session then ends with its server.
        if let Err(status) = self.kick(uid, "", REVOKED.to_owned()).await {
            tracing::warn!(uid, %status, "the revoked token's session could not be ended");
        }
        Ok(Response::new(RevokeTokenRsp { uid, found }))
    }
}

/// Most tokens one `ListTokens` call returns.
pub const MAX_LISTED_TOKENS: usize = 10_000;

/// The longest `ListTokens` pattern (a uid has at most 11 characters; stars and marks may
/// pad it, not much more).
pub const MAX_PATTERN_LEN: usize = 64;

/// Glob match with `*` (any run) and `?` (one byte), in time linear in the two lengths' product
/// at worst and without recursion: the classic two-pointer match that backtracks only to the
/// last star.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last star was, and the text position it is matched up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // The star takes one more byte.
                Some((sp, st)) => {
                    star = Some((sp, st + 1));
                    p = sp + 1;
                    t = st + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&c| c == b'*')
}

/// What a session ended by a revoked token is told.
const REVOKED: &str = "signed out: your login was revoked (password changed, or by an operator)";

impl StatusServer {
    /// Ends `uid`'s live sessions (only the one of `device`, if named) wherever they are
    /// (1021 with `reason`).
    async fn kick(&self, uid: i32, device: &str, reason: String) -> Result<AdminKickRsp, Status> {
        let sessions = self.presence.lookup(uid).await.map_err(internal)?.sessions;
        let mut rsp = AdminKickRsp { uid, found: false, server: String::new(), kicked: 0 };
        // Every session of the user on a server at once, or the device's one.
        let targets: Vec<(String, String)> = if device.is_empty() {
            let mut servers: Vec<String> = sessions.entries().iter().map(|e| e.server.clone()).collect();
            servers.sort();
            servers.dedup();
            servers.into_iter().map(|server| (server, String::new())).collect()
        } else {
            sessions
                .entries()
                .iter()
                .filter(|e| e.device == device)
                .map(|e| (e.server.clone(), e.session.clone()))
                .collect()
        };
        for (server, session) in targets {
            // A server that is gone took its sessions with it.
            let Some(addr) = self.rpc_addr_of(&server).await.map_err(internal)? else { continue };
            let mut client = self.channels.chat(&addr).map_err(|err| Status::unavailable(err.to_string()))?;
            let req = KickUserReq { uid, reason: reason.clone(), session };
            if client.notify_kick_user(req).await?.into_inner().found {
                rsp.kicked += 1;
                if !rsp.found {
                    rsp.found = true;
                    rsp.server = server;
                }
            }
        }
        Ok(rsp)
    }

    async fn lookup(&self, uid: i32) -> Result<LookupUserRsp, StoreError> {
        let found = self.presence.lookup(uid).await?;
        // The wire's convention (Redis's): -2 no token, -1 no expiry.
        let token_ttl_secs = match found.token_ttl {
            Ttl::Missing => -2,
            Ttl::Persistent => -1,
            Ttl::Seconds(n) => n,
        };
        Ok(LookupUserRsp {
            uid,
            has_token: found.token.is_some(),
            token_ttl_secs,
            token: found.token.unwrap_or_default(),
            server: found.server.unwrap_or_default(),
            session: found.sessions.entries().first().map(|e| e.session.clone()).unwrap_or_default(),
            sessions: found
                .sessions
                .entries()
                .iter()
                .map(|e| DeviceSession {
                    device: e.device.clone(),
                    kind: e.kind.clone(),
                    server: e.server.clone(),
                    session: e.session.clone(),
                    since_ms: e.since_ms,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        for (pattern, text, want) in [
            ("10*", "1042", true),
            ("*2", "1042", true),
            ("1?42", "1042", true),
            ("1?4", "1042", false),
            ("", "", true),
            ("*", "", true),
            ("", "1", false),
            ("1*4*2", "1042", true),
            ("1*4*3", "1042", false),
            ("**1**", "1", true),
            ("*?", "", false),
        ] {
            assert_eq!(glob_match(pattern.as_bytes(), text.as_bytes()), want, "{pattern} ~ {text}");
        }
    }

    /// The pattern that took the recursive matcher exponential time (and deep ones, the
    /// stack): now a moment.
    #[test]
    fn a_hostile_pattern_is_cheap() {
        let pattern = "*1".repeat(32);
        let started = std::time::Instant::now();
        assert!(!glob_match(pattern.as_bytes(), "11111111111111111111112".as_bytes()));
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
    }
}
