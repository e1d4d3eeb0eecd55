//! 1005 chat login: the token check and the user's lock in one step, then, under the lock,
//! kick any older session (here or on a peer, which sends it 1021) and take over the user's
//! route. The profile, requests and friends usually come from the login-view cache
//! (`imchat_store::login`), so a login storm costs two key-value round trips per login.

use std::sync::Arc;

use imchat_proto::ErrorCode;
use imchat_proto::msg::{ApplyInfo, FriendInfo, LoginReq, LoginRsp, caps};
use imchat_store::LoginView;
use imchat_store::presence::{Begin, Grant};

use crate::session::{Auth, Handled, Reject, Session};

/// What a kicked client is told.
const KICK_REASON: &str = "logged in elsewhere";

impl Session {
    pub(super) async fn login(&mut self, req: LoginReq) -> Handled {
        let shared = self.shared.clone();
        let limits = &shared.config.limits;
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
        let view = match self.take_over(req.uid, &mut grant).await {
            Ok(view) => view,
            Err(reject) => {
                if let Err(err) = grant.release(&shared.presence).await {
                    tracing::warn!(%err, uid = req.uid, "lock release failed; it expires by itself");
                }
                return Err(reject);
            }
        };
        let (user, applies, mut friends) = (view.user, view.applies, view.friends);

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
            imchat: caps::ALL.iter().map(|cap| (*cap).to_owned()).collect(),
        };
        tracing::info!(uid = reply.uid, server = %shared.config.name, "login");
        // Off the login's path: the resource port reads it seconds later, if at all.
        let (presence, address, ttl) = (shared.presence.clone(), self.peer.to_string(), limits.address_login_ttl);
        tokio::spawn(async move {
            if let Err(err) = presence.note_address_login(&address, ttl).await {
                tracing::debug!(%err, "a login's address not noted");
            }
        });
        self.send(&reply)
    }

    /// Kicks the user's previous session wherever it is, then points the user's route here
    /// and releases the lock. Runs under the user's lock; on failure the caller releases it.
    async fn take_over(&mut self, uid: i32, grant: &mut Grant) -> Result<LoginView, Reject> {
        let shared = self.shared.clone();
        let limits = &shared.config.limits;
        // Only after the token holds: the profile, requests and friends.
        let Some(view) = grant.view(&shared.db, &shared.presence, limits.login_applies, limits.login_view_ttl).await?
        else {
            return Err(ErrorCode::UidInvalid.into());
        };
        if let Some(server) = grant.previous() {
            shared.router.kick(uid, server, KICK_REASON).await?;
        }
        let session_id: Arc<str> = imchat_store::random_hex(16).into();
        // Into the session table before the lock goes: the next login of this user, which may
        // kick it from here, must find it.
        if let Some(previous) = shared.router.insert(uid, self.session_handle(&session_id)) {
            // An older session here that the route did not name: it goes too.
            crate::router::kick(&previous, uid, KICK_REASON);
        }
        if let Err(err) = grant.commit(&shared.presence, &session_id, &shared.config.name, limits.route_ttl).await {
            shared.router.remove(uid, &session_id);
            return Err(err.into());
        }
        self.auth = Some(Auth { uid, session_id });
        Ok(view)
    }
}
