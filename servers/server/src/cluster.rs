//! Starting roles: each production role from its typed config, and the embedded suite (gate,
//! verify, status and two chat servers in one process), which tests also use with MariaDB and
//! Redis in place of SQLite and the in-memory store.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use imchat_chat::{ChatConfig, ChatDeps, TlsListener};
use imchat_gate::{EdgeLimits, GateConfig, GateDeps};
use imchat_proto::grpc::admin_service_client::AdminServiceClient;
use imchat_proto::grpc::status_service_client::StatusServiceClient;
use imchat_proto::grpc::varify_service_client::VarifyServiceClient;
use imchat_rpc::{Secret, authed, endpoint};
use imchat_status::StatusServer;
use imchat_store::writer::{MessageWriter, WriterOptions};
use imchat_store::{Db, DbOptions, KeyLayout, Kv};
use imchat_verify::{MailConfig, Mailer, Verify};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::{AllFile, ChatFile, DbConfig, GateFile, RedisConfig, ResFile, StatusFile, VerifyFile};

/// Connections the kernel completes for a listener before it accepts them. The standard 128
/// overflowed when 500 clients reconnected at once (W8): the rest lost their SYN and retried a
/// second later. The kernel caps this at `net.core.somaxconn`, the operator's knob for it.
pub const LISTEN_BACKLOG: u32 = 4096;

pub async fn bind(addr: &str) -> anyhow::Result<TcpListener> {
    let listen = async {
        let mut last = None;
        for sock_addr in tokio::net::lookup_host(addr).await? {
            let socket =
                if sock_addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
            // As std's bind does on Unix: a restarted server may bind while old connections
            // linger in TIME_WAIT.
            socket.set_reuseaddr(true)?;
            match socket.bind(sock_addr).and_then(|()| socket.listen(LISTEN_BACKLOG)) {
                Ok(listener) => return Ok(listener),
                Err(err) => last = Some(err),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("the address resolved to nothing")))
    };
    listen.await.with_context(|| format!("cannot listen on {addr}"))
}

pub async fn connect_db(config: &DbConfig) -> anyhow::Result<Db> {
    let options = DbOptions { max_connections: config.max_connections(), ..DbOptions::default() };
    Db::connect(&config.url(), &options)
        .await
        .with_context(|| format!("cannot open the database {}", config.describe()))
}

/// The embedded default's SQLite database in `data_dir`.
fn embedded_db_url(data_dir: &std::path::Path) -> String {
    format!("sqlite:{}?mode=rwc", data_dir.join("imchat.db").display())
}

/// Makes `dir` (the embedded default's data: database, files, mail with live codes, the
/// internal secret) readable by its owner only, whatever the umask, and fixes an existing
/// one's mode: nothing inside is then reachable by another local user (review 3, N18).
pub fn private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot make {} private", dir.display()))?;
    }
    Ok(())
}

/// Opens (creating if needed) the embedded default's database, as `all` would.
pub async fn open_embedded_db(data_dir: &std::path::Path) -> anyhow::Result<Db> {
    private_dir(data_dir)?;
    Db::connect(&embedded_db_url(data_dir), &DbOptions::default()).await.context("cannot open the database")
}

/// Longest `seed --prefix` (names are `<prefix>_<n>`, at most 32 characters).
pub const MAX_SEED_PREFIX: usize = 20;

/// `imchat-server seed`: many load-test accounts at once; returns the first uid.
pub async fn seed(db: &Db, prefix: &str, users: u32, password: &str) -> anyhow::Result<i32> {
    anyhow::ensure!(users > 0, "--users must be at least 1");
    // Lowercase, because logins normalise the email; short, so `<prefix>_<n>` is a valid name.
    anyhow::ensure!(
        (1..=MAX_SEED_PREFIX).contains(&prefix.len())
            && prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "--prefix must be 1 to {MAX_SEED_PREFIX} lowercase letters and digits"
    );
    imchat_proto::rules::check_password(password)
        .map_err(|err| anyhow::anyhow!("IMCHAT_BENCH_PASSWORD is not a valid password: {err}"))?;
    // Hashed in the form clients send (llfc's; see `imchat_proto::credential`).
    let sent = imchat_proto::credential::llfc_form(password);
    let hash = imchat_gate::load_test_hash(&sent).context("cannot hash the password")?;
    db.seed_users(prefix, users, &hash)
        .await
        .with_context(|| format!("cannot seed {users} accounts named {prefix}_N (is the prefix already used?)"))
}

