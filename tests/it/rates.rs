//! Requests that cost other people (review 3, N9): group changes (each a stored system message
//! and a push to every member) and friend requests (a push to anyone) are limited per user by
//! token buckets; past them, 1105 and nothing stored or pushed.

use imchat_chat::Rate;
use imchat_proto::ErrorCode;
use imchat_proto::msg::{GroupUpdateReq, MSG_TYPE_SYSTEM, SyncCursor};
use imchat_tests::{Flavor, TestCluster};

both!(group_changes_and_friend_requests_have_a_rate);
async fn group_changes_and_friend_requests_have_a_rate(flavor: Flavor) {
    const BURST: u32 = 4;
    // A slow refill (1 a minute), so the burst is what a quick burst of requests meets.
    let cluster = TestCluster::start_with(flavor, |file| {
        file.limits.group_changes = Rate { per_minute: 1, burst: BURST };
        file.limits.friend_requests = Rate { per_minute: 1, burst: BURST };
    })
    .await;
    let f = cluster.friends().await;

    // The group's creation is the first change; renames take the rest of the burst.
    let group = f.a.chat.create_group("rated", &[f.b.uid]).await.expect("created").group.thread_id;
    let rename = |n: u32| GroupUpdateReq { thread_id: group, name: Some(format!("name {n}")), ..Default::default() };
    for n in 1..BURST {
        f.a.chat.update_group(rename(n)).await.expect("within the burst");
    }
    for n in BURST..BURST + 5 {
        let refused = f.a.chat.update_group(rename(n)).await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::TooManyRequests));
    }
    // Only what was allowed was stored: the creation and BURST - 1 renames.
    let synced = f.b.chat.sync(&[SyncCursor { thread_id: group, seq: 0 }]).await.expect("synced");
    let events = synced.chat_datas.iter().filter(|d| d.thread_id == group && d.msg_type == MSG_TYPE_SYSTEM).count();
    assert_eq!(events, BURST as usize);
    // The bucket is the user's, not the group's: bob's own changes still pass.
    f.b.chat.leave_group(group).await.expect("bob has his own bucket");

    // Friend requests: BURST to strangers, then 1105 (bob's: alice spent one on him).
    let mut refused = None;
    for n in 0..=BURST {
        let stranger = cluster.register(&format!("stranger{n}")).await;
        let applied = f.b.chat.add_friend(f.b.uid, stranger.uid, "hi", "").await;
        if n < BURST {
            applied.expect("within the burst");
        } else {
            refused = applied.err();
        }
    }
    assert_eq!(refused.and_then(|err| err.code()), Some(ErrorCode::TooManyRequests));
    drop(f);
    cluster.shutdown().await;
}
