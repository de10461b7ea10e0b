//! `vigie fetch`: official files into the data directory's `sources/`, with provenance.

use std::path::PathBuf;

use vigie_fetch::Outcome;

use crate::plan::{FetchOverrides, FetchPlan};

/// Arguments of `vigie fetch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Import a local mirror instead of downloading: files with their official names (any
    /// layout; sub-folders are flattened). For offline machines [config fetch.mirror].
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// Data directory whose `sources/` receives the files.
    /// [config data_dir: vigie-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Resource list (TOML, see --print-config); default: the built-in list of official
    /// resources [config fetch.resources].
    #[arg(long, env = "VIGIE_FETCH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fetch only these resource ids.
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// Timeout of each download, in seconds [config fetch.timeout: 300].
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Print the built-in resource list and exit.
    #[arg(long)]
    pub print_config: bool,
}

/// Fetches or imports, prints one line per resource; fails if any resource failed (the others
/// are kept).
pub fn run(args: Args, conf: &crate::config::Config, quiet: bool) -> anyhow::Result<()> {
    if args.print_config {
        print!("{}", vigie_fetch::default_config());
        return Ok(());
    }
    let plan = FetchPlan::resolve(
        conf,
        &FetchOverrides {
            data_dir: args.data_dir.clone(),
            mirror: args.from.clone(),
            resources: args.config.clone(),
            only: args.only.clone(),
            timeout: args.timeout,
        },
    )?;
    let sources = plan.sources.clone();
    let progress = if quiet {
        vigie_fetch::Progress::Hidden
    } else {
        vigie_fetch::Progress::Auto
    };
    let results = plan.run(progress)?;
    let (mut new, mut updated, mut unchanged, mut failed) = (0, 0, 0, 0);
    for (id, o) in &results {
        match o {
            Outcome::New { .. } => new += 1,
            Outcome::Updated { .. } => updated += 1,
            Outcome::Unchanged => unchanged += 1,
            Outcome::Failed(e) => {
                failed += 1;
                eprintln!("error: {id}: {e}");
            }
        }
        if !quiet && !matches!(o, Outcome::Failed(_)) {
            tracing::info!("{id}: {o:?}");
        }
    }
    if !quiet {
        println!(
            "{new} new, {updated} updated, {unchanged} unchanged, {failed} failed → {}",
            sources.display()
        );
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} resource(s) failed; the others were fetched and previous files were kept"
        );
    }
    Ok(())
}
