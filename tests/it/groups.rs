//! Groups end to end, members on both chat servers: the life of a group (create, chat with
//! mentions, invite, roles, remove, leave, disband), what sync and history show each member,
//! every refusal, and the operator's calls.

use imchat_proto::ErrorCode;
use imchat_proto::grpc::{DisbandGroupReq, ListGroupMembersReq, ListGroupsReq, ShowGroupReq};
use imchat_proto::msg::{GroupEvent, GroupUpdateReq, MSG_TYPE_SYSTEM, NotifyGroupMsg, SyncCursor};
use imchat_sdk::{Event, SdkError};
use imchat_tests::{Client, Flavor, TestCluster};

/// Makes two logged-in users friends.
pub(crate) async fn befriend(a: &mut Client, b: &mut Client) {
    a.chat.add_friend(a.uid, b.uid, "hello", "").await.expect("apply");
    // Pushes of earlier doings (a file's notice to its sender's sessions, …) are passed over.
    async fn until(client: &mut Client, wanted: fn(&Event) -> bool) {
        loop {
            match client.next_event().await {
                Event::Closed => panic!("uid {}: closed while befriending", client.uid),
                event if wanted(&event) => return,
                _ => {}
            }
        }
    }
    until(b, |e| matches!(e, Event::FriendRequest(_))).await;
    b.chat.accept_friend(b.uid, a.uid, "").await.expect("accept");
    until(a, |e| matches!(e, Event::FriendAccepted(_))).await;
}

/// The next group push, skipping anything else.
async fn next_group(client: &mut Client) -> NotifyGroupMsg {
    loop {
        match client.next_event().await {
            Event::Group(push) => return push,
            Event::Closed => panic!("uid {}: closed while waiting for a group push", client.uid),
            _ => {}
        }
    }
}

/// The event of the next system message pushed (texts pushed again by a resend are skipped).
async fn next_event_of(client: &mut Client) -> GroupEvent {
    loop {
        let push = next_group(client).await;
        if push.chat_datas[0].msg_type == MSG_TYPE_SYSTEM {
            return serde_json::from_str(&push.chat_datas[0].content).expect("a system message is a GroupEvent");
        }
    }
}

fn code(err: SdkError) -> Option<ErrorCode> {
    err.code()
}

