//! What llfc's Season_2 Qt client sends, in its order (llfc-wire.md §1.2, §2.2, §7.3): the
//! password in its obfuscated form, the chat connection, then the resource connection, then an
//! indented 1005; a picture message; a kick and a second login from the same process. And
//! accounts that cross between that client and imchat's SDK, both ways.

use std::time::Duration;

use imchat_proto::ErrorCode;
use imchat_tests::{Flavor, TestCluster, TestUser};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::wire::{LlfcClient, post, register_as_llfc, xor_password};

/// One logged-in Qt client: its chat and resource connections.
struct Qt {
    uid: i32,
    chat: LlfcClient,
    res: TcpStream,
    http: Value,
}

/// The Qt client's login: HTTP, chat TCP, resource TCP, then the indented 1005.
async fn qt_login(base: &str, email: &str, typed: &str) -> Result<Qt, Value> {
    let http = post(base, "/user_login", json!({"email": email, "passwd": xor_password(typed)})).await;
    if http["error"] != 0 {
        return Err(http);
    }
    for key in ["chatport", "resport"] {
        assert!(http[key].is_string(), "{key} is a string: {http}");
    }
    let chat = LlfcClient::connect(http["chathost"].as_str().unwrap(), http["chatport"].as_str().unwrap()).await;
    let res = format!("{}:{}", http["reshost"].as_str().unwrap(), http["resport"].as_str().unwrap());
    let res = TcpStream::connect(&res).await.unwrap_or_else(|err| panic!("the resource port {res} listens: {err}"));
    let mut qt = Qt { uid: http["uid"].as_i64().unwrap() as i32, chat, res, http };
    let login = serde_json::to_string_pretty(&json!({"uid": qt.uid, "token": qt.http["token"]})).unwrap();
    qt.chat.send_text(1005, &login).await;
    let reply = qt.chat.expect(1006).await;
    assert_eq!(reply["error"], 0, "{reply}");
    assert_eq!(reply["pwd"], "");
    Ok(qt)
}

/// A resource-server request (`u16` id, `u32` length) and its reply.
async fn res_call(res: &mut TcpStream, id: u16, body: Value) -> (u16, Value) {
    let body = body.to_string();
    let mut frame = id.to_be_bytes().to_vec();
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(body.as_bytes());
    res.write_all(&frame).await.unwrap();
    let mut header = [0u8; 6];
    res.read_exact(&mut header).await.expect("a reply on the resource port");
    let len = u32::from_be_bytes([header[2], header[3], header[4], header[5]]) as usize;
    let mut body = vec![0; len];
    res.read_exact(&mut body).await.unwrap();
    (u16::from_be_bytes([header[0], header[1]]), serde_json::from_slice(&body).unwrap())
}

both!(season2_client_logs_in_and_is_answered);
async fn season2_client_logs_in_and_is_answered(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let base = format!("http://{}", cluster.suite.gate);
    let email = register_as_llfc(&cluster, &base, "qt", "abc123!").await;
    let mut qt = qt_login(&base, &email, "abc123!").await.expect("the Qt client logs in");
    qt.chat.call(1023, json!({"fromuid": qt.uid})).await;

    // The resource port answers in its own framing, and stays open: a download before any
    // token is refused as such, and so is an avatar chunk without an md5.
    let (id, body) = res_call(&mut qt.res, 1033, json!({"name": "x.png", "seq": 1, "uid": qt.uid})).await;
    assert_eq!((id, body["error"].as_i64()), (1034, Some(i64::from(ErrorCode::ResNotAuthenticated.code()))), "{body}");
    let token = qt.http["token"].clone();
    let (id, body) = res_call(
        &mut qt.res,
        1031,
        json!({"md5": "", "name": "a.png", "seq": 1, "uid": qt.uid,
        "token": token, "total_size": 3, "trans_size": 3, "last": 1, "data": "YWJj"}),
    )
    .await;
    assert_eq!((id, body["error"].as_i64()), (1032, Some(i64::from(ErrorCode::BadChunk.code()))), "{body}");

    // A picture message to someone who is not a friend gets its 1036 with an error, echoing
    // what names the picture.
    let pic = json!({"fromuid": qt.uid, "touid": qt.uid + 1, "thread_id": 1, "md5": "d41d8cd98f00b204e9800998ecf8427e",
                     "name": "5f0c.png", "token": qt.http["token"], "unique_id": "{pic-1}", "text_or_url": "/tmp/a.png"});
    qt.chat.send(1035, pic).await;
    let answer = qt.chat.expect(1036).await;
    assert_eq!(answer["error"], ErrorCode::NotFriend.code(), "{answer}");
    assert_eq!((answer["unique_id"].as_str(), answer["unique_name"].as_str()), (Some("{pic-1}"), Some("5f0c.png")));
    // The chat connection is still served.
    qt.chat.call(1023, json!({"fromuid": qt.uid})).await;

    // New accounts without an icon get one of llfc's built-in avatars.
    let user = cluster.register_with_icon("plain", "").await;
    let icon = cluster.suite.db.user_by_uid(user.uid).await.unwrap().unwrap().icon;
    assert!(icon.starts_with(":/res/head_") && icon.ends_with(".jpg"), "{icon}");
    cluster.shutdown().await;
}

