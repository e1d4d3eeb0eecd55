//! Replies and forwards through the chat ports of two servers: a reply carries its quote in
//! its pushes and, as the original is now (edited, recalled), in every later sync; a forward
//! copies texts and files into friends' chats and groups, marked with whose they were, files
//! without a new upload and readable after the original is recalled.

use imchat_proto::ErrorCode;
use imchat_proto::msg::{DeviceKind, LoginReq, LoginRsp, SyncData, TextItem};
use imchat_sdk::{ChatClient, Device, Event};
use imchat_tests::{Client, Flavor, TestCluster};

use crate::groups::befriend;

/// The next push of `client` that carries messages of `thread`: a private text, own text or
/// group push, as the sync rows they are (other pushes skipped).
async fn next_messages(client: &mut Client, thread: i64) -> (i64, Vec<SyncData>) {
    loop {
        match client.next_event().await {
            Event::Text(push) | Event::OwnText(push) if push.thread_id != thread => {}
            // Another thread's, or a group's system messages (its creation).
            Event::Group(push) if push.thread_id != thread || push.chat_datas.iter().all(|d| d.msg_type == 10) => {}
            Event::Text(push) | Event::OwnText(push) => {
                let rows = push
                    .chat_datas
                    .into_iter()
                    .map(|d| SyncData {
                        thread_id: push.thread_id,
                        seq: d.seq,
                        sender: push.fromuid,
                        content: d.content,
                        reply: d.reply,
                        forwarded_from: d.forwarded_from,
                        ..SyncData::default()
                    })
                    .collect();
                return (push.thread_id, rows);
            }
            Event::Group(push) => return (push.thread_id, push.chat_datas),
            Event::Closed => panic!("uid {}: closed while waiting for messages", client.uid),
            _ => {}
        }
    }
}

/// The next file notice of `client` (other pushes skipped).
async fn next_file(client: &mut Client) -> imchat_proto::msg::res::NotifyImgChat {
    loop {
        match client.next_event().await {
            Event::File(notice) => return notice,
            Event::Closed => panic!("uid {}: closed while waiting for a file", client.uid),
            _ => {}
        }
    }
}

fn reply(content: &str, unique: &str, reply_to: i64) -> TextItem {
    TextItem { content: content.to_owned(), unique_id: unique.to_owned(), reply_to }
}

both!(a_reply_quotes_its_original_as_it_is_now);
async fn a_reply_quotes_its_original_as_it_is_now(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (mut a, mut b) = (f.a, f.b);
    assert!(b.chat.takes_reply() && b.chat.takes_forward());

    let asked = a.chat.send_texts(alice, bob, thread, &[("哪里吃饭？\nsomewhere near", "{q1}")]).await.unwrap();
    let question = asked.chat_datas[0].seq;
    next_messages(&mut b, thread).await;

    // Bob's reply carries the quote in his 1018 and in alice's push (across servers).
    let answered = b.chat.send_items(bob, alice, thread, vec![reply("the noodle place", "{q2}", question)]).await;
    let quote = answered.unwrap().chat_datas[0].reply.clone().expect("the reply quotes");
    assert_eq!((quote.seq, quote.sender, quote.excerpt.as_str()), (question, alice, "哪里吃饭？ somewhere near"));
    let (_, pushed) = next_messages(&mut a, thread).await;
    assert_eq!(pushed[0].reply.as_ref(), Some(&quote));

    // Only a message of the thread that is there may be quoted.
    for missing in [question + 100, -1] {
        let refused = b.chat.send_items(bob, alice, thread, vec![reply("?", "{q3}", missing)]).await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::UnknownMsgId), "{missing}");
    }

    // A later reader sees the quote as the original is now: edited, then recalled.
    a.chat.edit(thread, question, "哪里吃晚饭？").await.expect("edited");
    let reply_row = |rows: &[SyncData]| rows.iter().find(|d| d.reply.is_some()).cloned().expect("the reply synced");
    let synced = b.chat.sync(&[]).await.unwrap().chat_datas;
    assert_eq!(reply_row(&synced).reply.unwrap().excerpt, "哪里吃晚饭？");
    a.chat.recall(thread, question).await.expect("recalled");
    let synced = b.chat.sync(&[]).await.unwrap().chat_datas;
    let gone = reply_row(&synced).reply.unwrap();
    assert!(gone.recalled && gone.excerpt.is_empty(), "{gone:?}");

    // In a group: a member who joined later cannot quote what was said before.
    let carol = cluster.register("carol").await;
    let mut c = cluster.login_on(&carol, 1).await;
    befriend(&mut a, &mut c).await;
    let group = a.chat.create_group("lunch", &[bob]).await.unwrap().group.thread_id;
    let early = a.chat.send_group_texts(alice, group, &[("before carol", "{g1}")], &[]).await.unwrap();
    let early = early.chat_datas[0].seq;
    a.chat.invite_to_group(group, &[carol.uid]).await.unwrap();
    let refused = c.chat.send_group_items(carol.uid, group, vec![reply("hm", "{g2}", early)], &[]).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::UnknownMsgId));
    let said = b.chat.send_group_items(bob, group, vec![reply("yes!", "{g3}", early)], &[]).await.unwrap();
    assert_eq!(said.chat_datas[0].reply.as_ref().map(|q| q.excerpt.as_str()), Some("before carol"));
    cluster.shutdown().await;
}

