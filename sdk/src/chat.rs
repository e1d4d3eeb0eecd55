//! A connection to a chat server: the frame codec over one TCP stream, typed requests
//! answered in order, and everything the server pushes delivered as [`Event`]s.
//!
//! The llfc protocol has no request ids; a chat server answers one connection's requests in
//! order, so each request waits for the next frame with its reply id. Requests may be
//! pipelined: calls from several tasks on one client are written back to back and each gets
//! its own reply (imchat servers pipeline 1017 and answer everything in order).
//!
//! The same client speaks to llfc's own servers: the login reply says which [`Dialect`] the
//! server has, and where llfc lacks an imchat extension [`crate::llfc`] does without it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use imchat_proto::codec::{self, Decoded, Decoder, Frame, MAX_BODY_CEILING};
use imchat_proto::msg::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::tls::ClientTls;
use crate::{SdkError, decode_reply, llfc};

/// How long a request waits for its reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(15);
/// Threads asked for in one page of [`ChatClient::sync_page`]: their cursors take about 8 KB.
pub const SYNC_PAGE_THREADS: i64 = 200;
/// Server pushes buffered before the connection stops reading (back-pressure).
const EVENT_QUEUE: usize = 4096;

/// Something the server sent that was not a reply to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// 1011: someone asks to be friends.
    FriendRequest(NotifyAddFriend),
    /// 1015: someone accepted our request.
    FriendAccepted(NotifyAuthFriend),
    /// 1019: a text message.
    Text(NotifyTextChat),
    /// 1112 (`devices`): a text this user sent from another device (`fromuid` is the user,
    /// the chat the one with `touid`).
    OwnText(NotifyTextChat),
    /// 1113 (`devices`): another device of this user moved their read marker.
    ReadMarked(imchat_proto::msg::NotifyReadMark),
    /// 1115 (`typing`): a friend is typing to this user.
    Typing(imchat_proto::msg::NotifyTyping),
    /// 1118 (`receipts`): a private chat's other member read it up to a seq.
    Receipt(imchat_proto::msg::NotifyReceipt),
    /// 1162 (`recall`): a message of a thread of this user's was recalled; `notice` is the
    /// stored recall notice, which takes its own place (`seq`) in the thread.
    Recalled(imchat_proto::msg::NotifyRecall),
    /// 1165 (`edit`): a text of a thread of this user's was edited; `notice` is the stored edit
    /// notice (its content an `EditEvent`), which takes its own place in the thread.
    Edited(imchat_proto::msg::NotifyEdit),
    /// 1168 (`reactions`): a reaction to a message of a thread of this user's was set or taken
    /// back; `notice` (a `ReactionEvent`) carries the message's counts after it.
    Reacted(imchat_proto::msg::NotifyReact),
    /// 1172 (`friends`): another device of this user ended a friendship, blocked or
    /// unblocked someone, or changed a remark.
    FriendChanged(imchat_proto::msg::NotifyFriendChanged),
    /// 1176 (`presence`): a friend came online or went offline.
    Presence(imchat_proto::msg::Presence),
    /// 1021: this session was closed by the server (logged in elsewhere, kicked).
    Kicked(NotifyOffline),
    /// 1142: a group's new messages (texts, or a system message of a change).
    Group(imchat_proto::msg::NotifyGroupMsg),
    /// 1039: a picture or file sent to us is uploaded and may be downloaded.
    File(imchat_proto::msg::res::NotifyImgChat),
    /// A frame no request was waiting for.
    Other(Frame),
    /// The connection ended.
    Closed,
}

type Waiters = Arc<Mutex<HashMap<u16, VecDeque<oneshot::Sender<Frame>>>>>;

/// The write side of a chat connection: TCP, or TLS over it.
struct Writer(Box<dyn AsyncWrite + Send + Unpin>);

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

/// The device a login names: a stable id the client keeps (so its next login replaces its own
/// older session, not another device's) and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub kind: DeviceKind,
}

impl Device {
    /// A new device of `kind` with a fresh random id (keep it: see [`ChatClient::login_as`]).
    pub fn new(kind: DeviceKind) -> Device {
        // The TLS provider's CSPRNG: the SDK has one already.
        let mut bytes = [0u8; 8];
        let provider = rustls::crypto::ring::default_provider();
        provider.secure_random.fill(&mut bytes).expect("the OS random source works");
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Device { id: format!("{kind}-{id}"), kind }
    }
}

