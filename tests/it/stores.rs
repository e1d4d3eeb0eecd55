//! Stores through their public API: SQL on SQLite and MariaDB, key-value in memory and on Redis.

use std::collections::HashMap;
use std::time::Duration;

use imchat_store::{
    Accepted, Db, DbOptions, Kv, NewMsg, NewUser, PasswordReset, Registered, StoreError, ThreadRange, Ttl,
};
use imchat_tests::services;

async fn sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}?mode=rwc", dir.path().join("t.db").display());
    (Db::connect(&url, &DbOptions::default()).await.unwrap(), dir)
}

async fn mariadb() -> (Db, String) {
    let (url, name) = services::fresh_mysql_db().await;
    (Db::connect(&url, &DbOptions::default()).await.unwrap(), name)
}

/// Runs `$body` (an async fn taking `Db`) on SQLite and on MariaDB.
macro_rules! sql_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (db, _dir) = super::sqlite().await;
                super::$name(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mariadb() {
                let (db, name) = super::mariadb().await;
                super::$name(db.clone()).await;
                db.close().await;
                imchat_tests::services::drop_mysql_db(&name).await;
            }
        }
    };
}

async fn user(db: &Db, name: &str) -> i32 {
    let email = format!("{name}@example.com");
    let new = NewUser { name, email: &email, pwd_hash: "$argon2id$fake", icon: "" };
    match db.register(&new).await.unwrap() {
        Registered::Ok(uid) => uid,
        other => panic!("register {name}: {other:?}"),
    }
}

sql_test!(users_register_once_and_reset);
async fn users_register_once_and_reset(db: Db) {
    let a = user(&db, "ann").await;
    let b = user(&db, "ben 😀 '; DROP TABLE user; --").await;
    assert_eq!(b, a + 1);
    let dup_email = NewUser { name: "other", email: "ann@example.com", pwd_hash: "x", icon: "" };
    assert_eq!(db.register(&dup_email).await.unwrap(), Registered::EmailTaken);
    let dup_name = NewUser { name: "ann", email: "new@example.com", pwd_hash: "x", icon: "" };
    assert_eq!(db.register(&dup_name).await.unwrap(), Registered::NameTaken);
    assert_eq!(db.user_by_name("ben 😀 '; DROP TABLE user; --").await.unwrap().unwrap().uid, b);
    assert_eq!(db.user_by_name("ANN").await.unwrap(), None, "names compare exactly");
    assert_eq!(db.reset_password("ann", "wrong@example.com", "h2").await.unwrap(), PasswordReset::EmailMismatch);
    assert_eq!(db.reset_password("nobody", "ann@example.com", "h2").await.unwrap(), PasswordReset::NoSuchUser);
    assert_eq!(db.reset_password("ann", "ann@example.com", "h2").await.unwrap(), PasswordReset::Ok);
    assert_eq!(db.user_by_uid(a).await.unwrap().unwrap().pwd, "h2");
}

sql_test!(seeded_accounts_are_consecutive_and_all_or_nothing);
async fn seeded_accounts_are_consecutive_and_all_or_nothing(db: Db) {
    let before = user(&db, "first").await;
    let count = imchat_store::SEED_CHUNK * 2 + 7; // full chunks and a partial one
    let first = db.seed_users("w1", count, "$argon2id$cheap").await.unwrap();
    assert_eq!(first, before + 1);
    let last = db.user_by_email(&format!("w1.{}@bench.invalid", count - 1)).await.unwrap().unwrap();
    assert_eq!((last.uid, last.pwd.as_str()), (first + count as i32 - 1, "$argon2id$cheap"));
    assert_eq!(last.name, format!("w1_{}", count - 1));
    assert_eq!(db.user_by_name("w1_0").await.unwrap().unwrap().uid, first);
    // A prefix already used fails as a whole and leaves the uid sequence where it was.
    assert!(db.seed_users("w1", 3, "x").await.is_err());
    assert_eq!(user(&db, "after").await, first + count as i32);
}

