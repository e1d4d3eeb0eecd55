//! A client written from llfc-wire.md alone: JSON over HTTP with llfc's field names, and
//! frames built by hand (`u16 BE id`, `u16 BE length`, JSON). No imchat crate is used to talk.

use std::time::Duration;

use imchat_tests::{Flavor, TestCluster};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) async fn post(base: &str, route: &str, body: Value) -> Value {
    let rsp = reqwest::Client::new()
        .post(format!("{base}{route}"))
        .header("Content-Type", "application/json")
        .body(serde_json::to_string_pretty(&body).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rsp.status().as_u16(), 200);
    serde_json::from_str(&rsp.text().await.unwrap()).unwrap()
}

/// One chat connection speaking raw frames.
pub(crate) struct LlfcClient {
    stream: TcpStream,
    pending: Vec<(u16, Value)>,
}

impl LlfcClient {
    pub(crate) async fn connect(host: &str, port: &str) -> LlfcClient {
        LlfcClient { stream: TcpStream::connect(format!("{host}:{port}")).await.unwrap(), pending: Vec::new() }
    }

    pub(crate) async fn send(&mut self, id: u16, body: Value) {
        self.send_text(id, &body.to_string()).await;
    }

    /// Sends `text` as the body, byte for byte (llfc's client indents its 1005).
    pub(crate) async fn send_text(&mut self, id: u16, text: &str) {
        let mut frame = Vec::new();
        frame.extend_from_slice(&id.to_be_bytes());
        frame.extend_from_slice(&(text.len() as u16).to_be_bytes());
        frame.extend_from_slice(text.as_bytes());
        self.stream.write_all(&frame).await.unwrap();
    }

    pub(crate) async fn read_frame(&mut self) -> (u16, Value) {
        self.next_frame().await.expect("a frame, not the end of the connection")
    }

    /// The next frame, or `None` once the server closed the connection.
    pub(crate) async fn next_frame(&mut self) -> Option<(u16, Value)> {
        let mut header = [0u8; 4];
        match self.stream.read_exact(&mut header).await {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => return None,
            Err(err) => panic!("reading a frame: {err}"),
        }
        let id = u16::from_be_bytes([header[0], header[1]]);
        let len = u16::from_be_bytes([header[2], header[3]]) as usize;
        let mut body = vec![0; len];
        self.stream.read_exact(&mut body).await.unwrap();
        Some((id, serde_json::from_slice(&body).unwrap()))
    }

    /// The next frame with `id` (others are kept for later).
    pub(crate) async fn expect(&mut self, id: u16) -> Value {
        if let Some(idx) = self.pending.iter().position(|(i, _)| *i == id) {
            return self.pending.remove(idx).1;
        }
        let wait = async {
            loop {
                let (got, body) = self.read_frame().await;
                if got == id {
                    return body;
                }
                self.pending.push((got, body));
            }
        };
        tokio::time::timeout(Duration::from_secs(15), wait).await.unwrap_or_else(|_| panic!("no frame {id}"))
    }

    pub(crate) async fn call(&mut self, id: u16, body: Value) -> Value {
        self.send(id, body).await;
        let reply = self.expect(id + 1).await;
        assert_eq!(reply["error"], 0, "request {id}: {reply}");
        reply
    }
}

/// llfc's client-side password obfuscation (§5.3): each UTF-16 unit XOR (length % 255).
pub(crate) fn xor_password(password: &str) -> String {
    let units: Vec<u16> = password.encode_utf16().collect();
    let key = (units.len() % 255) as u16;
    String::from_utf16(&units.iter().map(|u| u ^ key).collect::<Vec<u16>>()).unwrap()
}