/// What the server speaks, learned from its login reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// An imchat server: its 1006 lists the extensions it has (`imchat`).
    Imchat,
    /// One of llfc's own servers (no `imchat` in the 1006): no sync, no `seq`, a 2048-byte
    /// frame limit, errors without a `message`.
    Llfc,
}

/// The logged-in session, once the 1005 succeeded.
#[derive(Debug, Clone, Copy)]
struct LoggedIn {
    uid: i32,
    dialect: Dialect,
    /// The server pages syncs (`sync-pages` in its 1006).
    pages: bool,
    /// The server keeps read markers (`read-marks`).
    read_marks: bool,
    /// The most bytes of one text the server takes, if it says.
    max_text: Option<usize>,
    /// The server takes typing notices (`typing`), and keeps read receipts (`receipts`).
    typing: bool,
    receipts: bool,
    /// The server recalls messages (`recall`) and edits texts (`edit`).
    recall: bool,
    edit: bool,
    /// The server keeps reactions (`reactions`), and ends friendships, blocks and keeps
    /// remarks (`friends`).
    reactions: bool,
    friends: bool,
    /// The server tells presence (`presence`).
    presence: bool,
    /// The server keeps replies' quotes (`reply`) and forwards (`forward`).
    reply: bool,
    forward: bool,
}

/// One chat-server connection. Cheap to clone; all clones share the connection.
#[derive(Debug, Clone)]
pub struct ChatClient {
    writer: Arc<tokio::sync::Mutex<Writer>>,
    waiters: Waiters,
    /// Makes "queue the waiter, write the request" one step, so waiters queue in write order.
    calls: Arc<tokio::sync::Mutex<()>>,
    session: Arc<OnceLock<LoggedIn>>,
    /// The login names `presence`: friends' presence is pushed ([`ChatClient::follow_presence`]).
    follow_presence: Arc<std::sync::atomic::AtomicBool>,
}

impl ChatClient {
    /// Connects to `addr` (`host:port`); events arrive on the returned receiver.
    pub async fn connect(addr: &str) -> Result<(ChatClient, mpsc::Receiver<Event>), SdkError> {
        let stream =
            TcpStream::connect(addr).await.map_err(|source| SdkError::Connect { addr: addr.to_owned(), source })?;
        let _ = stream.set_nodelay(true);
        let (reader, writer) = stream.into_split();
        Ok(ChatClient::over(reader, Writer(Box::new(writer))))
    }

    /// Connects to a chat server's TLS port at `addr` (`host:port`), verifying its certificate
    /// for that host with `tls`.
    pub async fn connect_tls(addr: &str, tls: &ClientTls) -> Result<(ChatClient, mpsc::Receiver<Event>), SdkError> {
        let name = crate::tls::server_name(addr)?;
        let stream =
            TcpStream::connect(addr).await.map_err(|source| SdkError::Connect { addr: addr.to_owned(), source })?;
        let _ = stream.set_nodelay(true);
        let stream = tls
            .connector()
            .connect(name, stream)
            .await
            .map_err(|source| SdkError::Connect { addr: addr.to_owned(), source })?;
        let (reader, writer) = tokio::io::split(stream);
        Ok(ChatClient::over(reader, Writer(Box::new(writer))))
    }

    fn over(reader: impl AsyncRead + Send + Unpin + 'static, writer: Writer) -> (ChatClient, mpsc::Receiver<Event>) {
        let waiters: Waiters = Arc::default();
        let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
        tokio::spawn(read_loop(reader, waiters.clone(), events_tx));
        let client = ChatClient {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            waiters,
            calls: Arc::default(),
            session: Arc::default(),
            follow_presence: Arc::default(),
        };
        (client, events)
    }

    /// Tells friend `touid` this user is typing to them (1114, `typing`): no reply is waited
    /// for (a refusal comes back as an `Event::Other` 1199). Send one every few seconds while
    /// the user types, not one per key.
    pub async fn typing(&self, touid: i32) -> Result<(), SdkError> {
        let mut buf = BytesMut::new();
        TypingReq { touid }.encode(&mut buf).map_err(|err| SdkError::Decode(err.to_string()))?;
        self.send_raw(&buf).await
    }

