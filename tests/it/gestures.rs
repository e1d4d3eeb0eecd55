//! Gestures on sent messages, through the chat ports of two servers: a recall reaches every
//! session of the thread's members (the sender's other devices too), a reader who syncs later
//! finds the message blank and the notice in its place, a group's owner recalls anyone's, an
//! llfc client is told in a text, and a recalled file can no longer be read.

use imchat_proto::ErrorCode;
use imchat_proto::msg::{
    DeviceKind, LoadChatMsgReq, LoadChatMsgRsp, LoginReq, LoginRsp, MSG_STATUS_RECALLED, MSG_TYPE_RECALL, RecallEvent,
    SyncData,
};
use imchat_sdk::{ChatClient, Device, Event};
use imchat_tests::{Client, Flavor, TestCluster, wait_for};

/// The next recall `client` is pushed (other pushes skipped): (thread, seq, who recalled).
async fn next_recall(client: &mut Client) -> (i64, i64, i32) {
    loop {
        match client.next_event().await {
            Event::Recalled(push) => {
                let event = RecallEvent::of(&push.notice).expect("the notice names what it recalls");
                assert_eq!(event.seq, push.seq, "{push:?}");
                return (push.thread_id, push.seq, push.notice.sender);
            }
            Event::Closed => panic!("uid {}: closed before a recall came", client.uid),
            _ => {}
        }
    }
}

/// The next reaction `client` is pushed (other pushes skipped).
async fn next_reaction(client: &mut Client) -> imchat_proto::msg::ReactionEvent {
    loop {
        match client.next_event().await {
            Event::Reacted(push) => return imchat_proto::msg::ReactionEvent::of(&push.notice).expect("a notice"),
            Event::Closed => panic!("uid {}: closed before a reaction came", client.uid),
            _ => {}
        }
    }
}

fn refusal(err: imchat_sdk::SdkError) -> Option<ErrorCode> {
    err.code()
}

both!(a_recall_reaches_every_session_and_later_readers);
async fn a_recall_reaches_every_session_and_later_readers(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (laptop, mut b) = (f.a, f.b);
    // Alice on three devices across the two servers, bob on two.
    let mut desk = cluster.login_device(&f.alice, 1, &Device::new(DeviceKind::Tui)).await;
    let mut robot = cluster.login_device(&f.alice, 0, &Device::new(DeviceKind::Bot)).await;
    let mut bob_desk = cluster.login_device(&f.bob, 0, &Device::new(DeviceKind::Tui)).await;

    let sent = laptop.chat.send_texts(alice, bob, thread, &[("keep this", "{k1}"), ("oops, wrong chat", "{k2}")]).await;
    let (kept, oops) = {
        let sent = sent.unwrap();
        (sent.chat_datas[0].seq, sent.chat_datas[1].seq)
    };
    for device in [&mut b, &mut bob_desk, &mut desk, &mut robot] {
        assert!(matches!(device.next_event().await, Event::Text(_) | Event::OwnText(_)));
    }

    // Bob may not recall alice's text; alice may recall hers.
    let theirs = b.chat.recall(thread, oops).await.unwrap_err();
    assert_eq!(refusal(theirs), Some(ErrorCode::NotYourMessage));
    let done = laptop.chat.recall(thread, oops).await.expect("recalled");
    let notice = done.notice.expect("a notice stored");
    assert_eq!((notice.msg_type, notice.sender, notice.receiver, notice.seq), (MSG_TYPE_RECALL, alice, bob, oops + 1));
    // Every other session hears of it, on either server: bob's two and alice's other two.
    for device in [&mut b, &mut bob_desk, &mut desk, &mut robot] {
        assert_eq!(next_recall(device).await, (thread, oops, alice));
    }
    // Once only: again, nothing more is stored or pushed; a seq that is none is refused.
    assert_eq!(laptop.chat.recall(thread, oops).await.unwrap().notice, None);
    let none = laptop.chat.recall(thread, 999).await.unwrap_err();
    assert_eq!(refusal(none), Some(ErrorCode::UnknownMsgId));

    // A device that syncs later: the message blank in its place, the notice after it, and the
    // recalled text not counted unread.
    let mut late = cluster.login_device(&f.bob, 1, &Device::new(DeviceKind::Bot)).await;
    let synced = late.chat.sync(&[]).await.unwrap();
    let mine: Vec<&SyncData> = synced.chat_datas.iter().filter(|d| d.thread_id == thread).collect();
    let at = |seq: i64| mine.iter().find(|d| d.seq == seq).expect("in the sync");
    assert_eq!((at(oops).status, at(oops).content.as_str()), (MSG_STATUS_RECALLED, ""));
    assert_eq!(at(kept).content, "keep this");
    assert_eq!(RecallEvent::of(at(oops + 1)), Some(RecallEvent { seq: oops, by: alice }));
    let state = synced.threads.iter().find(|t| t.thread_id == thread).unwrap();
    let readable =
        mine.iter().filter(|d| d.sender == alice && d.msg_type != MSG_TYPE_RECALL && d.status != MSG_STATUS_RECALLED);
    assert_eq!(state.unread, readable.count() as i64, "neither the recalled text nor its notice is unread");

    // Bob's next text takes the seq after the notice, and his other devices see it.
    let next = b.chat.send_texts(bob, alice, thread, &[("what was that?", "{k3}")]).await.unwrap();
    assert_eq!(next.chat_datas[0].seq, oops + 2);
    let Event::OwnText(push) = late.next_event().await else { panic!("the late device is live") };
    assert_eq!(push.chat_datas[0].content, "what was that?");
    cluster.shutdown().await;
}