sql_test!(friendship_thread_and_messages);
async fn friendship_thread_and_messages(db: Db) {
    let (a, b) = (user(&db, "a").await, user(&db, "b").await);
    assert_eq!(db.accept_friend(b, a, "A", 1).await.unwrap(), Accepted::NoPending);
    db.upsert_apply(a, b, "first", "B", 0).await.unwrap();
    db.upsert_apply(a, b, "hello", "B2", 0).await.unwrap();
    let Accepted::Ok { thread_id, messages } = db.accept_friend(b, a, "A", 1_000).await.unwrap() else {
        panic!("pending request was not found");
    };
    let seqs: Vec<(i64, &str, i32)> = messages.iter().map(|m| (m.seq, m.content.as_str(), m.sender)).collect();
    assert_eq!(seqs, [(1, "hello", a), (2, "We are friends now!", b)]);
    assert_eq!(db.accept_friend(b, a, "A", 1).await.unwrap(), Accepted::NoPending, "accepting twice");
    assert!(db.is_friend(a, b).await.unwrap() && db.is_friend(b, a).await.unwrap());
    let remarks: Vec<String> = db.friend_list(a).await.unwrap().into_iter().map(|f| f.back).collect();
    assert_eq!(remarks, ["B2"]);
    assert_eq!(db.private_thread(b, a, 2).await.unwrap(), thread_id, "one thread per pair, either order");

    // The login view is the user, their requests and their friends, as the separate queries say.
    let c = user(&db, "c").await;
    db.upsert_apply(c, b, "hi b, it's c", "C", 0).await.unwrap();
    let view = db.login_view(b, 10).await.unwrap().unwrap();
    assert_eq!(view.user, db.user_by_uid(b).await.unwrap().unwrap());
    assert_eq!(view.applies, db.apply_list(b, 10).await.unwrap());
    assert_eq!(
        view.applies.iter().map(|r| (r.from.uid, r.status)).collect::<Vec<_>>(),
        [(c, 0), (a, 1)],
        "newest first"
    );
    assert_eq!(view.friends, db.friend_list(b).await.unwrap());
    assert_eq!(view.friends.iter().map(|f| (f.friend.uid, f.back.as_str())).collect::<Vec<_>>(), [(a, "A")]);
    assert_eq!(db.login_view(b, 1).await.unwrap().unwrap().applies.len(), 1, "requests are limited");
    assert_eq!(db.login_view(9_999_999, 10).await.unwrap(), None);

    // A resend with the same unique id is stored once.
    let msg = |u: &str| NewMsg::text(thread_id, a, b, u, "text", 5);
    let first = db.store_messages(&[msg("u1"), msg("u2")]).await.unwrap();
    let again = db.store_messages(&[msg("u2"), msg("u3"), msg("u3")]).await.unwrap();
    assert_eq!(first[1], again[0]);
    assert_eq!(again[1], again[2]);
    // A plain resend (the insert itself meets the unique key) changes nothing either.
    assert_eq!(db.store_messages(&[msg("u1")]).await.unwrap()[0], first[0]);
    let seqs: Vec<i64> = first.iter().chain(&again[1..2]).map(|m| m.seq).collect();
    assert_eq!(seqs, [3, 4, 5]);
    // A message to a thread that does not exist is refused, alone or in a batch.
    let lost = |u: &str| NewMsg::text(9_999_999, a, b, u, "text", 5);
    assert!(matches!(db.store_messages(&[lost("x1")]).await, Err(StoreError::NotFound("thread"))));
    assert!(matches!(db.store_messages(&[lost("x2"), msg("x3")]).await, Err(StoreError::NotFound("thread"))));

    let page = db.history(thread_id, 0, 0, 3).await.unwrap();
    assert_eq!((page.messages.len(), page.more), (3, true));
    let rest = db.history(thread_id, page.messages[2].message_id, 0, 10).await.unwrap();
    assert_eq!((rest.messages.len(), rest.more), (2, false));

    let sync = db.sync(b, &HashMap::from([(thread_id, 2)]), None, ThreadRange::default(), 100).await.unwrap();
    assert_eq!(sync.threads[0].unread, 3, "three messages from a after seq 2");
    assert_eq!(sync.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 4, 5]);
    let sync = db.sync(b, &HashMap::from([(thread_id, 5)]), None, ThreadRange::default(), 100).await.unwrap();
    assert!(sync.messages.is_empty() && sync.threads.is_empty() && !sync.more);
    // A new device: only the last two messages, then older pages on demand.
    let recent = db.sync(b, &HashMap::new(), Some(2), ThreadRange::default(), 100).await.unwrap();
    assert_eq!(recent.messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [4, 5]);
    let (older, more) = db.history_before(thread_id, 4, 0, 2).await.unwrap();
    assert_eq!((older.iter().map(|m| m.seq).collect::<Vec<_>>(), more), (vec![2, 3], true));
    let (oldest, more) = db.history_before(thread_id, 2, 0, 2).await.unwrap();
    assert_eq!((oldest.iter().map(|m| m.seq).collect::<Vec<_>>(), more), (vec![1], false));
    let (threads, more) = db.user_threads(a, 0, 10).await.unwrap();
    assert_eq!((threads.len(), more), (1, false));
}

sql_test!(five_thousand_threads_sync_in_bounded_pages);
/// A user with 5,000 threads, each with one new message, syncs page by page: each request
/// covers at most its page of threads and messages, the pages together cover everything once,
/// and once caught up a pass brings nothing.
async fn five_thousand_threads_sync_in_bounded_pages(db: Db) {
    const THREADS: u32 = 5_000;
    const PAGE: i64 = 200;
    let me = user(&db, "hub").await;
    let first = db.seed_users("peer", THREADS, "$argon2id$fake").await.unwrap();
    let mut msgs = Vec::new();
    for peer in first..first + THREADS as i32 {
        let thread = db.private_thread(me, peer, 1).await.unwrap();
        msgs.push(NewMsg::text(thread, peer, me, "{only}", "hello", 2));
    }
    for chunk in msgs.chunks(500) {
        db.store_messages(chunk).await.unwrap();
    }

    let mut cursors = HashMap::new();
    let (mut after, mut requests) = (0, 0);
    let mut seen = std::collections::HashSet::new();
    loop {
        requests += 1;
        let range = ThreadRange { after, threads: Some(PAGE), receipts: false };
        let page = db.sync(me, &cursors, None, range, PAGE).await.unwrap();
        assert!(page.threads.len() <= PAGE as usize && page.messages.len() <= PAGE as usize);
        assert!(page.threads.iter().all(|t| t.thread.thread_id > after && t.unread == 1));
        for m in &page.messages {
            assert!(seen.insert(m.thread_id), "thread {} came twice", m.thread_id);
            cursors.insert(m.thread_id, m.seq);
        }
        if !page.more {
            break;
        }
        after = page.next_thread.expect("a paged sync with more says where to go on");
    }
    assert_eq!(seen.len(), THREADS as usize, "every thread's message arrived");
    assert_eq!(requests, THREADS as i64 / PAGE, "one request per page of threads");

    let (mut after, mut brought) = (0, 0);
    loop {
        let page = db
            .sync(me, &cursors, None, ThreadRange { after, threads: Some(PAGE), receipts: false }, PAGE)
            .await
            .unwrap();
        brought += page.threads.len() + page.messages.len();
        if !page.more {
            break;
        }
        after = page.next_thread.unwrap();
    }
    assert_eq!(brought, 0, "caught up, a sync brings nothing");

    // Messages beyond one reply's limit: the same page of threads again, from the new cursors.
    let page = db
        .sync(me, &HashMap::new(), None, ThreadRange { after: 0, threads: Some(PAGE), receipts: false }, 50)
        .await
        .unwrap();
    assert_eq!((page.messages.len(), page.more, page.next_thread), (50, true, Some(0)));
}

