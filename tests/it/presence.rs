//! Where users are: duplicate logins, operator kicks, a crashed chat server, offline sync.

use imchat_proto::ErrorCode;
use imchat_proto::grpc::admin_service_client::AdminServiceClient;
use imchat_proto::grpc::{AdminKickReq, ListChatServersReq, LookupUserReq};
use imchat_proto::msg::SyncCursor;
use imchat_sdk::Event;
use imchat_tests::{Flavor, TestCluster, wait_for};

async fn admin(cluster: &TestCluster) -> AdminServiceClient<imchat_rpc::Authed> {
    cluster.admin().await
}

both!(second_login_kicks_the_first_across_servers);
async fn second_login_kicks_the_first_across_servers(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let alice = cluster.register("alice").await;
    let mut first = cluster.login_on(&alice, 0).await;
    let second = cluster.login_on(&alice, 1).await;
    let Event::Kicked(notice) = first.next_event().await else { panic!("expected 1021") };
    assert_eq!(notice.uid, alice.uid);
    // The old connection stays open for llfc's client to close (KickGraceSecs): only heartbeats
    // are answered.
    assert_eq!(first.chat.heartbeat(alice.uid).await.unwrap().error, 0);
    let refused = first.chat.search("anyone").await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::NotLoggedIn), "{refused}");
    first.chat.close().await;
    assert_eq!(second.chat.heartbeat(alice.uid).await.unwrap().error, 0, "the new session lives");

    let mut status = admin(&cluster).await;
    let looked = status.lookup_user(LookupUserReq { uid: alice.uid }).await.unwrap().into_inner();
    assert_eq!(looked.server, "chatserver2");
    assert!(looked.has_token && looked.token_ttl_secs > 0, "tokens expire");

    // Same-server duplicate login.
    let mut third = cluster.login_on(&alice, 1).await;
    let mut second = second;
    assert!(matches!(second.next_event().await, Event::Kicked(_)));
    // Operator kick with a reason.
    let kicked = status
        .kick_user(AdminKickReq { uid: alice.uid, reason: "maintenance".into(), ..Default::default() })
        .await
        .unwrap();
    let kicked = kicked.into_inner();
    assert!(kicked.found, "{kicked:?}");
    let Event::Kicked(notice) = third.next_event().await else { panic!("expected 1021") };
    assert_eq!(notice.reason, "maintenance");
    let gone = status.kick_user(AdminKickReq { uid: alice.uid, ..Default::default() }).await.unwrap();
    wait_for("the kicked user's route to clear", || async {
        let looked = admin(&cluster).await.lookup_user(LookupUserReq { uid: alice.uid }).await.ok()?.into_inner();
        looked.server.is_empty().then_some(())
    })
    .await;
    let _ = gone;
    cluster.shutdown().await;
}

both!(racing_logins_of_one_user_each_get_their_answer);
async fn racing_logins_of_one_user_each_get_their_answer(flavor: Flavor) {
    // A newer login kicks the older session as soon as the older login releases the user's
    // lock, possibly before the older login has queued its reply: that reply still comes
    // first (then 1021), never a bare close.
    const RACERS: usize = 4;
    const LOGINS_EACH: usize = 40;
    let cluster = TestCluster::start(flavor).await;
    let alice = cluster.register("alice").await;
    let http = cluster.gate.login(&alice.email, &alice.password).await.unwrap();
    let addr = cluster.suite.chats[0].addr.to_string();
    let racers: Vec<_> = (0..RACERS)
        .map(|_| {
            let (addr, token) = (addr.clone(), http.token.clone());
            tokio::spawn(async move {
                for _ in 0..LOGINS_EACH {
                    let (chat, _events) = imchat_sdk::ChatClient::connect(&addr).await.unwrap();
                    match chat.login(alice.uid, &token).await {
                        Ok(reply) => assert_eq!(reply.uid, alice.uid),
                        Err(err) if err.code() == Some(ErrorCode::LoginBusy) => {}
                        Err(err) => panic!("a login went unanswered: {err}"),
                    }
                    chat.close().await;
                }
            })
        })
        .collect();
    for racer in racers {
        racer.await.unwrap();
    }
    cluster.shutdown().await;
}

