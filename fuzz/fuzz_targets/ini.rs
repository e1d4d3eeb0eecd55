//! Fuzz target for the INI reader every server config goes through (`config/ini.rs`, compiled
//! in here from its source: it is std only): arbitrary text and environment overrides are
//! parsed, read as every kind of value the configs ask for, and finished (every problem
//! reported), without a panic.
//! Run: `cargo fuzz run -s none ini -- -max_total_time=600` (from `fuzz/`).

#![no_main]

#[path = "../../servers/server/src/config/ini.rs"]
mod ini;

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first line, if it looks like `KEY=value`, is an environment override.
    let (env, text) = match text.split_once('\n') {
        Some((first, rest)) if first.contains('=') => {
            let (key, value) = first.split_once('=').unwrap_or_default();
            (HashMap::from([(format!("{}{key}", ini::ENV_PREFIX), value.to_owned())]), rest)
        }
        _ => (HashMap::new(), text),
    };
    let mut reader = ini::Reader::parse("fuzz.ini", text, env);
    for section in ["GateServer", "Limits", "Mysql", "Redis", "SelfServer", "Internal", "x"] {
        let _ = reader.has_section(section);
        let _ = reader.optional::<u16>(section, "Port", "a port");
        let _ = reader.or::<u64>(section, "MaxBody", "a byte count", 8192);
        let _ = reader.or::<bool>(section, "AllowHttp", "true or false", false);
        let _ = reader.at_most::<usize>(section, "Limit", "a count", 1, 65_535);
        let _ = reader.required::<String>(section, "Host", "a host");
        let _ = reader.optional::<ini::Secret>(section, "Secret", "a secret");
        let _ = reader.optional::<i64>(section, "Ttl", "seconds");
    }
    let _ = reader.finish().map_err(|err| err.to_string());
});
