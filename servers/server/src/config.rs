//! Typed configuration for each role, read from INI files (samples in `config/`). Section
//! names follow llfc's `config.ini` (`[GateServer]`, `[Mysql]`, `[Redis]`, `[SelfServer]`,
//! ...). Every key can be overridden by `IMCHAT_<SECTION>_<KEY>`; unknown keys are errors.

pub mod ini;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use imchat_chat::Limits;
use imchat_gate::{EdgeLimits, RateLimits};
use imchat_res::{FileLimits, ResLimits, S3Config, StorageConfig};
use imchat_status::StaticServer;
use imchat_store::codes::CodePolicy;
use imchat_store::writer::WriterOptions;
use imchat_store::{KeyLayout, RedisOptions};
use imchat_verify::{MailConfig, SmtpTls};

pub use ini::{ConfigError, Problem, Reader, Secret};

/// Loads `path` and reads it with `read`, taking overrides from the process environment.
pub fn load<T>(path: &Path, read: impl FnOnce(&mut Reader) -> Option<T>) -> Result<T, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
        problems: vec![Problem { origin: origin.clone(), line: None, message: format!("cannot read: {err}") }],
    })?;
    parse(&origin, &text, process_env(), read)
}

/// Reads `text` (named `origin` in messages) with the given environment overrides.
pub fn parse<T>(
    origin: &str,
    text: &str,
    env: HashMap<String, String>,
    read: impl FnOnce(&mut Reader) -> Option<T>,
) -> Result<T, ConfigError> {
    let mut reader = Reader::parse(origin, text, env);
    let value = read(&mut reader);
    reader.finish()?;
    // `finish` reports why a required value was missing, so `None` here always comes with a problem.
    value.ok_or_else(|| ConfigError { problems: Vec::new() })
}

pub fn process_env() -> HashMap<String, String> {
    std::env::vars().filter(|(k, _)| k.starts_with(ini::ENV_PREFIX)).collect()
}

const PORT: &str = "a port number (1-65535)";
const PORT_OR_ZERO: &str = "a port number (0 picks a free one)";
const HOST: &str = "a host name or IP address";
const COUNT: &str = "a whole number";
const SECS: &str = "a number of seconds";
const TEXT: &str = "text";

/// Where the SQL store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbConfig {
    Mysql { host: String, port: u16, user: String, passwd: Secret, schema: String, max_connections: u32 },
    Sqlite { path: PathBuf, max_connections: u32 },
}

impl DbConfig {
    /// The sqlx URL (contains the password: never log it).
    pub fn url(&self) -> String {
        match self {
            DbConfig::Mysql { host, port, user, passwd, schema, .. } => {
                let auth = if passwd.0.is_empty() {
                    percent_encode(user)
                } else {
                    format!("{}:{}", percent_encode(user), percent_encode(&passwd.0))
                };
                format!("mysql://{auth}@{host}:{port}/{}", percent_encode(schema))
            }
            DbConfig::Sqlite { path, .. } => format!("sqlite:{}?mode=rwc", path.display()),
        }
    }

    pub fn max_connections(&self) -> u32 {
        match self {
            DbConfig::Mysql { max_connections, .. } | DbConfig::Sqlite { max_connections, .. } => *max_connections,
        }
    }

    /// Where it is, without credentials, for start-up lines.
    pub fn describe(&self) -> String {
        match self {
            DbConfig::Mysql { host, port, user, schema, .. } => format!("mysql://{user}@{host}:{port}/{schema}"),
            DbConfig::Sqlite { path, .. } => format!("sqlite:{}", path.display()),
        }
    }
}

/// Where the key-value store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    pub host: String,
    pub port: u16,
    pub passwd: Secret,
    pub db: u32,
    /// Prepended to every key (several deployments sharing one Redis).
    pub prefix: String,
    /// How keys are named: llfc's names, or hash-tagged for Redis Cluster.
    pub layout: KeyLayout,
    /// Reconnecting after a dropped connection.
    pub options: RedisOptions,
}

impl RedisConfig {
    pub fn url(&self) -> String {
        let auth =
            if self.passwd.0.is_empty() { String::new() } else { format!(":{}@", percent_encode(&self.passwd.0)) };
        format!("redis://{auth}{}:{}/{}", self.host, self.port, self.db)
    }

