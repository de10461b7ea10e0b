//! `vigie fetch`: official files into the data directory's `sources/`, with provenance.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use vigie_fetch::{FetchOptions, Outcome};

/// Arguments of `vigie fetch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Import a local mirror instead of downloading: files with their official names (any
    /// layout; sub-folders are flattened). For offline machines.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// Data directory whose `sources/` receives the files.
    /// [config data_dir: vigie-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Resource list (TOML, see --print-config); default: the built-in list of official resources.
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
    let sources = args
        .data_dir
        .clone()
        .unwrap_or_else(|| conf.data_dir.clone())
        .join("sources");
    let resources = args.config.clone().or_else(|| {
        (!conf.fetch.resources.is_empty()).then(|| PathBuf::from(&conf.fetch.resources))
    });
    let now = super::build::now()?;
    let results = match &args.from {
        Some(dir) => vigie_fetch::import_dir(dir, &sources, &now)
            .with_context(|| format!("importing {}", dir.display()))?,
        None => {
            let (text, origin) = match &resources {
                Some(p) => (
                    std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                    p.display().to_string(),
                ),
                None => (
                    vigie_fetch::default_config().to_string(),
                    "built-in".to_string(),
                ),
            };
            let mut list = vigie_fetch::parse_config(&text, &origin)?;
            if !args.only.is_empty() {
                list.retain(|r| args.only.contains(&r.id));
            }
            let opts = FetchOptions {
                timeout: Duration::from_secs(args.timeout.unwrap_or(conf.fetch.timeout).max(1)),
                user_agent: format!(
                    "vigie/{} (+https://github.com/vigie; open-data mirror)",
                    env!("CARGO_PKG_VERSION")
                ),
                now,
            };
            let progress = if quiet {
                vigie_fetch::Progress::Hidden
            } else {
                vigie_fetch::Progress::Auto
            };
            vigie_fetch::fetch_all_with(&list, &sources, &opts, progress)
                .with_context(|| format!("writing into {}", sources.display()))?
        }
    };
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
