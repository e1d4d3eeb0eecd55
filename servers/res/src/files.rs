//! What the resource server does with a request, apart from sockets: who is asking (a
//! connection is bound to the user whose token it showed), uploads (each chunk written at its
//! offset in a staged file, so chunks may come in any order, again, or after a reconnect; the
//! file complete once every chunk is there and the md5 matches), downloads (any chunk, by its
//! seq, for whoever may read the file) and what completes an upload (checksums, type, a
//! thumbnail, the move into storage, the recipients' 1039).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use imchat_proto::ErrorCode;
use imchat_proto::msg::res::{CHUNK_BYTES, ChunkReq};
use imchat_proto::rules::{check_file_name, check_md5};
use imchat_store::presence::{Presence, TokenCheck};
use imchat_store::{Db, FileCaps, FileKind, FileRefusal, FileRow, Kv, NewFile, StoreError};
use tokio::sync::Semaphore;

use crate::notify::Notifier;
use crate::storage::{Storage, StorageError};
use crate::thumb;

/// Every limit on files. [`FileLimits::default`] holds the documented defaults.
#[derive(Debug, Clone)]
pub struct FileLimits {
    /// Largest chat picture or file (bytes).
    pub max_file_bytes: u64,
    /// Largest avatar (bytes).
    pub max_avatar_bytes: u64,
    /// Most bytes one user may hold, complete or uploading.
    pub quota_bytes: u64,
    /// An upload with no chunk for this long is dropped (llfc kept progress an hour).
    pub upload_ttl: Duration,
    /// How often idle uploads are dropped and deleted files' bytes removed from storage.
    pub sweep: Duration,
    /// Uploads in progress at once, per user and on this server; more are refused (1105)
    /// before anything is reserved.
    pub uploads_per_user: usize,
    pub uploads: usize,
    /// Uploads finishing at once (hashing, thumbnail, the move into storage); more wait.
    pub finishing: usize,
    /// How long finishing one upload may take (hashing, thumbnail, the move into storage)
    /// before it fails and may be tried again with its last chunk.
    pub finish_timeout: Duration,
    /// A thumbnail's longest side (pixels); 0 makes none.
    pub thumb_px: u32,
    /// Pictures with more pixels than this get no thumbnail (a decompression bomb's defence).
    pub thumb_max_pixels: u64,
    /// Bytes a download reads from storage at once and serves chunks from.
    pub read_ahead_bytes: usize,
    /// How long a connection's token check holds before it is checked again.
    pub auth_recheck: Duration,
    /// The chat servers' `[Limits] LoginViewTtlSecs`: a new avatar drops the cached login
    /// views that show the old one, in the chat servers' terms.
    pub login_view_ttl: Duration,
}

impl Default for FileLimits {
    fn default() -> FileLimits {
        FileLimits {
            max_file_bytes: 64 * 1024 * 1024,
            max_avatar_bytes: 2 * 1024 * 1024,
            quota_bytes: 1024 * 1024 * 1024,
            upload_ttl: Duration::from_secs(3600),
            sweep: Duration::from_secs(60),
            uploads_per_user: 8,
            uploads: 10_000,
            finishing: 8,
            finish_timeout: Duration::from_secs(60),
            thumb_px: 256,
            thumb_max_pixels: 16_000_000,
            read_ahead_bytes: 1024 * 1024,
            auth_recheck: Duration::from_secs(30),
            login_view_ttl: Duration::from_secs(600),
        }
    }
}

/// What the resource server needs.
#[derive(Debug, Clone)]
pub struct ResDeps {
    pub db: Db,
    pub kv: Kv,
    pub storage: Storage,
    /// Where uploads are assembled before they move into storage (local disk even with S3).
    pub staging_dir: PathBuf,
    /// The deployment's internal secret, for the 1039 notices sent through the chat servers.
    pub secret: imchat_rpc::Secret,
}

/// A request's failure: its code, and whether it was the server's fault (logged).
pub(crate) type Refused = ErrorCode;

fn store_failed(err: StoreError) -> Refused {
    if err.is_unavailable() {
        ErrorCode::Unavailable
    } else {
        tracing::warn!(%err, "resource request failed in the store");
        ErrorCode::Internal
    }
}

