//! `cargo xtask`: imchat's project automation, written in plain std-only Rust so
//! it builds in seconds and runs wherever cargo does. This file only parses the
//! command line and dispatches; the work lives in the modules below.

mod s3;
mod services;
mod smtp;
mod test;
mod util;

use std::env;
use std::ffi::OsString;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  test [--no-lint] [-- <args>]
        Ensure MariaDB (127.0.0.1:3306) and Redis (127.0.0.1:6379) are running
        and tmux is installed, installing/starting them if needed (apt, Debian),
        start an SMTP sink,
        then run `cargo fmt --check`, clippy and all workspace tests.
        --no-lint   skip cargo fmt and clippy
        <args>      passed to `cargo nextest run` (or `cargo test` without nextest)
  codegen
        Regenerate the committed man pages (man/) and shell completions
        (completions/) from the clap definitions.
  services
        Only ensure MariaDB and Redis, then print their env vars:
          eval \"$(cargo xtask services)\"
  help
        Show this message.
";

/// The error, on stderr, and a failing exit code.
fn fail(message: &str) -> ExitCode {
    eprintln!("xtask: error: {message}");
    ExitCode::FAILURE
}

/// A usage mistake: say what was wrong, show usage, exit 2.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("xtask: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn parse_test_options(args: &[OsString]) -> Result<test::Options, String> {
    let mut opts = test::Options { lint: true, test_args: Vec::new() };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.to_str() {
            Some("--no-lint") => opts.lint = false,
            Some("--") => {
                opts.test_args = rest.cloned().collect();
                break;
            }
            _ => {
                return Err(format!(
                    "unknown option `{}` for `test` (put test arguments after `--`)",
                    arg.to_string_lossy()
                ));
            }
        }
    }
    Ok(opts)
}

fn main() -> ExitCode {
    let args: Vec<OsString> = env::args_os().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    };
    match command.to_str() {
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some("test") => {
            if rest.iter().any(|a| a == "-h" || a == "--help") {
                print!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            let opts = match parse_test_options(rest) {
                Ok(opts) => opts,
                Err(e) => return usage_error(&e),
            };
            match test::run(&opts) {
                Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
                Err(e) => fail(&e),
            }
        }
        Some("codegen") => {
            if let Some(extra) = rest.first() {
                return usage_error(&format!("unexpected argument `{}` for `codegen`", extra.to_string_lossy()));
            }
            // The generator is the staleness test itself, run in "bless" mode: one definition
            // of what the files contain.
            let mut bless = util::cmd(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
            bless
                .args(["test", "--quiet", "-p", "imchat-tests", "--test", "e2e", "--", "codegen"])
                .env("IMCHAT_BLESS", "1");
            match util::step("regenerating man pages and completions", || util::exit_code(&mut bless)) {
                Ok(0) => ExitCode::SUCCESS,
                Ok(code) => fail(&format!("the generator failed (exit code {code})")),
                Err(e) => fail(&e),
            }
        }
        Some("services") => {
            if let Some(extra) = rest.first() {
                return usage_error(&format!("unexpected argument `{}` for `services`", extra.to_string_lossy()));
            }
            let ensured = util::step("ensuring MariaDB on 127.0.0.1:3306", services::ensure_mariadb)
                .and_then(|()| util::step("ensuring Redis on 127.0.0.1:6379", services::ensure_redis));
            if let Err(e) = ensured {
                return fail(&e);
            }
            // On stdout, in shell syntax, so `eval "$(cargo xtask services)"` works.
            println!("export IMCHAT_TEST_MYSQL_URL={}", services::MYSQL_URL);
            println!("export IMCHAT_TEST_REDIS_URL={}", services::REDIS_URL);
            ExitCode::SUCCESS
        }
        _ => usage_error(&format!("unknown command `{}`", command.to_string_lossy())),
    }
}