sql_test!(concurrent_batches_get_distinct_sequences);
async fn concurrent_batches_get_distinct_sequences(db: Db) {
    // The fast path (ids from the insert id) is on exactly where auto-increment is consecutive.
    let consecutive = match db.dialect() {
        imchat_store::Dialect::Sqlite => false,
        imchat_store::Dialect::MySql => {
            use sqlx::Row;
            let row = sqlx::query("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment")
                .fetch_one(db.pool())
                .await
                .unwrap();
            row.try_get::<i64, _>(0).unwrap() <= 1 && row.try_get::<i64, _>(1).unwrap() == 1
        }
    };
    assert_eq!(db.derives_message_ids(), consecutive);
    let (a, b) = (user(&db, "a").await, user(&db, "b").await);
    let thread_id = db.private_thread(a, b, 1).await.unwrap();
    // Half the writers send batches, half single messages (one round trip on MySQL: the
    // `imchat_store_message` procedure), racing for the same thread's seqs.
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let db = db.clone();
            tokio::spawn(async move {
                let batch: Vec<NewMsg> =
                    (0..25).map(|i| NewMsg::text(thread_id, a, b, &format!("w{w}-{i}"), "x 😀", 1)).collect();
                if w % 2 == 0 {
                    return db.store_messages(&batch).await.unwrap();
                }
                let mut stored = Vec::new();
                for msg in batch {
                    stored.extend(db.store_messages(&[msg]).await.unwrap());
                }
                stored
            })
        })
        .collect();
    let mut returned = Vec::new();
    for writer in writers {
        returned.extend(writer.await.unwrap());
    }
    let mut seqs: Vec<i64> = returned.iter().map(|m| m.seq).collect();
    seqs.sort();
    assert_eq!(seqs, (1..=200).collect::<Vec<i64>>(), "no gaps, no duplicates");
    // What each batch was told is what the database holds, ids included (they are derived
    // from the insert id, not read back).
    let mut stored = Vec::new();
    let mut after = 0;
    loop {
        let page = db.history(thread_id, after, 0, 50).await.unwrap();
        after = page.messages.last().map_or(after, |m| m.message_id);
        stored.extend(page.messages);
        if !page.more {
            break;
        }
    }
    returned.sort_by_key(|m| m.message_id);
    assert!(stored.iter().all(|m| m.content == "x 😀"), "text survives every path intact");
    let key = |m: &imchat_store::StoredMsg| (m.message_id, m.seq, m.unique_id.clone(), m.content.clone(), m.created_at);
    assert_eq!(returned.iter().map(key).collect::<Vec<_>>(), stored.iter().map(key).collect::<Vec<_>>());
}

/// Runs `$name` (an async fn taking `Kv`) on the in-memory store and on Redis.
macro_rules! kv_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn memory() {
                super::$name(imchat_store::Kv::memory()).await;
            }
            #[tokio::test]
            async fn redis() {
                let (kv, _) = imchat_tests::services::fresh_redis().await;
                super::$name(kv).await;
            }
        }
    };
}

kv_test!(kv_operations);
async fn kv_operations(kv: Kv) {
    assert_eq!(kv.get("k").await.unwrap(), None);
    kv.set("k", "v", None).await.unwrap();
    assert_eq!(kv.ttl("k").await.unwrap(), Ttl::Persistent);
    assert!(!kv.set_nx("k", "w", Duration::from_secs(5)).await.unwrap());
    assert!(kv.set_nx("n", "1", Duration::from_secs(5)).await.unwrap());
    assert!(matches!(kv.ttl("n").await.unwrap(), Ttl::Seconds(1..=5)));
    assert!(!kv.compare_and_delete("k", "other", &["n"]).await.unwrap());
    assert!(kv.compare_and_delete("k", "v", &["n"]).await.unwrap());
    assert_eq!((kv.get("k").await.unwrap(), kv.get("n").await.unwrap()), (None, None));
    assert_eq!(kv.incr("c", Duration::from_secs(60)).await.unwrap(), 1);
    assert_eq!(kv.incr("c", Duration::from_secs(60)).await.unwrap(), 2);
    kv.set("p:1", "a", Some(Duration::from_secs(60))).await.unwrap();
    kv.set("p:2", "b", Some(Duration::from_millis(1))).await.unwrap();
    kv.set("q:1", "c", None).await.unwrap();
    imchat_tests::wait_for("p:2 to expire", || async { kv.get("p:2").await.unwrap().is_none().then_some(()) }).await;
    assert_eq!(kv.scan_prefix("p:").await.unwrap(), [("p:1".to_owned(), "a".to_owned())]);
    kv.hset("h", "f", "1").await.unwrap();
    kv.hset("h", "g", "2").await.unwrap();
    kv.hdel("h", "g").await.unwrap();
    assert_eq!(kv.hgetall("h").await.unwrap(), HashMap::from([("f".to_owned(), "1".to_owned())]));
    kv.set_many(&[("m:1", "x"), ("m:2", "y")], Duration::from_secs(30)).await.unwrap();
    assert_eq!(
        (kv.get("m:1").await.unwrap().as_deref(), kv.get("m:2").await.unwrap().as_deref()),
        (Some("x"), Some("y"))
    );
    assert!(matches!(kv.ttl("m:2").await.unwrap(), Ttl::Seconds(1..=30)));
    kv.del(&["p:1", "q:1", "c", "h", "m:1", "m:2"]).await.unwrap();
}

