//! Pictures and files on the resource connection, off the chat task: each upload and save on
//! its own connection (a 64 MiB file never holds up a text), and one fetcher for metadata
//! and thumbnails, in order. Progress goes out as events, a few per transfer.

use std::path::{Path, PathBuf};

use imchat_sdk::files::{FileClient, Outgoing, ResPlace, announce_file, md5_of};
use imchat_sdk::proto::msg::res::{MSG_TYPE_FILE, MSG_TYPE_PIC};
use imchat_sdk::{ChatClient, SdkError};
use tokio::sync::mpsc;

use super::words;
use crate::event::{Event, FileEvent, NO_RESOURCE_SERVER, NetEvent, SendFailure};
use crate::files::{Places, free_path, safe_name};
use crate::i18n::Tr;

/// Metadata and thumbnail requests waiting for the fetcher.
const FETCH_QUEUE: usize = 1024;
/// Progress events per transfer, at most (one per this many percent).
const PROGRESS_STEP_PERCENT: u64 = 2;

/// Who this client is on the resource server, and where that is.
#[derive(Debug, Clone)]
pub struct Res {
    pub place: ResPlace,
    pub uid: i32,
    pub token: String,
    pub places: Places,
    /// The language errors are said in.
    pub tr: Tr,
}

/// What the fetcher does.
#[derive(Debug)]
pub enum Fetch {
    Meta(String),
    Thumb(String),
}

impl Res {
    async fn connect(&self) -> Result<FileClient, String> {
        FileClient::open(&self.place, self.uid, &self.token).await.map_err(|err| words(err, self.tr))
    }
}

fn emit(events: &mpsc::Sender<Event>, event: NetEvent) -> impl Future<Output = ()> {
    let events = events.clone();
    async move {
        let _ = events.send(Event::Net(event)).await;
    }
}

/// A progress callback that reports every [`PROGRESS_STEP_PERCENT`]; a report the queue has
/// no room for is skipped (the next one says more).
fn progress(events: &mpsc::Sender<Event>, name: &str, up: bool) -> impl FnMut(u64, u64) {
    let (events, name) = (events.clone(), name.to_owned());
    let mut last = None;
    move |done, total| {
        let step = (done * 100).checked_div(total).unwrap_or(0) / PROGRESS_STEP_PERCENT;
        if last != Some(step) {
            last = Some(step);
            let _ = events.try_send(Event::Net(NetEvent::File(FileEvent::Progress {
                name: name.clone(),
                up,
                done,
                total,
            })));
        }
    }
}

/// Sends a picture or file: its message on the chat connection, then its bytes.
pub async fn send(
    chat: ChatClient,
    res: Res,
    unique: String,
    (to, thread): (i32, i64),
    path: PathBuf,
    picture: bool,
    events: mpsc::Sender<Event>,
) {
    let msg_type = if picture { MSG_TYPE_PIC } else { MSG_TYPE_FILE };
    // The resource server's limits are asked first: a file it would refuse is refused here,
    // before its message is stored, so nothing is left behind on either side.
    if let Ok(client) = res.connect().await {
        let size = tokio::fs::metadata(&path).await.map_or(0, |meta| meta.len());
        if let Some(why) = over_limits(size, &client.limits, res.tr) {
            emit(&events, NetEvent::File(FileEvent::Stored { unique, result: Err(SendFailure::Refused(why)) })).await;
            return;
        }
    }
    let out = Outgoing { me: res.uid, touid: to, thread_id: thread, path: &path, msg_type, unique_id: &unique };
    let sent = match announce_file(&chat, &out).await {
        Ok(sent) => sent,
        Err(err) => {
            let failure = match err {
                SdkError::Closed | SdkError::Timeout(_) => SendFailure::Lost(words(err, res.tr)),
                err => SendFailure::Refused(words(err, res.tr)),
            };
            emit(&events, NetEvent::File(FileEvent::Stored { unique, result: Err(failure) })).await;
            return;
        }
    };
    let name = sent.message.unique_name.clone();
    emit(&events, NetEvent::File(FileEvent::Stored { unique, result: Ok(sent.message) })).await;
    let result = upload_bytes(&res, &name, &path, &sent.md5, &events).await;
    emit(&events, NetEvent::File(FileEvent::Uploaded { name, result })).await;
}

