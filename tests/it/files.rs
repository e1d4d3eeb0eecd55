//! Files through the resource server (llfc-wire.md §2.5): the flows of llfc's Qt client byte
//! for byte from a raw socket (avatar up and down, a chat picture up with chunks out of
//! order, its 1039 on the other chat server, download, resume on a new connection), every
//! refusal with its documented code, and imchat's SDK sending a picture with a thumbnail,
//! on local storage and on a real S3-compatible server.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use imchat_proto::ErrorCode;
use imchat_proto::msg::res::CHUNK_BYTES;
use imchat_proto::msg::{ImgChatReq, ImgChatRsp};
use imchat_sdk::Event;
use imchat_sdk::files::{FileClient, Outgoing, md5_of, send_file};
use imchat_tests::{Client, Flavor, TestCluster};
use md5::Digest as _;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A raw resource connection, as llfc's Qt client holds one.
pub(crate) struct Res(pub(crate) TcpStream);

impl Res {
    pub(crate) async fn open(cluster: &TestCluster) -> Res {
        Res(TcpStream::connect(cluster.suite.res).await.expect("the resource port listens"))
    }

    pub(crate) async fn send(&mut self, id: u16, body: &Value) {
        // Indented, as Qt's QJsonDocument::toJson writes it.
        let body = serde_json::to_string_pretty(body).unwrap();
        let mut frame = id.to_be_bytes().to_vec();
        frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
        frame.extend_from_slice(body.as_bytes());
        self.0.write_all(&frame).await.unwrap();
    }

    pub(crate) async fn recv(&mut self) -> (u16, Value) {
        let mut header = [0u8; 6];
        tokio::time::timeout(Duration::from_secs(20), self.0.read_exact(&mut header))
            .await
            .expect("a reply in time")
            .expect("a reply");
        let len = u32::from_be_bytes([header[2], header[3], header[4], header[5]]) as usize;
        let mut body = vec![0; len];
        self.0.read_exact(&mut body).await.unwrap();
        (u16::from_be_bytes([header[0], header[1]]), serde_json::from_slice(&body).unwrap())
    }

    pub(crate) async fn call(&mut self, id: u16, body: Value) -> Value {
        self.send(id, &body).await;
        let (got, reply) = self.recv().await;
        assert_eq!(got, id + 1, "{reply}");
        reply
    }
}

pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    md5::Md5::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes that differ chunk to chunk, so a chunk written at the wrong offset shows.
pub(crate) fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8 ^ (i / CHUNK_BYTES as usize) as u8).collect()
}

pub(crate) fn chunk(bytes: &[u8], seq: u64) -> (String, u64) {
    let start = ((seq - 1) * CHUNK_BYTES) as usize;
    let end = (start + CHUNK_BYTES as usize).min(bytes.len());
    (BASE64.encode(&bytes[start..end]), end as u64)
}

fn code(error: ErrorCode) -> i64 {
    i64::from(error.code())
}

/// Downloads `name` over 1047 on `res`, asking for each next seq as llfc's client does.
async fn download_1047(res: &mut Res, name: &str, uid: i32, token: &str, sender: i32) -> Vec<u8> {
    let mut out = Vec::new();
    for seq in 1.. {
        let reply = res
            .call(
                1047,
                json!({"name": name, "seq": seq, "trans_size": out.len().to_string(), "total_size": "0",
                "token": token, "sender_id": sender, "receiver_id": uid, "message_id": 0, "uid": uid}),
            )
            .await;
        assert_eq!(reply["error"], 0, "{reply}");
        assert!(reply["total_size"].is_string() && reply["current_size"].is_string(), "{reply}");
        assert_eq!((reply["name"].as_str(), reply["sender_id"].as_i64()), (Some(name), Some(i64::from(sender))));
        out.extend(BASE64.decode(reply["data"].as_str().unwrap()).unwrap());
        assert_eq!(reply["current_size"], out.len().to_string());
        if reply["is_last"] == true {
            return out;
        }
    }
    unreachable!()
}

/// A picture message (1035) as llfc's client sends it.
async fn img_chat(client: &Client, touid: i32, thread_id: i64, name: &str, md5: &str, unique_id: &str) -> ImgChatRsp {
    let req = ImgChatReq {
        fromuid: client.uid,
        touid,
        thread_id,
        md5: md5.into(),
        name: name.into(),
        unique_id: unique_id.into(),
        ..ImgChatReq::default()
    };
    match client.chat.call(&req).await {
        Ok(rsp) => rsp,
        Err(imchat_sdk::SdkError::Server { code, message }) => {
            ImgChatRsp { error: code, message, ..ImgChatRsp::default() }
        }
        Err(err) => panic!("1035: {err}"),
    }
}

