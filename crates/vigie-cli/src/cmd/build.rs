//! `vigie build --sources DIR --out DIR`.

use std::path::PathBuf;

use anyhow::Context;
use vigie_build::BuildOptions;
use vigie_build::charts::{ChartFormats, PngScope};

/// Arguments of `vigie build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory of official data files (recognised by their header, any names, .gz accepted).
    #[arg(long, value_name = "DIR")]
    pub sources: PathBuf,
    /// Release directory to create, or to replace atomically when it exists.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
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

/// Runs the build and prints a summary.
pub fn run(args: Args, quiet: bool) -> anyhow::Result<()> {
    let built_at = match args.built_at {
        Some(t) => t,
        None => jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .context("clock")?
            .to_string(),
    };
    let opts = BuildOptions {
        sources: args.sources.clone(),
        out: args.out.clone(),
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
    let report = vigie_build::build(&opts).with_context(|| {
        format!(
            "build from {} failed; {} was left unchanged",
            args.sources.display(),
            args.out.display()
        )
    })?;
    if !quiet {
        println!(
            "release {} written to {}: {} files, {} rows read, {} indicator rows, {} territory×breakdown groups, {} charts",
            report.release_id,
            args.out.display(),
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
    Ok(())
}
