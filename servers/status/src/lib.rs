//! The status server: `StatusService.GetChatServer` picks the least-loaded live chat server
//! from the registry the chat servers keep fresh and issues a login token; `AdminService`
//! (imchat extension) lists chat servers, kicks users and looks up a user's token and route.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use imchat_proto::ErrorCode;
use imchat_proto::grpc::admin_service_server::{AdminService, AdminServiceServer};
use imchat_proto::grpc::status_service_server::{StatusService, StatusServiceServer};
use imchat_proto::grpc::{
    AdminKickReq, AdminKickRsp, ChatServerInfo, GetChatServerReq, GetChatServerRsp, KickUserReq, ListChatServersReq,
    ListChatServersRsp, LoginReq, LoginRsp, LookupUserReq, LookupUserRsp,
};
use imchat_proto::peer::Channels;
use imchat_store::registry::{self, ChatServerEntry};
use imchat_store::{Kv, StoreError, Ttl, keys};
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
    pub token_ttl: Duration,
    pub fallback: Vec<StaticServer>,
    pub channels: Channels,
    pub assigned: Assignments,
}

/// Logins handed to each chat server since its last registry heartbeat. A server's count only
/// moves when it next heartbeats, so without this a login burst would all go to one server.
#[derive(Debug, Clone, Default)]
pub struct Assignments(Arc<Mutex<HashMap<String, (i64, i64)>>>);

/// Serves `StatusService` and `AdminService` on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    status: StatusServer,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), tonic::transport::Error> {
    tonic::transport::Server::builder()
        .add_service(StatusServiceServer::new(status.clone()))
        .add_service(AdminServiceServer::new(status))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await
}

fn internal(err: StoreError) -> Status {
    tracing::error!(%err, "status server store failure");
    Status::internal("store unavailable")
}

impl StatusServer {
    /// The live server with the fewest sessions, counting logins handed out since its last
    /// heartbeat (ties: by name), else the first fallback.
    async fn pick(&self) -> Result<Option<(String, u16)>, StoreError> {
        let live = registry::live(&self.kv).await?;
        let mut assigned = self.assigned.0.lock().unwrap_or_else(|p| p.into_inner());
        let pending = |entry: &ChatServerEntry| match assigned.get(&entry.name) {
            Some((heartbeat, n)) if *heartbeat == entry.heartbeat_ms => *n,
            _ => 0,
        };
        let Some(best) = live.iter().min_by_key(|e| (e.connections + pending(e), e.name.clone())) else {
            return Ok(self.fallback.first().map(|s| (s.host.clone(), s.port)));
        };
        let slot = assigned.entry(best.name.clone()).or_insert((best.heartbeat_ms, 0));
        if slot.0 != best.heartbeat_ms {
            *slot = (best.heartbeat_ms, 0);
        }
        slot.1 += 1;
        Ok(Some((best.host.clone(), best.port)))
    }

    async fn rpc_addr_of(&self, name: &str) -> Result<Option<String>, StoreError> {
        let live = registry::live(&self.kv).await?;
        if let Some(entry) = live.into_iter().find(|e| e.name == name) {
            return Ok(Some(entry.rpc_addr));
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
        let Some((host, port)) = self.pick().await.map_err(internal)? else {
            tracing::warn!("no live chat server to hand out");
            return Ok(Response::new(GetChatServerRsp { error: ErrorCode::RpcFailed.code(), ..Default::default() }));
        };
        let token = imchat_store::random_hex(16);
        self.kv.set(&keys::token(uid), &token, Some(self.token_ttl)).await.map_err(internal)?;
        Ok(Response::new(GetChatServerRsp { error: 0, host, port: port.to_string(), token }))
    }

    /// llfc declared this and inverted its check (§10.7); here it answers whether `token` is
    /// the user's current token.
    async fn login(&self, request: Request<LoginReq>) -> Result<Response<LoginRsp>, Status> {
        let LoginReq { uid, token } = request.into_inner();
        let stored = self.kv.get(&keys::token(uid)).await.map_err(internal)?;
        let error = match stored {
            None => ErrorCode::UidInvalid,
            Some(stored) if stored == token && !token.is_empty() => ErrorCode::Success,
            Some(_) => ErrorCode::TokenInvalid,
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

    async fn kick_user(&self, request: Request<AdminKickReq>) -> Result<Response<AdminKickRsp>, Status> {
        let AdminKickReq { uid, reason } = request.into_inner();
        let Some(server) = self.kv.get(&keys::route(uid)).await.map_err(internal)? else {
            return Ok(Response::new(AdminKickRsp { uid, found: false, server: String::new() }));
        };
        let Some(addr) = self.rpc_addr_of(&server).await.map_err(internal)? else {
            // The route points at a server that is gone: the user is not connected anywhere.
            return Ok(Response::new(AdminKickRsp { uid, found: false, server }));
        };
        let mut client = self.channels.chat(&addr).map_err(|err| Status::unavailable(err.to_string()))?;
        let rsp = client.notify_kick_user(KickUserReq { uid, reason }).await?.into_inner();
        Ok(Response::new(AdminKickRsp { uid, found: rsp.found, server }))
    }

    async fn lookup_user(&self, request: Request<LookupUserReq>) -> Result<Response<LookupUserRsp>, Status> {
        let uid = request.into_inner().uid;
        let token_key = keys::token(uid);
        let token = self.kv.get(&token_key).await.map_err(internal)?;
        let token_ttl_secs = match self.kv.ttl(&token_key).await.map_err(internal)? {
            Ttl::Missing => -2,
            Ttl::Persistent => -1,
            Ttl::Seconds(n) => n,
        };
        let server = self.kv.get(&keys::route(uid)).await.map_err(internal)?.unwrap_or_default();
        let session = self.kv.get(&keys::session(uid)).await.map_err(internal)?.unwrap_or_default();
        Ok(Response::new(LookupUserRsp {
            uid,
            has_token: token.is_some(),
            token_ttl_secs,
            token: token.unwrap_or_default(),
            server,
            session,
        }))
    }
}
