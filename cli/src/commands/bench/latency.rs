//! W7: latency under open-loop load. Measures the closed-loop maximum first, then sends on a
//! fixed schedule at given shares of it, with the same users, so one run shows the curve.

use crate::Context;
use crate::cli::LatencyBench;
use crate::commands::bench::chat::{Load, befriend, connect, drive, scenario};
use crate::commands::bench::{Report, Setup, setup};
use crate::errors::CliError;

pub async fn run(ctx: &Context, opts: &LatencyBench) -> Result<Vec<Report>, CliError> {
    if opts.users < 2 || !opts.users.is_multiple_of(2) {
        return Err(CliError::usage("--users must be an even number of at least 2"));
    }
    if opts.loads.iter().any(|l| *l == 0 || *l > 100) {
        return Err(CliError::usage("--loads are percentages of the maximum, 1 to 100"));
    }
    let needed = if opts.cross_server { 2 } else { 1 };
    let Setup { servers, users: people, .. } = setup(ctx, &opts.mail_dir, "lat", opts.users, needed).await?;
    let mut load = Load::burst(opts.messages, opts.size, opts.window, opts.max_secs);

    let mut clients = connect(&people, &servers, opts.cross_server).await?;
    let threads = befriend(&mut clients).await?;
    let mut reports = vec![drive(ctx, clients, &threads, &load, scenario(opts.cross_server, &load)).await?];
    let max = reports[0].per_sec;
    for share in &opts.loads {
        load.rate = Some(((max * f64::from(*share) / 100.0) as u64).max(1));
        // Fresh connections with the same users and threads: each phase starts clean.
        let clients = connect(&people, &servers, opts.cross_server).await?;
        let name = format!("{} ({share}% of max)", scenario(opts.cross_server, &load));
        reports.push(drive(ctx, clients, &threads, &load, name).await?);
    }
    Ok(reports)
}
