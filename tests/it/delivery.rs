//! Flow control: a recipient slower than its sender slows the sender instead of losing pushes,
//! on one chat server and across two; a recipient that stops reading altogether is
//! disconnected as a slow consumer, and the push it cost is counted by the server. Between
//! servers, pushes go on a peer's `DeliverStream`, or as unary calls to a peer without it.

use std::time::{Duration, Instant};

use bytes::BytesMut;
use imchat_proto::grpc::ListChatServersReq;
use imchat_proto::msg::{LoginReq, Message, NotifyTextChat, ids};
use imchat_tests::{Flavor, TestCluster, TestUser, wait_for};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bytes of each text, and texts per 1017: a frame of about 48 KB.
const TEXT: usize = 4000;
const TEXTS: usize = 12;

/// `user` logs in on chat server `idx` over a socket with a tiny receive buffer, and reads
/// nothing more until the test says so.
async fn silent_login(cluster: &TestCluster, user: &TestUser, idx: usize) -> TcpStream {
    let http = cluster.gate.login(&user.email, &user.password).await.unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(cluster.suite.chats[idx].addr).await.unwrap();
    let mut login = BytesMut::new();
    LoginReq { uid: http.uid, token: http.token, ..LoginReq::default() }.encode(&mut login).unwrap();
    stream.write_all(&login).await.unwrap();
    let (id, _) = read_frame(&mut stream).await.expect("the login reply");
    assert_eq!(id, ids::CHAT_LOGIN_RSP);
    stream
}

/// One frame (llfc framing: u16 id, u16 length), or `None` at the end of the stream.
async fn read_frame(stream: &mut TcpStream) -> Option<(u16, Vec<u8>)> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).await.ok()?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([header[2], header[3]]))];
    stream.read_exact(&mut body).await.ok()?;
    Some((u16::from_be_bytes([header[0], header[1]]), body))
}

/// The chat servers' count of given-up pushes, from announcements made after this call.
async fn given_up(cluster: &TestCluster) -> u64 {
    let mark = Instant::now();
    let admin = cluster.admin().await;
    wait_for("both chat servers to announce their counters", || {
        let mut admin = admin.clone();
        async move {
            let servers = admin.list_chat_servers(ListChatServersReq {}).await.ok()?.into_inner().servers;
            let since = i64::try_from(mark.elapsed().as_millis()).unwrap_or(i64::MAX);
            let fresh = servers.iter().filter(|s| s.live && s.heartbeat_age_ms < since).count() == 2;
            fresh.then(|| servers.iter().map(|s| s.pushes_given_up).sum::<u64>())
        }
    })
    .await
}

