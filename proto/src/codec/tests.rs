//! Codec tests: round trips, every split point, oversized and truncated input.

use bytes::BytesMut;
use proptest::prelude::*;

use crate::codec::{Decoded, Decoder, Frame, Framing, encode, encode_resource};

fn decode_all(decoder: &mut Decoder, buf: &mut BytesMut) -> Vec<Decoded> {
    std::iter::from_fn(|| decoder.decode(buf)).collect()
}

fn frames(items: &[(u16, Vec<u8>)]) -> BytesMut {
    let mut buf = BytesMut::new();
    for (id, body) in items {
        encode(*id, body, &mut buf).unwrap();
    }
    buf
}

#[test]
fn header_layout_is_big_endian() {
    let buf = frames(&[(1005, b"{}".to_vec())]);
    assert_eq!(&buf[..], &[0x03, 0xED, 0x00, 0x02, b'{', b'}']);
}

#[test]
fn short_header_needs_more_bytes() {
    let mut decoder = Decoder::default();
    let mut buf = BytesMut::from(&[0x03, 0xED, 0x00][..]);
    assert_eq!(decoder.decode(&mut buf), None);
    assert_eq!(buf.len(), 3, "a partial header is left in place");
}

#[test]
fn oversized_frame_is_reported_then_skipped() {
    let mut decoder = Decoder::new(8);
    let mut buf = frames(&[(1017, vec![b'x'; 20]), (1023, b"{}".to_vec())]);
    let got = decode_all(&mut decoder, &mut buf);
    assert_eq!(
        got,
        vec![Decoded::Oversized { id: 1017, len: 20 }, Decoded::Frame(Frame { id: 1023, body: "{}".into() }),]
    );
}

#[test]
fn oversized_body_arriving_in_pieces_is_skipped() {
    let mut decoder = Decoder::new(4);
    let all = frames(&[(7, vec![1; 10]), (8, vec![2; 2])]);
    let mut buf = BytesMut::new();
    let mut got = Vec::new();
    for byte in all.iter() {
        buf.extend_from_slice(&[*byte]);
        got.extend(decode_all(&mut decoder, &mut buf));
    }
    assert_eq!(
        got,
        vec![Decoded::Oversized { id: 7, len: 10 }, Decoded::Frame(Frame { id: 8, body: vec![2, 2].into() }),]
    );
}

#[test]
fn truncated_frame_is_not_at_boundary() {
    let mut decoder = Decoder::default();
    let mut buf = frames(&[(1005, b"{\"uid\":1}".to_vec())]);
    buf.truncate(7);
    assert_eq!(decoder.decode(&mut buf), None);
    assert!(!decoder.is_at_boundary(&buf));
}

#[test]
fn limit_is_clamped_to_the_frame_ceiling() {
    assert_eq!(Decoder::new(1 << 20).max_body(), u16::MAX as usize);
}

#[test]
fn encode_rejects_bodies_the_header_cannot_express() {
    let mut buf = BytesMut::new();
    let err = encode(1, &vec![0; 65_536], &mut buf).unwrap_err();
    assert_eq!(err.len, 65_536);
    assert!(buf.is_empty(), "nothing is written on error");
}

fn arb_frames() -> impl Strategy<Value = Vec<(u16, Vec<u8>)>> {
    prop::collection::vec((any::<u16>(), prop::collection::vec(any::<u8>(), 0..64)), 0..8)
}

#[test]
fn resource_frames_have_a_u32_length() {
    let mut buf = BytesMut::new();
    encode_resource(1031, b"{}", &mut buf).unwrap();
    assert_eq!(&buf[..], &[0x04, 0x07, 0x00, 0x00, 0x00, 0x02, b'{', b'}']);
    let mut decoder = Decoder::with_framing(Framing::Resource, 16);
    assert_eq!(decode_all(&mut decoder, &mut buf), [Decoded::Frame(Frame { id: 1031, body: "{}".into() })]);

    // A body of 70,000 bytes is beyond any chat frame but one resource frame; above the limit it
    // is reported once and skipped as it arrives.
    let mut buf = BytesMut::new();
    encode_resource(1037, &vec![b'x'; 70_000], &mut buf).unwrap();
    encode_resource(1033, b"{}", &mut buf).unwrap();
    let mut decoder = Decoder::with_framing(Framing::Resource, 51_200);
    let mut whole = buf.clone();
    assert_eq!(
        decode_all(&mut decoder, &mut whole),
        [Decoded::Oversized { id: 1037, len: 70_000 }, Decoded::Frame(Frame { id: 1033, body: "{}".into() })]
    );
    assert!(decoder.is_at_boundary(&whole));
}

proptest! {
    #[test]
    fn resource_round_trip_at_every_split(items in arb_frames(), limit in 0usize..80) {
        let mut all = BytesMut::new();
        for (id, body) in &items {
            encode_resource(*id, body, &mut all).unwrap();
        }
        let whole = decode_all(&mut Decoder::with_framing(Framing::Resource, limit), &mut all.clone());
        for split in 0..=all.len() {
            let mut decoder = Decoder::with_framing(Framing::Resource, limit);
            let mut buf = BytesMut::from(&all[..split]);
            let mut got = decode_all(&mut decoder, &mut buf);
            buf.extend_from_slice(&all[split..]);
            got.extend(decode_all(&mut decoder, &mut buf));
            prop_assert_eq!(&got, &whole, "split at {}", split);
        }
    }

    #[test]
    fn round_trip(items in arb_frames()) {
        let mut buf = frames(&items);
        let got = decode_all(&mut Decoder::new(64), &mut buf);
        let want: Vec<Decoded> = items
            .iter()
            .map(|(id, body)| Decoded::Frame(Frame { id: *id, body: body.clone().into() }))
            .collect();
        prop_assert_eq!(got, want);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn every_split_decodes_identically(items in arb_frames(), limit in 0usize..80) {
        let all = frames(&items);
        let whole = decode_all(&mut Decoder::new(limit), &mut all.clone());
        for split in 0..=all.len() {
            let mut decoder = Decoder::new(limit);
            let mut buf = BytesMut::from(&all[..split]);
            let mut got = decode_all(&mut decoder, &mut buf);
            buf.extend_from_slice(&all[split..]);
            got.extend(decode_all(&mut decoder, &mut buf));
            prop_assert_eq!(&got, &whole, "split at {}", split);
            prop_assert!(decoder.is_at_boundary(&buf));
        }
    }
}
