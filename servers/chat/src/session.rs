//! One client session: authentication state, per-session caches, and the dispatch of each
//! request to its handler. After login every request acts as the session's own uid; a request
//! naming another uid is rejected (llfc trusted the body, §10.3).

mod chat;
mod forward;
mod friends;
mod gestures;
mod groups;
mod history;
mod login;
mod presence;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use bytes::{Bytes, BytesMut};
use imchat_proto::codec::Frame;
use imchat_proto::msg::{ClientMsg, HeartbeatRsp, LoginReq, Message, NotifyTyping, TypingReq};
use imchat_proto::{ErrorCode, msg::ErrorBody};
use imchat_store::{StoreError, ThreadRow};

use crate::Shared;
use crate::outbox::Outbox;
use crate::router::SessionHandle;
use imchat_edge::Peer;

/// What the connection does after a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Close,
}

/// The outcome of a frame: handled, or a 1017 whose messages are queued for the writer. The
/// connection keeps up to [`crate::Limits::pipeline`] of those in flight and hands each back to
/// [`Session::finish`] in arrival order, so replies keep the order of their requests.
pub(crate) enum Step {
    Done(Flow),
    Pending(Pending),
}

pub(crate) type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = Finished> + Send>>;
/// A pipelined request's reply id and result.
pub(crate) type Finished = (u16, Result<Done, Reject>);

/// A stored text request, to be pushed and acknowledged.
pub(crate) enum Done {
    Text(chat::Sent),
    Group(groups::GroupSent),
}

/// A rejected request: the error code sent back under the request's reply id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reject(pub(crate) ErrorCode);

impl From<ErrorCode> for Reject {
    fn from(code: ErrorCode) -> Reject {
        Reject(code)
    }
}

/// The one place store failures become a client-visible error: retriable when the store is
/// only out of reach.
impl From<StoreError> for Reject {
    fn from(err: StoreError) -> Reject {
        if err.is_unavailable() {
            tracing::warn!(%err, "store unavailable while serving a request");
            return Reject(ErrorCode::Unavailable);
        }
        tracing::error!(%err, "store failure while serving a request");
        Reject(ErrorCode::Internal)
    }
}

type Handled = Result<(), Reject>;

/// The 1024, encoded once: a heartbeat is the one request every idle client keeps sending.
fn heartbeat_reply() -> Bytes {
    static BEAT: LazyLock<Bytes> = LazyLock::new(|| {
        let mut buf = BytesMut::new();
        HeartbeatRsp { error: 0 }.encode(&mut buf).expect("a small constant frame");
        buf.freeze()
    });
    BEAT.clone()
}

struct Auth {
    uid: i32,
    session_id: Arc<str>,
}

/// A token bucket: `burst` tokens, refilled at a rate per second.
#[derive(Debug, Default)]
pub(super) struct Bucket {
    tokens: f64,
    last: Option<std::time::Instant>,
}

impl Bucket {
    /// Takes `n` tokens if there are (a rate of 0 is no limit).
    pub(super) fn take(&mut self, n: usize, per_sec: u32, burst: u32) -> bool {
        if per_sec == 0 {
            return true;
        }
        let now = std::time::Instant::now();
        let burst = f64::from(burst.max(1));
        self.tokens = match self.last {
            None => burst,
            Some(last) => (self.tokens + now.duration_since(last).as_secs_f64() * f64::from(per_sec)).min(burst),
        };
        self.last = Some(now);
        if self.tokens < n as f64 {
            return false;
        }
        self.tokens -= n as f64;
        true
    }
}

pub(crate) struct Session {
    shared: Arc<Shared>,
    outbox: Outbox,
    /// The client's address (for the per-address login limit), and its failed logins.
    peer: Peer,
    failed_logins: u32,
    /// The per-user message rate (`MessagesPerSec`), and the rate of typing notices.
    pub(super) rate: Bucket,
    typing_rate: Bucket,
    /// The client's 1005 named no imchat extensions: llfc's Qt client (see `imchat_proto::llfc_client`).
    llfc_client: bool,
    /// The device it logged in as (see `session::login`).
    device: Option<login::Device>,
    auth: Option<Auth>,
    /// Positive caches: a friend, as checked when (trusted while `Friendships::holds`), and a
    /// thread's members (which never change).
    friends: HashMap<i32, std::time::Instant>,
    threads: HashMap<i64, ThreadRow>,
}

