//! Groups on the chat server: the member cache every group send reads, and the one way a
//! group changes ([`apply`]): stored with its system message in one transaction, dropped from
//! the cache of every live chat server, then told to the members (before and after) as a 1142.
//! Sessions (`session/groups.rs`) and the operator's calls (`admin.rs`) both go through it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use dashmap::DashMap;
use imchat_proto::codec::MAX_BODY_CEILING;
use imchat_proto::grpc::GroupChangedReq;
use imchat_proto::msg::res::{MSG_STATUS_UN_UPLOAD, MSG_TYPE_FILE, MSG_TYPE_PIC};
use imchat_proto::msg::{
    EVENT_NAMES, GroupEvent, GroupInfo, MSG_STATUS_RECALLED, MSG_TYPE_SYSTEM, Message, NotifyGroupMsg, OVERSIZE_EVENT,
    OVERSIZE_TEXT, Quote, SyncData,
};
use imchat_proto::time::format_chat_time;
use imchat_store::{Actor, Change, Changed, Db, Event, Group, MSG_TYPE_TEXT, Refusal, StoreError, StoredMsg};

use crate::Shared;

// What the store keeps is what the wire says.
const _: () = assert!(imchat_store::MSG_TYPE_SYSTEM == imchat_proto::msg::MSG_TYPE_SYSTEM);

/// Each group's members, as this server last read them. A change made anywhere drops its
/// entry here before it is answered (`GroupChanged`); the lifetime bounds what a server that
/// missed that call keeps.
pub(crate) struct Groups {
    cache: DashMap<i64, (Arc<Group>, Instant)>,
    ttl: Duration,
    /// Bumped by every drop: a read that began before one is not cached, so a change that
    /// commits during a read is never hidden behind the read's older view.
    epoch: AtomicU64,
}

impl Groups {
    pub(crate) fn new(ttl: Duration) -> Groups {
        Groups { cache: DashMap::new(), ttl, epoch: AtomicU64::new(0) }
    }

    /// The group `thread_id`, if there is one.
    pub(crate) async fn get(&self, db: &Db, thread_id: i64) -> Result<Option<Arc<Group>>, StoreError> {
        if let Some(entry) = self.cache.get(&thread_id)
            && entry.1.elapsed() < self.ttl
        {
            return Ok(Some(entry.0.clone()));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let Some(group) = db.group(thread_id).await? else { return Ok(None) };
        let group = Arc::new(group);
        if self.epoch.load(Ordering::Acquire) == epoch {
            self.cache.insert(thread_id, (group.clone(), Instant::now()));
        }
        Ok(Some(group))
    }

    pub(crate) fn forget(&self, thread_id: i64) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.cache.remove(&thread_id);
    }
}

/// A group as `uid` sees it (their role, `""` when not a member; whether they muted it).
pub(crate) fn info(group: &Group, uid: i32) -> GroupInfo {
    let me = group.member(uid);
    GroupInfo {
        thread_id: group.row.thread_id,
        name: group.row.name.clone(),
        announcement: group.row.announcement.clone(),
        owner: group.row.owner,
        invite: group.row.invite.as_str().to_owned(),
        members: group.members.len() as i64,
        disbanded: group.row.disbanded,
        last_seq: group.row.last_seq,
        role: me.map_or("", |m| m.role.as_str()).to_owned(),
        muted: me.is_some_and(|m| m.muted),
    }
}

/// A system message's content: the wire's [`GroupEvent`] as JSON.
fn render(event: &Event<'_>) -> String {
    let wire = GroupEvent {
        event: event.kind.to_owned(),
        by: event.by.0,
        by_name: event.by.1.to_owned(),
        uids: event.targets.iter().map(|t| t.0).collect(),
        names: event.targets.iter().take(EVENT_NAMES).map(|t| t.1.to_owned()).collect(),
        text: event.text.to_owned(),
    };
    serde_json::to_string(&wire).expect("a group event always serialises")
}

/// Most bytes one message's content may take as a JSON string in a reply: half a frame, so
/// one message with a page's other fields always fits.
const MAX_CONTENT_JSON: usize = MAX_BODY_CEILING / 2;
/// JSON escaping grows a string at most this much (`\u0000` for a control byte).
const WORST_ESCAPE_FACTOR: usize = 6;

/// `content` as a reply may carry it: as stored, or, when it could not be framed (a row
/// stored before events were bounded, a limit lowered since), a small stub in its place, so
/// a page never has to leave it out and sync and history always move past it (N8).
pub(crate) fn framable(content: String, msg_type: i32) -> String {
    if content.len() * WORST_ESCAPE_FACTOR <= MAX_CONTENT_JSON
        || serde_json::to_string(&content).map_or(usize::MAX, |s| s.len()) <= MAX_CONTENT_JSON
    {
        return content;
    }
    if msg_type == MSG_TYPE_SYSTEM {
        let stub = GroupEvent { event: OVERSIZE_EVENT.to_owned(), ..GroupEvent::default() };
        return serde_json::to_string(&stub).expect("a group event always serialises");
    }
    OVERSIZE_TEXT.to_owned()
}