kv_test!(codes_are_single_use_and_limited);
async fn codes_are_single_use_and_limited(kv: Kv) {
    use imchat_store::codes::{self, Check, CodePolicy, Issue};
    let policy = CodePolicy { cooldown: Duration::from_millis(1), max_sends: 3, ..CodePolicy::default() };
    let Issue::Fresh(code) = codes::issue(&kv, &policy, "a@x.io").await.unwrap() else { panic!("throttled") };
    assert_eq!(code.len(), 6);
    assert_eq!(codes::consume(&kv, &policy, "a@x.io", "000000x").await.unwrap(), Check::Wrong);
    assert_eq!(codes::consume(&kv, &policy, "a@x.io", &code).await.unwrap(), Check::Ok);
    assert_eq!(codes::consume(&kv, &policy, "a@x.io", &code).await.unwrap(), Check::Expired, "single use");

    let strict = CodePolicy::default();
    let Issue::Fresh(code) = codes::issue(&kv, &strict, "b@x.io").await.unwrap() else { panic!("throttled") };
    assert_eq!(codes::issue(&kv, &strict, "b@x.io").await.unwrap(), Issue::Throttled, "inside the cooldown");
    for _ in 0..strict.max_attempts {
        assert_eq!(codes::consume(&kv, &strict, "b@x.io", "not-it").await.unwrap(), Check::Wrong);
    }
    assert_eq!(codes::consume(&kv, &strict, "b@x.io", &code).await.unwrap(), Check::Expired, "burned by guesses");

    // Concurrent wrong guesses are checked and counted one at a time: 30 at once, 5 compared.
    let quick = CodePolicy { cooldown: Duration::from_millis(1), max_attempts_per_window: 7, ..CodePolicy::default() };
    let Issue::Fresh(code) = codes::issue(&kv, &quick, "c@x.io").await.unwrap() else { panic!("throttled") };
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let (kv, quick) = (kv.clone(), quick);
        guesses.spawn(async move { codes::consume(&kv, &quick, "c@x.io", "999999x").await.unwrap() });
    }
    let outcomes = guesses.join_all().await;
    assert_eq!(outcomes.iter().filter(|c| **c == Check::Wrong).count(), 5, "{outcomes:?}");
    assert_eq!(codes::consume(&kv, &quick, "c@x.io", &code).await.unwrap(), Check::Expired);
    // The address's count goes on across codes: two more wrong guesses reach its 7, and then
    // even the right code is refused until the window ends.
    // The 1 ms cooldown must pass before another code is sent.
    let _ = imchat_tests::wait_for("a new code", || async {
        match codes::issue(&kv, &quick, "c@x.io").await.unwrap() {
            Issue::Fresh(code) => Some(code),
            Issue::Throttled => None,
        }
    })
    .await;
    for _ in 0..2 {
        assert_eq!(codes::consume(&kv, &quick, "c@x.io", "999999x").await.unwrap(), Check::Wrong);
    }
    // The 1 ms cooldown must pass before another code is sent.
    let code = imchat_tests::wait_for("a new code", || async {
        match codes::issue(&kv, &quick, "c@x.io").await.unwrap() {
            Issue::Fresh(code) => Some(code),
            Issue::Throttled => None,
        }
    })
    .await;
    assert_eq!(codes::consume(&kv, &quick, "c@x.io", &code).await.unwrap(), Check::Throttled);
}

kv_test!(guarded_lock_and_compare_and_set);
async fn guarded_lock_and_compare_and_set(kv: Kv) {
    use imchat_store::GuardedLock;
    let ttl = Duration::from_secs(10);
    let lock = |owner: &'static str| {
        let kv = kv.clone();
        async move { kv.lock_if_equal("tok", "secret", "lk", owner, ttl, &["r1", "r2"]).await.unwrap() }
    };
    assert_eq!(lock("o1").await, GuardedLock::Missing, "no guard");
    kv.set("tok", "secret-not", None).await.unwrap();
    assert_eq!(lock("o1").await, GuardedLock::Mismatch);
    assert_eq!(kv.get("lk").await.unwrap(), None, "a mismatch takes no lock");
    kv.set("tok", "secret", None).await.unwrap();
    kv.set("r2", "two", None).await.unwrap();
    assert_eq!(lock("o1").await, GuardedLock::Locked(vec![None, Some("two".into())]), "missing keys keep their place");
    assert_eq!(lock("o2").await, GuardedLock::Busy);
    assert!(matches!(kv.ttl("lk").await.unwrap(), Ttl::Seconds(1..=10)));

    // Someone else's owner id sets the keys but leaves the lock alone.
    kv.set_many_unlock(&[("s", "1"), ("r1", "here")], ttl, "lk", "o2").await.unwrap();
    assert_eq!(lock("o2").await, GuardedLock::Busy);
    kv.set_many_unlock(&[("s", "2"), ("r1", "there")], ttl, "lk", "o1").await.unwrap();
    assert_eq!((kv.get("s").await.unwrap(), kv.get("r1").await.unwrap()), (Some("2".into()), Some("there".into())));
    assert!(matches!(kv.ttl("r1").await.unwrap(), Ttl::Seconds(1..=10)));
    assert_eq!(lock("o2").await, GuardedLock::Locked(vec![Some("there".into()), Some("two".into())]));

    assert!(kv.set_if("c", None, "v1", ttl).await.unwrap(), "absent as expected");
    assert!(!kv.set_if("c", None, "v2", ttl).await.unwrap(), "present, absence expected");
    assert!(!kv.set_if("c", Some("v0"), "v2", ttl).await.unwrap(), "another value");
    assert!(kv.set_if("c", Some("v1"), "v2", ttl).await.unwrap());
    assert!(!kv.set_if("missing", Some("v1"), "v2", ttl).await.unwrap(), "absent, a value expected");
    assert_eq!(kv.get("c").await.unwrap(), Some("v2".into()));
    assert!(matches!(kv.ttl("c").await.unwrap(), Ttl::Seconds(1..=10)));
    kv.del(&["tok", "lk", "r1", "r2", "s", "c"]).await.unwrap();
}

