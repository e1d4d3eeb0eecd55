//! Malformed frames and hostile requests on the chat port, table-driven: each case gets its
//! documented error reply (or, where the frame boundary is lost, a close), the server stays up,
//! and other sessions are unaffected.

use bytes::BytesMut;
use imchat_proto::ErrorCode;
use imchat_proto::codec::{Decoded, Decoder, Frame, MAX_BODY_CEILING};
use imchat_proto::msg::ids;
use imchat_tests::{DEADLINE, Flavor, Friends, TestCluster};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A raw connection: bytes in, frames out.
struct Raw {
    stream: TcpStream,
    buf: BytesMut,
    decoder: Decoder,
}

impl Raw {
    async fn connect(cluster: &TestCluster) -> Raw {
        let stream = TcpStream::connect(cluster.suite.chats[0].addr).await.unwrap();
        Raw { stream, buf: BytesMut::new(), decoder: Decoder::new(MAX_BODY_CEILING) }
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.unwrap();
    }

    /// The next frame, or `None` when the server closed the connection.
    async fn next(&mut self) -> Option<Frame> {
        let read = async {
            loop {
                if let Some(Decoded::Frame(frame)) = self.decoder.decode(&mut self.buf) {
                    return Some(frame);
                }
                match self.stream.read_buf(&mut self.buf).await {
                    Ok(0) | Err(_) => return None,
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout(DEADLINE, read).await.expect("the server neither answered nor closed")
    }
}

fn frame(id: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn json_frame(id: u16, body: Value) -> Vec<u8> {
    frame(id, body.to_string().as_bytes())
}

/// What a case must produce.
#[derive(Debug)]
enum Expect {
    /// A frame with this id whose `error` is this code.
    Reply(u16, ErrorCode),
    /// The server closes the connection without a reply.
    Close,
}

struct Case {
    name: &'static str,
    /// Log in as alice first.
    login: bool,
    bytes: Vec<u8>,
    /// Close our write side after sending (a truncated stream).
    then_close: bool,
    expect: Expect,
}

async fn login_raw(cluster: &TestCluster, pair: &Friends, raw: &mut Raw) {
    let http = cluster.gate.login(&pair.alice.email, &pair.alice.password).await.unwrap();
    raw.send(&json_frame(ids::CHAT_LOGIN, json!({"uid": http.uid, "token": http.token}))).await;
    let reply = raw.next().await.expect("login reply");
    assert_eq!(reply.id, ids::CHAT_LOGIN_RSP);
    let body: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(body["error"], 0, "login failed: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_gets_documented_answers() {
    let cluster = TestCluster::start(Flavor::Embedded).await;
    let pair = cluster.friends().await;
    let carol = cluster.register("carol").await;
    let emoji_name = format!("小明😀_{}", &carol.name[6..]);
    let last_message =
        cluster.suite.db.history(pair.thread_id, 0, 0, 100).await.unwrap().messages.last().unwrap().message_id;
    {
        let tag = imchat_store::random_hex(3);
        let email = format!("emoji.{tag}@example.com");
        cluster.gate.request_code(&email).await.unwrap();
        let code = cluster.mail.code_for(&email).await;
        let req = imchat_proto::http::RegisterReq {
            email,
            user: emoji_name.clone(),
            passwd: "secret123".into(),
            confirm: "secret123".into(),
            varifycode: code,
            icon: String::new(),
        };
        cluster.gate.register(&req).await.unwrap();
    }
    let (a, b, thread) = (pair.alice.uid, pair.bob.uid, pair.thread_id);
    let big = "字".repeat(2000); // 6000 bytes: inside the frame limit, above the text limit
    let oversized_len: u16 = 9000;
    let mut oversized = Vec::new();
    oversized.extend_from_slice(&ids::TEXT_CHAT_MSG_REQ.to_be_bytes());
    oversized.extend_from_slice(&oversized_len.to_be_bytes());
    oversized.extend(std::iter::repeat_n(b'x', usize::from(oversized_len)));
    let mut high_bit = Vec::new();
    high_bit.extend_from_slice(&ids::SEARCH_USER_REQ.to_be_bytes());
    high_bit.extend_from_slice(&0x8000u16.to_be_bytes());
    high_bit.extend(std::iter::repeat_n(b'y', 0x8000));
    high_bit.extend(json_frame(ids::SEARCH_USER_REQ, json!({"uid": a.to_string()})));

    use Expect::*;
    let cases = vec![
        Case { name: "short header, then close", login: false, bytes: vec![0x03], then_close: true, expect: Close },
        Case {
            name: "length beyond the bytes sent, then close",
            login: false,
            bytes: vec![0x03, 0xED, 0x00, 0x32, b'{', b'"', b'u'],
            then_close: true,
            expect: Close,
        },
        Case {
            name: "oversized length",
            login: false,
            bytes: oversized.clone(),
            then_close: false,
            expect: Reply(ids::TEXT_CHAT_MSG_RSP, ErrorCode::FrameTooLarge),
        },
        Case {
            name: "high-bit length (llfc's signed short)",
            login: true,
            bytes: high_bit,
            then_close: false,
            expect: Reply(ids::SEARCH_USER_RSP, ErrorCode::FrameTooLarge),
        },
        Case {
            name: "invalid UTF-8",
            login: false,
            bytes: frame(ids::CHAT_LOGIN, &[0xff, 0xfe, 0xfd]),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::Json),
        },
        Case {
            name: "not JSON",
            login: false,
            bytes: frame(ids::CHAT_LOGIN, b"uid=1&token=x"),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::Json),
        },
        Case {
            name: "JSON of the wrong shape",
            login: false,
            bytes: frame(ids::CHAT_LOGIN, b"[1,2,3]"),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::Json),
        },
        Case {
            name: "wrong field type",
            login: false,
            bytes: json_frame(ids::CHAT_LOGIN, json!({"uid": "1", "token": "t"})),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::Json),
        },
        Case {
            name: "missing field",
            login: false,
            bytes: json_frame(ids::CHAT_LOGIN, json!({"uid": a})),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::Json),
        },
        Case {
            name: "empty body",
            login: false,
            bytes: frame(ids::CHAT_LOGIN, b""),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::Json),
        },
        Case {
            name: "unknown msg_id",
            login: false,
            bytes: json_frame(4242, json!({})),
            then_close: false,
            expect: Reply(ids::ERROR_RSP, ErrorCode::UnknownMsgId),
        },
        Case {
            name: "msg_id 0",
            login: true,
            bytes: frame(0, b"{}"),
            then_close: false,
            expect: Reply(ids::ERROR_RSP, ErrorCode::UnknownMsgId),
        },
        Case {
            name: "search before login",
            login: false,
            bytes: json_frame(ids::SEARCH_USER_REQ, json!({"uid": "1"})),
            then_close: false,
            expect: Reply(ids::SEARCH_USER_RSP, ErrorCode::NotLoggedIn),
        },
        Case {
            name: "chat before login",
            login: false,
            bytes: json_frame(
                ids::TEXT_CHAT_MSG_REQ,
                json!({"fromuid": a, "touid": b, "thread_id": thread, "text_array": [{"content": "x", "unique_id": "u"}]}),
            ),
            then_close: false,
            expect: Reply(ids::TEXT_CHAT_MSG_RSP, ErrorCode::NotLoggedIn),
        },
        Case {
            name: "history before login",
            login: false,
            bytes: json_frame(ids::LOAD_CHAT_MSG_REQ, json!({"thread_id": thread, "message_id": 0})),
            then_close: false,
            expect: Reply(ids::LOAD_CHAT_MSG_RSP, ErrorCode::NotLoggedIn),
        },
        Case {
            name: "wrong token",
            login: false,
            bytes: json_frame(ids::CHAT_LOGIN, json!({"uid": a, "token": "0123456789abcdef0123456789abcdef"})),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::TokenInvalid),
        },
        Case {
            // Answered like a wrong token: nothing tells which uids logged in lately.
            name: "unknown uid",
            login: false,
            bytes: json_frame(ids::CHAT_LOGIN, json!({"uid": 99_999_999, "token": "t"})),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::TokenInvalid),
        },
        Case {
            name: "login twice",
            login: true,
            bytes: json_frame(ids::CHAT_LOGIN, json!({"uid": a, "token": "t"})),
            then_close: false,
            expect: Reply(ids::CHAT_LOGIN_RSP, ErrorCode::AlreadyLoggedIn),
        },
        Case {
            name: "heartbeat as another uid",
            login: true,
            bytes: json_frame(ids::HEART_BEAT_REQ, json!({"fromuid": b})),
            then_close: false,
            expect: Reply(ids::HEARTBEAT_RSP, ErrorCode::UidMismatch),
        },
        Case {
            name: "friend request as another uid",
            login: true,
            bytes: json_frame(
                ids::ADD_FRIEND_REQ,
                json!({"uid": b, "applyname": "x", "bakname": "y", "touid": carol.uid}),
            ),
            then_close: false,
            expect: Reply(ids::ADD_FRIEND_RSP, ErrorCode::UidMismatch),
        },
        Case {
            name: "message as another uid",
            login: true,
            bytes: json_frame(
                ids::TEXT_CHAT_MSG_REQ,
                json!({"fromuid": b, "touid": a, "thread_id": thread, "text_array": [{"content": "forged", "unique_id": "f"}]}),
            ),
            then_close: false,
            expect: Reply(ids::TEXT_CHAT_MSG_RSP, ErrorCode::UidMismatch),
        },
        Case {
            name: "accept on behalf of another uid",
            login: true,
            bytes: json_frame(ids::AUTH_FRIEND_REQ, json!({"fromuid": b, "touid": carol.uid, "back": ""})),
            then_close: false,
            expect: Reply(ids::AUTH_FRIEND_RSP, ErrorCode::UidMismatch),
        },
        Case {
            name: "threads of another uid",
            login: true,
            bytes: json_frame(ids::LOAD_CHAT_THREAD_REQ, json!({"uid": b, "thread_id": 0})),
            then_close: false,
            expect: Reply(ids::LOAD_CHAT_THREAD_RSP, ErrorCode::UidMismatch),
        },
        Case {
            name: "chat to a non-friend",
            login: true,
            bytes: json_frame(
                ids::TEXT_CHAT_MSG_REQ,
                json!({"fromuid": a, "touid": carol.uid, "thread_id": thread, "text_array": [{"content": "hi", "unique_id": "n"}]}),
            ),
            then_close: false,
            expect: Reply(ids::TEXT_CHAT_MSG_RSP, ErrorCode::NotFriend),
        },
        Case {
            name: "chat into a thread of other users",
            login: true,
            bytes: json_frame(
                ids::TEXT_CHAT_MSG_REQ,
                json!({"fromuid": a, "touid": b, "thread_id": thread + 1000, "text_array": [{"content": "hi", "unique_id": "t"}]}),
            ),
            then_close: false,
            expect: Reply(ids::TEXT_CHAT_MSG_RSP, ErrorCode::NotThreadMember),
        },
        Case {
            name: "empty text array",
            login: true,
            bytes: json_frame(
                ids::TEXT_CHAT_MSG_REQ,
                json!({"fromuid": a, "touid": b, "thread_id": thread, "text_array": []}),
            ),
            then_close: false,
            expect: Reply(ids::TEXT_CHAT_MSG_RSP, ErrorCode::InvalidArgument),
        },
        Case {
            name: "text above the length limit",
            login: true,
            bytes: json_frame(
                ids::TEXT_CHAT_MSG_REQ,
                json!({"fromuid": a, "touid": b, "thread_id": thread, "text_array": [{"content": big, "unique_id": "big"}]}),
            ),
            then_close: false,
            expect: Reply(ids::TEXT_CHAT_MSG_RSP, ErrorCode::InvalidArgument),
        },
        Case {
            name: "open a chat with a non-friend",
            login: true,
            bytes: json_frame(ids::CREATE_PRIVATE_CHAT_REQ, json!({"uid": a, "other_id": carol.uid})),
            then_close: false,
            expect: Reply(ids::CREATE_PRIVATE_CHAT_RSP, ErrorCode::NotFriend),
        },
        Case {
            name: "history of someone else's thread",
            login: true,
            bytes: json_frame(ids::LOAD_CHAT_MSG_REQ, json!({"thread_id": thread + 1000, "message_id": 0})),
            then_close: false,
            expect: Reply(ids::LOAD_CHAT_MSG_RSP, ErrorCode::NotThreadMember),
        },
        Case {
            name: "history cursor from another thread",
            login: true,
            bytes: json_frame(ids::LOAD_CHAT_MSG_REQ, json!({"thread_id": thread, "message_id": 987_654_321})),
            then_close: false,
            expect: Reply(ids::LOAD_CHAT_MSG_RSP, ErrorCode::InvalidArgument),
        },
        Case {
            name: "friend request to oneself",
            login: true,
            bytes: json_frame(ids::ADD_FRIEND_REQ, json!({"uid": a, "applyname": "", "bakname": "", "touid": a})),
            then_close: false,
            expect: Reply(ids::ADD_FRIEND_RSP, ErrorCode::InvalidArgument),
        },
        Case {
            name: "friend request to an unknown uid",
            login: true,
            bytes: json_frame(
                ids::ADD_FRIEND_REQ,
                json!({"uid": a, "applyname": "", "bakname": "", "touid": 99_999_999}),
            ),
            then_close: false,
            expect: Reply(ids::ADD_FRIEND_RSP, ErrorCode::UidInvalid),
        },
        Case {
            name: "accept without a request",
            login: true,
            bytes: json_frame(ids::AUTH_FRIEND_REQ, json!({"fromuid": a, "touid": carol.uid, "back": ""})),
            then_close: false,
            expect: Reply(ids::AUTH_FRIEND_RSP, ErrorCode::NoPendingApply),
        },
        Case {
            name: "SQL metacharacters in a search",
            login: true,
            bytes: json_frame(ids::SEARCH_USER_REQ, json!({"uid": "' OR '1'='1' -- "})),
            then_close: false,
            expect: Reply(ids::SEARCH_USER_RSP, ErrorCode::UidInvalid),
        },
        Case {
            name: "4-byte emoji name search",
            login: true,
            bytes: json_frame(ids::SEARCH_USER_REQ, json!({"uid": emoji_name})),
            then_close: false,
            expect: Reply(ids::SEARCH_USER_RSP, ErrorCode::Success),
        },
        Case {
            name: "uid search past i32",
            login: true,
            bytes: json_frame(ids::SEARCH_USER_REQ, json!({"uid": "99999999999"})),
            then_close: false,
            expect: Reply(ids::SEARCH_USER_RSP, ErrorCode::UidInvalid),
        },
        Case {
            name: "empty history page",
            login: true,
            bytes: json_frame(ids::LOAD_CHAT_MSG_REQ, json!({"thread_id": thread, "message_id": last_message})),
            then_close: false,
            expect: Reply(ids::LOAD_CHAT_MSG_RSP, ErrorCode::Success),
        },
    ];
    assert!(cases.len() >= 25);

    for case in cases {
        let mut raw = Raw::connect(&cluster).await;
        if case.login {
            login_raw(&cluster, &pair, &mut raw).await;
        }
        raw.send(&case.bytes).await;
        if case.then_close {
            raw.stream.shutdown().await.unwrap();
        }
        match (case.expect, raw.next().await) {
            (Close, None) => {}
            (Reply(id, code), Some(frame)) => {
                assert_eq!(frame.id, id, "{}: reply id", case.name);
                let body: Value = serde_json::from_slice(&frame.body)
                    .unwrap_or_else(|err| panic!("{}: reply is not JSON: {err}", case.name));
                assert_eq!(body["error"], code.code(), "{}: {body}", case.name);
            }
            (expect, got) => panic!("{}: expected {expect:?}, got {got:?}", case.name),
        }
        if case.name.starts_with("high-bit") {
            // The stream stayed in sync: the frame after the skipped body is answered.
            let next = raw.next().await.expect("reply after the skipped body");
            assert_eq!(next.id, ids::SEARCH_USER_RSP);
        }
    }

    // The server is up and bob's session (on the other server) is unaffected.
    assert_eq!(pair.b.chat.heartbeat(b).await.unwrap().error, 0);
    let fresh = cluster.login_on(&pair.alice, 0).await;
    assert_eq!(fresh.chat.heartbeat(a).await.unwrap().error, 0);
    cluster.shutdown().await;
}