both!(a_groups_owner_recalls_anyones_and_members_only_their_own);
async fn a_groups_owner_recalls_anyones_and_members_only_their_own(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob) = (f.alice.uid, f.bob.uid);
    let (mut a, mut b) = (f.a, f.b);
    let carol = cluster.register("carol").await;
    let mut c = cluster.login_on(&carol, 1).await;
    crate::groups::befriend(&mut a, &mut c).await;
    let group = a.chat.create_group("recalls", &[bob, carol.uid]).await.unwrap().group.thread_id;

    let said = b.chat.send_group_texts(bob, group, &[("a spoiler", "{s1}")], &[carol.uid]).await.unwrap();
    let spoiler = said.chat_datas[0].seq;
    // Carol, a member, may not recall bob's text; alice, the owner, may.
    let refused = c.chat.recall(group, spoiler).await.unwrap_err();
    assert_eq!(refusal(refused), Some(ErrorCode::NotYourMessage));
    let done = a.chat.recall(group, spoiler).await.expect("the owner recalls it");
    assert_eq!(done.notice.as_ref().map(|n| (n.sender, n.receiver)), Some((alice, 0)));
    for member in [&mut b, &mut c] {
        assert_eq!(next_recall(member).await, (group, spoiler, alice));
    }
    // Its mention no longer counts: carol's sync shows none unread.
    let synced = c.chat.sync(&[]).await.unwrap();
    let state = synced.threads.iter().find(|t| t.thread_id == group).unwrap();
    assert_eq!(state.mentions, 0, "{state:?}");

    // A disbanded group is read-only: nothing more is recalled.
    let mine = c.chat.send_group_texts(carol.uid, group, &[("mine", "{s2}")], &[]).await.unwrap().chat_datas[0].seq;
    a.chat.disband_group(group).await.unwrap();
    let closed = c.chat.recall(group, mine).await.unwrap_err();
    assert_eq!(refusal(closed), Some(ErrorCode::GroupDisbanded));
    cluster.shutdown().await;
}

