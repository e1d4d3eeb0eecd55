//! The key-value store behind one interface: Redis in production, an in-memory map in the
//! embedded default. Only the operations imchat needs, each atomic on both backends.
//!
//! Every key is written under the store's prefix, so tests (and several deployments sharing
//! one Redis) stay apart. Production uses an empty prefix; key names follow the store's
//! [`KeyLayout`]. A command touching several keys is one script only where the keys share a
//! hash tag in the tagged layout; across users it is a pipeline of one-key commands, as a
//! Redis Cluster client needs.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, Pipeline, RedisFuture};

use crate::StoreError;
use crate::keys::KeyLayout;

/// A key-value store handle. Cheap to clone.
#[derive(Clone)]
pub struct Kv {
    prefix: Arc<str>,
    layout: KeyLayout,
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<Mutex<MemoryState>>),
    Redis(Reconnecting),
}

/// How a Redis connection comes back after it dropped. [`RedisOptions::default`] holds the
/// documented defaults: short, so a call fails fast while Redis is down (clients get a
/// retriable error) and the first call after it is back finds it within a second, not after a
/// long back-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedisOptions {
    /// Reconnect attempts after a dropped connection, and their delays (doubling from the least).
    pub reconnect_tries: usize,
    pub reconnect_min_delay: Duration,
    pub reconnect_max_delay: Duration,
    /// How long one connection attempt may take.
    pub connect_timeout: Duration,
}

impl Default for RedisOptions {
    fn default() -> RedisOptions {
        RedisOptions {
            reconnect_tries: 3,
            reconnect_min_delay: Duration::from_millis(100),
            reconnect_max_delay: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(2),
        }
    }
}

/// A Redis connection that survives a Redis restart without failing a call: the manager
/// reconnects behind a dropped connection, and a command that met the dropped one is sent
/// again on the new one (up to [`RESENDS`] times while the reconnect is under way). A command that never reached the old server cannot have run
/// there; one whose reply alone was lost runs twice, which every command here tolerates
/// (writes of the same value, deletes, counters that only ever count more). Each drop is
/// also signalled ([`Kv::reconnected`]): a restarted Redis may have lost what its users keep
/// there, and the chat servers write it back at once rather than at their next heartbeat.
#[derive(Clone)]
struct Reconnecting(ConnectionManager, Arc<tokio::sync::Notify>);

/// Sends of a command again after it met a dropped connection: the first at once, the others
/// after a pause, while the manager may still be reconnecting (a busy machine, a Redis that
/// takes a moment to accept again).
const RESENDS: u32 = 3;
const RESEND_PAUSE: Duration = Duration::from_millis(100);

fn dropped(err: &redis::RedisError) -> bool {
    err.is_connection_dropped() || err.is_connection_refusal()
}

impl ConnectionLike for Reconnecting {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, redis::Value> {
        Box::pin(async move {
            let mut result = self.0.req_packed_command(cmd).await;
            let mut resent = 0;
            while let Err(err) = &result
                && dropped(err)
                && resent < RESENDS
            {
                if resent == 0 {
                    tracing::info!(%err, "redis connection dropped; sending the command again");
                    self.1.notify_one();
                } else {
                    tokio::time::sleep(RESEND_PAUSE * resent).await;
                }
                resent += 1;
                result = self.0.req_packed_command(cmd).await;
            }
            result
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<redis::Value>> {
        Box::pin(async move {
            let mut result = self.0.req_packed_commands(pipeline, offset, count).await;
            let mut resent = 0;
            while let Err(err) = &result
                && dropped(err)
                && resent < RESENDS
            {
                if resent == 0 {
                    tracing::info!(%err, "redis connection dropped; sending the pipeline again");
                    self.1.notify_one();
                } else {
                    tokio::time::sleep(RESEND_PAUSE * resent).await;
                }
                resent += 1;
                result = self.0.req_packed_commands(pipeline, offset, count).await;
            }
            result
        })
    }

    fn get_db(&self) -> i64 {
        self.0.get_db()
    }
}

impl std::fmt::Debug for Kv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match self.backend {
            Backend::Memory(_) => "memory",
            Backend::Redis(_) => "redis",
        };
        f.debug_struct("Kv").field("backend", &backend).field("prefix", &self.prefix).finish()
    }
}

/// The outcome of [`Kv::lock_if_equal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardedLock {
    /// The guard key does not exist.
    Missing,
    /// The guard key holds another value.
    Mismatch,
    /// The guard matched, but someone else holds the lock.
    Busy,
    /// The lock is taken; the values of the keys asked for, in order.
    Locked(Vec<Option<String>>),
}

