//! A minimal llfc-shaped server for tests of imchat's clients against llfc: one gate (master's
//! reply, `host`/`port` only) and one chat server in memory, answering as llfc's C++ servers do
//! (llfc-wire.md §1–§2, §7) and omitting what they omit: no `token`, `apply_list`,
//! `friend_list` or `chat_datas` when empty (jsoncpp never writes an array nothing was appended
//! to), no `status` in pushes (the cross-server form), no `seq` anywhere, no `message` in
//! errors, no reply to an unknown id, a dropped session over a body above 2048 bytes, a 1021
//! that leaves the socket open. What would crash llfc's server (a 1029 page that comes out
//! empty, §10.10) is counted, so tests can insist it never happens.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use imchat_proto::http::RegisterReq;
use imchat_sdk::{ChatClient, Dialect, Event, GateClient};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::DEADLINE;

/// The verification code every email gets (llfc's VarifyServer would mail one).
pub const CODE: &str = "c0de";
/// The password [`register`] gives.
pub const PASSWORD: &str = "pass-123";
/// llfc's inbound body limit.
const MAX_LENGTH: usize = 2048;
/// llfc's page sizes.
const PAGE: usize = 10;

#[derive(Default)]
struct State {
    users: Vec<User>,
    tokens: HashMap<i32, String>,
    /// uid → (connection id, frames to it).
    online: HashMap<i32, (u64, mpsc::UnboundedSender<(u16, Value)>)>,
    applies: Vec<(i32, i32, String)>,
    friends: Vec<(i32, i32)>,
    /// thread id → (user1, user2), as llfc's `private_chat` stores them.
    threads: Vec<(i64, i32, i32)>,
    /// (message id, thread id, sender, receiver, content)
    messages: Vec<(i64, i64, i32, i32, String)>,
    next_connection: u64,
    /// Close the next connection's first frame unread, as llfc's acceptor race does.
    drop_next_first_frame: bool,
    would_crash: usize,
    unknown_ids: Vec<u16>,
    /// History pages as llfc master answers them: 11 messages, `load_more` always false.
    master_pages: bool,
    /// 1027s that made a thread (llfc's 1027 looks the pair up only in its own order).
    threads_made_by_1027: usize,
}

struct User {
    uid: i32,
    name: String,
    email: String,
    /// Stored as sent, compared exactly (llfc §5.3).
    pwd: String,
}

/// What the responder saw that matters to a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// 1029 requests whose page came out empty: each would have crashed llfc's server.
    pub would_crash: usize,
    /// Ids llfc's server has no handler for (it logs and drops them).
    pub unknown_ids: Vec<u16>,
    /// Threads a 1027 made.
    pub threads_made_by_1027: usize,
}

/// A running llfc-shaped deployment.
pub struct LlfcServer {
    pub gate: SocketAddr,
    pub chat: SocketAddr,
    state: Arc<Mutex<State>>,
    _tasks: JoinSet<()>,
}

