//! The imchat server suite as a library: role configuration from INI files ([`config`]),
//! starting roles and the embedded all-in-one suite ([`cluster`]), and the command line
//! ([`cli`]). The `imchat-server` binary is a thin shell over these.

pub mod cli;
pub mod cluster;
pub mod config;
pub mod tls;
