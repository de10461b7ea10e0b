//! `vigie build --sources DIR --out DIR` (one release directory, replaced atomically) or
//! `vigie build --data-dir DIR` (a new release in `DIR/releases/`, published only if the gate
//! passes).

use std::path::PathBuf;

use anyhow::Context;
use vigie_build::charts::{ChartFormats, PngScope};
use vigie_build::gate::GatePolicy;
use vigie_build::history::{DataDir, Outcome};
use vigie_build::{BuildOptions, BuildReport};

/// Arguments of `vigie build`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["out", "data_dir"]))]
pub struct Args {
    /// Directory of official data files (recognised by their header, any names, .gz accepted).
    /// Default with --data-dir: DIR/sources.
    #[arg(long, value_name = "DIR", required_unless_present = "data_dir")]
    pub sources: Option<PathBuf>,
    /// Release directory to create, or to replace atomically when it exists (no gate).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Data directory: build a new immutable release into DIR/releases/, check it with the
    /// publish gate against the live release, and switch DIR/current to it only if it passes.
    #[arg(long, value_name = "DIR", env = "VIGIE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// With --data-dir: number of past releases kept.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub keep: usize,
    /// With --data-dir: largest accepted drop of a source's row count against the live release.
    #[arg(long, default_value_t = 0.2, value_name = "SHARE")]
    pub max_volume_drop: f64,
    /// With --data-dir: accept data ending before the live release's.
    #[arg(long)]
    pub allow_older_data: bool,
    /// Extra catalogue file(s) describing more sources or indicators (TOML).
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// PNG copies to render: none, national (France and regions dashboards, maps), dashboards
    /// (every territory's dashboard, maps) or all (every chart). `vigie serve` renders any
    /// missing PNG on demand from its SVG.
    #[arg(long, value_enum, default_value_t = PngArg::National, value_name = "WHICH")]
    pub png: PngArg,
    /// Vaccination coverage target (% of the population) for the projected dates.
    #[arg(long, default_value_t = 90.0, value_name = "PERCENT")]
    pub coverage_target: f64,
    /// Do not render charts at all.
    #[arg(long)]
    pub no_charts: bool,
    /// Build time to record, ISO 8601 (default: now). Fixing it makes builds byte-reproducible.
    #[arg(long, value_name = "ISO-8601")]
    pub built_at: Option<String>,
}

/// PNG scope on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PngArg {
    /// No PNG.
    None,
    /// France and regions dashboards, maps.
    National,
    /// Every territory's dashboard, maps.
    Dashboards,
    /// Every chart.
    All,
}

/// The current time, ISO 8601 to the second.
pub fn now() -> anyhow::Result<String> {
    Ok(jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .context("clock")?
        .to_string())
}

fn summary(report: &BuildReport, place: &str) {
    println!(
        "release {} written to {place}: {} files, {} rows read, {} indicator rows, {} territory×breakdown groups, {} charts",
        report.release_id,
        report.files_used,
        report.rows_read,
        report.rows_written,
        report.groups,
        report.charts
    );
    for f in &report.files_unrecognised {
        println!("  not recognised: {f}");
    }
    let total: f64 = report.timings.iter().map(|t| t.1).sum();
    let detail: Vec<String> = report
        .timings
        .iter()
        .map(|(n, s)| format!("{n} {s:.3}s"))
        .collect();
    println!("  time {total:.3}s ({})", detail.join(", "));
}

/// Runs the build and prints a summary.
pub fn run(args: Args, quiet: bool) -> anyhow::Result<()> {
    let built_at = match args.built_at {
        Some(t) => t,
        None => now()?,
    };
    let data_dir = args.data_dir.clone().map(DataDir::new);
    let sources = match (&args.sources, &data_dir) {
        (Some(s), _) => s.clone(),
        (None, Some(d)) => d.sources(),
        (None, None) => anyhow::bail!("--sources is required without --data-dir"),
    };
    let opts = BuildOptions {
        sources: sources.clone(),
        out: args.out.clone().unwrap_or_default(),
        catalogs: args.catalogs,
        built_at,
        charts: ChartFormats {
            svg: !args.no_charts,
            png: match args.png {
                PngArg::None => PngScope::None,
                PngArg::National => PngScope::National,
                PngArg::Dashboards => PngScope::Dashboards,
                PngArg::All => PngScope::All,
            },
        },
        coverage_target: args.coverage_target,
    };
    match data_dir {
        None => {
            let out = opts.out.clone();
            let report = vigie_build::build(&opts).with_context(|| {
                format!(
                    "build from {} failed; {} was left unchanged",
                    sources.display(),
                    out.display()
                )
            })?;
            if !quiet {
                summary(&report, &out.display().to_string());
            }
            Ok(())
        }
        Some(dir) => {
            let policy = GatePolicy {
                max_volume_drop: args.max_volume_drop,
                allow_older_data: args.allow_older_data,
            };
            let outcome = dir.build(&opts, policy, args.keep).with_context(|| {
                format!(
                    "build from {} failed; the live release was left unchanged",
                    sources.display()
                )
            })?;
            match outcome {
                Outcome::Published(report, _) => {
                    if !quiet {
                        summary(
                            &report,
                            &dir.releases()
                                .join(&report.release_id)
                                .display()
                                .to_string(),
                        );
                        println!("  gate passed: {} is live", report.release_id);
                    }
                    Ok(())
                }
                Outcome::Refused(report, gate) => {
                    anyhow::bail!(
                        "release {} refused by the publish gate, the live release {} stays: {}",
                        report.release_id,
                        gate.previous_release_id.as_deref().unwrap_or("(none)"),
                        gate.failures().join("; ")
                    )
                }
            }
        }
    }
}