both!(accounts_cross_between_the_qt_client_and_the_sdk);
async fn accounts_cross_between_the_qt_client_and_the_sdk(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let base = format!("http://{}", cluster.suite.gate);
    // Made with imchat's SDK (as imctl and imchat-tui do), logged in from the Qt client.
    let sdk_made: TestUser = cluster.register("sdk").await;
    qt_login(&base, &sdk_made.email, &sdk_made.password).await.expect("an SDK account logs in from the Qt client");
    // Made by the Qt client, logged in through the SDK with the password as typed.
    let email = register_as_llfc(&cluster, &base, "qtmade", "Passw0rd.").await;
    let http = cluster.gate.login(&email, "Passw0rd.").await.expect("a Qt account logs in through the SDK");
    assert!(http.chat_addr().is_some());

    // An account from before the forms were one: its hash is of the typed password.
    let legacy = cluster.register("legacy").await;
    let old_hash = imchat_gate::load_test_hash(&legacy.password).unwrap();
    sqlx::query("UPDATE user SET pwd = ?, pwd_form = 0 WHERE uid = ?")
        .bind(&old_hash)
        .bind(i64::from(legacy.uid))
        .execute(cluster.suite.db.pool())
        .await
        .unwrap();
    let wrong = cluster.gate.login(&legacy.email, "not-the-password").await.unwrap_err();
    assert_eq!(wrong.code(), Some(ErrorCode::PasswdInvalid));
    cluster.gate.login(&legacy.email, &legacy.password).await.expect("the other form is tried once");
    let moved = cluster.suite.db.user_by_uid(legacy.uid).await.unwrap().unwrap();
    assert_eq!(moved.pwd_form, imchat_store::PwdForm::Llfc, "the hash moved to llfc's form");
    assert_ne!(moved.pwd, old_hash);
    // From now on one form works, from every client.
    qt_login(&base, &legacy.email, &legacy.password).await.expect("the Qt client logs in too");
    let typed = post(&base, "/user_login", json!({"email": legacy.email, "passwd": legacy.password})).await;
    assert_eq!(typed["error"], ErrorCode::PasswdInvalid.code(), "the typed form no longer works: {typed}");
    cluster.shutdown().await;
}

both!(a_kicked_qt_client_logs_in_again_in_the_same_process);
async fn a_kicked_qt_client_logs_in_again_in_the_same_process(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let base = format!("http://{}", cluster.suite.gate);
    let email = register_as_llfc(&cluster, &base, "kick", "abc123!").await;
    let mut first = qt_login(&base, &email, "abc123!").await.unwrap();
    let mut second = qt_login(&base, &email, "abc123!").await.unwrap();

    // The first session gets 1021 and its socket stays open: the Qt client shows its notice,
    // keeps beating meanwhile, then closes the socket itself.
    let notice = first.chat.expect(1021).await;
    assert_eq!(notice["uid"], first.uid);
    first.chat.call(1023, json!({"fromuid": first.uid})).await;
    drop(first);

    // The same process logs in again: the second session is kicked in turn.
    let third = qt_login(&base, &email, "abc123!").await.unwrap();
    assert_eq!(second.chat.expect(1021).await["uid"], third.uid);
    cluster.shutdown().await;
}

/// A kicked connection its client never closes is closed after `KickGraceSecs`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kicked_connection_closes_after_the_grace() {
    let grace = Duration::from_millis(300);
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| file.limits.kick_grace = grace).await;
    let base = format!("http://{}", cluster.suite.gate);
    let email = register_as_llfc(&cluster, &base, "grace", "abc123!").await;
    let mut first = qt_login(&base, &email, "abc123!").await.unwrap();
    let _second = qt_login(&base, &email, "abc123!").await.unwrap();
    first.chat.expect(1021).await;
    let kicked_at = std::time::Instant::now();
    first.chat.call(1023, json!({"fromuid": first.uid})).await;
    let closed = tokio::time::timeout(imchat_tests::DEADLINE, first.chat.next_frame()).await;
    assert!(matches!(closed, Ok(None)), "closed by the server, nothing else sent: {closed:?}");
    assert!(kicked_at.elapsed() >= grace - Duration::from_millis(50), "not before the grace");
    // Ending the kicked session left the newer session's route alone.
    let route = cluster.presence().await.route(first.uid).await.unwrap();
    assert!(route.is_some_and(|server| !server.is_empty()), "the newer session keeps its route");
    cluster.shutdown().await;
}
