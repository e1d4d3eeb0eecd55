//! Per-test isolation on the shared services: a fresh MariaDB database, a private Redis key
//! prefix, and the SMTP sink's address and Maildir. The services themselves are started by
//! `cargo xtask test`; a missing one fails the test with instructions, never skips it.

use std::path::PathBuf;

use imchat_store::{KeyLayout, Kv};
use imchat_verify::{MailConfig, SmtpTls};
use sqlx::Connection;

const HOW_TO_RUN: &str = "run the suite with `cargo xtask test`, which starts MariaDB, Redis and the SMTP sink";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The MariaDB server URL without a database (`IMCHAT_TEST_MYSQL_URL`).
pub fn mysql_base() -> String {
    env_or("IMCHAT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306").trim_end_matches('/').to_owned()
}

/// The `host:port` of [`mysql_base`].
pub fn mysql_addr() -> String {
    let base = mysql_base();
    base.rsplit('@').next().unwrap_or(&base).trim_start_matches("mysql://").to_owned()
}

pub fn redis_url() -> String {
    env_or("IMCHAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
}

/// Creates an empty database of its own and returns its URL.
pub async fn fresh_mysql_db() -> (String, String) {
    sqlx::any::install_default_drivers();
    let base = mysql_base();
    let name = format!("imchat_t_{}", imchat_store::random_hex(6));
    let mut admin = sqlx::AnyConnection::connect(&format!("{base}/test"))
        .await
        .unwrap_or_else(|err| panic!("MariaDB at {base} is not reachable ({err}); {HOW_TO_RUN}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} CHARACTER SET utf8mb4")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let _ = admin.close().await;
    (format!("{base}/{name}"), name)
}

pub async fn drop_mysql_db(name: &str) {
    if let Ok(mut admin) = sqlx::AnyConnection::connect(&format!("{}/test", mysql_base())).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut admin).await;
        let _ = admin.close().await;
    }
}

/// The key layout of production-flavoured clusters: the hash-tagged one, whose scripts a
/// Redis Cluster would run (the sample configs' llfc layout runs in `deployment` and on the
/// store's own tests).
pub const REDIS_LAYOUT: KeyLayout = KeyLayout::Tagged;

/// A Redis handle under a fresh key prefix.
pub async fn fresh_redis() -> (Kv, String) {
    let url = redis_url();
    let prefix = format!("imchat_t_{}:", imchat_store::random_hex(6));
    let kv =
        Kv::redis(&url).await.unwrap_or_else(|err| panic!("Redis at {url} is not reachable ({err}); {HOW_TO_RUN}"));
    let kv = kv.with_prefix(&prefix);
    kv.get("probe").await.unwrap_or_else(|err| panic!("Redis at {url} does not answer ({err}); {HOW_TO_RUN}"));
    (kv, prefix)
}

/// The SMTP sink started by `cargo xtask test`.
#[derive(Debug, Clone)]
pub struct SmtpSink {
    pub host: String,
    pub port: u16,
    pub maildir: PathBuf,
}

impl SmtpSink {
    pub fn from_env() -> SmtpSink {
        let addr = std::env::var("IMCHAT_TEST_SMTP")
            .unwrap_or_else(|_| panic!("IMCHAT_TEST_SMTP is not set (the SMTP sink's host:port); {HOW_TO_RUN}"));
        let maildir = std::env::var("IMCHAT_TEST_MAILDIR")
            .unwrap_or_else(|_| panic!("IMCHAT_TEST_MAILDIR is not set (the sink's Maildir); {HOW_TO_RUN}"));
        let (host, port) = addr.rsplit_once(':').expect("IMCHAT_TEST_SMTP is host:port");
        SmtpSink { host: host.to_owned(), port: port.parse().expect("SMTP port"), maildir: maildir.into() }
    }

    pub fn mail_config(&self) -> MailConfig {
        MailConfig::Smtp {
            host: self.host.clone(),
            port: self.port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "imchat tests <no-reply@imchat.invalid>".into(),
        }
    }
}

/// Everything one production-flavoured test owns on the shared services.
pub struct Isolation {
    pub db_url: String,
    pub db_name: String,
    pub redis_url: String,
    pub redis_prefix: String,
    pub smtp: SmtpSink,
}

impl Isolation {
    pub async fn create() -> Isolation {
        let smtp = SmtpSink::from_env();
        let (db_url, db_name) = fresh_mysql_db().await;
        let (_, redis_prefix) = fresh_redis().await;
        Isolation { db_url, db_name, redis_url: redis_url(), redis_prefix, smtp }
    }

    pub async fn kv(&self) -> Kv {
        Kv::redis(&self.redis_url).await.expect("redis").with_prefix(&self.redis_prefix).with_layout(REDIS_LAYOUT)
    }