both!(an_llfc_client_is_told_in_a_text);
/// llfc's Qt client knows no recall: the notice reaches it as a text from the one who
/// recalled, its history reads the message and the notice as texts, and nothing of it goes to
/// a Qt session of the one who recalled.
async fn an_llfc_client_is_told_in_a_text(flavor: Flavor) {
    use imchat_proto::llfc_client::{RECALL_TEXT, RECALLED_TEXT};
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let a = f.a;
    let http = cluster.gate.login(&f.bob.email, &f.bob.password).await.unwrap();
    let (chat, events) = ChatClient::connect(&cluster.suite.chats[0].addr.to_string()).await.unwrap();
    let login: LoginRsp =
        chat.call(&LoginReq { uid: http.uid, token: http.token, ..LoginReq::default() }).await.unwrap();
    let mut qt = Client { chat, events, login, uid: bob };

    let seq = a.chat.send_texts(alice, bob, thread, &[("never mind", "{q1}")]).await.unwrap().chat_datas[0].seq;
    assert!(matches!(qt.next_event().await, Event::Text(_)));
    a.chat.recall(thread, seq).await.unwrap();
    let Event::Text(told) = qt.next_event().await else { panic!("a 1019 text, not an id llfc does not know") };
    assert_eq!((told.fromuid, told.touid, told.thread_id), (alice, bob, thread));
    assert_eq!((told.chat_datas[0].content.as_str(), told.chat_datas[0].seq), (RECALL_TEXT, seq + 1));

    let page: LoadChatMsgRsp = qt.chat.call(&LoadChatMsgReq { thread_id: thread, message_id: 0 }).await.unwrap();
    let texts: Vec<(&str, i32)> =
        page.chat_datas.iter().rev().take(2).map(|d| (d.msg_content.as_str(), d.msg_type)).collect();
    assert_eq!(texts, [(RECALL_TEXT, 0), (RECALLED_TEXT, 0)], "{page:?}");
    cluster.shutdown().await;
}

both!(a_recalled_file_is_unreadable_and_its_bytes_swept);
async fn a_recalled_file_is_unreadable_and_its_bytes_swept(flavor: Flavor) {
    use imchat_sdk::files::{FileClient, Outgoing, send_file};
    let store = tempfile::tempdir().unwrap();
    let dir = store.path().to_path_buf();
    let cluster = TestCluster::start_with(flavor, |file| {
        file.storage = Some(imchat_res::StorageConfig::Local { dir: dir.clone() });
        file.files.sweep = std::time::Duration::from_secs(1);
    })
    .await;
    let mut f = cluster.friends().await;
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("draft.txt");
    std::fs::write(&path, "not for your eyes\n".repeat(500)).unwrap();
    let res = cluster.suite.res.to_string();
    let mut files = FileClient::connect(&res, f.a.uid, &f.a.login.token).await.unwrap();
    let out =
        Outgoing { me: f.a.uid, touid: f.b.uid, thread_id: f.thread_id, path: &path, msg_type: 3, unique_id: "{rf-1}" };
    let sent = send_file(&f.a.chat, &mut files, &out, |_, _| {}).await.unwrap().message;
    let Event::File(_) = f.b.next_event().await else { panic!("bob hears of the file") };
    let stored = || crate::imctl::walk(store.path());
    assert_eq!(stored().len(), 1, "{:?}", stored());

    f.a.chat.recall(f.thread_id, sent.seq).await.expect("recalled");
    assert_eq!(next_recall(&mut f.b).await.1, sent.seq);
    let mut bob = FileClient::connect(&res, f.b.uid, &f.b.login.token).await.unwrap();
    let gone = bob.download(&sent.unique_name, false, &work.path().join("copy"), |_, _| {}).await.unwrap_err();
    assert_eq!(gone.code(), Some(ErrorCode::FileNotFound), "{gone:?}");
    wait_for("the sweep to delete the bytes", || async { stored().is_empty().then_some(()) }).await;
    cluster.shutdown().await;
}

