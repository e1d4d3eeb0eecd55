//! One module per subcommand group; each exposes `run(ctx, ...)`.

pub mod bench;
pub mod files;
pub mod group;
pub mod kick;
pub mod servers;
pub mod sessions;
pub mod token;
pub mod user;

use imchat_sdk::AdminClient;

use crate::Context;
use crate::errors::{CliError, Target, from_sdk};

/// Connects to the status server's admin API.
async fn admin(ctx: &Context) -> Result<AdminClient, CliError> {
    AdminClient::connect(&ctx.status, ctx.secret.as_deref())
        .await
        .map_err(|err| from_sdk(err, Target::Status(&ctx.status)))
}

/// Shows progress on stderr for work over many items; hidden when stderr is not a terminal
/// or with `--quiet`.
fn progress(ctx: &Context, len: usize, what: &'static str) -> indicatif::ProgressBar {
    if ctx.quiet || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_message(what);
    bar
}
