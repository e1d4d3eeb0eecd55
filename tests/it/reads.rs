//! Read markers (imchat's 1110): how far a user has read each thread, kept by the server, so
//! unread counts are right after a restart and on another device, on both store flavors and
//! across the two chat servers.

use imchat_proto::ErrorCode;
use imchat_proto::msg::{SyncCursor, caps};
use imchat_tests::{Flavor, TestCluster};

both!(unread_counts_come_from_the_read_marker);
async fn unread_counts_come_from_the_read_marker(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    assert!(f.b.login.imchat.iter().any(|cap| cap == caps::READ_MARKS), "{:?}", f.b.login.imchat);
    let texts: Vec<String> = (1..=4).map(|n| format!("t{n}")).collect();
    let mut last = 0;
    for (n, text) in texts.iter().enumerate() {
        last =
            f.a.chat
                .send_texts(f.a.uid, f.b.uid, f.thread_id, &[(text, &format!("{{r{n}}}"))])
                .await
                .unwrap()
                .chat_datas[0]
                .seq;
    }
    // Bob (on the other chat server) reads up to the second text.
    let synced = f.b.chat.sync(&[]).await.unwrap();
    let thread = synced.threads.iter().find(|t| t.thread_id == f.thread_id).unwrap();
    assert_eq!(thread.read_seq, 0, "no marker yet");
    let second = synced.chat_datas.iter().find(|d| d.content == "t2").unwrap().seq;
    assert_eq!(f.b.chat.mark_read(f.thread_id, second).await.unwrap(), second);
    // A marker only moves forward, and never past the thread's end.
    assert_eq!(f.b.chat.mark_read(f.thread_id, 1).await.unwrap(), second);
    assert_eq!(f.b.chat.mark_read(f.thread_id, i64::MAX).await.unwrap(), last);
    let refused = f.a.chat.mark_read(i64::MAX, 1).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::NotThreadMember));
    let bob_id = f.b.uid;

    // Carol's three texts; bob reads the first of them.
    let carol = cluster.register("carol").await;
    let c = cluster.login_on(&carol, 0).await;
    c.chat.add_friend(c.uid, bob_id, "hi", "").await.unwrap();
    let b = f.b;
    b.chat.accept_friend(bob_id, c.uid, "").await.unwrap();
    let thread_c = c.chat.create_private_chat(c.uid, bob_id).await.unwrap().thread_id;
    for n in 0..3 {
        c.chat.send_texts(c.uid, bob_id, thread_c, &[("news", &format!("{{c{n}}}"))]).await.unwrap();
    }
    let seen = b.chat.sync(&[]).await.unwrap();
    let first_news = seen.chat_datas.iter().find(|d| d.thread_id == thread_c && d.content == "news").unwrap().seq;
    b.chat.mark_read(thread_c, first_news).await.unwrap();
    drop(b);
    // A restart (or a second device): no cursors, only the recent tail, as imchat-tui starts.
    let bob = imchat_tests::TestUser { uid: bob_id, ..f.bob };
    let again = cluster.login_on(&bob, 0).await;
    let after = again.chat.sync_recent(&[], 50).await.unwrap();
    let counted = after.threads.iter().find(|t| t.thread_id == thread_c).unwrap();
    assert_eq!((counted.unread, counted.read_seq), (2, first_news), "two of carol's three are unread");
    let with_alice = after.threads.iter().find(|t| t.thread_id == f.thread_id).unwrap();
    assert_eq!((with_alice.unread, with_alice.read_seq), (0, last), "read to the end before the restart");
    // A client holding every message (a cursor at the end) still lists nothing new.
    let cursors = [SyncCursor { thread_id: f.thread_id, seq: last }];
    let quiet = again.chat.sync(&cursors).await.unwrap();
    assert!(quiet.threads.iter().all(|t| t.thread_id != f.thread_id));
    drop((f.a, c, again));
    cluster.shutdown().await;
}
