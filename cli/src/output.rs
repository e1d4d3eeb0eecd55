//! Rendering results: aligned tables for people, JSON for programs. Pure functions over
//! values, so they are snapshot-tested without any server.

use std::io::IsTerminal;

use serde::Serialize;

use crate::cli::OutputArg;
use crate::errors::CliError;

/// The resolved output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
}

impl Format {
    /// `auto` is a table on a terminal and JSON when stdout is piped.
    pub fn resolve(arg: OutputArg) -> Format {
        match arg {
            OutputArg::Table => Format::Table,
            OutputArg::Json => Format::Json,
            OutputArg::Auto if std::io::stdout().is_terminal() => Format::Table,
            OutputArg::Auto => Format::Json,
        }
    }
}

/// A table: headers and rows of cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table { headers: headers.to_vec(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Columns padded to their widest cell, two spaces apart, no trailing spaces.
    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (idx, cell) in row.iter().enumerate().take(columns) {
                widths[idx] = widths[idx].max(cell.chars().count());
            }
        }
        let line = |cells: Vec<&str>| {
            let mut out = String::new();
            for (idx, cell) in cells.iter().enumerate() {
                out.push_str(cell);
                if idx + 1 < cells.len() {
                    out.extend(std::iter::repeat_n(' ', widths[idx] - cell.chars().count() + 2));
                }
            }
            out.trim_end().to_owned()
        };
        let mut out = line(self.headers.clone());
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row.iter().map(String::as_str).collect()));
            out.push('\n');
        }
        out
    }
}

/// One JSON document on one line.
pub fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("output types always serialise")
}

/// The JSON error envelope: `{"error":{"kind":..,"message":..}}`.
pub fn error_json(err: &CliError) -> String {
    json(&serde_json::json!({"error": {"kind": err.kind, "message": err.message}}))
}

/// A token as shown by default: enough to tell tokens apart, not enough to use one.
pub fn mask(token: &str) -> String {
    if token.is_empty() {
        return String::new();
    }
    let head: String = token.chars().take(4).collect();
    format!("{head}…")
}

/// Seconds as `1h 02m`, `5m 07s`, `42s`; `-` for none, `never` for no expiry.
pub fn duration(secs: i64) -> String {
    match secs {
        -2 => "-".into(),
        -1 => "never".into(),
        s if s >= 3600 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}