/// Why a file of `size` bytes would be refused under `limits` (its size cap, the user's quota).
fn over_limits(size: u64, limits: &imchat_sdk::proto::msg::res::ResAuthRsp, tr: Tr) -> Option<String> {
    use imchat_sdk::files::human_bytes;
    if limits.max_file_bytes > 0 && size > limits.max_file_bytes {
        return Some(tr.too_large(&human_bytes(size), &human_bytes(limits.max_file_bytes)));
    }
    if limits.quota_bytes > 0 && limits.used_bytes.saturating_add(size) > limits.quota_bytes {
        let left = limits.quota_bytes.saturating_sub(limits.used_bytes);
        return Some(tr.over_quota(&human_bytes(left), &human_bytes(limits.quota_bytes)));
    }
    None
}

/// Sends the bytes of a stored file's message again (F5 after a failed upload).
pub async fn upload(res: Res, name: String, path: PathBuf, events: mpsc::Sender<Event>) {
    let result = match md5_of(&path).await {
        Ok(md5) => upload_bytes(&res, &name, &path, &md5, &events).await,
        Err(err) => Err(words(err, res.tr)),
    };
    emit(&events, NetEvent::File(FileEvent::Uploaded { name, result })).await;
}

/// The bytes, chunk by chunk. A connection that drops is opened again once, and the upload
/// goes on: chunks land at their offsets, so sending one twice is harmless.
async fn upload_bytes(
    res: &Res,
    name: &str,
    path: &Path,
    md5: &str,
    events: &mpsc::Sender<Event>,
) -> Result<(), String> {
    let mut client = res.connect().await?;
    match client.upload(path, name, md5, 1, progress(events, name, true)).await {
        Ok(_) => Ok(()),
        Err(SdkError::Closed | SdkError::Timeout(_)) => {
            let mut client = res.connect().await?;
            if client.meta(name).await.is_ok_and(|meta| meta.complete) {
                return Ok(());
            }
            client
                .upload(path, name, md5, 1, progress(events, name, true))
                .await
                .map(drop)
                .map_err(|err| words(err, res.tr))
        }
        Err(err) => Err(words(err, res.tr)),
    }
}

/// Saves file `name` into the downloads folder under its sender's name (never over a file
/// that is there); if it is to be opened, tells what it is, for the user to confirm.
pub async fn save(res: Res, name: String, label: String, open: bool, events: mpsc::Sender<Event>) {
    let result = async {
        let dir = &res.places.downloads;
        tokio::fs::create_dir_all(dir).await.map_err(|err| format!("{}: {err}", dir.display()))?;
        let dest = free_path(dir, &safe_name(&label, &safe_name(&name, "download")));
        let mut client = res.connect().await?;
        client
            .download(&name, false, &dest, progress(&events, &name, false))
            .await
            .map_err(|err| words(err, res.tr))?;
        Ok::<_, String>(dest)
    }
    .await;
    let inspected = match (&result, open) {
        (Ok(path), true) => Some(crate::files::inspect(path, res.tr)),
        _ => None,
    };
    emit(&events, NetEvent::File(FileEvent::Saved { name, result })).await;
    if let Some(inspected) = inspected {
        emit(&events, NetEvent::File(FileEvent::Inspected(inspected))).await;
    }
}