pub async fn connect_redis(config: &RedisConfig) -> anyhow::Result<Kv> {
    let kv = Kv::redis_with(&config.url(), &config.options)
        .await
        .with_context(|| format!("cannot connect to {}", config.describe()))?;
    Ok(kv.with_prefix(&config.prefix).with_layout(config.layout))
}

fn gate_deps(db: Db, kv: Kv, verify: &str, status: &str, secret: &Secret) -> anyhow::Result<GateDeps> {
    Ok(GateDeps {
        db,
        kv,
        verify: VarifyServiceClient::new(authed(endpoint(verify)?.connect_lazy(), secret)),
        status: StatusServiceClient::new(authed(endpoint(status)?.connect_lazy(), secret)),
        admin: AdminServiceClient::new(authed(endpoint(status)?.connect_lazy(), secret)),
    })
}

pub async fn run_gate(file: GateFile, stop: CancellationToken) -> anyhow::Result<()> {
    let listener = bind(&file.listen).await?;
    let (db, kv) = (connect_db(&file.db).await?, connect_redis(&file.redis).await?);
    let deps = gate_deps(db, kv, &file.verify, &file.status, &file.secret)?;
    let mut edge = file.edge;
    if let Some(files) = &file.tls {
        edge.tls = Some(crate::tls::server_config(&files.cert, &files.key, &[b"http/1.1"])?);
    }
    let config = GateConfig {
        res_host: file.res_host,
        res_port: file.res_port,
        res_tls_port: file.res_tls_port,
        limits: file.rate,
        codes: file.codes,
        edge,
    };
    tracing::info!(addr = %listener.local_addr()?, "gate listening");
    imchat_gate::run(listener, config, deps, stop.cancelled_owned()).await?;
    Ok(())
}

pub async fn run_verify(file: VerifyFile, stop: CancellationToken) -> anyhow::Result<()> {
    let listener = bind(&file.listen).await?;
    let mailer = Mailer::new(&file.mail).context("mail transport")?;
    let verify = Verify { kv: connect_redis(&file.redis).await?, policy: file.codes, mailer, secret: file.secret };
    tracing::info!(addr = %listener.local_addr()?, "verify listening");
    imchat_verify::run(listener, verify, stop.cancelled_owned()).await?;
    Ok(())
}

pub async fn run_status(file: StatusFile, stop: CancellationToken) -> anyhow::Result<()> {
    let listener = bind(&file.listen).await?;
    let status = StatusServer::new(connect_redis(&file.redis).await?, file.token_ttl, file.fallback, file.secret);
    tracing::info!(addr = %listener.local_addr()?, "status listening");
    imchat_status::run(listener, status, stop.cancelled_owned()).await?;
    Ok(())
}

pub async fn run_chat(file: ChatFile, stop: CancellationToken) -> anyhow::Result<()> {
    let tcp = bind(&format!("{}:{}", file.host, file.port)).await?;
    let tls = match &file.tls {
        Some((port, files)) => Some(TlsListener {
            listener: bind(&format!("{}:{port}", file.host)).await?,
            config: crate::tls::server_config(&files.cert, &files.key, &[])?,
        }),
        None => None,
    };
    let rpc = bind(&format!("{}:{}", file.rpc_host, file.rpc_port)).await?;
    let db = connect_db(&file.db).await?;
    let writer = MessageWriter::spawn(db.clone(), file.writer);
    let deps = ChatDeps { db, kv: connect_redis(&file.redis).await?, writer };
    let config = ChatConfig {
        name: file.name,
        advertise_host: file.advertise_host,
        rpc_advertise_host: file.rpc_advertise_host,
        secret: file.secret,
        limits: file.limits,
    };
    imchat_chat::run(tcp, tls, rpc, config, deps, stop.cancelled_owned()).await?;
    Ok(())
}