both!(an_edit_reaches_every_session_and_later_readers);
/// An edit replaces a text where it stands, as its sender only and only a text; every session
/// of both members hears of it (an llfc client in a text), a reader who syncs later finds the
/// new text and the notice in order, and a recall afterwards leaves no copy of it anywhere.
async fn an_edit_reaches_every_session_and_later_readers(flavor: Flavor) {
    use imchat_proto::llfc_client::edited_text;
    use imchat_proto::msg::{EditEvent, MSG_STATUS_EDITED, MSG_TYPE_EDIT};
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (a, mut b) = (f.a, f.b);
    let mut desk = cluster.login_device(&f.alice, 1, &Device::new(DeviceKind::Tui)).await;
    let http = cluster.gate.login(&f.bob.email, &f.bob.password).await.unwrap();
    let (chat, events) = ChatClient::connect(&cluster.suite.chats[0].addr.to_string()).await.unwrap();
    let login: LoginRsp =
        chat.call(&LoginReq { uid: http.uid, token: http.token, ..LoginReq::default() }).await.unwrap();
    let mut qt = Client { chat, events, login, uid: bob };

    let seq = a.chat.send_texts(alice, bob, thread, &[("lunch at 12", "{e1}")]).await.unwrap().chat_datas[0].seq;
    for device in [&mut b, &mut desk, &mut qt] {
        assert!(matches!(device.next_event().await, Event::Text(_) | Event::OwnText(_)));
    }
    let theirs = b.chat.edit(thread, seq, "lunch at 1").await.unwrap_err();
    assert_eq!(refusal(theirs), Some(ErrorCode::NotYourMessage));
    let empty = a.chat.edit(thread, seq, "").await.unwrap_err();
    assert_eq!(refusal(empty), Some(ErrorCode::InvalidArgument));
    let done = a.chat.edit(thread, seq, "lunch at 12:30").await.expect("edited");
    let notice = done.notice.expect("a notice stored");
    assert_eq!((notice.msg_type, notice.seq, notice.receiver), (MSG_TYPE_EDIT, seq + 1, bob));
    for device in [&mut b, &mut desk] {
        let pushed = loop {
            match device.next_event().await {
                Event::Edited(push) => break push,
                Event::Closed => panic!("closed before the edit came"),
                _ => {}
            }
        };
        let event = EditEvent::of(&pushed.notice).unwrap();
        assert_eq!((pushed.thread_id, pushed.seq, event.text.as_str()), (thread, seq, "lunch at 12:30"));
    }
    let Event::Text(told) = qt.next_event().await else { panic!("llfc's client is told in a text") };
    assert_eq!(told.chat_datas[0].content, edited_text("lunch at 12:30"));
    // The same text again changes nothing.
    assert_eq!(a.chat.edit(thread, seq, "lunch at 12:30").await.unwrap().notice, None);

    // A later reader: the text as it is now, marked edited, and the notice after it.
    let late = cluster.login_device(&f.bob, 1, &Device::new(DeviceKind::Bot)).await;
    let synced = late.chat.sync(&[]).await.unwrap();
    let at = |seq: i64| synced.chat_datas.iter().find(|d| d.thread_id == thread && d.seq == seq).unwrap().clone();
    assert_eq!((at(seq).content.as_str(), at(seq).status), ("lunch at 12:30", MSG_STATUS_EDITED));
    assert_eq!(EditEvent::of(&at(seq + 1)).map(|e| e.seq), Some(seq));

    // Recalled after: the text is gone, from the edit's notice too.
    a.chat.recall(thread, seq).await.unwrap();
    let synced = late.chat.sync(&[]).await.unwrap();
    let edit = synced.chat_datas.iter().find(|d| d.thread_id == thread && d.seq == seq + 1).unwrap();
    assert_eq!(EditEvent::of(edit).map(|e| e.text), Some(String::new()), "{edit:?}");
    let gone = a.chat.edit(thread, seq, "too late").await.unwrap_err();
    assert_eq!(refusal(gone), Some(ErrorCode::UnknownMsgId), "a recalled text is not edited");
    cluster.shutdown().await;
}