async fn next_file_event(client: &mut Client) -> imchat_proto::msg::res::NotifyImgChat {
    loop {
        match client.next_event().await {
            Event::File(notice) => return notice,
            Event::Closed => panic!("closed before the 1039"),
            _ => {}
        }
    }
}

both!(llfc_flows_byte_exact);
async fn llfc_flows_byte_exact(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let mut f = cluster.friends().await;
    let (alice_token, bob_token) = (f.a.login.token.clone(), f.b.login.token.clone());

    // Avatar, stop and wait (1031/1032): the token on the first chunk binds the connection;
    // sizes are integers in both directions.
    let avatar = sample(40_000);
    let name = "3f2504e0-4f89-11d3-9a0c-0305e82c3301.png";
    let mut res = Res::open(&cluster).await;
    for seq in 1..=2u64 {
        let (data, trans) = chunk(&avatar, seq);
        let mut body = json!({"md5": md5_hex(&avatar), "name": name, "seq": seq, "trans_size": trans,
            "total_size": avatar.len(), "last": u8::from(seq == 2), "data": data, "uid": f.a.uid, "last_seq": 2});
        if seq == 1 {
            body["token"] = json!(alice_token);
        }
        let reply = res.call(1031, body).await;
        assert_eq!(reply["error"], 0, "{reply}");
        assert_eq!((reply["seq"].as_u64(), reply["trans_size"].as_u64()), (Some(seq), Some(trans)), "{reply}");
        assert_eq!((reply["total_size"].as_u64(), reply["name"].as_str()), (Some(40_000), Some(name)));
        assert_eq!(reply["complete"], seq == 2);
    }
    assert_eq!(cluster.suite.db.user_by_uid(f.a.uid).await.unwrap().unwrap().icon, name, "the avatar is alice's icon");
    // Any logged-in user reads it (llfc's 1033 read only the requester's own directory).
    let mut bob_res = Res::open(&cluster).await;
    let mut got = Vec::new();
    for seq in 1..=2 {
        let reply = bob_res
            .call(
                1033,
                json!({"name": name, "seq": seq, "trans_size": 0, "total_size": 0, "token": bob_token,
                "uid": f.b.uid, "client_path": "C:/x/head.png", "req_type": "other_icon"}),
            )
            .await;
        assert_eq!(reply["error"], 0, "{reply}");
        assert_eq!(
            (reply["client_path"].as_str(), reply["req_type"].as_str()),
            (Some("C:/x/head.png"), Some("other_icon"))
        );
        assert_eq!(reply["total_size"], "40000");
        assert_eq!(reply["is_last"], seq == 2);
        got.extend(BASE64.decode(reply["data"].as_str().unwrap()).unwrap());
    }
    assert_eq!(got, avatar);

    // A chat picture: the 1035 stores the message (status 3) and reserves the name...
    let pic = sample(3 * CHUNK_BYTES as usize + 1234);
    let pic_name = "9b2d5a1e-0c3f-4e2a-8d7b-6a5c4b3a2f10.jpg";
    let sent = img_chat(&f.a, f.b.uid, f.thread_id, pic_name, &md5_hex(&pic), "{pic-1}").await;
    assert_eq!(sent.error, 0, "{sent:?}");
    assert_eq!((sent.status, sent.unique_name.as_str(), sent.msg_type), (3, pic_name, 1));
    assert!(sent.message_id > 0 && sent.seq > 0 && !sent.chat_time.is_empty());
    // ...then the bytes: the first chunk as 1041 (sizes as strings), the others as 1037s in a
    // window, here out of order: each lands at its offset (llfc appended them as they came).
    let chunk_req = |seq: u64, token: &str| {
        let (data, trans) = chunk(&pic, seq);
        json!({"name": pic_name, "unique_id": "{pic-1}", "seq": seq, "trans_size": trans.to_string(),
            "total_size": pic.len().to_string(), "token": token, "md5": md5_hex(&pic), "uid": f.a.uid, "data": data,
            "message_id": sent.message_id, "receiver": f.b.uid, "sender": f.a.uid, "last": u8::from(seq == 4), "last_seq": 4})
    };
    let reply = res.call(1041, chunk_req(1, "")).await;
    assert_eq!((reply["error"].as_i64(), reply["seq"].as_i64()), (Some(0), Some(1)), "{reply}");
    assert_eq!(
        (reply["sender"].as_i64(), reply["receiver"].as_i64()),
        (Some(i64::from(f.a.uid)), Some(i64::from(f.b.uid)))
    );
    for seq in [3, 4, 2] {
        res.send(1037, &chunk_req(seq, "")).await;
    }
    for seq in [3, 4, 2] {
        let (id, reply) = res.recv().await;
        assert_eq!((id, reply["error"].as_i64(), reply["seq"].as_u64()), (1038, Some(0), Some(seq)), "{reply}");
        assert!(reply["total_size"].is_string() && reply["trans_size"].is_string(), "1038 sizes are strings: {reply}");
        assert_eq!(reply["complete"], seq == 2);
    }
    // Bob, on the other chat server, hears of it once it is all there (1039).
    let notice = next_file_event(&mut f.b).await;
    assert_eq!((notice.message_id, notice.sender_id, notice.receiver_id), (sent.message_id, f.a.uid, f.b.uid));
    assert_eq!((notice.img_name.as_str(), notice.total_size.clone()), (pic_name, pic.len().to_string()));
    assert_eq!(notice.thread_id, f.thread_id);
    // 1045 describes it (llfc answered an unknown id with nothing), 1047 brings it.
    let info = bob_res.call(1045, json!({"message_id": sent.message_id})).await;
    assert_eq!(info["error"], 0, "{info}");
    assert_eq!(
        (info["name"].as_str(), info["status"].as_i64(), info["msg_type"].as_i64()),
        (Some(pic_name), Some(2), Some(1))
    );
    assert_eq!(info["total_size"], pic.len().to_string());
    assert_eq!(download_1047(&mut bob_res, pic_name, f.b.uid, &bob_token, f.a.uid).await, pic);
    let unknown = bob_res.call(1045, json!({"message_id": 999_999_999})).await;
    assert_eq!(unknown["error"].as_i64(), Some(code(ErrorCode::FileNotFound)));
    // History says it is uploaded now (status 2).
    let history = f.b.chat.load_messages(f.thread_id, 0).await.unwrap();
    let stored = history.chat_datas.iter().find(|m| m.msg_id == sent.message_id).expect("in history");
    assert_eq!((stored.status, stored.msg_type, stored.msg_content.as_str()), (2, 1, pic_name));

    // Resume: a chunk, a dropped connection, then the rest on a new one (1043, sizes as
    // integers) once it showed its token again.
    let big = sample(2 * CHUNK_BYTES as usize + 10);
    let big_name = "0a1b2c3d-0000-4000-8000-000000000001.png";
    let sent = img_chat(&f.a, f.b.uid, f.thread_id, big_name, &md5_hex(&big), "{pic-2}").await;
    let with = |seq: u64| {
        let (data, trans) = chunk(&big, seq);
        json!({"name": big_name, "seq": seq, "trans_size": trans, "total_size": big.len(), "md5": md5_hex(&big),
            "uid": f.a.uid, "data": data, "message_id": sent.message_id, "receiver": f.b.uid, "sender": f.a.uid,
            "last": u8::from(seq == 3), "last_seq": 3})
    };
    let mut first = with(1);
    first["token"] = json!(alice_token);
    first["total_size"] = json!(big.len().to_string());
    first["trans_size"] = json!(CHUNK_BYTES.to_string());
    assert_eq!(res.call(1041, first).await["error"], 0);
    drop(res);
    let mut res = Res::open(&cluster).await;
    let refused = res.call(1043, with(2)).await;
    assert_eq!(refused["error"].as_i64(), Some(code(ErrorCode::ResNotAuthenticated)), "{refused}");
    let auth = res.call(1150, json!({"uid": f.a.uid, "token": alice_token})).await;
    assert_eq!(auth["error"], 0, "{auth}");
    assert_eq!(auth["chunk_bytes"], CHUNK_BYTES);
    for seq in 2..=3 {
        let reply = res.call(1043, with(seq)).await;
        assert_eq!(reply["error"], 0, "{reply}");
        assert!(reply["total_size"].is_u64(), "1044 sizes are integers: {reply}");
        assert_eq!(reply["complete"], seq == 3);
    }
    assert_eq!(next_file_event(&mut f.b).await.img_name, big_name);
    assert_eq!(download_1047(&mut bob_res, big_name, f.b.uid, &bob_token, f.a.uid).await, big);
    cluster.shutdown().await;
}

