//! Sans-IO frame codec for llfc's two framings: chat frames, `u16 BE msg_id` + `u16 BE
//! body_len` + body (llfc-wire.md §2.1), and resource-server frames, whose length is a `u32`
//! (§2.5). One decoder serves both; [`Framing`] says which.
//!
//! The decoder works on a `BytesMut` the caller fills from wherever it reads; "need more bytes"
//! is `Ok(None)`, never an error. Every `u16` length is a valid frame boundary, so an oversized
//! frame is reported (so the server can answer it) and then skipped, not treated as fatal.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Bytes in a chat frame header: `msg_id` then `body_len`, both big-endian `u16`.
pub const HEADER_LEN: usize = 4;
/// Bytes in a resource-server frame header: `u16 msg_id`, then a `u32 body_len`.
pub const RES_HEADER_LEN: usize = 6;

/// Default inbound body limit of a resource-server frame (llfc's `MAX_LENGTH`: a 32 KiB file
/// chunk in base64 plus its JSON fields).
pub const RES_DEFAULT_MAX_BODY: usize = 50 * 1024;

/// Which of llfc's two headers frames the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Chat servers: `u16` id, `u16` length.
    Chat,
    /// The resource server: `u16` id, `u32` length.
    Resource,
}

impl Framing {
    pub const fn header_len(self) -> usize {
        match self {
            Framing::Chat => HEADER_LEN,
            Framing::Resource => RES_HEADER_LEN,
        }
    }

    /// The largest body the header can express.
    pub const fn ceiling(self) -> usize {
        match self {
            Framing::Chat => MAX_BODY_CEILING,
            Framing::Resource => u32::MAX as usize,
        }
    }
}

/// Default inbound body limit. llfc used 2048, which drops legitimate CJK messages (§10.8).
pub const DEFAULT_MAX_BODY: usize = 8 * 1024;

/// The largest body the framing can express; no configured limit may exceed it.
pub const MAX_BODY_CEILING: usize = u16::MAX as usize;

/// One complete frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub id: u16,
    pub body: Bytes,
}

/// What the decoder produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    Frame(Frame),
    /// The header announced a body above the limit. The body is discarded as it arrives, so the
    /// stream stays in sync and the peer can be told.
    Oversized {
        id: u16,
        len: usize,
    },
}

/// Incremental frame decoder with an inbound body limit.
#[derive(Debug, Clone)]
pub struct Decoder {
    framing: Framing,
    max_body: usize,
    /// Bytes of an oversized body still to be thrown away.
    discard: usize,
}

impl Decoder {
    /// A chat-frame decoder that accepts bodies up to `max_body` bytes (clamped to
    /// [`MAX_BODY_CEILING`]).
    pub fn new(max_body: usize) -> Decoder {
        Decoder::with_framing(Framing::Chat, max_body)
    }

    /// A decoder for `framing` that accepts bodies up to `max_body` bytes.
    pub fn with_framing(framing: Framing, max_body: usize) -> Decoder {
        Decoder { framing, max_body: max_body.min(framing.ceiling()), discard: 0 }
    }

    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// Takes the next frame off the front of `buf`, or returns `None` when more bytes are needed.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Option<Decoded> {
        if self.discard > 0 {
            let n = self.discard.min(buf.len());
            buf.advance(n);
            self.discard -= n;
            if self.discard > 0 {
                return None;
            }
        }
        let header = self.framing.header_len();
        if buf.len() < header {
            return None;
        }
        let id = u16::from_be_bytes([buf[0], buf[1]]);
        let len = match self.framing {
            Framing::Chat => usize::from(u16::from_be_bytes([buf[2], buf[3]])),
            Framing::Resource => {
                usize::try_from(u32::from_be_bytes([buf[2], buf[3], buf[4], buf[5]])).unwrap_or(usize::MAX)
            }
        };
        if len > self.max_body {
            buf.advance(header);
            self.discard = len;
            return Some(Decoded::Oversized { id, len });
        }
        if buf.len() < header + len {
            // Reserve once for the whole frame instead of growing in small steps.
            buf.reserve(header + len - buf.len());
            return None;
        }
        buf.advance(header);
        let body = buf.split_to(len).freeze();
        Some(Decoded::Frame(Frame { id, body }))
    }

    /// True when the stream ended cleanly between frames (an EOF elsewhere truncated a frame).
    pub fn is_at_boundary(&self, buf: &BytesMut) -> bool {
        self.discard == 0 && buf.is_empty()
    }
}

impl Default for Decoder {
    fn default() -> Decoder {
        Decoder::new(DEFAULT_MAX_BODY)
    }
}

/// A body that cannot be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("frame body of {len} bytes exceeds the {limit}-byte frame limit")]
pub struct EncodeError {
    pub len: usize,
    /// The largest body the framing can express.
    pub limit: usize,
}

/// Appends one frame of `framing` to `dst`.
pub fn encode_framed(framing: Framing, id: u16, body: &[u8], dst: &mut BytesMut) -> Result<(), EncodeError> {
    let limit = framing.ceiling();
    if body.len() > limit {
        return Err(EncodeError { len: body.len(), limit });
    }
    dst.reserve(framing.header_len() + body.len());
    dst.put_u16(id);
    // In range: checked against the framing's ceiling above.
    match framing {
        Framing::Chat => dst.put_u16(body.len() as u16),
        Framing::Resource => dst.put_u32(body.len() as u32),
    }
    dst.put_slice(body);
    Ok(())
}

/// A chat frame from a peer's `Deliver` (its `msg_id` a `u32` on the wire): framed as a client
/// gets it, or why it cannot be.
pub fn peer_frame(msg_id: u32, body: &[u8]) -> Result<Bytes, &'static str> {
    let msg_id = u16::try_from(msg_id).map_err(|_| "msg_id out of range")?;
    let mut buf = BytesMut::new();
    encode(msg_id, body, &mut buf).map_err(|_| "frame body too large")?;
    Ok(buf.freeze())
}

/// An encoded chat frame with its id replaced by `id`: the same body under another id.
pub fn with_id(frame: &[u8], id: u16) -> Bytes {
    let mut copy = BytesMut::from(frame);
    if copy.len() >= 2 {
        copy[..2].copy_from_slice(&id.to_be_bytes());
    }
    copy.freeze()
}

/// Appends one resource-server frame (`u32` length) to `dst`.
pub fn encode_resource(id: u16, body: &[u8], dst: &mut BytesMut) -> Result<(), EncodeError> {
    encode_framed(Framing::Resource, id, body, dst)
}

/// Appends one chat frame to `dst`.
pub fn encode(id: u16, body: &[u8], dst: &mut BytesMut) -> Result<(), EncodeError> {
    encode_framed(Framing::Chat, id, body, dst)
}

#[cfg(test)]
mod tests;