both!(a_forward_copies_texts_and_files_into_other_chats);
async fn a_forward_copies_texts_and_files_into_other_chats(flavor: Flavor) {
    use imchat_sdk::files::{FileClient, Outgoing, send_file};
    let store = tempfile::tempdir().unwrap();
    let dir = store.path().to_path_buf();
    let cluster = TestCluster::start_with(flavor, |file| {
        file.storage = Some(imchat_res::StorageConfig::Local { dir: dir.clone() });
    })
    .await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (mut a, mut b) = (f.a, f.b);
    let carol = cluster.register("carol").await;
    let mut c = cluster.login_on(&carol, 1).await;
    befriend(&mut a, &mut c).await;
    let group = a.chat.create_group("crew", &[bob, carol.uid]).await.unwrap().group.thread_id;

    // Bob on a second device, and in llfc's Qt client, on bob's server.
    let mut bob_desk = cluster.login_device(&f.bob, 1, &Device::new(DeviceKind::Tui)).await;
    let http = cluster.gate.login(&f.bob.email, &f.bob.password).await.unwrap();
    let (chat, events) = ChatClient::connect(&cluster.suite.chats[1].addr.to_string()).await.unwrap();
    let login: LoginRsp =
        chat.call(&LoginReq { uid: http.uid, token: http.token, ..LoginReq::default() }).await.unwrap();
    let mut qt = Client { chat, events, login, uid: bob };

    // Bob writes and sends a file to alice; she forwards both to carol and to the group.
    let said = b.chat.send_texts(bob, alice, thread, &[("meet at 6", "{f1}")]).await.unwrap().chat_datas[0].seq;
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("map.txt");
    std::fs::write(&path, "turn left at the bridge\n".repeat(300)).unwrap();
    let res = cluster.suite.res.to_string();
    let mut bob_files = FileClient::connect(&res, bob, &b.login.token).await.unwrap();
    let out = Outgoing { me: bob, touid: alice, thread_id: thread, path: &path, msg_type: 3, unique_id: "{f2}" };
    let file = send_file(&b.chat, &mut bob_files, &out, |_, _| {}).await.unwrap().message;
    next_file(&mut a).await;
    // His own file reaches his devices that named `devices`, never the Qt client: the next
    // message it hears of is alice's text, sent after the notice reached his sessions.
    for device in [&mut b, &mut bob_desk] {
        assert_eq!(next_file(device).await.sender_id, bob);
    }
    a.chat.send_texts(alice, bob, thread, &[("got it", "{f3}")]).await.unwrap();
    loop {
        match qt.next_event().await {
            Event::File(notice) => panic!("the Qt client was sent its user's own file: {notice:?}"),
            Event::Text(push) if push.chat_datas[0].content == "got it" => break,
            _ => {}
        }
    }

    let done = a.chat.forward(thread, &[said, file.seq], &[carol.uid], &[group], "fw-1").await.expect("forwarded");
    assert_eq!(done.forwarded.len(), 2, "{done:?}");
    assert!(done.forwarded.iter().all(|f| f.seqs.len() == 2), "{done:?}");
    // Carol's private chat with alice: the text, marked as bob's, then the file's notice.
    let to_carol = done.forwarded[0].thread_id;
    let (_, texts) = next_messages(&mut c, to_carol).await;
    assert_eq!((texts[0].content.as_str(), texts[0].sender, texts[0].forwarded_from), ("meet at 6", alice, bob));
    let copied = next_file(&mut c).await;
    assert_eq!((copied.sender_id, copied.thread_id), (alice, to_carol));
    assert_ne!(copied.img_name, file.unique_name, "a name of its own");
    // The group's members get the copy as a group text (bob from his own message, too).
    let (in_group, rows) = next_messages(&mut b, group).await;
    assert_eq!((in_group, rows[0].forwarded_from, rows[0].content.as_str()), (group, bob, "meet at 6"));

    // Nothing was uploaded again, and carol reads the copy; still after bob recalls his.
    let stored = || crate::imctl::walk(store.path());
    assert_eq!(stored().len(), 1, "{:?}", stored());
    let mut carol_files = FileClient::connect(&res, carol.uid, &c.login.token).await.unwrap();
    let dest = work.path().join("copy");
    carol_files.download(&copied.img_name, false, &dest, |_, _| {}).await.expect("carol reads the copy");
    assert_eq!(std::fs::read(&dest).unwrap(), std::fs::read(&path).unwrap());
    // A resend stores nothing twice.
    let resent = a.chat.forward(thread, &[said, file.seq], &[carol.uid], &[group], "fw-1").await.unwrap();
    assert_eq!(resent.forwarded, done.forwarded);
    b.chat.recall(thread, file.seq).await.expect("bob recalls his file");
    let again = work.path().join("again");
    carol_files.download(&copied.img_name, false, &again, |_, _| {}).await.expect("the copy outlives the recall");
    assert_eq!(stored().len(), 1, "the shared bytes stay");
    let trashed = cluster.suite.db.trashed(10).await.unwrap();
    assert!(trashed.is_empty(), "bytes a copy holds are not put in the trash: {trashed:?}");

    // Carol forwards her copy on: it still names bob, who wrote it.
    let onward = c.chat.forward(to_carol, &[texts[0].seq], &[], &[group], "fw-5").await.unwrap();
    let seq = onward.forwarded[0].seqs[0];
    let copy = loop {
        let (_, rows) = next_messages(&mut b, group).await;
        if let Some(row) = rows.into_iter().find(|d| d.seq == seq) {
            break row;
        }
    };
    assert_eq!((copy.sender, copy.forwarded_from), (carol.uid, bob));

    // A recalled message, a stranger or a chat not hers is refused.
    let recalled = a.chat.forward(thread, &[file.seq], &[carol.uid], &[], "fw-2").await.unwrap_err();
    assert_eq!(recalled.code(), Some(ErrorCode::UnknownMsgId));
    let dave = cluster.register("dave").await;
    let stranger = a.chat.forward(thread, &[said], &[dave.uid], &[], "fw-3").await.unwrap_err();
    assert_eq!(stranger.code(), Some(ErrorCode::NotFriend));
    let not_hers = c.chat.forward(thread, &[said], &[alice], &[], "fw-4").await.unwrap_err();
    assert_eq!(not_hers.code(), Some(ErrorCode::NotThreadMember));
    cluster.shutdown().await;
}