both!(bad_transfers_are_refused_with_their_codes);
async fn bad_transfers_are_refused_with_their_codes(flavor: Flavor) {
    let cluster = TestCluster::start_with(flavor, |file| {
        file.files.max_file_bytes = 100_000;
        file.files.quota_bytes = 150_000;
    })
    .await;
    let f = cluster.friends().await;
    let token = f.a.login.token.clone();
    let carol = cluster.register("carol").await;
    let carol = cluster.login_on(&carol, 0).await;

    // Names that are paths, or odd, never get as far as the disk.
    for bad in ["../../etc/passwd", "a/b.png", "..", ".hidden", "x.png\0", "a b.png"] {
        let sent = img_chat(&f.a, f.b.uid, f.thread_id, bad, &md5_hex(b"x"), &format!("{{bad-{bad}}}")).await;
        assert_eq!(sent.error, ErrorCode::BadFileName.code(), "{bad:?}: {sent:?}");
    }
    let mut res = Res::open(&cluster).await;
    let reply = res
        .call(
            1031,
            json!({"md5": md5_hex(b"abc"), "name": "../x.png", "seq": 1, "total_size": 3, "trans_size": 3,
            "last": 1, "data": "YWJj", "uid": f.a.uid, "token": token}),
        )
        .await;
    assert_eq!(reply["error"].as_i64(), Some(code(ErrorCode::BadFileName)), "{reply}");

    // Tokens: none yet, a wrong one, and another user's uid on a bound connection.
    let mut fresh = Res::open(&cluster).await;
    let none = fresh.call(1047, json!({"name": "x.png", "seq": 1, "uid": f.a.uid})).await;
    assert_eq!(none["error"].as_i64(), Some(code(ErrorCode::ResNotAuthenticated)), "{none}");
    let wrong = fresh.call(1047, json!({"name": "x.png", "seq": 1, "uid": f.a.uid, "token": "not-the-token"})).await;
    assert_eq!(wrong["error"].as_i64(), Some(code(ErrorCode::TokenInvalid)), "{wrong}");
    let other = res.call(1047, json!({"name": "x.png", "seq": 1, "uid": f.b.uid})).await;
    assert_eq!(other["error"].as_i64(), Some(code(ErrorCode::UidMismatch)), "{other}");

    // Over the size cap, then over the quota: refused at the first chunk.
    let chunk_of = |name: &str, size: usize, data: &[u8], seq: u64| {
        json!({"name": name, "seq": seq, "trans_size": "0", "total_size": size.to_string(), "md5": md5_hex(data),
            "uid": f.a.uid, "data": chunk(data, seq).0, "last": 0})
    };
    let huge = sample(100_001);
    let sent = img_chat(&f.a, f.b.uid, f.thread_id, "big.bin", &md5_hex(&huge), "{big}").await;
    assert_eq!(sent.error, 0);
    let reply = res.call(1041, chunk_of("big.bin", huge.len(), &huge, 1)).await;
    assert_eq!(reply["error"].as_i64(), Some(code(ErrorCode::FileTooLarge)), "{reply}");
    let (one, two) = (sample(80_000), sample(80_001));
    for (name, bytes, expect) in [("one.bin", &one, 0), ("two.bin", &two, code(ErrorCode::QuotaExceeded))] {
        let sent = img_chat(&f.a, f.b.uid, f.thread_id, name, &md5_hex(bytes), &format!("{{{name}}}")).await;
        assert_eq!(sent.error, 0);
        let reply = res.call(1041, chunk_of(name, bytes.len(), bytes, 1)).await;
        assert_eq!(reply["error"].as_i64(), Some(expect), "{name}: {reply}");
    }

    // A chunk shorter than its place in the file, a seq past its end, data that is not base64.
    let short = json!({"name": "one.bin", "seq": 2, "trans_size": "0", "total_size": "80000", "md5": md5_hex(&one),
        "uid": f.a.uid, "data": BASE64.encode(&one[..100]), "last": 0});
    assert_eq!(res.call(1037, short).await["error"].as_i64(), Some(code(ErrorCode::BadChunk)));
    let mut past = chunk_of("one.bin", one.len(), &one, 1);
    past["seq"] = json!(9);
    assert_eq!(res.call(1037, past).await["error"].as_i64(), Some(code(ErrorCode::BadChunk)));
    let mut garbage = chunk_of("one.bin", one.len(), &one, 2);
    garbage["data"] = json!("***not base64***");
    assert_eq!(res.call(1037, garbage).await["error"].as_i64(), Some(code(ErrorCode::BadChunk)));
    // A truncated transfer is not a file: the recipient cannot download it.
    let mut bob_res = Res::open(&cluster).await;
    let early =
        bob_res.call(1047, json!({"name": "one.bin", "seq": 1, "uid": f.b.uid, "token": f.b.login.token})).await;
    assert_eq!(early["error"].as_i64(), Some(code(ErrorCode::FileNotFound)), "{early}");
    // Every chunk there but the bytes are not the announced md5: refused, and it starts over.
    let liar = sample(1000);
    let sent = img_chat(&f.a, f.b.uid, f.thread_id, "liar.txt", &md5_hex(b"something else"), "{liar}").await;
    assert_eq!(sent.error, 0);
    let reply = res
        .call(
            1041,
            json!({"name": "liar.txt", "seq": 1, "trans_size": "1000", "total_size": "1000",
        "uid": f.a.uid, "data": BASE64.encode(&liar), "last": 1}),
        )
        .await;
    assert_eq!(reply["error"].as_i64(), Some(code(ErrorCode::ChecksumMismatch)), "{reply}");

    // Someone else's file: carol is in neither thread.
    let ok = sample(500);
    let sent = img_chat(&f.a, f.b.uid, f.thread_id, "ok.txt", &md5_hex(&ok), "{ok}").await;
    let reply = res
        .call(
            1041,
            json!({"name": "ok.txt", "seq": 1, "trans_size": "500", "total_size": "500",
        "uid": f.a.uid, "data": BASE64.encode(&ok), "md5": md5_hex(&ok), "last": 1}),
        )
        .await;
    assert_eq!(reply["complete"], true, "{reply}");
    let mut carol_res = Res::open(&cluster).await;
    let theirs =
        carol_res.call(1047, json!({"name": "ok.txt", "seq": 1, "uid": carol.uid, "token": carol.login.token})).await;
    // Not readable answers like no such file: no oracle of names (review 3, N17).
    assert_eq!(theirs["error"].as_i64(), Some(code(ErrorCode::FileNotFound)), "{theirs}");
    // A seq far past the end (its offset would not fit 64 bits) is a bad chunk, not a crash.
    let far = res.call(1047, json!({"name": "ok.txt", "seq": i64::MAX, "uid": f.a.uid})).await;
    assert_eq!(far["error"].as_i64(), Some(code(ErrorCode::BadChunk)), "{far}");
    let far = res
        .call(
            1037,
            json!({"name": "one.bin", "seq": i64::MAX, "total_size": "80000", "uid": f.a.uid,
        "data": "", "md5": md5_hex(&one)}),
        )
        .await;
    assert_eq!(far["error"].as_i64(), Some(code(ErrorCode::BadChunk)), "{far}");
    let info = carol_res.call(1045, json!({"message_id": sent.message_id})).await;
    assert_eq!(info["error"].as_i64(), Some(code(ErrorCode::FileNotFound)), "{info}");
    // Nor may carol write into alice's upload.
    let reply = carol_res
        .call(
            1037,
            json!({"name": "one.bin", "seq": 2, "trans_size": "0", "total_size": "80000",
        "uid": carol.uid, "data": chunk(&one, 2).0, "md5": md5_hex(&one)}),
        )
        .await;
    assert_eq!(reply["error"].as_i64(), Some(code(ErrorCode::BadFileName)), "{reply}");

    // An oversized frame is answered (1100), then the connection closes.
    let mut frame = 1037u16.to_be_bytes().to_vec();
    frame.extend_from_slice(&(60_000u32).to_be_bytes());
    res.0.write_all(&frame).await.unwrap();
    let (_, reply) = res.recv().await;
    assert_eq!(reply["error"].as_i64(), Some(code(ErrorCode::FrameTooLarge)));
    let mut rest = Vec::new();
    assert_eq!(tokio::time::timeout(Duration::from_secs(10), res.0.read_to_end(&mut rest)).await.unwrap().unwrap(), 0);
    cluster.shutdown().await;
}