fn storage_failed(err: StorageError) -> Refused {
    match err {
        StorageError::NotFound => ErrorCode::FileNotFound,
        err => {
            tracing::warn!(%err, "resource request failed in storage");
            ErrorCode::Internal
        }
    }
}

fn refusal(refusal: FileRefusal) -> Refused {
    match refusal {
        FileRefusal::NameTaken => ErrorCode::BadFileName,
        FileRefusal::TooLarge => ErrorCode::FileTooLarge,
        FileRefusal::QuotaExceeded => ErrorCode::QuotaExceeded,
        FileRefusal::SizeMismatch => ErrorCode::BadChunk,
    }
}

/// A connection's user, once a token showed who it is.
#[derive(Debug, Clone)]
pub(crate) struct Bound {
    pub uid: i32,
    token: String,
    checked: Instant,
}

impl Bound {
    /// Whether `token` is the one this connection showed.
    pub fn shows(&self, token: &str) -> bool {
        self.token == token
    }
}

/// The server's shared state.
pub(crate) struct Files {
    pub db: Db,
    presence: Presence,
    pub storage: Storage,
    staging_dir: PathBuf,
    pub limits: FileLimits,
    uploads: Mutex<Uploads>,
    finishing: Semaphore,
    pub notifier: Notifier,
}

type Shared<T> = Arc<tokio::sync::Mutex<T>>;

/// The uploads in progress, by name (with their owner), and how many each user has.
#[derive(Default)]
struct Uploads {
    by_name: HashMap<String, (i32, Shared<Upload>)>,
    per_user: HashMap<i32, usize>,
}

impl Uploads {
    fn get(&self, name: &str) -> Option<Shared<Upload>> {
        self.by_name.get(name).map(|(_, upload)| upload.clone())
    }

    /// Adds `upload` as `name`'s, unless another came first (that one is returned).
    fn insert(&mut self, name: &str, owner: i32, upload: Shared<Upload>) -> Shared<Upload> {
        if let Some(there) = self.get(name) {
            return there;
        }
        self.by_name.insert(name.to_owned(), (owner, upload.clone()));
        *self.per_user.entry(owner).or_insert(0) += 1;
        upload
    }

    fn remove(&mut self, name: &str) -> Option<Shared<Upload>> {
        let (owner, upload) = self.by_name.remove(name)?;
        if let Some(n) = self.per_user.get_mut(&owner) {
            *n -= 1;
            if *n == 0 {
                self.per_user.remove(&owner);
            }
        }
        Some(upload)
    }

    /// Whether `owner` may start another upload within the caps (0: no cap).
    fn room_for(&self, owner: i32, limits: &FileLimits) -> bool {
        let per_user = self.per_user.get(&owner).copied().unwrap_or(0);
        (limits.uploads_per_user == 0 || per_user < limits.uploads_per_user)
            && (limits.uploads == 0 || self.by_name.len() < limits.uploads)
    }
}

/// An upload in progress: its staged file and which chunks it has. The staged file is opened
/// for each chunk, never held open between chunks (an upload left half done holds no
/// descriptor).
struct Upload {
    row: FileRow,
    staged: PathBuf,
    /// Whether the staged file exists at its full size.
    sized: bool,
    have: Vec<bool>,
    received: u64,
    touched: Instant,
}

impl Upload {
    fn chunks(&self) -> u64 {
        u64::try_from(self.row.size).unwrap_or(0).div_ceil(CHUNK_BYTES)
    }

    fn bytes_received(&self) -> u64 {
        let size = u64::try_from(self.row.size).unwrap_or(0);
        (0..self.chunks()).filter(|i| self.have[*i as usize]).map(|i| chunk_len(size, i + 1)).sum()
    }
}

/// The length of chunk `seq` (1-based) of a file of `size` bytes.
fn chunk_len(size: u64, seq: u64) -> u64 {
    let start = (seq - 1) * CHUNK_BYTES;
    size.saturating_sub(start).min(CHUNK_BYTES)
}

/// Which upload request a chunk came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkKind {
    Avatar,
    Chat,
}

/// What an accepted chunk did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Accepted {
    pub received: u64,
    pub complete: bool,
}

