//! Fuzz target for what a chat server takes from a peer: arbitrary bytes are decoded as a
//! `Deliver` call's protobuf (a `DeliverStream` request is the same message; and the other
//! peer calls'), each frame and fan-out framed as a client gets it (`codec::peer_frame`), and
//! every framed push adapted for an llfc client
//! (`llfc_client::adapt_push`, which reads the JSON of a 1039, a 1162 and a 1165). Nothing panics, and an
//! adapted frame, where there is one, is always one whole chat frame.
//! Run: `cargo fuzz run -s none deliver -- -max_total_time=600` (from `fuzz/`).

#![no_main]

use bytes::{Bytes, BytesMut};
use imchat_proto::codec::{Decoded, Decoder, peer_frame};
use imchat_proto::grpc::{
    AddFriendReq, AuthFriendReq, DeliverReq, FriendsChangedReq, GroupChangedReq, KickUserReq, RoutesChangedReq,
    TextChatMsgReq,
};
use imchat_proto::llfc_client::adapt_push;
use libfuzzer_sys::fuzz_target;
use prost::Message as _;

fn check(frame: Bytes) {
    // A frame the client must not get (a group's recall) is no frame.
    let Some(adapted) = adapt_push(frame, 2) else { return };
    let mut decoder = Decoder::new(u16::MAX as usize);
    let mut buf = BytesMut::from(&adapted[..]);
    assert!(matches!(decoder.decode(&mut buf), Some(Decoded::Frame(_))), "one whole frame");
    assert!(buf.is_empty(), "and nothing after it");
}

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = DeliverReq::decode(data) {
        for frame in req.frames {
            if let Ok(framed) = peer_frame(frame.msg_id, &frame.body) {
                check(framed);
            }
        }
        for fanout in req.fanouts {
            if let Ok(framed) = peer_frame(fanout.msg_id, &fanout.body) {
                check(framed);
            }
        }
    }
    // A body from a peer, as a 1039, a 1162 or a 1165 would carry it.
    for id in [1039, 1162, 1165] {
        if let Ok(framed) = peer_frame(id, data) {
            check(framed);
        }
    }
    let _ = AddFriendReq::decode(data);
    let _ = AuthFriendReq::decode(data);
    let _ = TextChatMsgReq::decode(data);
    let _ = KickUserReq::decode(data);
    let _ = GroupChangedReq::decode(data);
    let _ = RoutesChangedReq::decode(data);
    let _ = FriendsChangedReq::decode(data);
});
