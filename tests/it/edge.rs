//! The network edge as an attacker meets it: every internal gRPC service refuses a caller
//! without the deployment's secret, or with another one, and goes on serving those with it.

use imchat_proto::grpc::admin_service_client::AdminServiceClient;
use imchat_proto::grpc::chat_service_client::ChatServiceClient;
use imchat_proto::grpc::status_service_client::StatusServiceClient;
use imchat_proto::grpc::varify_service_client::VarifyServiceClient;
use imchat_proto::grpc::{DeliverReq, Frame, GetChatServerReq, GetVarifyReq, ListTokensReq};
use imchat_rpc::Secret;
use imchat_tests::{Flavor, TestCluster};
use tonic::Code;

/// The four internal services, called as `secret` (none: no metadata at all); each call's
/// gRPC code, or `Ok`.
async fn call_all(cluster: &TestCluster, secret: Option<&Secret>) -> Vec<(&'static str, Result<(), Code>)> {
    let channel = |addr: String| {
        let channel = imchat_rpc::endpoint(&addr).unwrap().connect_lazy();
        let secret = secret.cloned().unwrap_or_else(|| Secret::new("not-sent-anyway-0123").unwrap());
        (channel.clone(), imchat_rpc::authed(channel, &secret))
    };
    let code = |result: Result<(), tonic::Status>| result.map_err(|status| status.code());
    let (status, verify) = (cluster.suite.status.to_string(), cluster.suite.verify.to_string());
    let peer = cluster.suite.chats[0].rpc_addr.to_string();
    let mut out = Vec::new();
    macro_rules! both_ways {
        ($name:literal, $client:ident, $addr:expr, |$c:ident| $call:expr) => {{
            let (plain, authed) = channel($addr);
            let result = match secret {
                Some(_) => {
                    let mut $c = $client::new(authed);
                    code($call.await.map(drop))
                }
                None => {
                    let mut $c = $client::new(plain);
                    code($call.await.map(drop))
                }
            };
            out.push(($name, result));
        }};
    }
    both_ways!("StatusService.GetChatServer", StatusServiceClient, status.clone(), |c| c
        .get_chat_server(GetChatServerReq { uid: 1 }));
    both_ways!("AdminService.ListTokens", AdminServiceClient, status.clone(), |c| c
        .list_tokens(ListTokensReq { pattern: String::new(), limit: 0 }));
    both_ways!("VarifyService.GetVarifyCode", VarifyServiceClient, verify.clone(), |c| c
        .get_varify_code(GetVarifyReq { email: "edge@example.com".into() }));
    both_ways!("ChatService.Deliver", ChatServiceClient, peer.clone(), |c| c.deliver(DeliverReq {
        frames: vec![Frame { touid: 1, msg_id: 1019, body: bytes::Bytes::from_static(b"{}") }],
        fanouts: Vec::new(),
    }));
    both_ways!("ChatService.DeliverStream", ChatServiceClient, peer.clone(), |c| c
        .deliver_stream(tokio_stream::iter([DeliverReq { frames: Vec::new(), fanouts: Vec::new() }])));
    both_ways!("ChatService.DisbandGroup", ChatServiceClient, peer.clone(), |c| c
        .disband_group(imchat_proto::grpc::DisbandGroupReq { thread_id: 1 }));
    both_ways!("AdminService.ListGroups", AdminServiceClient, status.clone(), |c| c
        .list_groups(imchat_proto::grpc::ListGroupsReq::default()));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_rpc_needs_the_deployments_secret() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let refused = |calls: Vec<(&'static str, Result<(), Code>)>| {
        for (name, result) in calls {
            assert_eq!(result, Err(Code::Unauthenticated), "{name}");
        }
    };
    refused(call_all(&cluster, None).await);
    refused(call_all(&cluster, Some(&Secret::new("a-guess-at-the-secret-0000").unwrap())).await);
    // With the secret every call is served (a token for uid 1, the token list, a code, a push
    // to nobody).
    for (name, result) in call_all(&cluster, Some(&cluster.suite.secret)).await {
        assert_eq!(result, Ok(()), "{name}");
    }
    // And the public door still works.
    let alice = cluster.register("alice").await;
    cluster.gate.login(&alice.email, &alice.password).await.expect("a login through the gate");
    cluster.shutdown().await;
}