    pub fn describe(&self) -> String {
        format!("redis://{}:{}/{}", self.host, self.port, self.db)
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn read_db(r: &mut Reader) -> Option<DbConfig> {
    Some(DbConfig::Mysql {
        host: r.or("Mysql", "Host", HOST, "127.0.0.1".to_owned()),
        port: r.or("Mysql", "Port", PORT, 3306),
        user: r.or("Mysql", "User", TEXT, "root".to_owned()),
        passwd: r.or("Mysql", "Passwd", TEXT, Secret::default()),
        schema: r.required("Mysql", "Schema", "a database name")?,
        max_connections: r.or("Mysql", "MaxConnections", COUNT, 16),
    })
}

/// A key prefix: braces would make it every key's Redis Cluster hash tag.
#[derive(Default)]
struct KeyPrefix(String);

impl std::str::FromStr for KeyPrefix {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<KeyPrefix, &'static str> {
        if text.contains(['{', '}']) { Err("braces in a key prefix") } else { Ok(KeyPrefix(text.to_owned())) }
    }
}

fn read_redis(r: &mut Reader) -> Option<RedisConfig> {
    Some(RedisConfig {
        host: r.or("Redis", "Host", HOST, "127.0.0.1".to_owned()),
        port: r.or("Redis", "Port", PORT, 6379),
        passwd: r.or("Redis", "Passwd", TEXT, Secret::default()),
        db: r.or("Redis", "Db", "a database index", 0),
        prefix: r.or("Redis", "Prefix", "text without { or }", KeyPrefix::default()).0,
        layout: r.or("Redis", "KeyLayout", "llfc or tagged", KeyLayout::default()),
        options: {
            let d = RedisOptions::default();
            RedisOptions {
                reconnect_tries: r.or("Redis", "ReconnectTries", COUNT, d.reconnect_tries),
                reconnect_min_delay: millis(r, "Redis", "ReconnectMinDelayMs", d.reconnect_min_delay),
                reconnect_max_delay: millis(r, "Redis", "ReconnectMaxDelayMs", d.reconnect_max_delay),
                connect_timeout: millis(r, "Redis", "ConnectTimeoutMs", d.connect_timeout),
            }
        },
    })
}

fn secs(r: &mut Reader, section: &str, key: &str, default: Duration) -> Duration {
    Duration::from_secs(r.or(section, key, SECS, default.as_secs()))
}

fn millis(r: &mut Reader, section: &str, key: &str, default: Duration) -> Duration {
    Duration::from_millis(r.or(
        section,
        key,
        "a number of milliseconds",
        u64::try_from(default.as_millis()).unwrap_or(u64::MAX),
    ))
}

fn micros(r: &mut Reader, section: &str, key: &str, default: Duration) -> Duration {
    Duration::from_micros(r.or(
        section,
        key,
        "a number of microseconds",
        u64::try_from(default.as_micros()).unwrap_or(u64::MAX),
    ))
}

fn read_codes(r: &mut Reader) -> CodePolicy {
    let d = CodePolicy::default();
    CodePolicy {
        ttl: secs(r, "Codes", "TtlSecs", d.ttl),
        cooldown: secs(r, "Codes", "CooldownSecs", d.cooldown),
        max_sends: r.or("Codes", "MaxSends", COUNT, d.max_sends),
        send_window: secs(r, "Codes", "SendWindowSecs", d.send_window),
        max_attempts: r.or("Codes", "MaxAttempts", COUNT, d.max_attempts),
        max_attempts_per_window: r.or("Codes", "MaxAttemptsPerWindow", COUNT, d.max_attempts_per_window),
        attempt_window: secs(r, "Codes", "AttemptWindowSecs", d.attempt_window),
    }
}

fn read_rate(r: &mut Reader) -> RateLimits {
    let d = RateLimits::default();
    RateLimits {
        per_ip_per_sec: r.or("RateLimit", "PerIpPerSec", COUNT, d.per_ip_per_sec),
        per_ip_burst: r.or("RateLimit", "PerIpBurst", COUNT, d.per_ip_burst),
        per_email_per_min: r.or("RateLimit", "PerEmailPerMin", COUNT, d.per_email_per_min),
        per_email_burst: r.or("RateLimit", "PerEmailBurst", COUNT, d.per_email_burst),
        free_login_failures: r.or("RateLimit", "FreeLoginFailures", COUNT, d.free_login_failures),
        max_login_backoff: secs(r, "RateLimit", "MaxLoginBackoffSecs", d.max_login_backoff),
    }
}

fn read_limits(r: &mut Reader) -> Limits {
    let d = Limits::default();
    let s = "Limits";
    Limits {
        max_body: r.at_most(s, "MaxBody", "a byte count", d.max_body, imchat_proto::codec::MAX_BODY_CEILING),
        idle_timeout: secs(r, s, "IdleTimeoutSecs", d.idle_timeout),
        out_budget: r.or(s, "OutBudgetBytes", "a byte count", d.out_budget),
        out_queue_bytes: r.or(s, "OutQueueBytes", "a byte count", d.out_queue_bytes),
        push_wait: millis(r, s, "PushWaitMs", d.push_wait),
        close_flush: millis(r, s, "CloseFlushMs", d.close_flush),
        write_coalesce: millis(r, s, "WriteCoalesceMs", d.write_coalesce),
        kick_grace: secs(r, s, "KickGraceSecs", d.kick_grace),
        max_connections: r.or(s, "MaxConnections", COUNT, d.max_connections),
        max_connections_per_ip: r.or(s, "MaxConnectionsPerIp", COUNT, d.max_connections_per_ip),
        login_deadline: secs(r, s, "LoginDeadlineSecs", d.login_deadline),
        max_failed_logins: r.or(s, "MaxFailedLogins", COUNT, d.max_failed_logins),
        failed_logins_per_ip: r.or(s, "FailedLoginsPerIpPerMin", COUNT, d.failed_logins_per_ip),
        messages_per_sec: r.or(s, "MessagesPerSec", COUNT, d.messages_per_sec),
        message_burst: r.or(s, "MessageBurst", COUNT, d.message_burst),
        group_changes: imchat_chat::Rate {
            per_minute: r.or(s, "GroupChangesPerMin", COUNT, d.group_changes.per_minute),
            burst: r.or(s, "GroupChangeBurst", COUNT, d.group_changes.burst),
        },
        friend_requests: imchat_chat::Rate {
            per_minute: r.or(s, "FriendRequestsPerMin", COUNT, d.friend_requests.per_minute),
            burst: r.or(s, "FriendRequestBurst", COUNT, d.friend_requests.burst),
        },
        max_pending_requests: r.or(s, "MaxPendingRequests", COUNT, d.max_pending_requests),
        friend_page: r.or(s, "FriendPage", COUNT, d.friend_page),
        max_text_bytes: r.or(s, "MaxTextBytes", COUNT, d.max_text_bytes),
        max_texts_per_frame: r.or(s, "MaxTextsPerFrame", COUNT, d.max_texts_per_frame),
        pipeline: r.or(s, "Pipeline", COUNT, d.pipeline),
        thread_page: r.or(s, "ThreadPage", COUNT, d.thread_page),
        history_page: r.or(s, "HistoryPage", COUNT, d.history_page),
        sync_page: r.or(s, "SyncPage", COUNT, d.sync_page),
        sync_threads: r.or(s, "SyncThreads", COUNT, d.sync_threads),
        login_applies: r.or(s, "LoginApplies", COUNT, d.login_applies),
        login_friends: r.or(s, "LoginFriends", COUNT, d.login_friends),
        login_lock_wait: millis(r, s, "LoginLockWaitMs", d.login_lock_wait),
        login_view_ttl: secs(r, s, "LoginViewTtlSecs", d.login_view_ttl),
        session_policy: r.or("Sessions", "Policy", "single, per-kind or multi", d.session_policy),
        max_devices: r.or("Sessions", "MaxDevices", COUNT, d.max_devices).max(1),
        typing_per_sec: r.or(s, "TypingPerSec", COUNT, d.typing_per_sec),
        typing_burst: r.or(s, "TypingBurst", COUNT, d.typing_burst),
        recall_window: secs(r, s, "RecallSecs", d.recall_window),
        edit_window: secs(r, s, "EditSecs", d.edit_window),
        address_login_ttl: secs(r, s, "AddressLoginSecs", d.address_login_ttl),
        route_ttl: secs(r, s, "RouteTtlSecs", d.route_ttl),
        route_cache: millis(r, s, "RouteCacheMs", d.route_cache),
        registry_interval: millis(r, s, "RegistryIntervalMs", d.registry_interval),
        registry_ttl: millis(r, s, "RegistryTtlMs", d.registry_ttl),
        peer_window: r.or(s, "PeerWindowBytes", "a byte count", d.peer_window),
        peer_wait: millis(r, s, "PeerWaitMs", d.peer_wait),
        peer_lanes: r.or(s, "PeerLanes", COUNT, d.peer_lanes),
        peer_batch: r.or(s, "PeerBatch", COUNT, d.peer_batch),
        peer_batch_bytes: r.or(s, "PeerBatchBytes", "a byte count", d.peer_batch_bytes),
        peer_linger: micros(r, s, "PeerLingerMicros", d.peer_linger),
        group_max_members: r.or(s, "GroupMaxMembers", COUNT, d.group_max_members),
        group_members_page: r.or(s, "GroupMembersPage", COUNT, d.group_members_page),
        max_mentions: r.or(s, "MaxMentions", COUNT, d.max_mentions),
        group_cache: millis(r, s, "GroupCacheMs", d.group_cache),
        friend_cache: millis(r, s, "FriendCacheMs", d.friend_cache),
        max_blocked: r.or(s, "MaxBlocked", COUNT, d.max_blocked),
        forward_messages: r.or(s, "ForwardMessages", COUNT, d.forward_messages),
        forward_targets: r.or(s, "ForwardTargets", COUNT, d.forward_targets),
    }
}

/// `[Files]`: the resource server's caps on files (see `imchat_res::FileLimits`).
fn read_file_limits(r: &mut Reader, login_view_ttl: Duration) -> FileLimits {
    let d = FileLimits::default();
    let s = "Files";
    let bytes = "a byte count";
    FileLimits {
        max_file_bytes: r.or(s, "MaxFileBytes", bytes, d.max_file_bytes),
        max_avatar_bytes: r.or(s, "MaxAvatarBytes", bytes, d.max_avatar_bytes),
        quota_bytes: r.or(s, "QuotaBytes", bytes, d.quota_bytes),
        upload_ttl: secs(r, s, "UploadTtlSecs", d.upload_ttl),
        sweep: secs(r, s, "SweepSecs", d.sweep),
        uploads_per_user: r.or(s, "UploadsPerUser", COUNT, d.uploads_per_user),
        uploads: r.or(s, "Uploads", COUNT, d.uploads),
        finishing: r.or(s, "Finishing", COUNT, d.finishing),
        finish_timeout: secs(r, s, "FinishTimeoutSecs", d.finish_timeout),
        thumb_px: r.or(s, "ThumbPx", "pixels (0: no thumbnails)", d.thumb_px),
        thumb_max_pixels: r.or(s, "ThumbMaxPixels", COUNT, d.thumb_max_pixels),
        read_ahead_bytes: r.or(s, "ReadAheadBytes", bytes, d.read_ahead_bytes),
        auth_recheck: secs(r, s, "AuthRecheckSecs", d.auth_recheck),
        login_view_ttl: secs(r, s, "LoginViewTtlSecs", login_view_ttl),
    }
}

/// Which storage backend (`[Storage] Backend`).
enum Backend {
    Local,
    S3,
}

impl std::str::FromStr for Backend {
    type Err = ();
    fn from_str(text: &str) -> Result<Backend, ()> {
        match text.to_ascii_lowercase().as_str() {
            "local" => Ok(Backend::Local),
            "s3" => Ok(Backend::S3),
            _ => Err(()),
        }
    }
}

/// `[Storage]`: where files live, and where uploads are assembled. `default_dir` is the local
/// directory when the file names none (`all`: `<data-dir>/files`); without one, `Dir` is
/// required.
fn read_storage(r: &mut Reader, default_dir: Option<PathBuf>) -> Option<(StorageConfig, Option<PathBuf>)> {
    let s = "Storage";
    let backend = r.or(s, "Backend", "local or s3", Backend::Local);
    let staging: Option<PathBuf> = r.optional(s, "StagingDir", "a directory");
    let storage = match backend {
        Backend::Local => {
            let dir = match default_dir {
                Some(dir) => r.or(s, "Dir", "a directory", dir),
                None => r.required(s, "Dir", "a directory")?,
            };
            StorageConfig::Local { dir }
        }
        Backend::S3 => {
            let endpoint: String = r.required(s, "Endpoint", "a URL (http://host:port)")?;
            StorageConfig::S3(S3Config {
                allow_http: r.or(s, "AllowHttp", "true or false", endpoint.starts_with("http://")),
                endpoint,
                bucket: r.required(s, "Bucket", "a bucket name")?,
                region: r.or(s, "Region", TEXT, "us-east-1".to_owned()),
                access_key: r.required::<Secret>(s, "AccessKey", TEXT)?.0,
                secret_key: r.required::<Secret>(s, "SecretKey", TEXT)?.0,
                prefix: r.or(s, "Prefix", TEXT, String::new()),
            })
        }
    };
    Some((storage, staging))
}

fn read_res_limits(r: &mut Reader) -> ResLimits {
    let d = ResLimits::default();
    let s = "ResLimits";
    ResLimits {
        max_body: r.or(s, "MaxBody", "a byte count", d.max_body),
        max_connections: r.or(s, "MaxConnections", COUNT, d.max_connections),
        max_connections_per_ip: r.or(s, "MaxConnectionsPerIp", COUNT, d.max_connections_per_ip),
        max_connections_per_user: r.or(s, "MaxConnectionsPerUser", COUNT, d.max_connections_per_user),
        auth_deadline: secs(r, s, "AuthDeadlineSecs", d.auth_deadline),
        idle_timeout: secs(r, s, "IdleTimeoutSecs", d.idle_timeout),
        frame_timeout: secs(r, s, "FrameTimeoutSecs", d.frame_timeout),
        write_timeout: secs(r, s, "WriteTimeoutSecs", d.write_timeout),
        max_failed_auths: r.or(s, "MaxFailedAuths", COUNT, d.max_failed_auths),
        failed_auths_per_ip: r.or(s, "FailedAuthsPerIpPerMin", COUNT, d.failed_auths_per_ip),
        out_budget: r.or(s, "OutBudgetBytes", "a byte count", d.out_budget),
        read_ahead_hold: millis(r, s, "ReadAheadHoldMs", d.read_ahead_hold),
        info_per_ip: imchat_res::Rate {
            per_minute: r.or(s, "InfoPerIpPerMin", COUNT, d.info_per_ip.per_minute),
            burst: r.or(s, "InfoBurst", COUNT, d.info_per_ip.burst),
        },
    }
}

/// Addresses separated by commas (`TrustedProxies`).
struct AddressList(Vec<std::net::IpAddr>);

impl std::str::FromStr for AddressList {
    type Err = std::net::AddrParseError;
    fn from_str(s: &str) -> Result<AddressList, Self::Err> {
        s.split(',').map(str::trim).filter(|a| !a.is_empty()).map(str::parse).collect::<Result<_, _>>().map(AddressList)
    }
}

fn read_gate_edge(r: &mut Reader) -> EdgeLimits {
    let d = EdgeLimits::default();
    let s = "GateServer";
    EdgeLimits {
        header_timeout: secs(r, s, "HeaderTimeoutSecs", d.header_timeout),
        body_timeout: secs(r, s, "BodyTimeoutSecs", d.body_timeout),
        max_connections: r.or(s, "MaxConnections", COUNT, d.max_connections),
        max_connections_per_ip: r.or(s, "MaxConnectionsPerIp", COUNT, d.max_connections_per_ip),
        trusted_proxies: r
            .or(s, "TrustedProxies", "IP addresses separated by commas", AddressList(d.trusted_proxies))
            .0,
        // Loaded from `TlsCert`/`TlsKey` when the role starts (see `cluster`).
        tls: None,
    }
}

fn read_writer(r: &mut Reader) -> WriterOptions {
    let d = WriterOptions::default();
    WriterOptions {
        queue: r.or("Writer", "Queue", COUNT, d.queue),
        max_batch: r.or("Writer", "MaxBatch", COUNT, d.max_batch),
        workers: r.or("Writer", "Workers", COUNT, d.workers),
        breaker_pause: millis(r, "Writer", "BreakerPauseMs", d.breaker_pause),
        linger: micros(r, "Writer", "LingerMicros", d.linger),
    }
}

fn read_mail(r: &mut Reader, default_dir: Option<&Path>) -> Option<MailConfig> {
    let from = r.or("Mail", "From", "an email address", "imchat <no-reply@imchat.invalid>".to_owned());
    let mode_default = if default_dir.is_some() { "files" } else { "smtp" };
    let mode: String = r.or("Mail", "Mode", "`smtp` or `files`", mode_default.to_owned());
    // Both modes' keys are read (and checked) whichever mode is on, so switching the mode by
    // environment variable does not turn the other mode's keys into errors.
    let tls: TlsSetting = r.or("Mail", "Tls", "`none`, `starttls` or `tls`", TlsSetting(SmtpTls::Implicit));
    let host: Option<String> = r.optional("Mail", "Host", HOST);
    let port: u16 = r.or("Mail", "Port", PORT, 465);
    // An empty user (e.g. `IMCHAT_MAIL_USER=`) means no authentication.
    let username = r.optional::<String>("Mail", "User", TEXT).filter(|u| !u.is_empty());
    let password = r.optional::<Secret>("Mail", "Passwd", TEXT).map(|s| s.0);
    let dir: Option<PathBuf> = r.optional("Mail", "Dir", "a directory");
    match mode.as_str() {
        "files" => {
            let dir = match (dir, default_dir) {
                (Some(dir), _) => dir,
                (None, Some(dir)) => dir.to_path_buf(),
                (None, None) => r.required("Mail", "Dir", "a directory")?,
            };
            Some(MailConfig::Files { dir, from })
        }
        "smtp" => {
            let host = match host {
                Some(host) => host,
                None => r.required("Mail", "Host", HOST)?,
            };
            Some(MailConfig::Smtp { host, port, tls: tls.0, username, password, from })
        }
        _ => {
            let _: Option<TlsSetting> = r.optional("Mail", "Mode", "`smtp` or `files`");
            None
        }
    }
}

struct TlsSetting(SmtpTls);

impl std::str::FromStr for TlsSetting {
    type Err = ();
    fn from_str(s: &str) -> Result<TlsSetting, ()> {
        Ok(TlsSetting(match s {
            "none" => SmtpTls::None,
            "starttls" => SmtpTls::Starttls,
            "tls" => SmtpTls::Implicit,
            _ => return Err(()),
        }))
    }
}

/// The deployment's shared secret for internal gRPC, as the INI gives it.
struct InternalSecret(imchat_rpc::Secret);

impl std::str::FromStr for InternalSecret {
    type Err = imchat_rpc::BadSecret;
    fn from_str(s: &str) -> Result<InternalSecret, Self::Err> {
        imchat_rpc::Secret::new(s).map(InternalSecret)
    }
}

const SECRET: &str = "a secret of at least 16 printable characters, no spaces";

/// `[Internal] Secret`: every role that serves or calls internal gRPC needs it.
fn read_secret(r: &mut Reader) -> Option<imchat_rpc::Secret> {
    r.required::<InternalSecret>("Internal", "Secret", SECRET).map(|s| s.0)
}

fn addr(r: &mut Reader, section: &str, default_host: &str) -> Option<String> {
    let host: String = r.or(section, "Host", HOST, default_host.to_owned());
    let port: u16 = r.required(section, "Port", PORT)?;
    Some(format!("{host}:{port}"))
}

/// `imchat-server gate`.
#[derive(Debug, Clone)]
pub struct GateFile {
    pub listen: String,
    pub verify: String,
    pub status: String,
    pub db: DbConfig,
    pub redis: RedisConfig,
    pub res_host: String,
    pub res_port: u16,
    /// The resource server's TLS port, named in the login reply (0: none).
    pub res_tls_port: u16,
    pub rate: RateLimits,
    pub codes: CodePolicy,
    pub edge: EdgeLimits,
    pub secret: imchat_rpc::Secret,
    /// HTTPS: the certificate chain and key (PEM files).
    pub tls: Option<TlsFiles>,
}

/// A certificate chain and its key, as PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// `TlsCert` and `TlsKey` in `section`: both or neither.
fn read_tls(r: &mut Reader, section: &str) -> Option<Option<TlsFiles>> {
    let cert: Option<PathBuf> = r.optional(section, "TlsCert", "a PEM file");
    let key: Option<PathBuf> = r.optional(section, "TlsKey", "a PEM file");
    match (cert, key) {
        (Some(cert), Some(key)) => Some(Some(TlsFiles { cert, key })),
        (None, None) => Some(None),
        (Some(_), None) => r.required::<PathBuf>(section, "TlsKey", "a PEM file (TlsCert is set)").map(|_| None),
        (None, Some(_)) => r.required::<PathBuf>(section, "TlsCert", "a PEM file (TlsKey is set)").map(|_| None),
    }
}

/// `TlsPort`, `TlsCert` and `TlsKey` in `section`: all three or none.
fn read_tls_port(r: &mut Reader, section: &str) -> Option<Option<(u16, TlsFiles)>> {
    let port: Option<u16> = r.optional(section, "TlsPort", PORT_OR_ZERO);
    match (read_tls(r, section), port) {
        (Some(Some(files)), Some(port)) => Some(Some((port, files))),
        (Some(Some(_)), None) => r.required::<u16>(section, "TlsPort", "a port (TlsCert is set)").map(|_| None),
        (Some(None), Some(_)) => r.required::<PathBuf>(section, "TlsCert", "a PEM file (TlsPort is set)").map(|_| None),
        (Some(None), None) => Some(None),
        (None, _) => None,
    }
}

pub fn read_gate(r: &mut Reader) -> Option<GateFile> {
    let listen = addr(r, "GateServer", "0.0.0.0");
    let verify = addr(r, "VarifyServer", "127.0.0.1");
    let status = addr(r, "StatusServer", "127.0.0.1");
    let db = read_db(r);
    let redis = read_redis(r);
    let res_host = r.or("ResServer", "Host", HOST, "127.0.0.1".to_owned());
    let res_port = r.or("ResServer", "Port", PORT, 9090);
    let res_tls_port = r.or("ResServer", "TlsPort", PORT_OR_ZERO, 0);
    let rate = read_rate(r);
    let codes = read_codes(r);
    let edge = read_gate_edge(r);
    let secret = read_secret(r);
    let tls = read_tls(r, "GateServer");
    Some(GateFile {
        listen: listen?,
        verify: verify?,
        status: status?,
        db: db?,
        redis: redis?,
        res_host,
        res_port,
        res_tls_port,
        rate,
        codes,
        edge,
        secret: secret?,
        tls: tls?,
    })
}

/// `imchat-server res`.
#[derive(Debug, Clone)]
pub struct ResFile {
    /// A public port: llfc's clients connect to it (the gate advertises it as `resport`).
    pub listen: String,
    pub limits: ResLimits,
    pub files: FileLimits,
    pub storage: StorageConfig,
    /// Where uploads are assembled (default: `<Dir>/.staging` for local storage, required
    /// for S3).
    pub staging_dir: PathBuf,
    pub db: DbConfig,
    pub redis: RedisConfig,
    pub secret: imchat_rpc::Secret,
    /// A TLS port (on the same host) beside the plaintext one, with its certificate.
    pub tls: Option<(u16, TlsFiles)>,
}

pub fn read_res(r: &mut Reader) -> Option<ResFile> {
    let listen = addr(r, "ResServer", "0.0.0.0");
    let tls = read_tls_port(r, "ResServer");
    let limits = read_res_limits(r);
    let files = read_file_limits(r, Limits::default().login_view_ttl);
    let storage = read_storage(r, None);
    let (db, redis, secret) = (read_db(r), read_redis(r), read_secret(r));
    let (storage, staging) = storage?;
    let staging_dir = match (staging, &storage) {
        (Some(dir), _) => dir,
        (None, StorageConfig::Local { dir }) => dir.join(".staging"),
        (None, StorageConfig::S3(_)) => r.required("Storage", "StagingDir", "a local directory (S3 storage)")?,
    };
    Some(ResFile {
        listen: listen?,
        limits,
        files,
        storage,
        staging_dir,
        db: db?,
        redis: redis?,
        secret: secret?,
        tls: tls?,
    })
}

/// `imchat-server verify`.
#[derive(Debug, Clone)]
pub struct VerifyFile {
    /// Internal: loopback unless the INI says otherwise.
    pub listen: String,
    pub redis: RedisConfig,
    pub codes: CodePolicy,
    pub mail: MailConfig,
    pub secret: imchat_rpc::Secret,
}

pub fn read_verify(r: &mut Reader) -> Option<VerifyFile> {
    let listen = addr(r, "VarifyServer", "127.0.0.1");
    let redis = read_redis(r);
    let codes = read_codes(r);
    let mail = read_mail(r, None);
    let secret = read_secret(r);
    Some(VerifyFile { listen: listen?, redis: redis?, codes, mail: mail?, secret: secret? })
}

/// `imchat-server status`.
#[derive(Debug, Clone)]
pub struct StatusFile {
    /// Internal: loopback unless the INI says otherwise.
    pub listen: String,
    pub redis: RedisConfig,
    pub token_ttl: Duration,
    pub fallback: Vec<StaticServer>,
    pub secret: imchat_rpc::Secret,
}

pub fn read_status(r: &mut Reader) -> Option<StatusFile> {
    let listen = addr(r, "StatusServer", "127.0.0.1");
    let redis = read_redis(r);
    let token_ttl = secs(r, "Tokens", "TtlSecs", imchat_status::DEFAULT_TOKEN_TTL);
    let names: String = r.or("chatservers", "Name", "a comma-separated list of server names", String::new());
    let mut fallback = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let host: Option<String> = r.required(name, "Host", HOST);
        let port: Option<u16> = r.required(name, "Port", PORT);
        let rpc: Option<String> = r.required(name, "RPCAddr", "host:port of the server's peer gRPC");
        let _: Option<String> = r.optional(name, "Name", TEXT);
        if let (Some(host), Some(port), Some(rpc_addr)) = (host, port, rpc) {
            fallback.push(StaticServer { name: name.to_owned(), host, port, rpc_addr });
        }
    }
    let secret = read_secret(r);
    Some(StatusFile { listen: listen?, redis: redis?, token_ttl, fallback, secret: secret? })
}