/// The chat login's storage protocol on SQLite with the memory store and on MariaDB with Redis.
mod login_protocol {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_memory() {
        let (db, _dir) = super::sqlite().await;
        super::login_protocol(db, imchat_store::Kv::memory()).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mariadb_redis() {
        let (db, name) = super::mariadb().await;
        let (kv, _) = imchat_tests::services::fresh_redis().await;
        super::login_protocol(db.clone(), kv).await;
        db.close().await;
        imchat_tests::services::drop_mysql_db(&name).await;
    }
    /// The hash-tagged layout: the same scripts, each on one user's keys.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mariadb_redis_tagged() {
        let (db, name) = super::mariadb().await;
        let (kv, _) = imchat_tests::services::fresh_redis().await;
        super::login_protocol(db.clone(), kv.with_layout(imchat_store::KeyLayout::Tagged)).await;
        db.close().await;
        imchat_tests::services::drop_mysql_db(&name).await;
    }
}

async fn login_protocol(db: Db, kv: Kv) {
    use imchat_store::presence::{Begin, Grant, Policy, Presence, SessionEntry};
    let presence = Presence::new(kv);
    let session = |id: &str, device: &str, kind: &str, server: &str| SessionEntry {
        session: id.into(),
        device: device.into(),
        kind: kind.into(),
        server: server.into(),
        since_ms: imchat_store::now_ms(),
    };
    let ttl = Duration::from_secs(60);
    let wait = Duration::from_millis(20);
    let (a, b, c) = (user(&db, "a").await, user(&db, "b").await, user(&db, "c").await);
    presence.set_token(b, "tok", None).await.unwrap();
    let begin = |view_ttl: Duration| {
        let presence = presence.clone();
        async move {
            match presence.begin_login(b, "tok", wait, view_ttl).await.unwrap() {
                Begin::Granted(grant) => grant,
                other => panic!("login refused: {other:?}"),
            }
        }
    };
    // Applicants in b's login view, as the login reads it, then done with the lock.
    let applicants = |mut grant: Grant| {
        let (db, presence) = (db.clone(), presence.clone());
        async move {
            let view = grant.view(&db, &presence, 10, ttl).await.unwrap().expect("b exists");
            grant.admit(session("sid", "laptop", "tui", "chat1"), Policy::PerKind, 5, |_| true);
            grant.commit(&presence, ttl).await.unwrap();
            view.applies.iter().map(|r| r.from.uid).collect::<Vec<_>>()
        }
    };

    assert!(matches!(presence.begin_login(b, "tok2", wait, ttl).await.unwrap(), Begin::WrongToken));
    assert!(matches!(presence.begin_login(a, "tok", wait, ttl).await.unwrap(), Begin::NoToken));
    let first = begin(ttl).await;
    assert!(first.sessions().is_empty());
    assert!(matches!(presence.begin_login(b, "tok", wait, ttl).await.unwrap(), Begin::Busy), "the lock is held");
    assert_eq!(applicants(first).await, Vec::<i32>::new());
    let found = presence.lookup(b).await.unwrap();
    assert_eq!(found.server.as_deref(), Some("chat1"));
    assert_eq!(found.sessions.entries().iter().map(|e| e.session.as_str()).collect::<Vec<_>>(), ["sid"]);
    let entry = presence.cached_view_entry(b).await.unwrap().expect("the view is cached");
    assert!(!entry.contains("$argon2id"), "password hashes are never cached: {entry}");

    // A change made without invalidation is not seen: the view came from the cache.
    db.upsert_apply(a, b, "hi", "B", 0).await.unwrap();
    let second = begin(ttl).await;
    assert_eq!(second.sessions().servers(), ["chat1"]);
    assert_eq!(applicants(second).await, Vec::<i32>::new());
    presence.forget_views(&[b], ttl).await.unwrap();
    assert_eq!(applicants(begin(ttl).await).await, [a], "read again after invalidation");

    // A login that missed does not cache what it read once a change has invalidated since.
    presence.forget_views(&[b], ttl).await.unwrap();
    let mut racing = begin(ttl).await;
    presence.forget_views(&[b], ttl).await.unwrap();
    racing.view(&db, &presence, 10, ttl).await.unwrap();
    racing.release(&presence).await.unwrap();
    db.upsert_apply(c, b, "hello", "B", 0).await.unwrap();
    assert_eq!(applicants(begin(ttl).await).await, [c, a], "the racing login left the marker in place");

    // With the cache off, every login reads the database.
    db.upsert_apply(c, a, "hello a", "A", 0).await.unwrap();
    presence.set_token(a, "tok-a", None).await.unwrap();
    for _ in 0..2 {
        let Begin::Granted(mut grant) = presence.begin_login(a, "tok-a", wait, Duration::ZERO).await.unwrap() else {
            panic!("a's login refused");
        };
        assert_eq!(grant.view(&db, &presence, 10, Duration::ZERO).await.unwrap().unwrap().applies.len(), 1);
        grant.release(&presence).await.unwrap();
    }
    assert_eq!(presence.cached_view_entry(a).await.unwrap(), None, "nothing cached");
    // An unknown uid with a token has no view.
    presence.set_token(9_999_999, "t", None).await.unwrap();
    let Begin::Granted(mut ghost) = presence.begin_login(9_999_999, "t", wait, ttl).await.unwrap() else {
        panic!("the token holds");
    };
    assert_eq!(ghost.view(&db, &presence, 10, ttl).await.unwrap(), None);

    // A second device on another server (a phone, per kind: the laptop stays), then a
    // second Qt login, which ends the first Qt session only.
    let mut phone = begin(ttl).await;
    let ended = phone.admit(session("qt1", "qt-1", "qt", "chat2"), Policy::PerKind, 5, |_| true);
    assert!(ended.is_empty(), "{ended:?}");
    phone.commit(&presence, ttl).await.unwrap();
    assert_eq!(presence.route(b).await.unwrap(), ["chat1", "chat2"]);
    let mut other_qt = begin(ttl).await;
    let ended = other_qt.admit(session("qt2", "qt-2", "qt", "chat1"), Policy::PerKind, 5, |_| true);
    assert_eq!(ended.iter().map(|e| e.session.as_str()).collect::<Vec<_>>(), ["qt1"]);
    other_qt.commit(&presence, ttl).await.unwrap();
    assert_eq!(presence.route(b).await.unwrap(), ["chat1"], "both sessions left are on chat1");
    // The ended session's own cleanup finds itself gone and leaves the rest.
    assert!(!presence.end_session(b, "qt1", ttl).await.unwrap());
    assert_eq!(presence.lookup(b).await.unwrap().sessions.entries().len(), 2);
    // Lost by the store (a flush), a server writes its sessions back beside the others'.
    presence.end_session(b, "qt2", ttl).await.unwrap();
    presence
        .restore(&[(b, session("qt2", "qt-2", "qt", "chat1")), (b, session("x", "desk", "cli", "chat1"))], ttl)
        .await
        .unwrap();
    let sessions: Vec<String> =
        presence.lookup(b).await.unwrap().sessions.entries().iter().map(|e| e.session.clone()).collect();
    assert_eq!(sessions, ["sid", "qt2", "x"]);
    presence.end_session(b, "qt2", ttl).await.unwrap();
    presence.end_session(b, "x", ttl).await.unwrap();

    // The last session ends: the route goes; tokens are revoked.
    assert!(!presence.end_session(b, "older", ttl).await.unwrap(), "not a session of theirs");
    assert!(presence.end_session(b, "sid", ttl).await.unwrap());
    assert!(presence.route(b).await.unwrap().is_empty());
    assert_eq!(presence.lookup(b).await.unwrap().server, None, "the route key is gone");
    let mut holders = presence.token_holders().await.unwrap();
    holders.sort_unstable();
    assert_eq!(holders, {
        let mut expected = vec![a, b, 9_999_999];
        expected.sort_unstable();
        expected
    });
    assert!(presence.revoke_token(b).await.unwrap());
    assert!(!presence.revoke_token(b).await.unwrap(), "gone already");
}