/// One frame from `stream` (llfc framing), or `None` once the server closed it.
async fn frame(stream: &mut tokio::net::TcpStream) -> Option<(u16, serde_json::Value)> {
    use tokio::io::AsyncReadExt;
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).await.ok()?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([header[2], header[3]]))];
    stream.read_exact(&mut body).await.ok()?;
    Some((u16::from_be_bytes([header[0], header[1]]), serde_json::from_slice(&body).unwrap_or_default()))
}

/// Whether the server closes `stream` within `within` (reading and dropping what it sends).
async fn closed_within(stream: &mut tokio::net::TcpStream, within: std::time::Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut sink = [0u8; 256];
    tokio::time::timeout(within, async { while stream.read(&mut sink).await.is_ok_and(|n| n > 0) {} }).await.is_ok()
}

fn login_frame(uid: i32, token: &str) -> Vec<u8> {
    let mut buf = bytes::BytesMut::new();
    imchat_proto::msg::Message::encode(
        &imchat_proto::msg::LoginReq { uid, token: token.to_owned(), ..Default::default() },
        &mut buf,
    )
    .unwrap();
    buf.to_vec()
}

/// Slot exhaustion on the chat port: a connection that never logs in is closed at the login
/// deadline; bytes that never make a frame keep nothing alive; an address gets so many
/// connections at once; the status server sends no one to a server that is full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_port_closes_what_never_logs_in_and_caps_each_address() {
    use std::time::{Duration, Instant};
    use tokio::io::AsyncWriteExt;
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.limits.login_deadline = Duration::from_millis(400);
        file.limits.idle_timeout = Duration::from_millis(800);
        file.limits.max_connections_per_ip = 3;
        file.limits.max_connections = 3;
    })
    .await;
    let chat1 = cluster.suite.chats[0].addr;
    let connect = || tokio::net::TcpStream::connect(chat1);

    // Silent, and a byte at a time (never a whole frame): both closed by the deadline.
    let started = Instant::now();
    let mut silent = connect().await.unwrap();
    let mut dribble = connect().await.unwrap();
    let dribbling = tokio::spawn(async move {
        for byte in login_frame(1, "x") {
            if dribble.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        closed_within(&mut dribble, Duration::from_secs(5)).await
    });
    assert!(closed_within(&mut silent, Duration::from_secs(5)).await, "the silent one is closed");
    assert!(started.elapsed() >= Duration::from_millis(350), "not before the deadline");
    assert!(dribbling.await.unwrap(), "the dribbling one is closed");

    // Three at once from one address; the fourth is closed unread.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect().await.unwrap());
    }
    let mut fourth = connect().await.unwrap();
    assert!(closed_within(&mut fourth, Duration::from_secs(2)).await, "over the address's limit");
    // chat1 is full now and says so in the registry (open connections, not just sessions):
    // the status server hands out only chat2, where load alone would alternate.
    let alice = cluster.register("alice").await;
    let chat2_port = cluster.suite.chats[1].addr.port().to_string();
    imchat_tests::wait_for("the status server to hand out chat2 only", || async {
        let mut ports = Vec::new();
        for _ in 0..4 {
            ports.push(cluster.gate.login(&alice.email, &alice.password).await.ok()?.chatport);
        }
        ports.iter().all(|p| *p == chat2_port).then_some(())
    })
    .await;
    drop(held);
    cluster.shutdown().await;
}

