//! `imctl`: parse the command line, run it, exit with its documented code.

use clap::Parser;
use imchat_cli::cli::Cli;

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("imctl: cannot start: {err}");
            std::process::exit(imchat_cli::errors::exit::INTERNAL);
        }
    };
    let code = runtime.block_on(imchat_cli::run(cli));
    std::process::exit(code);
}