both!(reactions_are_counted_once_per_member_and_reach_every_session);
/// One reaction per member per message, changed or taken back; every session of both members
/// hears of each (never an llfc client, whose history reads a text), and a reader's sync
/// shows the counts with their own marked.
async fn reactions_are_counted_once_per_member_and_reach_every_session(flavor: Flavor) {
    use imchat_proto::llfc_client::reaction_text;
    use imchat_proto::msg::{ReactionCount, ReactionEvent};
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (a, mut b) = (f.a, f.b);
    let mut desk = cluster.login_device(&f.alice, 1, &Device::new(DeviceKind::Tui)).await;
    let seq = a.chat.send_texts(alice, bob, thread, &[("pizza tonight?", "{p1}")]).await.unwrap().chat_datas[0].seq;
    for device in [&mut b, &mut desk] {
        assert!(matches!(device.next_event().await, Event::Text(_) | Event::OwnText(_)));
    }
    let count = |emoji: &str, count: i64, mine: bool| ReactionCount { emoji: emoji.into(), count, mine };
    let counts = |event: &ReactionEvent| event.reactions.iter().map(|r| (r.emoji.clone(), r.count)).collect::<Vec<_>>();

    let rsp = b.chat.react(thread, seq, "👍").await.unwrap();
    assert_eq!(rsp.reactions, [count("👍", 1, true)]);
    for device in [&mut desk] {
        let event = next_reaction(device).await;
        assert_eq!((event.seq, event.by, event.emoji.as_str()), (seq, bob, "👍"));
        assert_eq!(counts(&event), [("👍".to_owned(), 1)]);
    }
    // Alice's own on one device reaches her other one and bob.
    let rsp = a.chat.react(thread, seq, "❤️").await.unwrap();
    assert_eq!(rsp.reactions.len(), 2, "{rsp:?}");
    assert_eq!(counts(&next_reaction(&mut b).await).len(), 2);
    assert_eq!(next_reaction(&mut desk).await.by, alice);
    // Bob changes his mind: one reaction per member, so 👍 goes.
    b.chat.react(thread, seq, "❤️").await.unwrap();
    assert_eq!(counts(&next_reaction(&mut desk).await), [("❤️".to_owned(), 2)]);
    // The same again changes nothing and pushes nothing; words are not a reaction.
    assert_eq!(b.chat.react(thread, seq, "❤️").await.unwrap().notice, None);
    let words = b.chat.react(thread, seq, "ok").await.unwrap_err();
    assert_eq!(refusal(words), Some(ErrorCode::InvalidArgument));

    // A reader's sync: the counts, their own marked; the notices are not unread.
    let synced = desk.chat.sync(&[]).await.unwrap();
    let text = synced.chat_datas.iter().find(|d| d.thread_id == thread && d.seq == seq).unwrap();
    assert_eq!(text.reactions, [count("❤️", 2, true)]);
    // Bob takes his back.
    b.chat.react(thread, seq, "").await.unwrap();
    assert_eq!(counts(&next_reaction(&mut desk).await), [("❤️".to_owned(), 1)]);

    // llfc's client: no push, a text in history.
    let http = cluster.gate.login(&f.bob.email, &f.bob.password).await.unwrap();
    let (chat, events) = ChatClient::connect(&cluster.suite.chats[0].addr.to_string()).await.unwrap();
    let login: LoginRsp =
        chat.call(&LoginReq { uid: http.uid, token: http.token, ..LoginReq::default() }).await.unwrap();
    let qt = Client { chat, events, login, uid: bob };
    let page: LoadChatMsgRsp = qt.chat.call(&LoadChatMsgReq { thread_id: thread, message_id: 0 }).await.unwrap();
    assert!(page.chat_datas.iter().any(|d| d.msg_content == reaction_text("👍") && d.msg_type == 0), "{page:?}");
    // A recalled message takes no reaction, and loses its own.
    a.chat.recall(thread, seq).await.unwrap();
    let gone = b.chat.react(thread, seq, "😮").await.unwrap_err();
    assert_eq!(refusal(gone), Some(ErrorCode::UnknownMsgId));
    cluster.shutdown().await;
}