/// Token guessing on the chat port: a connection is closed after three failed logins, and an
/// address whose logins failed too often this minute is refused unread, even with the right
/// token; other addresses are not affected (only loopback here, so that last part is the
/// unit test's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_chat_logins_are_limited_per_connection_and_per_address() {
    use tokio::io::AsyncWriteExt;
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.limits.max_failed_logins = 3;
        file.limits.failed_logins_per_ip = 5;
    })
    .await;
    let alice = cluster.register("alice").await;
    let http = cluster.gate.login(&alice.email, &alice.password).await.unwrap();
    let chat1 = cluster.suite.chats[0].addr;
    let mut guesser = tokio::net::TcpStream::connect(chat1).await.unwrap();
    for guess in 0..3 {
        guesser.write_all(&login_frame(http.uid, &format!("guess-{guess}"))).await.unwrap();
        let (id, body) = frame(&mut guesser).await.expect("each guess is answered");
        assert_eq!((id, body["error"].as_i64()), (1006, Some(i64::from(imchat_proto::ErrorCode::TokenInvalid.code()))));
    }
    assert!(closed_within(&mut guesser, std::time::Duration::from_secs(2)).await, "closed after the third");
    let mut again = tokio::net::TcpStream::connect(chat1).await.unwrap();
    for guess in 3..5 {
        again.write_all(&login_frame(http.uid, &format!("guess-{guess}"))).await.unwrap();
        assert!(frame(&mut again).await.is_some());
    }
    // Five failures this minute from this address: now even the right token is refused.
    again.write_all(&login_frame(http.uid, &http.token)).await.unwrap();
    let (_, body) = frame(&mut again).await.expect("answered");
    assert_eq!(body["error"].as_i64(), Some(i64::from(imchat_proto::ErrorCode::TooManyRequests.code())));
    cluster.shutdown().await;
}

/// A password reset and a token revoke end the live session the old token opened (1021),
/// besides refusing the token from then on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_or_a_revoke_ends_live_sessions() {
    use imchat_proto::grpc::RevokeTokenReq;
    use imchat_sdk::Event;
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.codes.cooldown = std::time::Duration::from_millis(100);
    })
    .await;
    let alice = cluster.register("alice").await;
    let mut session = cluster.login_on(&alice, 0).await;
    // The registration's cooldown must pass before another code is sent.
    imchat_tests::wait_for("a new code", || async { cluster.gate.request_code(&alice.email).await.ok() }).await;
    let code = cluster.mail.code_for(&alice.email).await;
    let reset = imchat_proto::http::ResetPwdReq {
        email: alice.email.clone(),
        user: alice.name.clone(),
        passwd: "a-new-secret".into(),
        varifycode: code,
    };
    cluster.gate.reset_password(&reset).await.expect("reset");
    let Event::Kicked(notice) = session.next_event().await else { panic!("the session ends") };
    assert!(notice.reason.contains("revoked"), "{notice:?}");

    let http = cluster.gate.login(&alice.email, "a-new-secret").await.expect("the new password");
    let (chat, mut events) = imchat_sdk::ChatClient::connect(&cluster.suite.chats[1].addr.to_string()).await.unwrap();
    chat.login(http.uid, &http.token).await.unwrap();
    let revoked = cluster.admin().await.revoke_token(RevokeTokenReq { uid: http.uid }).await.unwrap().into_inner();
    assert!(revoked.found);
    let kicked = tokio::time::timeout(imchat_tests::DEADLINE, async {
        loop {
            match events.recv().await {
                Some(Event::Kicked(_)) => return true,
                Some(_) => continue,
                None => return false,
            }
        }
    })
    .await;
    assert_eq!(kicked, Ok(true), "the revoked session ends");
    cluster.shutdown().await;
}