/// A download's answer: the chunk's bytes and where they sit in the file.
pub(crate) struct Chunk {
    pub data: Bytes,
    pub size: u64,
    pub end: u64,
}

/// A download's read-ahead: a window of one file, kept by its connection.
#[derive(Default)]
pub(crate) struct ReadAhead {
    key: String,
    start: u64,
    bytes: Bytes,
}

impl ReadAhead {
    /// Whether it holds bytes.
    pub fn holds(&self) -> bool {
        !self.bytes.is_empty()
    }
}

/// Stale reservations read at once, and batches of them one sweep deletes at most.
const STALE_BATCH: i64 = 500;
const STALE_BATCHES: usize = 40;

/// A staged file, opened for writing and readable by this user only (it holds someone's
/// private bytes).
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().create(true).truncate(false).write(true).read(true).mode(0o600).open(path)
}

/// Trashed files whose bytes one sweep deletes; the rest wait for the next.
const TRASH_PER_SWEEP: i64 = 500;

fn thumb_key(key: &str) -> String {
    format!("{key}.thumb")
}

impl Files {
    pub fn new(deps: ResDeps, limits: FileLimits) -> Result<Files, std::io::Error> {
        std::fs::create_dir_all(&deps.staging_dir)?;
        let notifier = Notifier::new(deps.db.clone(), deps.kv.clone(), deps.secret.clone(), limits.login_view_ttl);
        Ok(Files {
            db: deps.db,
            presence: Presence::new(deps.kv),
            storage: deps.storage,
            staging_dir: deps.staging_dir,
            finishing: Semaphore::new(limits.finishing.max(1)),
            limits,
            uploads: Mutex::new(Uploads::default()),
            notifier,
        })
    }

    fn caps(&self, kind: FileKind) -> FileCaps {
        let max = match kind {
            FileKind::Avatar => self.limits.max_avatar_bytes,
            FileKind::Chat => self.limits.max_file_bytes,
        };
        FileCaps {
            max_bytes: i64::try_from(max).unwrap_or(i64::MAX),
            quota_bytes: i64::try_from(self.limits.quota_bytes).unwrap_or(i64::MAX),
        }
    }

    /// The user a request acts as: the one its token shows (binding the connection), or the
    /// connection's, when it carries no token. A request naming another user than the one
    /// bound is refused; so is any request before a token was shown.
    pub async fn authenticate(&self, bound: &mut Option<Bound>, uid: i32, token: &str) -> Result<i32, Refused> {
        if let Some(b) = bound.as_ref() {
            if uid != 0 && uid != b.uid {
                return Err(ErrorCode::UidMismatch);
            }
            let fresh = b.checked.elapsed() < self.limits.auth_recheck;
            if (token.is_empty() || token == b.token) && fresh {
                return Ok(b.uid);
            }
        }
        let (uid, token) = match (bound.as_ref(), token.is_empty()) {
            (_, false) => (uid, token.to_owned()),
            (Some(b), true) => (b.uid, b.token.clone()),
            (None, true) => return Err(ErrorCode::ResNotAuthenticated),
        };
        if uid <= 0 {
            return Err(ErrorCode::ResNotAuthenticated);
        }
        match self.presence.check_token(uid, &token).await.map_err(store_failed)? {
            TokenCheck::Valid => {
                *bound = Some(Bound { uid, token, checked: Instant::now() });
                Ok(uid)
            }
            TokenCheck::Missing | TokenCheck::Wrong => {
                *bound = None;
                Err(ErrorCode::TokenInvalid)
            }
        }
    }

    /// Whether a chat login came from `address` lately (the store's errors count as no).
    pub async fn address_logged_in(&self, address: &str) -> bool {
        self.presence.address_logged_in(address).await.unwrap_or_else(|err| {
            tracing::debug!(%err, "a login's address not read");
            false
        })
    }

    pub async fn used_bytes(&self, uid: i32) -> Result<u64, Refused> {
        let usage = self.db.usage(uid).await.map_err(store_failed)?;
        Ok(u64::try_from(usage.bytes).unwrap_or(0))
    }