both!(a_group_lives_across_two_servers);
async fn a_group_lives_across_two_servers(flavor: Flavor) {
    // A small cap to reach; coalesced writes, so every push here also goes through them.
    let cluster = TestCluster::start_with(flavor, |file| {
        file.limits.group_max_members = 4;
        file.limits.write_coalesce = std::time::Duration::from_millis(5);
        // Every refusal below is a change asked for; their rate is `rates.rs`'s to test.
        file.limits.group_changes = imchat_chat::Rate { per_minute: 0, burst: 0 };
    })
    .await;
    let users = [
        cluster.register("alice").await,
        cluster.register("bob").await,
        cluster.register("carol").await,
        cluster.register("dave").await,
        cluster.register("erin").await,
    ];
    // alice and carol on server 0, bob, dave and erin on 1.
    let mut clients = Vec::new();
    for (i, user) in users.iter().enumerate() {
        clients.push(cluster.login_on(user, [0, 1, 0, 1, 1][i]).await);
    }
    let [mut alice, mut bob, mut carol, mut dave, mut erin]: [Client; 5] = clients.try_into().ok().unwrap();
    befriend(&mut alice, &mut bob).await;
    befriend(&mut alice, &mut carol).await;
    befriend(&mut bob, &mut dave).await;
    befriend(&mut alice, &mut erin).await;
    befriend(&mut bob, &mut erin).await;
    let (a_uid, b_uid, c_uid) = (alice.uid, bob.uid, carol.uid);

    // Only friends may be added; then the group is made and every member told.
    let refused = alice.chat.create_group("Team", &[bob.uid, dave.uid]).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotFriend));
    let name = "Team 🚀 '; DROP TABLE group_chat; --";
    let created = alice.chat.create_group(name, &[bob.uid, carol.uid]).await.expect("created").group;
    let group = created.thread_id;
    assert_eq!((created.name.as_str(), created.role.as_str(), created.members), (name, "owner", 3));
    for member in [&mut alice, &mut bob, &mut carol] {
        let event = next_event_of(member).await;
        assert_eq!((event.event.as_str(), event.by), ("create", a_uid));
        assert_eq!(event.uids, vec![b_uid, c_uid]);
    }

    // llfc's thread list shows it as a group.
    let threads = carol.chat.load_threads(carol.uid, 0).await.unwrap().threads;
    let listed = threads.iter().find(|t| t.thread_id == group).expect("listed");
    assert_eq!((listed.kind.as_str(), listed.user1_id, listed.user2_id), ("group", 0, 0));

    // A text with a mention: stored once, pushed to every other member on both servers.
    let sent = bob.chat.send_group_texts(bob.uid, group, &[("hi @carol", "u-1")], &[carol.uid]).await.unwrap();
    let seq = sent.chat_datas[0].seq;
    assert_eq!(seq, 2, "after the system message");
    for member in [&mut alice, &mut carol] {
        let push = next_group(member).await;
        assert_eq!((push.fromuid, push.thread_id, push.mentions.clone()), (b_uid, group, vec![c_uid]));
        assert_eq!((push.chat_datas[0].content.as_str(), push.chat_datas[0].seq), ("hi @carol", seq));
    }
    // A resend is the same message.
    let again = bob.chat.send_group_texts(bob.uid, group, &[("hi @carol", "u-1")], &[carol.uid]).await.unwrap();
    assert_eq!(again.chat_datas[0].message_id, sent.chat_datas[0].message_id);
    let reused = bob.chat.send_group_texts(bob.uid, group, &[("other", "u-1")], &[]).await.unwrap_err();
    assert_eq!(code(reused), Some(ErrorCode::UniqueIdReused));

    // Sync: the group's thread, its unread texts and how many mention the reader.
    let synced = carol.chat.sync(&[SyncCursor { thread_id: group, seq: 1 }]).await.unwrap();
    let thread = synced.threads.iter().find(|t| t.thread_id == group).expect("the group syncs");
    assert_eq!((thread.kind.as_str(), thread.unread, thread.mentions, thread.last_seq), ("group", 1, 1, seq));
    let text = synced.chat_datas.iter().find(|d| d.thread_id == group).unwrap();
    assert_eq!(text.mentions, vec![carol.uid]);

    // Non-members: nothing to read, send, list or change; mentions only of members.
    for refused in [
        dave.chat.send_group_texts(dave.uid, group, &[("let me in", "d-1")], &[]).await.unwrap_err(),
        dave.chat.group_info(group).await.map(|_| ()).unwrap_err(),
        dave.chat.group_members_page(group, 0).await.map(|_| ()).unwrap_err(),
        dave.chat.load_older(group, 100).await.map(|_| ()).unwrap_err(),
        dave.chat.invite_to_group(group, &[bob.uid]).await.map(|_| ()).unwrap_err(),
        dave.chat.group_info(i64::MAX).await.map(|_| ()).unwrap_err(),
    ] {
        assert_eq!(code(refused), Some(ErrorCode::NotThreadMember));
    }
    let refused = bob.chat.send_group_texts(bob.uid, group, &[("@dave", "u-2")], &[dave.uid]).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotGroupMember));

    // Members invite their own friends; carol is not dave's friend.
    let refused = carol.chat.invite_to_group(group, &[dave.uid]).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotFriend));
    let invited = bob.chat.invite_to_group(group, &[dave.uid]).await.unwrap().group;
    assert_eq!(invited.members, 4);
    let event = next_event_of(&mut dave).await;
    assert_eq!((event.event.as_str(), event.uids.clone()), ("invite", vec![dave.uid]));
    for member in [&mut alice, &mut bob, &mut carol] {
        assert_eq!(next_event_of(member).await.event, "invite");
    }
    // dave reads from his joining on: not bob's earlier text.
    let synced = dave.chat.sync(&[]).await.unwrap();
    let seen: Vec<i64> = synced.chat_datas.iter().filter(|d| d.thread_id == group).map(|d| d.seq).collect();
    assert_eq!(seen, vec![seq + 1], "only the system message of his joining");
    let older = dave.chat.load_older(group, seq + 1).await.unwrap();
    assert!(older.chat_datas.is_empty(), "{older:?}");
    // The cap (4 here).
    let refused = alice.chat.invite_to_group(group, &[erin.uid]).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::GroupFull));

    // Roles: members may not do an admin's work, admins not an owner's.
    let rename = |name: &str| GroupUpdateReq { thread_id: group, name: Some(name.to_owned()), ..Default::default() };
    let refused = carol.chat.update_group(rename("mine")).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotGroupAdmin));
    let refused = carol.chat.remove_from_group(group, dave.uid).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotGroupAdmin));
    let refused = bob.chat.set_group_role(group, carol.uid, "admin").await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotGroupOwner));
    alice.chat.set_group_role(group, bob.uid, "admin").await.unwrap();
    let refused = bob.chat.disband_group(group).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotGroupOwner));
    for bad in ["", " padded ", "right\u{202E}left", "zero\u{200B}width", &"x".repeat(65)] {
        let refused = bob.chat.update_group(rename(bad)).await.unwrap_err();
        assert_eq!(code(refused), Some(ErrorCode::InvalidArgument), "{bad:?}");
    }
    let announce = |text: String| GroupUpdateReq { thread_id: group, announcement: Some(text), ..Default::default() };
    for bad in ["x".repeat(1001), "hidden\u{2066}text".to_owned(), "bell\u{7}".to_owned()] {
        let refused = bob.chat.update_group(announce(bad.clone())).await.unwrap_err();
        assert_eq!(code(refused), Some(ErrorCode::InvalidArgument), "{bad:?}");
    }
    let refused = bob.chat.create_group("bad\u{202E}name", &[alice.uid]).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::InvalidArgument));
    // Every refusal above changed nothing.
    let unchanged = alice.chat.group_info(group).await.unwrap().group;
    assert_eq!((unchanged.name.as_str(), unchanged.announcement.as_str(), unchanged.members), (name, "", 4));
    let renamed = bob.chat.update_group(rename("Team 🚀 v2")).await.unwrap().group;
    assert_eq!(renamed.name, "Team 🚀 v2");
    let announce =
        GroupUpdateReq { thread_id: group, announcement: Some("ship it\nfriday".into()), ..Default::default() };
    assert_eq!(bob.chat.update_group(announce).await.unwrap().group.announcement, "ship it\nfriday");
    let refused = bob.chat.remove_from_group(group, alice.uid).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::InvalidArgument), "nobody removes the owner");
    let refused = bob.chat.remove_from_group(group, erin.uid).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotGroupMember));
    let members = alice.chat.group_members(group).await.unwrap();
    let roles: Vec<(i32, &str)> = members.iter().map(|m| (m.uid, m.role.as_str())).collect();
    let mut expected = vec![(alice.uid, "owner"), (bob.uid, "admin"), (carol.uid, "member"), (dave.uid, "member")];
    expected.sort();
    assert_eq!(roles, expected);

    // An admin removes carol: she hears of it, then can neither send nor read.
    let seen_before =
        carol.chat.sync(&[]).await.unwrap().threads.iter().find(|t| t.thread_id == group).unwrap().last_seq;
    bob.chat.remove_from_group(group, carol.uid).await.unwrap();
    loop {
        let event = next_event_of(&mut carol).await;
        if event.event == "remove" {
            assert_eq!(event.uids, vec![carol.uid]);
            break;
        }
    }
    let refused = carol.chat.send_group_texts(carol.uid, group, &[("still here?", "c-1")], &[]).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotThreadMember));
    let refused = carol.chat.load_messages(group, 0).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::NotThreadMember));
    let synced = carol.chat.sync(&[SyncCursor { thread_id: group, seq: seen_before }]).await.unwrap();
    assert!(synced.threads.iter().all(|t| t.thread_id != group), "a removed member's cursor reads nothing");

    // Mute is the member's own; leaving; the owner's disband ends the writing.
    assert!(dave.chat.mute_group(group, true).await.unwrap().group.muted);
    let left = dave.chat.leave_group(group).await.unwrap().group;
    assert_eq!(left.role, "");
    alice.chat.disband_group(group).await.unwrap();
    loop {
        if next_event_of(&mut bob).await.event == "disband" {
            break;
        }
    }
    let refused = bob.chat.send_group_texts(bob.uid, group, &[("anyone?", "u-3")], &[]).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::GroupDisbanded));
    let refused = alice.chat.invite_to_group(group, &[carol.uid]).await.unwrap_err();
    assert_eq!(code(refused), Some(ErrorCode::GroupDisbanded));
    let history = bob.chat.load_messages(group, 0).await.expect("a disbanded group can be read");
    assert!(!history.chat_datas.is_empty());
    cluster.shutdown().await;
}

