//! The end-to-end harness: starts the whole imchat suite in-process on either backend set
//! and drives it through the SDK, the way a client would.
//!
//! - [`Flavor::Embedded`]: SQLite in a temp dir, the in-memory store, mail as `.eml` files.
//! - [`Flavor::Production`]: a fresh MariaDB database, a private Redis key prefix, and mail
//!   over SMTP to a real sink (aiosmtpd, started by `cargo xtask test`). Each role opens its
//!   own connections, as separate processes would.
//!
//! Nothing here sleeps for a fixed time: waits poll a condition until a deadline.

pub mod llfc;
pub mod mail;
pub mod services;
pub mod tmux;

use std::future::Future;
use std::time::Duration;

use imchat_proto::http::RegisterReq;
use imchat_sdk::proto::msg::LoginRsp;
use imchat_sdk::{ChatClient, Event, GateClient};
use imchat_server::cluster::{Backends, Suite};
use imchat_server::config::{self, AllFile};
use tokio::sync::mpsc;

pub use mail::Mail;

/// Which backends a test cluster runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Embedded,
    Production,
}

/// How long a test waits for something that should happen promptly.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// Polls `check` until it returns `Some`, or panics with `what` after [`DEADLINE`].
pub async fn wait_for<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The path of a workspace binary (`imctl`, `imchat-tui`, `imchat-server`) next to the
/// running test; `cargo xtask test` builds them first.
pub fn binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    let bin = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps").join(name);
    assert!(bin.exists(), "{} is missing: build the workspace (cargo xtask test does)", bin.display());
    bin
}