both!(offline_messages_arrive_by_sync_exactly_once);
async fn offline_messages_arrive_by_sync_exactly_once(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let pair = cluster.friends().await;
    pair.b.chat.close().await;
    let a = &pair.a;
    for n in 0..3 {
        let unique = format!("{{off-{n}}}");
        a.chat.send_texts(a.uid, pair.bob.uid, pair.thread_id, &[(&format!("while away {n}"), &unique)]).await.unwrap();
    }
    // A resend of the last message is not stored twice.
    let resent = a.chat.send_texts(a.uid, pair.bob.uid, pair.thread_id, &[("while away 2", "{off-2}")]).await.unwrap();

    let b = cluster.login_on(&pair.bob, 0).await;
    let sync = b.chat.sync(&[]).await.unwrap();
    assert_eq!(sync.threads.len(), 1);
    assert_eq!(sync.threads[0].peer_uid, pair.alice.uid);
    assert_eq!(sync.threads[0].unread, 4, "greeting + 3 texts (bob's own message is not unread)");
    let texts: Vec<&str> = sync.chat_datas.iter().map(|d| d.content.as_str()).collect();
    assert_eq!(texts, ["hi, it's alice", "We are friends now!", "while away 0", "while away 1", "while away 2"]);
    assert_eq!(sync.chat_datas.last().unwrap().message_id, resent.chat_datas[0].message_id);
    let cursor = SyncCursor { thread_id: pair.thread_id, seq: sync.threads[0].last_seq };
    let again = b.chat.sync(&[cursor]).await.unwrap();
    assert!(again.chat_datas.is_empty() && again.threads.is_empty(), "nothing is delivered twice");
    cluster.shutdown().await;
}

/// A paged sync (server pages of two threads here) walks every thread in order, one bounded
/// request per page, and the SDK sends only the page's cursors: caught up, it brings nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paged_sync_walks_every_thread_in_pages() {
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| file.limits.sync_threads = 2).await;
    let hub = cluster.register("hub").await;
    let mut me = cluster.login_on(&hub, 0).await;
    for n in 0..5 {
        let friend = cluster.register(&format!("friend{n}")).await;
        let other = cluster.login_on(&friend, 1).await;
        other.chat.add_friend(other.uid, me.uid, "hi", "").await.unwrap();
        assert!(matches!(me.next_event().await, Event::FriendRequest(_)));
        me.chat.accept_friend(me.uid, other.uid, "").await.unwrap();
        other.chat.close().await;
    }
    let walk = async |cursors: &[SyncCursor]| {
        let (mut after, mut pages, mut threads, mut datas) = (0, 0, Vec::new(), Vec::new());
        loop {
            let page = me.chat.sync_page(cursors, None, after).await.unwrap();
            pages += 1;
            assert!(page.threads.len() <= 2, "a page holds the server's page of threads");
            threads.extend(page.threads.iter().map(|t| t.thread_id));
            datas.extend(page.chat_datas);
            if !page.more {
                return (pages, threads, datas);
            }
            after = page.next_thread.expect("a paged reply with more says where to go on");
        }
    };
    let (pages, threads, datas) = walk(&[]).await;
    assert_eq!(pages, 3, "five threads in pages of two");
    assert_eq!(threads.len(), 5);
    assert!(threads.is_sorted(), "oldest thread first");
    assert_eq!(datas.len(), 10, "each thread's greeting and acceptance");
    let mut last = std::collections::BTreeMap::new();
    for d in &datas {
        let seq = last.entry(d.thread_id).or_insert(0);
        *seq = d.seq.max(*seq);
    }
    let cursors: Vec<SyncCursor> = last.into_iter().map(|(thread_id, seq)| SyncCursor { thread_id, seq }).collect();
    let (_, threads, datas) = walk(&cursors).await;
    assert!(threads.is_empty() && datas.is_empty(), "caught up, nothing comes twice");
    cluster.shutdown().await;
}

both!(crashed_chat_server_drops_out_and_nothing_is_lost);
async fn crashed_chat_server_drops_out_and_nothing_is_lost(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let pair = cluster.friends().await;
    cluster.suite.chats[1].crash();
    let mut b = pair.b;
    assert_eq!(b.next_event().await, Event::Closed, "bob's connection dies with his server");
    let mut status = admin(&cluster).await;
    wait_for("the crashed server to leave the registry", || {
        let mut status = status.clone();
        async move {
            let list = status.list_chat_servers(ListChatServersReq {}).await.ok()?.into_inner();
            let live: Vec<String> = list.servers.iter().filter(|s| s.live).map(|s| s.name.clone()).collect();
            (live == ["chatserver1"]).then_some(())
        }
    })
    .await;
    let stale = status.list_chat_servers(ListChatServersReq {}).await.unwrap().into_inner();
    assert!(stale.servers.iter().any(|s| s.name == "chatserver2" && !s.live), "a crashed server shows as stale");

    // Alice keeps chatting; bob's route points at a dead server, so nothing is pushed.
    let a = &pair.a;
    let sent = a.chat.send_texts(a.uid, pair.bob.uid, pair.thread_id, &[("are you there?", "{c-1}")]).await.unwrap();
    // Bob logs in again: the gate hands out the live server, and sync brings the message.
    let http = cluster.gate.login(&pair.bob.email, &pair.bob.password).await.unwrap();
    assert_eq!(http.chatport, cluster.suite.chats[0].addr.port().to_string());
    let b = cluster.login_on(&pair.bob, 0).await;
    let sync = b.chat.sync(&[SyncCursor { thread_id: pair.thread_id, seq: 2 }]).await.unwrap();
    let ids: Vec<i64> = sync.chat_datas.iter().map(|d| d.message_id).collect();
    assert_eq!(ids, [sent.chat_datas[0].message_id]);
    // Live delivery works again now that bob is back.
    a.chat.send_texts(a.uid, pair.bob.uid, pair.thread_id, &[("welcome back", "{c-2}")]).await.unwrap();
    let mut b = b;
    let Event::Text(pushed) = b.next_event().await else { panic!("expected 1019") };
    assert_eq!(pushed.chat_datas[0].content, "welcome back");
    assert_eq!(
        b.chat.sync(&[SyncCursor { thread_id: pair.thread_id, seq: -5 }]).await.unwrap().error,
        ErrorCode::Success.code()
    );
    cluster.shutdown().await;
}

