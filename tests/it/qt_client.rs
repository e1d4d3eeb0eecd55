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

/// A kicked Qt client that keeps beating (every 10 s, as llfc's does) keeps its connection for
/// longer than a minute, past the idle timeout and the 30 s grace imchat used to give, until it
/// closes it itself; then it logs in again from the same process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kicked_qt_client_that_beats_keeps_its_connection() {
    const QT_HEARTBEAT: Duration = Duration::from_secs(10);
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let base = format!("http://{}", cluster.suite.gate);
    let email = register_as_llfc(&cluster, &base, "beats", "abc123!").await;
    let mut first = qt_login(&base, &email, "abc123!").await.unwrap();
    let mut second = qt_login(&base, &email, "abc123!").await.unwrap();
    first.chat.expect(1021).await;
    let kicked_at = std::time::Instant::now();
    while kicked_at.elapsed() < Duration::from_secs(65) {
        let beat = first.chat.call(1023, json!({"fromuid": first.uid})).await;
        assert_eq!(beat["error"], 0, "answered {:?} after the kick: {beat}", kicked_at.elapsed());
        second.chat.call(1023, json!({"fromuid": second.uid})).await;
        // The client's own pace: this wait is the behaviour under test, not a condition.
        tokio::time::sleep(QT_HEARTBEAT).await;
    }
    // The user read the notice and logs in again from the same window: it works, and the
    // kicked connection is still there until the client closes it.
    let third = qt_login(&base, &email, "abc123!").await.unwrap();
    assert_eq!(second.chat.expect(1021).await["uid"], third.uid);
    let beat = first.chat.call(1023, json!({"fromuid": first.uid})).await;
    assert_eq!(beat["error"], 0, "{beat}");
    drop(first);
    cluster.shutdown().await;
}

/// A kicked connection that goes quiet is closed after `IdleTimeoutSecs`, long before the cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_kicked_connection_closes_after_the_idle_timeout() {
    let idle = Duration::from_secs(1);
    let cluster = TestCluster::start_with(Flavor::Embedded, |file| file.limits.idle_timeout = idle).await;
    assert!(imchat_chat::Limits::default().kick_grace >= Duration::from_secs(600), "the cap is far off");
    let base = format!("http://{}", cluster.suite.gate);
    let email = register_as_llfc(&cluster, &base, "quiet", "abc123!").await;
    let mut first = qt_login(&base, &email, "abc123!").await.unwrap();
    let _second = qt_login(&base, &email, "abc123!").await.unwrap();
    first.chat.expect(1021).await;
    let kicked_at = std::time::Instant::now();
    let closed = tokio::time::timeout(imchat_tests::DEADLINE, first.chat.next_frame()).await;
    assert!(matches!(closed, Ok(None)), "closed by the server, nothing else sent: {closed:?}");
    assert!(kicked_at.elapsed() >= idle - Duration::from_millis(100), "not before the idle timeout");
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
    assert!(!route.is_empty(), "the newer session keeps its route");
    cluster.shutdown().await;
}

