//! Friendships after they start, across two chat servers: ending one (the thread stays, no
//! texts go either way, either may ask again), blocking (the blocked user's requests, texts
//! and mentions fare exactly as a stranger's, so nothing reveals the block), and a remark per
//! friend; the user's other devices hear of each.

use imchat_proto::ErrorCode;
use imchat_proto::msg::DeviceKind;
use imchat_sdk::{Device, Event};
use imchat_tests::{Client, Flavor, TestCluster};

fn refusal(err: imchat_sdk::SdkError) -> Option<ErrorCode> {
    err.code()
}

/// The next friendship change `client` is pushed (other pushes skipped).
async fn next_change(client: &mut Client) -> imchat_proto::msg::NotifyFriendChanged {
    loop {
        match client.next_event().await {
            Event::FriendChanged(changed) => return changed,
            Event::Closed => panic!("uid {}: closed before a friendship change came", client.uid),
            _ => {}
        }
    }
}

both!(an_ended_friendship_stops_texts_both_ways_at_once);
async fn an_ended_friendship_stops_texts_both_ways_at_once(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (mut a, b) = (f.a, f.b);
    let mut desk = cluster.login_device(&f.alice, 1, &Device::new(DeviceKind::Tui)).await;
    // Bob's server has checked the friendship (and keeps it).
    b.chat.send_texts(bob, alice, thread, &[("before", "{u1}")]).await.unwrap();

    a.chat.unfriend(bob).await.expect("ended");
    let changed = next_change(&mut desk).await;
    assert_eq!((changed.uid, changed.friend, changed.blocked), (bob, false, false));
    // At once, on the other server too: no text goes either way.
    let theirs = b.chat.send_texts(bob, alice, thread, &[("after", "{u2}")]).await.unwrap_err();
    assert_eq!(refusal(theirs), Some(ErrorCode::NotFriend));
    let mine = a.chat.send_texts(alice, bob, thread, &[("after", "{u3}")]).await.unwrap_err();
    assert_eq!(refusal(mine), Some(ErrorCode::NotFriend));
    // The thread stays readable, with what was said.
    let synced = a.chat.sync(&[]).await.unwrap();
    assert!(synced.chat_datas.iter().any(|d| d.thread_id == thread && d.content == "before"));
    // Either may ask again.
    b.chat.add_friend(bob, alice, "sorry", "").await.unwrap();
    let request = loop {
        match a.next_event().await {
            Event::FriendRequest(request) => break request,
            Event::Closed => panic!("closed"),
            _ => {}
        }
    };
    assert_eq!(request.applyuid, bob);
    a.chat.accept_friend(alice, bob, "").await.expect("friends again");
    b.chat.send_texts(bob, alice, thread, &[("hi again", "{u4}")]).await.expect("texts go again");
    cluster.shutdown().await;
}

both!(a_block_looks_like_being_a_stranger);
async fn a_block_looks_like_being_a_stranger(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let (mut a, b) = (f.a, f.b);
    let carol = cluster.register("carol").await;
    let mut c = cluster.login_on(&carol, 1).await;
    crate::groups::befriend(&mut a, &mut c).await;
    let group = a.chat.create_group("three", &[bob, carol.uid]).await.unwrap().group.thread_id;
    let mut desk = cluster.login_device(&f.alice, 0, &Device::new(DeviceKind::Tui)).await;

    let blocked = a.chat.block(bob, true).await.expect("blocked");
    assert_eq!(blocked.blocked_list, [bob]);
    let changed = next_change(&mut desk).await;
    assert_eq!((changed.uid, changed.friend, changed.blocked), (bob, false, true));

    // Bob's text and request fare as a stranger's: carol, no friend of his, gets the same.
    let text = b.chat.send_texts(bob, alice, thread, &[("hello?", "{b1}")]).await.unwrap_err();
    let stranger = c.chat.send_texts(carol.uid, bob, thread, &[("hi", "{c1}")]).await.unwrap_err();
    assert_eq!((refusal(text), refusal(stranger)), (Some(ErrorCode::NotFriend), Some(ErrorCode::NotFriend)));
    assert_eq!(b.chat.add_friend(bob, alice, "let me back", "").await.unwrap().error, 0, "answered as any request");
    // His @mention in the group does not reach her as one; the text does.
    b.chat.send_group_texts(bob, group, &[("@alice look", "{g1}")], &[alice, carol.uid]).await.unwrap();
    let push = loop {
        match a.next_event().await {
            Event::Group(push) if push.chat_datas.iter().any(|d| d.content == "@alice look") => break push,
            Event::FriendRequest(request) => panic!("a blocked user's request reached her: {request:?}"),
            Event::Closed => panic!("closed"),
            _ => {}
        }
    };
    assert_eq!(push.mentions, [carol.uid], "carol is mentioned, alice is not");

    // Unblocked: he may ask again, and it arrives.
    assert_eq!(a.chat.block(bob, false).await.unwrap().blocked_list, Vec::<i32>::new());
    b.chat.add_friend(bob, alice, "please", "").await.unwrap();
    loop {
        match a.next_event().await {
            Event::FriendRequest(request) => {
                assert_eq!((request.applyuid, request.desc.as_str()), (bob, "please"), "only the request after");
                break;
            }
            Event::Closed => panic!("closed"),
            _ => {}
        }
    }
    cluster.shutdown().await;
}