    /// The upload `name` of `uid`, started (an avatar's reserved) on its first chunk.
    async fn upload(&self, uid: i32, kind: ChunkKind, req: &ChunkReq) -> Result<Shared<Upload>, Refused> {
        if let Some(upload) = self.uploads.lock().expect("uploads lock").get(&req.name) {
            return Ok(upload);
        }
        // Checked before anything is reserved or staged: an upload that could never finish
        // costs no row, no entry and no descriptor.
        if !self.uploads.lock().expect("uploads lock").room_for(uid, &self.limits) {
            self.evict_oldest(uid).await?;
        }
        let row = match self.db.file(&req.name).await.map_err(store_failed)? {
            Some(row) => row,
            None if kind == ChunkKind::Avatar => {
                if req.total_size <= 0 {
                    return Err(ErrorCode::BadChunk);
                }
                if u64::try_from(req.total_size).is_ok_and(|size| size > self.limits.max_avatar_bytes) {
                    return Err(ErrorCode::FileTooLarge);
                }
                let key = imchat_store::new_file_key();
                let file = NewFile {
                    name: &req.name,
                    storage_key: &key,
                    owner: uid,
                    md5: &req.md5.to_ascii_lowercase(),
                    size: req.total_size,
                    label: "",
                    now_ms: imchat_store::now_ms(),
                };
                self.db
                    .reserve_avatar(&file, self.caps(FileKind::Avatar))
                    .await
                    .map_err(store_failed)?
                    .map_err(refusal)?
            }
            // A chat file is reserved by its message (1035) on the chat server.
            None => return Err(ErrorCode::FileNotFound),
        };
        // Whose it is, and of which kind, is checked by `chunk` for every chunk.
        let staged = self.staging_dir.join(row.storage_key.replace('/', "-"));
        let owner = row.owner;
        let upload = Upload { row, staged, sized: false, have: Vec::new(), received: 0, touched: Instant::now() };
        let upload = Arc::new(tokio::sync::Mutex::new(upload));
        Ok(self.uploads.lock().expect("uploads lock").insert(&req.name, owner, upload))
    }

    /// Makes room for a new upload of `uid`, who is at the cap: their upload that waited
    /// longest for a chunk is dropped (its staged bytes; an avatar's reservation too), so
    /// a user is never locked out by uploads they abandoned. 1105 when none can go (every one
    /// is taking a chunk now), or when the server is at its own cap.
    async fn evict_oldest(&self, uid: i32) -> Result<(), Refused> {
        let oldest = {
            let uploads = self.uploads.lock().expect("uploads lock");
            if self.limits.uploads > 0 && uploads.by_name.len() >= self.limits.uploads {
                return Err(ErrorCode::TooManyRequests);
            }
            uploads
                .by_name
                .iter()
                .filter(|(_, (owner, _))| *owner == uid)
                .filter_map(|(name, (_, up))| up.try_lock().ok().map(|up| (up.touched, name.clone())))
                .min()
                .map(|(_, name)| name)
        };
        let Some(name) = oldest else { return Err(ErrorCode::TooManyRequests) };
        let Some(upload) = self.uploads.lock().expect("uploads lock").remove(&name) else { return Ok(()) };
        let up = upload.lock().await;
        let _ = tokio::fs::remove_file(&up.staged).await;
        if up.row.kind == FileKind::Avatar && !up.row.complete {
            let _ = self.db.delete_file(&up.row.name, imchat_store::now_ms()).await;
        }
        tracing::debug!(uid, name = %up.row.name, "an abandoned upload made room for a new one");
        Ok(())
    }

