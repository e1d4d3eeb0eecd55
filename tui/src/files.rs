//! Files on this machine: completing a typed path, checking what is about to be sent, where a
//! download lands, what may be opened, and how sizes and progress read. The terminal loop calls the parts that
//! touch the disk, so `App::update` itself never does.

use crate::i18n::Tr;
use std::path::{Path, PathBuf};

pub use imchat_sdk::files::human_bytes;

/// Completions listed under the attach prompt.
pub const MAX_CANDIDATES: usize = 8;

/// Extensions sent as pictures (llfc `msg_type` 1, previewed); anything else goes as a file.
const PICTURE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "bmp"];

/// Where files go on this machine, and what opens them (`[tui]` `downloads`, `opener`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    pub downloads: PathBuf,
    /// Thumbnails, kept between runs.
    pub cache: PathBuf,
    /// The program that opens a saved file (default: `xdg-open`, `open` on macOS).
    pub opener: Option<String>,
}

impl Default for Places {
    fn default() -> Places {
        Places { downloads: default_downloads(), cache: default_cache(), opener: None }
    }
}

/// What Tab makes of a typed path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    /// The path typed so far, as the completion was computed for it.
    pub typed: String,
    /// What the prompt should hold now (the longest common prefix of the matches).
    pub text: String,
    /// The entries that match, when there is more than one (directories end in `/`).
    pub candidates: Vec<String>,
}

/// A file the user chose to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub path: PathBuf,
    pub size: u64,
    pub picture: bool,
}

/// `~/x` with the home directory.
pub fn expand(typed: &str, home: Option<&Path>) -> PathBuf {
    match (typed.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if typed == "~" && home.is_some() => home.map(Path::to_path_buf).unwrap_or_default(),
        _ => PathBuf::from(typed),
    }
}

/// Completes the last component of `typed` from what its directory holds. Hidden entries
/// appear only once a `.` is typed.
pub fn complete(typed: &str, home: Option<&Path>) -> Completion {
    let (dir_text, stem) = match typed.rfind('/') {
        Some(at) => typed.split_at(at + 1),
        None => ("", typed),
    };
    let dir = if dir_text.is_empty() { PathBuf::from(".") } else { expand(dir_text, home) };
    let mut matches: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|entry| {
                    let name = entry.file_name().into_string().ok()?;
                    if !name.starts_with(stem) || (name.starts_with('.') && !stem.starts_with('.')) {
                        return None;
                    }
                    // Followed, so a link to a directory completes as one.
                    let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
                    Some(if is_dir { format!("{name}/") } else { name })
                })
                .collect()
        })
        .unwrap_or_default();
    matches.sort();
    let common = matches.iter().skip(1).fold(matches.first().cloned().unwrap_or_default(), |prefix, name| {
        let shared = prefix.chars().zip(name.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
        prefix[..shared].to_owned()
    });
    let text = if common.len() > stem.len() { format!("{dir_text}{common}") } else { typed.to_owned() };
    let candidates = if matches.len() > 1 { matches } else { Vec::new() };
    Completion { typed: typed.to_owned(), text, candidates }
}

/// Checks that `typed` names a readable, non-empty regular file.
pub fn check(typed: &str, home: Option<&Path>, tr: Tr) -> Result<Chosen, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(tr.type_a_path());
    }
    let path = expand(typed, home);
    let meta = std::fs::metadata(&path).map_err(|err| tr.path_error(typed, &io_words(&err, tr)))?;
    if meta.is_dir() {
        return Err(tr.is_a_directory(typed));
    }
    if meta.len() == 0 {
        return Err(tr.is_empty(typed));
    }
    std::fs::File::open(&path).map_err(|err| tr.path_error(typed, &io_words(&err, tr)))?;
    let picture = is_picture(&path);
    Ok(Chosen { path, size: meta.len(), picture })
}

fn io_words(err: &std::io::Error, tr: Tr) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => tr.no_such_file(),
        std::io::ErrorKind::PermissionDenied => tr.permission_denied(),
        _ => err.to_string(),
    }
}

/// Whether `path` is sent as a picture, by its extension (the server sniffs the bytes anyway).
pub fn is_picture(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| PICTURE_EXTENSIONS.iter().any(|p| p.eq_ignore_ascii_case(ext)))
}

/// A file name made from a sender's label: no directories, no leading dots, no control
/// characters; `fallback` when nothing is left.
pub fn safe_name(label: &str, fallback: &str) -> String {
    let base = label.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    if cleaned.is_empty() { fallback.to_owned() } else { cleaned.to_owned() }
}

/// Where a download of `name` goes in `dir`: the name itself, or `stem (2).ext`, ... when
/// something is there already.
pub fn free_path(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    (2..).map(|n| dir.join(format!("{stem} ({n}){ext}"))).find(|path| !path.exists()).expect("some number is free")
}

