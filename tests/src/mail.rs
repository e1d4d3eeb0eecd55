//! Reading verification codes from what the servers mailed: `.eml` files (embedded) or the
//! SMTP sink's Maildir (production).

use std::path::PathBuf;

use crate::wait_for;

/// Where a cluster's mail ends up.
#[derive(Debug, Clone)]
pub enum Mail {
    Files(PathBuf),
    Maildir(PathBuf),
}

impl Mail {
    fn dir(&self) -> PathBuf {
        match self {
            Mail::Files(dir) => dir.clone(),
            Mail::Maildir(dir) => dir.join("new"),
        }
    }

    /// Every mail to `email`, oldest first.
    pub fn mails_to(&self, email: &str) -> Vec<String> {
        let mut found: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(self.dir())
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let text = std::fs::read_to_string(entry.path()).ok()?;
                let modified = entry.metadata().ok()?.modified().ok()?;
                addressed_to(&text, email).then_some((modified, text))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, text)| text).collect()
    }

    /// The code in the newest mail to `email`, waiting for it to arrive.
    pub async fn code_for(&self, email: &str) -> String {
        wait_for(&format!("a verification mail to {email}"), || async {
            self.mails_to(email).last().and_then(|text| code_in(text))
        })
        .await
    }

    /// How many mails `email` received.
    pub fn count_for(&self, email: &str) -> usize {
        self.mails_to(email).len()
    }
}

fn addressed_to(text: &str, email: &str) -> bool {
    text.lines().any(|line| {
        let lower = line.to_ascii_lowercase();
        (lower.starts_with("to:") || lower.starts_with("x-rcptto:")) && lower.contains(&email.to_ascii_lowercase())
    })
}

/// The 6-digit code after "code is".
pub fn code_in(text: &str) -> Option<String> {
    let rest = &text[text.find("code is ")? + "code is ".len()..];
    let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (code.len() == 6).then_some(code)
}