/// `imchat-server chat`.
#[derive(Debug, Clone)]
pub struct ChatFile {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// Bind host of the peer gRPC port: internal, so loopback by default.
    pub rpc_host: String,
    pub rpc_port: u16,
    pub advertise_host: String,
    pub rpc_advertise_host: String,
    pub db: DbConfig,
    pub redis: RedisConfig,
    pub limits: Limits,
    pub writer: WriterOptions,
    pub secret: imchat_rpc::Secret,
    /// A TLS client port (on `host`) beside the plaintext one, with its certificate.
    pub tls: Option<(u16, TlsFiles)>,
}

pub fn read_chat(r: &mut Reader) -> Option<ChatFile> {
    let name: Option<String> = r.required("SelfServer", "Name", "a unique server name");
    let host: String = r.or("SelfServer", "Host", HOST, "0.0.0.0".to_owned());
    let port: Option<u16> = r.required("SelfServer", "Port", PORT_OR_ZERO);
    let rpc_host: String = r.or("SelfServer", "RPCHost", HOST, "127.0.0.1".to_owned());
    let rpc_port: Option<u16> = r.required("SelfServer", "RPCPort", PORT_OR_ZERO);
    let advertise_host: String = r.or("SelfServer", "AdvertiseHost", HOST, "127.0.0.1".to_owned());
    let rpc_advertise_host: String = r.or("SelfServer", "RPCAdvertiseHost", HOST, advertise_host.clone());
    let db = read_db(r);
    let redis = read_redis(r);
    let limits = read_limits(r);
    let writer = read_writer(r);
    let secret = read_secret(r);
    let tls = read_tls_port(r, "SelfServer");
    Some(ChatFile {
        name: name?,
        host,
        port: port?,
        rpc_host,
        rpc_port: rpc_port?,
        advertise_host,
        rpc_advertise_host,
        db: db?,
        redis: redis?,
        limits,
        writer,
        secret: secret?,
        tls: tls?,
    })
}

