//! Server-side cost from `/proc`: CPU seconds and peak RSS of the server processes on this
//! machine (imchat-server, MariaDB, Redis), sampled before and after a run.

use std::collections::HashMap;

/// Processes whose cost counts as "server".
const SERVER_COMMANDS: &[&str] = &["imchat-server", "mariadbd", "mysqld", "redis-server"];
/// `sysconf(_SC_CLK_TCK)` on Linux.
const TICKS_PER_SEC: f64 = 100.0;

/// pid → (name, cpu ticks).
#[derive(Debug, Clone, Default)]
pub struct Sample(HashMap<u32, (String, u64)>);

pub fn sample() -> Sample {
    let mut found = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else { return Sample(found) };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // The command is in parentheses and may contain spaces; fields follow the last `)`.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = &stat[open + 1..close];
        if !SERVER_COMMANDS.iter().any(|c| name.starts_with(&c[..c.len().min(15)])) {
            continue;
        }
        let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the command).
        let ticks = fields.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
            + fields.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        found.insert(pid, (name.to_owned(), ticks));
    }
    Sample(found)
}

impl Sample {
    /// CPU seconds the same processes used since `earlier`.
    pub fn cpu_since(&self, earlier: &Sample) -> f64 {
        let ticks: u64 = self
            .0
            .iter()
            .map(|(pid, (_, now))| now.saturating_sub(earlier.0.get(pid).map_or(*now, |(_, before)| *before)))
            .sum();
        ticks as f64 / TICKS_PER_SEC
    }

    /// CPU seconds per process since `earlier` (`name[pid]`), busiest first: what bounds a run.
    pub fn cpu_by_process(&self, earlier: &Sample) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = self
            .0
            .iter()
            .map(|(pid, (name, now))| {
                let used = now.saturating_sub(earlier.0.get(pid).map_or(*now, |(_, before)| *before));
                (format!("{name}[{pid}]"), used as f64 / TICKS_PER_SEC)
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// Current resident memory (`VmRSS`) of the imchat-server processes together, in KiB.
    pub fn imchat_rss_now(&self) -> u64 {
        self.0
            .iter()
            .filter(|(_, (name, _))| name.starts_with("imchat-server"))
            .filter_map(|(pid, _)| status_kib(*pid, "VmRSS:"))
            .sum()
    }

    /// Peak RSS (`VmHWM`) per process, in KiB.
    pub fn peak_rss(&self) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = self
            .0
            .iter()
            .filter_map(|(pid, (name, _))| Some((format!("{name}[{pid}]"), status_kib(*pid, "VmHWM:")?)))
            .collect();
        out.sort();
        out
    }
}

/// A `kB` field of `/proc/<pid>/status`.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok()
}
