//! Drives real terminal programs in tmux: start one in a detached session of a given size,
//! send keys, read the screen, and wait for text to appear (polling with a deadline).

use std::path::Path;
use std::process::Command;

/// A program running in its own tmux server (a private socket), killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` (with `env`) in a `width`×`height` terminal.
    pub fn start(command: &[&str], env: &[(&str, &str)], width: u16, height: u16) -> Tmux {
        let socket = format!("imchat-test-{}", imchat_store::random_hex(6));
        let mut args: Vec<String> = vec!["-L".into(), socket.clone(), "-f".into(), "/dev/null".into()];
        args.extend(
            ["new-session", "-d", "-s", "main", "-x", &width.to_string(), "-y", &height.to_string()].map(String::from),
        );
        for (key, value) in env {
            args.extend(["-e".to_owned(), format!("{key}={value}")]);
        }
        args.extend(command.iter().map(|s| s.to_string()));
        let status =
            Command::new("tmux").args(&args).status().expect("tmux is installed (cargo xtask test installs it)");
        assert!(status.success(), "tmux failed to start {command:?}");
        let tmux = Tmux { socket };
        tmux.run(&["set-option", "-t", "main", "remain-on-exit", "on"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends named keys (`Enter`, `F2`, `C-s`, `Tab`, ...).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend(keys);
        self.run(&args);
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "main", "-l", text]);
    }

    /// The visible screen.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "main"])
    }

    /// Waits until the screen shows `needle`; panics with the screen after the deadline.
    pub async fn wait_for(&self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + crate::DEADLINE;
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(tokio::time::Instant::now() < deadline, "screen never showed {needle:?}:\n{screen}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Whether the program has exited (and with which status).
    pub fn exit_status(&self) -> Option<i32> {
        let out = self.run(&["list-panes", "-t", "main", "-F", "#{pane_dead} #{pane_dead_status}"]);
        let mut parts = out.split_whitespace();
        (parts.next() == Some("1")).then(|| parts.next().and_then(|s| s.parse().ok()).unwrap_or(-1))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
    }
}

/// The path of a workspace binary next to the running test.
pub fn binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join(name);
    assert!(Path::new(&bin).exists(), "{} is missing: build the workspace (cargo xtask test does)", bin.display());
    bin
}
