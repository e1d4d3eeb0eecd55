//! The gate under bad and hostile HTTP input, and the verification-code rules.

use imchat_proto::ErrorCode;
use imchat_proto::credential::llfc_form;
use imchat_tests::{Flavor, TestCluster};
use serde_json::{Value, json};

struct Http {
    base: String,
    client: reqwest::Client,
}

impl Http {
    fn new(cluster: &TestCluster) -> Http {
        // A connection per request: the gate closes one after a refusal like 413, and reusing
        // it would race that close.
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
        Http { base: format!("http://{}", cluster.suite.gate), client }
    }

    /// POSTs raw bytes; returns the HTTP status and the body text.
    async fn post_raw(&self, route: &str, body: Vec<u8>) -> (u16, String) {
        let rsp = self.client.post(format!("{}{route}", self.base)).body(body).send().await.unwrap();
        (rsp.status().as_u16(), rsp.text().await.unwrap())
    }

    /// POSTs JSON and returns the reply's `error`.
    async fn error(&self, route: &str, body: Value) -> i64 {
        let (status, text) = self.post_raw(route, body.to_string().into_bytes()).await;
        assert_eq!(status, 200, "{route} {body}: {text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        value["error"].as_i64().unwrap()
    }
}

#[track_caller]
fn code(error: i64, want: ErrorCode) {
    assert_eq!(error, i64::from(want.code()), "want {want}");
}

both!(bad_bodies_get_llfc_errors);
async fn bad_bodies_get_llfc_errors(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let http = Http::new(&cluster);
    for (route, body) in [
        ("/get_varifycode", b"not json".to_vec()),
        ("/get_varifycode", br#"{"email": 5}"#.to_vec()),
        ("/user_register", br#"{"email": "a@b.co"}"#.to_vec()),
        ("/user_login", b"".to_vec()),
        ("/user_login", vec![0xff, 0xfe]),
        ("/reset_pwd", b"[]".to_vec()),
    ] {
        let (status, text) = http.post_raw(route, body).await;
        assert_eq!(status, 200, "{route}");
        let value: Value = serde_json::from_str(&text).unwrap();
        code(value["error"].as_i64().unwrap(), ErrorCode::Json);
    }
    let (status, _) = http.post_raw("/user_login", vec![b' '; 20 * 1024]).await;
    assert_eq!(status, 413, "oversized bodies are refused before parsing");
    let (status, text) = http.post_raw("/no_such_route", b"{}".to_vec()).await;
    assert_eq!((status, text.as_str()), (404, "url not found\r\n"));
    let rsp = reqwest::get(format!("{}/user_login", http.base)).await.unwrap();
    assert_eq!(rsp.status().as_u16(), 405, "wrong methods are answered, not left hanging");
    let health = reqwest::get(format!("{}/healthz", http.base)).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);

    code(http.error("/get_varifycode", json!({"email": "not-an-email"})).await, ErrorCode::InvalidArgument);
    // E-mail bombing (llfc-wire.md §10): an address a mailer would read as someone else's.
    for sneaky in ["1<victim@example.com>", "Victim <victim@example.com>", "a@example.com, victim@example.com"] {
        code(http.error("/get_varifycode", json!({"email": sneaky})).await, ErrorCode::InvalidArgument);
    }
    code(
        http.error("/user_login", json!({"email": "nobody@example.com", "passwd": "whatever1"})).await,
        ErrorCode::PasswdInvalid,
    );
    let metrics = reqwest::get(format!("{}/metrics", http.base)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("imchat_gate_requests_total{route=\"user_login\"}"), "{metrics}");
    cluster.shutdown().await;
}

both!(codes_and_registration_rules);
async fn codes_and_registration_rules(flavor: Flavor) {
    let cluster = TestCluster::start(flavor).await;
    let http = Http::new(&cluster);
    let email = format!("rules.{}@example.com", imchat_store::random_hex(4));
    let name = format!("rules_{}", imchat_store::random_hex(4));
    let register = |code: &str, name: &str, passwd: &str, confirm: &str| json!({"email": email, "user": name, "passwd": passwd, "confirm": confirm, "varifycode": code, "icon": ""});
    code(http.error("/user_register", register("123456", &name, "secret1", "secret1")).await, ErrorCode::VarifyExpired);
    code(http.error("/user_register", register("123456", &name, "secret1", "secret2")).await, ErrorCode::PasswdErr);
    code(http.error("/user_register", register("123456", &name, "short", "short")).await, ErrorCode::WeakPassword);
    code(
        http.error("/user_register", register("123456", "4242", "secret1", "secret1")).await,
        ErrorCode::InvalidArgument,
    );

    code(http.error("/get_varifycode", json!({"email": email})).await, ErrorCode::Success);
    code(http.error("/get_varifycode", json!({"email": email})).await, ErrorCode::TooManyRequests);
    let sent = cluster.mail.code_for(&email).await;
    assert_eq!(cluster.mail.count_for(&email), 1, "a resend inside the cooldown sends nothing");
    let wrong = if sent == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        code(
            http.error("/user_register", register(wrong, &name, "secret1", "secret1")).await,
            ErrorCode::VarifyCodeErr,
        );
    }
    code(http.error("/user_register", register(&sent, &name, "secret1", "secret1")).await, ErrorCode::VarifyExpired);
    cluster.shutdown().await;
}

both!(registration_is_single_use_and_reset_works);
async fn registration_is_single_use_and_reset_works(flavor: Flavor) {
    let cluster =
        TestCluster::start_with(flavor, |file| file.codes.cooldown = std::time::Duration::from_millis(200)).await;
    let http = Http::new(&cluster);
    let user = cluster.register("dora").await;
    let (status, text) = http
        .post_raw(
            "/user_login",
            json!({"email": user.email.to_uppercase(), "passwd": llfc_form(&user.password)}).to_string().into_bytes(),
        )
        .await;
    assert_eq!(status, 200);
    let login: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(login["error"], 0, "emails are case-insensitive: {login}");
    for key in ["host", "port", "chathost", "chatport", "reshost", "resport"] {
        assert!(login[key].is_string(), "{key} is a string: {login}");
    }

    // The code was spent by the registration; without one, nothing says the address or the
    // name is taken (no enumeration).
    let again = json!({"email": user.email, "user": "dora2", "passwd": "secret1", "confirm": "secret1", "varifycode": "000000"});
    code(http.error("/user_register", again).await, ErrorCode::VarifyExpired);

    // Reset: without a code nothing says whether the name belongs to the address.
    let reset =
        |code: &str, name: &str| json!({"email": user.email, "user": name, "passwd": "new-secret", "varifycode": code});
    code(http.error("/reset_pwd", reset("000000", "someone-else")).await, ErrorCode::VarifyExpired);
    // The registration's cooldown must pass before another code is sent.
    imchat_tests::wait_for("the code cooldown", || {
        let http = &http;
        let email = user.email.clone();
        async move { (http.error("/get_varifycode", json!({"email": email})).await == 0).then_some(()) }
    })
    .await;
    let fresh = cluster.mail.code_for(&user.email).await;
    code(http.error("/reset_pwd", reset(&fresh, &user.name)).await, ErrorCode::Success);
    code(
        http.error("/user_login", json!({"email": user.email, "passwd": llfc_form(&user.password)})).await,
        ErrorCode::PasswdInvalid,
    );
    code(http.error("/user_login", json!({"email": user.email, "passwd": "new-secret"})).await, ErrorCode::Success);
    cluster.shutdown().await;
}