    /// Takes one chunk: checked, written at its offset; the upload completes when it was the
    /// last one missing.
    pub async fn chunk(&self, uid: i32, kind: ChunkKind, req: &ChunkReq) -> Result<Accepted, Refused> {
        check_file_name(&req.name).map_err(|_| ErrorCode::BadFileName)?;
        let upload = self.upload(uid, kind, req).await?;
        let mut up = upload.lock().await;
        let expected = if kind == ChunkKind::Avatar { FileKind::Avatar } else { FileKind::Chat };
        if up.row.owner != uid || up.row.kind != expected {
            // Someone else's upload, or another kind of file under this name.
            return Err(ErrorCode::BadFileName);
        }
        if up.row.complete {
            // A resent chunk of a finished file: nothing to do, and it is still complete.
            let size = u64::try_from(up.row.size).unwrap_or(0);
            return Ok(Accepted { received: size, complete: true });
        }
        let row_kind = up.row.kind;
        let total = req.total_size;
        if total <= 0 {
            return Err(ErrorCode::BadChunk);
        }
        let md5 = req.md5.to_ascii_lowercase();
        if up.row.size != total || (up.row.md5.is_empty() && !md5.is_empty()) {
            // The first chunk seen of this file (the reservation may not have had its size).
            let sized = self
                .db
                .size_file(&up.row.name, total, &md5, self.caps(row_kind))
                .await
                .map_err(store_failed)?
                .map_err(refusal)?;
            up.row = sized;
        }
        if check_md5(&up.row.md5).is_err() {
            // Without the md5 the upload could never be checked, so it is never taken.
            return Err(ErrorCode::BadChunk);
        }
        let size = u64::try_from(up.row.size).map_err(|_| ErrorCode::BadChunk)?;
        let chunks = up.chunks();
        let seq = u64::try_from(req.seq).map_err(|_| ErrorCode::BadChunk)?;
        if seq == 0 || seq > chunks {
            return Err(ErrorCode::BadChunk);
        }
        let data = BASE64.decode(req.data.as_bytes()).map_err(|_| ErrorCode::BadChunk)?;
        if data.len() as u64 != chunk_len(size, seq) {
            return Err(ErrorCode::BadChunk);
        }
        if up.have.len() as u64 != chunks {
            up.have = vec![false; chunks as usize];
        }
        let (staged, sized) = (up.staged.clone(), up.sized);
        let offset = (seq - 1) * CHUNK_BYTES;
        tokio::task::spawn_blocking(move || {
            use std::os::unix::fs::FileExt;
            let file = private_file(&staged)?;
            if !sized {
                file.set_len(size)?;
            }
            file.write_all_at(&data, offset)
        })
        .await
        .map_err(|_| ErrorCode::Internal)?
        .map_err(|err| storage_failed(StorageError::Io { op: "write a chunk", source: err }))?;
        up.sized = true;
        let index = (seq - 1) as usize;
        if !up.have[index] {
            up.have[index] = true;
            up.received += 1;
        }
        up.touched = Instant::now();
        if up.received < chunks {
            return Ok(Accepted { received: up.bytes_received(), complete: false });
        }
        // Bounded: a slow decode or store fails this chunk, which may be sent again to finish.
        let done = tokio::time::timeout(self.limits.finish_timeout, self.finish(&mut up))
            .await
            .map_err(|_| ErrorCode::Unavailable)??;
        self.uploads.lock().expect("uploads lock").remove(&up.row.name);
        drop(up);
        // Outside the finishing slot and the upload's lock: a slow chat server delays only
        // this notice.
        match (&done.file.kind, &done.message) {
            (FileKind::Chat, Some(message)) => self.notifier.uploaded(&done.file, message).await,
            (FileKind::Avatar, _) => self.notifier.avatar_changed(done.file.owner).await,
            (FileKind::Chat, None) => {}
        }
        Ok(Accepted { received: size, complete: true })
    }

    /// Every chunk is there: checks the md5, learns the type, makes a thumbnail, moves the
    /// file into storage and records it. Who should know is told by the caller.
    async fn finish(&self, up: &mut Upload) -> Result<imchat_store::Completed, Refused> {
        let _slot = self.finishing.acquire().await.map_err(|_| ErrorCode::Internal)?;
        let staged = up.staged.clone();
        let limits = (self.limits.thumb_px, self.limits.thumb_max_pixels);
        let digest = tokio::task::spawn_blocking(move || thumb::digest(&staged, limits))
            .await
            .map_err(|_| ErrorCode::Internal)?
            .map_err(|err| storage_failed(StorageError::Io { op: "read a staged file", source: err }))?;
        if !digest.md5.eq_ignore_ascii_case(&up.row.md5) {
            // Start over: the bytes are not the announced file.
            let _ = tokio::fs::remove_file(&up.staged).await;
            up.have.iter_mut().for_each(|have| *have = false);
            up.received = 0;
            up.sized = false;
            return Err(ErrorCode::ChecksumMismatch);
        }
        let key = up.row.storage_key.clone();
        self.storage.commit(&up.staged, &key).await.map_err(storage_failed)?;
        let mut thumb_size = 0;
        if let Some(thumb) = digest.thumb {
            thumb_size = thumb.len() as i64;
            if let Err(err) = self.storage.put_small(&thumb_key(&key), thumb).await {
                tracing::warn!(%err, "thumbnail not stored; the file is served without one");
                thumb_size = 0;
            }
        }
        let now = imchat_store::now_ms();
        let done = self
            .db
            .complete_file(&up.row.name, &digest.sha256, &digest.mime, thumb_size, now)
            .await
            .map_err(store_failed)?;
        let Some(done) = done else {
            // Deleted while it was finishing (an operator): its bytes go too.
            let _ = self.storage.delete(&key).await;
            let _ = self.storage.delete(&thumb_key(&key)).await;
            return Err(ErrorCode::FileNotFound);
        };
        up.row = done.file.clone();
        for old in &done.replaced {
            self.delete_bytes(old).await;
        }
        Ok(done)
    }