/// Alice (server 0) sends 100 frames of 12 texts as fast as she is acknowledged to bob, who
/// reads nothing at first, on server `bob_on`. Queues are small and waits long: she is held
/// once they are full, and when bob reads, every message arrives, in order, none given up.
async fn a_slow_reader_slows_its_sender_and_loses_no_push(bob_on: usize) {
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.limits.max_body = 65_535;
        file.limits.registry_interval = Duration::from_millis(200);
        file.limits.out_budget = 16 * 1024;
        file.limits.peer_window = 64 * 1024;
        file.limits.push_wait = Duration::from_secs(120);
        file.limits.peer_wait = Duration::from_secs(120);
    })
    .await;
    let pair = cluster.friends().await;
    pair.b.chat.close().await;
    let mut bob = silent_login(&cluster, &pair.bob, bob_on).await;

    let frames = 100;
    let (alice, bob_uid, thread) = (pair.a.chat.clone(), pair.bob.uid, pair.thread_id);
    let mut sender = tokio::spawn(async move {
        let text = "x".repeat(TEXT);
        for n in 0..frames {
            let uniques: Vec<String> = (0..TEXTS).map(|i| format!("{{flow-{n}-{i}}}")).collect();
            let texts: Vec<(&str, &str)> = uniques.iter().map(|u| (text.as_str(), u.as_str())).collect();
            let rsp = alice.send_texts(pair.a.uid, bob_uid, thread, &texts).await.expect("acknowledged");
            assert_eq!(rsp.chat_datas.len(), TEXTS);
        }
    });
    // 4.8 MB is more than the socket buffers, the queue and the window hold together.
    let held = tokio::time::timeout(Duration::from_secs(1), &mut sender).await;
    assert!(held.is_err(), "alice was not held while bob read nothing");

    let mut last_seq = None;
    let mut received = 0;
    while received < frames * TEXTS {
        let (id, body) = tokio::time::timeout(imchat_tests::DEADLINE, read_frame(&mut bob))
            .await
            .expect("pushes keep coming while bob reads")
            .expect("bob is not disconnected");
        if id != ids::NOTIFY_TEXT_CHAT_MSG_REQ {
            continue;
        }
        let push: NotifyTextChat = serde_json::from_slice(&body).unwrap();
        for data in push.chat_datas {
            if let Some(last) = last_seq {
                assert_eq!(data.seq, last + 1, "pushes arrive in order, none missing");
            }
            last_seq = Some(data.seq);
            received += 1;
        }
    }
    tokio::time::timeout(imchat_tests::DEADLINE, sender).await.expect("alice finishes once bob reads").unwrap();
    assert_eq!(given_up(&cluster).await, 0, "no push was given up");
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_on_the_same_server_slows_its_sender() {
    a_slow_reader_slows_its_sender_and_loses_no_push(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_on_another_server_slows_its_sender() {
    a_slow_reader_slows_its_sender_and_loses_no_push(1).await;
}

/// A reader that stops reading for good is disconnected once a push has waited `PushWaitMs`;
/// the server counts the push it gave up, the sender is answered, and the messages are stored
/// and reach the reader by sync when it returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_stops_reading_is_disconnected_and_counted() {
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.limits.max_body = 65_535;
        file.limits.registry_interval = Duration::from_millis(200);
        file.limits.out_budget = 16 * 1024;
        file.limits.push_wait = Duration::from_millis(300);
        file.limits.close_flush = Duration::from_millis(100);
    })
    .await;
    let pair = cluster.friends().await;
    pair.b.chat.close().await;
    let mut bob = silent_login(&cluster, &pair.bob, 0).await;

    let text = "x".repeat(TEXT);
    let frames = 100;
    for n in 0..frames {
        let uniques: Vec<String> = (0..TEXTS).map(|i| format!("{{gone-{n}-{i}}}")).collect();
        let texts: Vec<(&str, &str)> = uniques.iter().map(|u| (text.as_str(), u.as_str())).collect();
        pair.a.chat.send_texts(pair.a.uid, pair.bob.uid, pair.thread_id, &texts).await.unwrap();
    }
    // Draining now ends in EOF: the server gave up on bob instead of queueing without bound.
    let mut sink = Vec::new();
    let drained = tokio::time::timeout(imchat_tests::DEADLINE, bob.read_to_end(&mut sink)).await;
    assert!(drained.is_ok(), "the stalled reader was not disconnected");
    assert!(sink.len() < frames * TEXTS * TEXT, "the server stopped sending to the stalled reader");
    assert!(given_up(&cluster).await >= 1, "the push that found no room is counted");

    let back = cluster.login_on(&pair.bob, 1).await;
    let sync = back.chat.sync(&[]).await.unwrap();
    assert_eq!(sync.threads[0].last_seq, 2 + (frames * TEXTS) as i64, "every message is stored");
    assert!(sync.more && !sync.chat_datas.is_empty(), "a large backlog comes in pages that fit a frame");
    cluster.shutdown().await;
}