/// `imchat-server all`: every role in one process on SQLite and the in-memory store.
#[derive(Debug, Clone)]
pub struct AllFile {
    /// Bind host of the public listeners (gate, chat, resources); the internal ones (verify,
    /// status, chat peers) are always on loopback.
    pub host: String,
    /// Host handed to clients for the chat servers.
    pub advertise_host: String,
    pub gate_port: u16,
    pub verify_port: u16,
    pub status_port: u16,
    /// The resource port llfc's Season_2 client needs (advertised by the gate as `resport`).
    pub res_port: u16,
    pub res_limits: ResLimits,
    pub files: FileLimits,
    /// `None`: local, under `<data-dir>/files`.
    pub storage: Option<StorageConfig>,
    pub staging_dir: Option<PathBuf>,
    /// (client port, peer rpc port) per chat server.
    pub chat_ports: [(u16, u16); 2],
    pub rate: RateLimits,
    pub codes: CodePolicy,
    pub gate_edge: EdgeLimits,
    pub limits: Limits,
    pub writer: WriterOptions,
    pub token_ttl: Duration,
    /// `None`: a random one for this run (see `cluster::Suite::start`).
    pub secret: Option<imchat_rpc::Secret>,
    /// `--tls`: where the certificate and key are (or are made, self-signed).
    pub tls_dir: Option<PathBuf>,
    /// The chat servers' TLS ports, with `tls_dir`.
    pub chat_tls_ports: [u16; 2],
    /// The resource server's TLS port, with `tls_dir`.
    pub res_tls_port: u16,
}

