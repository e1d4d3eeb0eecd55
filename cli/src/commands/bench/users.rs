//! Bench users, created through the normal path: a mailed code (read from the mail files of
//! the embedded default, `--mail-dir`), registration, HTTP login; or, for large counts,
//! accounts made by `imchat-server seed`, logged in over HTTP many at a time. Gate rate limits
//! are waited out, not treated as failures.

use std::path::Path;
use std::time::Duration;

use imchat_sdk::proto::ErrorCode;
use imchat_sdk::proto::http::RegisterReq;
use imchat_sdk::{GateClient, SdkError};

use crate::errors::{CliError, Target, from_sdk};

/// A registered, HTTP-logged-in bench user.
#[derive(Debug, Clone)]
pub struct BenchUser {
    pub uid: i32,
    pub token: String,
    pub email: String,
    pub password: String,
    /// The resource server the login named (`reshost:resport`), if any.
    pub res: Option<imchat_sdk::files::ResPlace>,
}

/// Pause before retrying a rate-limited request.
const RATE_LIMIT_PAUSE: Duration = Duration::from_millis(250);
/// How long a verification mail may take to appear in the mail directory.
const MAIL_WAIT: Duration = Duration::from_secs(10);

/// Retries `call` while the gate answers "too many requests".
async fn patiently<T, F, Fut>(gate: &GateClient, mut call: F) -> Result<T, CliError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError>>,
{
    loop {
        match call().await {
            Err(err) if err.code() == Some(ErrorCode::TooManyRequests) => tokio::time::sleep(RATE_LIMIT_PAUSE).await,
            other => return other.map_err(|err| from_sdk(err, Target::Gate(gate.base()))),
        }
    }
}

/// The code in the newest `.eml` file addressed to `email`.
fn code_in_mail_dir(dir: &Path, email: &str) -> Option<String> {
    let mut newest: Option<(std::time::SystemTime, String)> = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        let to_us = text.lines().any(|l| l.to_ascii_lowercase().starts_with("to:") && l.contains(email));
        let modified = entry.metadata().and_then(|m| m.modified()).ok()?;
        if to_us && newest.as_ref().is_none_or(|(at, _)| modified > *at) {
            newest = Some((modified, text));
        }
    }
    let text = newest?.1;
    let rest = &text[text.find("code is ")? + "code is ".len()..];
    Some(rest.chars().take_while(char::is_ascii_digit).collect())
}

/// Registers and logs in `count` users named `<run>_<n>`.
pub async fn create(
    gate: &GateClient,
    mail_dir: &Path,
    run: &str,
    count: usize,
    bar: &indicatif::ProgressBar,
) -> Result<Vec<BenchUser>, CliError> {
    let password = format!("bench-{run}");
    let mut users = Vec::with_capacity(count);
    for n in 0..count {
        let (name, email) = (format!("{run}_{n}"), format!("{run}.{n}@bench.invalid"));
        patiently(gate, || gate.request_code(&email)).await?;
        let deadline = tokio::time::Instant::now() + MAIL_WAIT;
        let code = loop {
            if let Some(code) = code_in_mail_dir(mail_dir, &email) {
                break code;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(CliError::not_found(format!(
                    "no verification mail for {email} in {} (bench reads the embedded default's mail files: set --mail-dir)",
                    mail_dir.display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let req = RegisterReq {
            email: email.clone(),
            user: name,
            passwd: password.clone(),
            confirm: password.clone(),
            varifycode: code,
            icon: String::new(),
        };
        let uid = patiently(gate, || gate.register(&req)).await?.uid;
        let login = patiently(gate, || gate.login(&email, &password)).await?;
        let res = gate.res_place(&login).map_err(|err| from_sdk(err, Target::Gate(gate.base())))?;
        users.push(BenchUser { uid, token: login.token, email, password: password.clone(), res });
        bar.inc(1);
    }
    Ok(users)
}

/// Seeded accounts logged in at once (each login is an HTTP request and a status-server call).
const SEEDED_LOGINS_IN_FLIGHT: usize = 64;

/// Logs in seeded accounts `<prefix>_<n>` for `n` in `range` (made by `imchat-server seed`;
/// password from `IMCHAT_BENCH_PASSWORD`).
pub async fn seeded(
    gate: &GateClient,
    prefix: &str,
    range: std::ops::Range<usize>,
    bar: &indicatif::ProgressBar,
) -> Result<Vec<BenchUser>, CliError> {
    let password = std::env::var("IMCHAT_BENCH_PASSWORD")
        .map_err(|_| CliError::usage("--seeded needs the seeded accounts' password in IMCHAT_BENCH_PASSWORD"))?;
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(SEEDED_LOGINS_IN_FLIGHT));
    let mut logins = Vec::with_capacity(range.len());
    for n in range {
        let (gate, password, slots, bar) = (gate.clone(), password.clone(), slots.clone(), bar.clone());
        let email = format!("{prefix}.{n}@bench.invalid");
        logins.push(tokio::spawn(async move {
            let _slot = slots.acquire_owned().await.expect("never closed");
            let login = patiently(&gate, || gate.login(&email, &password)).await?;
            bar.inc(1);
            let res = gate.res_place(&login).map_err(|err| from_sdk(err, Target::Gate(gate.base())))?;
            Ok::<_, CliError>(BenchUser { uid: login.uid, token: login.token, email, password, res })
        }));
    }
    let mut users = Vec::with_capacity(logins.len());
    for login in logins {
        let user = login.await.map_err(|err| CliError::new(crate::errors::ErrorKind::Internal, err.to_string()))??;
        users.push(user);
    }
    Ok(users)
}