/// A peer that takes connections and never answers (frozen): pushes to its users are given
/// up and counted, the senders are answered, and once one push has waited out `PeerWaitMs`
/// the others do not wait again while the peer's window stays full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_peer_holds_its_senders_once_and_is_counted() {
    use imchat_store::registry::{self, ChatServerEntry};

    let wait = Duration::from_millis(300);
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.limits.registry_interval = Duration::from_millis(200);
        file.limits.peer_window = 1;
        file.limits.peer_wait = wait;
        file.limits.push_wait = wait;
    })
    .await;
    let pair = cluster.friends().await;
    pair.b.chat.close().await;
    let kv = cluster.kv().await;
    let (presence, bob) = (cluster.presence().await, pair.bob.uid);
    wait_for("bob's route to clear", || async { presence.route(bob).await.ok()?.is_empty().then_some(()) }).await;

    let frozen = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rpc_addr = frozen.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = frozen.accept().await {
            held.push(socket);
        }
    });
    let entry = ChatServerEntry {
        name: "frozen".into(),
        host: "127.0.0.1".into(),
        port: 1,
        rpc_addr,
        connections: 1,
        heartbeat_ms: imchat_store::now_ms(),
        ..ChatServerEntry::default()
    };
    registry::announce(&kv, &entry, Duration::from_secs(60)).await.unwrap();
    presence.set_route(bob, "frozen", None).await.unwrap();
    // Until alice's server has read the registry again, a route to "frozen" names a server
    // it does not know: bob is offline for it, and nothing is given up. Probe until it knows.
    let mut probe = 0;
    let before = wait_for("alice's server to know the frozen peer", || {
        probe += 1;
        let (chat, unique) = (pair.a.chat.clone(), format!("{{probe-{probe}}}"));
        let (me, bob, thread) = (pair.a.uid, pair.bob.uid, pair.thread_id);
        let cluster = &cluster;
        async move {
            chat.send_texts(me, bob, thread, &[("anyone?", &unique)]).await.unwrap();
            let counted = given_up(cluster).await;
            (counted >= 1).then_some(counted)
        }
    })
    .await;

    let sends = 40;
    let started = Instant::now();
    for n in 0..sends {
        let unique = format!("{{frozen-{n}}}");
        pair.a.chat.send_texts(pair.a.uid, pair.bob.uid, pair.thread_id, &[("hello?", &unique)]).await.unwrap();
    }
    assert!(
        started.elapsed() < wait * sends / 4,
        "the senders were held {:?}: not once, but for most pushes",
        started.elapsed()
    );
    wait_for("every push to the frozen peer to be counted", || async {
        (given_up(&cluster).await >= before + u64::from(sends)).then_some(())
    })
    .await;
    cluster.shutdown().await;
}

/// A push lost on purpose (bob's route points at a dead peer for a while, so alice's server
/// gives his pushes up) leaves a hole; the next push that reaches bob's [`Inbox`] skips a seq,
/// the inbox fetches the hole, and every text comes out once, in order, on the same connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_inbox_fills_the_hole_a_lost_push_left() {
    use imchat_sdk::cursor::Cursors;
    use imchat_sdk::{Dialect, Event, Inbox};

    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        // Every push reads bob's route, so pointing it elsewhere takes effect at once.
        file.limits.route_cache = Duration::ZERO;
        file.limits.registry_interval = Duration::from_millis(200);
    })
    .await;
    let pair = cluster.friends().await;
    let (a, b) = (pair.a, pair.b);
    let mut cursors = Cursors::new(Dialect::Imchat);
    for data in b.chat.sync(&[]).await.unwrap().chat_datas {
        cursors.observe(data.thread_id, data.seq);
    }
    let mut inbox = Inbox::new(b.chat.clone(), b.events, cursors);
    let mut sent = Vec::new();
    let mut say = async |text: String| {
        a.chat.send_texts(a.uid, pair.bob.uid, pair.thread_id, &[(&text, &format!("{{{text}}}"))]).await.unwrap();
        sent.push(text);
    };
    say("one before".into()).await;

    cluster.announce_dead_peer("dead").await;
    let (presence, bob) = (cluster.presence().await, pair.bob.uid);
    let bob_server = presence.route(bob).await.unwrap().into_iter().next().expect("bob is routed");
    presence.set_route(bob, "dead", None).await.unwrap();
    let mut lost = 0;
    while given_up(&cluster).await == 0 {
        lost += 1;
        say(format!("lost {lost}")).await;
    }
    presence.set_route(bob, &bob_server, None).await.unwrap();
    say("one after".into()).await;

    let mut got = Vec::new();
    while got.last().map(String::as_str) != Some("one after") {
        let event = tokio::time::timeout(Duration::from_secs(10), inbox.next()).await.expect("an event in time");
        match event {
            Some(Event::Text(push)) => got.extend(push.chat_datas.into_iter().map(|d| d.content)),
            Some(Event::Closed) | None => panic!("bob's connection closed; got {got:?}"),
            Some(_) => {}
        }
    }
    assert_eq!(got, sent, "every text once, in order");
    assert!(inbox.recovered() >= 1, "at least one push was lost and fetched");
    assert!(inbox.cursors().gaps().is_empty());
    cluster.shutdown().await;
}