/// llfc's default ports.
pub const DEFAULT_PORTS: (u16, u16, u16, [(u16, u16); 2]) = (8080, 50051, 50052, [(8090, 50055), (8091, 50056)]);
/// llfc's resource-server port.
pub const DEFAULT_RES_PORT: u16 = 9090;

pub fn read_all(r: &mut Reader) -> Option<AllFile> {
    let (gate, verify, status, chats) = DEFAULT_PORTS;
    let host = r.or("Embedded", "Host", HOST, "127.0.0.1".to_owned());
    let advertise_host = r.or("Embedded", "AdvertiseHost", HOST, host.clone());
    let limits = read_limits(r);
    let storage = match r.optional::<String>("Storage", "Backend", "local or s3") {
        Some(_) => {
            let (storage, staging) = read_storage(r, Some(PathBuf::new()))?;
            // A local backend without a `Dir` keeps the data directory's `files/`.
            let storage = match storage {
                StorageConfig::Local { dir } if dir.as_os_str().is_empty() => None,
                other => Some(other),
            };
            (storage, staging)
        }
        None => (None, r.optional("Storage", "StagingDir", "a directory")),
    };
    Some(AllFile {
        gate_port: r.or("GateServer", "Port", PORT_OR_ZERO, gate),
        verify_port: r.or("VarifyServer", "Port", PORT_OR_ZERO, verify),
        status_port: r.or("StatusServer", "Port", PORT_OR_ZERO, status),
        res_port: r.or("ResServer", "Port", PORT_OR_ZERO, DEFAULT_RES_PORT),
        res_limits: read_res_limits(r),
        files: read_file_limits(r, limits.login_view_ttl),
        storage: storage.0,
        staging_dir: storage.1,
        chat_ports: [
            (
                r.or("chatserver1", "Port", PORT_OR_ZERO, chats[0].0),
                r.or("chatserver1", "RPCPort", PORT_OR_ZERO, chats[0].1),
            ),
            (
                r.or("chatserver2", "Port", PORT_OR_ZERO, chats[1].0),
                r.or("chatserver2", "RPCPort", PORT_OR_ZERO, chats[1].1),
            ),
        ],
        host,
        advertise_host,
        rate: read_rate(r),
        codes: read_codes(r),
        gate_edge: read_gate_edge(r),
        limits,
        writer: read_writer(r),
        token_ttl: secs(r, "Tokens", "TtlSecs", imchat_status::DEFAULT_TOKEN_TTL),
        secret: r.optional::<InternalSecret>("Internal", "Secret", SECRET).map(|s| s.0),
        tls_dir: None,
        chat_tls_ports: [
            r.or("chatserver1", "TlsPort", PORT_OR_ZERO, DEFAULT_CHAT_TLS_PORTS[0]),
            r.or("chatserver2", "TlsPort", PORT_OR_ZERO, DEFAULT_CHAT_TLS_PORTS[1]),
        ],
        res_tls_port: r.or("ResServer", "TlsPort", PORT_OR_ZERO, DEFAULT_RES_TLS_PORT),
    })
}

/// The chat servers' TLS ports in the embedded default (`all --tls`).
pub const DEFAULT_CHAT_TLS_PORTS: [u16; 2] = [8490, 8491];
/// The resource server's TLS port in the embedded default (`all --tls`).
pub const DEFAULT_RES_TLS_PORT: u16 = 9490;

#[cfg(test)]
mod tests;