    /// Sends raw bytes (for tests of malformed input).
    pub async fn send_raw(&self, bytes: &[u8]) -> Result<(), SdkError> {
        let mut writer = self.writer.lock().await;
        writer.0.write_all(bytes).await.map_err(|_| SdkError::Closed)?;
        // TLS may hold the records back until flushed (TCP's flush does nothing).
        writer.0.flush().await.map_err(|_| SdkError::Closed)
    }

    /// Sends one frame and returns the body of the next frame with id `reply_id`.
    pub async fn request_raw(&self, id: u16, body: &[u8], reply_id: u16) -> Result<Frame, SdkError> {
        let mut buf = BytesMut::new();
        codec::encode(id, body, &mut buf)?;
        let rx = {
            let _turn = self.calls.lock().await;
            let (tx, rx) = oneshot::channel();
            self.waiters.lock().unwrap_or_else(|p| p.into_inner()).entry(reply_id).or_default().push_back(tx);
            self.send_raw(&buf).await?;
            rx
        };
        match tokio::time::timeout(REPLY_TIMEOUT, rx).await {
            Ok(Ok(frame)) => Ok(frame),
            Ok(Err(_)) => Err(SdkError::Closed),
            Err(_) => Err(SdkError::Timeout(REPLY_TIMEOUT)),
        }
    }

    /// Sends a typed request and decodes its reply; a non-zero `error` is an `Err`.
    pub async fn call<Req: Message, Rsp: Message>(&self, req: &Req) -> Result<Rsp, SdkError> {
        let body = serde_json::to_vec(req).map_err(|err| SdkError::Decode(err.to_string()))?;
        let frame = self.request_raw(Req::ID, &body, Rsp::ID).await?;
        decode_reply(&frame.body)
    }

    /// Logs in (1005) as a device of its own (kind `cli`, a fresh id: see
    /// [`ChatClient::login_as`]); the reply also tells which [`Dialect`] the server speaks.
    pub async fn login(&self, uid: i32, token: &str) -> Result<LoginRsp, SdkError> {
        self.login_with(LoginReq { uid, token: token.to_owned(), ..LoginReq::default() }).await
    }

    /// Logs in (1005) as `device`: a server lets one session per device live (and, by its
    /// policy, one per kind), so a device that keeps its id replaces its own older session.
    pub async fn login_as(&self, uid: i32, token: &str, device: &Device) -> Result<LoginRsp, SdkError> {
        let req = LoginReq {
            uid,
            token: token.to_owned(),
            device: device.id.clone(),
            kind: device.kind.as_str().to_owned(),
            ..LoginReq::default()
        };
        self.login_with(req).await
    }

    async fn login_with(&self, mut req: LoginReq) -> Result<LoginRsp, SdkError> {
        let uid = req.uid;
        // Presence pushes come unasked whenever a friend logs in or out: only for clients that
        // show them.
        let presence = self.follow_presence.load(std::sync::atomic::Ordering::Relaxed);
        req.imchat =
            caps::ALL.iter().filter(|cap| presence || **cap != caps::PRESENCE).map(|cap| (*cap).to_owned()).collect();
        let rsp: LoginRsp = self.call(&req).await?;
        let dialect = if rsp.imchat.is_empty() { Dialect::Llfc } else { Dialect::Imchat };
        let pages = rsp.imchat.iter().any(|cap| cap == caps::SYNC_PAGES);
        let read_marks = rsp.imchat.iter().any(|cap| cap == caps::READ_MARKS);
        let uid = if rsp.uid == 0 { uid } else { rsp.uid };
        let max_text = caps::max_text(&rsp.imchat);
        let typing = rsp.imchat.iter().any(|cap| cap == caps::TYPING);
        let receipts = rsp.imchat.iter().any(|cap| cap == caps::RECEIPTS);
        let recall = rsp.imchat.iter().any(|cap| cap == caps::RECALL);
        let edit = rsp.imchat.iter().any(|cap| cap == caps::EDIT);
        let reactions = rsp.imchat.iter().any(|cap| cap == caps::REACTIONS);
        let friends = rsp.imchat.iter().any(|cap| cap == caps::FRIENDS);
        let presence = rsp.imchat.iter().any(|cap| cap == caps::PRESENCE);
        let reply = rsp.imchat.iter().any(|cap| cap == caps::REPLY);
        let forward = rsp.imchat.iter().any(|cap| cap == caps::FORWARD);
        let logged_in = LoggedIn {
            uid,
            dialect,
            pages,
            read_marks,
            max_text,
            typing,
            receipts,
            recall,
            edit,
            reactions,
            friends,
            presence,
            reply,
            forward,
        };
        let _ = self.session.set(logged_in);
        Ok(rsp)
    }