/// Registers as llfc's Qt client does: the obfuscated password, a built-in avatar, and the
/// `sex` and `nick` it sends too. Returns the email.
pub(crate) async fn register_as_llfc(cluster: &TestCluster, base: &str, name: &str, typed: &str) -> String {
    let email = format!("{name}.{}@example.com", imchat_store::random_hex(4));
    let user = format!("{name}{}", imchat_store::random_hex(3));
    let passwd = xor_password(typed);
    assert_eq!(post(base, "/get_varifycode", json!({"email": email})).await["error"], 0);
    let code = cluster.mail.code_for(&email).await;
    let reg = post(
        base,
        "/user_register",
        json!({"email": email, "user": user, "passwd": passwd, "confirm": passwd, "varifycode": code,
               "icon": ":/res/head_2.jpg", "sex": 0, "nick": user}),
    )
    .await;
    assert_eq!(reg["error"], 0, "{reg}");
    email
}

async fn register_and_login(cluster: &TestCluster, base: &str, name: &str) -> (i32, LlfcClient, Value) {
    let email = register_as_llfc(cluster, base, name, "abc123!").await;
    let login = post(base, "/user_login", json!({"email": email, "passwd": xor_password("abc123!")})).await;
    assert_eq!(login["error"], 0, "{login}");
    let uid = login["uid"].as_i64().unwrap() as i32;
    (uid, LlfcClient::connect(login["chathost"].as_str().unwrap(), login["chatport"].as_str().unwrap()).await, login)
}