both!(idle_sessions_are_closed);
async fn idle_sessions_are_closed(flavor: Flavor) {
    let cluster =
        TestCluster::start_with(flavor, |file| file.limits.idle_timeout = std::time::Duration::from_millis(300)).await;
    let alice = cluster.register("alice").await;
    let mut quiet = cluster.login_on(&alice, 0).await;
    let busy = cluster.login_on(&cluster.register("bob").await, 0).await;
    let beats = busy.chat.spawn_heartbeat(busy.uid, std::time::Duration::from_millis(50));
    assert_eq!(quiet.next_event().await, Event::Closed, "no frame within the idle timeout closes the session");
    assert_eq!(busy.chat.heartbeat(busy.uid).await.unwrap().error, 0, "heartbeats keep a session alive");
    beats.abort();
    wait_for("the idle user's route to clear", || async {
        let looked = admin(&cluster).await.lookup_user(LookupUserReq { uid: alice.uid }).await.ok()?.into_inner();
        looked.server.is_empty().then_some(())
    })
    .await;
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_burst_is_spread_over_the_live_servers() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let mut users = Vec::new();
    for name in ["u1", "u2", "u3", "u4"] {
        users.push(cluster.register(name).await);
    }
    let mut ports = std::collections::BTreeSet::new();
    for user in &users {
        ports.insert(cluster.gate.login(&user.email, &user.password).await.unwrap().chatport);
    }
    let all: std::collections::BTreeSet<String> =
        cluster.suite.chats.iter().map(|c| c.addr.port().to_string()).collect();
    assert_eq!(ports, all, "logins handed out between heartbeats still go to both servers");
    cluster.shutdown().await;
}

/// Redis restarted (empty) under live sessions on two chat servers: nothing else is restarted,
/// the first requests after it are answered, the servers re-announce themselves and restore the
/// routes of their sessions, and pushes flow again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restart_strands_no_session() {
    let mut redis = imchat_tests::services::PrivateRedis::start().await;
    let cluster = TestCluster::start_on_redis(&redis.url()).await;
    let mut f = cluster.friends().await;
    // Bob on a second device, on the other server: both servers hold a session of his.
    let desk = imchat_sdk::Device::new(imchat_proto::msg::DeviceKind::Tui);
    let mut bob_desk = cluster.login_device(&f.bob, 0, &desk).await;
    redis.restart().await;

    // Right after the restart, before anything is written back: pushes still reach the live
    // peer (its address and the route were known before), none is given up.
    let sent = f.a.chat.send_texts(f.a.uid, f.b.uid, f.thread_id, &[("just restarted", "{r0}")]).await.unwrap();
    for bob in [&mut f.b, &mut bob_desk] {
        let Event::Text(push) = bob.next_event().await else { panic!("the push reaches bob") };
        assert_eq!(push.chat_datas[0].message_id, sent.chat_datas[0].message_id);
    }

    // The first call of each process on its dropped connection goes out again on a new one.
    let http = cluster.gate.login(&f.alice.email, &f.alice.password).await.expect("a login right after the restart");
    assert!(http.chat_addr().is_some());
    let (kv, presence) = (cluster.kv().await, cluster.presence().await);
    wait_for("both chat servers back in the registry", || async {
        (imchat_store::registry::live(&kv).await.ok()?.len() == 2).then_some(())
    })
    .await;
    for uid in [f.a.uid, f.b.uid] {
        wait_for("the live sessions' routes to be restored", || async {
            (!presence.route(uid).await.ok()?.is_empty()).then_some(())
        })
        .await;
    }
    // Each server wrote its own session of bob's back, beside the other's.
    wait_for("both of bob's sessions restored", || async {
        let sessions = presence.lookup(f.b.uid).await.ok()?.sessions;
        (sessions.entries().len() == 2 && sessions.servers().len() == 2).then_some(())
    })
    .await;
    let sent = f.a.chat.send_texts(f.a.uid, f.b.uid, f.thread_id, &[("after the restart", "{r1}")]).await.unwrap();
    for bob in [&mut f.b, &mut bob_desk] {
        let Event::Text(push) = bob.next_event().await else { panic!("the push reaches bob") };
        assert_eq!(push.chat_datas[0].message_id, sent.chat_datas[0].message_id);
    }
    let carol = cluster.register("carol").await;
    cluster.login_on(&carol, 1).await;
    cluster.shutdown().await;
}

