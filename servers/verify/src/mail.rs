//! Outgoing mail: SMTP (plain, STARTTLS or implicit TLS, optional credentials) or `.eml`
//! files in a directory (the embedded default and tests).

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one SMTP exchange may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a local relay or a test sink).
    None,
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
}

/// Where mail goes.
#[derive(Clone)]
pub enum MailConfig {
    Smtp { host: String, port: u16, tls: SmtpTls, username: Option<String>, password: Option<String>, from: String },
    Files { dir: PathBuf, from: String },
}

impl std::fmt::Debug for MailConfig {
    // Hand-written so the SMTP password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailConfig::Smtp { host, port, tls, username, from, .. } => f
                .debug_struct("Smtp")
                .field("host", host)
                .field("port", port)
                .field("tls", tls)
                .field("username", username)
                .field("password", &"<redacted>")
                .field("from", from)
                .finish(),
            MailConfig::Files { dir, from } => f.debug_struct("Files").field("dir", dir).field("from", from).finish(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("bad address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("building the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("smtp: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("writing the mail file: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("creating the mail directory: {0}")]
    Dir(#[from] std::io::Error),
}

/// A configured mail transport. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    from: String,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Files(_) => "files",
        };
        f.debug_struct("Mailer").field("from", &self.from).field("transport", &kind).finish()
    }
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        Ok(match config {
            MailConfig::Smtp { host, port, tls, username, password, from } => {
                let builder = match tls {
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                    SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
                    SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
                };
                let mut builder = builder.port(*port).timeout(Some(SMTP_TIMEOUT));
                if let Some(username) = username {
                    let password = password.clone().unwrap_or_default();
                    builder = builder.credentials(Credentials::new(username.clone(), password));
                }
                Mailer { from: from.clone(), transport: Transport::Smtp(builder.build()) }
            }
            MailConfig::Files { dir, from } => {
                std::fs::create_dir_all(dir)?;
                Mailer { from: from.clone(), transport: Transport::Files(AsyncFileTransport::new(dir)) }
            }
        })
    }

    /// Mails `code` to `to`.
    pub async fn send_code(&self, to: &str, code: &str, valid_for: Duration) -> Result<(), MailError> {
        let minutes = valid_for.as_secs().div_ceil(60);
        let body = format!(
            "Your imchat verification code is {code}\r\n\r\n\
             It is valid for {minutes} minutes and can be used once.\r\n\
             If you did not ask for it, ignore this mail.\r\n"
        );
        let message = Message::builder()
            .from(self.from.parse()?)
            .to(to.parse()?)
            .subject(format!("imchat verification code {code}"))
            .header(ContentType::TEXT_PLAIN)
            .body(body)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Files(files) => {
                files.send(message).await?;
            }
        }
        Ok(())
    }
}