both!(original_client_flow);
async fn original_client_flow(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let base = format!("http://{}", cluster.suite.gate);
    let (a_uid, mut a, a_http) = register_and_login(&cluster, &base, "qt").await;
    let (b_uid, _, b_http) = register_and_login(&cluster, &base, "qtb").await;
    // Log bob in on the other chat server than the one the gate chose, as a second client would.
    let b_port = if b_http["chatport"] == a_http["chatport"] {
        cluster.suite.chats.iter().map(|c| c.addr.port().to_string()).find(|p| *p != a_http["chatport"]).unwrap()
    } else {
        b_http["chatport"].as_str().unwrap().to_owned()
    };
    let mut b = LlfcClient::connect("127.0.0.1", &b_port).await;

    let a_login = a.call(1005, json!({"uid": a_uid, "token": a_http["token"]})).await;
    assert_eq!(a_login["pwd"], "");
    b.call(1005, json!({"uid": b_uid, "token": b_http["token"]})).await;

    let found = a.call(1007, json!({"uid": b_uid.to_string()})).await;
    assert_eq!((found["uid"].as_i64(), found["email"].as_str()), (Some(i64::from(b_uid)), Some("")));
    a.call(1009, json!({"uid": a_uid, "applyname": "hello", "bakname": "B", "touid": b_uid})).await;
    let notice = b.expect(1011).await;
    assert_eq!(notice["applyuid"], a_uid);
    let auth = b.call(1013, json!({"fromuid": b_uid, "touid": a_uid, "back": "A"})).await;
    let thread = auth["chat_datas"][0]["thread_id"].as_i64().unwrap();
    let notice = a.expect(1015).await;
    assert_eq!(notice["fromuid"], b_uid);

    let created = a.call(1027, json!({"uid": a_uid, "other_id": b_uid})).await;
    assert_eq!(created["thread_id"], thread);
    let threads = a.call(1025, json!({"uid": a_uid, "thread_id": 0})).await;
    assert_eq!(threads["threads"][0]["type"], "private");
    assert_eq!(threads["load_more"], false);

    let sent = a
        .call(
            1017,
            json!({"fromuid": a_uid, "touid": b_uid, "thread_id": thread,
                           "text_array": [{"content": "hello across servers", "unique_id": "{0f0e}"}]}),
        )
        .await;
    let pushed = b.expect(1019).await;
    assert_eq!(pushed["chat_datas"][0]["content"], "hello across servers");
    assert_eq!(pushed["chat_datas"][0]["message_id"], sent["chat_datas"][0]["message_id"]);

    let page = b.call(1029, json!({"thread_id": thread, "message_id": 0})).await;
    let datas = page["chat_datas"].as_array().unwrap();
    assert_eq!(datas.len(), 3);
    assert_eq!(datas[0]["unique_id"], 0, "history unique_id is the integer 0, as in llfc");
    assert_eq!(page["load_more"], false);
    assert_eq!(a.call(1023, json!({"fromuid": a_uid})).await["error"], 0);

    // imchat pipelines 1017: requests sent back to back are answered in their order, a refused
    // one in its place, a heartbeat after the texts before it; the partner gets them in order.
    let text = |n: usize| {
        json!({"fromuid": a_uid, "touid": b_uid, "thread_id": thread,
                                 "text_array": [{"content": format!("burst {n}"), "unique_id": format!("{{p{n}}}")}]})
    };
    for n in 0..10 {
        a.send(1017, text(n)).await;
    }
    a.send(1023, json!({"fromuid": a_uid})).await;
    a.send(
        1017,
        json!({"fromuid": a_uid, "touid": a_uid, "thread_id": thread,
                        "text_array": [{"content": "to myself", "unique_id": "{bad}"}]}),
    )
    .await;
    for n in 10..20 {
        a.send(1017, text(n)).await;
    }
    let mut replies = Vec::new();
    while replies.len() < 22 {
        replies.push(a.read_frame().await);
    }
    let shape: Vec<String> = replies
        .iter()
        .map(|(id, body)| match (id, body["error"].as_i64()) {
            (1018, Some(0)) => body["chat_datas"][0]["unique_id"].as_str().unwrap().to_owned(),
            (id, error) => format!("{id}:{}", error.unwrap()),
        })
        .collect();
    let mut expected: Vec<String> = (0..10).map(|n| format!("{{p{n}}}")).collect();
    expected.push("1024:0".into());
    expected.push(format!("1018:{}", imchat_proto::ErrorCode::NotFriend.code()));
    expected.extend((10..20).map(|n| format!("{{p{n}}}")));
    assert_eq!(shape, expected);
    let seqs: Vec<i64> = replies.iter().filter_map(|(_, body)| body["chat_datas"][0]["seq"].as_i64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seq follows send order: {seqs:?}");
    for n in 0..20 {
        assert_eq!(b.expect(1019).await["chat_datas"][0]["content"], format!("burst {n}"));
    }

    // A kick that arrives while texts are pipelined waits for them: every stored text is
    // acknowledged before the 1021, and none is stored without its acknowledgement.
    for n in 0..20 {
        let late = json!({"fromuid": a_uid, "touid": b_uid, "thread_id": thread,
                          "text_array": [{"content": format!("late {n}"), "unique_id": format!("{{late{n}}}")}]});
        a.send(1017, late).await;
    }
    let (host, port) = (a_http["chathost"].as_str().unwrap(), a_http["chatport"].as_str().unwrap());
    let mut again = LlfcClient::connect(host, port).await;
    again.call(1005, json!({"uid": a_uid, "token": a_http["token"]})).await;
    let mut acked = 0;
    let ended = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match a.next_frame().await {
                Some((1018, body)) => {
                    assert_eq!(body["error"], 0, "{body}");
                    acked += 1;
                }
                Some((1021, _)) => break,
                other => panic!("expected acknowledgements, then 1021: {other:?}"),
            }
        }
        // The kicked connection stays open for llfc's client to close: heartbeats are answered,
        // nothing else is served.
        assert_eq!(a.call(1023, json!({"fromuid": a_uid})).await["error"], 0);
        a.send(1029, json!({"thread_id": thread, "message_id": 0})).await;
        let refused = a.expect(1030).await;
        assert_eq!(refused["error"], imchat_proto::ErrorCode::NotLoggedIn.code(), "{refused}");
    });
    ended.await.expect("the kicked session ends");
    let mut stored = 0;
    let mut after = 0;
    loop {
        let page = again.call(1029, json!({"thread_id": thread, "message_id": after})).await;
        let datas = page["chat_datas"].as_array().unwrap();
        stored += datas.iter().filter(|d| d["msg_content"].as_str().is_some_and(|c| c.starts_with("late "))).count();
        if page["load_more"] != true {
            break;
        }
        after = page["last_message_id"].as_i64().unwrap();
    }
    assert_eq!(stored, acked, "texts stored and texts acknowledged before the kick");
    cluster.shutdown().await;
}