    /// The most bytes of one text the server takes, as it announced (`max-text=N`); `None`
    /// when it does not say (llfc, whose limit is on the whole frame: [`SdkError::TooLong`]).
    pub fn max_text_bytes(&self) -> Option<usize> {
        self.session.get().and_then(|s| s.max_text)
    }

    /// This user's settings (1116), after turning read receipts on or off if `read_receipts`
    /// says.
    pub async fn settings(&self, read_receipts: Option<bool>) -> Result<SettingsRsp, SdkError> {
        self.call(&SettingsReq { read_receipts, presence: None }).await
    }

    /// Who sees this user online and when last seen (1116, `presence`): `"everyone"`,
    /// `"friends"` or `"nobody"`; the settings as stored.
    pub async fn set_presence(&self, who: &str) -> Result<SettingsRsp, SdkError> {
        self.call(&SettingsReq { read_receipts: None, presence: Some(who.to_owned()) }).await
    }

    /// The presence of `uids` (1174, `presence`; at most `MAX_PRESENCE_UIDS`), as this user
    /// may see it.
    pub async fn presence(&self, uids: &[i32]) -> Result<Vec<Presence>, SdkError> {
        Ok(self.call::<_, PresenceRsp>(&PresenceReq { uids: uids.to_vec() }).await?.presences)
    }

