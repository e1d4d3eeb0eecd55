//! Presence (`presence`): who is online and when they were last seen, as each user lets
//! others see it (`everyone`, `friends` by default, `nobody`). 1174 asks; a user's first
//! session and the end of their last are pushed to their friends (1176) off the login's and
//! the logout's path. Online is "has a session on a live chat server" (the route); last seen
//! is stored when the last session ends.

use std::sync::Arc;

use bytes::BytesMut;
use imchat_proto::ErrorCode;
use imchat_proto::msg::{MAX_PRESENCE_UIDS, Message, NotifyPresence, Presence, PresenceReq, PresenceRsp, ids};
use imchat_proto::time::format_chat_time;
use imchat_store::{StoreError, Visibility};

use crate::Shared;
use crate::session::{Handled, Session};

/// Whether `asker` sees a user whose setting is `visibility` (`friend`: they are friends).
fn sees(visibility: Visibility, friend: bool) -> bool {
    match visibility {
        Visibility::Everyone => true,
        Visibility::Friends => friend,
        Visibility::Nobody => false,
    }
}

fn last_seen(ms: i64, online: bool) -> String {
    if online || ms == 0 { String::new() } else { format_chat_time(ms) }
}

impl Session {
    /// 1174: the presence of `uids` as this user may see it. Taken from the message rate:
    /// it reads the routes and the settings of up to `MAX_PRESENCE_UIDS` users.
    pub(super) async fn presence(&mut self, req: PresenceReq) -> Handled {
        if req.uids.len() > MAX_PRESENCE_UIDS {
            return Err(ErrorCode::InvalidArgument.into());
        }
        let limits = &self.shared.config.limits;
        if !self.rate.take(1, limits.messages_per_sec, limits.message_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        let me = self.uid();
        let db = &self.shared.db;
        let (settings, friends) = (db.settings_of(&req.uids).await?, db.friends_among(me, &req.uids).await?);
        let online = self.shared.router.online(&req.uids).await?;
        let presences = req
            .uids
            .iter()
            .map(|uid| {
                let setting = settings.get(uid).copied().unwrap_or_default();
                if *uid != me && !sees(setting.presence, friends.contains(uid)) {
                    return Presence { uid: *uid, ..Presence::default() };
                }
                let online = online.contains(uid);
                Presence { uid: *uid, visible: true, online, last_seen: last_seen(setting.last_seen, online) }
            })
            .collect();
        self.send(&PresenceRsp { error: 0, presences })
    }
}

/// Tells `uid`'s friends (those of `friends` who may see it) that they came online or went
/// offline; going offline also stores when. Run off the session's path.
pub(crate) async fn tell_friends(shared: Arc<Shared>, uid: i32, online: bool, friends: Option<Vec<i32>>) {
    if let Err(err) = told(&shared, uid, online, friends).await {
        tracing::debug!(%err, uid, online, "presence not told");
    }
}

async fn told(shared: &Shared, uid: i32, online: bool, friends: Option<Vec<i32>>) -> Result<(), StoreError> {
    let now = imchat_store::now_ms();
    if !online {
        // Another session of theirs, here or elsewhere, keeps them online.
        if shared.router.online(&[uid]).await?.contains(&uid) {
            return Ok(());
        }
        shared.db.set_last_seen(uid, now).await?;
    }
    let setting = shared.db.settings(uid).await?;
    if setting.presence == Visibility::Nobody {
        return Ok(());
    }
    let friends = match friends {
        Some(friends) => friends,
        None => shared.db.friend_list(uid).await?.into_iter().map(|f| f.friend.uid).collect(),
    };
    if friends.is_empty() {
        return Ok(());
    }
    let push = NotifyPresence(Presence { uid, visible: true, online, last_seen: last_seen(now, online) });
    let mut frame = BytesMut::new();
    if push.encode(&mut frame).is_ok() {
        shared.router.deliver_group(&friends, None, ids::NOTIFY_PRESENCE, frame.freeze(), 0).await;
    }
    Ok(())
}
