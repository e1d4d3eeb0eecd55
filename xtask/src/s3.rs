//! A throwaway S3-compatible server for the tests: moto's server (PyPI `moto[server]`,
//! Apache-2.0) in a private venv, kept in memory, so the resource server's object storage
//! is tested against a real S3 API over HTTP. It lives exactly as long as [`S3Server`].

use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::smtp::{create_venv, free_port};
use crate::util::{Result, cmd, describe, root, run, succeeds};

/// Pinned so every machine runs the same server.
const MOTO_VERSION: &str = "5.2.5";

/// A running moto server child; dropping it kills the server (and its buckets).
pub struct S3Server {
    child: Child,
    /// `127.0.0.1:<port>`, where it speaks S3 over plain HTTP.
    pub addr: SocketAddr,
}

impl S3Server {
    /// Sets up the venv if needed, then starts the server on a free port and waits until it
    /// accepts connections.
    pub fn start() -> Result<Self> {
        let venv = ensure_venv()?;
        let addr = free_port()?;
        let mut command = cmd(venv.join("bin/moto_server"));
        command.args(["-H", "127.0.0.1", "-p", &addr.port().to_string()]).stdout(Stdio::null()).stderr(Stdio::null());
        let child = command.spawn().map_err(|e| format!("cannot run `{}`: {e}", describe(&command)))?;
        let mut server = S3Server { child, addr };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "the S3 server exited ({status}) before listening on {addr}: `{}`",
                    describe(&command)
                ));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
                eprintln!("xtask: S3-compatible server (moto {MOTO_VERSION}) on {addr}");
                return Ok(server);
            }
            if Instant::now() >= deadline {
                return Err(format!("the S3 server did not accept connections on {addr} within 30 s"));
            }
            thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn has_moto(venv: &Path) -> bool {
    let check = format!("import sys, moto; sys.exit(moto.__version__ != '{MOTO_VERSION}')");
    succeeds(cmd(venv.join("bin/python")).args(["-c", &check])) && venv.join("bin/moto_server").exists()
}

/// Makes `target/xtask/s3-venv` hold moto's server; reused across runs, so only the first
/// run needs PyPI (about 40 s here).
fn ensure_venv() -> Result<PathBuf> {
    let venv = root().join("target/xtask/s3-venv");
    if has_moto(&venv) {
        return Ok(venv);
    }
    eprintln!("xtask: creating {} with moto[server] {MOTO_VERSION}", venv.display());
    if venv.exists() {
        fs::remove_dir_all(&venv).map_err(|e| format!("cannot remove {}: {e}", venv.display()))?;
    }
    if let Some(parent) = venv.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    create_venv(&venv).map_err(|e| format!("cannot create a Python venv for the S3 server: {e}"))?;
    run(cmd(venv.join("bin/pip")).args([
        "install",
        "-q",
        "--disable-pip-version-check",
        &format!("moto[server]=={MOTO_VERSION}"),
    ]))
    .map_err(|e| format!("{e}\nfix: pip needs network access to PyPI (or a configured mirror)"))?;
    if has_moto(&venv) {
        Ok(venv)
    } else {
        Err(format!("moto {MOTO_VERSION} was installed into {} but does not run", venv.display()))
    }
}