impl LlfcServer {
    pub async fn start() -> LlfcServer {
        let gate_l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let chat_l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (gate, chat) = (gate_l.local_addr().unwrap(), chat_l.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let mut tasks = JoinSet::new();
        let s = state.clone();
        tasks.spawn(async move {
            while let Ok((stream, _)) = gate_l.accept().await {
                tokio::spawn(http(stream, s.clone(), chat));
            }
        });
        let s = state.clone();
        tasks.spawn(async move {
            while let Ok((stream, _)) = chat_l.accept().await {
                tokio::spawn(session(stream, s.clone()));
            }
        });
        LlfcServer { gate, chat, state, _tasks: tasks }
    }

    pub fn gate_url(&self) -> String {
        format!("http://{}", self.gate)
    }

    pub fn seen(&self) -> Seen {
        let state = lock(&self.state);
        Seen {
            would_crash: state.would_crash,
            unknown_ids: state.unknown_ids.clone(),
            threads_made_by_1027: state.threads_made_by_1027,
        }
    }

    /// Whether `uid` has a session (llfc's `online` check for the 1014's messages).
    pub fn is_online(&self, uid: i32) -> bool {
        lock(&self.state).online.contains_key(&uid)
    }

    /// Answers history pages as llfc master does: 11 messages each, `load_more` always false.
    pub fn master_pages(&self) {
        lock(&self.state).master_pages = true;
    }

    /// The next chat connection is closed unread at its first frame: llfc's Season 2 server
    /// does that to a connection whose first frame beats its acceptor's registration of the
    /// session (`CServer::HandleAccept` starts reading before it inserts the session).
    pub fn drop_next_first_frame(&self) {
        lock(&self.state).drop_next_first_frame = true;
    }

    /// The content of every stored message, in message-id order.
    pub fn stored(&self) -> Vec<String> {
        lock(&self.state).messages.iter().map(|m| m.4.clone()).collect()
    }
}

/// A user registered through the SDK; returns the email.
pub async fn register(gate: &GateClient, name: &str) -> String {
    let email = format!("{name}@example.com");
    gate.request_code(&email).await.expect("code");
    let req = RegisterReq {
        email: email.clone(),
        user: name.to_owned(),
        passwd: PASSWORD.into(),
        confirm: PASSWORD.into(),
        varifycode: CODE.into(),
        icon: String::new(),
    };
    gate.register(&req).await.expect("registered");
    email
}

/// A logged-in SDK session on the llfc-shaped server.
pub struct Session {
    pub uid: i32,
    pub chat: ChatClient,
    pub events: mpsc::Receiver<Event>,
}

/// Logs `email` in through the SDK and checks the client saw llfc's dialect.
pub async fn login(gate: &GateClient, email: &str) -> Session {
    let http = gate.login(email, PASSWORD).await.expect("llfc's gate takes llfc's password form");
    let addr = http.chat_addr().expect("master's host/port keys are read");
    let (chat, events) = ChatClient::connect(&addr).await.expect("connect");
    let login = chat.login(http.uid, &http.token).await.expect("a 1006 without token or lists is read");
    assert_eq!(chat.dialect(), Dialect::Llfc);
    Session { uid: login.uid, chat, events }
}

/// The next event, or a panic after [`DEADLINE`].
pub async fn next_event(events: &mut mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(DEADLINE, events.recv()).await.expect("an event within the deadline").unwrap_or(Event::Closed)
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

fn chat_time() -> String {
    "2026-12-01 12:00:00".to_owned()
}

/// One HTTP request per connection, answered with `Connection: close`, as Boost.Beast in llfc.
async fn http(mut stream: TcpStream, state: Arc<Mutex<State>>, chat: SocketAddr) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let (head_end, length) = loop {
        let Ok(n @ 1..) = stream.read(&mut buf).await else { return };
        raw.extend_from_slice(&buf[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..at]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (at + 4, length);
        }
    };
    while raw.len() < head_end + length {
        let Ok(n @ 1..) = stream.read(&mut buf).await else { return };
        raw.extend_from_slice(&buf[..n]);
    }
    let path = String::from_utf8_lossy(&raw).split_whitespace().nth(1).unwrap_or("").to_owned();
    let body: Value = serde_json::from_slice(&raw[head_end..head_end + length]).unwrap_or(Value::Null);
    let reply = route(&path, &body, &mut lock(&state), chat);
    let text = serde_json::to_string_pretty(&reply).unwrap();
    let out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn route(path: &str, body: &Value, state: &mut State, chat: SocketAddr) -> Value {
    let field = |k: &str| body[k].as_str().unwrap_or("").to_owned();
    match path {
        "/get_varifycode" => json!({"error": 0, "email": field("email")}),
        "/user_register" => {
            if field("passwd") != field("confirm") {
                return json!({"error": 1006});
            }
            if field("varifycode") != CODE {
                return json!({"error": 1004});
            }
            if state.users.iter().any(|u| u.email == field("email") || u.name == field("user")) {
                return json!({"error": 1005});
            }
            let uid = 1000 + state.users.len() as i32 + 1;
            state.users.push(User { uid, name: field("user"), email: field("email"), pwd: field("passwd") });
            json!({"error": 0, "uid": uid, "email": field("email"), "user": field("user")})
        }
        "/user_login" => {
            let Some(user) = state.users.iter().find(|u| u.email == field("email") && u.pwd == field("passwd")) else {
                return json!({"error": 1009});
            };
            let (uid, email) = (user.uid, user.email.clone());
            let token = format!("token-{uid}-{}", state.next_connection);
            state.next_connection += 1;
            state.tokens.insert(uid, token.clone());
            // master's keys only.
            json!({"error": 0, "email": email, "uid": uid, "token": token,
                   "host": chat.ip().to_string(), "port": chat.port().to_string()})
        }
        _ => json!({"error": 1001}),
    }
}

/// One chat connection: frames in, llfc's answers out; pushes arrive on `rx`.
async fn session(stream: TcpStream, state: Arc<Mutex<State>>) {
    let (mut reader, mut writer) = stream.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<(u16, Value)>();
    let id = {
        let mut state = lock(&state);
        state.next_connection += 1;
        state.next_connection
    };
    let writing = tokio::spawn(async move {
        while let Some((msg_id, body)) = rx.recv().await {
            let text = serde_json::to_string_pretty(&body).unwrap();
            let mut frame = msg_id.to_be_bytes().to_vec();
            frame.extend_from_slice(&(text.len() as u16).to_be_bytes());
            frame.extend_from_slice(text.as_bytes());
            if writer.write_all(&frame).await.is_err() {
                return;
            }
        }
    });
    let mut me: Option<i32> = None;
    let mut first = true;
    loop {
        let mut header = [0u8; 4];
        if reader.read_exact(&mut header).await.is_err() {
            break;
        }
        let msg_id = u16::from_be_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
        if len > MAX_LENGTH {
            // llfc removes the session and reads no more.
            break;
        }
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).await.is_err() {
            break;
        }
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let mut state = lock(&state);
        if std::mem::take(&mut first) && std::mem::take(&mut state.drop_next_first_frame) {
            break;
        }
        if let Some(reply) = handle(&mut state, msg_id, &body, &mut me, id, &tx) {
            let _ = tx.send(reply);
        }
    }
    let mut state = lock(&state);
    if let Some(uid) = me
        && state.online.get(&uid).is_some_and(|(conn, _)| *conn == id)
    {
        state.online.remove(&uid);
    }
    drop(state);
    writing.abort();
}

fn push(state: &State, uid: i32, msg_id: u16, body: Value) {
    if let Some((_, tx)) = state.online.get(&uid) {
        let _ = tx.send((msg_id, body));
    }
}

fn handle(
    state: &mut State,
    msg_id: u16,
    body: &Value,
    me: &mut Option<i32>,
    conn: u64,
    tx: &mpsc::UnboundedSender<(u16, Value)>,
) -> Option<(u16, Value)> {
    let int = |k: &str| body[k].as_i64().unwrap_or(0);
    let text = |k: &str| body[k].as_str().unwrap_or("").to_owned();
    let profile = |state: &State, uid: i32| state.users.iter().find(|u| u.uid == uid).map(|u| u.name.clone());
    Some(match msg_id {
        1005 => {
            let uid = int("uid") as i32;
            match state.tokens.get(&uid) {
                None => (1006, json!({"error": 1011})),
                Some(token) if *token != text("token") => (1006, json!({"error": 1010})),
                Some(_) => {
                    let user = state.users.iter().find(|u| u.uid == uid)?;
                    let mut reply = json!({"error": 0, "uid": uid, "pwd": user.pwd, "name": user.name,
                                           "email": user.email, "nick": user.name, "desc": "", "sex": 0, "icon": ""});
                    let applies: Vec<Value> = state
                        .applies
                        .iter()
                        .filter(|a| a.1 == uid)
                        .take(PAGE)
                        .map(|a| {
                            let accepted = state.friends.contains(&(a.0, a.1));
                            json!({"name": profile(state, a.0), "uid": a.0, "icon": "", "nick": "", "sex": 0, "desc": "",
                                   "status": i32::from(accepted)})
                        })
                        .collect();
                    if !applies.is_empty() {
                        reply["apply_list"] = json!(applies);
                    }
                    let friends: Vec<Value> = state
                        .friends
                        .iter()
                        .filter_map(|f| {
                            if f.0 == uid {
                                Some(f.1)
                            } else if f.1 == uid {
                                Some(f.0)
                            } else {
                                None
                            }
                        })
                        .map(|f| {
                            json!({"name": profile(state, f), "uid": f, "icon": "", "nick": "", "sex": 0, "desc": "",
                                        "back": profile(state, f)})
                        })
                        .collect();
                    if !friends.is_empty() {
                        reply["friend_list"] = json!(friends);
                    }
                    // An older session anywhere gets 1021; its socket stays open.
                    if let Some((_, old)) = state.online.insert(uid, (conn, tx.clone())) {
                        let _ = old.send((1021, json!({"error": 0, "uid": uid})));
                    }
                    *me = Some(uid);
                    (1006, reply)
                }
            }
        }
        1023 => (1024, json!({"error": 0})),
        1007 => {
            let query = text("uid");
            let found = state.users.iter().find(|u| u.uid.to_string() == query || u.name == query);
            match found {
                Some(u) => (
                    1008,
                    json!({"error": 0, "uid": u.uid, "pwd": u.pwd, "name": u.name, "email": u.email,
                           "nick": u.name, "desc": "", "sex": 0, "icon": ""}),
                ),
                None => (1008, json!({"error": 1011})),
            }
        }
        1009 => {
            let (from, to) = (int("uid") as i32, int("touid") as i32);
            state.applies.retain(|a| (a.0, a.1) != (from, to));
            state.applies.push((from, to, text("applyname")));
            let notice = json!({"error": 0, "applyuid": from, "name": profile(state, from), "desc": text("applyname"),
                                "icon": "", "sex": 0, "nick": profile(state, from)});
            push(state, to, 1011, notice);
            (1010, json!({"error": 0}))
        }
        1013 => {
            // fromuid approves touid's request.
            let (approver, applicant) = (int("fromuid") as i32, int("touid") as i32);
            let greeting = state.applies.iter().find(|a| (a.0, a.1) == (applicant, approver))?.2.clone();
            state.friends.push((applicant, approver));
            let thread = state.threads.len() as i64 + 1;
            // llfc stores (approver, applicant), not normalised (§10.13).
            state.threads.push((thread, approver, applicant));
            let mut datas = Vec::new();
            let mut add = |state: &mut State, sender: i32, receiver: i32, content: String| {
                let id = state.messages.len() as i64 + 1;
                state.messages.push((id, thread, sender, receiver, content.clone()));
                datas.push(json!({"sender": sender, "msg_id": id, "thread_id": thread, "unique_id": "",
                                  "msg_content": content, "chat_time": chat_time(), "status": 2}));
            };
            if !greeting.is_empty() {
                add(state, applicant, approver, greeting);
            }
            add(state, approver, applicant, "We are friends now!".to_owned());
            let mut reply = json!({"error": 0, "name": profile(state, applicant), "nick": "", "icon": "", "sex": 0,
                                   "uid": applicant});
            // Only when the applicant is online (§2.3, a bug).
            if state.online.contains_key(&applicant) {
                reply["chat_datas"] = json!(datas);
            }
            let notice = json!({"error": 0, "fromuid": approver, "touid": applicant, "name": profile(state, approver),
                                "nick": "", "icon": "", "sex": 0, "chat_datas": datas});
            push(state, applicant, 1015, notice);
            (1014, reply)
        }
        1017 => {
            let (from, to, thread) = (int("fromuid") as i32, int("touid") as i32, int("thread_id"));
            let mut datas = Vec::new();
            for item in body["text_array"].as_array().cloned().unwrap_or_default() {
                let id = state.messages.len() as i64 + 1;
                let content = item["content"].as_str().unwrap_or("").to_owned();
                state.messages.push((id, thread, from, to, content.clone()));
                datas.push(json!({"message_id": id, "unique_id": item["unique_id"], "content": content,
                                  "chat_time": chat_time()}));
            }
            // The recipient's copy as a peer server sends it: no `status`.
            push(
                state,
                to,
                1019,
                json!({"error": 0, "fromuid": from, "touid": to, "thread_id": thread,
                                         "chat_datas": datas.clone()}),
            );
            for data in &mut datas {
                data["status"] = json!(2);
            }
            (1018, json!({"error": 0, "fromuid": from, "touid": to, "thread_id": thread, "chat_datas": datas}))
        }
        1025 => {
            let (uid, after) = (int("uid") as i32, int("thread_id"));
            let mine: Vec<&(i64, i32, i32)> =
                state.threads.iter().filter(|t| (t.1 == uid || t.2 == uid) && t.0 > after).collect();
            let page: Vec<Value> = mine
                .iter()
                .take(PAGE)
                .map(|t| json!({"thread_id": t.0, "type": "private", "user1_id": t.1, "user2_id": t.2}))
                .collect();
            let mut reply = json!({"error": 0, "uid": uid, "load_more": mine.len() > PAGE,
                                   "next_last_id": mine.iter().take(PAGE).next_back().map_or(0, |t| t.0)});
            if !page.is_empty() {
                reply["threads"] = json!(page);
            }
            (1026, reply)
        }
        1027 => {
            // llfc looks the pair up as (min, max) only: a befriending stored as (approver,
            // applicant) with the larger uid approving is missed, and a second thread made.
            let (a, b) = (int("uid") as i32, int("other_id") as i32);
            let (lo, hi) = (a.min(b), a.max(b));
            let thread = match state.threads.iter().find(|t| (t.1, t.2) == (lo, hi)) {
                Some(t) => t.0,
                None => {
                    let id = state.threads.len() as i64 + 1;
                    state.threads.push((id, lo, hi));
                    state.threads_made_by_1027 += 1;
                    id
                }
            };
            (1028, json!({"error": 0, "uid": a, "other_id": b, "thread_id": thread}))
        }
        1029 => {
            let (thread, after) = (int("thread_id"), int("message_id"));
            let all: Vec<&(i64, i64, i32, i32, String)> =
                state.messages.iter().filter(|m| m.1 == thread && m.0 > after).collect();
            if all.is_empty() {
                state.would_crash += 1;
                return None;
            }
            let size = if state.master_pages { PAGE + 1 } else { PAGE };
            let page: Vec<Value> = all
                .iter()
                .take(size)
                .map(|m| {
                    json!({"sender": m.2, "msg_id": m.0, "thread_id": m.1, "unique_id": 0, "msg_content": m.4,
                                "chat_time": chat_time(), "status": 2, "msg_type": 0, "receiver": m.3})
                })
                .collect();
            let last = all.iter().take(size).next_back().map_or(0, |m| m.0);
            let more = !state.master_pages && all.len() > PAGE;
            (
                1030,
                json!({"error": 0, "thread_id": thread, "last_message_id": last, "load_more": more,
                          "chat_datas": page}),
            )
        }
        other => {
            state.unknown_ids.push(other);
            return None;
        }
    })
}
