//! What others hear of a finished upload. A picture or file: its 1039, pushed to the
//! recipients (the other member of a private thread, or a group's members) through the chat
//! servers holding their sessions: one `Deliver` fan-out per server, the batched form of
//! llfc's `NotifyChatImgMsg`. An avatar: the cached login views of its owner and their
//! friends are dropped, so the next login shows it. A notice that cannot be delivered is
//! counted (sync still shows the message to the recipient).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use imchat_proto::grpc::{DeliverReq, Fanout};
use imchat_proto::msg::Message;
use imchat_proto::msg::res::NotifyImgChat;
use imchat_proto::time::format_chat_time;
use imchat_rpc::{Channels, Secret};
use imchat_store::presence::Presence;
use imchat_store::registry::LiveCache;
use imchat_store::{Db, FileRow, Kv, StoredMsg};

/// How long the live chat-server list is reused before it is read again.
const LIVE_CACHE: Duration = Duration::from_secs(1);

pub(crate) struct Notifier {
    db: Db,
    kv: Kv,
    presence: Presence,
    live: LiveCache,
    channels: Channels,
    /// 1039s not delivered to a recipient who had a route (their server gone or failing).
    pub given_up: AtomicU64,
    /// Login views' lifetime on the chat servers (see `FileLimits::login_view_ttl`).
    view_ttl: Duration,
}

impl Notifier {
    pub fn new(db: Db, kv: Kv, secret: Secret, view_ttl: Duration) -> Notifier {
        Notifier {
            db,
            presence: Presence::new(kv.clone()),
            kv,
            live: LiveCache::new(LIVE_CACHE),
            channels: Channels::new(secret),
            given_up: AtomicU64::new(0),
            view_ttl,
        }
    }

    /// The 1039 of `file`, whose `message` is now complete, to everyone who should have it.
    pub async fn uploaded(&self, file: &FileRow, message: &StoredMsg) {
        let recipients = match self.recipients(message).await {
            Ok(uids) => uids,
            Err(err) => {
                tracing::warn!(%err, message_id = message.message_id, "upload notice: recipients not read");
                self.given_up.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        if recipients.is_empty() {
            return;
        }
        let notice = NotifyImgChat {
            error: 0,
            message_id: message.message_id,
            sender_id: message.sender,
            receiver_id: message.receiver,
            img_name: file.name.clone(),
            total_size: file.size.to_string(),
            thread_id: message.thread_id,
            seq: message.seq,
            msg_type: message.msg_type,
            mime: file.mime.clone(),
            label: file.label.clone(),
            thumb_size: file.thumb_size,
            chat_time: format_chat_time(message.created_at),
        };
        let body: bytes::Bytes = match serde_json::to_vec(&notice).map(Into::into) {
            Ok(body) => body,
            Err(_) => return,
        };
        let routes = match self.presence.routes(&recipients).await {
            Ok(routes) => routes,
            Err(err) => {
                tracing::warn!(%err, "upload notice: routes not read");
                self.given_up.fetch_add(recipients.len() as u64, Ordering::Relaxed);
                return;
            }
        };
        let mut by_server: HashMap<String, Vec<i32>> = HashMap::new();
        // Every server holding a session of a recipient: each of their devices hears of it.
        for (uid, servers) in recipients.iter().zip(routes) {
            for server in servers {
                by_server.entry(server).or_default().push(*uid);
            }
        }
        if by_server.is_empty() {
            return;
        }
        let live = match self.live.get(&self.kv).await {
            Ok(live) => live,
            Err(err) => {
                tracing::warn!(%err, "upload notice: live servers not read");
                self.given_up.fetch_add(by_server.values().map(|v| v.len() as u64).sum(), Ordering::Relaxed);
                return;
            }
        };
        for (server, touids) in by_server {
            let count = touids.len() as u64;
            let Some(entry) = live.iter().find(|e| e.name == server) else {
                self.given_up.fetch_add(count, Ordering::Relaxed);
                continue;
            };
            let fanout = Fanout { touids, msg_id: u32::from(NotifyImgChat::ID), body: body.clone() };
            let call = async {
                let mut client = self.channels.chat(&entry.rpc_addr).map_err(|err| err.to_string())?;
                client
                    .deliver(DeliverReq { frames: Vec::new(), fanouts: vec![fanout] })
                    .await
                    .map_err(|s| s.to_string())
            };
            if let Err(err) = call.await {
                tracing::warn!(%err, %server, "upload notice not delivered");
                self.given_up.fetch_add(count, Ordering::Relaxed);
            }
        }
    }

    /// Who hears of `message`'s file: the other member of its private thread, or every other
    /// member of its group who was one when it was sent (joined before its seq): someone
    /// invited later may not read it, so must not learn its name, size or type (N17). And the
    /// sender, whose other devices show it too (a chat server passes a user's own file notice
    /// only to sessions that named `devices`).
    async fn recipients(&self, message: &StoredMsg) -> Result<Vec<i32>, imchat_store::StoreError> {
        if message.receiver != 0 {
            return Ok(vec![message.receiver, message.sender]);
        }
        let group = self.db.group(message.thread_id).await?;
        Ok(group
            .map(|g| g.members.iter().filter(|m| m.joined_seq < message.seq).map(|m| m.uid).collect())
            .unwrap_or_default())
    }

    /// `owner` has a new avatar: the login views showing it (theirs, their friends') go.
    pub async fn avatar_changed(&self, owner: i32) {
        let ttl = self.view_ttl;
        let mut uids = vec![owner];
        match self.db.friend_list(owner).await {
            Ok(friends) => uids.extend(friends.iter().map(|f| f.friend.uid)),
            Err(err) => {
                tracing::warn!(%err, "avatar change: friends not read; their cached views stay until they expire")
            }
        }
        if let Err(err) = self.presence.forget_views(&uids, ttl).await {
            tracing::warn!(%err, "avatar change: cached login views not dropped");
        }
    }
}
