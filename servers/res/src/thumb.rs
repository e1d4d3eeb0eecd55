//! What a finished upload's bytes say about it, read in one pass off disk: md5 (checked
//! against the announced one) and sha256, the content type sniffed from the first bytes
//! (never taken from the name), and for a picture a JPEG thumbnail whose longest side is
//! `thumb_px`. Pictures are decoded with their size checked first and the decoder's memory
//! capped, so a small file that claims to be a huge picture costs nothing.

use std::io::Read;
use std::path::Path;

use bytes::Bytes;
use md5::Digest as _;

/// How much of the file the type is sniffed from.
const SNIFF_BYTES: usize = 8 * 1024;
/// JPEG quality of thumbnails.
const THUMB_QUALITY: u8 = 80;
/// Bytes per decoded pixel at most (RGBA, 8 bits), for the decoder's memory cap.
const BYTES_PER_PIXEL: u64 = 4;

/// What a file's bytes say.
#[derive(Debug, Clone)]
pub struct Digest {
    /// Lowercase hex.
    pub md5: String,
    pub sha256: String,
    pub mime: String,
    pub thumb: Option<Bytes>,
}

/// Reads `path` once for its checksums and type, then makes a thumbnail if it is a picture
/// of at most `max_pixels` (`thumb_px` 0: none).
pub fn digest(path: &Path, (thumb_px, max_pixels): (u32, u64)) -> std::io::Result<Digest> {
    let mut file = std::fs::File::open(path)?;
    let (mut md5, mut sha256) = (md5::Md5::new(), sha2::Sha256::new());
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
        sha256.update(&buf[..n]);
        if head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
        }
    }
    let mime = sniff(&head);
    let thumb = if thumb_px > 0 && is_picture(&mime) { thumbnail(path, thumb_px, max_pixels) } else { None };
    Ok(Digest { md5: hex(&md5.finalize()), sha256: hex(&sha256.finalize()), mime, thumb })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The content type of a file starting with `head`: by its magic bytes, else text when it is
/// UTF-8, else `application/octet-stream`.
pub fn sniff(head: &[u8]) -> String {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type().to_owned();
    }
    // A cut in the middle of a character at the end of the sniffed bytes is still text.
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(err) => err.error_len().is_none() && err.valid_up_to() + 4 > head.len(),
    };
    if valid && !head.is_empty() && !head.contains(&0) {
        "text/plain".to_owned()
    } else {
        "application/octet-stream".to_owned()
    }
}

/// Whether the thumbnailer decodes this type.
fn is_picture(mime: &str) -> bool {
    matches!(mime, "image/png" | "image/jpeg" | "image/gif" | "image/webp")
}

fn thumbnail(path: &Path, px: u32, max_pixels: u64) -> Option<Bytes> {
    let made = (|| -> image::ImageResult<Bytes> {
        let (w, h) = image::ImageReader::open(path)?.with_guessed_format()?.into_dimensions()?;
        if u64::from(w) * u64::from(h) > max_pixels {
            return Err(image::ImageError::Limits(image::error::LimitError::from_kind(
                image::error::LimitErrorKind::DimensionError,
            )));
        }
        let mut reader = image::ImageReader::open(path)?.with_guessed_format()?;
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(max_pixels.saturating_mul(BYTES_PER_PIXEL).saturating_mul(2));
        reader.limits(limits);
        let small = reader.decode()?.thumbnail(px, px).to_rgb8();
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, THUMB_QUALITY).encode_image(&small)?;
        Ok(Bytes::from(out))
    })();
    match made {
        Ok(thumb) => Some(thumb),
        Err(err) => {
            tracing::debug!(%err, "no thumbnail");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_sniffed_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), "image/jpeg");
        assert_eq!(sniff("héllo wörld\n".as_bytes()), "text/plain");
        assert_eq!(sniff(b"\0\x01\x02binary"), "application/octet-stream");
        assert_eq!(sniff(b""), "application/octet-stream");
    }

    #[test]
    fn a_picture_gets_checksums_and_a_thumbnail_and_a_lie_gets_none() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("p.png");
        image::RgbImage::from_fn(600, 300, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 7]))
            .save_with_format(&png, image::ImageFormat::Png)
            .unwrap();
        let d = digest(&png, (256, 1_000_000)).unwrap();
        assert_eq!(d.mime, "image/png");
        assert_eq!(d.md5.len(), 32);
        assert_eq!(d.sha256.len(), 64);
        let thumb = image::load_from_memory(&d.thumb.expect("a thumbnail")).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (256, 128), "the longest side is 256, the aspect kept");
        // Too many pixels for the limit: no thumbnail, and no decoding either.
        assert!(digest(&png, (256, 1000)).unwrap().thumb.is_none());
        // A PNG header on garbage.
        let lie = dir.path().join("lie.png");
        std::fs::write(&lie, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\xff\xff\0\0\xff\xffgarbage").unwrap();
        let d = digest(&lie, (256, u64::MAX)).unwrap();
        assert_eq!(d.mime, "image/png");
        assert!(d.thumb.is_none());
    }
}