both!(a_remark_is_the_users_own_and_follows_their_devices);
async fn a_remark_is_the_users_own_and_follows_their_devices(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob) = (f.alice.uid, f.bob.uid);
    let a = f.a;
    let mut desk = cluster.login_device(&f.alice, 1, &Device::new(DeviceKind::Tui)).await;
    assert_eq!(a.chat.set_remark(bob, "老同学 Bob").await.unwrap().remark, "老同学 Bob");
    let changed = next_change(&mut desk).await;
    assert_eq!((changed.uid, changed.friend, changed.remark.as_str()), (bob, true, "老同学 Bob"));
    // The next login shows it (a new cli session, which ends the old one); a stranger takes none.
    let again = cluster.login_on(&f.alice, 0).await;
    assert_eq!(again.uid, alice);
    let friend = again.login.friend_list.iter().find(|fr| fr.uid == bob).unwrap();
    assert_eq!(friend.back, "老同学 Bob");
    let carol = cluster.register("carol").await;
    let stranger = again.chat.set_remark(carol.uid, "who?").await.unwrap_err();
    assert_eq!(refusal(stranger), Some(ErrorCode::NotFriend));
    drop(a);
    cluster.shutdown().await;
}

/// The next presence push `client` gets (other pushes skipped).
async fn next_presence(client: &mut Client) -> imchat_proto::msg::Presence {
    loop {
        match client.next_event().await {
            Event::Presence(presence) => return presence,
            Event::Closed => panic!("uid {}: closed before a presence came", client.uid),
            _ => {}
        }
    }
}

both!(presence_follows_each_users_setting_across_servers);
/// Friends see each other online and last seen by default; a stranger sees nothing unless the
/// user lets everyone; `nobody` hides it and stops the pushes. Across two chat servers.
async fn presence_follows_each_users_setting_across_servers(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let f = cluster.friends().await;
    let (alice, bob, thread) = (f.alice.uid, f.bob.uid, f.thread_id);
    let b = f.b;
    drop(f.a);
    // Alice's client follows presence (a login that names `presence`).
    let http = cluster.gate.login(&f.alice.email, &f.alice.password).await.unwrap();
    let (chat, events) = imchat_sdk::ChatClient::connect(&cluster.suite.chats[0].addr.to_string()).await.unwrap();
    chat.follow_presence();
    let login = chat.login(http.uid, &http.token).await.unwrap();
    let mut a = Client { chat, events, login, uid: alice };
    let carol = cluster.register("carol").await;
    let c = cluster.login_on(&carol, 1).await;

    let seen = a.chat.presence(&[bob, carol.uid]).await.unwrap();
    assert_eq!((seen[0].visible, seen[0].online), (true, true), "a friend, online on the other server");
    assert_eq!((seen[1].visible, seen[1].online), (false, false), "a stranger's is hidden by default");
    assert_eq!(c.chat.set_presence("everyone").await.unwrap().presence, "everyone");
    assert!(a.chat.presence(&[carol.uid]).await.unwrap()[0].online, "unless they let everyone see");

    // Bob's last session ends: alice hears of it, with when.
    b.chat.close().await;
    let gone = next_presence(&mut a).await;
    assert_eq!((gone.uid, gone.online), (bob, false));
    assert!(!gone.last_seen.is_empty(), "{gone:?}");
    let asked = a.chat.presence(&[bob]).await.unwrap();
    assert_eq!((asked[0].online, asked[0].last_seen.clone()), (false, gone.last_seen));
    // He comes back on another device: she hears that too.
    let back = cluster.login_device(&f.bob, 0, &Device::new(DeviceKind::Tui)).await;
    let here = next_presence(&mut a).await;
    assert_eq!((here.uid, here.online), (bob, true));

    // Nobody: hidden from friends too, and no more pushes.
    assert_eq!(back.chat.set_presence("nobody").await.unwrap().presence, "nobody");
    assert!(!a.chat.presence(&[bob]).await.unwrap()[0].visible);
    back.chat.close().await;
    let again = cluster.login_device(&f.bob, 1, &Device::new(DeviceKind::Bot)).await;
    again.chat.send_texts(bob, alice, thread, &[("I'm invisible", "{inv}")]).await.unwrap();
    match a.next_event().await {
        Event::Text(text) => assert_eq!(text.chat_datas[0].content, "I'm invisible"),
        other => panic!("no presence of someone who shows it to nobody: {other:?}"),
    }
    let bad = a.chat.set_presence("some").await.unwrap_err();
    assert_eq!(refusal(bad), Some(ErrorCode::InvalidArgument));
    cluster.shutdown().await;
}