impl Session {
    pub(crate) fn new(shared: Arc<Shared>, outbox: Outbox, peer: Peer) -> Session {
        Session {
            shared,
            outbox,
            peer,
            failed_logins: 0,
            rate: Bucket::default(),
            typing_rate: Bucket::default(),
            llfc_client: false,
            device: None,
            auth: None,
            friends: HashMap::new(),
            threads: HashMap::new(),
        }
    }

    pub(crate) fn logged_in(&self) -> bool {
        self.auth.is_some()
    }

    /// A login, within the limits on failures: an address over its failures for the minute is
    /// refused unread; a connection that failed too often is closed after its answer.
    async fn guarded_login(&mut self, req: LoginReq, id: u16) -> Step {
        let shared = self.shared.clone();
        let limits = &shared.config.limits;
        if !shared.edge.may_try(self.peer, limits.failed_logins_per_ip) {
            self.reject(ErrorCode::TooManyRequests.into(), id);
            return Step::Done(Flow::Continue);
        }
        let Err(reject) = self.login(req).await else { return Step::Done(Flow::Continue) };
        let failed = matches!(reject.0, ErrorCode::UidInvalid | ErrorCode::TokenInvalid);
        self.reject(reject, id);
        if failed {
            shared.edge.failed(self.peer);
            self.failed_logins += 1;
            if limits.max_failed_logins > 0 && self.failed_logins >= limits.max_failed_logins {
                tracing::debug!(failures = self.failed_logins, "too many failed logins; closing");
                return Step::Done(Flow::Close);
            }
        }
        Step::Done(Flow::Continue)
    }

    /// Whether frames with this id may be pipelined: only 1017, whose cost is the commit wait.
    /// The connection finishes every pending request before handling any other frame.
    pub(crate) fn pipelined(id: u16) -> bool {
        matches!(id, imchat_proto::msg::ids::TEXT_CHAT_MSG_REQ | imchat_proto::msg::ids::GROUP_TEXT_REQ)
    }