/// imchat's SDK sends a picture (the server names it, sniffs it, makes a thumbnail); the
/// friend on the other chat server hears of it and downloads both.
async fn sdk_round_trip(cluster: &TestCluster) {
    let mut f = cluster.friends().await;
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("holiday photo.png");
    image::RgbImage::from_fn(900, 600, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]))
        .save(&png)
        .unwrap();
    let res_addr = cluster.suite.res.to_string();
    let mut alice =
        FileClient::connect(&res_addr, f.a.uid, &f.a.login.token).await.expect("alice's resource connection");
    let mut seen = Vec::new();
    let out =
        Outgoing { me: f.a.uid, touid: f.b.uid, thread_id: f.thread_id, path: &png, msg_type: 1, unique_id: "{sdk-1}" };
    let sent = send_file(&f.a.chat, &mut alice, &out, |done, total| seen.push((done, total))).await.expect("sent");
    assert!(sent.message.unique_name.ends_with(".png"), "{:?}", sent.message);
    assert_eq!(seen.last().copied(), Some((sent.size, sent.size)), "progress reaches the end");

    let notice = next_file_event(&mut f.b).await;
    assert_eq!(
        (notice.img_name.as_str(), notice.mime.as_str(), notice.label.as_str()),
        (sent.message.unique_name.as_str(), "image/png", "holiday photo.png")
    );
    assert!(notice.thumb_size > 0, "{notice:?}");
    let mut bob = FileClient::connect(&res_addr, f.b.uid, &f.b.login.token).await.unwrap();
    let meta = bob.meta(&notice.img_name).await.unwrap();
    assert_eq!((meta.complete, meta.md5.clone()), (true, md5_of(&png).await.unwrap()));
    assert_eq!(meta.sha256.len(), 64);
    let thumb = dir.path().join("thumb.jpg");
    bob.download(&notice.img_name, true, &thumb, |_, _| {}).await.expect("thumbnail");
    let small = image::open(&thumb).unwrap();
    assert_eq!((small.width(), small.height()), (256, 171));
    let copy = dir.path().join("copy.png");
    bob.download(&notice.img_name, false, &copy, |_, _| {}).await.expect("download");
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&png).unwrap());
    // A second user's connection cannot claim alice's uid.
    let stolen = FileClient::connect(&res_addr, f.a.uid, &f.b.login.token).await.unwrap_err();
    assert_eq!(stolen.code(), Some(ErrorCode::TokenInvalid));
    drop(f);
}

