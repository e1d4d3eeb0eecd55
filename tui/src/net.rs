//! The network task: carries out [`Effect`]s with the SDK and reports results and server
//! pushes as [`Event`]s on the same channel as key presses.

use std::time::Duration;

use imchat_sdk::proto::http::{RegisterReq, ResetPwdReq};
use imchat_sdk::proto::msg::{GroupUpdateReq, NotifyFriendChanged, TextChatData, TextItem};
use imchat_sdk::{ChatClient, Device, Event as SdkEvent, GateClient, SdkError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::event::{Effect, Event, FileEvent, LoginFailure, NetEvent, SendFailure, Welcome};
use crate::files::Places;
use crate::i18n::Tr;

mod transfers;

/// Messages of a thread this client has never seen that the first sync brings; older ones
/// load as the user scrolls up.
pub const RECENT_MESSAGES: i64 = 50;

/// Logins tried when the chat server closes the connection before answering the 1005: llfc's
/// closes, unread, a connection whose first frame comes before its acceptor registered the
/// session (seen against its Season 2 server), and a second try is what a person would do.
pub const LOGIN_TRIES: usize = 2;

/// How often the client proves it is alive (llfc: 10 s; the server's idle limit is longer).
/// Most friend requests a login shows (the newest), however many are pending.
pub const MAX_REQUESTS: usize = 500;

pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);

/// An SDK error in the user's words.
fn words(err: SdkError, tr: Tr) -> String {
    match err {
        SdkError::Http(http) if http.is_connect() || http.is_timeout() => {
            let url = http.url().map_or_else(|| tr.the_server(), |u| format!("{}://{}", u.scheme(), u.authority()));
            tr.cannot_reach(&url)
        }
        SdkError::Connect { addr, .. } => tr.cannot_reach_chat(&addr),
        SdkError::Server { message, code } => tr.server_error(code, &message),
        other => other.to_string(),
    }
}

/// Why a login failed: could the server be reached at all (a cached view waits for it), or
/// did it say no.
fn login_failure(err: SdkError, tr: Tr) -> LoginFailure {
    let unreachable = match &err {
        SdkError::Http(http) => http.is_connect() || http.is_timeout(),
        SdkError::Connect { .. } | SdkError::Closed | SdkError::Timeout(_) => true,
        _ => false,
    };
    LoginFailure { unreachable, why: words(err, tr) }
}

struct Session {
    uid: i32,
    chat: ChatClient,
    /// The resource server, when the gate named one (llfc's master has none).
    res: Option<transfers::Res>,
    /// Metadata and thumbnail requests, for the fetcher.
    fetch: Option<mpsc::Sender<transfers::Fetch>>,
    /// The push forwarder, heartbeat, fetcher and transfers: they end with the session.
    tasks: Vec<JoinHandle<()>>,
}