/// `▕██████░░░░▏ 60%`: `width` cells of bar.
pub fn progress_bar(done: u64, total: u64, width: usize) -> String {
    let ratio = if total == 0 { 0.0 } else { (done as f64 / total as f64).clamp(0.0, 1.0) };
    let full = (ratio * width as f64).round() as usize;
    format!("▕{}{}▏ {:>3}%", "█".repeat(full), "░".repeat(width - full), (ratio * 100.0).floor() as u32)
}

/// The default downloads folder: `$XDG_DOWNLOAD_DIR/imchat`, or `~/Downloads/imchat`.
pub fn default_downloads() -> PathBuf {
    std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join("Downloads")))
        .unwrap_or_else(std::env::temp_dir)
        .join("imchat")
}

/// Where thumbnails are kept: `$XDG_CACHE_HOME/imchat/thumbs`, or `~/.cache/imchat/thumbs`.
pub fn default_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("imchat")
        .join("thumbs")
}

/// A received file that may be opened, once the user says so: what its bytes are, and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Openable {
    pub path: PathBuf,
    /// What its bytes are ("PNG image").
    pub kind: &'static str,
    pub size: u64,
}

/// Bytes read to tell what a file is.
const SNIFF_BYTES: usize = 4096;

/// What may be opened from a chat: the kinds a desktop viewer shows without running anything,
/// each with the extensions its bytes may carry. Everything else (scripts, executables,
/// `.desktop`, `.terminal`, HTML, archives, office macros) is saved and never opened
/// (review 3, N11).
const OPENABLE: &[(&str, &[&str])] = &[
    ("PNG image", &["png"]),
    ("JPEG image", &["jpg", "jpeg"]),
    ("GIF image", &["gif"]),
    ("WebP image", &["webp"]),
    ("PDF document", &["pdf"]),
    ("plain text", &["txt", "md", "log", "csv"]),
];

/// What `head` (a file's first bytes) is, by its magic numbers; text is UTF-8 without NULs or
/// a `#!` line.
fn sniff(head: &[u8]) -> Option<&'static str> {
    let kind = match head {
        [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', ..] => "PNG image",
        [0xff, 0xd8, 0xff, ..] => "JPEG image",
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => "GIF image",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "WebP image",
        [b'%', b'P', b'D', b'F', b'-', ..] => "PDF document",
        _ => {
            let text = match std::str::from_utf8(head) {
                Ok(text) => text,
                // Cut in the middle of a character by the sniff's length: still text.
                Err(err) if err.error_len().is_none() => std::str::from_utf8(&head[..err.valid_up_to()]).ok()?,
                Err(_) => return None,
            };
            if text.contains('\0') || text.starts_with("#!") {
                return None;
            }
            "plain text"
        }
    };
    Some(kind)
}

/// Whether a file named `name` whose first bytes are `head` may be opened: its bytes and its
/// extension must agree on a kind in the allow-list.
pub fn openable_kind(head: &[u8], name: &str, tr: Tr) -> Result<&'static str, String> {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let Some((_, exts)) = OPENABLE.iter().find(|(_, exts)| exts.contains(&ext.as_str())) else {
        let what = if ext.is_empty() { tr.no_extension() } else { tr.dot_ext_file(&ext) };
        return Err(tr.never_opened(&what));
    };
    match sniff(head) {
        Some(kind) if OPENABLE.iter().any(|(k, e)| *k == kind && std::ptr::eq(*e, *exts)) => Ok(kind),
        Some(kind) => Err(tr.bytes_are_kind(&tr.file_kind(kind), &ext)),
        None => Err(tr.bytes_not_ext(&ext)),
    }
}