both!(sdk_sends_a_picture_with_a_thumbnail);
async fn sdk_sends_a_picture_with_a_thumbnail(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    sdk_round_trip(&cluster).await;
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_live_in_s3_compatible_storage() {
    let s3 = imchat_tests::services::S3Server::start().await;
    let staging = tempfile::tempdir().unwrap();
    let config = s3.config();
    let cluster = TestCluster::start_with(Flavor::Production, |file| {
        file.storage = Some(imchat_res::StorageConfig::S3(config));
        file.staging_dir = Some(staging.path().to_path_buf());
    })
    .await;
    sdk_round_trip(&cluster).await;
    // The bytes are in the bucket, under the server's keys and not the client's names.
    let keys = s3.list().await;
    assert!(keys.len() >= 2 && keys.iter().all(|k| k.starts_with("files/") && !k.contains(".png")), "{keys:?}");
    cluster.shutdown().await;
}

/// Uploads `bytes` as an avatar named `name` over `res` (its first chunk shows the token).
async fn upload_avatar(res: &mut Res, uid: i32, token: &str, name: &str, bytes: &[u8]) -> Value {
    let chunks = (bytes.len() as u64).div_ceil(CHUNK_BYTES);
    let mut reply = Value::Null;
    for seq in 1..=chunks {
        let (data, trans) = chunk(bytes, seq);
        let body = json!({"md5": md5_hex(bytes), "name": name, "seq": seq, "trans_size": trans, "token": token,
            "total_size": bytes.len(), "last": u8::from(seq == chunks), "data": data, "uid": uid});
        reply = res.call(1031, body).await;
        if reply["error"] != 0 {
            return reply;
        }
    }
    reply
}

both!(names_are_never_reused_and_notices_follow_membership);
/// Review 3, N6 and N17: a name once deleted, replaced or swept is refused to every later
/// upload and reads as no file; a refusal does not tell which names exist; a 1039 reaches the
/// group's members as of the message, not someone invited after it.
async fn names_are_never_reused_and_notices_follow_membership(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let mut f = cluster.friends().await;
    let carol = cluster.register("carol").await;
    let mut c = cluster.login_on(&carol, 0).await;
    let (alice_token, bob_token) = (f.a.login.token.clone(), f.b.login.token.clone());
    let mut res = Res::open(&cluster).await;
    let mut bob_res = Res::open(&cluster).await;

    // A replaced avatar's name is retired: bob cannot take it, and reading it finds nothing.
    let (first, second) = (sample(900), sample(1200));
    let reply = upload_avatar(&mut res, f.a.uid, &alice_token, "old-face.png", &first).await;
    assert_eq!(reply["complete"], true, "{reply}");
    let reply = upload_avatar(&mut res, f.a.uid, "", "new-face.png", &second).await;
    assert_eq!(reply["complete"], true, "{reply}");
    let read = bob_res.call(1033, json!({"name": "old-face.png", "seq": 1, "uid": f.b.uid, "token": bob_token})).await;
    assert_eq!(read["error"].as_i64(), Some(code(ErrorCode::FileNotFound)), "{read}");
    let taken = upload_avatar(&mut bob_res, f.b.uid, "", "old-face.png", &sample(700)).await;
    assert_eq!(taken["error"].as_i64(), Some(code(ErrorCode::BadFileName)), "{taken}");

    // A chat file an operator deleted: its name is refused to a new message and to an avatar.
    let pic = sample(800);
    let sent = img_chat(&f.a, f.b.uid, f.thread_id, "gone.png", &md5_hex(&pic), "{gone-1}").await;
    assert_eq!(sent.error, 0, "{sent:?}");
    let up = json!({"name": "gone.png", "seq": 1, "trans_size": "800", "total_size": "800", "uid": f.a.uid,
        "data": BASE64.encode(&pic), "md5": md5_hex(&pic), "last": 1});
    assert_eq!(res.call(1041, up).await["complete"], true);
    let deleted = cluster
        .admin()
        .await
        .delete_file(imchat_proto::grpc::DeleteFileReq { name: "gone.png".into() })
        .await
        .expect("deleted")
        .into_inner();
    assert!(deleted.found);
    let again = img_chat(&f.b, f.a.uid, f.thread_id, "gone.png", &md5_hex(&pic), "{gone-2}").await;
    assert_eq!(again.error, ErrorCode::BadFileName.code(), "{again:?}");
    let taken = upload_avatar(&mut bob_res, f.b.uid, "", "gone.png", &pic).await;
    assert_eq!(taken["error"].as_i64(), Some(code(ErrorCode::BadFileName)), "{taken}");
    let read = bob_res.call(1047, json!({"name": "gone.png", "seq": 1, "uid": f.b.uid})).await;
    assert_eq!(read["error"].as_i64(), Some(code(ErrorCode::FileNotFound)), "{read}");

    // A group picture announced before carol was invited: bob hears of it, carol does not.
    crate::groups::befriend(&mut f.a, &mut c).await;
    let group = f.a.chat.create_group("pics", &[f.b.uid]).await.expect("created").group.thread_id;
    let pic = sample(1500);
    let sent = img_chat(&f.a, 0, group, "before-carol.png", &md5_hex(&pic), "{grp-1}").await;
    assert_eq!(sent.error, 0, "{sent:?}");
    f.a.chat.invite_to_group(group, &[carol.uid]).await.expect("invited");
    let up = json!({"name": "before-carol.png", "seq": 1, "trans_size": "1500", "total_size": "1500",
        "uid": f.a.uid, "data": BASE64.encode(&pic), "md5": md5_hex(&pic), "last": 1});
    assert_eq!(res.call(1041, up).await["complete"], true);
    while next_file_event(&mut f.b).await.img_name != "before-carol.png" {}
    // The notices went out before the last chunk's reply, so a text sent now comes after.
    f.a.chat.send_group_texts(f.a.uid, group, &[("after", "t-1")], &[]).await.expect("sent");
    loop {
        match c.next_event().await {
            Event::File(notice) => panic!("carol heard of a file sent before she joined: {notice:?}"),
            Event::Group(push) if push.chat_datas.iter().any(|d| d.content == "after") => break,
            Event::Closed => panic!("carol's connection closed"),
            _ => {}
        }
    }
    drop((f, c));
    cluster.shutdown().await;
}