both!(an_owner_who_leaves_hands_the_group_on_and_operators_see_and_disband_groups);
async fn an_owner_who_leaves_hands_the_group_on_and_operators_see_and_disband_groups(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let mut friends = cluster.friends().await;
    let (a, b) = (&mut friends.a, &mut friends.b);
    let group = a.chat.create_group("ops", &[b.uid]).await.unwrap().group.thread_id;
    let mut admin = cluster.admin().await;
    let listed = admin.list_groups(ListGroupsReq { member: b.uid, ..Default::default() }).await.unwrap().into_inner();
    assert_eq!(listed.groups.iter().map(|g| g.thread_id).collect::<Vec<_>>(), vec![group]);
    let shown = admin.show_group(ShowGroupReq { thread_id: group }).await.unwrap().into_inner();
    assert!(shown.found);
    assert_eq!(shown.group.as_ref().map(|g| (g.owner, g.members)), Some((a.uid, 2)));

    // The owner leaves: the longest-standing member takes over.
    a.chat.leave_group(group).await.unwrap();
    let info = b.chat.group_info(group).await.unwrap().group;
    assert_eq!((info.owner, info.role.as_str(), info.members), (b.uid, "owner", 1));
    let members = admin.list_group_members(ListGroupMembersReq { thread_id: group, ..Default::default() }).await;
    let members = members.unwrap().into_inner();
    assert_eq!(members.members.iter().map(|m| (m.uid, m.role.as_str())).collect::<Vec<_>>(), vec![(b.uid, "owner")]);

    // An operator's disband reaches the members like an owner's.
    let done = admin.disband_group(DisbandGroupReq { thread_id: group }).await.unwrap().into_inner();
    assert!(done.found && done.disbanded);
    loop {
        let push = next_group(b).await;
        let event: GroupEvent = serde_json::from_str(&push.chat_datas[0].content).unwrap();
        if event.event == "disband" {
            assert_eq!(event.by, 0, "by an operator");
            break;
        }
    }
    let again = admin.disband_group(DisbandGroupReq { thread_id: group }).await.unwrap().into_inner();
    assert!(again.found && again.already);
    let missing = admin.disband_group(DisbandGroupReq { thread_id: i64::MAX }).await.unwrap().into_inner();
    assert!(!missing.found);
    cluster.shutdown().await;
}

