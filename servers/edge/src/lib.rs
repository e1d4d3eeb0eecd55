//! What a public port allows each address and each user: connections at once, failed
//! attempts (logins, token checks) per minute, and costly requests by rate ([`Buckets`]). An address is an IPv4 address or an IPv6 /64
//! (what one subscriber usually holds), so a client cannot dodge a limit by walking its
//! prefix. Shared by the chat and resource ports; counting only, no I/O.

use std::fmt;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;

/// The key an address is limited under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Peer {
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

/// The address as text: `10.0.0.1`, or `2001:db8:1:2::/64` (a key other roles can share).
impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Peer::V4(v4) => write!(f, "{}", std::net::Ipv4Addr::from(v4)),
            Peer::V6(prefix) => write!(f, "{}/64", std::net::Ipv6Addr::from(u128::from(prefix) << 64)),
        }
    }
}

/// Entries past which expired ones are swept (a walk over many addresses cannot grow the
/// table without bound).
const SWEEP_ABOVE: usize = 10_000;
/// The failure window.
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// How many of something each key holds at once (connections per address, per user).
#[derive(Debug)]
pub struct Counter<K: Eq + Hash>(Arc<DashMap<K, usize>>);

impl<K: Eq + Hash> Default for Counter<K> {
    fn default() -> Counter<K> {
        Counter(Arc::default())
    }
}

/// One place counted against its key; dropping it gives the place back.
#[derive(Debug)]
pub struct Counted<K: Eq + Hash> {
    counts: Arc<DashMap<K, usize>>,
    key: K,
}

impl<K: Eq + Hash> Counted<K> {
    pub fn key(&self) -> &K {
        &self.key
    }
}

impl<K: Eq + Hash> Drop for Counted<K> {
    fn drop(&mut self) {
        self.counts.remove_if_mut(&self.key, |_, n| {
            *n -= 1;
            *n == 0
        });
    }
}

impl<K: Eq + Hash + Clone> Counter<K> {
    /// Counts one more for `key`, unless it already has `limit` (0: no limit).
    pub fn admit(&self, key: K, limit: usize) -> Option<Counted<K>> {
        let mut count = self.0.entry(key.clone()).or_insert(0);
        if limit > 0 && *count >= limit {
            return None;
        }
        *count += 1;
        drop(count);
        Some(Counted { counts: self.0.clone(), key })
    }

    /// How many `key` holds now.
    pub fn count(&self, key: &K) -> usize {
        self.0.get(key).map_or(0, |n| *n)
    }
}

/// Per-address counts for one public port.
#[derive(Debug, Default)]
pub struct Edge {
    pub connections: Counter<Peer>,
    /// Failures in the current window, and when it began.
    failures: DashMap<Peer, (u32, Instant)>,
}

impl Edge {
    /// Counts a new connection from `peer`, unless it already has `limit` (0: no limit).
    pub fn admit(&self, peer: Peer, limit: usize) -> Option<Counted<Peer>> {
        self.connections.admit(peer, limit)
    }

    /// Whether `peer` may try again: fewer than `limit` failures in the last minute (0: no
    /// limit).
    pub fn may_try(&self, peer: Peer, limit: u32) -> bool {
        limit == 0
            || self.failures.get(&peer).is_none_or(|entry| entry.1.elapsed() >= FAILURE_WINDOW || entry.0 < limit)
    }

    /// Counts a failure (a wrong token, a failed login) from `peer`.
    pub fn failed(&self, peer: Peer) {
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

/// A rate of requests: `per_minute` refilled, at most `burst` at once (0 per minute: no
/// limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    /// How long an emptied bucket takes to fill again (then it holds nothing worth keeping).
    fn refill(self) -> Duration {
        Duration::from_secs_f64(f64::from(self.burst.max(1)) * 60.0 / f64::from(self.per_minute.max(1)))
    }
}

/// Token buckets, one per key (a user): how much each may still do now. A bucket back at
/// full is forgotten, so the map holds only those who spent recently.
#[derive(Debug)]
pub struct Buckets<K: Eq + Hash> {
    rate: Rate,
    /// Tokens left, as of when.
    held: DashMap<K, (f64, Instant)>,
}

impl<K: Eq + Hash> Buckets<K> {
    pub fn new(rate: Rate) -> Buckets<K> {
        Buckets { rate, held: DashMap::new() }
    }

