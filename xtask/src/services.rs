//! Makes sure MariaDB and Redis answer on their default localhost ports, the
//! way the integration tests expect them, installing (apt) and starting them
//! when they do not: a fresh Debian CI box or a new developer gets a working
//! setup from one command, and an already-running setup is left alone.

use std::fs;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::util::{Result, apt_install, capture, cmd, describe, failure_text, succeeds, wait_until, which, which_any};

/// Where the tests find MariaDB: `root` with an empty password, over TCP.
pub const MYSQL_URL: &str = "mysql://root@127.0.0.1:3306";
/// Where the tests find Redis.
pub const REDIS_URL: &str = "redis://127.0.0.1:6379/0";

/// Client options for the TCP login the tests use (not the unix socket, whose
/// OS-user authentication would hide a wrong password setup).
const TCP_LOGIN: [&str; 4] = ["-h127.0.0.1", "-P3306", "-uroot", "--connect-timeout=5"];

/// Run over the unix socket as OS root to give `root` the empty password the
/// tests use, and the `test` database they expect to exist.
const FIX_ROOT_SQL: &str = "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password \
     USING PASSWORD(''); CREATE DATABASE IF NOT EXISTS test;";

/// Per-test databases are named `imchat_t_...`; a killed test run leaves them behind.
const LIST_TEST_DBS_SQL: &str = "SELECT schema_name FROM information_schema.schemata \
     WHERE schema_name LIKE 'imchat\\_t\\_%'";

fn mariadb_client() -> Result<PathBuf> {
    which_any(&["mariadb", "mysql"]).ok_or_else(|| "no `mariadb` or `mysql` client on PATH".to_string())
}

/// Logs in the way the tests do; the error carries the client's message.
fn mariadb_tcp_login() -> Result<()> {
    let output = capture(cmd(mariadb_client()?).args(TCP_LOGIN).args(["-Dtest", "-e", "SELECT 1"]))?;
    if output.status.success() { Ok(()) } else { Err(failure_text(&output)) }
}

/// True when a server answers on the local socket. `ping` exits 0 even when
/// the login itself is refused, which is what "running" means here.
fn mariadb_running() -> bool {
    which_any(&["mariadb-admin", "mysqladmin"])
        .is_some_and(|admin| succeeds(cmd(admin).args(["ping", "--silent", "--connect-timeout=2"])))
}

/// Step 1 of `cargo xtask test`: MariaDB answers on 127.0.0.1:3306 as `root`
/// with an empty password and has a `test` database.
pub fn ensure_mariadb() -> Result<()> {
    let first_error = match mariadb_tcp_login() {
        Ok(()) => {
            eprintln!("xtask: MariaDB already answers on 127.0.0.1:3306");
            return Ok(());
        }
        Err(e) => e,
    };
    eprintln!("xtask: MariaDB login on 127.0.0.1:3306 failed: {first_error}");

    if which_any(&["mariadbd", "mysqld"]).is_none() || mariadb_client().is_err() {
        apt_install(&["mariadb-server", "mariadb-client"])?;
    }
    if !mariadb_running() {
        start_mariadb()?;
    }

    eprintln!("xtask: setting an empty root password and creating database `test`");
    let output = capture(cmd(mariadb_client()?).args(["-uroot", "-e", FIX_ROOT_SQL]))?;
    if !output.status.success() {
        return Err(format!(
            "MariaDB is running but configuring it over the unix socket as `root` failed: {}\n\
             fix: as a user that can log in as MariaDB root (e.g. `sudo mariadb`), run:\n  {FIX_ROOT_SQL}",
            failure_text(&output)
        ));
    }

    mariadb_tcp_login().map_err(|e| {
        format!(
            "MariaDB still refuses `mariadb {}` after setting an empty root password: {e}\n\
             fix: make sure the server listens on 127.0.0.1:3306 (`bind-address`, no \
             `skip-networking`) and that `root` may log in from 127.0.0.1 with an empty password",
            TCP_LOGIN.join(" ")
        )
    })
}

