//! What can go wrong, as the user should hear it, and the documented exit codes. The one
//! place SDK errors are mapped for the command line.

use imchat_sdk::SdkError;
use imchat_sdk::proto::ErrorCode;
use serde::Serialize;

/// Exit codes (also listed in `imctl --help`).
pub mod exit {
    pub const OK: i32 = 0;
    pub const INTERNAL: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const NOT_FOUND: i32 = 3;
    pub const UNREACHABLE: i32 = 4;
    pub const REJECTED: i32 = 5;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Usage,
    NotFound,
    Unreachable,
    Rejected,
    Internal,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Usage => exit::USAGE,
            ErrorKind::NotFound => exit::NOT_FOUND,
            ErrorKind::Unreachable => exit::UNREACHABLE,
            ErrorKind::Rejected => exit::REJECTED,
            ErrorKind::Internal => exit::INTERNAL,
        }
    }
}

/// An error ready to be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub kind: ErrorKind,
    pub message: String,
    /// The command's JSON output already tells the story (e.g. per-uid results), so no
    /// JSON error envelope follows it; the message still goes to stderr for people.
    pub reported: bool,
}

impl CliError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CliError {
        CliError { kind, message: message.into(), reported: false }
    }

    /// An error whose details are already in the printed result.
    pub fn reported(mut self) -> CliError {
        self.reported = true;
        self
    }

    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(ErrorKind::Usage, message)
    }

    pub fn not_found(message: impl Into<String>) -> CliError {
        CliError::new(ErrorKind::NotFound, message)
    }
}

/// Which server a call went to, for messages that tell the user what to change.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Gate(&'a str),
    Status(&'a str),
    /// A chat server, as listed by the status server.
    Chat(&'a str),
}

impl Target<'_> {
    fn describe(&self) -> String {
        match self {
            Target::Gate(addr) => format!("the gate at {addr} (set --gate or IMCTL_GATE)"),
            Target::Status(addr) => format!("the status server at {addr} (set --status or IMCTL_STATUS)"),
            Target::Chat(addr) => format!("the chat server at {addr} (as listed by the status server)"),
        }
    }
}

/// Maps an SDK error from a call to `target`.
pub fn from_sdk(err: SdkError, target: Target<'_>) -> CliError {
    let unreachable = |detail: &dyn std::fmt::Display| {
        CliError::new(ErrorKind::Unreachable, format!("cannot reach {}: {detail}", target.describe()))
    };
    match err {
        SdkError::Connect { source, .. } => unreachable(&source),
        SdkError::Http(http) if http.is_connect() || http.is_timeout() => {
            let cause = root_cause(&http);
            if cause.contains("certificate") {
                unreachable(&format!("{cause} (a self-signed certificate? trust it with --ca-cert FILE)"))
            } else {
                unreachable(&cause)
            }
        }
        SdkError::Tls(detail) => CliError::new(ErrorKind::Usage, format!("TLS: {detail}")),
        SdkError::Timeout(after) => unreachable(&format!("no answer within {after:?}")),
        SdkError::Closed => unreachable(&"the connection closed"),
        SdkError::Server { code, message } => {
            let known = ErrorCode::try_from(code).ok();
            let text =
                if message.is_empty() { known.map_or("refused", ErrorCode::describe).to_owned() } else { message };
            let kind = if known == Some(ErrorCode::UidInvalid) { ErrorKind::NotFound } else { ErrorKind::Rejected };
            CliError::new(kind, format!("{text} (error {code})"))
        }
        SdkError::Rpc(status) => match status.code() {
            tonic::Code::Unavailable | tonic::Code::DeadlineExceeded | tonic::Code::Cancelled => {
                unreachable(&status.message())
            }
            tonic::Code::NotFound => CliError::not_found(status.message().to_owned()),
            // llfc's StatusServer has StatusService but not imchat's AdminService.
            tonic::Code::Unimplemented => CliError::new(
                ErrorKind::Rejected,
                format!(
                    "{} has no imchat admin service (an llfc server?): operator commands need imchat's status server",
                    target.describe()
                ),
            ),
            tonic::Code::Unauthenticated => CliError::new(
                ErrorKind::Rejected,
                format!(
                    "{} refused imctl: set IMCHAT_INTERNAL_SECRET (or `secret_file` under [imctl] in --config) to the \
                     deployment's [Internal] Secret",
                    target.describe()
                ),
            ),
            _ => CliError::new(ErrorKind::Internal, format!("{} failed: {}", target.describe(), status.message())),
        },
        other => CliError::new(ErrorKind::Internal, other.to_string()),
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_llfc_status_server_is_named_as_such() {
        // What llfc's StatusServer answers for AdminService, which it does not have.
        let err = from_sdk(SdkError::Rpc(tonic::Status::unimplemented("")), Target::Status("10.0.0.1:50052"));
        assert_eq!(err.kind, ErrorKind::Rejected);
        assert!(err.message.contains("has no imchat admin service"), "{}", err.message);
        assert!(err.message.contains("10.0.0.1:50052"), "{}", err.message);
    }

    #[test]
    fn a_code_without_a_message_reads_as_its_meaning() {
        let err = from_sdk(SdkError::Server { code: 1009, message: String::new() }, Target::Gate("g"));
        assert_eq!(err.message, "wrong email or password (error 1009)");
    }
}
