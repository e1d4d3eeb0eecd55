//! imchat's SDK against an llfc-shaped server (`imchat_tests::llfc`): master's login keys, no
//! token or lists in the 1006, no `seq`, no `status` in pushes, no `message` in errors, no sync.
//! What imchat's clients do there, they do through these same calls.

use imchat_proto::ErrorCode;
use imchat_sdk::{Event, GateClient, SdkError};
use imchat_tests::llfc::{LlfcServer, login, next_event, register};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_befriends_chats_and_resumes_history_on_llfc() {
    let llfc = LlfcServer::start().await;
    let gate = GateClient::new(&llfc.gate_url()).unwrap();
    let (ann, bob) = (register(&gate, "ann").await, register(&gate, "bob").await);
    let mut ann = login(&gate, &ann).await;
    let mut bob = login(&gate, &bob).await;

    // An error without `message` reads as the code's meaning.
    let wrong = gate.login("ann@example.com", "not-it").await.unwrap_err();
    assert!(
        matches!(&wrong, SdkError::Server { code: 1009, message } if message == ErrorCode::PasswdInvalid.describe())
    );

    let found = ann.chat.search("bob").await.unwrap();
    ann.chat.add_friend(ann.uid, found.uid, "hi bob", "").await.unwrap();
    assert!(matches!(next_event(&mut bob.events).await, Event::FriendRequest(r) if r.applyuid == ann.uid));
    let accepted = bob.chat.accept_friend(bob.uid, ann.uid, "").await.unwrap();
    let Event::FriendAccepted(notice) = next_event(&mut ann.events).await else { panic!("1015") };
    let thread = notice.chat_datas[0].thread_id;
    assert!(notice.chat_datas.iter().all(|d| d.seq == d.msg_id), "seq is the message id: {notice:?}");
    assert!(accepted.chat_datas.iter().all(|d| d.seq > 0));

    let sent = ann.chat.send_texts(ann.uid, bob.uid, thread, &[("你好 bob", "{u1}")]).await.unwrap();
    assert_eq!(sent.chat_datas[0].seq, sent.chat_datas[0].message_id);
    let Event::Text(push) = next_event(&mut bob.events).await else { panic!("1019") };
    assert_eq!((push.chat_datas[0].content.as_str(), push.chat_datas[0].seq), ("你好 bob", sent.chat_datas[0].seq));
    bob.chat.send_texts(bob.uid, ann.uid, thread, &[("hi ann", "{u2}")]).await.unwrap();
    next_event(&mut ann.events).await;

    // Over llfc's frame limit: refused here, the session lives on.
    let long = "长".repeat(1000);
    let refused = ann.chat.send_texts(ann.uid, bob.uid, thread, &[(&long, "{u3}")]).await.unwrap_err();
    assert!(matches!(refused, SdkError::TooLong { limit: 2048, .. }), "{refused}");
    ann.chat.heartbeat(ann.uid).await.expect("still connected");

    // A fresh client (a restart) gets the whole history, in order, from llfc's own requests.
    drop(ann);
    let mut ann = login(&gate, "ann@example.com").await;
    let sync = ann.chat.sync_recent(&[], 50).await.unwrap();
    let texts: Vec<&str> = sync.chat_datas.iter().map(|d| d.content.as_str()).collect();
    assert_eq!(texts, ["hi bob", "We are friends now!", "你好 bob", "hi ann"]);
    assert!(sync.chat_datas.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(sync.threads.iter().map(|t| (t.thread_id, t.peer_uid)).collect::<Vec<_>>(), [(thread, bob.uid)]);
    // Resuming from a cursor asks only pages that hold a message, and brings only what is new.
    let cursor = sync.chat_datas.last().unwrap().seq;
    let cursors = [imchat_proto::msg::SyncCursor { thread_id: thread, seq: cursor }];
    assert!(ann.chat.sync(&cursors).await.unwrap().chat_datas.is_empty());
    bob.chat.send_texts(bob.uid, ann.uid, thread, &[("later", "{u4}")]).await.unwrap();
    next_event(&mut ann.events).await;
    let news = ann.chat.sync(&cursors).await.unwrap();
    assert_eq!(news.chat_datas.iter().map(|d| d.content.as_str()).collect::<Vec<_>>(), ["later"]);
    assert!(ann.chat.load_older(thread, 1).await.unwrap().chat_datas.is_empty());

    // A second login kicks the first.
    let _again = login(&gate, "ann@example.com").await;
    assert!(matches!(next_event(&mut ann.events).await, Event::Kicked(k) if k.uid == ann.uid));

    let seen = llfc.seen();
    assert_eq!(seen.would_crash, 0, "no request that crashes llfc's server");
    assert_eq!(seen.unknown_ids, Vec::<u16>::new(), "only ids llfc's server handles");
}

/// imchat-tui's three faults against llfc (issue 23, point 11), through the SDK calls it makes:
/// an accept whose applicant is offline (llfc's 1014 then has no messages) still learns the
/// befriending's thread, and opening the chat finds it instead of making a second one with
/// 1027 (llfc misses it when the larger uid approved); a thread held with nothing in it is
/// never paged (Season_2 crashes on an empty page); master's pages of 11 without `load_more`
/// are read to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_finds_threads_and_never_pages_an_empty_one_on_llfc() {
    let llfc = LlfcServer::start().await;
    llfc.master_pages();
    let gate = GateClient::new(&llfc.gate_url()).unwrap();
    let (ann_email, bob_email) = (register(&gate, "ann").await, register(&gate, "bob").await);
    let ann = login(&gate, &ann_email).await;
    let bob = login(&gate, &bob_email).await;
    assert!(bob.uid > ann.uid, "the larger uid approves: llfc stores the pair the other way round");
    ann.chat.add_friend(ann.uid, bob.uid, "hi bob", "").await.unwrap();
    let ann_uid = ann.uid;
    ann.chat.close().await;
    drop(ann);
    imchat_tests::wait_for("ann offline", || async { (!llfc.is_online(ann_uid)).then_some(()) }).await;

    let accepted = bob.chat.accept_friend(bob.uid, ann_uid, "").await.unwrap();
    let texts: Vec<&str> = accepted.chat_datas.iter().map(|d| d.msg_content.as_str()).collect();
    assert_eq!(texts, ["hi bob", "We are friends now!"], "the befriending's thread, from the list");
    let thread = accepted.chat_datas[0].thread_id;
    assert_eq!(bob.chat.find_private_chat(bob.uid, ann_uid).await.unwrap(), Some(thread));
    assert_eq!(bob.chat.create_private_chat(bob.uid, ann_uid).await.unwrap().thread_id, thread);
    assert_eq!(llfc.seen().threads_made_by_1027, 0, "no second thread");

    // 25 more texts: three of master's pages of 11 and a short one, read to the end.
    for n in 0..25 {
        bob.chat.send_texts(bob.uid, ann_uid, thread, &[(&format!("n{n}"), &format!("{{b{n}}}"))]).await.unwrap();
    }
    let ann = login(&gate, &ann_email).await;
    let sync = ann.chat.sync_recent(&[], 50).await.unwrap();
    assert_eq!(sync.chat_datas.len(), 27, "every message, past pages that do not say load_more");
    assert_eq!(sync.chat_datas.last().map(|d| d.content.as_str()), Some("n24"));

    // A thread with nothing in it (llfc's own client makes them with a bare 1027): held with
    // no message, it is never paged.
    let carol = login(&gate, &register(&gate, "carol").await).await;
    let bare: imchat_proto::msg::CreatePrivateChatRsp =
        carol.chat.call(&imchat_proto::msg::CreatePrivateChatReq { uid: carol.uid, other_id: ann.uid }).await.unwrap();
    let held = [imchat_proto::msg::SyncCursor { thread_id: bare.thread_id, seq: 0 }];
    let synced = ann.chat.sync(&held).await.unwrap();
    assert!(synced.chat_datas.iter().all(|d| d.thread_id != bare.thread_id));
    assert_eq!(llfc.seen().would_crash, 0, "no page of an empty thread was asked");
    assert_eq!(llfc.seen().unknown_ids, Vec::<u16>::new());
}
