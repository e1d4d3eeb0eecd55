//! `imctl bench chat --devices N`: every bench user also logged in from N-1 more devices
//! (kinds bot, tui, qt, so the per-kind policy keeps them all; across servers, on the other
//! server from the user's first), each only reading. Every message of a pair's thread reaches
//! each of these devices, the partner's as a push (1019) and the user's own as 1112, so each
//! should see every seq from its first on; what it does not is counted as missing.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use imchat_sdk::proto::msg::DeviceKind;
use imchat_sdk::{ChatClient, Device, Event};
use tokio::task::JoinHandle;

use super::Dial;
use super::chat::fail;
use super::users::BenchUser;
use crate::errors::CliError;

/// The kinds of the devices beyond a user's first (a `cli` login).
const KINDS: [DeviceKind; 3] = [DeviceKind::Bot, DeviceKind::Tui, DeviceKind::Qt];
/// The most devices per user `--devices` takes.
pub const MAX_DEVICES: usize = KINDS.len() + 1;
/// After the senders stop, how long the devices' pushes may keep coming, and how long a quiet
/// spell ends the wait.
const DRAIN: Duration = Duration::from_secs(20);
const QUIET: Duration = Duration::from_secs(2);

/// The seqs one device saw per thread.
type Seen = HashMap<i64, BTreeSet<i64>>;

/// The other devices, reading.
pub struct OtherDevices {
    devices: Vec<(ChatClient, JoinHandle<Seen>)>,
    /// Pushes they got so far, for the drain.
    got: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// What the other devices got.
pub struct Tally {
    pub pushes: u64,
    pub missing: u64,
}

impl OtherDevices {
    /// Logs each of `people` in from `devices - 1` more devices.
    pub async fn connect(
        dial: &Dial,
        people: &[BenchUser],
        servers: &[String],
        cross_server: bool,
        devices: usize,
    ) -> Result<OtherDevices, CliError> {
        let got = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut all = Vec::new();
        for (idx, user) in people.iter().enumerate() {
            for (extra, kind) in KINDS.iter().take(devices.saturating_sub(1)).enumerate() {
                let addr = if cross_server { &servers[(idx + extra + 1) % 2] } else { &servers[0] };
                let (chat, mut events) = dial.connect(addr).await.map_err(fail(addr))?;
                chat.login_as(user.uid, &user.token, &Device::new(*kind)).await.map_err(fail(addr))?;
                let got = got.clone();
                let reader = tokio::spawn(async move {
                    let mut seen = Seen::new();
                    while let Some(event) = events.recv().await {
                        let push = match event {
                            Event::Text(push) | Event::OwnText(push) => push,
                            Event::Closed => break,
                            _ => continue,
                        };
                        let seqs = seen.entry(push.thread_id).or_default();
                        for data in push.chat_datas {
                            seqs.insert(data.seq);
                            got.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    seen
                });
                all.push((chat, reader));
            }
        }
        Ok(OtherDevices { devices: all, got })
    }

    /// Waits for the pushes still on their way (until none came for a moment), closes the
    /// devices and counts: per device and thread, each seq from its first seen to the thread's
    /// last seen by any device that it did not see.
    pub async fn finish(self) -> Tally {
        let deadline = tokio::time::Instant::now() + DRAIN;
        let mut last = u64::MAX;
        while tokio::time::Instant::now() < deadline {
            let now = self.got.load(std::sync::atomic::Ordering::Relaxed);
            if now == last {
                break;
            }
            last = now;
            tokio::time::sleep(QUIET).await;
        }
        let mut seen = Vec::with_capacity(self.devices.len());
        for (chat, reader) in self.devices {
            chat.close().await;
            seen.push(reader.await.unwrap_or_default());
        }
        let mut newest: HashMap<i64, i64> = HashMap::new();
        for device in &seen {
            for (thread, seqs) in device {
                let top = seqs.last().copied().unwrap_or(0);
                let entry = newest.entry(*thread).or_insert(top);
                *entry = (*entry).max(top);
            }
        }
        let mut tally = Tally { pushes: 0, missing: 0 };
        for device in &seen {
            for (thread, seqs) in device {
                tally.pushes += seqs.len() as u64;
                let first = seqs.first().copied().unwrap_or(0);
                let span = u64::try_from(newest[thread] - first + 1).unwrap_or(0);
                tally.missing += span.saturating_sub(seqs.len() as u64);
            }
        }
        tally
    }
}