    /// Takes `n` tokens from `key`'s bucket if it has them.
    pub fn take(&self, key: K, n: u32) -> bool {
        let rate = self.rate;
        if rate.per_minute == 0 {
            return true;
        }
        if self.held.len() > SWEEP_ABOVE {
            let full = rate.refill();
            self.held.retain(|_, entry| entry.1.elapsed() < full);
        }
        let burst = f64::from(rate.burst.max(1));
        let now = Instant::now();
        let mut entry = self.held.entry(key).or_insert((burst, now));
        let refilled = entry.1.elapsed().as_secs_f64() * f64::from(rate.per_minute) / 60.0;
        let tokens = (entry.0 + refilled).min(burst);
        if tokens < f64::from(n) {
            *entry = (tokens, now);
            return false;
        }
        *entry = (tokens - f64::from(n), now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(text: &str) -> Peer {
        Peer::from(text.parse::<IpAddr>().unwrap())
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let buckets = Buckets::new(Rate { per_minute: 60, burst: 3 });
        assert!((0..3).all(|_| buckets.take(7, 1)), "the burst");
        assert!(!buckets.take(7, 1), "then nothing until it refills");
        assert!(buckets.take(8, 3), "another key has its own");
        assert!(!buckets.take(8, 1));
        // At 6000 a minute a token comes back within about 10 ms.
        let quick = Buckets::new(Rate { per_minute: 6000, burst: 1 });
        assert!(quick.take(1, 1) && !quick.take(1, 1));
        let start = Instant::now();
        while !quick.take(1, 1) {
            assert!(start.elapsed() < Duration::from_secs(1), "refilled at its rate");
            std::thread::yield_now();
        }
        let open = Buckets::new(Rate { per_minute: 0, burst: 0 });
        assert!((0..1000).all(|_| open.take(1, 5)), "0 a minute is no limit");
    }

    #[test]
    fn connections_are_counted_per_address_and_given_back() {
        let edge = Edge::default();
        let a = peer("10.0.0.1");
        let first = edge.admit(a, 2).expect("one");
        let second = edge.admit(a, 2).expect("two");
        assert!(edge.admit(a, 2).is_none(), "a third is over the limit");
        assert!(edge.admit(peer("10.0.0.2"), 2).is_some(), "another address");
        drop(first);
        assert!(edge.admit(a, 2).is_some(), "a place came back");
        drop(second);
        assert!(edge.admit(a, 0).is_some(), "0 is no limit");
        assert_eq!(edge.connections.count(&a), 0, "every place given back");
    }

    #[test]
    fn an_ipv6_slash_64_is_one_address() {
        let one = peer("2001:db8:1:2::1");
        assert_eq!(one, peer("2001:db8:1:2:ffff::9"));
        assert_ne!(one, peer("2001:db8:1:3::1"));
        assert_eq!(peer("::ffff:10.0.0.1"), peer("10.0.0.1"));
        assert_eq!(one.to_string(), "2001:db8:1:2::/64");
        assert_eq!(peer("10.0.0.1").to_string(), "10.0.0.1");
    }

    #[test]
    fn failures_are_limited_per_address() {
        let edge = Edge::default();
        let a = peer("10.0.0.1");
        for _ in 0..3 {
            assert!(edge.may_try(a, 3));
            edge.failed(a);
        }
        assert!(!edge.may_try(a, 3));
        assert!(edge.may_try(peer("10.0.0.2"), 3));
        assert!(edge.may_try(a, 0));
    }

    #[test]
    fn users_are_counted_like_addresses() {
        let users = Counter::<i32>::default();
        let held: Vec<_> = (0..3).map(|_| users.admit(7, 3).expect("within the cap")).collect();
        assert!(users.admit(7, 3).is_none());
        assert!(users.admit(8, 3).is_some());
        drop(held);
        assert_eq!(users.count(&7), 0);
    }
}