pub(crate) fn sync_data(m: StoredMsg) -> SyncData {
    let content = framable(m.content, m.msg_type);
    SyncData {
        thread_id: m.thread_id,
        seq: m.seq,
        message_id: m.message_id,
        sender: m.sender,
        receiver: m.receiver,
        unique_id: m.unique_id,
        content,
        chat_time: format_chat_time(m.created_at),
        status: m.status,
        msg_type: m.msg_type,
        mentions: m.mentions,
        reactions: Vec::new(),
        // The quote's text is read for the page as a whole (`Session::as_client_shows`).
        reply: (m.reply_seq != 0).then(|| Quote { seq: m.reply_seq, ..Quote::default() }),
        forwarded_from: m.forwarded_from,
    }
}

/// Whether `m` is someone's message (a text, a picture or a file) that is still there: what a
/// reply may quote and a forward may copy (a file only once its bytes are all there).
pub(crate) fn is_quotable(m: &StoredMsg) -> bool {
    match m.msg_type {
        MSG_TYPE_TEXT => m.status != MSG_STATUS_RECALLED,
        MSG_TYPE_PIC | MSG_TYPE_FILE => m.status != MSG_STATUS_RECALLED && m.status != MSG_STATUS_UN_UPLOAD,
        _ => false,
    }
}

/// `m` as a reply quotes it now: the start of its text (a file: its name), nothing once
/// recalled.
pub(crate) fn quote_of(m: &StoredMsg) -> Quote {
    let recalled = m.status == MSG_STATUS_RECALLED;
    Quote {
        seq: m.seq,
        sender: m.sender,
        msg_type: m.msg_type,
        excerpt: if recalled { String::new() } else { Quote::excerpt_of(&m.content) },
        recalled,
    }
}

/// The 1142 frame of `messages` (all of one thread and sender), encoded once for every member.
pub(crate) fn group_push(fromuid: i32, thread_id: i64, chat_datas: Vec<SyncData>) -> Option<Bytes> {
    let mut mentions: Vec<i32> = chat_datas.iter().flat_map(|m| m.mentions.iter().copied()).collect();
    mentions.sort_unstable();
    mentions.dedup();
    let mut buf = BytesMut::new();
    match (NotifyGroupMsg { fromuid, thread_id, chat_datas, mentions }).encode(&mut buf) {
        Ok(()) => Some(buf.freeze()),
        Err(err) => {
            tracing::error!(%err, thread_id, "a group push does not fit in a frame");
            None
        }
    }
}

/// Creates a group (see [`Db::create_group`]) and tells its members.
pub(crate) async fn create(
    shared: &Arc<Shared>,
    owner: i32,
    name: &str,
    members: &[i32],
) -> Result<Result<Changed, Refusal>, StoreError> {
    let limits = &shared.config.limits;
    let created =
        shared.db.create_group(owner, name, members, limits.group_max_members, &render, imchat_store::now_ms()).await?;
    if let Ok(changed) = &created {
        tell(shared, changed).await;
    }
    Ok(created)
}

/// Makes `change` as `actor`: stored, dropped from every live server's cache, then told.
pub(crate) async fn apply(
    shared: &Arc<Shared>,
    thread_id: i64,
    actor: Actor,
    change: &Change,
) -> Result<Result<Changed, Refusal>, StoreError> {
    let limits = &shared.config.limits;
    let changed = shared
        .db
        .change_group(thread_id, actor, change, limits.group_max_members, &render, imchat_store::now_ms())
        .await?;
    if let Ok(changed) = &changed {
        shared.groups.forget(thread_id);
        forget_everywhere(shared, thread_id).await;
        tell(shared, changed).await;
    }
    Ok(changed)
}

/// Asks every live peer to drop its cache of `thread_id`, side by side, each within the peer
/// wait. One that cannot be reached keeps its entry at most [`crate::Limits::group_cache`].
async fn forget_everywhere(shared: &Arc<Shared>, thread_id: i64) {
    let router = &shared.router;
    let peers = match router.live_peers().await {
        Ok(peers) => peers,
        Err(err) => {
            tracing::warn!(%err, thread_id, "registry unreadable; peers keep their group cache until it expires");
            return;
        }
    };
    let wait = shared.config.limits.peer_wait;
    let calls = peers.into_iter().map(|(name, addr)| async move {
        let called = match router.channels.chat(&addr) {
            Ok(mut client) => tokio::time::timeout(wait, client.group_changed(GroupChangedReq { thread_id }))
                .await
                .map_err(|_| "timed out".to_owned())
                .and_then(|r| r.map(|_| ()).map_err(|status| status.to_string())),
            Err(err) => Err(err.to_string()),
        };
        if let Err(err) = called {
            tracing::warn!(peer = %name, thread_id, %err, "a peer did not drop its group cache; it expires there");
        }
    });
    futures_util::future::join_all(calls).await;
}

/// Pushes a change's system message to its audience.
async fn tell(shared: &Arc<Shared>, changed: &Changed) {
    let Some(system) = changed.system.clone() else { return };
    let (sender, thread_id) = (system.sender, system.thread_id);
    if let Some(frame) = group_push(sender, thread_id, vec![sync_data(system)]) {
        shared
            .router
            .deliver_group(&changed.audience, None, imchat_proto::msg::ids::NOTIFY_GROUP_MSG, frame, thread_id)
            .await;
    }
}
