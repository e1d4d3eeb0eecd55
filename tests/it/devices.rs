//! Several devices per user: every push reaches every session on either chat server, a
//! user's own texts and read markers reach their other devices (and never an llfc client),
//! and the `[Sessions]` policy decides which older sessions a login ends.

use imchat_proto::grpc::{AdminKickReq, LookupUserReq};
use imchat_proto::msg::{DeviceKind, LoginReq, LoginRsp, MSG_TYPE_SYSTEM};
use imchat_sdk::{ChatClient, Device, Event};
use imchat_store::presence::Policy;
use imchat_tests::{Client, Flavor, TestCluster, TestUser, wait_for};

/// A login as llfc's Qt client makes it: no extensions, no device.
async fn qt_style(cluster: &TestCluster, user: &TestUser, idx: usize) -> Client {
    let http = cluster.gate.login(&user.email, &user.password).await.expect("http login");
    let (chat, events) = ChatClient::connect(&cluster.suite.chats[idx].addr.to_string()).await.expect("connect");
    let login: LoginRsp =
        chat.call(&LoginReq { uid: http.uid, token: http.token, ..LoginReq::default() }).await.expect("1005");
    Client { chat, events, login, uid: http.uid }
}

/// The device ids and kinds of `uid`'s sessions, as the operator sees them.
async fn sessions(cluster: &TestCluster, uid: i32) -> Vec<(String, String, String)> {
    let found = cluster.admin().await.lookup_user(LookupUserReq { uid }).await.unwrap().into_inner();
    found.sessions.into_iter().map(|s| (s.device, s.kind, s.server)).collect()
}

both!(one_user_on_three_devices_across_two_servers);
async fn one_user_on_three_devices_across_two_servers(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (mut laptop, mut b) = (f.a, f.b);
    let (tui, bot) = (Device::new(DeviceKind::Tui), Device::new(DeviceKind::Bot));
    let mut desk = cluster.login_device(&f.alice, 1, &tui).await;
    let mut robot = cluster.login_device(&f.alice, 1, &bot).await;
    let listed = sessions(&cluster, alice).await;
    assert_eq!(listed.len(), 3, "the per-kind policy keeps a cli, a tui and a bot: {listed:?}");
    assert!(listed.contains(&(tui.id.clone(), "tui".into(), "chatserver2".into())), "{listed:?}");

    // A push reaches every session, on both servers.
    let sent = b.chat.send_texts(bob, alice, thread, &[("hello, all of you", "{d1}")]).await.unwrap();
    let seq = sent.chat_datas[0].seq;
    for device in [&mut laptop, &mut desk, &mut robot] {
        let Event::Text(push) = device.next_event().await else { panic!("bob's text reaches every device") };
        assert_eq!(push.chat_datas[0].seq, seq);
    }

    // A text from the desk appears on the laptop (another server) and the robot, not back on
    // the desk; bob gets it as ever.
    let mine = desk.chat.send_texts(alice, bob, thread, &[("from my desk", "{d2}")]).await.unwrap();
    let Event::Text(to_bob) = b.next_event().await else { panic!("bob gets the text") };
    assert_eq!(to_bob.chat_datas[0].content, "from my desk");
    for device in [&mut laptop, &mut robot] {
        let Event::OwnText(own) = device.next_event().await else { panic!("the user's own text, as theirs") };
        assert_eq!((own.fromuid, own.touid, own.thread_id), (alice, bob, thread));
        assert_eq!(own.chat_datas[0].seq, mine.chat_datas[0].seq);
    }

    // Reading on the laptop moves the marker on the other two.
    assert_eq!(laptop.chat.mark_read(thread, mine.chat_datas[0].seq).await.unwrap(), mine.chat_datas[0].seq);
    for device in [&mut desk, &mut robot] {
        let Event::ReadMarked(mark) = device.next_event().await else { panic!("the read marker follows") };
        assert_eq!((mark.thread_id, mark.seq), (thread, mine.chat_datas[0].seq));
    }
    // And bob, whose texts those were, gets a read receipt.
    let Event::Receipt(receipt) = b.next_event().await else { panic!("a read receipt for bob") };
    assert_eq!((receipt.uid, receipt.seq), (alice, mine.chat_datas[0].seq));
    // The desk was sent nothing of its own: its next event is bob's next text.
    b.chat.send_texts(bob, alice, thread, &[("one more", "{d3}")]).await.unwrap();
    for device in [&mut desk, &mut laptop, &mut robot] {
        let Event::Text(next) = device.next_event().await else { panic!("bob's next text") };
        assert_eq!(next.chat_datas[0].content, "one more");
    }

    // The operator ends one device's session; the other two live on.
    let mut status = cluster.admin().await;
    let kick = AdminKickReq { uid: alice, reason: "lost phone".into(), device: bot.id.clone() };
    let kicked = status.kick_user(kick).await.unwrap().into_inner();
    assert_eq!((kicked.found, kicked.kicked), (true, 1), "{kicked:?}");
    let Event::Kicked(notice) = robot.next_event().await else { panic!("1021 for the robot") };
    assert_eq!(notice.reason, "lost phone");
    robot.chat.close().await;
    for device in [&laptop, &desk] {
        assert_eq!(device.chat.heartbeat(alice).await.unwrap().error, 0, "the other devices live");
    }
    wait_for("the robot's session to leave the table", || async {
        (sessions(&cluster, alice).await.len() == 2).then_some(())
    })
    .await;

    // A group: bob's text reaches both devices; the desk's reaches bob and the laptop, not
    // the desk again.
    let group = laptop.chat.create_group("devices", &[bob]).await.unwrap().group.thread_id;
    b.chat.send_group_texts(bob, group, &[("hi group", "{g1}")], &[]).await.unwrap();
    for device in [&mut laptop, &mut desk] {
        assert_eq!(next_group_text(device).await, (bob, "hi group".to_owned()));
    }
    desk.chat.send_group_texts(alice, group, &[("from the desk", "{g2}")], &[]).await.unwrap();
    for device in [&mut laptop, &mut b] {
        assert_eq!(next_group_text(device).await, (alice, "from the desk".to_owned()));
    }
    b.chat.send_group_texts(bob, group, &[("last", "{g3}")], &[]).await.unwrap();
    assert_eq!(next_group_text(&mut desk).await, (bob, "last".to_owned()), "the desk was not sent its own");
    cluster.shutdown().await;
}

