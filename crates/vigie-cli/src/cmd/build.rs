//! `vigie build --sources DIR --out DIR` (one release directory, replaced atomically) or
//! `vigie build --data-dir DIR` (a new release in `DIR/releases/`, published only if the gate
//! passes).

use std::path::PathBuf;

use anyhow::Context;
use vigie_build::BuildReport;
use vigie_build::history::Outcome;

use crate::config::PngSetting;
use crate::plan::{BuildOverrides, BuildPlan};

/// Arguments of `vigie build`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("target").args(["out", "data_dir"]))]
pub struct Args {
    /// Directory of official data files (recognised by their header, any names, .gz accepted).
    /// Default with --data-dir: DIR/sources.
    #[arg(long, value_name = "DIR")]
    pub sources: Option<PathBuf>,
    /// Release directory to create, or to replace atomically when it exists (no gate).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Data directory: build a new immutable release into DIR/releases/, check it with the
    /// publish gate against the live release, and switch DIR/current to it only if it passes.
    /// Default without --out: `data_dir` of the configuration (vigie-data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// With --data-dir: number of past releases kept [config build.keep: 10].
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,
    /// With --data-dir: largest accepted drop of a source's row count against the live release
    /// [config build.max_volume_drop: 0.2].
    #[arg(long, value_name = "SHARE")]
    pub max_volume_drop: Option<f64>,
    /// With --data-dir: accept data ending before the live release's.
    #[arg(long)]
    pub allow_older_data: bool,
    /// Extra catalogue file(s) describing more sources or indicators (TOML).
    #[arg(long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// PNG copies to render: none, national (France and regions dashboards, maps), dashboards
    /// (every territory's dashboard, maps) or all (every chart). `vigie serve` renders any
    /// missing PNG on demand from its SVG [config build.png: national].
    #[arg(long, value_enum, value_name = "WHICH")]
    pub png: Option<PngSetting>,
    /// Vaccination coverage target (% of the population) for the projected dates [config
    /// build.coverage_target: 90].
    #[arg(long, value_name = "PERCENT")]
    pub coverage_target: Option<f64>,
    /// Do not render charts at all.
    #[arg(long)]
    pub no_charts: bool,
    /// Build time to record, ISO 8601 (default: now). Fixing it makes builds byte-reproducible.
    #[arg(long, value_name = "ISO-8601")]
    pub built_at: Option<String>,
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
pub fn run(args: Args, conf: &crate::config::Config, quiet: bool) -> anyhow::Result<()> {
    let built_at = match args.built_at {
        Some(t) => t,
        None => now()?,
    };
    let plan = BuildPlan::resolve(
        conf,
        &BuildOverrides {
            data_dir: args.data_dir.clone(),
            keep: args.keep,
            max_volume_drop: args.max_volume_drop,
            allow_older_data: args.allow_older_data,
            catalogs: args.catalogs.clone(),
            png: args.png,
            coverage_target: args.coverage_target,
            no_charts: args.no_charts,
        },
    )?;
    match &args.out {
        Some(out) => {
            let Some(sources) = args.sources.clone() else {
                anyhow::bail!("--sources is required with --out");
            };
            let opts = plan.options(sources.clone(), out.clone(), built_at);
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
        None => {
            let dir = plan.dir();
            let sources = args.sources.clone().unwrap_or_else(|| dir.sources());
            let outcome = plan
                .build_release(sources.clone(), built_at)
                .with_context(|| {
                    format!(
                        "build from {} failed; the live release was left unchanged",
                        sources.display()
                    )
                })?;
            match outcome {
                Outcome::Published(report, gate) => {
                    if !quiet {
                        summary(
                            &report,
                            &dir.releases()
                                .join(&report.release_id)
                                .display()
                                .to_string(),
                        );
                        println!("  gate passed: {} is live", report.release_id);
                        for line in &gate.diff {
                            println!("  changed: {line}");
                        }
                    }
                    Ok(())
                }
                Outcome::Refused(report, gate) => {
                    for line in &gate.diff {
                        eprintln!("  changed: {line}");
                    }
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