impl Session {
    fn spawn(&mut self, task: impl Future<Output = ()> + Send + 'static) {
        self.tasks.retain(|t| !t.is_finished());
        self.tasks.push(tokio::spawn(task));
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

pub async fn run(
    gate: GateClient,
    places: Places,
    device: Device,
    tr: Tr,
    mut effects: mpsc::Receiver<Effect>,
    events: mpsc::Sender<Event>,
) {
    let text = move |err: SdkError| words(err, tr);
    let mut credentials: Option<(String, String)> = None;
    let mut session: Option<Session> = None;
    let send = |event: NetEvent| {
        let events = events.clone();
        async move {
            let _ = events.send(Event::Net(event)).await;
        }
    };
    while let Some(effect) = effects.recv().await {
        match effect {
            Effect::Quit => return,
            Effect::RequestCode(email) => {
                send(NetEvent::CodeSent(gate.request_code(&email).await.map(drop).map_err(text))).await
            }
            Effect::Register { email, name, password, code } => {
                let req = RegisterReq {
                    email,
                    user: name,
                    passwd: password.clone(),
                    confirm: password,
                    varifycode: code,
                    icon: String::new(),
                };
                send(NetEvent::Registered(gate.register(&req).await.map(|r| r.uid).map_err(text))).await;
            }
            Effect::ResetPassword { email, name, password, code } => {
                let req = ResetPwdReq { email, user: name, passwd: password, varifycode: code };
                send(NetEvent::PasswordReset(gate.reset_password(&req).await.map(drop).map_err(text))).await;
            }
            Effect::Login { email, password } => {
                credentials = Some((email, password));
                session = None;
                let result = connect(&gate, credentials.as_ref(), &places, &device, tr, &events).await;
                send(NetEvent::LoggedIn(result.map(|(s, w)| {
                    session = Some(s);
                    w
                })))
                .await;
            }
            Effect::Reconnect(_) => {
                session = None;
                let result = connect(&gate, credentials.as_ref(), &places, &device, tr, &events).await;
                send(NetEvent::LoggedIn(result.map(|(s, w)| {
                    session = Some(s);
                    w
                })))
                .await;
            }
            Effect::Logout => {
                session = None;
                credentials = None;
            }
            Effect::Open(path) => {
                // Checked again: what was shown may have been replaced on disk since.
                let result = crate::files::inspect(&path, tr)
                    .and_then(|ok| transfers::open_path(&ok.path, places.opener.as_deref(), tr))
                    .map(|()| path);
                send(NetEvent::File(FileEvent::Opened(result))).await;
            }
            Effect::SendFile { .. }
            | Effect::Upload { .. }
            | Effect::FileMeta(_)
            | Effect::FetchThumb(_)
            | Effect::SaveFile { .. } => {
                files(session.as_mut(), effect, &events).await;
            }
            effect => {
                let Some(current) = &session else {
                    if let Effect::Send { unique, .. } = effect {
                        send(NetEvent::Sent { unique, result: Err(SendFailure::Offline) }).await;
                    }
                    continue;
                };
                if let Some(event) = on_session(&current.chat, current.uid, effect, tr, &events).await {
                    send(event).await;
                }
            }
        }
    }
}

/// What a signed-in session does for `effect`: the reply as an event (`None`: nothing to say).
async fn on_session(
    chat: &ChatClient,
    uid: i32,
    effect: Effect,
    tr: Tr,
    events: &mpsc::Sender<Event>,
) -> Option<NetEvent> {
    let text = move |err: SdkError| words(err, tr);
    let lost_or_refused = move |err: SdkError| match err {
        SdkError::Closed | SdkError::Timeout(_) => SendFailure::Lost(text(err)),
        err => SendFailure::Refused(text(err)),
    };
    let event = match effect {
        Effect::Sync(cursors, after) => match chat.sync_page(&cursors, Some(RECENT_MESSAGES), after).await {
            Ok(sync) => NetEvent::Synced(sync),
            Err(err) => NetEvent::Disconnected(text(err)),
        },
        Effect::Send { unique, to, thread, text: body, reply_to } => {
            let item = TextItem { content: body, unique_id: unique.clone(), reply_to };
            let result = send_text(chat, uid, to, thread, item, events).await.map_err(lost_or_refused);
            NetEvent::Sent { unique, result }
        }
        Effect::LoadOlder { thread, before_seq } => {
            NetEvent::Older(thread, chat.load_older(thread, before_seq).await.map_err(text))
        }
        Effect::Search(query) => NetEvent::Found(chat.search(&query).await.map_err(text)),
        Effect::Apply { to, greeting, remark } => {
            NetEvent::Applied(chat.add_friend(uid, to, &greeting, &remark).await.map(|_| to).map_err(text))
        }
        Effect::Accept { applicant, remark } => {
            NetEvent::Accepted(chat.accept_friend(uid, applicant, &remark).await.map_err(text))
        }
        Effect::MarkRead { thread, seq } => {
            if let Err(err) = chat.mark_read(thread, seq).await {
                tracing::warn!(%err, thread, "read marker not stored");
            }
            return None;
        }
        Effect::Typing { to } => {
            if let Err(err) = chat.typing(to).await {
                tracing::debug!(%err, to, "typing notice not sent");
            }
            return None;
        }
        Effect::Decline(applicant) => {
            NetEvent::Declined(chat.decline_friend(applicant).await.map(|r| r.applyuid).map_err(text))
        }
        // Found, or made where an empty thread is harmless; 0 (a draft) on llfc.
        Effect::OpenChat(peer) => {
            NetEvent::ChatOpened(chat.find_private_chat(uid, peer).await.map(|t| (peer, t.unwrap_or(0))).map_err(text))
        }
        Effect::SendGroup { unique, thread, text: body, mentions, reply_to } => {
            let item = TextItem { content: body, unique_id: unique.clone(), reply_to };
            let result = chat.send_group_items(uid, thread, vec![item], &mentions).await;
            let result = result
                .map(|r| {
                    r.chat_datas
                        .into_iter()
                        .map(|d| TextChatData {
                            message_id: d.message_id,
                            unique_id: d.unique_id,
                            content: d.content,
                            status: d.status,
                            chat_time: d.chat_time,
                            seq: d.seq,
                            ..TextChatData::default()
                        })
                        .collect()
                })
                .map_err(|err| match err {
                    SdkError::Closed | SdkError::Timeout(_) => SendFailure::Lost(text(err)),
                    err => SendFailure::Refused(text(err)),
                });
            NetEvent::Sent { unique, result }
        }
        Effect::CreateGroup { name, members } => {
            NetEvent::GroupCreated(chat.create_group(&name, &members).await.map(|r| r.group).map_err(text))
        }
        Effect::GroupInfo(thread) => NetEvent::GroupInfo(chat.group_info(thread).await.map(|r| r.group).map_err(text)),
        Effect::GroupMembers(thread) => NetEvent::GroupMembers(thread, chat.group_members(thread).await.map_err(text)),
        Effect::Invite { thread, uids } => {
            NetEvent::GroupInfo(chat.invite_to_group(thread, &uids).await.map(|r| r.group).map_err(text))
        }
        Effect::LeaveGroup(thread) => {
            NetEvent::GroupInfo(chat.leave_group(thread).await.map(|r| r.group).map_err(text))
        }
        Effect::UpdateGroup { thread, name, announcement } => {
            let req = GroupUpdateReq { thread_id: thread, name, announcement, invite: None };
            NetEvent::GroupInfo(chat.update_group(req).await.map(|r| r.group).map_err(text))
        }
        Effect::MuteGroup { thread, muted } => {
            NetEvent::GroupInfo(chat.mute_group(thread, muted).await.map(|r| r.group).map_err(text))
        }
        Effect::ReadBy { thread, seq } => {
            NetEvent::ReadBy { thread, seq, readers: chat.group_read_by(thread, seq).await.map_err(text) }
        }
        Effect::SetReceipts(on) => {
            NetEvent::ReceiptsSet(chat.settings(Some(on)).await.map(|s| s.read_receipts).map_err(text))
        }
        Effect::Edit { thread, seq, text: body } => NetEvent::EditDone {
            thread,
            seq,
            result: chat.edit(thread, seq, &body).await.map(|r| r.notice).map_err(text),
        },
        Effect::Presence(uids) => match chat.presence(&uids).await {
            Ok(found) => NetEvent::Presence(found),
            // Not shown rather than an error: presence is a nicety.
            Err(err) => {
                tracing::debug!(%err, "presence not read");
                return None;
            }
        },
        Effect::SetPresence(who) => {
            NetEvent::PresenceSet(chat.set_presence(&who).await.map(|s| s.presence).map_err(text))
        }
        Effect::Unfriend(uid) => NetEvent::FriendshipDone(
            chat.unfriend(uid)
                .await
                .map(|_| NotifyFriendChanged { uid, friend: false, remark: String::new(), blocked: false })
                .map_err(text),
        ),
        Effect::Block { uid, blocked } => NetEvent::FriendshipDone(
            chat.block(uid, blocked)
                .await
                .map(|_| NotifyFriendChanged { uid, friend: false, remark: String::new(), blocked })
                .map_err(text),
        ),
        Effect::Remark { uid, remark } => NetEvent::FriendshipDone(
            chat.set_remark(uid, &remark)
                .await
                .map(|r| NotifyFriendChanged { uid, friend: true, remark: r.remark, blocked: false })
                .map_err(text),
        ),
        Effect::React { thread, seq, emoji } => NetEvent::ReactDone {
            thread,
            seq,
            result: chat.react(thread, seq, &emoji).await.map(|r| (r.reactions, r.notice)).map_err(text),
        },
        Effect::Forward { thread, seq, to, unique } => {
            let (uids, threads) = match to {
                crate::app::Target::Thread(id) => (Vec::new(), vec![id]),
                crate::app::Target::Friend(uid) => (vec![uid], Vec::new()),
            };
            let done = chat.forward(thread, &[seq], &uids, &threads, &unique).await;
            NetEvent::Forwarded(done.map(|r| r.forwarded.first().map_or(0, |f| f.thread_id)).map_err(text))
        }
        Effect::Recall { thread, seq } => {
            NetEvent::RecallDone { thread, seq, result: chat.recall(thread, seq).await.map(|r| r.notice).map_err(text) }
        }
        _ => return None,
    };
    Some(event)
}

/// A private text; a draft's first text makes its thread first (llfc: never an empty one).
async fn send_text(
    chat: &ChatClient,
    uid: i32,
    to: i32,
    thread: i64,
    item: TextItem,
    events: &mpsc::Sender<Event>,
) -> Result<Vec<TextChatData>, SdkError> {
    let thread = if thread > 0 {
        thread
    } else {
        let made = chat.create_private_chat(uid, to).await?;
        let _ = events.send(Event::Net(NetEvent::ChatOpened(Ok((to, made.thread_id))))).await;
        made.thread_id
    };
    Ok(chat.send_items(uid, to, thread, vec![item]).await?.chat_datas)
}

/// Pictures and files: each transfer on its own task; metadata and thumbnails to the fetcher.
async fn files(session: Option<&mut Session>, effect: Effect, events: &mpsc::Sender<Event>) {
    let (session, res) = match session {
        Some(session) => {
            let res = session.res.clone();
            (Some(session), res)
        }
        None => (None, None),
    };
    let (Some(session), Some(res)) = (session, res) else {
        // Offline, or a server without files: the person hears it, nothing waits forever.
        let why = crate::event::NO_RESOURCE_SERVER.to_owned();
        let event = match effect {
            Effect::SendFile { unique, .. } => {
                NetEvent::File(FileEvent::Stored { unique, result: Err(SendFailure::Refused(why)) })
            }
            Effect::Upload { name, .. } => NetEvent::File(FileEvent::Uploaded { name, result: Err(why) }),
            Effect::SaveFile { name, .. } => NetEvent::File(FileEvent::Saved { name, result: Err(why) }),
            Effect::FileMeta(name) => NetEvent::File(FileEvent::Meta(name, Err(why))),
            Effect::FetchThumb(name) => NetEvent::File(FileEvent::Thumb(name, Err(why))),
            _ => return,
        };
        let _ = events.send(Event::Net(event)).await;
        return;
    };
    let events = events.clone();
    match effect {
        Effect::SendFile { unique, to, thread, path, picture } => {
            let chat = session.chat.clone();
            session.spawn(transfers::send(chat, res, unique, (to, thread), path, picture, events));
        }
        Effect::Upload { name, path } => session.spawn(transfers::upload(res, name, path, events)),
        Effect::SaveFile { name, label, open } => session.spawn(transfers::save(res, name, label, open, events)),
        Effect::FileMeta(name) => fetch(session, res, transfers::Fetch::Meta(name), events).await,
        Effect::FetchThumb(name) => fetch(session, res, transfers::Fetch::Thumb(name), events).await,
        _ => {}
    }
}

/// Queues work for the fetcher, starting it on first use.
async fn fetch(session: &mut Session, res: transfers::Res, job: transfers::Fetch, events: mpsc::Sender<Event>) {
    if session.fetch.is_none() {
        let (queue, work) = transfers::fetch_queue();
        session.spawn(transfers::fetcher(res, work, events));
        session.fetch = Some(queue);
    }
    if let Some(queue) = &session.fetch {
        let _ = queue.send(job).await;
    }
}

/// HTTP login, then the chat connection and its login; starts the push forwarder and heartbeat.
async fn connect(
    gate: &GateClient,
    credentials: Option<&(String, String)>,
    places: &Places,
    device: &Device,
    tr: Tr,
    events: &mpsc::Sender<Event>,
) -> Result<(Session, Welcome), LoginFailure> {
    let login_failure = |err| login_failure(err, tr);
    let Some((email, password)) = credentials else {
        return Err(LoginFailure { unreachable: false, why: tr.not_logged_in() });
    };
    let mut tries = LOGIN_TRIES;
    let (server, chat, mut pushes, mut login, http) = loop {
        tries -= 1;
        let http = gate.login(email, password).await.map_err(login_failure)?;
        let (chat, pushes, server) = gate.connect_chat(&http).await.map_err(login_failure)?;
        chat.follow_presence();
        match chat.login_as(http.uid, &http.token, device).await {
            Ok(login) => break (server, chat, pushes, login, http),
            Err(SdkError::Closed) if tries > 0 => continue,
            Err(err) => return Err(login_failure(err)),
        }
    };
    // A long list came cut to fit the login reply: the rest by pages (pushes wait meanwhile).
    chat.complete_lists(&mut login, MAX_REQUESTS).await.map_err(login_failure)?;
    let forward = events.clone();
    let forwarder = tokio::spawn(async move {
        while let Some(push) = pushes.recv().await {
            let event = match push {
                SdkEvent::Text(text) => NetEvent::Text(text),
                SdkEvent::OwnText(text) => NetEvent::OwnText(text),
                SdkEvent::ReadMarked(mark) => NetEvent::ReadMarked { thread: mark.thread_id, seq: mark.seq },
                SdkEvent::Typing(notice) => NetEvent::Typing(notice.fromuid),
                SdkEvent::Receipt(receipt) => NetEvent::Receipt { thread: receipt.thread_id, seq: receipt.seq },
                SdkEvent::Recalled(push) => NetEvent::Recalled(push),
                SdkEvent::Edited(push) => NetEvent::Edited(push),
                SdkEvent::Reacted(push) => NetEvent::Reacted(push),
                SdkEvent::FriendChanged(changed) => NetEvent::FriendChanged(changed),
                SdkEvent::Presence(presence) => NetEvent::Presence(vec![presence]),
                SdkEvent::FriendRequest(req) => NetEvent::FriendRequest(req),
                SdkEvent::FriendAccepted(notice) => NetEvent::FriendAccepted(notice),
                SdkEvent::Kicked(notice) => {
                    let reason = if notice.reason.is_empty() { tr.logged_in_elsewhere() } else { notice.reason };
                    let _ = forward.send(Event::Net(NetEvent::Kicked(reason))).await;
                    return;
                }
                SdkEvent::Closed => NetEvent::Disconnected(tr.server_closed()),
                SdkEvent::Group(push) => NetEvent::Group(push),
                SdkEvent::File(notice) => NetEvent::File(FileEvent::Notice(notice)),
                SdkEvent::Other(_) => continue,
            };
            if forward.send(Event::Net(event)).await.is_err() {
                return;
            }
        }
    });
    let heartbeat = chat.spawn_heartbeat(login.uid, HEARTBEAT_EVERY);
    let welcome = Welcome {
        uid: login.uid,
        name: login.name,
        email: login.email,
        server,
        friends: login.friend_list.into_iter().map(|f| (f.uid, f.name, f.back)).collect(),
        requests: login.apply_list.into_iter().map(|a| (a.uid, a.name, a.desc, a.status)).collect(),
        dialect: chat.dialect(),
        max_text: chat.max_text_bytes(),
        typing: chat.takes_typing(),
        receipts: chat.takes_receipts(),
        recall: chat.takes_recall(),
        edit: chat.takes_edit(),
        reactions: chat.takes_reactions(),
        friendships: chat.takes_friends(),
        presence: chat.takes_presence(),
        reply: chat.takes_reply(),
        forward: chat.takes_forward(),
    };
    // An HTTPS gate without a TLS resource port: no files, rather than a token in clear.
    let place = gate.res_place(&http).unwrap_or_else(|err| {
        tracing::warn!(%err, "pictures and files are off");
        None
    });
    let res = place.map(|place| transfers::Res {
        place,
        uid: login.uid,
        token: http.token.clone(),
        places: places.clone(),
        tr,
    });
    Ok((Session { uid: login.uid, chat, res, fetch: None, tasks: vec![forwarder, heartbeat] }, welcome))
}