    /// Deletes a file's bytes and thumbnail from storage (its row is gone already).
    pub async fn delete_bytes(&self, file: &FileRow) {
        for key in [file.storage_key.clone(), thumb_key(&file.storage_key)] {
            if let Err(err) = self.storage.delete(&key).await {
                tracing::warn!(%err, name = %file.name, "a deleted file's bytes stay in storage");
            }
        }
        if let Some(upload) = self.uploads.lock().expect("uploads lock").remove(&file.name)
            && let Ok(up) = upload.try_lock()
        {
            let _ = std::fs::remove_file(&up.staged);
        }
    }

    /// A file `uid` may read, by name.
    pub async fn readable(&self, uid: i32, name: &str) -> Result<FileRow, Refused> {
        // A name no upload could have (llfc's built-in avatars, `:/res/head_1.jpg`) is no such
        // file to a reader: llfc's Qt client then shows its own copy.
        check_file_name(name).map_err(|_| ErrorCode::FileNotFound)?;
        let row = self.db.file(name).await.map_err(store_failed)?.ok_or(ErrorCode::FileNotFound)?;
        // The same code as for no such file: a refusal must not tell which names exist (N17).
        if !self.db.may_read_file(&row, uid).await.map_err(store_failed)? {
            return Err(ErrorCode::FileNotFound);
        }
        Ok(row)
    }

    /// The file of message `message_id`, if `uid` may read it.
    pub async fn readable_message(
        &self,
        uid: i32,
        message_id: i64,
    ) -> Result<(FileRow, imchat_store::StoredMsg), Refused> {
        let message = self.db.message(message_id).await.map_err(store_failed)?.ok_or(ErrorCode::FileNotFound)?;
        let row = self.db.file_of_message(message_id).await.map_err(store_failed)?.ok_or(ErrorCode::FileNotFound)?;
        if !self.db.may_read_file(&row, uid).await.map_err(store_failed)? {
            return Err(ErrorCode::FileNotFound);
        }
        Ok((row, message))
    }

    /// The file of message `message_id` and the message, whoever asks: only what a download
    /// needs is told of it (the 1045 before a token); reading it is [`Files::readable`]'s.
    pub async fn fetchable(&self, message_id: i64) -> Result<(FileRow, imchat_store::StoredMsg), Refused> {
        let message = self.db.message(message_id).await.map_err(store_failed)?.ok_or(ErrorCode::FileNotFound)?;
        let row = self.db.file_of_message(message_id).await.map_err(store_failed)?.ok_or(ErrorCode::FileNotFound)?;
        Ok((row, message))
    }