/// Slowloris on the gate: connections that never finish their headers are closed at the
/// header timeout, an address gets so many connections at once, and the gate serves others
/// meanwhile. Behind a trusted proxy, rate limits count the client it names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_closes_slow_headers_caps_each_address_and_trusts_only_its_proxies() {
    use std::time::{Duration, Instant};
    use tokio::io::AsyncWriteExt;
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.gate_edge.header_timeout = Duration::from_millis(400);
        file.gate_edge.max_connections_per_ip = 20;
        file.gate_edge.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        file.rate.per_ip_per_sec = 1;
        file.rate.per_ip_burst = 2;
    })
    .await;
    let gate = cluster.suite.gate;
    let started = Instant::now();
    // From 127.0.0.2: 127.0.0.1 is the trusted proxy, whose connections are not capped.
    let from_client = || async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        socket.connect(gate).await.unwrap()
    };
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = from_client().await;
        stream.write_all(b"POST /user_login HTTP/1.1\r\nHost: gate\r\nX-Slow: ").await.unwrap();
        slow.push(stream);
    }
    let mut over = from_client().await;
    assert!(closed_within(&mut over, Duration::from_secs(2)).await, "the 21st is refused");
    // The proxy holds more than an address may (review 3, N12): its 21st is served.
    let mut via_proxy = Vec::new();
    for _ in 0..21 {
        via_proxy.push(tokio::net::TcpStream::connect(gate).await.unwrap());
    }
    let mut last = via_proxy.pop().unwrap();
    last.write_all(b"POST /nowhere HTTP/1.1\r\nHost: gate\r\nContent-Length: 0\r\n\r\n").await.unwrap();
    let mut head = [0u8; 12];
    tokio::io::AsyncReadExt::read_exact(&mut last, &mut head).await.expect("the proxy's 21st is answered");
    assert!(head.starts_with(b"HTTP/1.1"), "{head:?}");
    drop(via_proxy);
    let dribblers: Vec<_> = slow
        .into_iter()
        .map(|mut stream| {
            tokio::spawn(async move {
                // A byte every 100 ms: the headers never end.
                for _ in 0..30 {
                    if stream.write_all(b"x").await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                closed_within(&mut stream, Duration::from_secs(3)).await
            })
        })
        .collect();
    for dribbler in dribblers {
        assert!(dribbler.await.unwrap(), "a slow client is closed");
    }
    assert!(started.elapsed() >= Duration::from_millis(350), "not before the header timeout");

    // Rate limits by the client the proxy names: two requests each (the burst), then refused,
    // per client, not per proxy.
    // A connection per request: the gate closes idle ones after the (short) header timeout.
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let login = |client: &'static str| {
        let http = http.clone();
        async move {
            let rsp = http
                .post(format!("http://{gate}/user_login"))
                .header("x-forwarded-for", client)
                .body(r#"{"email":"nobody@example.com","passwd":"whatever1"}"#)
                .send()
                .await
                .unwrap();
            rsp.json::<serde_json::Value>().await.unwrap()["error"].as_i64().unwrap()
        }
    };
    let limited = i64::from(imchat_proto::ErrorCode::TooManyRequests.code());
    let first: Vec<i64> =
        [login("198.51.100.1").await, login("198.51.100.1").await, login("198.51.100.1").await].into();
    assert_eq!(first[2], limited, "{first:?}");
    assert_ne!(login("198.51.100.2").await, limited, "another client behind the proxy has its own bucket");
    // Two header lines, the client's own first and the proxy's last: the proxy's names the
    // client (review 3, N12), however the client fills its own.
    let spoofed = http
        .post(format!("http://{gate}/user_login"))
        .header("x-forwarded-for", "6.6.6.6")
        .header("x-forwarded-for", "198.51.100.1")
        .body(r#"{"email":"nobody@example.com","passwd":"whatever1"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.json::<serde_json::Value>().await.unwrap()["error"].as_i64(), Some(limited));
    cluster.shutdown().await;
}

/// Password guessing backs off per account and address, so a stranger failing at an account
/// delays only themselves: the owner, from another address, logs in at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_back_off_without_locking_the_owner_out() {
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.gate_edge.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        file.rate.free_login_failures = 3;
    })
    .await;
    let alice = cluster.register("alice").await;
    let gate = cluster.suite.gate;
    let http = reqwest::Client::new();
    let login = |from: &'static str, passwd: String| {
        let (http, email) = (http.clone(), alice.email.clone());
        async move {
            let body = serde_json::json!({"email": email, "passwd": passwd});
            let rsp = http.post(format!("http://{gate}/user_login")).header("x-forwarded-for", from).json(&body);
            rsp.send().await.unwrap().json::<serde_json::Value>().await.unwrap()["error"].as_i64().unwrap()
        }
    };
    let code = |c: imchat_proto::ErrorCode| i64::from(c.code());
    for _ in 0..3 {
        assert_eq!(login("203.0.113.66", "wrong-guess".into()).await, code(imchat_proto::ErrorCode::PasswdInvalid));
    }
    // The stranger now waits (not even the right password is checked from there)...
    let right = imchat_proto::credential::llfc_form(&alice.password);
    assert_eq!(login("203.0.113.66", right.clone()).await, code(imchat_proto::ErrorCode::TooManyRequests));
    // ...and the owner does not.
    assert_eq!(login("198.51.100.7", right).await, 0);
    cluster.shutdown().await;
}