/// The fetcher: metadata and thumbnails, one connection, in the order asked. A failed
/// connection is opened again for the next request.
pub async fn fetcher(res: Res, mut work: mpsc::Receiver<Fetch>, events: mpsc::Sender<Event>) {
    let mut client: Option<FileClient> = None;
    while let Some(job) = work.recv().await {
        if client.is_none() {
            client = res.connect().await.map_err(|err| tracing::warn!(%err, "resource server")).ok();
        }
        let Some(files) = client.as_mut() else {
            let event = match job {
                Fetch::Meta(name) => NetEvent::File(FileEvent::Meta(name, Err(NO_RESOURCE_SERVER.into()))),
                Fetch::Thumb(name) => NetEvent::File(FileEvent::Thumb(name, Err(NO_RESOURCE_SERVER.into()))),
            };
            emit(&events, event).await;
            continue;
        };
        let (event, broken) = match job {
            Fetch::Meta(name) => {
                let result = files.meta(&name).await;
                let broken = matches!(result, Err(SdkError::Closed | SdkError::Timeout(_)));
                (NetEvent::File(FileEvent::Meta(name, result.map_err(|err| words(err, res.tr)))), broken)
            }
            Fetch::Thumb(name) => {
                // Per user: the names are the server's, and another account may be on another.
                let dir = res.places.cache.join(res.uid.to_string());
                let dest = dir.join(format!("{}.jpg", safe_name(&name, "thumb")));
                let result = async {
                    if tokio::fs::metadata(&dest).await.is_ok() {
                        return Ok(());
                    }
                    tokio::fs::create_dir_all(&dir).await.map_err(|err| SdkError::Decode(err.to_string()))?;
                    files.download(&name, true, &dest, |_, _| {}).await.map(drop)
                }
                .await;
                let broken = matches!(result, Err(SdkError::Closed | SdkError::Timeout(_)));
                (
                    NetEvent::File(FileEvent::Thumb(name, result.map(|()| dest).map_err(|err| words(err, res.tr)))),
                    broken,
                )
            }
        };
        if broken {
            client = None;
        }
        emit(&events, event).await;
    }
}

/// A channel for the fetcher.
pub fn fetch_queue() -> (mpsc::Sender<Fetch>, mpsc::Receiver<Fetch>) {
    mpsc::channel(FETCH_QUEUE)
}

/// Opens `path` with the desktop's viewer (`opener`, else `xdg-open`, or `open` on macOS),
/// detached: its output would draw over the screen. The path is one argument, never through a
/// shell; the caller checked what it is ([`crate::files::inspect`]).
pub fn open_path(path: &Path, opener: Option<&str>, tr: Tr) -> Result<(), String> {
    let default = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let program = opener.unwrap_or(default);
    let child = std::process::Command::new(program)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match child {
        Ok(mut child) => {
            // Reaped when it ends, so it never lingers as a zombie.
            drop(std::thread::spawn(move || child.wait()));
            Ok(())
        }
        Err(err) => Err(tr.cannot_run(program, &err.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use imchat_sdk::proto::msg::res::ResAuthRsp;

    use super::over_limits;
    use crate::i18n::Tr;

    #[test]
    fn a_file_over_the_cap_or_the_quota_is_refused_with_the_numbers() {
        let limits = ResAuthRsp {
            max_file_bytes: 1_000_000,
            quota_bytes: 5_000_000,
            used_bytes: 4_500_000,
            ..Default::default()
        };
        assert_eq!(over_limits(900_000, &ResAuthRsp { used_bytes: 0, ..limits.clone() }, Tr::default()), None);
        assert_eq!(
            over_limits(2_000_000, &limits, Tr::default()).unwrap(),
            "too large: 2.0 MB, the server takes at most 1.0 MB"
        );
        assert_eq!(
            over_limits(600_000, &limits, Tr::default()).unwrap(),
            "over your storage quota: 500 KB left of 5.0 MB"
        );
        assert_eq!(over_limits(u64::MAX, &ResAuthRsp::default(), Tr::default()), None, "no limits said, none applied");
    }
}