    /// Makes the next login name `presence`, so friends coming online and going offline are
    /// pushed ([`Event::Presence`]); without it, [`ChatClient::presence`] still answers.
    pub fn follow_presence(&self) {
        self.follow_presence.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether the server keeps presence (`presence` in its 1006).
    pub fn takes_presence(&self) -> bool {
        self.session.get().is_some_and(|s| s.presence)
    }

    /// Whether the server keeps read receipts (`receipts` in its 1006).
    pub fn takes_receipts(&self) -> bool {
        self.session.get().is_some_and(|s| s.receipts)
    }

    /// Whether the server recalls messages (`recall` in its 1006).
    pub fn takes_recall(&self) -> bool {
        self.session.get().is_some_and(|s| s.recall)
    }

    /// Recalls message `seq` of `thread_id` (1160, `recall`): this user's own within the
    /// server's `RecallSecs`, any as a group's owner or admin. The reply's `notice` is the
    /// stored recall notice (absent when it had been recalled already).
    pub async fn recall(&self, thread_id: i64, seq: i64) -> Result<RecallRsp, SdkError> {
        self.call(&RecallReq { thread_id, seq }).await
    }

    /// Whether the server ends friendships, blocks and keeps remarks (`friends` in its 1006).
    pub fn takes_friends(&self) -> bool {
        self.session.get().is_some_and(|s| s.friends)
    }

    /// Whether the server keeps reactions (`reactions` in its 1006).
    pub fn takes_reactions(&self) -> bool {
        self.session.get().is_some_and(|s| s.reactions)
    }

    /// Sets this user's reaction to message `seq` of `thread_id` to `emoji` (1166,
    /// `reactions`; one per user and message, `""` takes it back). The reply carries the
    /// message's counts after it.
    pub async fn react(&self, thread_id: i64, seq: i64, emoji: &str) -> Result<ReactRsp, SdkError> {
        self.call(&ReactReq { thread_id, seq, emoji: emoji.to_owned() }).await
    }

    /// Whether the server keeps what a text replies to (`reply` in its 1006).
    pub fn takes_reply(&self) -> bool {
        self.session.get().is_some_and(|s| s.reply)
    }

    /// Whether the server forwards messages (`forward` in its 1006).
    pub fn takes_forward(&self) -> bool {
        self.session.get().is_some_and(|s| s.forward)
    }

    /// Forwards messages `seqs` of `thread_id` (1178, `forward`) to private chats with
    /// friends `to_uids` and to threads `to_threads`; `unique_id` (at most 36 bytes) makes a
    /// resend store nothing twice. The copies come back as pushes to every session of this
    /// user (this one included); the reply says where each target stored them.
    pub async fn forward(
        &self,
        thread_id: i64,
        seqs: &[i64],
        to_uids: &[i32],
        to_threads: &[i64],
        unique_id: &str,
    ) -> Result<ForwardRsp, SdkError> {
        let req = ForwardReq {
            thread_id,
            seqs: seqs.to_vec(),
            to_uids: to_uids.to_vec(),
            to_threads: to_threads.to_vec(),
            unique_id: unique_id.to_owned(),
        };
        self.call(&req).await
    }

    /// Whether the server edits texts (`edit` in its 1006).
    pub fn takes_edit(&self) -> bool {
        self.session.get().is_some_and(|s| s.edit)
    }

    /// Replaces text `seq` of `thread_id` with `content` (1163, `edit`): this user's own,
    /// within the server's `EditSecs`. The reply's `notice` is the stored edit notice (absent
    /// when the text read so already).
    pub async fn edit(&self, thread_id: i64, seq: i64, content: &str) -> Result<EditRsp, SdkError> {
        self.call(&EditReq { thread_id, seq, content: content.to_owned() }).await
    }

    /// Whether the server takes typing notices (`typing` in its 1006).
    pub fn takes_typing(&self) -> bool {
        self.session.get().is_some_and(|s| s.typing)
    }

    /// The server's dialect; `Imchat` until a login said otherwise.
    pub fn dialect(&self) -> Dialect {
        self.session.get().map_or(Dialect::Imchat, |s| s.dialect)
    }

    fn is_llfc(&self) -> bool {
        self.dialect() == Dialect::Llfc
    }

    pub async fn heartbeat(&self, uid: i32) -> Result<HeartbeatRsp, SdkError> {
        self.call(&HeartbeatReq { fromuid: uid }).await
    }

    /// Finds a user by uid (all digits) or exact name.
    pub async fn search(&self, text: &str) -> Result<SearchRsp, SdkError> {
        self.call(&SearchReq { uid: text.to_owned() }).await
    }

    pub async fn add_friend(
        &self,
        uid: i32,
        touid: i32,
        greeting: &str,
        remark: &str,
    ) -> Result<AddFriendRsp, SdkError> {
        self.call(&AddFriendReq { uid, applyname: greeting.to_owned(), bakname: remark.to_owned(), touid }).await
    }

    pub async fn accept_friend(&self, uid: i32, applicant: i32, remark: &str) -> Result<AuthFriendRsp, SdkError> {
        let mut rsp: AuthFriendRsp =
            self.call(&AuthFriendReq { fromuid: uid, touid: applicant, back: remark.to_owned() }).await?;
        if self.is_llfc() && rsp.chat_datas.is_empty() {
            // llfc answers without the thread when the applicant is offline: it is in the list.
            rsp.chat_datas = llfc::befriending_messages(self, uid, applicant).await?;
        }
        llfc::order_auth(&mut rsp.chat_datas);
        Ok(rsp)
    }

    /// Marks `thread_id` read up to `seq` (imchat servers with `read-marks`); the marker as
    /// stored. Against a server without read markers, nothing is sent and 0 comes back.
    pub async fn mark_read(&self, thread_id: i64, seq: i64) -> Result<i64, SdkError> {
        if !self.session.get().is_some_and(|s| s.read_marks) {
            return Ok(0);
        }
        let rsp: ReadMarkRsp = self.call(&ReadMarkReq { thread_id, seq }).await?;
        Ok(rsp.seq)
    }

    /// Ends the friendship with `uid` (1146, `friends`), both ways; the thread stays readable.
    pub async fn unfriend(&self, uid: i32) -> Result<UnfriendRsp, SdkError> {
        self.call(&UnfriendReq { uid }).await
    }

    /// Blocks `uid` (ending any friendship) or unblocks them (1148, `friends`); the reply
    /// lists everyone this user blocks.
    pub async fn block(&self, uid: i32, blocked: bool) -> Result<BlockRsp, SdkError> {
        self.call(&BlockReq { uid, blocked }).await
    }

    /// This user's remark (备注) for friend `uid` (1170, `friends`; empty: none).
    pub async fn set_remark(&self, uid: i32, remark: &str) -> Result<RemarkRsp, SdkError> {
        self.call(&RemarkReq { uid, remark: remark.to_owned() }).await
    }

    /// Declines `applicant`'s pending request (imchat): it leaves the list; they are not told.
    pub async fn decline_friend(&self, applicant: i32) -> Result<DeclineFriendRsp, SdkError> {
        self.call(&DeclineFriendReq { applyuid: applicant }).await
    }

    /// Completes a login reply whose lists were cut to fit its frame (`friends_more`,
    /// `applies_more`): every friend, and requests up to `max_applies`, by pages (imchat).
    pub async fn complete_lists(&self, login: &mut LoginRsp, max_applies: usize) -> Result<(), SdkError> {
        if login.friends_more {
            let (mut all, mut after) = (Vec::new(), 0);
            loop {
                let page: FriendPageRsp = self.call(&FriendPageReq { after }).await?;
                all.extend(page.friends);
                if !page.more || page.next == after {
                    break;
                }
                after = page.next;
            }
            login.friend_list = all;
            login.friends_more = false;
        }
        if login.applies_more {
            let (mut all, mut before) = (Vec::new(), 0);
            loop {
                let page: ApplyPageRsp = self.call(&ApplyPageReq { before }).await?;
                all.extend(page.applies);
                if !page.more || page.next == before || all.len() >= max_applies {
                    break;
                }
                before = page.next;
            }
            all.truncate(max_applies);
            login.apply_list = all;
            login.applies_more = false;
        }
        Ok(())
    }

    /// The private thread of `uid` and `other`, made if there is none. Against llfc an
    /// existing one is looked up in the thread list first (llfc's 1027 misses a befriending's
    /// thread stored the other way round); call it to send the first text, so no empty
    /// thread is made (a page of one crashes llfc's server).
    pub async fn create_private_chat(&self, uid: i32, other: i32) -> Result<CreatePrivateChatRsp, SdkError> {
        if self.is_llfc()
            && let Some(thread_id) = llfc::thread_with(self, uid, other).await?
        {
            return Ok(CreatePrivateChatRsp { error: 0, uid, other_id: other, thread_id });
        }
        self.call(&CreatePrivateChatReq { uid, other_id: other }).await
    }

    /// The private thread of `uid` and `other` if one exists, without making one: imchat's
    /// 1027 only finds or makes, so there it is made (an empty thread is harmless there);
    /// against llfc the thread list is read.
    pub async fn find_private_chat(&self, uid: i32, other: i32) -> Result<Option<i64>, SdkError> {
        if self.is_llfc() {
            return llfc::thread_with(self, uid, other).await;
        }
        Ok(Some(self.create_private_chat(uid, other).await?.thread_id))
    }

    /// Sends texts as `(content, unique_id)` pairs. Against an llfc server a request over its
    /// frame limit is refused here ([`SdkError::TooLong`]): llfc drops the session instead.
    pub async fn send_texts(
        &self,
        uid: i32,
        touid: i32,
        thread_id: i64,
        texts: &[(&str, &str)],
    ) -> Result<TextChatRsp, SdkError> {
        self.send_items(uid, touid, thread_id, plain_texts(texts)).await
    }

    /// Sends texts that may reply to messages of the thread ([`TextItem::reply_to`], `reply`;
    /// an llfc server ignores it).
    pub async fn send_items(
        &self,
        uid: i32,
        touid: i32,
        thread_id: i64,
        text_array: Vec<TextItem>,
    ) -> Result<TextChatRsp, SdkError> {
        let req = TextChatReq { fromuid: uid, touid, thread_id, text_array };
        if self.is_llfc() {
            llfc::check_fits(&req)?;
        }
        let mut rsp: TextChatRsp = self.call(&req).await?;
        llfc::order_texts(&mut rsp.chat_datas);
        Ok(rsp)
    }

    pub async fn load_threads(&self, uid: i32, after: i64) -> Result<LoadThreadsRsp, SdkError> {
        self.call(&LoadThreadsReq { uid, thread_id: after }).await
    }

    pub async fn load_messages(&self, thread_id: i64, after_message_id: i64) -> Result<LoadChatMsgRsp, SdkError> {
        let mut rsp: LoadChatMsgRsp = self.call(&LoadChatMsgReq { thread_id, message_id: after_message_id }).await?;
        llfc::order_history(&mut rsp.chat_datas);
        Ok(rsp)
    }

    /// What was missed since `cursors` (threads not listed: from the start), every thread at
    /// once: for accounts with a few hundred threads at most (see [`ChatClient::sync_page`]).
    /// Against an llfc server this is made of 1025/1029 pages (see [`crate::llfc`]).
    pub async fn sync(&self, cursors: &[SyncCursor]) -> Result<SyncRsp, SdkError> {
        self.sync_with(SyncReq { cursors: cursors.to_vec(), ..SyncReq::default() }).await
    }

    /// Like [`ChatClient::sync`], but threads not listed start `tail` messages before their
    /// end. llfc has no way to start at the end: there every thread is read from its start.
    pub async fn sync_recent(&self, cursors: &[SyncCursor], tail: i64) -> Result<SyncRsp, SdkError> {
        self.sync_with(SyncReq { cursors: cursors.to_vec(), tail: Some(tail), ..SyncReq::default() }).await
    }

    /// One page of a paged sync: the threads after `after_thread` (at most
    /// [`SYNC_PAGE_THREADS`]), given `cursors`, all the client holds (the page's are picked
    /// here). Ask again from the reply's `next_thread` while it says `more`. Any number of
    /// threads syncs this way, each request and reply bounded. llfc: one page holds it all.
    pub async fn sync_page(
        &self,
        cursors: &[SyncCursor],
        tail: Option<i64>,
        after_thread: i64,
    ) -> Result<SyncRsp, SdkError> {
        let mut page: Vec<SyncCursor> = cursors.iter().filter(|c| c.thread_id > after_thread).copied().collect();
        page.sort_unstable_by_key(|c| c.thread_id);
        page.truncate(SYNC_PAGE_THREADS as usize);
        let req = SyncReq {
            cursors: page,
            tail,
            after_thread: Some(after_thread),
            page_threads: Some(SYNC_PAGE_THREADS),
            // The page's read receipts, where the server keeps them.
            receipts: self.session.get().is_some_and(|s| s.receipts),
        };
        if !self.session.get().is_some_and(|s| s.pages) {
            // llfc (whose own paging is inside) or an older imchat server: one answer covers
            // every thread, and more of it comes from advanced cursors.
            return self.sync_with(SyncReq { cursors: cursors.to_vec(), tail, ..SyncReq::default() }).await;
        }
        self.sync_with(req).await
    }

    /// The messages of `thread_id` strictly between seqs `after` and `before` (a hole a lost
    /// push left; see [`crate::cursor`]), oldest first. Forward by paged sync where the server
    /// pages (a page holds up to its sync page of messages), else backward by 1102 pages.
    /// llfc has no such request: nothing comes back there.
    pub async fn fetch_between(&self, thread_id: i64, after: i64, before: i64) -> Result<Vec<SyncData>, SdkError> {
        let mut found = Vec::new();
        if self.is_llfc() || before <= after + 1 {
            return Ok(found);
        }
        if self.session.get().is_some_and(|s| s.pages) {
            // One thread per page: the page's threads are those above `thread_id - 1`, and the
            // first of them is this one (a member's own thread).
            let mut cursor = after;
            loop {
                let req = SyncReq {
                    cursors: vec![SyncCursor { thread_id, seq: cursor }],
                    tail: None,
                    after_thread: Some(thread_id - 1),
                    page_threads: Some(1),
                    receipts: false,
                };
                let rsp = self.sync_with(req).await?;
                let before_len = found.len();
                found.extend(rsp.chat_datas.into_iter().filter(|d| d.thread_id == thread_id && d.seq > cursor));
                let Some(last) = found.last().map(|d| d.seq) else { break };
                let this_thread_left = rsp.more && rsp.next_thread == Some(thread_id - 1);
                if last >= before - 1 || !this_thread_left || found.len() == before_len {
                    break;
                }
                cursor = last;
            }
        } else {
            let mut first = before;
            loop {
                let rsp = self.load_older(thread_id, first).await?;
                let Some(oldest) = rsp.chat_datas.first().map(|d| d.seq) else { break };
                let mut page = rsp.chat_datas;
                page.append(&mut found);
                found = page;
                if oldest <= after + 1 || !rsp.more || oldest >= first {
                    break;
                }
                first = oldest;
            }
        }
        found.retain(|d| d.seq > after && d.seq < before);
        Ok(found)
    }

    async fn sync_with(&self, req: SyncReq) -> Result<SyncRsp, SdkError> {
        match self.session.get() {
            Some(session) if session.dialect == Dialect::Llfc => llfc::sync(self, session.uid, &req.cursors).await,
            _ => self.call(&req).await,
        }
    }

    /// The page of messages just before `before_seq`, oldest first. Against an llfc server
    /// every thread was read whole by sync, so there is nothing older.
    pub async fn load_older(&self, thread_id: i64, before_seq: i64) -> Result<LoadOlderRsp, SdkError> {
        if self.is_llfc() {
            return Ok(LoadOlderRsp { error: 0, thread_id, chat_datas: Vec::new(), more: false });
        }
        self.call(&LoadOlderReq { thread_id, before_seq }).await
    }

    /// Sends heartbeats every `every` until the connection closes.
    pub fn spawn_heartbeat(&self, uid: i32, every: Duration) -> tokio::task::JoinHandle<()> {
        let client = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if matches!(client.heartbeat(uid).await, Err(SdkError::Closed | SdkError::Timeout(_))) {
                    return;
                }
            }
        })
    }

    /// Closes the connection.
    pub async fn close(&self) {
        let _ = self.writer.lock().await.0.shutdown().await;
    }
}

