//! Where file bytes live once an upload is complete: one interface, two backends. The local
//! filesystem (the embedded default, `<data-dir>/files/`) takes a finished file by renaming it
//! into place; S3-compatible object storage (several resource servers on several hosts) takes
//! it as a multipart upload streamed from the staged file, parts of [`S3_PART_BYTES`], so no
//! file is ever held whole in memory. Keys are the server's own (`storage_key`), never a name
//! a client sent.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use tokio::io::AsyncReadExt;

/// S3's smallest multipart part (the last may be smaller): what one upload's commit buffers.
pub const S3_PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts of one commit in flight at once.
const S3_PARTS_IN_FLIGHT: usize = 2;

/// How to reach S3-compatible storage. Credentials come from the configuration file or the
/// environment, never from the command line.
#[derive(Clone)]
pub struct S3Config {
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Key prefix inside the bucket (several deployments may share one).
    pub prefix: String,
    /// Allow `http://` endpoints (a server on the same host or network).
    pub allow_http: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .field("access_key", &"…")
            .field("secret_key", &"…")
            .finish()
    }
}

/// Which backend, as configured (`[Storage]` in `res.ini`).
#[derive(Debug, Clone)]
pub enum StorageConfig {
    Local { dir: PathBuf },
    S3(S3Config),
}

/// A storage failure, with the operation it happened in.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{op}: {source}")]
    Io { op: &'static str, source: std::io::Error },
    #[error("{op}: {source}")]
    Object { op: &'static str, source: object_store::Error },
    #[error("not found")]
    NotFound,
}

impl StorageError {
    fn io(op: &'static str) -> impl FnOnce(std::io::Error) -> StorageError {
        move |source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                StorageError::NotFound
            } else {
                StorageError::Io { op, source }
            }
        }
    }

    fn object(op: &'static str) -> impl FnOnce(object_store::Error) -> StorageError {
        move |source| match source {
            object_store::Error::NotFound { .. } => StorageError::NotFound,
            source => StorageError::Object { op, source },
        }
    }
}

/// The configured backend. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Storage {
    Local { root: PathBuf },
    Object { store: Arc<dyn ObjectStore>, prefix: String },
}

impl Storage {
    pub fn open(config: &StorageConfig) -> Result<Storage, StorageError> {
        match config {
            StorageConfig::Local { dir } => {
                std::fs::create_dir_all(dir).map_err(StorageError::io("create the files directory"))?;
                Ok(Storage::Local { root: dir.clone() })
            }
            StorageConfig::S3(s3) => {
                // reqwest's rustls is built without a provider; imchat uses ring throughout.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let store = AmazonS3Builder::new()
                    .with_endpoint(&s3.endpoint)
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key)
                    .with_secret_access_key(&s3.secret_key)
                    .with_allow_http(s3.allow_http)
                    .build()
                    .map_err(StorageError::object("configure S3"))?;
                Ok(Storage::Object { store: Arc::new(store), prefix: s3.prefix.trim_matches('/').to_owned() })
            }
        }
    }

    /// What the logs and the banner call it.
    pub fn describe(&self) -> String {
        match self {
            Storage::Local { root } => format!("local {}", root.display()),
            Storage::Object { store, prefix } => format!("{store} prefix {prefix:?}"),
        }
    }

    fn local_path(root: &Path, key: &str) -> PathBuf {
        // Keys are `[0-9a-f]{2}/[0-9a-f]+(.thumb)?` (see `imchat_store::new_file_key`): a fan-out of 256
        // directories, and nothing a path could be made of.
        root.join(key)
    }

    fn object_path(prefix: &str, key: &str) -> object_store::path::Path {
        if prefix.is_empty() {
            object_store::path::Path::from(key)
        } else {
            object_store::path::Path::from(format!("{prefix}/{key}"))
        }
    }

    /// Moves the finished file at `staged` into storage under `key`.
    pub async fn commit(&self, staged: &Path, key: &str) -> Result<(), StorageError> {
        match self {
            Storage::Local { root } => {
                let target = Storage::local_path(root, key);
                if let Some(dir) = target.parent() {
                    tokio::fs::create_dir_all(dir).await.map_err(StorageError::io("create a files directory"))?;
                }
                tokio::fs::rename(staged, &target).await.map_err(StorageError::io("move the file into place"))
            }
            Storage::Object { store, prefix } => {
                let path = Storage::object_path(prefix, key);
                let upload = store.put_multipart(&path).await.map_err(StorageError::object("start the upload"))?;
                let mut writer = WriteMultipart::new_with_chunk_size(upload, S3_PART_BYTES);
                let mut file = tokio::fs::File::open(staged).await.map_err(StorageError::io("open the staged file"))?;
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    let n = file.read(&mut buf).await.map_err(StorageError::io("read the staged file"))?;
                    if n == 0 {
                        break;
                    }
                    writer
                        .wait_for_capacity(S3_PARTS_IN_FLIGHT)
                        .await
                        .map_err(StorageError::object("upload a part"))?;
                    writer.write(&buf[..n]);
                }
                writer.finish().await.map_err(StorageError::object("finish the upload"))?;
                let _ = tokio::fs::remove_file(staged).await;
                Ok(())
            }
        }
    }

    /// Stores a small object whole (a thumbnail).
    pub async fn put_small(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        match self {
            Storage::Local { root } => {
                let target = Storage::local_path(root, key);
                if let Some(dir) = target.parent() {
                    tokio::fs::create_dir_all(dir).await.map_err(StorageError::io("create a files directory"))?;
                }
                // Written beside, then renamed: a reader never sees half a thumbnail.
                let partial = target.with_extension("partial");
                tokio::fs::write(&partial, &bytes).await.map_err(StorageError::io("write a thumbnail"))?;
                tokio::fs::rename(&partial, &target).await.map_err(StorageError::io("move a thumbnail into place"))
            }
            Storage::Object { store, prefix } => store
                .put(&Storage::object_path(prefix, key), bytes.into())
                .await
                .map(|_| ())
                .map_err(StorageError::object("store a thumbnail")),
        }
    }

    /// The bytes of `key` in `range` (which the caller keeps inside the object).
    pub async fn read(&self, key: &str, range: Range<u64>) -> Result<Bytes, StorageError> {
        match self {
            Storage::Local { root } => {
                let path = Storage::local_path(root, key);
                tokio::task::spawn_blocking(move || {
                    use std::os::unix::fs::FileExt;
                    let file = std::fs::File::open(&path).map_err(StorageError::io("open a file"))?;
                    let mut buf = vec![0u8; usize::try_from(range.end - range.start).unwrap_or(0)];
                    file.read_exact_at(&mut buf, range.start).map_err(StorageError::io("read a file"))?;
                    Ok(Bytes::from(buf))
                })
                .await
                .map_err(|err| StorageError::Io { op: "read a file", source: std::io::Error::other(err) })?
            }
            Storage::Object { store, prefix } => store
                .get_range(&Storage::object_path(prefix, key), range)
                .await
                .map_err(StorageError::object("read an object")),
        }
    }

    /// Removes `key`; a key that is not there is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let done = match self {
            Storage::Local { root } => {
                tokio::fs::remove_file(Storage::local_path(root, key)).await.map_err(StorageError::io("delete a file"))
            }
            Storage::Object { store, prefix } => {
                store.delete(&Storage::object_path(prefix, key)).await.map_err(StorageError::object("delete an object"))
            }
        };
        match done {
            Err(StorageError::NotFound) => Ok(()),
            other => other,
        }
    }
}
