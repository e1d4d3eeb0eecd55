//! Request counters in the Prometheus text format, rendered by hand (a handful of counters
//! does not justify a metrics stack).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Routes with their own counters.
pub(crate) const ROUTES: [&str; 4] = ["get_varifycode", "user_register", "reset_pwd", "user_login"];

#[derive(Default)]
pub(crate) struct Metrics {
    requests: [AtomicU64; ROUTES.len()],
    failures: [AtomicU64; ROUTES.len()],
    rate_limited: AtomicU64,
}

impl Metrics {
    pub(crate) fn record(&self, route: usize, error: i32) {
        self.requests[route].fetch_add(1, Ordering::Relaxed);
        if error != 0 {
            self.failures[route].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP imchat_gate_requests_total Requests per route.\n");
        out.push_str("# TYPE imchat_gate_requests_total counter\n");
        for (idx, route) in ROUTES.iter().enumerate() {
            let n = self.requests[idx].load(Ordering::Relaxed);
            let _ = writeln!(out, "imchat_gate_requests_total{{route=\"{route}\"}} {n}");
        }
        out.push_str("# HELP imchat_gate_failures_total Requests answered with a non-zero error.\n");
        out.push_str("# TYPE imchat_gate_failures_total counter\n");
        for (idx, route) in ROUTES.iter().enumerate() {
            let n = self.failures[idx].load(Ordering::Relaxed);
            let _ = writeln!(out, "imchat_gate_failures_total{{route=\"{route}\"}} {n}");
        }
        out.push_str("# HELP imchat_gate_rate_limited_total Requests refused by a rate limit.\n");
        out.push_str("# TYPE imchat_gate_rate_limited_total counter\n");
        let _ = writeln!(out, "imchat_gate_rate_limited_total {}", self.rate_limited.load(Ordering::Relaxed));
        out
    }
}