/// Server logs go to the test output when `IMCHAT_TEST_LOG` holds a filter (e.g. `debug`).
pub fn init_logging() {
    if let Ok(filter) = std::env::var("IMCHAT_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
}

/// Settings every test cluster uses: ephemeral ports, fast registry heartbeats (so a crashed
/// server drops out within a second), and rate limits loose enough for one test process.
pub fn test_file() -> AllFile {
    let mut file = config::parse("(tests)", "", Default::default(), config::read_all).expect("defaults parse");
    file.gate_port = 0;
    file.verify_port = 0;
    file.status_port = 0;
    file.res_port = 0;
    file.chat_ports = [(0, 0), (0, 0)];
    file.limits.registry_interval = Duration::from_millis(100);
    file.limits.registry_ttl = Duration::from_millis(800);
    file.rate.per_ip_per_sec = 10_000;
    file.rate.per_ip_burst = 10_000;
    file.rate.per_email_per_min = 1_000;
    file.rate.per_email_burst = 1_000;
    // Every test client is 127.0.0.1, and a test may open many at once.
    file.gate_edge.max_connections_per_ip = 1_000;
    file.limits.max_connections_per_ip = 10_000;
    file.res_limits.max_connections_per_ip = 10_000;
    // Load tests send hundreds of texts per user per second.
    file.limits.messages_per_sec = 0;
    file
}

/// A running suite plus what a test needs to talk to it.
pub struct TestCluster {
    pub suite: Suite,
    pub gate: GateClient,
    pub mail: Mail,
    pub flavor: Flavor,
    services: Option<services::Isolation>,
    _dir: tempfile::TempDir,
}

/// A registered account.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub uid: i32,
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Two friends, logged in on different chat servers.
pub struct Friends {
    pub alice: TestUser,
    pub bob: TestUser,
    pub a: Client,
    pub b: Client,
    pub thread_id: i64,
}

/// A logged-in chat connection.
pub struct Client {
    pub chat: ChatClient,
    pub events: mpsc::Receiver<Event>,
    pub login: LoginRsp,
    pub uid: i32,
}

impl Client {
    /// The next event, or a panic after [`DEADLINE`].
    pub async fn next_event(&mut self) -> Event {
        match tokio::time::timeout(DEADLINE, self.events.recv()).await {
            Ok(Some(event)) => event,
            Ok(None) => Event::Closed,
            Err(_) => panic!("uid {}: no event within {DEADLINE:?}", self.uid),
        }
    }
}

impl TestCluster {
    pub async fn start(flavor: Flavor) -> TestCluster {
        TestCluster::start_with(flavor, |_| {}).await
    }

    /// A production-flavoured cluster whose key-value store is the Redis at `redis_url` (a
    /// [`services::PrivateRedis`] the test may restart).
    pub async fn start_on_redis(redis_url: &str) -> TestCluster {
        TestCluster::start_on_redis_with(redis_url, |_| {}).await
    }

    /// [`TestCluster::start_on_redis`] after `tweak` adjusts the settings.
    pub async fn start_on_redis_with(redis_url: &str, tweak: impl FnOnce(&mut AllFile)) -> TestCluster {
        TestCluster::start_inner(Flavor::Production, |isolation| isolation.redis_url = redis_url.to_owned(), tweak)
            .await
    }

    /// A production-flavoured cluster whose MariaDB connections go through `proxy` (which the
    /// test may cut).
    pub async fn start_via_db_proxy(proxy: &services::CuttableProxy) -> TestCluster {
        let (direct, via) = (services::mysql_addr(), format!("127.0.0.1:{}", proxy.port));
        TestCluster::start_inner(
            Flavor::Production,
            |isolation| isolation.db_url = isolation.db_url.replacen(&direct, &via, 1),
            |_| {},
        )
        .await
    }

    /// Starts a cluster after `tweak` adjusts the settings.
    pub async fn start_with(flavor: Flavor, tweak: impl FnOnce(&mut AllFile)) -> TestCluster {
        TestCluster::start_inner(flavor, |_| {}, tweak).await
    }

    async fn start_inner(
        flavor: Flavor,
        edit: impl FnOnce(&mut services::Isolation),
        tweak: impl FnOnce(&mut AllFile),
    ) -> TestCluster {
        init_logging();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut file = test_file();
        if flavor == Flavor::Production {
            // The embedded flavor keeps files in its data directory; this one is told.
            file.storage = Some(imchat_res::StorageConfig::Local { dir: dir.path().join("files") });
        }
        tweak(&mut file);
        let (backends, mail, services) = match flavor {
            Flavor::Embedded => {
                let backends = Backends::Embedded { data_dir: dir.path().to_path_buf() };
                (backends, Mail::Files(dir.path().join("mail")), None)
            }
            Flavor::Production => {
                let mut isolation = services::Isolation::create().await;
                edit(&mut isolation);
                let backends = Backends::External {
                    db_url: isolation.db_url.clone(),
                    redis_url: isolation.redis_url.clone(),
                    redis_prefix: isolation.redis_prefix.clone(),
                    redis_layout: services::REDIS_LAYOUT,
                    mail: isolation.smtp.mail_config(),
                };
                (backends, Mail::Maildir(isolation.smtp.maildir.clone()), Some(isolation))
            }
        };
        let suite = Suite::start(&file, &backends).await.expect("suite starts");
        let gate = match &suite.tls_cert {
            Some(cert) => {
                let tls = imchat_sdk::tls::ClientTls::new(Some(cert)).expect("the suite's certificate");
                GateClient::with_tls(&format!("https://localhost:{}", suite.gate.port()), &tls).expect("gate client")
            }
            None => GateClient::new(&format!("http://{}", suite.gate)).expect("gate client"),
        };
        let cluster = TestCluster { suite, gate, mail, flavor, services, _dir: dir };
        // Both chat servers are in the registry before any test logs in.
        wait_for("both chat servers to register", || async {
            let live = imchat_store::registry::live(&cluster.kv().await).await.ok()?;
            (live.len() == 2).then_some(())
        })
        .await;
        cluster
    }

    /// Where the embedded flavor keeps its database and mail.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// A key-value handle onto the cluster's store (for inspection).
    pub async fn kv(&self) -> imchat_store::Kv {
        match &self.services {
            Some(isolation) => isolation.kv().await,
            None => self.suite.kv.clone().expect("embedded suites share their store"),
        }
    }

    /// The gate's URL (`https://localhost:…` when the suite runs TLS).
    pub fn gate_url(&self) -> String {
        self.gate.base().to_owned()
    }

    /// The status server's admin API, with the cluster's internal secret.
    pub async fn admin(&self) -> imchat_proto::grpc::admin_service_client::AdminServiceClient<imchat_rpc::Authed> {
        let channel = imchat_rpc::endpoint(&self.suite.status.to_string()).expect("an address").connect_lazy();
        imchat_proto::grpc::admin_service_client::AdminServiceClient::new(imchat_rpc::authed(
            channel,
            &self.suite.secret,
        ))
    }

    /// The cluster's internal secret, for processes started against it (`imctl`).
    pub fn secret(&self) -> &str {
        self.suite.secret.expose()
    }

    /// Registers `name`/`email` in the imchat-tui running in `t` (its register screen, the
    /// code from the cluster's mail) and logs in with password `pass-123`.
    pub async fn register_in_tui(&self, t: &tmux::Tmux, name: &str, email: &str) {
        t.keys(&["F2"]);
        t.wait_for("create an account").await;
        for (idx, text) in [name, email, "pass-123", "pass-123"].iter().enumerate() {
            t.type_text(text);
            if idx < 3 {
                t.keys(&["Tab"]);
            }
        }
        t.keys(&["C-s"]);
        t.wait_for("send code (again in").await;
        let code = self.mail.code_for(email).await;
        t.keys(&["Tab"]);
        t.type_text(&code);
        t.keys(&["Enter"]);
        t.wait_for("registered as uid").await;
        t.type_text("pass-123");
        t.keys(&["Enter"]);
        t.wait_for("● online").await;
    }

    /// Announces a chat server named `name` that nobody answers for (its peer port is
    /// closed), live for a minute: a route pointed at it loses the pushes sent that way.
    pub async fn announce_dead_peer(&self, name: &str) {
        let entry = imchat_store::registry::ChatServerEntry {
            name: name.into(),
            host: "127.0.0.1".into(),
            port: 1,
            rpc_addr: "127.0.0.1:1".into(),
            connections: i64::MAX,
            heartbeat_ms: imchat_store::now_ms(),
            ..Default::default()
        };
        imchat_store::registry::announce(&self.kv().await, &entry, Duration::from_secs(60)).await.unwrap();
    }

    /// The cluster's presence (tokens, routes, sessions), for inspection and detours.
    pub async fn presence(&self) -> imchat_store::presence::Presence {
        imchat_store::presence::Presence::new(self.kv().await)
    }

    /// Registers a new user whose name and email derive from `name`.
    pub async fn register(&self, name: &str) -> TestUser {
        self.register_with_icon(name, ":/res/head_1.jpg").await
    }

    /// [`TestCluster::register`] with `icon` as the avatar ("" lets the gate pick one).
    pub async fn register_with_icon(&self, name: &str, icon: &str) -> TestUser {
        let tag = imchat_store::random_hex(4);
        let email = format!("{name}.{tag}@example.com");
        let name = format!("{name}_{tag}");
        let password = format!("pw-{tag}-secret");
        self.gate.request_code(&email).await.expect("code requested");
        let code = self.mail.code_for(&email).await;
        let rsp = self
            .gate
            .register(&RegisterReq {
                email: email.clone(),
                user: name.clone(),
                passwd: password.clone(),
                confirm: password.clone(),
                varifycode: code,
                icon: icon.into(),
            })
            .await
            .expect("registered");
        TestUser { uid: rsp.uid, name, email, password }
    }

    /// Logs in over HTTP and opens a chat session on chat server `idx` (0 or 1).
    pub async fn login_on(&self, user: &TestUser, idx: usize) -> Client {
        let http = self.gate.login(&user.email, &user.password).await.expect("http login");
        let addr = self.suite.chats[idx].addr.to_string();
        let (chat, events) = ChatClient::connect(&addr).await.expect("chat connect");
        let login = chat.login(http.uid, &http.token).await.expect("chat login");
        Client { chat, events, login, uid: http.uid }
    }

    /// [`TestCluster::login_on`] as `device` (each device keeps a session of its own; the
    /// default per-kind policy keeps one per kind).
    pub async fn login_device(&self, user: &TestUser, idx: usize, device: &imchat_sdk::Device) -> Client {
        let http = self.gate.login(&user.email, &user.password).await.expect("http login");
        let addr = self.suite.chats[idx].addr.to_string();
        let (chat, events) = ChatClient::connect(&addr).await.expect("chat connect");
        let login = chat.login_as(http.uid, &http.token, device).await.expect("chat login");
        Client { chat, events, login, uid: http.uid }
    }

    /// Registers alice and bob, logs them in on different chat servers (alice on 0, bob on 1)
    /// and makes them friends (alice asked, bob accepted).
    pub async fn friends(&self) -> Friends {
        let (alice, bob) = (self.register("alice").await, self.register("bob").await);
        let mut a = self.login_on(&alice, 0).await;
        let mut b = self.login_on(&bob, 1).await;
        a.chat.add_friend(a.uid, b.uid, "hi, it's alice", "Bob").await.expect("apply");
        assert!(matches!(b.next_event().await, Event::FriendRequest(_)));
        let accepted = b.chat.accept_friend(b.uid, a.uid, "Alice").await.expect("accept");
        let thread_id = accepted.chat_datas[0].thread_id;
        assert!(matches!(a.next_event().await, Event::FriendAccepted(_)));
        Friends { alice, bob, a, b, thread_id }
    }

    pub async fn shutdown(self) {
        self.suite.shutdown().await;
        if let Some(isolation) = self.services {
            isolation.drop_all().await;
        }
    }
}
