//! The gate's routes. Each POST handler takes the raw body, so malformed input maps to llfc's
//! `{"error":1001}`, and answers HTTP 200 with an `error` field; one function ([`answer`]) turns
//! a handler's outcome into the HTTP response.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use imchat_proto::ErrorCode;
use imchat_proto::grpc::{GetChatServerReq, GetVarifyReq, RevokeTokenReq};
use imchat_proto::http::{self, ErrorRsp};
use imchat_proto::{credential, rules};
use imchat_store::codes::{self, Check};
use imchat_store::presence::Presence;
use imchat_store::{NewUser, PasswordReset, PwdForm, Registered, StoreError, User};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::edge::{self, BodyTimeout};
use crate::limits::LIMITER_SWEEP;
use crate::{AppState, MAX_BODY_BYTES, REQUEST_TIMEOUT};

type Shared = Arc<AppState>;

/// A handler's failure: the code that goes into `error`.
struct Fail(ErrorCode);

impl From<ErrorCode> for Fail {
    fn from(code: ErrorCode) -> Fail {
        Fail(code)
    }
}

/// The one place store failures become a client-visible error: retriable when the store is
/// only out of reach.
impl From<StoreError> for Fail {
    fn from(err: StoreError) -> Fail {
        if err.is_unavailable() {
            tracing::warn!(%err, "gate store unavailable");
            return Fail(ErrorCode::Unavailable);
        }
        tracing::error!(%err, "gate store failure");
        Fail(ErrorCode::Internal)
    }
}

/// Route indices for the metrics table.
const VARIFY: usize = 0;
const REGISTER: usize = 1;
const RESET: usize = 2;
const LOGIN: usize = 3;