/// A user who sends faster than `MessagesPerSec` (after its burst) gets 1105 for the rest,
/// and those are not stored; the same texts go through once the rate allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_texts_is_refused_past_the_users_rate() {
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.limits.messages_per_sec = 1;
        file.limits.message_burst = 3;
    })
    .await;
    let pair = cluster.friends().await;
    let (a, bob, thread) = (&pair.a, pair.bob.uid, pair.thread_id);
    let mut outcomes = Vec::new();
    for n in 0..5 {
        let unique = format!("{{flood-{n}}}");
        let sent = a.chat.send_texts(a.uid, bob, thread, &[(&format!("flood {n}"), &unique)]).await;
        outcomes.push(sent.err().and_then(|err| err.code()));
    }
    let limited = Some(imchat_proto::ErrorCode::TooManyRequests);
    assert_eq!(outcomes, [None, None, None, limited, limited]);
    let stored = a.chat.sync(&[]).await.unwrap().chat_datas;
    assert_eq!(stored.iter().filter(|d| d.content.starts_with("flood")).count(), 3, "the refused ones were not stored");
    // A second later there is room for one more, under the same key as before.
    imchat_tests::wait_for("room for one more text", || async {
        a.chat.send_texts(a.uid, bob, thread, &[("flood 3", "{flood-3}")]).await.ok()
    })
    .await;
    cluster.shutdown().await;
}

/// What one hostile input gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// An answer carrying this error code (llfc's `error` field).
    Refused(imchat_proto::ErrorCode),
    /// An HTTP status without a JSON answer.
    Status(u16),
    /// A gRPC status code.
    Grpc(Code),
}

