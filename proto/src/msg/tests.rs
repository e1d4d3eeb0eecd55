//! Message tests: llfc's exact JSON shapes in, typed values out, and the reverse.

use serde_json::json;

use crate::msg::{ClientMsg, HistoryData, LoadThreadsRsp, ParseError, SearchReq, ThreadInfo, ids};

#[track_caller]
fn check_parse(id: u16, body: &str, want: Result<ClientMsg, ParseError>) {
    let got = ClientMsg::parse(id, body.as_bytes());
    match (&got, &want) {
        (Err(ParseError::Json(_)), Err(ParseError::Json(_))) => {}
        _ => assert_eq!(got, want),
    }
}

#[test]
fn search_uid_is_a_string() {
    check_parse(ids::SEARCH_USER_REQ, r#"{"uid":"1042"}"#, Ok(ClientMsg::Search(SearchReq { uid: "1042".into() })));
    check_parse(ids::SEARCH_USER_REQ, r#"{"uid":1042}"#, Err(ParseError::Json(String::new())));
}

#[test]
fn indented_json_and_extra_fields_are_accepted() {
    let body = "{\n    \"uid\": 7,\n    \"token\": \"t\",\n    \"extra\": true\n}\n";
    assert!(matches!(ClientMsg::parse(ids::CHAT_LOGIN, body.as_bytes()), Ok(ClientMsg::Login(_))));
}

#[test]
fn bad_bodies_are_typed_errors() {
    check_parse(ids::CHAT_LOGIN, "not json", Err(ParseError::Json(String::new())));
    check_parse(ids::CHAT_LOGIN, r#"{"uid":"7","token":"t"}"#, Err(ParseError::Json(String::new())));
    check_parse(4242, "{}", Err(ParseError::UnknownId(4242)));
    assert_eq!(ClientMsg::parse(ids::CHAT_LOGIN, &[0xff, 0xfe]), Err(ParseError::Utf8));
}

#[test]
fn llfc_reply_shapes() {
    let threads = LoadThreadsRsp {
        error: 0,
        uid: 1,
        load_more: false,
        next_last_id: 3,
        threads: vec![ThreadInfo { thread_id: 3, kind: "private".into(), user1_id: 1, user2_id: 2 }],
    };
    assert_eq!(
        serde_json::to_value(&threads).unwrap(),
        json!({"error":0,"uid":1,"load_more":false,"next_last_id":3,
               "threads":[{"thread_id":3,"type":"private","user1_id":1,"user2_id":2}]})
    );
    let history = HistoryData { unique_id: 0, ..HistoryData::default() };
    assert_eq!(serde_json::to_value(&history).unwrap()["unique_id"], json!(0));
}
