//! The account's data on this machine (`$XDG_DATA_HOME/imchat/<gate>/<email>.json`): read as a
//! login starts, written after changes — at once when the outbox changed, else at most every
//! [`SAVE_EVERY`]. Written whole to a temporary file and renamed over the old one,
//! so a crash leaves the old file or the new one, never half of either; readable by the user
//! alone. A lock file keeps two clients of one account from writing over each other.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use imchat_sdk::Device;
use imchat_sdk::proto::msg::DeviceKind;

use crate::app::Saved;
use crate::i18n::Tr;

/// How often a change that is not the outbox or a draft (a new message, a read count) is
/// written.
pub const SAVE_EVERY: Duration = Duration::from_secs(2);

/// `$XDG_DATA_HOME/imchat`, or `~/.local/share/imchat`.
pub fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))?;
    Some(base.join("imchat"))
}

/// This machine's device for imchat-tui: its id is kept in `<dir>/device` (made on first use,
/// readable by the user alone), so a restart replaces this machine's own older session, never
/// another device's. A file that cannot be read or written gives a fresh id for this run.
pub fn device(dir: &Path) -> Device {
    let path = dir.join("device");
    if let Ok(id) = std::fs::read_to_string(&path) {
        let id = id.trim();
        if imchat_sdk::proto::rules::check_device_id(id).is_ok() {
            return Device { id: id.to_owned(), kind: DeviceKind::Tui };
        }
    }
    let device = Device::new(DeviceKind::Tui);
    let kept = create_private_dir(dir).and_then(|()| {
        let mut file = private_options().write(true).create(true).truncate(true).open(&path)?;
        file.write_all(format!("{}\n", device.id).as_bytes())
    });
    if let Err(err) = kept {
        tracing::warn!(%err, path = %path.display(), "the device id is not kept; a fresh one this run");
    }
    device
}

/// A name that is safe as one path component and differs for different inputs: letters,
/// digits, `@`, `.`, `-` stay; any other byte is `_` and its hex.
fn component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'@' | b'-' => out.push(char::from(byte)),
            b'.' if !out.is_empty() => out.push('.'),
            other => out.push_str(&format!("_{other:02x}")),
        }
    }
    out
}

/// One account's file and its lock, while this client holds them.
#[derive(Debug)]
pub struct Account {
    path: PathBuf,
    /// Held for as long as this client writes the file (released when dropped).
    _lock: File,
    /// What was last written, and when.
    last: Option<Saved>,
    at: Option<Instant>,
}

impl Account {
    /// Takes the account `email` at `gate` under `dir` (created, private), and reads what was
    /// kept. Fails when another client holds it.
    pub fn open(dir: &Path, gate: &str, email: &str, tr: Tr) -> Result<(Account, Option<Saved>), String> {
        let dir = dir.join(component(gate.trim_end_matches('/')));
        create_private_dir(&dir).map_err(|err| tr.cannot_keep_in(&dir.display().to_string(), &err.to_string()))?;
        let path = dir.join(format!("{}.json", component(&email.trim().to_lowercase())));
        let lock_path = path.with_extension("lock");
        let lock = private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|err| tr.cannot_keep_in(&lock_path.display().to_string(), &err.to_string()))?;
        if lock.try_lock().is_err() {
            return Err(tr.account_in_use());
        }
        let saved = std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice::<Saved>(&bytes).ok());
        Ok((Account { path, _lock: lock, last: saved.clone(), at: None }, saved))
    }

    /// Writes `saved` if it changed: now when its outbox did (or `force`, as at quit), else
    /// once [`SAVE_EVERY`] passed since the last write (a draft typed is a change per key).
    /// True when a change still waits to be written.
    pub fn save(&mut self, saved: Saved, now: Instant, force: bool) -> std::io::Result<bool> {
        let urgent = match &self.last {
            None => true,
            Some(last) if *last == saved => return Ok(false),
            Some(last) => last.outbox() != saved.outbox() || last.uid != saved.uid,
        };
        let due = self.at.is_none_or(|at| now.saturating_duration_since(at) >= SAVE_EVERY);
        if urgent || due || force {
            self.write(saved, now)?;
            return Ok(false);
        }
        Ok(true)
    }

    fn write(&mut self, saved: Saved, now: Instant) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(&saved).map_err(std::io::Error::other)?;
        let temporary = self.path.with_extension("json.new");
        let mut file = private_options().write(true).create(true).truncate(true).open(&temporary)?;
        file.write_all(&bytes)?;
        // On disk before it replaces the old file: a crash leaves one whole file.
        file.sync_all()?;
        std::fs::rename(&temporary, &self.path)?;
        self.last = Some(saved);
        self.at = Some(now);
        Ok(())
    }
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_distinct() {
        assert_eq!(component("ann@example.com"), "ann@example.com");
        assert_eq!(component("http://127.0.0.1:8080"), "http_3a_2f_2f127.0.0.1_3a8080");
        assert_eq!(component("../x"), "_2e._2fx");
        assert_ne!(component("a_b"), component("a_5fb"));
    }
}
