//! 1005 chat login: the token check and the user's lock in one step, then, under the lock,
//! take the device's session into the user's session table, kick the older sessions the
//! `[Sessions]` policy ends (here or on a peer, which sends them 1021), and write the table
//! and route. The profile, requests and friends usually come from the login-view cache
//! (`imchat_store::login`), so a login storm costs two key-value round trips per login.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use imchat_proto::ErrorCode;
use imchat_proto::llfc_client::Knows;
use imchat_proto::msg::{ApplyInfo, DeviceKind, FriendInfo, LoginReq, LoginRsp, Message, caps};
use imchat_store::LoginView;
use imchat_store::presence::{Begin, Grant, SessionEntry};

use crate::session::friends::{apply_info, friend_info};
use crate::session::{Auth, Handled, Reject, Session};

/// What a kicked client is told.
const KICK_REASON: &str = "logged in elsewhere";

/// The device a session logged in as.
#[derive(Debug, Clone)]
pub(crate) struct Device {
    pub(crate) id: Arc<str>,
    pub(crate) kind: DeviceKind,
    /// The client named `devices` (it takes 1112 and 1113), and `typing` (1115).
    pub(crate) devices: bool,
    pub(crate) typing: bool,
    /// The client named `receipts` (1118), `friends` (1172) and `presence` (1176).
    pub(crate) receipts: bool,
    pub(crate) friends: bool,
    pub(crate) presence: bool,
    /// The gestures it named (`recall`, `edit`, `reactions`): their pushes and rows as they
    /// are; the others' rows as texts.
    pub(crate) knows: Knows,
    pub(crate) since_ms: i64,
}

impl Device {
    /// The device `req` names: a client that names none is a device of its own per login,
    /// of kind `qt` when it names no extensions (llfc's Qt client) and `cli` otherwise.
    fn of(req: &LoginReq) -> Result<Device, Reject> {
        let kind = match req.kind.as_str() {
            "" if req.imchat.is_empty() => DeviceKind::Qt,
            "" => DeviceKind::Cli,
            kind => kind.parse().map_err(|_| Reject(ErrorCode::InvalidArgument))?,
        };
        let id = if req.device.is_empty() {
            format!("{kind}-{}", imchat_store::random_hex(8))
        } else {
            imchat_proto::rules::check_device_id(&req.device).map_err(|_| Reject(ErrorCode::InvalidArgument))?;
            req.device.clone()
        };
        let names = |name: &str| req.imchat.iter().any(|cap| cap == name);
        let (devices, typing, receipts) = (names(caps::DEVICES), names(caps::TYPING), names(caps::RECEIPTS));
        let knows = Knows { recall: names(caps::RECALL), edit: names(caps::EDIT), reactions: names(caps::REACTIONS) };
        let since_ms = imchat_store::now_ms();
        let (friends, presence) = (names(caps::FRIENDS), names(caps::PRESENCE));
        Ok(Device { id: id.into(), kind, devices, typing, receipts, friends, presence, knows, since_ms })
    }
}

impl Session {
    pub(super) async fn login(&mut self, req: LoginReq) -> Handled {
        let shared = self.shared.clone();
        let limits = &shared.config.limits;
        // Checked before the token: a bad device is the client's bug, not a failed login.
        let device = Device::of(&req)?;
        let begun =
            shared.presence.begin_login(req.uid, &req.token, limits.login_lock_wait, limits.login_view_ttl).await?;
        let mut grant = match begun {
            // The same answer as a wrong token: a different one would tell a stranger whether
            // the uid logged in over HTTP lately (review 3, N17).
            Begin::NoToken => return Err(ErrorCode::TokenInvalid.into()),
            Begin::WrongToken => return Err(ErrorCode::TokenInvalid.into()),
            Begin::Busy => return Err(ErrorCode::LoginBusy.into()),
            Begin::Granted(grant) => grant,
        };
        self.llfc_client = req.imchat.is_empty();
        // The reply is built, and made to fit one frame, before anything is committed: a
        // login that could not be answered must not take the route (review 3, N1).
        let built = async {
            let Some(view) =
                grant.view(&shared.db, &shared.presence, limits.login_applies, limits.login_view_ttl).await?
            else {
                return Err(ErrorCode::UidInvalid.into());
            };
            let now = std::time::Instant::now();
            self.friends = view.friends.iter().map(|f| (f.friend.uid, now)).collect();
            let frame = fitting_reply(view, &req.token, limits)?;
            self.take_over(req.uid, &device, &mut grant).await?;
            Ok::<_, Reject>(frame)
        };
        let frame = match built.await {
            Ok(frame) => frame,
            Err(reject) => {
                self.friends.clear();
                if let Err(err) = grant.release(&shared.presence).await {
                    tracing::warn!(%err, uid = req.uid, "lock release failed; it expires by itself");
                }
                return Err(reject);
            }
        };
        tracing::info!(uid = req.uid, server = %shared.config.name, device = %device.id, kind = %device.kind, "login");
        self.device = Some(device);
        // Off the login's path: the resource port reads it seconds later, if at all.
        let (presence, address, ttl) = (shared.presence.clone(), self.peer.to_string(), limits.address_login_ttl);
        tokio::spawn(async move {
            if let Err(err) = presence.note_address_login(&address, ttl).await {
                tracing::debug!(%err, "a login's address not noted");
            }
        });
        self.outbox.push(frame);
        // Their friends hear they are online, after the reply.
        let friends: Vec<i32> = self.friends.keys().copied().collect();
        tokio::spawn(crate::session::presence::tell_friends(shared.clone(), req.uid, true, Some(friends)));
        Ok(())
    }