both!(the_qt_client_loads_uncached_pictures_and_sees_files_as_text);
/// llfc's Season_2 Qt client with an imchat friend: a picture not on its disk loads (1045 on a
/// fresh resource connection, before any token: what a download needs, nothing of who sent it
/// to whom, rate-limited per address; the download itself needs the token); a generic file
/// arrives as a text naming it, pushed and in history; a built-in avatar's name is 1121.
async fn the_qt_client_loads_uncached_pictures_and_sees_files_as_text(flavor: Flavor) {
    use imchat_sdk::files::{FileClient, Outgoing, send_file};
    const INFO_BURST: u32 = 3;
    let cluster = TestCluster::start_with(flavor, |file| {
        file.res_limits.info_per_ip = imchat_res::Rate { per_minute: 1, burst: INFO_BURST };
    })
    .await;
    let base = format!("http://{}", cluster.suite.gate);
    let email = register_as_llfc(&cluster, &base, "qtpics", "abc123!").await;
    let mut qt = qt_login(&base, &email, "abc123!").await.unwrap();
    let friend = cluster.register("sdkfriend").await;
    let sdk = cluster.login_on(&friend, 1).await;
    sdk.chat.add_friend(sdk.uid, qt.uid, "hi", "").await.expect("a request");
    qt.chat.expect(1011).await;
    qt.chat.call(1013, json!({"fromuid": qt.uid, "touid": sdk.uid, "back": ""})).await;
    let thread_id = sdk.chat.create_private_chat(sdk.uid, qt.uid).await.unwrap().thread_id;

    let dir = tempfile::tempdir().unwrap();
    let (picture, report) = (dir.path().join("cat.png"), dir.path().join("report.pdf"));
    image::RgbImage::from_fn(32, 32, |x, y| image::Rgb([x as u8, y as u8, 1])).save(&picture).unwrap();
    std::fs::write(&report, vec![b'%'; 2048]).unwrap();
    let mut files = FileClient::connect(&cluster.suite.res.to_string(), sdk.uid, &sdk.login.token).await.unwrap();
    let mut sent = Vec::new();
    for (path, msg_type, unique_id) in [(&picture, 1, "{q-1}"), (&report, 3, "{q-2}")] {
        let out = Outgoing { me: sdk.uid, touid: qt.uid, thread_id, path, msg_type, unique_id };
        sent.push(send_file(&sdk.chat, &mut files, &out, |_, _| {}).await.expect("sent").message);
    }

    // The picture's 1039 as llfc sends it; the file as a 1019 text, never a picture bubble.
    let notice = qt.chat.expect(1039).await;
    assert_eq!(notice["img_name"], sent[0].unique_name.as_str(), "{notice}");
    let text = qt.chat.expect(1019).await;
    assert_eq!(text["chat_datas"][0]["content"], "[文件] report.pdf (2.0 KB)", "{text}");
    assert_eq!(text["chat_datas"][0]["message_id"], sent[1].message_id);
    // History shows it the same way; the picture stays a picture.
    let page = qt.chat.call(1029, json!({"thread_id": thread_id, "message_id": 0})).await;
    let rows = page["chat_datas"].as_array().unwrap();
    let row = |id: i64| rows.iter().find(|r| r["msg_id"] == id).unwrap_or_else(|| panic!("{id} in {page}"));
    assert_eq!(
        (row(sent[1].message_id)["msg_type"].as_i64(), row(sent[1].message_id)["msg_content"].as_str()),
        (Some(0), Some("[文件] report.pdf (2.0 KB)"))
    );
    assert_eq!(row(sent[0].message_id)["msg_type"], 1);

    // A fresh resource connection, no token yet: 1045 tells what a download needs only.
    let res_addr = cluster.suite.res.to_string();
    let mut fresh = TcpStream::connect(&res_addr).await.unwrap();
    let (id, info) = res_call(&mut fresh, 1045, json!({"message_id": sent[0].message_id})).await;
    assert_eq!((id, info["error"].as_i64()), (1046, Some(0)), "{info}");
    assert_eq!((info["name"].as_str(), info["msg_type"].as_i64()), (Some(sent[0].unique_name.as_str()), Some(1)));
    let size = std::fs::metadata(&picture).unwrap().len().to_string();
    assert_eq!((info["total_size"].as_str(), info["md5"].as_str().map(str::len)), (Some(size.as_str()), Some(32)));
    assert_eq!(
        (info["sender_id"].as_i64(), info["recv_id"].as_i64(), info["thread_id"].as_i64()),
        (Some(0), Some(0), Some(0))
    );
    // The download itself still needs the token.
    let (_, refused) = res_call(&mut fresh, 1047, json!({"name": info["name"], "seq": 1, "uid": qt.uid})).await;
    assert_eq!(refused["error"].as_i64(), Some(i64::from(ErrorCode::ResNotAuthenticated.code())), "{refused}");
    let token = qt.http["token"].clone();
    let (_, chunk) =
        res_call(&mut fresh, 1047, json!({"name": info["name"], "seq": 1, "uid": qt.uid, "token": token})).await;
    assert_eq!((chunk["error"].as_i64(), chunk["is_last"].as_bool()), (Some(0), Some(true)), "{chunk}");
    // Per address: past the burst, 1105 (this connection is bound now; fresh ones ask).
    let mut asked = 1;
    let refused = loop {
        let mut another = TcpStream::connect(&res_addr).await.unwrap();
        let (_, info) = res_call(&mut another, 1045, json!({"message_id": sent[0].message_id})).await;
        asked += 1;
        if info["error"] != 0 {
            break info;
        }
        assert!(asked <= INFO_BURST, "the burst holds {INFO_BURST}");
    };
    assert_eq!(refused["error"].as_i64(), Some(i64::from(ErrorCode::TooManyRequests.code())), "{refused}");
    assert_eq!(asked, INFO_BURST + 1);

    // llfc's built-in avatars are no file here: 1121, so the client shows its own copy.
    let (_, builtin) = res_call(
        &mut qt.res,
        1033,
        json!({"name": ":/res/head_1.jpg", "seq": 1, "uid": qt.uid, "token": token, "req_type": "other_icon"}),
    )
    .await;
    assert_eq!(builtin["error"].as_i64(), Some(i64::from(ErrorCode::FileNotFound.code())), "{builtin}");
    drop(sdk);
    cluster.shutdown().await;
}