    /// Handles one frame. Nothing a client sends makes this panic or fail the connection
    /// except where the connection itself must end.
    pub(crate) async fn handle(&mut self, frame: Frame) -> Step {
        let msg = ClientMsg::parse(frame.id, &frame.body);
        if Session::pipelined(frame.id) {
            // Even a refusal goes through the pipeline, behind the requests before it.
            let pending: Pending = match msg {
                Ok(ClientMsg::TextChat(req)) if self.auth.is_some() => match self.text_chat(req).await {
                    Ok(pending) => pending,
                    Err(reject) => Box::pin(std::future::ready((frame.id, Err(reject)))),
                },
                Ok(ClientMsg::GroupText(req)) if self.auth.is_some() => match self.group_text(req).await {
                    Ok(pending) => pending,
                    Err(reject) => Box::pin(std::future::ready((frame.id, Err(reject)))),
                },
                Ok(_) => Box::pin(std::future::ready((frame.id, Err(ErrorCode::NotLoggedIn.into())))),
                Err(err) => {
                    tracing::debug!(id = frame.id, %err, "bad request");
                    Box::pin(std::future::ready((frame.id, Err(Reject(err.code())))))
                }
            };
            return Step::Pending(pending);
        }
        let msg = match msg {
            Ok(msg) => msg,
            Err(err) => {
                tracing::debug!(id = frame.id, %err, "bad request");
                self.reject(Reject(err.code()), frame.id);
                return Step::Done(Flow::Continue);
            }
        };
        if let Err(reject) = self.within_rate(&msg) {
            self.reject(reject, frame.id);
            return Step::Done(Flow::Continue);
        }
        let result = match (self.auth.is_some(), msg) {
            (false, ClientMsg::Login(req)) => return self.guarded_login(req, frame.id).await,
            (false, _) => Err(ErrorCode::NotLoggedIn.into()),
            (true, ClientMsg::Login(_)) => Err(ErrorCode::AlreadyLoggedIn.into()),
            (true, ClientMsg::Heartbeat(req)) => self.me(req.fromuid).map(|_| {
                self.outbox.push(heartbeat_reply());
            }),
            (true, ClientMsg::Search(req)) => self.search(req).await,
            (true, ClientMsg::AddFriend(req)) => self.add_friend(req).await,
            (true, ClientMsg::AuthFriend(req)) => self.auth_friend(req).await,
            // 1017 frames take the pipelined branch above; parsing is by id, so this cannot be
            // a client's doing, and it is answered rather than trusted.
            (true, ClientMsg::TextChat(_) | ClientMsg::GroupText(_)) => {
                tracing::error!("a text message reached the unpipelined dispatch");
                Err(ErrorCode::Internal.into())
            }
            (true, ClientMsg::LoadThreads(req)) => self.load_threads(req).await,
            (true, ClientMsg::CreatePrivateChat(req)) => self.create_private_chat(req).await,
            (true, ClientMsg::LoadChatMsg(req)) => self.load_chat_msg(req).await,
            (true, ClientMsg::Sync(req)) => self.sync(req).await,
            (true, ClientMsg::LoadOlder(req)) => self.load_older(req).await,
            (true, ClientMsg::ImgChat(req)) => self.img_chat(req).await,
            (true, ClientMsg::GroupCreate(req)) => self.group_create(req).await,
            (true, ClientMsg::GroupInvite(req)) => self.group_invite(req).await,
            (true, ClientMsg::GroupLeave(req)) => self.group_leave(req).await,
            (true, ClientMsg::GroupRemove(req)) => self.group_remove(req).await,
            (true, ClientMsg::GroupRole(req)) => self.group_role(req).await,
            (true, ClientMsg::GroupUpdate(req)) => self.group_update(req).await,
            (true, ClientMsg::GroupDisband(req)) => self.group_disband(req).await,
            (true, ClientMsg::GroupMute(req)) => self.group_mute(req).await,
            (true, ClientMsg::GroupMembers(req)) => self.group_members(req).await,
            (true, ClientMsg::GroupInfo(req)) => self.group_info(req).await,
            (true, ClientMsg::GroupReadBy(req)) => self.group_read_by(req).await,
            (true, ClientMsg::FriendPage(req)) => self.friend_page(req).await,
            (true, ClientMsg::ApplyPage(req)) => self.apply_page(req).await,
            (true, ClientMsg::DeclineFriend(req)) => self.decline_friend(req).await,
            (true, ClientMsg::ReadMark(req)) => self.read_mark(req).await,
            (true, ClientMsg::Typing(req)) => self.typing(req).await,
            (true, ClientMsg::Settings(req)) => self.settings(req).await,
            (true, ClientMsg::Recall(req)) => self.recall(req).await,
            (true, ClientMsg::Edit(req)) => self.edit(req).await,
            (true, ClientMsg::React(req)) => self.react(req).await,
            (true, ClientMsg::Unfriend(req)) => self.unfriend(req).await,
            (true, ClientMsg::Block(req)) => self.block(req).await,
            (true, ClientMsg::Remark(req)) => self.remark(req).await,
            (true, ClientMsg::Presence(req)) => self.presence(req).await,
            // Boxed: its future is far larger than a text's, and every request's dispatch
            // would be as large as the largest arm.
            (true, ClientMsg::Forward(req)) => Box::pin(self.forward(req)).await,
        };
        if let Err(reject) = result {
            self.reject(reject, frame.id);
        }
        Step::Done(Flow::Continue)
    }

    /// Whether the user may make this request now: group changes and friend requests cost
    /// every member a push and a stored row, so each user has a bucket of them (review 3, N9).
    fn within_rate(&self, msg: &ClientMsg) -> Result<(), Reject> {
        let Some(auth) = &self.auth else { return Ok(()) };
        let buckets = match msg {
            ClientMsg::GroupCreate(_)
            | ClientMsg::GroupInvite(_)
            | ClientMsg::GroupLeave(_)
            | ClientMsg::GroupRemove(_)
            | ClientMsg::GroupRole(_)
            | ClientMsg::GroupUpdate(_)
            | ClientMsg::GroupDisband(_) => &self.shared.group_changes,
            ClientMsg::AddFriend(_) => &self.shared.friend_requests,
            _ => return Ok(()),
        };
        if buckets.take(auth.uid, 1) { Ok(()) } else { Err(ErrorCode::TooManyRequests.into()) }
    }