pub async fn run_res(file: ResFile, stop: CancellationToken) -> anyhow::Result<()> {
    let listener = bind(&file.listen).await?;
    let storage = imchat_res::Storage::open(&file.storage).context("cannot open the file storage")?;
    let (db, kv) = (connect_db(&file.db).await?, connect_redis(&file.redis).await?);
    tracing::info!(addr = %listener.local_addr()?, storage = %storage.describe(), "resource server listening");
    let deps = imchat_res::ResDeps { db, kv, storage, staging_dir: file.staging_dir, secret: file.secret };
    let handle = imchat_res::prepare(deps, file.files).context("cannot prepare the staging directory")?;
    let tls = match &file.tls {
        Some((port, files)) => {
            let host = file.listen.rsplit_once(':').map_or("0.0.0.0", |(host, _)| host);
            Some(imchat_res::TlsListener {
                listener: bind(&format!("{host}:{port}")).await?,
                config: crate::tls::server_config(&files.cert, &files.key, &[])?,
            })
        }
        None => None,
    };
    imchat_res::run(listener, tls, file.limits, handle, stop.cancelled_owned()).await?;
    Ok(())
}

/// Where the embedded suite keeps its state.
#[derive(Debug, Clone)]
pub enum Backends {
    /// SQLite file + in-memory store + mail files: the embedded default.
    Embedded { data_dir: PathBuf },
    /// Any SQL URL + Redis (each role opens its own connections), with explicit mail.
    External { db_url: String, redis_url: String, redis_prefix: String, redis_layout: KeyLayout, mail: MailConfig },
}

/// A running chat server of the suite.
#[derive(Debug)]
pub struct ChatNode {
    pub name: String,
    pub addr: SocketAddr,
    /// The TLS client port's address (`all --tls`).
    pub tls_addr: Option<SocketAddr>,
    pub rpc_addr: SocketAddr,
    stop: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
}

impl ChatNode {
    /// Stops the server at once, with no cleanup (as a crash would).
    pub fn crash(&self) {
        self.task.abort();
    }