async fn read_loop(mut reader: impl AsyncRead + Unpin, waiters: Waiters, events: mpsc::Sender<Event>) {
    let mut decoder = Decoder::new(MAX_BODY_CEILING);
    let mut buf = BytesMut::with_capacity(8 * 1024);
    loop {
        while let Some(decoded) = decoder.decode(&mut buf) {
            let Decoded::Frame(frame) = decoded else { continue };
            let waiter =
                waiters.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&frame.id).and_then(VecDeque::pop_front);
            let frame = match waiter {
                Some(waiter) => match waiter.send(frame) {
                    Ok(()) => continue,
                    Err(frame) => frame,
                },
                None => frame,
            };
            if events.send(event(frame)).await.is_err() {
                return;
            }
        }
        match reader.read_buf(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    // Dropping the waiters wakes every pending request with `Closed`.
    waiters.lock().unwrap_or_else(|p| p.into_inner()).clear();
    let _ = events.send(Event::Closed).await;
}

fn event(frame: Frame) -> Event {
    fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Option<T> {
        serde_json::from_slice(body).ok()
    }
    let parsed = match frame.id {
        ids::NOTIFY_ADD_FRIEND_REQ => parse(&frame.body).map(Event::FriendRequest),
        ids::NOTIFY_AUTH_FRIEND_REQ => parse(&frame.body).map(|mut notice: NotifyAuthFriend| {
            llfc::order_auth(&mut notice.chat_datas);
            Event::FriendAccepted(notice)
        }),
        ids::NOTIFY_TEXT_CHAT_MSG_REQ => parse(&frame.body).map(|mut push: NotifyTextChat| {
            llfc::order_texts(&mut push.chat_datas);
            Event::Text(push)
        }),
        ids::NOTIFY_OWN_TEXT => parse(&frame.body).map(|NotifyOwnText(push)| Event::OwnText(push)),
        ids::NOTIFY_READ_MARK => parse(&frame.body).map(Event::ReadMarked),
        ids::NOTIFY_TYPING => parse(&frame.body).map(Event::Typing),
        ids::NOTIFY_RECEIPT => parse(&frame.body).map(Event::Receipt),
        ids::NOTIFY_RECALL => parse(&frame.body).map(Event::Recalled),
        ids::NOTIFY_EDIT => parse(&frame.body).map(Event::Edited),
        ids::NOTIFY_REACT => parse(&frame.body).map(Event::Reacted),
        ids::NOTIFY_FRIEND_CHANGED => parse(&frame.body).map(Event::FriendChanged),
        ids::NOTIFY_PRESENCE => parse(&frame.body).map(|NotifyPresence(p)| Event::Presence(p)),
        ids::NOTIFY_OFF_LINE_REQ => parse(&frame.body).map(Event::Kicked),
        ids::NOTIFY_GROUP_MSG => parse(&frame.body).map(Event::Group),
        imchat_proto::msg::res::ids::NOTIFY_IMG_CHAT_MSG_REQ => parse(&frame.body).map(Event::File),
        _ => None,
    };
    parsed.unwrap_or(Event::Other(frame))
}

/// `(content, unique_id)` pairs as texts that reply to nothing.
pub(crate) fn plain_texts(texts: &[(&str, &str)]) -> Vec<TextItem> {
    texts
        .iter()
        .map(|(content, unique)| TextItem {
            content: (*content).to_owned(),
            unique_id: (*unique).to_owned(),
            reply_to: 0,
        })
        .collect()
}