/// A lone message is one procedure call on MariaDB, and still stored when the procedure is
/// missing, cannot be created (no `CREATE ROUTINE`) or may no longer be called (`EXECUTE`
/// revoked).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lone_messages_are_stored_with_or_without_the_procedure() {
    let (url, name) = services::fresh_mysql_db().await;
    let root = Db::connect(&url, &DbOptions::default()).await.unwrap();
    assert!(root.stores_lone_messages_in_one_call());
    let (a, b) = (user(&root, "a").await, user(&root, "b").await);
    let thread_id = root.private_thread(a, b, 1).await.unwrap();
    let lone = |db: Db, n: i64| async move {
        let stored = db.store_messages(&[NewMsg::text(thread_id, a, b, &format!("m{n}"), "x", 1)]).await.unwrap();
        assert_eq!(stored[0].seq, n, "stored once, in order");
    };
    lone(root.clone(), 1).await;
    assert!(root.stores_lone_messages_in_one_call());

    // Dropped behind a running store's back: the call fails once, the message is stored anyway.
    sqlx::query("DROP PROCEDURE imchat_store_message_v1").execute(root.pool()).await.unwrap();
    lone(root.clone(), 2).await;
    assert!(!root.stores_lone_messages_in_one_call(), "a missing procedure is not called again");

    // An account that may not create routines runs without one.
    let account = format!("imchat_lim_{}", imchat_store::random_hex(4));
    for grant in [
        format!("CREATE USER '{account}'@'%' IDENTIFIED BY 'pw'"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON {name}.* TO '{account}'@'%'"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(grant)).execute(root.pool()).await.unwrap();
    }
    let (scheme, rest) = url.split_once("://").unwrap();
    let limited_url = format!("{scheme}://{account}:pw@{}", rest.rsplit_once('@').unwrap().1);
    let limited = Db::connect(&limited_url, &DbOptions::default()).await.unwrap();
    assert!(!limited.stores_lone_messages_in_one_call());
    lone(limited.clone(), 3).await;
    limited.close().await;

    // A privileged start makes the procedure again; an account allowed to call it but not to
    // make it uses it, until the right is taken away.
    let root = Db::connect(&url, &DbOptions::default()).await.unwrap();
    assert!(root.stores_lone_messages_in_one_call());
    let execute = |verb: &str, to: &str| {
        format!("{verb} EXECUTE ON PROCEDURE {name}.imchat_store_message_v1 {to} '{account}'@'%'")
    };
    sqlx::query(sqlx::AssertSqlSafe(execute("GRANT", "TO"))).execute(root.pool()).await.unwrap();
    let limited = Db::connect(&limited_url, &DbOptions::default()).await.unwrap();
    assert!(limited.stores_lone_messages_in_one_call());
    lone(limited.clone(), 4).await;
    assert!(limited.stores_lone_messages_in_one_call());
    sqlx::query(sqlx::AssertSqlSafe(execute("REVOKE", "FROM"))).execute(root.pool()).await.unwrap();
    lone(limited.clone(), 5).await;
    assert!(!limited.stores_lone_messages_in_one_call(), "a forbidden procedure is not called again");
    lone(root.clone(), 6).await;

    limited.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP USER '{account}'@'%'"))).execute(root.pool()).await.unwrap();
    root.close().await;
    services::drop_mysql_db(&name).await;
}