/// The adversarial table: hostile inputs on each public door and each internal service, each
/// with its documented outcome (PROTOCOL.md's error codes), and the servers serving everyone
/// else afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adversarial_table() {
    use imchat_proto::ErrorCode as E;
    use serde_json::json;
    use tokio::io::AsyncWriteExt;
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let pair = cluster.friends().await;
    let (carol, dave) = (cluster.register("carol").await, cluster.register("dave").await);
    let (c, d) = (cluster.login_on(&carol, 0).await, cluster.login_on(&dave, 1).await);
    c.chat.add_friend(c.uid, d.uid, "hi", "").await.unwrap();
    let foreign_thread = d.chat.accept_friend(d.uid, c.uid, "").await.unwrap().chat_datas[0].thread_id;
    let (alice, bob, thread) = (pair.alice.uid, pair.bob.uid, pair.thread_id);
    pair.a.chat.send_texts(alice, bob, thread, &[("first", "{taken}")]).await.unwrap();
    let mut table: Vec<(String, Outcome, Outcome)> = Vec::new();

    // The gate (HTTP).
    let gate = format!("http://{}", cluster.suite.gate);
    // A connection per request: the gate closes one after a refusal like 413, and a pooled
    // connection the gate closed would fail the next case on the client's side.
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let post = async |route: &str, body: Vec<u8>| {
        let rsp = http.post(format!("{gate}{route}")).body(body).send().await.unwrap();
        let status = rsp.status().as_u16();
        let text = rsp.text().await.unwrap();
        match serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["error"].as_i64()) {
            Some(code) if status == 200 => Outcome::Refused(E::try_from(i32::try_from(code).unwrap()).unwrap()),
            _ => Outcome::Status(status),
        }
    };
    let code_for = |email: &str| json!({"email": email}).to_string().into_bytes();
    let register = |user: &str, passwd: &str, confirm: &str| {
        json!({"email": "new.user@example.com", "user": user, "passwd": passwd, "confirm": confirm,
               "varifycode": "123456", "icon": ""})
        .to_string()
        .into_bytes()
    };
    let http_cases: Vec<(&str, &str, Vec<u8>, Outcome)> = vec![
        (
            "code to a display name",
            "/get_varifycode",
            code_for("1<victim@example.com>"),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "code to a named address",
            "/get_varifycode",
            code_for("Victim <v@example.com>"),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "code to a list",
            "/get_varifycode",
            code_for("a@example.com, v@example.com"),
            Outcome::Refused(E::InvalidArgument),
        ),
        ("code to a comment", "/get_varifycode", code_for("(me)v@example.com"), Outcome::Refused(E::InvalidArgument)),
        (
            "code to a quoted part",
            "/get_varifycode",
            code_for("\"v\"@example.com"),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "code to a domain literal",
            "/get_varifycode",
            code_for("v@[127.0.0.1]"),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "header injection in an address",
            "/get_varifycode",
            code_for("v@example.com\r\nBcc: w@example.com"),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "a name with a direction override",
            "/user_register",
            register("ad\u{202E}nim", "secret-1", "secret-1"),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "a name with a zero-width space",
            "/user_register",
            register("a\u{200B}b", "secret-1", "secret-1"),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "an all-digit name",
            "/user_register",
            register("10042", "secret-1", "secret-1"),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "passwords that differ",
            "/user_register",
            register("newbie", "secret-1", "secret-2"),
            Outcome::Refused(E::PasswdErr),
        ),
        ("a weak password", "/user_register", register("newbie", "abc", "abc"), Outcome::Refused(E::WeakPassword)),
        (
            "registration without a code",
            "/user_register",
            register("newbie", "secret-1", "secret-1"),
            Outcome::Refused(E::VarifyExpired),
        ),
        (
            "reset without a code (no enumeration)",
            "/reset_pwd",
            json!({"email": pair.alice.email, "user": "someone", "passwd": "secret-9", "varifycode": "1"})
                .to_string()
                .into_bytes(),
            Outcome::Refused(E::VarifyExpired),
        ),
        (
            "login of an unknown address",
            "/user_login",
            json!({"email": "nobody@example.com", "passwd": "secret-1"}).to_string().into_bytes(),
            Outcome::Refused(E::PasswdInvalid),
        ),
        (
            "login with a wrong password (same answer)",
            "/user_login",
            json!({"email": pair.alice.email, "passwd": "secret-1"}).to_string().into_bytes(),
            Outcome::Refused(E::PasswdInvalid),
        ),
        ("a body that is not JSON", "/user_login", b"not json".to_vec(), Outcome::Refused(E::Json)),
        ("JSON of the wrong shape", "/user_login", br#"{"email": 5}"#.to_vec(), Outcome::Refused(E::Json)),
        ("an oversized body", "/user_login", vec![b' '; 64 * 1024], Outcome::Status(413)),
        ("an unknown route", "/admin", b"{}".to_vec(), Outcome::Status(404)),
    ];
    for (name, route, body, want) in http_cases {
        table.push((format!("http: {name}"), post(route, body).await, want));
    }
    let get = http.get(format!("{gate}/user_login")).send().await.unwrap().status().as_u16();
    table.push(("http: a GET of a POST route".into(), Outcome::Status(get), Outcome::Status(405)));

    // The chat port (frames), before and after a login.
    let chat = cluster.suite.chats[0].addr;
    let frame_bytes = |id: u16, body: &[u8]| {
        let mut buf = bytes::BytesMut::new();
        imchat_proto::codec::encode(id, body, &mut buf).unwrap();
        buf.to_vec()
    };
    let ask = async |stream: &mut tokio::net::TcpStream, bytes: Vec<u8>| {
        stream.write_all(&bytes).await.unwrap();
        let (_, body) = frame(stream).await.expect("an answer, not a close");
        Outcome::Refused(E::try_from(i32::try_from(body["error"].as_i64().unwrap_or(0)).unwrap()).unwrap())
    };
    let text = |from: i32, to: i32, thread: i64, texts: serde_json::Value| {
        frame_bytes(
            1017,
            json!({"fromuid": from, "touid": to, "thread_id": thread, "text_array": texts}).to_string().as_bytes(),
        )
    };
    let one = |content: &str, unique: &str| json!([{"unique_id": unique, "content": content}]);
    let http_alice = cluster.gate.login(&pair.alice.email, &pair.alice.password).await.unwrap();
    let mut fresh = tokio::net::TcpStream::connect(chat).await.unwrap();
    let before_login: Vec<(&str, Vec<u8>, Outcome)> = vec![
        ("a text before the login", text(alice, bob, thread, one("hi", "{x1}")), Outcome::Refused(E::NotLoggedIn)),
        (
            "a heartbeat before the login",
            frame_bytes(1023, json!({"fromuid": alice}).to_string().as_bytes()),
            Outcome::Refused(E::NotLoggedIn),
        ),
        ("a login of an unknown uid", login_frame(999_999_999, "x"), Outcome::Refused(E::TokenInvalid)),
        ("a login with another's token", login_frame(bob, &http_alice.token), Outcome::Refused(E::TokenInvalid)),
        ("a login that is not JSON", frame_bytes(1005, b"{"), Outcome::Refused(E::Json)),
    ];
    for (name, bytes, want) in before_login {
        // Three failed logins close a connection: each case gets its own.
        let mut stream = tokio::net::TcpStream::connect(chat).await.unwrap();
        table.push((format!("chat: {name}"), ask(&mut stream, bytes).await, want));
    }
    let unknown = ask(&mut fresh, frame_bytes(4321, b"{}")).await;
    table.push(("chat: an unknown message id".into(), unknown, Outcome::Refused(E::UnknownMsgId)));
    let oversized = {
        let mut header = 1017u16.to_be_bytes().to_vec();
        header.extend(60_000u16.to_be_bytes());
        header.extend(vec![b'x'; 60_000]);
        ask(&mut fresh, header).await
    };
    table.push(("chat: a frame over the body limit".into(), oversized, Outcome::Refused(E::FrameTooLarge)));

    let mut me = tokio::net::TcpStream::connect(chat).await.unwrap();
    me.write_all(&login_frame(alice, &http_alice.token)).await.unwrap();
    assert_eq!(frame(&mut me).await.unwrap().1["error"], 0, "alice logs in");
    let long = "x".repeat(4097);
    let many: Vec<serde_json::Value> =
        (0..17).map(|n| json!({"unique_id": format!("{{m{n}}}"), "content": "x"})).collect();
    let logged_in: Vec<(&str, Vec<u8>, Outcome)> = vec![
        (
            "a second login on the connection",
            login_frame(alice, &http_alice.token),
            Outcome::Refused(E::AlreadyLoggedIn),
        ),
        (
            "a heartbeat as another user",
            frame_bytes(1023, json!({"fromuid": bob}).to_string().as_bytes()),
            Outcome::Refused(E::UidMismatch),
        ),
        ("a text as another user", text(bob, alice, thread, one("hi", "{x2}")), Outcome::Refused(E::UidMismatch)),
        ("a text to a stranger", text(alice, c.uid, foreign_thread, one("hi", "{x3}")), Outcome::Refused(E::NotFriend)),
        (
            "a text into another pair's thread",
            text(alice, bob, foreign_thread, one("hi", "{x4}")),
            Outcome::Refused(E::NotThreadMember),
        ),
        ("a text with no texts", text(alice, bob, thread, json!([])), Outcome::Refused(E::InvalidArgument)),
        ("an empty text", text(alice, bob, thread, one("", "{x5}")), Outcome::Refused(E::InvalidArgument)),
        ("a text over 4096 bytes", text(alice, bob, thread, one(&long, "{x6}")), Outcome::Refused(E::InvalidArgument)),
        ("17 texts in one frame", text(alice, bob, thread, json!(many)), Outcome::Refused(E::InvalidArgument)),
        (
            "a unique id over 64 bytes",
            text(alice, bob, thread, one("hi", &"u".repeat(65))),
            Outcome::Refused(E::InvalidArgument),
        ),
        (
            "a used unique id for other content",
            text(alice, bob, thread, one("second", "{taken}")),
            Outcome::Refused(E::UniqueIdReused),
        ),
        (
            "another pair's history",
            frame_bytes(1029, json!({"thread_id": foreign_thread, "message_id": 0}).to_string().as_bytes()),
            Outcome::Refused(E::NotThreadMember),
        ),
        (
            "a friend request as another user",
            frame_bytes(
                1009,
                json!({"uid": bob, "applyname": "x", "bakname": "", "touid": c.uid}).to_string().as_bytes(),
            ),
            Outcome::Refused(E::UidMismatch),
        ),
        (
            "accepting a request nobody sent",
            frame_bytes(1013, json!({"fromuid": alice, "touid": d.uid, "back": ""}).to_string().as_bytes()),
            Outcome::Refused(E::NoPendingApply),
        ),
        (
            "a chat created as another user",
            frame_bytes(1027, json!({"uid": bob, "other_id": c.uid}).to_string().as_bytes()),
            Outcome::Refused(E::UidMismatch),
        ),
    ];
    for (name, bytes, want) in logged_in {
        table.push((format!("chat: {name}"), ask(&mut me, bytes).await, want));
    }

    // The internal services, from outside the deployment.
    for (name, result) in call_all(&cluster, None).await {
        table.push((
            format!("grpc: {name} without the secret"),
            Outcome::Grpc(result.unwrap_err()),
            Outcome::Grpc(Code::Unauthenticated),
        ));
    }
    for (name, result) in call_all(&cluster, Some(&Secret::new("guessed-secret-0123456789").unwrap())).await {
        table.push((
            format!("grpc: {name} with a guessed secret"),
            Outcome::Grpc(result.unwrap_err()),
            Outcome::Grpc(Code::Unauthenticated),
        ));
    }
    let long_pattern = cluster.admin().await.list_tokens(ListTokensReq { pattern: "*1".repeat(40), limit: 0 }).await;
    table.push((
        "grpc: a token pattern of 80 characters".into(),
        Outcome::Grpc(long_pattern.unwrap_err().code()),
        Outcome::Grpc(Code::InvalidArgument),
    ));

    let wrong: Vec<String> = table
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(name, got, want)| format!("{name}: got {got:?}, documented {want:?}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(table.len() >= 40, "{} cases", table.len());

    // Everyone else is served as before; alice's first session (a client of another kind than
    // the table's llfc-style login) lives beside it.
    let sent = pair.a.chat.send_texts(alice, bob, thread, &[("after all that", "{after}")]);
    assert!(sent.await.is_ok(), "alice's first session lives on");
    me.write_all(&text(alice, bob, thread, one("after all that", "{after}"))).await.unwrap();
    assert_eq!(frame(&mut me).await.unwrap().1["error"], 0);
    cluster.shutdown().await;
}

/// `all` with a public host keeps its internal listeners (verify, status, the chat peers) on
/// loopback: only the gate and the chat client ports follow the host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_suite_keeps_internal_ports_on_loopback() {
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| file.host = "0.0.0.0".into()).await;
    let suite = &cluster.suite;
    assert!(suite.gate.ip().is_unspecified(), "the gate follows the host: {}", suite.gate);
    assert!(suite.verify.ip().is_loopback() && suite.status.ip().is_loopback(), "{} {}", suite.verify, suite.status);
    for chat in &suite.chats {
        assert!(chat.addr.ip().is_unspecified(), "{}", chat.addr);
        assert!(chat.rpc_addr.ip().is_loopback(), "{}", chat.rpc_addr);
    }
    cluster.shutdown().await;
}

/// Review 3, N18: the embedded default's data (the database with password hashes, files, mail
/// with live codes, the internal secret) lies in a directory only its owner may enter, also
/// when it was made before with a looser mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_data_is_its_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    imchat_server::cluster::open_embedded_db(&data).await.expect("opened");
    assert_eq!(mode(&data), 0o700, "an existing data directory is made private");
    let cluster = TestCluster::start(Flavor::Embedded).await;
    assert_eq!(mode(cluster.data_dir()), 0o700);
    cluster.shutdown().await;
}