both!(no_stored_row_wedges_a_thread_and_events_stay_bounded);
/// Review 3, N8: an invite of many names is stored as a bounded event (the first
/// `EVENT_NAMES` names, every uid); a row that could never be framed (stored before the bound,
/// or raw) reaches sync, history and older pages as a small stub, so each moves past it.
async fn no_stored_row_wedges_a_thread_and_events_stay_bounded(flavor: Flavor) {
    use imchat_proto::msg::{EVENT_NAMES, OVERSIZE_EVENT, OVERSIZE_TEXT};
    let cluster = TestCluster::start(flavor).await;
    let mut f = cluster.friends().await;
    let mut invited = Vec::new();
    for i in 0..EVENT_NAMES + 3 {
        let user = cluster.register(&format!("puppet{i}")).await;
        let mut client = cluster.login_on(&user, i % 2).await;
        befriend(&mut client, &mut f.a).await;
        invited.push(user.uid);
    }
    let group = f.a.chat.create_group("many", &[f.b.uid]).await.expect("created").group.thread_id;
    f.a.chat.invite_to_group(group, &invited).await.expect("invited");
    let event = loop {
        let event = next_event_of(&mut f.b).await;
        if event.event == "invite" {
            break event;
        }
    };
    assert_eq!((event.uids.len(), event.names.len()), (EVENT_NAMES + 3, EVENT_NAMES));
    assert!(event.describe().ends_with("and 3 others"), "{}", event.describe());

    // Rows no frame can carry (each escapes to ~72 KB), then an ordinary text after each.
    let raw = "\u{1}".repeat(12_000);
    let now = imchat_store::now_ms();
    let row = |thread_id, receiver, msg_type, content: &str| imchat_store::NewMsg {
        thread_id,
        sender: f.a.uid,
        receiver,
        unique_id: String::new(),
        content: content.to_owned(),
        msg_type,
        status: 2,
        created_at: now,
        mentions: Vec::new(),
        reply_seq: 0,
        forwarded_from: 0,
    };
    let db = &cluster.suite.db;
    db.store_messages(&[row(f.thread_id, f.b.uid, 1, &raw)]).await.expect("stored");
    db.store_messages(&[row(group, 0, MSG_TYPE_SYSTEM, &raw)]).await.expect("stored");
    f.a.chat.send_texts(f.a.uid, f.b.uid, f.thread_id, &[("after", "p-1")]).await.expect("sent");
    f.a.chat.send_group_texts(f.a.uid, group, &[("after", "g-1")], &[]).await.expect("sent");

    let synced = f.b.chat.sync(&[]).await.expect("a sync page");
    for thread in [f.thread_id, group] {
        let contents: Vec<&str> =
            synced.chat_datas.iter().filter(|d| d.thread_id == thread).map(|d| d.content.as_str()).collect();
        assert_eq!(contents.last(), Some(&"after"), "thread {thread} moved past the oversize row: {contents:?}");
    }
    assert!(synced.chat_datas.iter().any(|d| d.content == OVERSIZE_TEXT));
    let stub = synced
        .chat_datas
        .iter()
        .find(|d| d.thread_id == group && d.msg_type == MSG_TYPE_SYSTEM && d.content.len() < 100);
    let stub: GroupEvent = serde_json::from_str(&stub.expect("a stubbed event").content).unwrap();
    assert_eq!(stub.event, OVERSIZE_EVENT);
    // llfc's history pages and imchat's older pages carry the stub too.
    let page = f.b.chat.load_messages(f.thread_id, 0).await.expect("a history page");
    assert!(page.chat_datas.iter().any(|d| d.msg_content == OVERSIZE_TEXT), "{:?}", page.chat_datas.len());
    assert!(page.chat_datas.iter().any(|d| d.msg_content == "after"));
    let end = synced.threads.iter().find(|t| t.thread_id == group).expect("the group").last_seq;
    let older = f.b.chat.load_older(group, end).await.expect("an older page");
    assert!(older.chat_datas.iter().any(|d| d.msg_type == MSG_TYPE_SYSTEM && d.content.contains(OVERSIZE_EVENT)));
    drop(f);
    cluster.shutdown().await;
}
