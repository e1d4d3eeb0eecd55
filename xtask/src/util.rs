//! Small helpers shared by the xtask steps: the workspace root, running external
//! commands from it, finding binaries, polling, step timing and apt installs.

use std::env;
use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Expected failures (a service that will not start, a failed lint) are reported
/// as a message for the user, never as a panic.
pub type Result<T> = std::result::Result<T, String>;

/// The workspace root. xtask sits one directory below it; every path and every
/// external command is relative to the root, so `cargo xtask` behaves the same
/// whatever directory it is started from.
pub fn root() -> &'static Path {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir)
}

/// A `Command` for `program` that runs in the workspace root with stdin closed,
/// so no tool can sit waiting for input in CI.
pub fn cmd(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root()).stdin(Stdio::null());
    command
}

/// The command line of `command`, for messages.
pub fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|arg| {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains(' ') { format!("\"{arg}\"") } else { arg.into_owned() }
    }));
    words.join(" ")
}

/// Runs `command` capturing stdout and stderr. Only "could not start it" is an
/// error here; the caller judges the exit status.
pub fn capture(command: &mut Command) -> Result<Output> {
    command.output().map_err(|e| format!("cannot run `{}`: {e}", describe(command)))
}

/// Runs `command` with its output shown and requires it to exit 0. For steps
/// whose log the user should see (apt, pip).
pub fn run(command: &mut Command) -> Result<()> {
    let status = command.status().map_err(|e| format!("cannot run `{}`: {e}", describe(command)))?;
    if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", describe(command))) }
}

/// Runs `command` with its output shown and returns its exit code (1 when it
/// was killed by a signal). For lints and tests, whose failure is a result.
pub fn exit_code(command: &mut Command) -> Result<i32> {
    let status = command.status().map_err(|e| format!("cannot run `{}`: {e}", describe(command)))?;
    Ok(status.code().unwrap_or(1))
}

/// True when `command` starts and exits 0, output discarded. For probes, where
/// "cannot start" and "failed" both just mean "not yet".
pub fn succeeds(command: &mut Command) -> bool {
    command.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|status| status.success())
}

/// The trimmed stderr (or stdout, if stderr is empty) of a failed command, for
/// error messages.
pub fn failure_text(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let text = if stderr.trim().is_empty() { String::from_utf8_lossy(&output.stdout) } else { stderr };
    format!("{} ({})", text.trim(), output.status)
}

/// Finds an executable on PATH, then in the sbin directories: Debian installs
/// daemons such as `mariadbd` there, and non-login shells and CI images often
/// leave them out of PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// The first of `names` that [`which`] finds (e.g. `mariadb`, then the older
/// `mysql` name).
pub fn which_any(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|name| which(name))
}

/// Polls `probe` every 250 ms until it returns true (→ true) or `timeout` has
/// passed (→ false). Services take a moment between "spawned" and "answering".
pub fn wait_until(timeout: Duration, mut probe: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if probe() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(250));
    }
}

/// Announces a step on stderr, runs it, and reports how long it took, so a CI
/// log shows where the time (or the failure) went.
pub fn step<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    eprintln!("xtask: {what}...");
    let start = Instant::now();
    let result = f();
    let secs = start.elapsed().as_secs_f64();
    match &result {
        Ok(_) => eprintln!("xtask: {what}: done in {secs:.1}s"),
        Err(_) => eprintln!("xtask: {what}: FAILED after {secs:.1}s"),
    }
    result
}

/// Whether this process already ran `apt-get update`: fresh CI images ship
/// without package lists, but refreshing them twice in one run only costs time.
static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// Installs Debian packages with apt-get (what CI, running as root on Debian,
/// relies on). Elsewhere it fails with a message naming the packages needed.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    let list = packages.join(" ");
    let hint = format!("install them yourself (Debian/Ubuntu: `sudo apt-get install {list}`) and re-run");
    let Some(apt_get) = which("apt-get") else {
        return Err(format!("{list} needed but apt-get not found; {hint}"));
    };
    if !APT_UPDATED.load(Ordering::Relaxed) {
        eprintln!("xtask: apt-get update");
        run(cmd(&apt_get).args(["update", "-qq"]))
            .map_err(|e| format!("{e}; apt needs root and network access, or {hint}"))?;
        APT_UPDATED.store(true, Ordering::Relaxed);
    }
    eprintln!("xtask: apt-get install {list}");
    run(cmd(&apt_get).env("DEBIAN_FRONTEND", "noninteractive").args(["install", "-y", "-qq"]).args(packages))
        .map_err(|e| format!("{e}; apt needs root and network access, or {hint}"))
}
