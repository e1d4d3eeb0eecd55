//! `cargo xtask test`, the project's one test command: bring up MariaDB, Redis
//! and an SMTP sink, check formatting and clippy, then run every workspace test
//! against those services. CI runs exactly this, so a green local run means a
//! green CI run.

use std::env;
use std::ffi::OsString;
use std::process::Command;

use crate::s3::S3Server;
use crate::services;
use crate::smtp::SmtpSink;
use crate::util::{Result, cmd, exit_code, step, succeeds};

/// What `cargo xtask test` was asked to do.
pub struct Options {
    /// Run `cargo fmt --check` and clippy before the tests (off with `--no-lint`).
    pub lint: bool,
    /// Everything after `--`, passed on to `cargo nextest run` / `cargo test`.
    pub test_args: Vec<OsString>,
}

/// The cargo that started us (`$CARGO`), so nested runs use the same toolchain.
fn cargo() -> Command {
    cmd(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs one cargo step; a non-zero exit becomes an error carrying `fix`.
fn cargo_step(what: &str, args: &[&str], fix: &str) -> Result<()> {
    step(what, || {
        let code = exit_code(cargo().args(args))?;
        if code == 0 { Ok(()) } else { Err(format!("{what} failed (exit code {code}); {fix}")) }
    })
}

/// Runs the whole pipeline and returns the tests' exit code. The SMTP sink is
/// dropped (killed, Maildir removed) before this returns, whatever happened.
pub fn run(opts: &Options) -> Result<i32> {
    step("ensuring MariaDB on 127.0.0.1:3306", services::ensure_mariadb)?;
    step("ensuring Redis on 127.0.0.1:6379", services::ensure_redis)?;
    step("ensuring tmux", services::ensure_tmux)?;
    let sink = step("starting the SMTP sink", SmtpSink::start)?;
    let s3 = step("starting the S3-compatible server", S3Server::start)?;
    step("dropping leftover test databases", services::drop_test_databases)?;

    if opts.lint {
        cargo_step("cargo fmt --check", &["fmt", "--all", "--", "--check"], "run `cargo fmt --all` to fix formatting")?;
        cargo_step(
            "cargo clippy",
            &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
            "fix the warnings above",
        )?;
    } else {
        eprintln!("xtask: --no-lint: skipping cargo fmt and clippy");
    }

    // The deployment test runs the real `imchat-server` binary, which `cargo test` of the
    // test crate does not build by itself.
    cargo_step("cargo build --bins", &["build", "--workspace", "--bins"], "fix the build errors above")?;

    let nextest = succeeds(cargo().args(["nextest", "--version"]));
    let mut tests = cargo();
    if nextest {
        tests.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
    } else {
        tests.args(["test", "--workspace", "--no-fail-fast"]);
    }
    tests
        .args(&opts.test_args)
        .env("IMCHAT_TEST_MYSQL_URL", services::MYSQL_URL)
        .env("IMCHAT_TEST_REDIS_URL", services::REDIS_URL)
        .env("IMCHAT_TEST_SMTP", sink.addr.to_string())
        .env("IMCHAT_TEST_MAILDIR", &sink.maildir)
        .env("IMCHAT_TEST_S3", format!("http://{}", s3.addr))
        .env("IMCHAT_TEST_SERVICES", "1");
    let what = if nextest { "cargo nextest run" } else { "cargo test (cargo-nextest not installed)" };
    let code = step(what, || exit_code(&mut tests))?;

    drop(sink);
    drop(s3);
    if code == 0 {
        eprintln!("xtask: all tests passed");
    } else {
        eprintln!("xtask: tests FAILED (exit code {code})");
    }
    Ok(code)
}
