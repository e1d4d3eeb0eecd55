//! Fuzz target for the resource-server framing (`u16` id, `u32` length) and its requests:
//! arbitrary bytes, fed in arbitrary chunks, never panic, decode the same however they are
//! split, and every frame's body is read as each request type (lenient numbers included)
//! without panicking.
//! Run: `cargo fuzz run -s none decode_res -- -max_total_time=60` (from `fuzz/`).

#![no_main]

use bytes::BytesMut;
use imchat_proto::codec::{Decoded, Decoder, Framing};
use imchat_proto::msg::res::{ChunkReq, DownInfoReq, DownloadReq, FileMetaReq, ResAuthReq, reply_id};
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
    for frame in &decoded {
        if let Decoded::Frame(frame) = frame {
            let _ = reply_id(frame.id);
            let _ = serde_json::from_slice::<ChunkReq>(&frame.body);
            let _ = serde_json::from_slice::<DownloadReq>(&frame.body);
            let _ = serde_json::from_slice::<DownInfoReq>(&frame.body);
            let _ = serde_json::from_slice::<ResAuthReq>(&frame.body);
            let _ = serde_json::from_slice::<FileMetaReq>(&frame.body);
        }
    }
});