/// A peer's `DeliverStream` answers each request once its pushes are queued, in order, with the
/// recipients it does not have; a frame that cannot be framed ends the stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_stream_answers_each_request_in_order() {
    use imchat_proto::grpc::chat_service_client::ChatServiceClient;
    use imchat_proto::grpc::{DeliverReq, Frame};
    use imchat_proto::msg::TextChatData;
    use imchat_sdk::Event;

    let cluster = TestCluster::start(Flavor::Embedded).await;
    let mut pair = cluster.friends().await;
    let channel = imchat_rpc::endpoint(&cluster.suite.chats[1].rpc_addr.to_string()).unwrap().connect_lazy();
    let mut peer = ChatServiceClient::new(imchat_rpc::authed(channel, &cluster.suite.secret));
    let (requests, rx) = tokio::sync::mpsc::channel(4);
    let mut answers = peer.deliver_stream(tokio_stream::wrappers::ReceiverStream::new(rx)).await.unwrap().into_inner();
    let push = |text: &str| NotifyTextChat {
        error: 0,
        fromuid: pair.a.uid,
        touid: pair.bob.uid,
        thread_id: pair.thread_id,
        chat_datas: vec![TextChatData { content: text.into(), seq: 1, ..TextChatData::default() }],
    };
    let frame = |touid: i32, text: &str| Frame {
        touid,
        msg_id: u32::from(ids::NOTIFY_TEXT_CHAT_MSG_REQ),
        body: serde_json::to_vec(&push(text)).unwrap().into(),
    };
    let nobody = i32::MAX - 7;
    for (touid, text) in [(pair.bob.uid, "first"), (nobody, "to nobody"), (pair.bob.uid, "second")] {
        requests.send(DeliverReq { frames: vec![frame(touid, text)], fanouts: Vec::new() }).await.unwrap();
    }
    let mut missing = Vec::new();
    for _ in 0..3 {
        missing.push(answers.message().await.unwrap().expect("an answer per request").missing_uids);
    }
    assert_eq!(missing, [vec![], vec![nobody], vec![]]);
    for want in ["first", "second"] {
        match pair.b.next_event().await {
            Event::Text(push) => assert_eq!(push.chat_datas[0].content, want),
            other => panic!("bob got {other:?}"),
        }
    }
    let bad = Frame { msg_id: u32::from(u16::MAX) + 1, ..frame(pair.bob.uid, "unframable") };
    requests.send(DeliverReq { frames: vec![bad], fanouts: Vec::new() }).await.unwrap();
    let ended = answers.message().await.expect_err("the stream ends");
    assert_eq!(ended.code(), tonic::Code::InvalidArgument);
    cluster.shutdown().await;
}

