//! Fuzz target for the resource-server framing (`u16` id, `u32` length): arbitrary bytes, fed
//! in arbitrary chunks, never panic, decode the same however they are split, and every frame
//! gets an answer that decodes again.
//! Run: `cargo fuzz run -s none decode_res -- -max_total_time=60` (from `fuzz/`).

#![no_main]

use bytes::BytesMut;
use imchat_proto::codec::{Decoded, Decoder, Framing};
use libfuzzer_sys::fuzz_target;

fn decode_all(input: &[u8], chunk: usize) -> Vec<Decoded> {
    let mut decoder = Decoder::with_framing(Framing::Resource, 512);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        while let Some(decoded) = decoder.decode(&mut buf) {
            out.push(decoded);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, input)) = data.split_first() else { return };
    let decoded = decode_all(input, usize::from(chunk));
    assert_eq!(decoded, decode_all(input, input.len()));
    let mut answers = BytesMut::new();
    for frame in &decoded {
        if let Decoded::Frame(frame) = frame {
            imchat_res::answer(imchat_proto::ErrorCode::Unsupported, frame.id, &mut answers);
        }
    }
    let mut decoder = Decoder::with_framing(Framing::Resource, 1024);
    while let Some(answer) = decoder.decode(&mut answers) {
        assert!(matches!(answer, Decoded::Frame(_)));
    }
    assert!(answers.is_empty());
});