    /// The answer to a frame of id `id` after the session was kicked (see
    /// `connection::kick_grace`): a heartbeat's reply, or 1101 for anything else.
    pub(crate) fn grace_reply(id: u16) -> Bytes {
        if id == imchat_proto::msg::ids::HEART_BEAT_REQ {
            return heartbeat_reply();
        }
        let mut buf = BytesMut::new();
        ErrorBody::new(ErrorCode::NotLoggedIn, id).encode(&mut buf).expect("error bodies are small");
        buf.freeze()
    }

    /// Completes a pipelined request: its reply, then its effects.
    pub(crate) async fn finish(&mut self, (req_id, result): Finished) {
        match result {
            Ok(Done::Text(sent)) => self.text_sent(sent).await,
            Ok(Done::Group(sent)) => self.group_sent(sent).await,
            Err(reject) => self.reject(reject, req_id),
        }
    }

    /// The session's uid, if `claimed` is it.
    fn me(&self, claimed: i32) -> Result<i32, Reject> {
        match &self.auth {
            Some(auth) if auth.uid == claimed => Ok(auth.uid),
            Some(_) => Err(ErrorCode::UidMismatch.into()),
            None => Err(ErrorCode::NotLoggedIn.into()),
        }
    }

    fn uid(&self) -> i32 {
        self.auth.as_ref().map_or(0, |auth| auth.uid)
    }

    fn send<M: Message>(&self, message: &M) -> Handled {
        let mut buf = BytesMut::new();
        message.encode(&mut buf).map_err(|err| {
            // Replies are paged to stay far below the frame limit; reaching it is a server bug.
            tracing::error!(%err, id = M::ID, "reply does not fit in a frame");
            Reject(ErrorCode::Internal)
        })?;
        self.outbox.push(buf.freeze());
        Ok(())
    }

    /// Sends a paged reply with as many of its `total` items as fit in one frame: `build(n)`
    /// makes the reply with the first `n` items (and must flag that more remain when `n < total`).
    fn send_fitting<M: Message>(&self, total: usize, build: impl Fn(usize) -> M) -> Handled {
        let mut n = total;
        loop {
            let mut buf = BytesMut::new();
            match build(n).encode(&mut buf) {
                Ok(()) => {
                    self.outbox.push(buf.freeze());
                    return Ok(());
                }
                Err(_) if n > 0 => n /= 2,
                Err(err) => {
                    tracing::error!(%err, id = M::ID, "even an empty page does not fit in a frame");
                    return Err(ErrorCode::Internal.into());
                }
            }
        }
    }

    fn reject(&self, reject: Reject, req_id: u16) {
        let mut buf = BytesMut::new();
        ErrorBody::new(reject.0, req_id).encode(&mut buf).expect("error bodies are small");
        self.outbox.push(buf.freeze());
    }

    /// Pushes `message` to `uid` wherever they are.
    async fn push<M: Message>(&self, uid: i32, message: &M) {
        let mut buf = BytesMut::new();
        match message.encode(&mut buf) {
            Ok(()) => self.shared.router.deliver(uid, M::ID, buf.freeze()).await,
            Err(err) => tracing::error!(%err, id = M::ID, "push does not fit in a frame"),
        }
    }

    async fn ensure_friend(&mut self, other: i32) -> Handled {
        let me = self.uid();
        if self.friends.get(&other).is_some_and(|checked| self.shared.friendships.holds(me, other, *checked)) {
            return Ok(());
        }
        // Taken before the read: an end heard of meanwhile is newer, and wins.
        let checked = std::time::Instant::now();
        if self.shared.db.is_friend(me, other).await? {
            self.friends.insert(other, checked);
            return Ok(());
        }
        self.friends.remove(&other);
        Err(ErrorCode::NotFriend.into())
    }