/// The sender and content of the next group text `client` is pushed (system messages of
/// changes skipped).
async fn next_group_text(client: &mut Client) -> (i32, String) {
    loop {
        match client.next_event().await {
            Event::Group(push) if push.chat_datas.iter().all(|d| d.msg_type != MSG_TYPE_SYSTEM) => {
                return (push.fromuid, push.chat_datas[0].content.clone());
            }
            Event::Group(_) => {}
            other => panic!("a group push expected: {other:?}"),
        }
    }
}

both!(a_qt_login_ends_only_the_older_qt_session_and_sees_no_extension);
async fn a_qt_login_ends_only_the_older_qt_session_and_sees_no_extension(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (laptop, mut b) = (f.a, f.b);
    let mut qt1 = qt_style(&cluster, &f.alice, 1).await;
    let mut qt2 = qt_style(&cluster, &f.alice, 0).await;
    let Event::Kicked(_) = qt1.next_event().await else { panic!("the older Qt session is ended, as in llfc") };
    assert_eq!(laptop.chat.heartbeat(alice).await.unwrap().error, 0, "a session of another kind stays");
    let kinds: Vec<String> = sessions(&cluster, alice).await.into_iter().map(|(_, kind, _)| kind).collect();
    assert_eq!(kinds, ["cli", "qt"]);

    // The laptop's text and read marker are not sent to the Qt client (1112 and 1113 are
    // not llfc's): its next push is bob's text.
    let mine = laptop.chat.send_texts(alice, bob, thread, &[("from the laptop", "{q1}")]).await.unwrap();
    assert!(matches!(b.next_event().await, Event::Text(_)));
    laptop.chat.mark_read(thread, mine.chat_datas[0].seq).await.unwrap();
    b.chat.send_texts(bob, alice, thread, &[("to every device", "{q2}")]).await.unwrap();
    let Event::Text(push) = qt2.next_event().await else { panic!("bob's text reaches the Qt client") };
    assert_eq!(push.chat_datas[0].content, "to every device");
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_max_devices_the_oldest_session_goes() {
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.limits.session_policy = Policy::Multi;
        file.limits.max_devices = 2;
    })
    .await;
    let user = cluster.register("many").await;
    let devices: Vec<Device> = (0..3).map(|_| Device::new(DeviceKind::Tui)).collect();
    let mut first = cluster.login_device(&user, 0, &devices[0]).await;
    let second = cluster.login_device(&user, 1, &devices[1]).await;
    assert_eq!(first.chat.heartbeat(user.uid).await.unwrap().error, 0, "multi: two of one kind live");
    let _third = cluster.login_device(&user, 0, &devices[2]).await;
    let Event::Kicked(_) = first.next_event().await else { panic!("the oldest session goes past MaxDevices") };
    assert_eq!(second.chat.heartbeat(user.uid).await.unwrap().error, 0);
    // The same device again replaces its own session, whatever the policy.
    let again = cluster.login_device(&user, 1, &devices[2]).await;
    let listed: Vec<String> = sessions(&cluster, user.uid).await.into_iter().map(|(device, ..)| device).collect();
    assert_eq!(listed, [devices[1].id.clone(), devices[2].id.clone()]);
    assert_eq!(again.chat.heartbeat(user.uid).await.unwrap().error, 0);
    cluster.shutdown().await;
}