/// A peer that predates `DeliverStream` (an older imchat): the stream is refused as
/// `UNIMPLEMENTED`, every other call is passed on to the real chat server behind it.
#[derive(Clone)]
struct OlderPeer(tonic::transport::Channel);

impl tonic::server::NamedService for OlderPeer {
    const NAME: &'static str = "message.ChatService";
}

type HttpRequest = tonic::codegen::http::Request<tonic::body::Body>;
type HttpResponse = tonic::codegen::http::Response<tonic::body::Body>;

impl tonic::codegen::Service<HttpRequest> for OlderPeer {
    type Response = HttpResponse;
    type Error = std::convert::Infallible;
    type Future = tonic::codegen::BoxFuture<HttpResponse, std::convert::Infallible>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let mut channel = self.0.clone();
        Box::pin(async move {
            if req.uri().path().ends_with("/DeliverStream") {
                return Ok(tonic::Status::unimplemented("an older imchat").into_http());
            }
            let passed = async {
                std::future::poll_fn(|cx| channel.poll_ready(cx)).await?;
                channel.call(req).await
            };
            Ok(passed.await.unwrap_or_else(|err| tonic::Status::unavailable(err.to_string()).into_http()))
        })
    }
}

/// Pushes to a peer without `DeliverStream` go as unary `Deliver` calls: every one arrives, in
/// order, and none is given up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_without_the_stream_gets_unary_calls() {
    use imchat_sdk::Event;
    use imchat_store::registry::{self, ChatServerEntry};

    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        // Every push reads bob's route, so pointing it at the older peer takes effect at once.
        file.limits.route_cache = Duration::ZERO;
        file.limits.registry_interval = Duration::from_millis(200);
    })
    .await;
    let mut pair = cluster.friends().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rpc_addr = listener.local_addr().unwrap().to_string();
    let behind = imchat_rpc::endpoint(&cluster.suite.chats[1].rpc_addr.to_string()).unwrap().connect_lazy();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(OlderPeer(behind))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let entry = ChatServerEntry {
        name: "older".into(),
        host: "127.0.0.1".into(),
        port: 1,
        rpc_addr,
        connections: i64::MAX,
        heartbeat_ms: imchat_store::now_ms(),
        ..ChatServerEntry::default()
    };
    registry::announce(&cluster.kv().await, &entry, Duration::from_secs(60)).await.unwrap();
    cluster.presence().await.set_route(pair.bob.uid, "older", None).await.unwrap();

    let (a, bob, thread) = (&pair.a, pair.bob.uid, pair.thread_id);
    let say =
        async |text: &str| a.chat.send_texts(a.uid, bob, thread, &[(text, &format!("{{{text}}}"))]).await.unwrap();
    // Until alice's server has read the registry again, "older" is a server it does not know
    // and bob is offline to it (his texts wait for his sync): probe until one is pushed.
    let mut probes = 0;
    loop {
        probes += 1;
        say(&format!("probe {probes}")).await;
        match tokio::time::timeout(Duration::from_millis(300), pair.b.events.recv()).await {
            Ok(Some(Event::Text(_))) => break,
            Ok(other) => panic!("bob got {other:?}"),
            Err(_) => assert!(probes < 50, "nothing came through the older peer"),
        }
    }
    for text in ["one", "two", "three"] {
        say(text).await;
    }
    let mut got = Vec::new();
    while got.last().map(String::as_str) != Some("three") {
        match pair.b.next_event().await {
            Event::Text(push) => got.extend(push.chat_datas.into_iter().map(|d| d.content)),
            other => panic!("bob got {other:?}"),
        }
    }
    got.retain(|text| !text.starts_with("probe"));
    assert_eq!(got, ["one", "two", "three"]);
    assert_eq!(given_up(&cluster).await, 0, "nothing given up on the way");
    cluster.shutdown().await;
}
