//! Drives real terminal programs in tmux: start one in a detached session of a given size,
//! send keys, read the screen, and wait for text to appear (polling with a deadline).

use std::process::Command;

/// A program running in its own tmux server (a private socket), killed when dropped.
pub struct Tmux {
    socket: String,
    /// Where the wrapper shell writes the program's exit status (tmux's own report is racy).
    status_file: std::path::PathBuf,
}

impl Tmux {
    /// Starts `command` (with `env`) in a `width`×`height` terminal.
    pub fn start(command: &[&str], env: &[(&str, &str)], width: u16, height: u16) -> Tmux {
        let socket = format!("imchat-test-{}", imchat_store::random_hex(6));
        let status_file = std::env::temp_dir().join(format!("{socket}.status"));
        let mut args: Vec<String> = vec!["-L".into(), socket.clone(), "-f".into(), "/dev/null".into()];
        args.extend(
            ["new-session", "-d", "-s", "main", "-x", &width.to_string(), "-y", &height.to_string()].map(String::from),
        );
        for (key, value) in env.iter().chain(&[("IMCHAT_STATUS_FILE", status_file.to_str().unwrap())]) {
            args.extend(["-e".to_owned(), format!("{key}={value}")]);
        }
        // A shell runs the program and records how it ended, then keeps the pane readable.
        args.extend(["sh", "-c", "\"$@\"; echo $? > \"$IMCHAT_STATUS_FILE\"; sleep 3600", "sh"].map(String::from));
        args.extend(command.iter().map(|s| s.to_string()));
        let status =
            Command::new("tmux").args(&args).status().expect("tmux is installed (cargo xtask test installs it)");
        assert!(status.success(), "tmux failed to start {command:?}");
        Tmux { socket, status_file }
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

    /// Pastes text the way a terminal does (bracketed paste), in one go.
    pub fn paste(&self, text: &str) {
        self.run(&["set-buffer", "--", text]);
        self.run(&["paste-buffer", "-p", "-t", "main"]);
    }

    /// [`Tmux::paste`] byte for byte: tmux's own paste turns each LF into a CR, this one
    /// leaves the line breaks as the text has them (CR, LF, CRLF).
    pub fn paste_raw(&self, text: &str) {
        self.run(&["set-buffer", "--", text]);
        self.run(&["paste-buffer", "-p", "-r", "-t", "main"]);
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

    /// Copies everything the program writes to the pane, escape sequences included, to `path`
    /// (what tmux itself receives, before it draws).
    pub fn record_output(&self, path: &std::path::Path) {
        let command = format!("cat >> '{}'", path.display());
        self.run(&["pipe-pane", "-o", "-t", "main", &command]);
    }

    /// The pane's title, as the program set it (OSC 2).
    pub fn title(&self) -> String {
        self.run(&["display-message", "-p", "-t", "main", "#{pane_title}"]).trim().to_owned()
    }

    /// Kills the program with SIGKILL (no cleanup, as a crash or `kill -9` would): the pane's
    /// shell stays, and records the status.
    pub fn kill9(&self) {
        let shell = self.run(&["display-message", "-p", "-t", "main", "#{pane_pid}"]).trim().to_owned();
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap_or_default();
        let program = children.split_whitespace().next().expect("the program runs under the pane's shell");
        let status = Command::new("kill").args(["-KILL", program]).status().expect("kill runs");
        assert!(status.success(), "kill -KILL {program}");
    }

    /// The program's exit status once it has exited.
    pub fn exit_status(&self) -> Option<i32> {
        std::fs::read_to_string(&self.status_file).ok()?.trim().parse().ok()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
        let _ = std::fs::remove_file(&self.status_file);
    }
}