pub(crate) fn router(state: Shared) -> Router {
    let sweeper = Arc::downgrade(&state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(LIMITER_SWEEP);
        loop {
            tick.tick().await;
            let Some(state) = sweeper.upgrade() else { return };
            state.limiter.sweep();
        }
    });
    Router::new()
        .route(http::ROUTE_GET_VARIFY_CODE, post(get_varifycode))
        .route(http::ROUTE_USER_REGISTER, post(user_register))
        .route(http::ROUTE_RESET_PWD, post(reset_pwd))
        .route(http::ROUTE_USER_LOGIN, post(user_login))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .fallback(|| async { (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain")], "url not found\r\n") })
        .with_state(state)
}

async fn metrics(State(state): State<Shared>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let body = serde_json::to_vec(value).expect("reply types always serialise");
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Reads, limits and parses a request; answers for the handler.
async fn answer<Req, Rsp, F>(state: Shared, route: usize, request: Request, handler: F) -> Response
where
    Req: DeserializeOwned,
    Rsp: Serialize,
    F: AsyncFnOnce(&AppState, IpAddr, Req) -> Result<Rsp, Fail>,
{
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |info| info.0.ip());
    // Every line, in order: a proxy that appends its own line (HAProxy's `option forwardfor`)
    // must not let a client's own line, which comes first, be read as the client (N12).
    let forwarded: Vec<&str> =
        request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let forwarded = (!forwarded.is_empty()).then(|| forwarded.join(","));
    let ip = edge::client_ip(peer, forwarded.as_deref(), &state.config.edge.trusted_proxies);
    let body_timeout = request.extensions().get::<BodyTimeout>().map_or(state.config.edge.body_timeout, |t| t.0);
    let outcome = async {
        if !state.limiter.ip_ok(ip) {
            state.metrics.rate_limited();
            return Err(Fail(ErrorCode::TooManyRequests));
        }
        let body = match tokio::time::timeout(body_timeout, to_bytes(request.into_body(), MAX_BODY_BYTES)).await {
            Ok(body) => body.map_err(|_| Fail(ErrorCode::Json))?,
            Err(_) => return Err(Fail(ErrorCode::Json)),
        };
        let req: Req = serde_json::from_slice(&body).map_err(|_| Fail(ErrorCode::Json))?;
        match tokio::time::timeout(REQUEST_TIMEOUT, handler(&state, ip, req)).await {
            Ok(result) => result,
            Err(_) => Err(Fail(ErrorCode::RpcFailed)),
        }
    }
    .await;
    match outcome {
        Ok(rsp) => {
            state.metrics.record(route, 0);
            json(StatusCode::OK, &rsp)
        }
        Err(Fail(code)) => {
            state.metrics.record(route, code.code());
            json(StatusCode::OK, &ErrorRsp { error: code.code(), message: code.describe().to_owned() })
        }
    }
}

fn too_large(body_len: Option<u64>) -> Option<Response> {
    body_len
        .filter(|len| *len > MAX_BODY_BYTES as u64)
        .map(|_| (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\r\n").into_response())
}

/// Rejects a declared oversized body before reading it.
fn content_length(request: &Request<Body>) -> Option<u64> {
    request.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

macro_rules! post_route {
    ($name:ident, $route:expr, $handler:ident) => {
        async fn $name(State(state): State<Shared>, request: Request) -> Response {
            if let Some(rejection) = too_large(content_length(&request)) {
                return rejection;
            }
            answer(state, $route, request, $handler).await
        }
    };
}

post_route!(get_varifycode, VARIFY, varifycode);
post_route!(user_register, REGISTER, register);
post_route!(reset_pwd, RESET, reset);
post_route!(user_login, LOGIN, login);

fn checked_email(email: &str) -> Result<String, Fail> {
    let email = rules::normalize_email(email);
    rules::check_email(&email).map_err(|_| Fail(ErrorCode::InvalidArgument))?;
    Ok(email)
}

fn check_password(password: &str) -> Result<(), Fail> {
    rules::check_password(password).map_err(|_| Fail(ErrorCode::WeakPassword))
}

async fn consume_code(state: &AppState, email: &str, code: &str) -> Result<(), Fail> {
    match codes::consume(&state.deps.kv, &state.config.codes, email, code).await? {
        Check::Ok => Ok(()),
        Check::Expired => Err(ErrorCode::VarifyExpired.into()),
        Check::Wrong => Err(ErrorCode::VarifyCodeErr.into()),
        Check::Throttled => Err(ErrorCode::TooManyRequests.into()),
    }
}

fn rpc_failed(status: tonic::Status) -> Fail {
    tracing::error!(%status, "upstream rpc failed");
    Fail(ErrorCode::RpcFailed)
}

async fn varifycode(state: &AppState, _ip: IpAddr, req: http::VarifyCodeReq) -> Result<http::VarifyCodeRsp, Fail> {
    let email = checked_email(&req.email)?;
    if !state.limiter.email_ok(&email) {
        state.metrics.rate_limited();
        return Err(ErrorCode::TooManyRequests.into());
    }
    let rsp = state.deps.verify.clone().get_varify_code(GetVarifyReq { email: email.clone() }).await;
    let rsp = rsp.map_err(rpc_failed)?.into_inner();
    match ErrorCode::try_from(rsp.error) {
        Ok(ErrorCode::Success) => Ok(http::VarifyCodeRsp { error: 0, email }),
        Ok(code) => Err(code.into()),
        Err(_) => Err(ErrorCode::RpcFailed.into()),
    }
}

async fn register(state: &AppState, _ip: IpAddr, req: http::RegisterReq) -> Result<http::RegisterRsp, Fail> {
    if req.passwd != req.confirm {
        return Err(ErrorCode::PasswdErr.into());
    }
    let email = checked_email(&req.email)?;
    rules::check_name(&req.user).map_err(|_| Fail(ErrorCode::InvalidArgument))?;
    check_password(&req.passwd)?;
    if req.icon.chars().count() > rules::MAX_ICON_CHARS {
        return Err(ErrorCode::InvalidArgument.into());
    }
    let db = &state.deps.db;
    // The code first: only the owner of the address learns whether a name or the address is
    // taken (which spends the code; they ask for another).
    consume_code(state, &email, &req.varifycode).await?;
    if db.user_by_email(&email).await?.is_some() || db.user_by_name(&req.user).await?.is_some() {
        return Err(ErrorCode::UserExist.into());
    }
    let hash = state.hasher.hash(req.passwd).await.ok_or(Fail(ErrorCode::Internal))?;
    let icon = if req.icon.is_empty() {
        let seed = u8::from_str_radix(&imchat_store::random_hex(1), 16).unwrap_or(0);
        rules::default_icon(seed)
    } else {
        req.icon
    };
    let new_user = NewUser { name: &req.user, email: &email, pwd_hash: &hash, icon: &icon };
    match db.register(&new_user).await? {
        Registered::Ok(uid) => {
            tracing::info!(uid, "registered");
            Ok(http::RegisterRsp {
                error: 0,
                uid,
                email,
                user: req.user,
                passwd: String::new(),
                confirm: String::new(),
                icon,
                varifycode: String::new(),
            })
        }
        Registered::EmailTaken | Registered::NameTaken => Err(ErrorCode::UserExist.into()),
    }
}

async fn reset(state: &AppState, _ip: IpAddr, req: http::ResetPwdReq) -> Result<http::ResetPwdRsp, Fail> {
    let email = checked_email(&req.email)?;
    check_password(&req.passwd)?;
    let db = &state.deps.db;
    // The code first: nobody but the owner of the address learns whether a name goes with it.
    consume_code(state, &email, &req.varifycode).await?;
    let Some(user) = db.user_by_name(&req.user).await? else {
        return Err(ErrorCode::EmailNotMatch.into());
    };
    if user.email != email {
        return Err(ErrorCode::EmailNotMatch.into());
    }
    let hash = state.hasher.hash(req.passwd).await.ok_or(Fail(ErrorCode::Internal))?;
    match db.reset_password(&req.user, &email, &hash).await? {
        PasswordReset::Ok => {
            // A token handed out before the reset must not open a session afterwards, and the
            // session one opened ends (the revoke does both).
            let revoked = state.deps.admin.clone().revoke_token(RevokeTokenReq { uid: user.uid }).await;
            if let Err(status) = revoked {
                // The status server is out of reach: the token goes anyway; a live session
                // lasts until it ends by itself.
                tracing::warn!(uid = user.uid, %status, "could not end the sessions of a password reset");
                Presence::new(state.deps.kv.clone()).revoke_token(user.uid).await?;
            }
            Ok(http::ResetPwdRsp { error: 0, email, user: req.user, passwd: String::new(), varifycode: String::new() })
        }
        PasswordReset::NoSuchUser | PasswordReset::EmailMismatch => Err(ErrorCode::EmailNotMatch.into()),
    }
}

/// For an account whose hash predates one credential form ([`PwdForm::Unknown`]): whether it
/// holds the other form of what the client sent (imchat's clients used to send the typed
/// password; every client now sends llfc's form, which is its own inverse). On a match the
/// hash is replaced by one of what was sent. Until then a wrong password on such an account
/// costs two verifications; a hash that already matched what was sent is left as it is (it may
/// be an old imchat client's typed password, which an up-to-date client moves).
async fn upgraded(state: &AppState, user: Option<&User>, sent: &str) -> Result<bool, Fail> {
    let Some(user) = user.filter(|u| u.pwd_form == PwdForm::Unknown) else { return Ok(false) };
    if !state.hasher.verify(credential::llfc_form(sent), Some(user.pwd.clone())).await {
        return Ok(false);
    }
    match state.hasher.hash(sent.to_owned()).await {
        Some(hash) if state.deps.db.upgrade_password(user.uid, &user.pwd, &hash).await? => {
            tracing::info!(uid = user.uid, "password hash moved to llfc's form");
        }
        // The login stands; the next one tries again.
        _ => tracing::warn!(uid = user.uid, "password hash not moved to llfc's form"),
    }
    Ok(true)
}

async fn login(state: &AppState, ip: IpAddr, req: http::LoginReq) -> Result<http::LoginRsp, Fail> {
    let email = rules::normalize_email(&req.email);
    // Not an address: no account has it, and it never becomes a limiter key (a key per junk
    // string would grow the table without bound). The same answer as a wrong password.
    if rules::check_email(&email).is_err() {
        return Err(ErrorCode::PasswdInvalid.into());
    }
    if state.limiter.login_wait(&email, ip).is_some() {
        state.metrics.rate_limited();
        return Err(ErrorCode::TooManyRequests.into());
    }
    let user = state.deps.db.user_by_email(&email).await?;
    let stored = user.as_ref().map(|u| u.pwd.clone());
    if !state.hasher.verify(req.passwd.clone(), stored).await && !upgraded(state, user.as_ref(), &req.passwd).await? {
        state.limiter.login_failed(&email, ip);
        return Err(ErrorCode::PasswdInvalid.into());
    }
    state.limiter.login_succeeded(&email, ip);
    let user = user.ok_or(Fail(ErrorCode::PasswdInvalid))?;
    let rsp = state.deps.status.clone().get_chat_server(GetChatServerReq { uid: user.uid }).await;
    let rsp = rsp.map_err(rpc_failed)?.into_inner();
    if rsp.error != 0 {
        tracing::warn!(error = rsp.error, "status server could not place the user");
        return Err(ErrorCode::RpcFailed.into());
    }
    Ok(http::LoginRsp {
        error: 0,
        email,
        uid: user.uid,
        token: rsp.token,
        host: rsp.host.clone(),
        port: rsp.port.clone(),
        chathost: rsp.host,
        chatport: rsp.port,
        reshost: state.config.res_host.clone(),
        resport: state.config.res_port.to_string(),
        chattlsport: rsp.tls_port,
        restlsport: match state.config.res_tls_port {
            0 => String::new(),
            port => port.to_string(),
        },
    })
}