both!(typing_reaches_a_friends_devices_and_never_a_stranger);
async fn typing_reaches_a_friends_devices_and_never_a_stranger(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (mut a, mut b) = (f.a, f.b);
    let mut bob_desk = cluster.login_device(&f.bob, 0, &Device::new(DeviceKind::Tui)).await;
    let before = a.chat.send_texts(alice, bob, thread, &[("before", "{t1}")]).await.unwrap().chat_datas[0].seq;
    for device in [&mut b, &mut bob_desk] {
        assert!(matches!(device.next_event().await, Event::Text(_)));
    }

    // Alice types: both of bob's devices, on either server, hear of it.
    a.chat.typing(bob).await.unwrap();
    for device in [&mut b, &mut bob_desk] {
        let Event::Typing(notice) = device.next_event().await else { panic!("a typing notice") };
        assert_eq!(notice.fromuid, alice);
    }
    // Never stored: the next text takes the next seq.
    let after = a.chat.send_texts(alice, bob, thread, &[("after", "{t2}")]).await.unwrap().chat_datas[0].seq;
    assert_eq!(after, before + 1);
    for device in [&mut b, &mut bob_desk] {
        assert!(matches!(device.next_event().await, Event::Text(_)));
    }

    // A stranger's notice is refused as a stranger's text is, and reaches no one.
    let carol = cluster.register("carol").await;
    let mut c = cluster.login_on(&carol, 1).await;
    c.chat.typing(alice).await.unwrap();
    let Event::Other(refused) = c.next_event().await else { panic!("a refusal") };
    let refused: serde_json::Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!((refused["error"].as_i64(), refused["req_id"].as_i64()), (Some(1103), Some(1114)), "{refused}");
    // Past the rate, refused too (burst 4 a session).
    for _ in 0..8 {
        a.chat.typing(bob).await.unwrap();
    }
    let mut refusals = 0;
    a.chat.heartbeat(alice).await.unwrap();
    while let Ok(event) = a.events.try_recv() {
        if let Event::Other(frame) = event {
            let body: serde_json::Value = serde_json::from_slice(&frame.body).unwrap();
            assert_eq!(body["error"].as_i64(), Some(1105), "{body}");
            refusals += 1;
        }
    }
    assert!(refusals >= 4, "{refusals} refusals of 8 notices past the burst");
    b.chat.send_texts(bob, alice, thread, &[("and you?", "{t3}")]).await.unwrap();
    let Event::Text(push) = a.next_event().await else {
        panic!("alice's next event is bob's text, no notice of carol's")
    };
    assert_eq!(push.chat_datas[0].content, "and you?");
    cluster.shutdown().await;
}