    /// Takes this session into the user's session table, kicks the sessions that ends
    /// wherever they are, then writes the table and the route and releases the lock. Runs
    /// under the user's lock; on failure the caller releases it. Peers that may have cached
    /// the user's route without this server are told to drop it.
    async fn take_over(&mut self, uid: i32, device: &Device, grant: &mut Grant) -> Result<(), Reject> {
        let shared = self.shared.clone();
        let (limits, me) = (&shared.config.limits, &shared.config.name);
        let session_id: Arc<str> = imchat_store::random_hex(16).into();
        let live = shared.router.live_servers().await?;
        let entry = SessionEntry {
            session: session_id.to_string(),
            device: device.id.to_string(),
            kind: device.kind.as_str().to_owned(),
            server: me.clone(),
            since_ms: device.since_ms,
        };
        let ended = grant.admit(entry, limits.session_policy, limits.max_devices, |server| live.contains(server));
        for old in &ended {
            shared.router.kick(uid, &old.server, &old.session, KICK_REASON).await?;
        }
        let elsewhere: Vec<String> = grant.sessions().servers().into_iter().filter(|s| s != me).collect();
        // Into the session table before the lock goes: the next login of this user, which may
        // kick it from here, must find it.
        for stale in shared.router.insert(uid, self.session_handle(&session_id, device), elsewhere.clone()) {
            // An older session of this device here that the table did not name: it goes too.
            crate::router::kick(&stale, uid, KICK_REASON);
        }
        if let Err(err) = grant.commit(&shared.presence, limits.route_ttl).await {
            shared.router.remove(uid, &session_id);
            return Err(err.into());
        }
        self.auth = Some(Auth { uid, session_id: session_id.clone() });
        // Servers that cached this user's route (their sessions elsewhere) without this one.
        let new_here = !elsewhere.is_empty()
            && !ended.iter().chain(grant.sessions().entries()).any(|e| &e.server == me && e.session != *session_id);
        if new_here {
            let router = shared.router.clone();
            tokio::spawn(async move { router.announce_route(uid).await });
        }
        Ok(())
    }
}

/// The 1006 for `view`, encoded, with as many friend requests (newest first) and friends (at
/// most `max_friends`) as fit one frame: every byte of a request is its sender's to choose,
/// and a reply that did not fit would lock its user out for good. Requests are trimmed first,
/// then friends; `friends_more`/`applies_more` tell the client to page the rest (1104, 1106).
fn fitting_reply(view: LoginView, token: &str, limits: &crate::Limits) -> Result<Bytes, Reject> {
    let (max_friends, applies_limit) = (limits.login_friends, limits.login_applies);
    let user = view.user;
    let applies_more = view.applies.len() as i64 >= applies_limit;
    let friends_more = view.friends.len() > max_friends;
    let applies: Vec<ApplyInfo> = view.applies.into_iter().map(apply_info).collect();
    let friends: Vec<FriendInfo> = view.friends.into_iter().take(max_friends).map(friend_info).collect();
    let mut reply = LoginRsp {
        error: 0,
        uid: user.uid,
        pwd: String::new(),
        name: user.name,
        email: user.email,
        nick: user.nick,
        desc: user.desc,
        sex: user.sex,
        icon: user.icon,
        token: token.to_owned(),
        apply_list: Vec::new(),
        friend_list: Vec::new(),
        imchat: caps::ALL
            .iter()
            .map(|cap| (*cap).to_owned())
            .chain([format!("{}{}", caps::MAX_TEXT, limits.max_text_bytes)])
            .collect(),
        friends_more: false,
        applies_more: false,
    };
    let (mut n_applies, mut n_friends) = (applies.len(), friends.len());
    loop {
        reply.apply_list = applies[..n_applies].to_vec();
        reply.friend_list = friends[..n_friends].to_vec();
        reply.applies_more = applies_more || n_applies < applies.len();
        reply.friends_more = friends_more || n_friends < friends.len();
        let mut buf = BytesMut::new();
        match reply.encode(&mut buf) {
            Ok(()) => return Ok(buf.freeze()),
            Err(_) if n_applies > 0 => n_applies /= 2,
            Err(_) if n_friends > 0 => n_friends /= 2,
            Err(err) => {
                tracing::error!(%err, uid = reply.uid, "even a login reply without lists does not fit");
                return Err(ErrorCode::Internal.into());
            }
        }
    }
}