/// Reads enough of `path` to tell whether it may be opened ([`openable_kind`]).
pub fn inspect(path: &Path, tr: Tr) -> Result<Openable, String> {
    use std::io::Read as _;
    let file =
        std::fs::File::open(path).map_err(|err| tr.path_error(&path.display().to_string(), &io_words(&err, tr)))?;
    let size = file.metadata().map_err(|err| io_words(&err, tr))?.len();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64).read_to_end(&mut head).map_err(|err| io_words(&err, tr))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let kind = openable_kind(&head, name, tr).map_err(|why| tr.not_opened(&why, &path.display().to_string()))?;
    Ok(Openable { path: path.to_owned(), kind, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pictures_pdf_and_text_whose_bytes_agree_are_opened() {
        let png = b"\x89PNG\r\n\x1a\n0000";
        assert_eq!(openable_kind(png, "holiday.PNG", Tr::default()), Ok("PNG image"));
        assert_eq!(openable_kind(b"%PDF-1.7\n", "slides.pdf", Tr::default()), Ok("PDF document"));
        assert_eq!(openable_kind("你好\n".as_bytes(), "notes.txt", Tr::default()), Ok("plain text"));
        // A character cut by the sniff's length is still text.
        assert_eq!(openable_kind(&"你".as_bytes()[..2], "cut.txt", Tr::default()), Ok("plain text"));
        for (bytes, name) in [
            (&b"#!/bin/sh\nrm -rf ~"[..], "run.sh"),
            (b"<?xml version", "slides.terminal"),
            (b"[Desktop Entry]", "app.desktop"),
            (b"<html><script>", "page.html"),
            (b"MZ\x90\0", "setup.exe"),
            (b"plain", "README"),
        ] {
            let why = openable_kind(bytes, name, Tr::default()).unwrap_err();
            assert!(why.contains("never opened"), "{name}: {why}");
        }
        // The extension says picture or text, the bytes say otherwise.
        assert!(openable_kind(b"#!/bin/sh\n", "notes.txt", Tr::default()).is_err(), "a script named .txt");
        assert!(openable_kind(b"%PDF-1.4", "cat.png", Tr::default()).unwrap_err().contains("PDF document"));
        assert!(openable_kind(b"\0\0\0ELF", "cat.jpg", Tr::default()).is_err());
    }

    #[test]
    fn inspect_reads_the_file_and_names_the_path_when_it_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let pic = dir.path().join("p.gif");
        std::fs::write(&pic, b"GIF89a......").unwrap();
        assert_eq!(inspect(&pic, Tr::default()), Ok(Openable { path: pic.clone(), kind: "GIF image", size: 12 }));
        let script = dir.path().join("x.sh");
        std::fs::write(&script, b"#!/bin/sh").unwrap();
        let why = inspect(&script, Tr::default()).unwrap_err();
        assert!(why.starts_with("not opened: a .sh file") && why.ends_with(&script.display().to_string()), "{why}");
    }

    #[test]
    fn completes_from_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["holiday 1.png", "holiday 2.png", "notes.txt", ".hidden"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("photos")).unwrap();
        let base = format!("{}/", dir.path().display());
        let c = complete(&format!("{base}ho"), None);
        assert_eq!(c.text, format!("{base}holiday "));
        assert_eq!(c.candidates, ["holiday 1.png", "holiday 2.png"]);
        let c = complete(&format!("{base}n"), None);
        assert_eq!((c.text, c.candidates), (format!("{base}notes.txt"), vec![]));
        assert_eq!(complete(&format!("{base}ph"), None).text, format!("{base}photos/"));
        let all = complete(&base, None);
        assert!(!all.candidates.contains(&".hidden".to_owned()), "{all:?}");
        assert_eq!(complete(&format!("{base}."), None).text, format!("{base}.hidden"));
        let home = complete("~/no", Some(dir.path()));
        assert_eq!((home.text.as_str(), home.candidates.len()), ("~/notes.txt", 0));
        assert_eq!(complete(&format!("{base}zz"), None).text, format!("{base}zz"));
    }

    #[test]
    fn checks_what_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("a.PNG");
        std::fs::write(&png, b"pixels").unwrap();
        std::fs::write(dir.path().join("empty"), b"").unwrap();
        let chosen = check(png.to_str().unwrap(), None, Tr::default()).unwrap();
        assert_eq!((chosen.size, chosen.picture), (6, true));
        assert_eq!(check("~/empty", Some(dir.path()), Tr::default()).unwrap_err(), "~/empty is empty");
        assert_eq!(check("~/nope", Some(dir.path()), Tr::default()).unwrap_err(), "~/nope: no such file");
        assert!(check(dir.path().to_str().unwrap(), None, Tr::default()).unwrap_err().ends_with("is a directory"));
        assert_eq!(check("  ", None, Tr::default()).unwrap_err(), "type the path of a picture or file");
    }

    #[test]
    fn downloads_never_overwrite_or_escape() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(safe_name("../../etc/passwd", "f"), "passwd");
        assert_eq!(safe_name("..\\x\\.bashrc", "f"), "bashrc");
        assert_eq!(safe_name("\u{1b}[2J", "f"), "[2J");
        assert_eq!(safe_name("", "abc.png"), "abc.png");
        assert_eq!(free_path(dir.path(), "a.png"), dir.path().join("a.png"));
        std::fs::write(dir.path().join("a.png"), b"").unwrap();
        std::fs::write(dir.path().join("a (2).png"), b"").unwrap();
        assert_eq!(free_path(dir.path(), "a.png"), dir.path().join("a (3).png"));
        std::fs::write(dir.path().join("README"), b"").unwrap();
        assert_eq!(free_path(dir.path(), "README"), dir.path().join("README (2)"));
    }

    #[test]
    fn sizes_and_bars_read_well() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(1_234_567), "1.2 MB");
        assert_eq!(human_bytes(340_000), "340 KB");
        assert_eq!(progress_bar(3, 10, 10), "▕███░░░░░░░▏  30%");
        assert_eq!(progress_bar(0, 0, 4), "▕░░░░▏   0%");
        assert_eq!(progress_bar(10, 10, 4), "▕████▏ 100%");
    }
}