both!(read_receipts_reach_the_sender_unless_turned_off);
async fn read_receipts_reach_the_sender_unless_turned_off(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (mut a, mut b) = (f.a, f.b);
    let seq = a.chat.send_texts(alice, bob, thread, &[("did you read it?", "{r1}")]).await.unwrap().chat_datas[0].seq;
    assert!(matches!(b.next_event().await, Event::Text(_)));

    // Bob reads it (on the other server): alice hears so, and her sync says so too.
    b.chat.mark_read(thread, seq).await.unwrap();
    let Event::Receipt(receipt) = a.next_event().await else { panic!("a read receipt") };
    assert_eq!((receipt.thread_id, receipt.uid, receipt.seq), (thread, bob, seq));
    let page = a.chat.sync_page(&[], None, 0).await.unwrap();
    assert!(page.receipts.iter().any(|r| (r.thread_id, r.seq) == (thread, seq)), "{:?}", page.receipts);

    // Bob turns receipts off: his next read is his own, and his marker leaves alice's sync.
    assert!(!b.chat.settings(Some(false)).await.unwrap().read_receipts);
    assert!(!b.chat.settings(None).await.unwrap().read_receipts, "kept");
    let seq2 = a.chat.send_texts(alice, bob, thread, &[("and this?", "{r2}")]).await.unwrap().chat_datas[0].seq;
    assert!(matches!(b.next_event().await, Event::Text(_)));
    b.chat.mark_read(thread, seq2).await.unwrap();
    b.chat.send_texts(bob, alice, thread, &[("no comment", "{r3}")]).await.unwrap();
    let Event::Text(push) = a.next_event().await else { panic!("bob's text, and no receipt before it") };
    assert_eq!(push.chat_datas[0].content, "no comment");
    let page = a.chat.sync_page(&[], None, 0).await.unwrap();
    assert!(page.receipts.is_empty(), "{:?}", page.receipts);
    cluster.shutdown().await;
}

both!(a_group_says_how_many_have_read_on_request);
async fn a_group_says_how_many_have_read_on_request(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob) = (f.alice.uid, f.bob.uid);
    let (a, b) = (f.a, f.b);
    let group = a.chat.create_group("readers", &[bob]).await.unwrap().group.thread_id;
    let sent = a.chat.send_group_texts(alice, group, &[("who read this?", "{g1}")], &[]).await.unwrap();
    let seq = sent.chat_datas[0].seq;
    assert_eq!(a.chat.group_read_by(group, seq).await.unwrap(), 0, "no one yet");
    b.chat.mark_read(group, seq).await.unwrap();
    assert_eq!(a.chat.group_read_by(group, seq).await.unwrap(), 1, "bob has");
    assert_eq!(b.chat.group_read_by(group, seq).await.unwrap(), 0, "the asker is not counted");
    // Bob turns receipts off: he is no longer counted.
    b.chat.settings(Some(false)).await.unwrap();
    assert_eq!(a.chat.group_read_by(group, seq).await.unwrap(), 0);
    // A stranger may not ask.
    let carol = cluster.register("carol").await;
    let c = cluster.login_on(&carol, 0).await;
    let refused = c.chat.group_read_by(group, seq).await.unwrap_err();
    assert_eq!(refused.code(), Some(imchat_proto::ErrorCode::NotThreadMember), "{refused}");
    cluster.shutdown().await;
}

/// A table entry of a session its server no longer has (a server restarted under its name)
/// goes at the first push that server reports missing, and pushes stop going there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_session_entry_goes_at_the_first_push_that_misses() {
    use imchat_store::presence::SessionEntry;
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| {
        file.limits.route_cache = std::time::Duration::ZERO;
    })
    .await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (a, mut b) = (f.a, f.b);
    let presence = cluster.presence().await;
    // Alice (on chatserver1) seems to have a session on chatserver2 from two minutes ago.
    let stale = SessionEntry {
        session: "gone".into(),
        device: "old-laptop".into(),
        kind: "tui".into(),
        server: "chatserver2".into(),
        since_ms: imchat_store::now_ms() - 120_000,
    };
    presence.restore(&[(alice, stale)], std::time::Duration::from_secs(60)).await.unwrap();
    assert_eq!(presence.lookup(alice).await.unwrap().sessions.entries().len(), 2);
    // Her own text goes to her "other device" there too; chatserver2 says it has none.
    a.chat.send_texts(alice, bob, thread, &[("hello", "{s1}")]).await.unwrap();
    assert!(matches!(b.next_event().await, Event::Text(_)));
    wait_for("the stale entry to go", || async {
        let sessions = presence.lookup(alice).await.ok()?.sessions;
        (sessions.entries().len() == 1 && sessions.servers() == ["chatserver1"]).then_some(())
    })
    .await;
    cluster.shutdown().await;
}