/// Redis flushed under live sessions, with no restart to tell the servers: until their next
/// heartbeat writes the registry and the routes back (heartbeats are far apart here), pushes
/// between them keep going to the peers and routes they knew. A user typing for a second
/// outlasts the servers' half-second registry cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_flush_loses_no_push_before_the_next_heartbeat() {
    let redis = imchat_tests::services::PrivateRedis::start().await;
    let cluster = TestCluster::start_on_redis_with(&redis.url(), |file| {
        file.limits.registry_interval = std::time::Duration::from_secs(20);
        file.limits.registry_ttl = std::time::Duration::from_secs(60);
    })
    .await;
    let mut f = cluster.friends().await;
    redis.flush().await;
    let mut typing = tokio::time::interval(std::time::Duration::from_millis(100));
    for n in 0..12 {
        typing.tick().await;
        let unique = format!("{{flushed-{n}}}");
        let sent = f.a.chat.send_texts(f.a.uid, f.b.uid, f.thread_id, &[("typing", &unique)]).await.unwrap();
        let Event::Text(push) = f.b.next_event().await else { panic!("push {n} reaches bob") };
        assert_eq!(push.chat_datas[0].message_id, sent.chat_datas[0].message_id);
    }
    cluster.shutdown().await;
}

/// While Redis is down a chat login is refused with the retriable 1115, not a generic error,
/// and once it is back the same client logs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_while_redis_is_down_is_told_to_try_again() {
    let mut redis = imchat_tests::services::PrivateRedis::start().await;
    let cluster = TestCluster::start_on_redis(&redis.url()).await;
    let alice = cluster.register("alice").await;
    let http = cluster.gate.login(&alice.email, &alice.password).await.unwrap();
    redis.stop();
    let addr = cluster.suite.chats[0].addr.to_string();
    let (chat, _events) = imchat_sdk::ChatClient::connect(&addr).await.unwrap();
    let refused = chat.login(http.uid, &http.token).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::Unavailable), "{refused}");
    redis.start_again().await;
    // The store came back empty: a fresh HTTP login makes a new token (once each process's
    // reconnect, already under way, has found it).
    let http =
        wait_for("the gate to log in again", || async { cluster.gate.login(&alice.email, &alice.password).await.ok() })
            .await;
    let (chat, _events) = imchat_sdk::ChatClient::connect(&addr).await.unwrap();
    chat.login(http.uid, &http.token).await.expect("the login works again");
    cluster.shutdown().await;
}

/// MariaDB out of reach (every connection cut, new ones refused), then back: texts sent
/// meanwhile are refused with the retriable 1115 and not stored; once it is back a resend is
/// stored once and pushed, with nothing restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_answered_retriably_and_heals() {
    let proxy = imchat_tests::services::CuttableProxy::start(&imchat_tests::services::mysql_addr()).await;
    let cluster = TestCluster::start_via_db_proxy(&proxy).await;
    let mut f = cluster.friends().await;
    let (me, bob, thread) = (f.a.uid, f.b.uid, f.thread_id);
    f.a.chat.send_texts(me, bob, thread, &[("before", "{before}")]).await.unwrap();
    assert!(matches!(f.b.next_event().await, Event::Text(_)));
    proxy.cut();
    for n in 0..3 {
        let unique = format!("{{during{n}}}");
        let refused = f.a.chat.send_texts(me, bob, thread, &[("during", &unique)]).await.unwrap_err();
        assert_eq!(refused.code(), Some(ErrorCode::Unavailable), "{refused}");
    }
    proxy.restore().await;
    let stored = wait_for("a text to be stored again", || async {
        f.a.chat.send_texts(me, bob, thread, &[("after", "{after}")]).await.ok()
    })
    .await;
    let Event::Text(push) = f.b.next_event().await else { panic!("the push reaches bob") };
    assert_eq!(push.chat_datas[0].message_id, stored.chat_datas[0].message_id);
    let history = f.b.chat.load_messages(thread, 0).await.unwrap();
    let texts: Vec<&str> = history.chat_datas.iter().map(|d| d.msg_content.as_str()).collect();
    assert_eq!(texts.iter().filter(|t| **t == "after").count(), 1, "stored once: {texts:?}");
    assert!(!texts.contains(&"during"), "nothing refused was stored: {texts:?}");
    cluster.shutdown().await;
}
