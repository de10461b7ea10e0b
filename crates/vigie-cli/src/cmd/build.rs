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
    pub png: Option<PngArg>,
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

/// The PNG scope named in the configuration.
pub fn png_scope(name: &str) -> anyhow::Result<PngScope> {
    Ok(match name {
        "none" => PngScope::None,
        "national" => PngScope::National,
        "dashboards" => PngScope::Dashboards,
        "all" => PngScope::All,
        other => {
            anyhow::bail!("build.png: unknown value {other:?} (none, national, dashboards or all)")
        }
    })
}

/// Runs the build and prints a summary.
pub fn run(args: Args, conf: &crate::config::Config, quiet: bool) -> anyhow::Result<()> {
    let built_at = match args.built_at {
        Some(t) => t,
        None => now()?,
    };
    let data_dir = match (&args.data_dir, &args.out) {
        (Some(d), _) => Some(DataDir::new(d)),
        (None, Some(_)) => None,
        (None, None) => Some(DataDir::new(&conf.data_dir)),
    };
    let mut catalogs = conf.build.catalogs.clone();
    catalogs.extend(args.catalogs);
    let sources = match (&args.sources, &data_dir) {
        (Some(s), _) => s.clone(),
        (None, Some(d)) => d.sources(),
        (None, None) => anyhow::bail!("--sources is required without --data-dir"),
    };
    let opts = BuildOptions {
        sources: sources.clone(),
        out: args.out.clone().unwrap_or_default(),
        catalogs,
        built_at,
        charts: ChartFormats {
            svg: !args.no_charts,
            png: match args.png {
                Some(PngArg::None) => PngScope::None,
                Some(PngArg::National) => PngScope::National,
                Some(PngArg::Dashboards) => PngScope::Dashboards,
                Some(PngArg::All) => PngScope::All,
                None => png_scope(&conf.build.png)?,
            },
        },
        coverage_target: args.coverage_target.unwrap_or(conf.build.coverage_target),
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
                max_volume_drop: args.max_volume_drop.unwrap_or(conf.build.max_volume_drop),
                allow_older_data: args.allow_older_data || conf.build.allow_older_data,
            };
            let keep = args.keep.unwrap_or(conf.build.keep);
            let outcome = dir.build(&opts, policy, keep).with_context(|| {
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