kv_test!(kv_replace_and_restore);
async fn kv_replace_and_restore(kv: Kv) {
    let ttl = Duration::from_secs(30);
    assert_eq!(kv.replace("entry", "one", ttl).await.unwrap(), None, "nothing to renew");
    assert_eq!(kv.replace("entry", "two", ttl).await.unwrap().as_deref(), Some("one"));
    assert!(matches!(kv.ttl("entry").await.unwrap(), Ttl::Seconds(1..=30)));
    kv.set("route", "newer", None).await.unwrap();
    let pairs = [("route".to_owned(), "mine".to_owned()), ("session".to_owned(), "s1".to_owned())];
    kv.set_many_nx(&pairs, ttl).await.unwrap();
    assert_eq!(kv.get("route").await.unwrap().as_deref(), Some("newer"), "a present key is kept");
    assert_eq!(kv.get("session").await.unwrap().as_deref(), Some("s1"), "a missing key is written");
    assert!(matches!(kv.ttl("session").await.unwrap(), Ttl::Seconds(1..=30)));
    kv.set_many_nx(&[], ttl).await.unwrap();
}

sql_test!(discarded_files_wait_in_the_trash);
/// An operator's delete drops the row (no client can fetch it) and leaves its storage key in
/// the trash until a resource server has deleted the bytes; a plain delete leaves none.
async fn discarded_files_wait_in_the_trash(db: Db) {
    use imchat_store::{FileCaps, NewFile};
    let owner = user(&db, "f").await;
    let caps = FileCaps { max_bytes: 1 << 20, quota_bytes: 1 << 30 };
    for (name, key) in [("a.png", "ab/1"), ("b.png", "ab/2")] {
        let file = NewFile { name, storage_key: key, owner, md5: "", size: 10, label: "", now_ms: 1 };
        db.reserve_avatar(&file, caps).await.unwrap().unwrap();
    }
    assert_eq!(db.usage(owner).await.unwrap().files, 2);
    let gone = db.discard_file("a.png", 5).await.unwrap().expect("it was there");
    assert_eq!(gone.storage_key, "ab/1");
    assert!(db.file("a.png").await.unwrap().is_none(), "no client finds it");
    assert!(db.discard_file("a.png", 6).await.unwrap().is_none(), "deleted once");
    db.delete_file("b.png", 7).await.unwrap().unwrap();
    assert_eq!(db.trashed(10).await.unwrap(), [("a.png".to_owned(), "ab/1".to_owned())]);
    db.forget_trashed("ab/1").await.unwrap();
    assert_eq!(db.trashed(10).await.unwrap(), []);
    assert_eq!(db.usage(owner).await.unwrap().files, 0);
    // Both names stay retired (review 3, N6): no one, not even the owner, takes them again.
    let other = user(&db, "g").await;
    for (name, who) in [("a.png", owner), ("b.png", other)] {
        let file = NewFile { name, storage_key: "ab/3", owner: who, md5: "", size: 10, label: "", now_ms: 9 };
        assert_eq!(db.reserve_avatar(&file, caps).await.unwrap(), Err(imchat_store::FileRefusal::NameTaken));
    }
}