/// The outcome of [`Kv::guess`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    Right,
    Wrong,
    /// No secret (never set, expired, taken, or spent by wrong guesses).
    Missing,
    /// A counter is at its limit: not compared; the secret is gone.
    Exhausted,
}

/// Remaining lifetime of a key, as Redis `TTL` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl {
    Missing,
    Persistent,
    Seconds(i64),
}

impl Kv {
    /// An empty in-memory store (the embedded default; lost on exit).
    pub fn memory() -> Kv {
        Kv { prefix: "".into(), layout: KeyLayout::default(), backend: Backend::Memory(Arc::default()) }
    }

    /// Connects to Redis at `url` (`redis://[:password@]host:port/db`) with the default
    /// [`RedisOptions`].
    pub async fn redis(url: &str) -> Result<Kv, StoreError> {
        Kv::redis_with(url, &RedisOptions::default()).await
    }

    pub async fn redis_with(url: &str, options: &RedisOptions) -> Result<Kv, StoreError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(options.reconnect_tries)
            .set_min_delay(options.reconnect_min_delay)
            .set_max_delay(options.reconnect_max_delay)
            .set_connection_timeout(Some(options.connect_timeout));
        let manager = ConnectionManager::new_with_config(client, config).await?;
        Ok(Kv {
            prefix: "".into(),
            layout: KeyLayout::default(),
            backend: Backend::Redis(Reconnecting(manager, Arc::default())),
        })
    }

    /// The same store with every key under `prefix` (e.g. one per test). A prefix holds no
    /// `{`, which would become the hash tag of every key under it.
    pub fn with_prefix(self, prefix: &str) -> Kv {
        debug_assert!(!prefix.contains('{'), "a key prefix without braces");
        Kv { prefix: prefix.into(), ..self }
    }

    /// The same store with its keys named in `layout`.
    pub fn with_layout(self, layout: KeyLayout) -> Kv {
        Kv { layout, ..self }
    }

    /// How this store's keys are named.
    pub fn layout(&self) -> KeyLayout {
        self.layout
    }

    /// Resolves after a call met a dropped Redis connection (Redis restarted, perhaps
    /// empty); never for the in-memory store. Meant for one waiter (the chat server's
    /// presence loop): a drop while nobody waits is kept for the next wait.
    pub async fn reconnected(&self) {
        match &self.backend {
            Backend::Memory(_) => std::future::pending().await,
            Backend::Redis(conn) => conn.1.notified().await,
        }
    }

    pub fn is_memory(&self) -> bool {
        matches!(self.backend, Backend::Memory(_))
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn strip<'a>(&self, key: &'a str) -> &'a str {
        key.strip_prefix(&*self.prefix).unwrap_or(key)
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => Ok(lock(state).get(&key).map(str::to_owned)),
            Backend::Redis(conn) => Ok(redis::cmd("GET").arg(key).query_async(&mut conn.clone()).await?),
        }
    }

    /// The values of `keys`, in order, in one round trip (a pipeline of one-key GETs, so the
    /// keys may live on different cluster slots).
    pub async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        match &self.backend {
            Backend::Memory(state) => {
                let state = lock(state);
                Ok(keys.iter().map(|key| state.get(&self.key(key)).map(str::to_owned)).collect())
            }
            Backend::Redis(conn) => {
                if keys.is_empty() {
                    return Ok(Vec::new());
                }
                let mut pipe = redis::pipe();
                for key in keys {
                    pipe.cmd("GET").arg(self.key(key));
                }
                Ok(pipe.query_async(&mut conn.clone()).await?)
            }
        }
    }

    /// Sets `key`, with an expiry when `ttl` is given.
    pub async fn set(&self, key: &str, value: &str, ttl: Option<Duration>) -> Result<(), StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => {
                lock(state).set(key, value.to_owned(), ttl);
                Ok(())
            }
            Backend::Redis(conn) => {
                let mut cmd = redis::cmd("SET");
                cmd.arg(key).arg(value);
                if let Some(ttl) = ttl {
                    cmd.arg("PX").arg(millis(ttl));
                }
                Ok(cmd.query_async(&mut conn.clone()).await?)
            }
        }
    }

    /// Sets several keys with one expiry in one round trip, in order.
    pub async fn set_many(&self, pairs: &[(&str, &str)], ttl: Duration) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                for (key, value) in pairs {
                    state.set(self.key(key), (*value).to_owned(), Some(ttl));
                }
                Ok(())
            }
            Backend::Redis(conn) => {
                let mut pipe = redis::pipe();
                for (key, value) in pairs {
                    pipe.cmd("SET").arg(self.key(key)).arg(*value).arg("PX").arg(millis(ttl)).ignore();
                }
                Ok(pipe.query_async(&mut conn.clone()).await?)
            }
        }
    }

    /// Sets `key` (with an expiry) and returns what it held before, in one step (`SET … GET`,
    /// Redis 6.2 or later).
    pub async fn replace(&self, key: &str, value: &str, ttl: Duration) -> Result<Option<String>, StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                let old = state.get(&key).map(str::to_owned);
                state.set(key, value.to_owned(), Some(ttl));
                Ok(old)
            }
            Backend::Redis(conn) => Ok(redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("PX")
                .arg(millis(ttl))
                .arg("GET")
                .query_async(&mut conn.clone())
                .await?),
        }
    }

    /// Sets each missing key of `pairs` (with one expiry) in one round trip; present keys keep
    /// their values.
    pub async fn set_many_nx(&self, pairs: &[(String, String)], ttl: Duration) -> Result<(), StoreError> {
        if pairs.is_empty() {
            return Ok(());
        }
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                for (key, value) in pairs {
                    let key = self.key(key);
                    if state.get(&key).is_none() {
                        state.set(key, value.clone(), Some(ttl));
                    }
                }
                Ok(())
            }
            Backend::Redis(conn) => {
                let mut pipe = redis::pipe();
                for (key, value) in pairs {
                    pipe.cmd("SET").arg(self.key(key)).arg(value).arg("NX").arg("PX").arg(millis(ttl)).ignore();
                }
                Ok(pipe.query_async(&mut conn.clone()).await?)
            }
        }
    }

    /// Sets `key` only if it does not exist; true when it was set.
    pub async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool, StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                if state.get(&key).is_some() {
                    return Ok(false);
                }
                state.set(key, value.to_owned(), Some(ttl));
                Ok(true)
            }
            Backend::Redis(conn) => {
                let reply: Option<String> = redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(ttl))
                    .query_async(&mut conn.clone())
                    .await?;
                Ok(reply.is_some())
            }
        }
    }

    pub async fn del(&self, keys: &[&str]) -> Result<(), StoreError> {
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                for key in &keys {
                    state.entries.remove(key);
                }
                Ok(())
            }
            Backend::Redis(conn) => {
                // One DEL per key: the keys may live on different Cluster slots.
                let mut pipe = redis::pipe();
                for key in &keys {
                    pipe.cmd("DEL").arg(key).ignore();
                }
                Ok(pipe.query_async(&mut conn.clone()).await?)
            }
        }
    }

    /// Deletes `guard` and `also` only if `guard` still holds `expected`; true when deleted.
    /// This is llfc's lock release and session cleanup, made atomic.
    pub async fn compare_and_delete(&self, guard: &str, expected: &str, also: &[&str]) -> Result<bool, StoreError> {
        let guard = self.key(guard);
        let also: Vec<String> = also.iter().map(|k| self.key(k)).collect();
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                if state.get(&guard) != Some(expected) {
                    return Ok(false);
                }
                state.entries.remove(&guard);
                for key in &also {
                    state.entries.remove(key);
                }
                Ok(true)
            }
            Backend::Redis(conn) => {
                static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
                    redis::Script::new(
                        "if redis.call('GET', KEYS[1]) == ARGV[1] then
                             return redis.call('DEL', unpack(KEYS))
                         end
                         return 0",
                    )
                });
                let mut invocation = SCRIPT.prepare_invoke();
                invocation.key(guard).arg(expected);
                for key in also {
                    invocation.key(key);
                }
                let deleted: i64 = invocation.invoke_async(&mut conn.clone()).await?;
                Ok(deleted > 0)
            }
        }
    }

    /// In one atomic step: if `guard` holds `expected`, takes `lock_key` for `owner` (only if
    /// it is free, expiring after `ttl`) and reads the `read` keys. A login's token check, lock
    /// and reads in one round trip.
    pub async fn lock_if_equal(
        &self,
        guard: &str,
        expected: &str,
        lock_key: &str,
        owner: &str,
        ttl: Duration,
        read: &[&str],
    ) -> Result<GuardedLock, StoreError> {
        let (guard, lock_key) = (self.key(guard), self.key(lock_key));
        let read: Vec<String> = read.iter().map(|k| self.key(k)).collect();
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                match state.get(&guard) {
                    None => return Ok(GuardedLock::Missing),
                    Some(held) if !crate::constant_time_eq(held.as_bytes(), expected.as_bytes()) => {
                        return Ok(GuardedLock::Mismatch);
                    }
                    Some(_) => {}
                }
                if state.get(&lock_key).is_some() {
                    return Ok(GuardedLock::Busy);
                }
                state.set(lock_key, owner.to_owned(), Some(ttl));
                Ok(GuardedLock::Locked(read.iter().map(|k| state.get(k).map(str::to_owned)).collect()))
            }
            Backend::Redis(conn) => {
                // Lua 5.1 interns every string, so `~=` compares references: its time does not
                // depend on how much of a guessed token is right. A missing key reads as
                // `false`, which keeps its place in the reply as a nil.
                static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
                    redis::Script::new(
                        "local held = redis.call('GET', KEYS[1])
                         if not held then return {'missing'} end
                         if held ~= ARGV[1] then return {'mismatch'} end
                         if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
                             return {'busy'}
                         end
                         local out = {'locked'}
                         for i = 3, #KEYS do out[i - 1] = redis.call('GET', KEYS[i]) end
                         return out",
                    )
                });
                let mut invocation = SCRIPT.prepare_invoke();
                invocation.key(guard).key(lock_key).arg(expected).arg(owner).arg(millis(ttl));
                for key in &read {
                    invocation.key(key);
                }
                let reply: Vec<Option<String>> = invocation.invoke_async(&mut conn.clone()).await?;
                let mut reply = reply.into_iter();
                Ok(match reply.next().flatten().as_deref() {
                    Some("missing") => GuardedLock::Missing,
                    Some("mismatch") => GuardedLock::Mismatch,
                    Some("busy") => GuardedLock::Busy,
                    Some("locked") => {
                        let mut values: Vec<Option<String>> = reply.collect();
                        values.resize(read.len(), None);
                        GuardedLock::Locked(values)
                    }
                    other => {
                        let detail = format!("{other:?}");
                        let unexpected = (redis::ErrorKind::Parse, "unexpected lock script reply", detail);
                        return Err(redis::RedisError::from(unexpected).into());
                    }
                })
            }
        }
    }

    /// Takes `lock_key` for `owner` if it is free (expiring after `ttl`) and reads the `read`
    /// keys, in one atomic step; `None` while another owner holds it.
    pub async fn lock_and_read(
        &self,
        lock_key: &str,
        owner: &str,
        ttl: Duration,
        read: &[&str],
    ) -> Result<Option<Vec<Option<String>>>, StoreError> {
        let lock_key = self.key(lock_key);
        let read: Vec<String> = read.iter().map(|k| self.key(k)).collect();
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                if state.get(&lock_key).is_some() {
                    return Ok(None);
                }
                state.set(lock_key, owner.to_owned(), Some(ttl));
                Ok(Some(read.iter().map(|k| state.get(k).map(str::to_owned)).collect()))
            }
            Backend::Redis(conn) => {
                static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
                    redis::Script::new(
                        "if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
                             return {'busy'}
                         end
                         local out = {'locked'}
                         for i = 2, #KEYS do out[i] = redis.call('GET', KEYS[i]) end
                         return out",
                    )
                });
                let mut invocation = SCRIPT.prepare_invoke();
                invocation.key(lock_key).arg(owner).arg(millis(ttl));
                for key in &read {
                    invocation.key(key);
                }
                let reply: Vec<Option<String>> = invocation.invoke_async(&mut conn.clone()).await?;
                let mut reply = reply.into_iter();
                match reply.next().flatten().as_deref() {
                    Some("locked") => {
                        let mut values: Vec<Option<String>> = reply.collect();
                        values.resize(read.len(), None);
                        Ok(Some(values))
                    }
                    _ => Ok(None),
                }
            }
        }
    }

    /// Sets several keys with one expiry (an empty value deletes its key), then releases
    /// `lock_key` if `owner` still holds it, in one atomic step.
    pub async fn set_many_unlock(
        &self,
        pairs: &[(&str, &str)],
        ttl: Duration,
        lock_key: &str,
        owner: &str,
    ) -> Result<(), StoreError> {
        let lock_key = self.key(lock_key);
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                for (key, value) in pairs {
                    if value.is_empty() {
                        state.entries.remove(&self.key(key));
                    } else {
                        state.set(self.key(key), (*value).to_owned(), Some(ttl));
                    }
                }
                if state.get(&lock_key) == Some(owner) {
                    state.entries.remove(&lock_key);
                }
                Ok(())
            }
            Backend::Redis(conn) => {
                static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
                    redis::Script::new(
                        "for i = 2, #KEYS do
                             if ARGV[i + 1] == '' then redis.call('DEL', KEYS[i])
                             else redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[2]) end
                         end
                         if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
                         return 0",
                    )
                });
                let mut invocation = SCRIPT.prepare_invoke();
                invocation.key(lock_key).arg(owner).arg(millis(ttl));
                for (key, value) in pairs {
                    invocation.key(self.key(key)).arg(*value);
                }
                let _: i64 = invocation.invoke_async(&mut conn.clone()).await?;
                Ok(())
            }
        }
    }

    /// Sets `key` to `value` (expiring after `ttl`) only if it still holds `expected`, where
    /// `None` means "does not exist"; true when it was set.
    pub async fn set_if(
        &self,
        key: &str,
        expected: Option<&str>,
        value: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                if state.get(&key) != expected {
                    return Ok(false);
                }
                state.set(key, value.to_owned(), Some(ttl));
                Ok(true)
            }
            Backend::Redis(conn) => {
                static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
                    redis::Script::new(
                        "local held = redis.call('GET', KEYS[1])
                         if ARGV[1] == '1' then
                             if held ~= ARGV[2] then return 0 end
                         elseif held then
                             return 0
                         end
                         redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
                         return 1",
                    )
                });
                let (has_expected, expected) = match expected {
                    Some(value) => ("1", value),
                    None => ("0", ""),
                };
                let set: i64 = SCRIPT
                    .key(key)
                    .arg(has_expected)
                    .arg(expected)
                    .arg(value)
                    .arg(millis(ttl))
                    .invoke_async(&mut conn.clone())
                    .await?;
                Ok(set == 1)
            }
        }
    }

    /// One guess at a secret kept under `secret`, checked and counted in one atomic step.
    /// `counters` are the guess counters (per secret, per longer window) with their limits
    /// and lifetimes: a right guess deletes the secret and the first counter; a wrong one
    /// counts in every counter, and the secret goes once any counter reaches its limit; a
    /// guess while a counter is at its limit is not compared at all.
    pub async fn guess(
        &self,
        secret: &str,
        given: &str,
        counters: [(&str, i64, Duration); 2],
    ) -> Result<Guess, StoreError> {
        let secret = self.key(secret);
        let keys = counters.map(|(key, limit, ttl)| (self.key(key), limit, ttl));
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                let count =
                    |state: &MemoryState, key: &str| state.get(key).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
                let Some(stored) = state.get(&secret).map(str::to_owned) else { return Ok(Guess::Missing) };
                if keys.iter().any(|(key, limit, _)| count(&state, key) >= *limit) {
                    state.entries.remove(&secret);
                    return Ok(Guess::Exhausted);
                }
                if crate::constant_time_eq(stored.as_bytes(), given.as_bytes()) {
                    state.entries.remove(&secret);
                    state.entries.remove(&keys[0].0);
                    return Ok(Guess::Right);
                }
                let mut spent = false;
                for (key, limit, ttl) in &keys {
                    let next = count(&state, key) + 1;
                    let expires = if next == 1 { Some(Instant::now() + *ttl) } else { state.expiry(key) };
                    state.entries.insert(key.clone(), Entry { value: Value::Str(next.to_string()), expires });
                    spent |= next >= *limit;
                }
                if spent {
                    state.entries.remove(&secret);
                }
                Ok(Guess::Wrong)
            }
            Backend::Redis(conn) => {
                static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
                    redis::Script::new(
                        "local stored = redis.call('GET', KEYS[1])
                         if not stored then return 0 end
                         for i = 2, 3 do
                             if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then
                                 redis.call('DEL', KEYS[1])
                                 return 3
                             end
                         end
                         if stored == ARGV[1] then
                             redis.call('DEL', KEYS[1], KEYS[2])
                             return 1
                         end
                         local spent = false
                         for i = 2, 3 do
                             local n = redis.call('INCR', KEYS[i])
                             if n == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[i + 2]) end
                             if n >= tonumber(ARGV[i]) then spent = true end
                         end
                         if spent then redis.call('DEL', KEYS[1]) end
                         return 2",
                    )
                });
                let outcome: i64 = SCRIPT
                    .key(&secret)
                    .key(&keys[0].0)
                    .key(&keys[1].0)
                    .arg(given)
                    .arg(keys[0].1)
                    .arg(keys[1].1)
                    .arg(millis(keys[0].2))
                    .arg(millis(keys[1].2))
                    .invoke_async(&mut conn.clone())
                    .await?;
                Ok(match outcome {
                    1 => Guess::Right,
                    2 => Guess::Wrong,
                    3 => Guess::Exhausted,
                    _ => Guess::Missing,
                })
            }
        }
    }

    /// Increments a counter; a counter created by this call expires after `ttl`.
    pub async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                let next = state.get(&key).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0) + 1;
                let expires = if next == 1 { Some(Instant::now() + ttl) } else { state.expiry(&key) };
                state.entries.insert(key, Entry { value: Value::Str(next.to_string()), expires });
                Ok(next)
            }
            Backend::Redis(conn) => {
                static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
                    redis::Script::new(
                        "local n = redis.call('INCR', KEYS[1])
                         if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
                         return n",
                    )
                });
                let n: i64 = SCRIPT.key(key).arg(millis(ttl)).invoke_async(&mut conn.clone()).await?;
                Ok(n)
            }
        }
    }

    pub async fn ttl(&self, key: &str) -> Result<Ttl, StoreError> {
        let key = self.key(key);
        let secs: i64 = match &self.backend {
            Backend::Memory(state) => {
                let state = lock(state);
                match state.entries.get(&key).filter(|e| !e.is_expired()) {
                    None => -2,
                    Some(Entry { expires: None, .. }) => -1,
                    Some(Entry { expires: Some(at), .. }) => {
                        at.saturating_duration_since(Instant::now()).as_secs_f64().ceil() as i64
                    }
                }
            }
            Backend::Redis(conn) => redis::cmd("TTL").arg(key).query_async(&mut conn.clone()).await?,
        };
        Ok(match secs {
            -2 => Ttl::Missing,
            -1 => Ttl::Persistent,
            n => Ttl::Seconds(n),
        })
    }

    /// Refreshes the expiry of many keys in one round trip (missing keys are skipped).
    pub async fn expire_many(&self, keys: &[String], ttl: Duration) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                let at = Instant::now() + ttl;
                for key in keys {
                    if let Some(entry) = state.entries.get_mut(&self.key(key)) {
                        entry.expires = Some(at);
                    }
                }
                Ok(())
            }
            Backend::Redis(conn) => {
                let mut pipe = redis::pipe();
                for key in keys {
                    pipe.cmd("PEXPIRE").arg(self.key(key)).arg(millis(ttl)).ignore();
                }
                Ok(pipe.query_async(&mut conn.clone()).await?)
            }
        }
    }

    pub async fn hset(&self, key: &str, field: &str, value: &str) -> Result<(), StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => {
                let mut state = lock(state);
                let entry = state
                    .entries
                    .entry(key)
                    .or_insert_with(|| Entry { value: Value::Hash(HashMap::new()), expires: None });
                match &mut entry.value {
                    Value::Hash(map) => {
                        map.insert(field.to_owned(), value.to_owned());
                    }
                    other => *other = Value::Hash(HashMap::from([(field.to_owned(), value.to_owned())])),
                }
                Ok(())
            }
            Backend::Redis(conn) => {
                Ok(redis::cmd("HSET").arg(key).arg(field).arg(value).query_async(&mut conn.clone()).await?)
            }
        }
    }

    pub async fn hdel(&self, key: &str, field: &str) -> Result<(), StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => {
                if let Some(Entry { value: Value::Hash(map), .. }) = lock(state).entries.get_mut(&key) {
                    map.remove(field);
                }
                Ok(())
            }
            Backend::Redis(conn) => Ok(redis::cmd("HDEL").arg(key).arg(field).query_async(&mut conn.clone()).await?),
        }
    }

    pub async fn hgetall(&self, key: &str) -> Result<HashMap<String, String>, StoreError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(state) => Ok(match lock(state).entries.get(&key) {
                Some(Entry { value: Value::Hash(map), .. }) => map.clone(),
                _ => HashMap::new(),
            }),
            Backend::Redis(conn) => Ok(redis::cmd("HGETALL").arg(key).query_async(&mut conn.clone()).await?),
        }
    }

    /// Values of every key that starts with `prefix` (SCAN, never KEYS), keyed without the
    /// store prefix.
    pub async fn scan_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let pattern = self.key(prefix);
        match &self.backend {
            Backend::Memory(state) => {
                let state = lock(state);
                Ok(state
                    .entries
                    .iter()
                    .filter(|(k, e)| k.starts_with(&pattern) && !e.is_expired())
                    .filter_map(|(k, e)| match &e.value {
                        Value::Str(v) => Some((self.strip(k).to_owned(), v.clone())),
                        Value::Hash(_) => None,
                    })
                    .collect())
            }
            Backend::Redis(conn) => {
                let mut conn = conn.clone();
                let glob = format!("{}*", escape_glob(&pattern));
                let mut cursor = 0u64;
                let mut keys = Vec::new();
                loop {
                    let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(&glob)
                        .arg("COUNT")
                        .arg(500)
                        .query_async(&mut conn)
                        .await?;
                    keys.extend(batch);
                    if next == 0 {
                        break;
                    }
                    cursor = next;
                }
                if keys.is_empty() {
                    return Ok(Vec::new());
                }
                let values: Vec<Option<String>> = redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
                Ok(keys.iter().zip(values).filter_map(|(k, v)| v.map(|v| (self.strip(k).to_owned(), v))).collect())
            }
        }
    }
}

