//! The core flow through the SDK.

use imchat_proto::ErrorCode;
use imchat_sdk::Event;
use imchat_tests::{Flavor, TestCluster};

both!(register_befriend_and_chat_across_servers);
async fn register_befriend_and_chat_across_servers(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let (alice, bob) = (cluster.register("alice").await, cluster.register("bob").await);
    assert_eq!(bob.uid, alice.uid + 1, "uids come from one sequence");
    let mut a = cluster.login_on(&alice, 0).await;
    let mut b = cluster.login_on(&bob, 1).await;
    assert_eq!(a.login.name, alice.name);
    assert_eq!(a.login.email, alice.email, "a user sees their own email");
    assert_eq!(a.login.pwd, "", "the credential never leaves the server");

    // Search by name and by uid; another user's secrets are never shown.
    let found = a.chat.search(&bob.name).await.unwrap();
    assert_eq!((found.uid, found.email.as_str(), found.pwd.as_str()), (bob.uid, "", ""));
    assert_eq!(a.chat.search(&bob.uid.to_string()).await.unwrap().name, bob.name);
    assert_eq!(a.chat.search("nobody-by-this-name").await.unwrap_err().code(), Some(ErrorCode::UidInvalid));

    // Friend request across servers (1009 → 1011 on bob's server).
    a.chat.add_friend(a.uid, b.uid, "hi, it's alice", "Bobby").await.unwrap();
    let Event::FriendRequest(request) = b.next_event().await else { panic!("expected 1011") };
    assert_eq!(
        (request.applyuid, request.desc.as_str(), request.name.as_str()),
        (a.uid, "hi, it's alice", alice.name.as_str())
    );
    assert_eq!(
        b.chat.create_private_chat(b.uid, a.uid).await.unwrap_err().code(),
        Some(ErrorCode::NotFriend),
        "no chat before the request is accepted"
    );

    // Accept (1013 → 1014, and 1015 to alice across servers), with the opening messages.
    let accepted = b.chat.accept_friend(b.uid, a.uid, "Ally").await.unwrap();
    assert_eq!(accepted.uid, a.uid);
    let texts: Vec<&str> = accepted.chat_datas.iter().map(|d| d.msg_content.as_str()).collect();
    assert_eq!(texts, ["hi, it's alice", "We are friends now!"]);
    let thread_id = accepted.chat_datas[0].thread_id;
    let Event::FriendAccepted(notice) = a.next_event().await else { panic!("expected 1015") };
    assert_eq!((notice.fromuid, notice.chat_datas.len()), (b.uid, 2));
    assert_eq!(b.chat.accept_friend(b.uid, a.uid, "again").await.unwrap_err().code(), Some(ErrorCode::NoPendingApply));

    // Opening the chat finds the thread the friendship created, from either side.
    assert_eq!(a.chat.create_private_chat(a.uid, b.uid).await.unwrap().thread_id, thread_id);
    assert_eq!(b.chat.create_private_chat(b.uid, a.uid).await.unwrap().thread_id, thread_id);

    // Text across servers: stored before 1018, pushed as 1019.
    let sent = a.chat.send_texts(a.uid, b.uid, thread_id, &[("你好 👋", "{u-1}")]).await.unwrap();
    assert_eq!(sent.chat_datas[0].content, "你好 👋");
    let Event::Text(pushed) = b.next_event().await else { panic!("expected 1019") };
    assert_eq!(pushed.chat_datas, sent.chat_datas);
    let reply = b.chat.send_texts(b.uid, a.uid, thread_id, &[("hey", "{u-2}")]).await.unwrap();
    let Event::Text(pushed) = a.next_event().await else { panic!("expected 1019") };
    assert_eq!(pushed.chat_datas, reply.chat_datas);
    assert!(reply.chat_datas[0].seq > sent.chat_datas[0].seq, "per-thread sequence grows");

    // Threads and history pages (10 per page, llfc's size).
    let threads = a.chat.load_threads(a.uid, 0).await.unwrap();
    assert_eq!(threads.threads.len(), 1);
    assert_eq!((threads.threads[0].thread_id, threads.load_more), (thread_id, false));
    for n in 0..10 {
        a.chat.send_texts(a.uid, b.uid, thread_id, &[(&format!("m{n}"), &format!("{{m{n}}}"))]).await.unwrap();
    }
    let first = b.chat.load_messages(thread_id, 0).await.unwrap();
    assert_eq!((first.chat_datas.len(), first.load_more), (10, true));
    let second = b.chat.load_messages(thread_id, first.last_message_id).await.unwrap();
    assert_eq!((second.chat_datas.len(), second.load_more), (4, false));
    assert_eq!(second.chat_datas.last().unwrap().msg_content, "m9");
    let empty = b.chat.load_messages(thread_id, second.last_message_id).await.unwrap();
    assert!(empty.chat_datas.is_empty() && !empty.load_more, "an empty page is an answer, not a crash");

    // imchat's backward paging (1102): the page just before a sequence number, oldest first.
    let older = b.chat.load_older(thread_id, 5).await.unwrap();
    assert_eq!(older.chat_datas.iter().map(|d| d.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(!older.more);
    let recent = b.chat.sync_recent(&[], 3).await.unwrap();
    assert_eq!(recent.chat_datas.len(), 3, "a new device gets only the tail");

    assert_eq!(a.chat.heartbeat(a.uid).await.unwrap().error, 0);
    cluster.shutdown().await;
}

both!(login_reply_lists_requests_and_friends);
async fn login_reply_lists_requests_and_friends(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let pair = cluster.friends().await;
    let carol = cluster.register("carol").await;
    let c = cluster.login_on(&carol, 0).await;
    c.chat.add_friend(c.uid, pair.a.uid, "hello from carol", "Ally").await.unwrap();
    pair.a.chat.close().await;

    let again = cluster.login_on(&pair.alice, 1).await;
    let applies: Vec<(i32, &str, i32)> =
        again.login.apply_list.iter().map(|a| (a.uid, a.desc.as_str(), a.status)).collect();
    assert_eq!(applies, [(carol.uid, "hello from carol", 0)]);
    let friends: Vec<(i32, &str)> = again.login.friend_list.iter().map(|f| (f.uid, f.back.as_str())).collect();
    assert_eq!(friends, [(pair.bob.uid, "Bob")], "back is alice's remark for bob, not bob's name");

    let bob_view = cluster.login_on(&pair.bob, 0).await;
    let applies: Vec<(i32, i32)> = bob_view.login.apply_list.iter().map(|a| (a.uid, a.status)).collect();
    assert_eq!(applies, [(pair.alice.uid, 1)], "accepted requests stay listed as accepted");
    cluster.shutdown().await;
}

both!(a_reused_unique_id_is_refused_not_passed_off);
async fn a_reused_unique_id_is_refused_not_passed_off(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let mut f = cluster.friends().await;
    let (me, bob, thread) = (f.a.uid, f.b.uid, f.thread_id);
    let first = f.a.chat.send_texts(me, bob, thread, &[("first", "{k1}")]).await.unwrap();
    assert!(matches!(f.b.next_event().await, Event::Text(_)));
    // The same text again is a resend: the same message, stored once.
    let again = f.a.chat.send_texts(me, bob, thread, &[("first", "{k1}")]).await.unwrap();
    assert_eq!(again.chat_datas[0].message_id, first.chat_datas[0].message_id);
    // Another text under the same key is refused, and the old message is not passed off as it.
    let other = f.a.chat.send_texts(me, bob, thread, &[("second", "{k1}")]).await.unwrap_err();
    assert_eq!(other.code(), Some(ErrorCode::UniqueIdReused), "{other}");
    // In a request with fresh texts beside it, the fresh ones are stored and pushed all the same.
    let mixed = f.a.chat.send_texts(me, bob, thread, &[("third", "{k2}"), ("fourth", "{k1}")]).await.unwrap_err();
    assert_eq!(mixed.code(), Some(ErrorCode::UniqueIdReused), "{mixed}");
    // Under the same key in another thread, too.
    let carol = cluster.register("carol").await;
    let mut c = cluster.login_on(&carol, 1).await;
    f.a.chat.add_friend(me, carol.uid, "", "").await.unwrap();
    assert!(matches!(c.next_event().await, Event::FriendRequest(_)));
    let accepted = c.chat.accept_friend(carol.uid, me, "").await.unwrap();
    let elsewhere = accepted.chat_datas[0].thread_id;
    let moved = f.a.chat.send_texts(me, carol.uid, elsewhere, &[("first", "{k1}")]).await.unwrap_err();
    assert_eq!(moved.code(), Some(ErrorCode::UniqueIdReused), "{moved}");

    let history = f.b.chat.load_messages(thread, 0).await.unwrap();
    let texts: Vec<&str> = history.chat_datas.iter().map(|d| d.msg_content.as_str()).collect();
    assert_eq!(texts.iter().filter(|t| **t == "first").count(), 1, "{texts:?}");
    assert!(!texts.contains(&"second") && !texts.contains(&"fourth"), "{texts:?}");
    assert!(texts.contains(&"third"), "{texts:?}");
    // Bob got the resend again (clients merge it by seq), then the fresh text, and nothing else.
    for expected in ["first", "third"] {
        let Event::Text(push) = f.b.next_event().await else { panic!("a push") };
        assert_eq!(push.chat_datas.iter().map(|d| d.content.as_str()).collect::<Vec<_>>(), [expected]);
    }
    cluster.shutdown().await;
}