sql_test!(recalls_keep_their_place_and_follow_their_rules);
/// A recall blanks the message where it stands and stores a notice after it, in one
/// transaction: the sender within the window only, never another's message in a private
/// chat, once; neither counts as unread; a recalled file is unreadable and its bytes go to the
/// trash, its name retired.
async fn recalls_keep_their_place_and_follow_their_rules(db: Db) {
    use imchat_store::{FileCaps, GestureRefusal, MSG_STATUS_RECALLED, MSG_TYPE_RECALL, NewFile};
    const WINDOW: i64 = 120_000;
    let (a, b) = (user(&db, "ra").await, user(&db, "rb").await);
    let thread_id = db.private_thread(a, b, 1).await.unwrap();
    let texts: Vec<NewMsg> =
        (1..=3).map(|i| NewMsg::text(thread_id, a, b, &format!("{{r{i}}}"), &format!("text {i}"), 1_000)).collect();
    let stored = db.store_messages(&texts).await.unwrap();
    let seqs: Vec<i64> = stored.iter().map(|m| m.seq).collect();

    let refused = |found: Result<imchat_store::Recalled, GestureRefusal>| found.map(|_| ()).unwrap_err();
    // Another's message, a late one, one that does not exist, and a stranger: refused.
    assert_eq!(refused(db.recall(thread_id, seqs[0], b, WINDOW, 2_000).await.unwrap()), GestureRefusal::NotYours);
    assert_eq!(
        refused(db.recall(thread_id, seqs[0], a, WINDOW, 1_000 + WINDOW + 1).await.unwrap()),
        GestureRefusal::TooLate
    );
    assert_eq!(refused(db.recall(thread_id, 99, a, WINDOW, 2_000).await.unwrap()), GestureRefusal::NoSuchMessage);
    let stranger = user(&db, "rc").await;
    assert_eq!(
        refused(db.recall(thread_id, seqs[0], stranger, WINDOW, 2_000).await.unwrap()),
        GestureRefusal::NoSuchMessage
    );

    // The sender, in time: the message is blank at its place, the notice comes next.
    let done = db.recall(thread_id, seqs[1], a, WINDOW, 1_000 + WINDOW).await.unwrap().unwrap();
    let notice = done.notice.expect("a notice stored");
    assert_eq!((done.target.seq, done.target.status, done.target.content.as_str()), (seqs[1], MSG_STATUS_RECALLED, ""));
    assert_eq!((notice.seq, notice.msg_type, notice.sender, notice.receiver), (seqs[2] + 1, MSG_TYPE_RECALL, a, b));
    assert_eq!(notice.content, format!(r#"{{"seq":{},"by":{a}}}"#, seqs[1]));
    // Again: done already, nothing more stored; a notice itself is not recalled.
    let again = db.recall(thread_id, seqs[1], a, WINDOW, 2_000).await.unwrap().unwrap();
    assert_eq!(again.notice, None);
    assert_eq!(
        refused(db.recall(thread_id, notice.seq, a, WINDOW, 2_000).await.unwrap()),
        GestureRefusal::NoSuchMessage
    );

    // What a reader syncs: the blank message and the notice, in order; two unread, not four.
    let page = db.sync(b, &HashMap::new(), None, ThreadRange::default(), 100).await.unwrap();
    let got: Vec<(i64, i32, String)> = page.messages.iter().map(|m| (m.seq, m.status, m.content.clone())).collect();
    assert_eq!(got[1], (seqs[1], MSG_STATUS_RECALLED, String::new()));
    assert_eq!(got.last().map(|m| m.0), Some(notice.seq));
    assert_eq!((page.threads[0].unread, page.threads[0].last_seq), (2, notice.seq));

    // A picture: recalled, its row gone, its name retired, its bytes in the trash.
    let caps = FileCaps { max_bytes: 1 << 20, quota_bytes: 1 << 30 };
    let pic = NewMsg { msg_type: 1, status: 3, ..NewMsg::text(thread_id, a, b, "{pic}", "p.png", 5_000) };
    let file = NewFile { name: "p.png", storage_key: "pp/1", owner: a, md5: "", size: -1, label: "", now_ms: 5_000 };
    let (pic, _) = db.reserve_chat_file(&pic, &file, caps).await.unwrap().unwrap();
    let done = db.recall(thread_id, pic.seq, a, WINDOW, 6_000).await.unwrap().unwrap();
    assert_eq!(done.file.map(|f| f.name), Some("p.png".to_owned()));
    assert!(db.file("p.png").await.unwrap().is_none(), "no reader finds it");
    assert_eq!(db.trashed(10).await.unwrap(), [("p.png".to_owned(), "pp/1".to_owned())]);
    let reuse = NewMsg { msg_type: 1, status: 3, ..NewMsg::text(thread_id, b, a, "{pic2}", "p.png", 7_000) };
    let file = NewFile { owner: b, storage_key: "pp/2", now_ms: 7_000, ..file };
    assert!(db.reserve_chat_file(&reuse, &file, caps).await.unwrap().is_err(), "the name is retired");

    // Edits: the sender's own text within the window; not another's, not a file, not late.
    let edited = db.edit(thread_id, seqs[0], a, "text one, fixed", WINDOW, 1_000 + WINDOW).await.unwrap().unwrap();
    assert_eq!(
        (edited.target.content.as_str(), edited.target.status),
        ("text one, fixed", imchat_store::MSG_STATUS_EDITED)
    );
    let notice = edited.notice.expect("an edit notice");
    assert_eq!(notice.msg_type, imchat_store::MSG_TYPE_EDIT);
    assert_eq!(
        refused2(db.edit(thread_id, seqs[0], b, "mine now", WINDOW, 2_000).await.unwrap()),
        GestureRefusal::NotYours
    );
    assert_eq!(
        refused2(db.edit(thread_id, seqs[2], a, "late", WINDOW, 1_000 + WINDOW + 1).await.unwrap()),
        GestureRefusal::TooLate
    );
    assert_eq!(
        refused2(db.edit(thread_id, pic.seq, a, "a text", WINDOW, 6_000).await.unwrap()),
        GestureRefusal::NoSuchMessage
    );
    assert_eq!(
        refused2(db.edit(thread_id, seqs[1], a, "back", WINDOW, 2_000).await.unwrap()),
        GestureRefusal::NoSuchMessage,
        "recalled"
    );
    let page = db.sync(b, &HashMap::new(), None, ThreadRange::default(), 100).await.unwrap();
    assert_eq!(page.threads[0].unread, 2, "an edit notice is nothing to read");
}

fn refused2(found: Result<imchat_store::Edited, imchat_store::GestureRefusal>) -> imchat_store::GestureRefusal {
    found.map(|_| ()).unwrap_err()
}
