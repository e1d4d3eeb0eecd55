//! Fuzz target for the chat frame decoder and request parser: arbitrary bytes, fed in
//! arbitrary chunks, never panic, and decode the same way however they are split.
//! Run: `cargo fuzz run -s none decode -- -max_total_time=60` (from `fuzz/`).

#![no_main]

use bytes::BytesMut;
use imchat_proto::codec::{Decoded, Decoder};
use imchat_proto::msg::ClientMsg;
use libfuzzer_sys::fuzz_target;

fn decode_all(input: &[u8], chunk: usize) -> Vec<Decoded> {
    let mut decoder = Decoder::new(256);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        while let Some(decoded) = decoder.decode(&mut buf) {
            if let Decoded::Frame(frame) = &decoded {
                let _ = ClientMsg::parse(frame.id, &frame.body);
            }
            out.push(decoded);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, input)) = data.split_first() else { return };
    assert_eq!(decode_all(input, usize::from(chunk)), decode_all(input, input.len()));
});