/// Starts MariaDB with `mysqld_safe` in a new session, detached from us: it is
/// a shared service that must outlive this xtask run (and later runs reuse it).
fn start_mariadb() -> Result<()> {
    eprintln!("xtask: starting MariaDB with mysqld_safe");
    fs::create_dir_all("/run/mysqld").map_err(|e| format!("cannot create /run/mysqld: {e}"))?;
    let chown = capture(cmd("chown").args(["mysql:mysql", "/run/mysqld"]))?;
    if !chown.status.success() {
        return Err(format!("`chown mysql:mysql /run/mysqld` failed: {}", failure_text(&chown)));
    }

    let safe = which_any(&["mysqld_safe", "mariadbd-safe"])
        .ok_or_else(|| "MariaDB is installed but `mysqld_safe` was not found".to_string())?;
    // `setsid` puts the server outside our process group, so a Ctrl-C or a CI
    // runner cleaning up xtask does not take the database down with it.
    let mut command = match which("setsid") {
        Some(setsid) => {
            let mut command = cmd(setsid);
            command.arg(&safe);
            command
        }
        None => cmd(&safe),
    };
    command.arg("--skip-syslog").stdout(Stdio::null()).stderr(Stdio::null());
    #[allow(clippy::zombie_processes, reason = "mysqld_safe is meant to outlive xtask; it is never waited for")]
    command.spawn().map_err(|e| format!("cannot run `{}`: {e}", describe(&command)))?;

    if wait_until(Duration::from_secs(60), mariadb_running) {
        Ok(())
    } else {
        Err(format!(
            "MariaDB did not answer `mariadb-admin ping` within 60 s after `{}`\n\
             fix: look at the MariaDB error log (/var/log/mysql/error.log or /var/lib/mysql/*.err) \
             and start the server yourself",
            describe(&command)
        ))
    }
}

/// Step 4 of `cargo xtask test`: drop `imchat_t_*` databases left by earlier,
/// interrupted runs, so they do not pile up.
pub fn drop_test_databases() -> Result<()> {
    let client = mariadb_client()?;
    let output = capture(cmd(&client).args(TCP_LOGIN).args(["-N", "-B", "-e", LIST_TEST_DBS_SQL]))?;
    if !output.status.success() {
        return Err(format!("cannot list leftover test databases: {}", failure_text(&output)));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let names: Vec<&str> = stdout.lines().map(str::trim).filter(|n| !n.is_empty()).collect();
    if names.is_empty() {
        eprintln!("xtask: no leftover test databases");
        return Ok(());
    }
    let sql: String =
        names.iter().map(|name| format!("DROP DATABASE IF EXISTS `{}`;", name.replace('`', "``"))).collect();
    let output = capture(cmd(&client).args(TCP_LOGIN).args(["-e", &sql]))?;
    if !output.status.success() {
        return Err(format!("cannot drop leftover test databases: {}", failure_text(&output)));
    }
    eprintln!("xtask: dropped {} leftover test database(s): {}", names.len(), names.join(", "));
    Ok(())
}

fn redis_pong() -> bool {
    capture(cmd("redis-cli").args(["-h", "127.0.0.1", "-p", "6379", "ping"]))
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "PONG")
}

/// Step 2 of `cargo xtask test`: Redis answers PING on 127.0.0.1:6379. A
/// server we start keeps nothing on disk: test data is throwaway.
pub fn ensure_redis() -> Result<()> {
    if redis_pong() {
        eprintln!("xtask: Redis already answers on 127.0.0.1:6379");
        return Ok(());
    }
    if which("redis-server").is_none() || which("redis-cli").is_none() {
        apt_install(&["redis-server"])?;
        // The package may have started a server itself.
        if redis_pong() {
            return Ok(());
        }
    }
    let server =
        which("redis-server").ok_or_else(|| "`redis-server` not found even after installing it".to_string())?;
    let mut command = cmd(server);
    command.args(["--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "", "--appendonly", "no"]);
    eprintln!("xtask: starting Redis: {}", describe(&command));
    // The daemon points its stdio at /dev/null as it detaches, so this returns
    // at once while still catching errors printed before that.
    let output = capture(&mut command)?;
    if !output.status.success() {
        return Err(format!("`{}` failed: {}", describe(&command), failure_text(&output)));
    }
    if wait_until(Duration::from_secs(20), redis_pong) {
        Ok(())
    } else {
        Err(format!(
            "Redis did not answer `redis-cli -h 127.0.0.1 -p 6379 ping` within 20 s after `{}`\n\
             fix: check whether something else holds port 6379 (`ss -ltnp`) and start Redis yourself",
            describe(&command)
        ))
    }
}

/// The terminal end-to-end tests drive `imchat-tui` inside tmux.
pub fn ensure_tmux() -> Result<()> {
    if which("tmux").is_some() {
        eprintln!("xtask: tmux is installed");
        return Ok(());
    }
    apt_install(&["tmux"])?;
    which("tmux").map(drop).ok_or_else(|| "`tmux` not found even after installing it".to_string())
}