    /// Drops the database and every key under the prefix.
    pub async fn drop_all(self) {
        drop_mysql_db(&self.db_name).await;
        let kv = self.kv().await;
        if let Ok(entries) = kv.scan_prefix("").await {
            let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
            let _ = kv.del(&keys).await;
        }
        let _ = imchat_store::registry::clear(&kv).await;
    }
}

/// A Redis of one test's own, on its own port and data dir, for tests that restart it (never
/// the shared one other tests use). Killed when dropped.
pub struct PrivateRedis {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

impl PrivateRedis {
    pub async fn start() -> PrivateRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut redis = PrivateRedis { port, dir: tempfile::tempdir().unwrap(), child: None };
        redis.spawn().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    async fn spawn(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("redis-server cannot start ({err}); {HOW_TO_RUN}"));
        self.child = Some(child);
        let addr = format!("127.0.0.1:{}", self.port);
        crate::wait_for("the private Redis to answer", || async {
            tokio::net::TcpStream::connect(&addr).await.ok().map(drop)
        })
        .await;
    }

    /// Empties it (`FLUSHALL`) while it keeps running: its clients' connections stay up, so
    /// nothing tells them their keys are gone.
    pub async fn flush(&self) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        conn.write_all(b"*1\r\n$8\r\nFLUSHALL\r\n").await.unwrap();
        let mut reply = [0u8; 5];
        conn.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"+OK\r\n");
    }

    /// Kills it (as a crash would) and starts an empty one on the same port.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    /// Kills it, as a crash would; [`PrivateRedis::start_again`] brings an empty one back.
    pub fn stop(&mut self) {
        self.kill();
    }

    pub async fn start_again(&mut self) {
        self.spawn().await;
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A TCP proxy to a shared service that a test can cut (every connection closed, new ones
/// refused) and restore on the same port: an outage of that service as its clients see it,
/// without stopping the service other tests use.
pub struct CuttableProxy {
    pub port: u16,
    target: String,
    cut: tokio::sync::watch::Sender<bool>,
}

impl CuttableProxy {
    pub async fn start(target: &str) -> CuttableProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, _) = tokio::sync::watch::channel(false);
        let proxy = CuttableProxy { port, target: target.to_owned(), cut };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let (target, mut cut) = (self.target.clone(), self.cut.subscribe());
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = cut.wait_for(|cut| *cut) => return,
                };
                let Ok((mut client, _)) = accepted else { continue };
                let (target, mut cut) = (target.clone(), cut.clone());
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(&target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
    }

    /// Closes every connection and refuses new ones.
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// Accepts again, on the same port.
    pub async fn restore(&self) {
        self.cut.send_replace(false);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.expect("the proxy's port is free");
        self.serve(listener);
    }
}

/// A bucket of its own on the run's S3-compatible server (`IMCHAT_TEST_S3`, moto's server
/// started by `cargo xtask test`).
pub struct S3Server {
    endpoint: String,
    pub bucket: String,
}

impl S3Server {
    /// Makes a fresh bucket (moto takes an unsigned `PUT /<bucket>`).
    pub async fn start() -> S3Server {
        let endpoint = std::env::var("IMCHAT_TEST_S3")
            .unwrap_or_else(|_| panic!("IMCHAT_TEST_S3 is not set (the S3-compatible server's URL); {HOW_TO_RUN}"));
        let bucket = format!("imchat-{}", imchat_store::random_hex(6));
        let server = S3Server { endpoint, bucket };
        let (status, body) = server.http("PUT", &format!("/{}", server.bucket)).await;
        assert_eq!(status, 200, "bucket not created: {body}");
        server
    }

    /// The resource server's configuration for this bucket.
    pub fn config(&self) -> imchat_res::S3Config {
        imchat_res::S3Config {
            endpoint: self.endpoint.clone(),
            bucket: self.bucket.clone(),
            region: "us-east-1".into(),
            access_key: "testing".into(),
            secret_key: "testing".into(),
            prefix: "files".into(),
            allow_http: true,
        }
    }

    /// Every key in the bucket.
    pub async fn list(&self) -> Vec<String> {
        let (status, body) = self.http("GET", &format!("/{}?list-type=2", self.bucket)).await;
        assert_eq!(status, 200, "{body}");
        body.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>"))
            .map(|(key, _)| key.to_owned())
            .collect()
    }

    async fn http(&self, method: &str, path: &str) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = self.endpoint.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = tokio::net::TcpStream::connect(host).await.expect("the S3 server listens");
        let request =
            format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).await.unwrap();
        let text = String::from_utf8_lossy(&reply).into_owned();
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, text)
    }
}
