//! What the client port allows each address: connections at once, and failed logins per
//! minute. An address is an IPv4 address or an IPv6 /64 (what one subscriber usually holds),
//! so a client cannot dodge a limit by walking its prefix.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;

/// The key an address is limited under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Peer {
    V4(u32),
    /// The first 64 bits.
    V6(u64),
}

impl From<IpAddr> for Peer {
    fn from(ip: IpAddr) -> Peer {
        match ip {
            IpAddr::V4(v4) => Peer::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Peer::V4(u32::from(v4)),
                None => Peer::V6((u128::from(v6) >> 64) as u64),
            },
        }
    }
}

/// Entries past which expired ones are swept (a walk over many addresses cannot grow the
/// table without bound).
const SWEEP_ABOVE: usize = 10_000;
/// The failed-login window.
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Per-address counts for one chat server.
#[derive(Debug, Default)]
pub(crate) struct Edge {
    connections: Arc<DashMap<Peer, usize>>,
    /// Failed logins in the current window, and when it began.
    failures: DashMap<Peer, (u32, Instant)>,
}

/// One connection counted against its address; dropping it gives the place back.
pub(crate) struct Counted {
    connections: Arc<DashMap<Peer, usize>>,
    peer: Peer,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.connections.remove_if_mut(&self.peer, |_, n| {
            *n -= 1;
            *n == 0
        });
    }
}

impl Edge {
    /// Counts a new connection from `peer`, unless it already has `limit` (0: no limit).
    pub(crate) fn admit(&self, peer: Peer, limit: usize) -> Option<Counted> {
        let mut count = self.connections.entry(peer).or_insert(0);
        if limit > 0 && *count >= limit {
            return None;
        }
        *count += 1;
        drop(count);
        Some(Counted { connections: self.connections.clone(), peer })
    }

    /// Whether `peer` may try another login: fewer than `limit` failures in the last minute
    /// (0: no limit).
    pub(crate) fn may_log_in(&self, peer: Peer, limit: u32) -> bool {
        limit == 0
            || self.failures.get(&peer).is_none_or(|entry| entry.1.elapsed() >= FAILURE_WINDOW || entry.0 < limit)
    }

    /// Counts a failed login from `peer`.
    pub(crate) fn failed_login(&self, peer: Peer) {
        if self.failures.len() > SWEEP_ABOVE {
            self.failures.retain(|_, entry| entry.1.elapsed() < FAILURE_WINDOW);
        }
        let mut entry = self.failures.entry(peer).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= FAILURE_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_counted_per_address_and_given_back() {
        let edge = Edge::default();
        let a = Peer::from("10.0.0.1".parse::<IpAddr>().unwrap());
        let first = edge.admit(a, 2).expect("one");
        let second = edge.admit(a, 2).expect("two");
        assert!(edge.admit(a, 2).is_none(), "a third is over the limit");
        assert!(edge.admit(Peer::from("10.0.0.2".parse::<IpAddr>().unwrap()), 2).is_some(), "another address");
        drop(first);
        assert!(edge.admit(a, 2).is_some(), "a place came back");
        drop(second);
        assert!(edge.admit(a, 0).is_some(), "0 is no limit");
    }

    #[test]
    fn an_ipv6_slash_64_is_one_address() {
        let one = Peer::from("2001:db8:1:2::1".parse::<IpAddr>().unwrap());
        let same = Peer::from("2001:db8:1:2:ffff::9".parse::<IpAddr>().unwrap());
        let other = Peer::from("2001:db8:1:3::1".parse::<IpAddr>().unwrap());
        assert_eq!(one, same);
        assert_ne!(one, other);
        let mapped = Peer::from("::ffff:10.0.0.1".parse::<IpAddr>().unwrap());
        assert_eq!(mapped, Peer::from("10.0.0.1".parse::<IpAddr>().unwrap()));
    }

    #[test]
    fn failed_logins_are_limited_per_address() {
        let edge = Edge::default();
        let a = Peer::from("10.0.0.1".parse::<IpAddr>().unwrap());
        for _ in 0..3 {
            assert!(edge.may_log_in(a, 3));
            edge.failed_login(a);
        }
        assert!(!edge.may_log_in(a, 3));
        assert!(edge.may_log_in(Peer::from("10.0.0.2".parse::<IpAddr>().unwrap()), 3));
        assert!(edge.may_log_in(a, 0));
    }
}