    /// Runs `change`, a write to what the login replies of `uids` show (requests,
    /// friendships), between two invalidations of their cached login views: the first must
    /// succeed before anything changes; the second undoes a login that cached the old view
    /// in between (see `imchat_store::presence`).
    async fn changing_views<T>(
        &self,
        uids: &[i32],
        change: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, Reject> {
        let (presence, ttl) = (&self.shared.presence, self.shared.config.limits.login_view_ttl);
        presence.forget_views(uids, ttl).await?;
        let changed = change.await?;
        if let Err(err) = presence.forget_views(uids, ttl).await {
            tracing::warn!(%err, ?uids, "login views not invalidated after a change; a login racing it may show the old one");
        }
        Ok(changed)
    }

    /// The seq `thread_id` may be read from by this session's user (0 for a private thread of
    /// theirs, the seq they joined a group at), if they may read it at all.
    async fn readable_from(&mut self, thread_id: i64) -> Result<i64, Reject> {
        if let Ok(_private) = self.member_thread(thread_id).await {
            return Ok(0);
        }
        let group = self.member_group(thread_id).await?;
        Ok(group.member(self.uid()).map_or(0, |m| m.joined_seq))
    }

    /// The private thread, if this session's user is a member of it.
    async fn member_thread(&mut self, thread_id: i64) -> Result<ThreadRow, Reject> {
        if let Some(thread) = self.threads.get(&thread_id) {
            return Ok(*thread);
        }
        match self.shared.db.thread(thread_id).await? {
            Some(thread) if thread.has_member(self.uid()) => {
                self.threads.insert(thread_id, thread);
                Ok(thread)
            }
            _ => Err(ErrorCode::NotThreadMember.into()),
        }
    }

    /// Leaves the session table and clears this session's route, unless a newer login
    /// replaced it.
    pub(crate) async fn end(&mut self) {
        let Some(auth) = self.auth.take() else { return };
        self.shared.router.remove(auth.uid, &auth.session_id);
        let ttl = self.shared.config.limits.route_ttl;
        let cleared = self.shared.presence.end_session(auth.uid, &auth.session_id, ttl).await;
        if let Err(err) = cleared {
            tracing::warn!(%err, uid = auth.uid, "route cleanup failed; it expires by itself");
        }
        // Their friends hear they are offline, if this was their last session.
        tokio::spawn(presence::tell_friends(self.shared.clone(), auth.uid, false, None));
        tracing::debug!(uid = auth.uid, "session ended");
    }

    /// This session's id, once logged in.
    fn session_id(&self) -> Option<Arc<str>> {
        self.auth.as_ref().map(|auth| auth.session_id.clone())
    }

    fn session_handle(&self, session_id: &Arc<str>, device: &login::Device) -> SessionHandle {
        SessionHandle {
            id: session_id.clone(),
            outbox: self.outbox.clone(),
            llfc: self.llfc_client,
            devices: device.devices,
            typing: device.typing,
            receipts: device.receipts,
            knows: device.knows,
            friends: device.friends,
            presence: device.presence,
            device: device.id.clone(),
            kind: device.kind.as_str(),
            since_ms: device.since_ms,
        }
    }

    /// 1114: tells a friend (every session of theirs that takes it) that this user is typing to
    /// them. Never stored; over `TypingPerSec` it is refused (1105), to a stranger too (1103).
    async fn typing(&mut self, req: TypingReq) -> Handled {
        let limits = &self.shared.config.limits;
        if !self.typing_rate.take(1, limits.typing_per_sec, limits.typing_burst) {
            return Err(ErrorCode::TooManyRequests.into());
        }
        self.ensure_friend(req.touid).await?;
        let fromuid = self.uid();
        self.push(req.touid, &NotifyTyping { fromuid }).await;
        Ok(())
    }

    /// Pushes `message` to the session's user's other sessions (their other devices).
    async fn push_own<M: Message>(&self, message: &M) {
        let Some(auth) = &self.auth else { return };
        if !self.shared.router.may_have_others(auth.uid, &auth.session_id) {
            return;
        }
        let mut buf = BytesMut::new();
        match message.encode(&mut buf) {
            Ok(()) => self.shared.router.deliver_except(auth.uid, Some(&auth.session_id), M::ID, buf.freeze()).await,
            Err(err) => tracing::error!(%err, id = M::ID, "push does not fit in a frame"),
        }
    }

    /// [`Session::push_own`] of an encoded frame's body under the id `id` (no second
    /// encoding of what another push already carries).
    async fn push_own_frame(&self, id: u16, frame: Bytes) {
        let Some(auth) = &self.auth else { return };
        if !self.shared.router.may_have_others(auth.uid, &auth.session_id) {
            return;
        }
        let frame = imchat_proto::codec::with_id(&frame, id);
        self.shared.router.deliver_except(auth.uid, Some(&auth.session_id), id, frame).await;
    }
}