    /// Stops the server gracefully.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

/// The whole suite, running.
#[derive(Debug)]
pub struct Suite {
    pub gate: SocketAddr,
    /// Where the TLS certificate is (`all --tls`): the gate speaks HTTPS.
    pub tls_cert: Option<PathBuf>,
    pub verify: SocketAddr,
    pub status: SocketAddr,
    /// The resource port (llfc's file server; see `imchat_res`).
    pub res: SocketAddr,
    /// Its TLS port (`all --tls`).
    pub res_tls: Option<SocketAddr>,
    /// The resource server, for its counters.
    pub res_handle: imchat_res::ResHandle,
    /// Where files live (for the banner).
    pub storage: String,
    pub chats: Vec<ChatNode>,
    /// Where mail goes (a directory of `.eml` files), when mail goes to files.
    pub mail_dir: Option<PathBuf>,
    /// The SQL store, for inspection.
    pub db: Db,
    /// The shared key-value store, when the roles share one (embedded).
    pub kv: Option<Kv>,
    /// The secret internal calls carry (the configured one, or this run's own).
    pub secret: Secret,
    stop: CancellationToken,
    tasks: Vec<JoinHandle<anyhow::Result<()>>>,
}

impl Suite {
    /// Starts every role. Ports of 0 pick free ports (see the returned addresses).
    pub async fn start(file: &AllFile, backends: &Backends) -> anyhow::Result<Suite> {
        let stop = CancellationToken::new();
        let secret = match &file.secret {
            Some(secret) => secret.clone(),
            None => Secret::new(&imchat_store::random_hex(16)).expect("32 hex characters make a secret"),
        };
        // Public listeners on the configured host; internal ones on loopback, always.
        let listen = |port: u16| format!("{}:{port}", file.host);
        let internal = |port: u16| format!("127.0.0.1:{port}");
        let gate_l = bind(&listen(file.gate_port)).await?;
        let verify_l = bind(&internal(file.verify_port)).await?;
        let status_l = bind(&internal(file.status_port)).await?;
        let res_l = bind(&listen(file.res_port)).await?;
        // `--tls`: one certificate (self-signed unless one is there) for the gate and the chat
        // servers' TLS ports.
        let (tls, tls_cert) = match &file.tls_dir {
            Some(dir) => {
                let (cert, key) = crate::tls::self_signed(dir, &crate::tls::hosts_for(&file.advertise_host))?;
                let gate = crate::tls::server_config(&cert, &key, &[b"http/1.1"])?;
                (Some((gate, crate::tls::server_config(&cert, &key, &[])?)), Some(cert))
            }
            None => (None, None),
        };
        let (gate, verify, status) = (gate_l.local_addr()?, verify_l.local_addr()?, status_l.local_addr()?);
        let res = res_l.local_addr()?;

        let (db_url, mail, shared_kv, mail_dir) = match backends {
            Backends::Embedded { data_dir } => {
                private_dir(data_dir)?;
                let mail_dir = data_dir.join("mail");
                let mail = MailConfig::Files { dir: mail_dir.clone(), from: "imchat <no-reply@imchat.invalid>".into() };
                let db_url = embedded_db_url(data_dir);
                (db_url, mail, Some(Kv::memory()), Some(mail_dir))
            }
            Backends::External { db_url, mail, .. } => {
                let dir = match mail {
                    MailConfig::Files { dir, .. } => Some(dir.clone()),
                    MailConfig::Smtp { .. } => None,
                };
                (db_url.clone(), mail.clone(), None, dir)
            }
        };
        let open_kv = async || -> anyhow::Result<Kv> {
            match (&shared_kv, backends) {
                (Some(kv), _) => Ok(kv.clone()),
                (None, Backends::External { redis_url, redis_prefix, redis_layout, .. }) => {
                    let kv = Kv::redis(redis_url).await.context("cannot connect to Redis")?;
                    Ok(kv.with_prefix(redis_prefix).with_layout(*redis_layout))
                }
                (None, Backends::Embedded { .. }) => unreachable!("embedded always shares one store"),
            }
        };
        let options = DbOptions::default();
        let open_db = async || Db::connect(&db_url, &options).await.context("cannot open the database");
        let db = open_db().await?;

        let storage_config = match (&file.storage, backends) {
            (Some(config), _) => config.clone(),
            (None, Backends::Embedded { data_dir }) => imchat_res::StorageConfig::Local { dir: data_dir.join("files") },
            (None, Backends::External { .. }) => anyhow::bail!("the suite on external backends needs [Storage] set"),
        };
        let storage = imchat_res::Storage::open(&storage_config).context("cannot open the file storage")?;
        let staging_dir = match (&file.staging_dir, &storage_config) {
            (Some(dir), _) => dir.clone(),
            (None, imchat_res::StorageConfig::Local { dir }) => dir.join(".staging"),
            (None, imchat_res::StorageConfig::S3(_)) => anyhow::bail!("S3 storage needs [Storage] StagingDir"),
        };
        let storage_name = storage.describe();
        let res_deps =
            imchat_res::ResDeps { db: db.clone(), kv: open_kv().await?, storage, staging_dir, secret: secret.clone() };
        let res_handle = imchat_res::prepare(res_deps, file.files.clone()).context("cannot prepare file staging")?;
        let mut tasks = Vec::new();
        let res_tls = match &tls {
            Some((_, config)) => Some(imchat_res::TlsListener {
                listener: bind(&listen(file.res_tls_port)).await?,
                config: config.clone(),
            }),
            None => None,
        };
        let res_tls_addr = res_tls.as_ref().map(|l| l.listener.local_addr()).transpose()?;
        tasks.push(tokio::spawn(wrap(imchat_res::run(
            res_l,
            res_tls,
            file.res_limits.clone(),
            res_handle.clone(),
            stop.clone().cancelled_owned(),
        ))));
        let verify_role =
            Verify { kv: open_kv().await?, policy: file.codes, mailer: Mailer::new(&mail)?, secret: secret.clone() };
        tasks.push(tokio::spawn(wrap(imchat_verify::run(verify_l, verify_role, stop.clone().cancelled_owned()))));
        let status_role = StatusServer::new(open_kv().await?, file.token_ttl, Vec::new(), secret.clone());
        tasks.push(tokio::spawn(wrap(imchat_status::run(status_l, status_role, stop.clone().cancelled_owned()))));

        // SQLite takes one writer at a time: the embedded chat servers share one message writer
        // with one worker, so their commits queue in order instead of contending for the lock
        // and sleeping in SQLite's busy handler (which showed as p99s of hundreds of ms).
        let embedded_writer =
            shared_kv.is_some().then(|| MessageWriter::spawn(db.clone(), WriterOptions { workers: 1, ..file.writer }));
        let mut chats = Vec::new();
        for (idx, (port, rpc_port)) in file.chat_ports.iter().enumerate() {
            let name = format!("chatserver{}", idx + 1);
            let tcp = bind(&listen(*port)).await?;
            let tls_listener = match &tls {
                Some((_, config)) => Some(TlsListener {
                    listener: bind(&listen(file.chat_tls_ports[idx])).await?,
                    config: config.clone(),
                }),
                None => None,
            };
            let rpc = bind(&internal(*rpc_port)).await?;
            let (addr, rpc_addr) = (tcp.local_addr()?, rpc.local_addr()?);
            let tls_addr = tls_listener.as_ref().map(|l| l.listener.local_addr()).transpose()?;
            let chat_db = if shared_kv.is_some() { db.clone() } else { open_db().await? };
            let writer = match &embedded_writer {
                Some(writer) => writer.clone(),
                None => MessageWriter::spawn(chat_db.clone(), file.writer),
            };
            let deps = ChatDeps { db: chat_db, kv: open_kv().await?, writer };
            let config = ChatConfig {
                name: name.clone(),
                advertise_host: file.advertise_host.clone(),
                rpc_advertise_host: "127.0.0.1".into(),
                secret: secret.clone(),
                limits: file.limits.clone(),
            };
            let node_stop = stop.child_token();
            let task = tokio::spawn(wrap(imchat_chat::run(
                tcp,
                tls_listener,
                rpc,
                config,
                deps,
                node_stop.clone().cancelled_owned(),
            )));
            chats.push(ChatNode { name, addr, tls_addr, rpc_addr, stop: node_stop, task });
        }

        let gate_db = if shared_kv.is_some() { db.clone() } else { open_db().await? };
        let deps = gate_deps(gate_db, open_kv().await?, &verify.to_string(), &status.to_string(), &secret)?;
        let config = GateConfig {
            res_host: file.advertise_host.clone(),
            res_port: res.port(),
            res_tls_port: res_tls_addr.map_or(0, |addr| addr.port()),
            limits: file.rate,
            codes: file.codes,
            edge: EdgeLimits { tls: tls.as_ref().map(|(gate, _)| gate.clone()), ..file.gate_edge.clone() },
        };
        tasks.push(tokio::spawn(wrap(imchat_gate::run(gate_l, config, deps, stop.clone().cancelled_owned()))));
        Ok(Suite {
            gate,
            tls_cert,
            verify,
            status,
            res,
            res_tls: res_tls_addr,
            res_handle,
            storage: storage_name,
            chats,
            mail_dir,
            db,
            kv: shared_kv,
            secret,
            stop,
            tasks,
        })
    }

    /// Stops every role gracefully and waits for them.
    pub async fn shutdown(self) {
        self.stop.cancel();
        for chat in self.chats {
            chat.stop().await;
        }
        for task in self.tasks {
            let _ = task.await;
        }
        self.db.close().await;
    }
}

/// The name of the file `imchat-server all` keeps its run's internal secret in, inside the
/// data directory (where `imctl` looks for it).
pub const SECRET_FILE: &str = "internal-secret";

/// Writes `secret` to `<data_dir>/internal-secret`, readable by its owner only.
pub fn write_secret_file(data_dir: &Path, secret: &Secret) -> anyhow::Result<PathBuf> {
    use std::io::Write;
    let path = data_dir.join(SECRET_FILE);
    let _ = std::fs::remove_file(&path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(file, "{}", secret.expose()).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

async fn wrap<E: Into<anyhow::Error>>(fut: impl Future<Output = Result<(), E>>) -> anyhow::Result<()> {
    fut.await.map_err(Into::into)
}