fn escape_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn lock(state: &Mutex<MemoryState>) -> std::sync::MutexGuard<'_, MemoryState> {
    // A panic while holding this lock cannot leave the map half-updated in a harmful way.
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Default)]
struct MemoryState {
    entries: HashMap<String, Entry>,
    /// Writes since the last sweep of expired keys.
    writes: u32,
}

struct Entry {
    value: Value,
    expires: Option<Instant>,
}

enum Value {
    Str(String),
    Hash(HashMap<String, String>),
}

impl Entry {
    fn is_expired(&self) -> bool {
        self.expires.is_some_and(|at| at <= Instant::now())
    }
}

/// Expired keys are dropped lazily on read and swept every this many writes.
const MEMORY_SWEEP_EVERY: u32 = 4096;

impl MemoryState {
    fn get(&self, key: &str) -> Option<&str> {
        match self.entries.get(key) {
            Some(entry) if !entry.is_expired() => match &entry.value {
                Value::Str(v) => Some(v),
                Value::Hash(_) => None,
            },
            _ => None,
        }
    }

    fn expiry(&self, key: &str) -> Option<Instant> {
        self.entries.get(key).and_then(|e| e.expires)
    }

    fn set(&mut self, key: String, value: String, ttl: Option<Duration>) {
        self.writes += 1;
        if self.writes >= MEMORY_SWEEP_EVERY {
            self.writes = 0;
            self.entries.retain(|_, e| !e.is_expired());
        }
        let expires = ttl.map(|ttl| Instant::now() + ttl);
        self.entries.insert(key, Entry { value: Value::Str(value), expires });
    }
}