    /// Chunk `seq` (1-based) of `row`, or of its thumbnail.
    pub async fn read_chunk(
        &self,
        row: &FileRow,
        thumb: bool,
        seq: i64,
        ahead: &mut ReadAhead,
    ) -> Result<Chunk, Refused> {
        if !row.complete {
            return Err(ErrorCode::FileNotFound);
        }
        let (key, size) = if thumb {
            if row.thumb_size <= 0 {
                return Err(ErrorCode::FileNotFound);
            }
            (thumb_key(&row.storage_key), row.thumb_size)
        } else {
            (row.storage_key.clone(), row.size)
        };
        let size = u64::try_from(size).unwrap_or(0);
        let seq = u64::try_from(seq).map_err(|_| ErrorCode::BadChunk)?;
        // Compared in chunks, not bytes: a peer's seq times the chunk size could overflow.
        if seq == 0 || seq > size.div_ceil(CHUNK_BYTES) {
            return Err(ErrorCode::BadChunk);
        }
        let start = (seq - 1) * CHUNK_BYTES;
        let end = (start + CHUNK_BYTES).min(size);
        let cached = ahead.key == key && ahead.start <= start && end <= ahead.start + ahead.bytes.len() as u64;
        if !cached {
            let window = (self.limits.read_ahead_bytes as u64).max(CHUNK_BYTES);
            let read_end = (start + window).min(size);
            let bytes = self.storage.read(&key, start..read_end).await.map_err(storage_failed)?;
            *ahead = ReadAhead { key, start, bytes };
        }
        let from = (start - ahead.start) as usize;
        let data = ahead.bytes.slice(from..from + (end - start) as usize);
        Ok(Chunk { data, size, end })
    }

    /// Drops uploads idle past the TTL: their staged bytes here, and their rows (a chat
    /// file's message stays, not uploaded).
    pub async fn expire(&self) {
        let ttl = self.limits.upload_ttl;
        let idle: Vec<String> = {
            let uploads = self.uploads.lock().expect("uploads lock");
            uploads
                .by_name
                .iter()
                .filter(|(_, (_, up))| up.try_lock().is_ok_and(|up| up.touched.elapsed() > ttl))
                .map(|(name, _)| name.clone())
                .collect()
        };
        for name in idle {
            let removed = self.uploads.lock().expect("uploads lock").remove(&name);
            if let Some(upload) = removed {
                let up = upload.lock().await;
                let _ = tokio::fs::remove_file(&up.staged).await;
            }
        }
        let before = imchat_store::now_ms() - i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        // Batches until none is left (at most STALE_BATCHES a sweep): stale rows go as fast
        // as they can be made.
        for _ in 0..STALE_BATCHES {
            let stale = match self.db.stale_uploads(before, STALE_BATCH).await {
                Ok(stale) => stale,
                Err(err) => {
                    tracing::debug!(%err, "stale uploads not read");
                    break;
                }
            };
            let full = stale.len() as i64 >= STALE_BATCH;
            for file in stale {
                if self.uploads.lock().expect("uploads lock").get(&file.name).is_some() {
                    continue;
                }
                if let Ok(Some(file)) = self.db.delete_file(&file.name, imchat_store::now_ms()).await {
                    let staged = self.staging_dir.join(file.storage_key.replace('/', "-"));
                    let _ = tokio::fs::remove_file(staged).await;
                }
            }
            if !full {
                break;
            }
        }
        self.empty_trash().await;
    }

    /// How often [`Files::expire`] runs.
    pub fn sweep_every(&self) -> Duration {
        self.limits.sweep.max(Duration::from_secs(1))
    }

    /// Deletes the bytes of files an operator deleted (their rows are gone already): the
    /// trash entry goes only once storage has let go of them, so a failure is tried again.
    async fn empty_trash(&self) {
        let trashed = match self.db.trashed(TRASH_PER_SWEEP).await {
            Ok(trashed) => trashed,
            Err(err) => return tracing::debug!(%err, "the file trash not read"),
        };
        for (name, key) in trashed {
            let mut gone = true;
            for key in [key.clone(), thumb_key(&key)] {
                if let Err(err) = self.storage.delete(&key).await {
                    tracing::warn!(%err, %name, "a deleted file's bytes stay in storage for now");
                    gone = false;
                }
            }
            if let Some(upload) = self.uploads.lock().expect("uploads lock").remove(&name)
                && let Ok(up) = upload.try_lock()
            {
                let _ = std::fs::remove_file(&up.staged);
            }
            if !gone {
                continue;
            }
            match self.db.forget_trashed(&key).await {
                Ok(()) => tracing::info!(%name, "a deleted file's bytes are gone"),
                Err(err) => tracing::debug!(%err, %name, "a trash entry stays"),
            }
        }
    }
}
