//! The `vigie` command line. Exit codes: 0 success, 1 the operation failed (bad input data,
//! I/O, network), 2 wrong usage (unknown flag, missing argument).

mod cmd;
mod config;
mod finder;
mod plan;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc keeps freed pages for the next allocations: a replayed national scan reads
/// hundreds of MB of platform answers, one buffer each, which the system allocator maps and
/// zeroes afresh every time (bench/scan/README.md: −20 to −35 % wall time).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Vigie: public-health open data, indicators, charts and vaccination slots, self-hosted.
#[derive(Debug, Parser)]
#[command(name = "vigie", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// More detail (-v info about each step, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Configuration file (TOML; `vigie config defaults` prints a documented one). Default:
    /// ./vigie.toml when it exists.
    #[arg(long, global = true, env = "VIGIE_CONFIG", value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Download the official files into the data directory (conditional, resumable, with
    /// provenance), or import them from a local mirror (--from).
    Fetch(cmd::fetch::Args),
    /// Compute indicators, open data and charts from a directory of official files into a new
    /// release, switched in atomically.
    Build(cmd::build::Args),
    /// Write the whole site and its data as static files, switched in atomically.
    Publish(cmd::publish::Args),
    /// Scan the booking platforms for vaccination slots: centres, slots, the ViteMaDose v2
    /// files and Vigie's open data, switched in atomically.
    Scan(cmd::scan::Args),
    /// Serve the web pages and the JSON API over a release.
    Serve(cmd::serve::Args),
    /// Show the live release, the last build and the gate's decision, and each source's freshness.
    Status(cmd::status::Args),
    /// Print the documented default configuration, or the effective one.
    Config(config::Args),
    /// Manage the moderators of citizen contributions (add prints their password and token once).
    Moderators(cmd::contributions::ModeratorArgs),
    /// The citizen contributions' public register (export).
    Contributions(cmd::contributions::ContributionArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("VIGIE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let result = config::Config::load(cli.config.as_deref()).and_then(|conf| match cli.command {
        Command::Build(args) => cmd::build::run(args, &conf, cli.quiet),
        Command::Fetch(args) => cmd::fetch::run(args, &conf, cli.quiet),
        Command::Publish(args) => cmd::publish::run(args, &conf, cli.quiet),
        Command::Scan(args) => cmd::scan::run(args, &conf, cli.quiet),
        Command::Serve(args) => cmd::serve::run(args, &conf),
        Command::Status(args) => cmd::status::run(args, &conf),
        Command::Config(args) => config::run(args, &conf),
        Command::Moderators(args) => cmd::contributions::moderators(args, &conf),
        Command::Contributions(args) => cmd::contributions::contributions(args, &conf),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
