//! 1005 chat login: token check, then, under the user's lock, kick any older session
//! (here or on a peer, which sends it 1021) and take over the user's route.

use std::sync::Arc;

use imchat_proto::ErrorCode;
use imchat_proto::grpc::KickUserReq;
use imchat_proto::msg::{ApplyInfo, FriendInfo, LoginReq, LoginRsp};
use imchat_store::keys;
use imchat_store::lock::UserLock;

use crate::session::{Auth, Handled, Reject, Session};

/// What a kicked client is told.
const KICK_REASON: &str = "logged in elsewhere";

impl Session {
    pub(super) async fn login(&mut self, req: LoginReq) -> Handled {
        let shared = self.shared.clone();
        let kv = &shared.kv;
        match kv.get(&keys::token(req.uid)).await? {
            None => return Err(ErrorCode::UidInvalid.into()),
            Some(token) if !imchat_store::constant_time_eq(token.as_bytes(), req.token.as_bytes()) => {
                return Err(ErrorCode::TokenInvalid.into());
            }
            Some(_) => {}
        }
        // Only after the token holds: profile, requests and friends in one statement.
        let Some(view) = shared.db.login_view(req.uid, shared.config.limits.login_applies).await? else {
            return Err(ErrorCode::UidInvalid.into());
        };
        let (user, applies, mut friends) = (view.user, view.applies, view.friends);

        let Some(lock) = UserLock::acquire(kv, user.uid, shared.config.limits.login_lock_wait).await? else {
            return Err(ErrorCode::LoginBusy.into());
        };
        let taken = self.take_over(user.uid).await;
        if let Err(err) = lock.release(kv).await {
            tracing::warn!(%err, uid = user.uid, "lock release failed; it expires by itself");
        }
        taken?;

        self.friends = friends.iter().map(|f| f.friend.uid).collect();
        friends.truncate(shared.config.limits.login_friends);
        let reply = LoginRsp {
            error: 0,
            uid: user.uid,
            pwd: String::new(),
            name: user.name,
            email: user.email,
            nick: user.nick,
            desc: user.desc,
            sex: user.sex,
            icon: user.icon,
            token: req.token,
            apply_list: applies
                .into_iter()
                .map(|a| ApplyInfo {
                    name: a.from.name,
                    uid: a.from.uid,
                    icon: a.from.icon,
                    nick: a.from.nick,
                    sex: a.from.sex,
                    desc: a.descs,
                    status: a.status,
                })
                .collect(),
            friend_list: friends
                .into_iter()
                .map(|f| FriendInfo {
                    name: f.friend.name,
                    uid: f.friend.uid,
                    icon: f.friend.icon,
                    nick: f.friend.nick,
                    sex: f.friend.sex,
                    desc: f.friend.desc,
                    back: f.back,
                })
                .collect(),
        };
        tracing::info!(uid = reply.uid, server = %shared.config.name, "login");
        self.send(&reply)
    }

    /// Kicks the user's previous session wherever it is, then points the user's route here.
    /// Runs under the user's lock.
    async fn take_over(&mut self, uid: i32) -> Result<(), Reject> {
        let shared = self.shared.clone();
        let kv = &shared.kv;
        if let Some(server) = kv.get(&keys::route(uid)).await? {
            if server == shared.config.name {
                shared.hub.kick_local(uid, KICK_REASON);
            } else if let Some(addr) = shared.peer_addr(&server).await? {
                let kicked = match shared.channels.chat(&addr) {
                    Ok(mut client) => client
                        .notify_kick_user(KickUserReq { uid, reason: KICK_REASON.to_owned() })
                        .await
                        .map(|_| ())
                        .map_err(|status| status.to_string()),
                    Err(err) => Err(err.to_string()),
                };
                if let Err(err) = kicked {
                    // The old server is unreachable; its session dies with it or on its idle timer.
                    tracing::warn!(uid, server, %err, "could not kick the previous session");
                }
            }
        }
        let session_id: Arc<str> = imchat_store::random_hex(16).into();
        // Session id first (the pipeline keeps the order): the kicked session's cleanup deletes
        // the route only while the session id is still its own, so once ours is written our
        // route is safe from it.
        let (session_key, route_key) = (keys::session(uid), keys::route(uid));
        let pairs = [(session_key.as_str(), &*session_id), (route_key.as_str(), shared.config.name.as_str())];
        kv.set_many(&pairs, shared.config.limits.route_ttl).await?;
        if let Some(previous) = shared.hub.insert(uid, self.session_handle(&session_id)) {
            // A login raced past the route check on this server: close the older one too.
            previous.outbox.close();
        }
        self.auth = Some(Auth { uid, session_id });
        Ok(())
    }
}
