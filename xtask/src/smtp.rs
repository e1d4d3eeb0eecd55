//! A throwaway SMTP server for the tests: Python's aiosmtpd in a private venv,
//! storing every message in a fresh Maildir, so tests can send real mail over
//! SMTP and then read what arrived. It lives exactly as long as [`SmtpSink`].

use std::fs;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::util::{Result, apt_install, capture, cmd, describe, failure_text, root, run, succeeds};

/// Pinned so every machine runs the same sink.
const AIOSMTPD_VERSION: &str = "1.4.6";

/// A running aiosmtpd child. Dropping it (normal exit, failed tests, `?`, or a
/// panic) kills the server and removes its Maildir, so no run leaves one behind.
pub struct SmtpSink {
    child: Child,
    /// `127.0.0.1:<port>`, where the sink accepts SMTP.
    pub addr: SocketAddr,
    /// Absolute path of the Maildir receiving the messages.
    pub maildir: PathBuf,
}

impl SmtpSink {
    /// Step 3 of `cargo xtask test`: set up the venv if needed, then start the
    /// sink on a free port and wait until it accepts connections.
    pub fn start() -> Result<Self> {
        let python = ensure_venv()?;
        let addr = free_port()?;
        let maildir = fresh_maildir()?;

        let mut command = cmd(&python);
        command
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(addr.to_string())
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null());
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                let _ = fs::remove_dir_all(&maildir);
                return Err(format!("cannot run `{}`: {e}", describe(&command)));
            }
        };
        // From here on, any early return drops the guard: child killed, Maildir removed.
        let mut sink = SmtpSink { child, addr, maildir };

        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = sink.child.try_wait() {
                return Err(format!(
                    "the SMTP sink exited ({status}) before listening on {addr}: `{}`",
                    describe(&command)
                ));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
                eprintln!("xtask: SMTP sink on {addr}, Maildir {}", sink.maildir.display());
                return Ok(sink);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the SMTP sink did not accept connections on {addr} within 20 s: `{}`",
                    describe(&command)
                ));
            }
            thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.maildir);
    }
}

/// True when the venv's python imports the pinned aiosmtpd.
fn has_aiosmtpd(python: &Path) -> bool {
    let check = format!("import sys, aiosmtpd; sys.exit(aiosmtpd.__version__ != '{AIOSMTPD_VERSION}')");
    succeeds(cmd(python).args(["-c", &check]))
}

/// `python3 -m venv <venv>`; the error carries Python's message.
pub(crate) fn create_venv(venv: &Path) -> Result<()> {
    let output = capture(cmd("python3").args(["-m", "venv"]).arg(venv))?;
    if output.status.success() { Ok(()) } else { Err(failure_text(&output)) }
}

/// Makes `target/xtask/smtp-venv` contain aiosmtpd and returns its python. The
/// venv lives under `target/` so `cargo clean` removes it and git ignores it;
/// it is reused across runs, so only the first run needs PyPI.
fn ensure_venv() -> Result<PathBuf> {
    let venv = root().join("target/xtask/smtp-venv");
    let python = venv.join("bin/python");
    if has_aiosmtpd(&python) {
        return Ok(python);
    }
    eprintln!("xtask: creating {} with aiosmtpd", venv.display());
    // Whatever is there is stale or half-built (an interrupted pip, a Python
    // upgrade): rebuild it from scratch rather than repair it.
    if venv.exists() {
        fs::remove_dir_all(&venv).map_err(|e| format!("cannot remove {}: {e}", venv.display()))?;
    }
    if let Some(parent) = venv.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    if let Err(first) = create_venv(&venv) {
        // Debian's python3 cannot create venvs until python3-venv (ensurepip) is
        // installed, and a fresh image may lack python3 altogether.
        eprintln!("xtask: `python3 -m venv` failed ({first}); installing python3-venv");
        let _ = fs::remove_dir_all(&venv);
        apt_install(&["python3", "python3-venv"])
            .map_err(|e| format!("cannot create a Python venv for the SMTP sink: {e}"))?;
        create_venv(&venv).map_err(|e| {
            format!("`python3 -m venv {}` failed even after installing python3-venv: {e}", venv.display())
        })?;
    }
    run(cmd(venv.join("bin/pip")).args([
        "install",
        "-q",
        "--disable-pip-version-check",
        &format!("aiosmtpd=={AIOSMTPD_VERSION}"),
    ]))
    .map_err(|e| format!("{e}\nfix: pip needs network access to PyPI (or a configured mirror)"))?;
    if has_aiosmtpd(&python) {
        Ok(python)
    } else {
        Err(format!("aiosmtpd {AIOSMTPD_VERSION} was installed into {} but cannot be imported", venv.display()))
    }
}

/// A port nothing listens on right now: bind port 0, read what the OS picked,
/// and release it for aiosmtpd. (Racy in theory; a lost race shows up as the
/// sink exiting early, with a clear error.)
pub(crate) fn free_port() -> Result<SocketAddr> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind 127.0.0.1:0 to find a free port: {e}"))?;
    listener.local_addr().map_err(|e| format!("cannot read the port of a bound listener: {e}"))
}

/// An empty Maildir (`new`, `cur`, `tmp`) named after our pid, so concurrent
/// runs never share one and each run starts with no mail.
fn fresh_maildir() -> Result<PathBuf> {
    let maildir = root().join(format!("target/xtask/maildir-{}", std::process::id()));
    if maildir.exists() {
        fs::remove_dir_all(&maildir).map_err(|e| format!("cannot remove {}: {e}", maildir.display()))?;
    }
    for sub in ["new", "cur", "tmp"] {
        let dir = maildir.join(sub);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    Ok(maildir)
}
