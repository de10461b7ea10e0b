//! `vigie moderators add|list|remove` and `vigie contributions export`: the moderators of the
//! citizen contributions and the public register, over the data directory's desk
//! (`DIR/contributions/contributions.sqlite`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

/// Arguments of `vigie moderators`.
#[derive(Debug, clap::Args)]
pub struct ModeratorArgs {
    #[command(subcommand)]
    pub action: ModeratorAction,
    /// Data directory.
    /// [config data_dir: vigie-data]
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

/// What to do with moderators.
#[derive(Debug, clap::Subcommand)]
pub enum ModeratorAction {
    /// Create a moderator and print, once, the lines `password: …` (for /moderation) and
    /// `token: …` (for `Authorization: Bearer` on the moderation API). Both are stored hashed
    /// (argon2id) and cannot be shown again.
    Add {
        /// Name (letters, digits, '-', '_', '.').
        name: String,
    },
    /// List the moderators.
    List,
    /// Remove a moderator (their sessions end, their token stops working).
    Remove {
        /// Name.
        name: String,
    },
}

/// Arguments of `vigie contributions`.
#[derive(Debug, clap::Args)]
pub struct ContributionArgs {
    #[command(subcommand)]
    pub action: ContributionAction,
    /// Data directory.
    /// [config data_dir: vigie-data]
    #[arg(long, value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

/// What to do with contributions.
#[derive(Debug, clap::Subcommand)]
pub enum ContributionAction {
    /// Write the public register (decided contributions, no personal data).
    Export {
        /// `csv` (the columns of contributions.csv) or `json` (as GET /api/v1/contributions).
        #[arg(long, default_value = "csv")]
        format: String,
        /// Output file; default: standard output.
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Print the contributors to tell of a decision, one per line, tab-separated: id, status,
    /// decision time (RFC 3339), e-mail address. Vigie sends no e-mail itself; the addresses
    /// are deleted after `[contributions] email_retention_days`. Not for publication.
    Notify,
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn desk(
    data_dir: Option<PathBuf>,
    conf: &crate::config::Config,
) -> anyhow::Result<vigie_contributions::Desk> {
    let dir = data_dir.unwrap_or_else(|| conf.data_dir.clone());
    vigie_contributions::Desk::open(&dir, conf.contributions.settings()).with_context(|| {
        format!(
            "opening {}",
            vigie_contributions::store::path_in(&dir).display()
        )
    })
}

/// `vigie moderators …`.
pub fn moderators(args: ModeratorArgs, conf: &crate::config::Config) -> anyhow::Result<()> {
    let desk = desk(args.data_dir, conf)?;
    match args.action {
        ModeratorAction::Add { name } => {
            let m = desk.add_moderator(&name, now())?;
            println!("moderator: {}", name.trim());
            println!("password: {}", m.password);
            println!("token: {}", m.token);
            eprintln!("(shown once: both are stored hashed and cannot be shown again)");
        }
        ModeratorAction::List => {
            for m in desk.moderators()? {
                println!(
                    "{}\t{}",
                    m.name,
                    vigie_contributions::overlay::rfc3339(m.created_at)
                );
            }
        }
        ModeratorAction::Remove { name } => {
            if !desk.remove_moderator(&name)? {
                anyhow::bail!("no moderator named {name}");
            }
            println!("removed: {name}");
        }
    }
    Ok(())
}

/// `vigie contributions …`.
pub fn contributions(args: ContributionArgs, conf: &crate::config::Config) -> anyhow::Result<()> {
    let desk = desk(args.data_dir, conf)?;
    match args.action {
        ContributionAction::Notify => {
            for (id, status, at, email) in desk.to_notify()? {
                println!(
                    "{id}\t{}\t{}\t{email}",
                    status.as_str(),
                    vigie_contributions::overlay::rfc3339(at)
                );
            }
        }
        ContributionAction::Export { format, out } => {
            let entries = desk.register()?;
            let bytes = match format.as_str() {
                "csv" => vigie_contributions::register::csv(&entries)?,
                "json" => serde_json::to_vec_pretty(&serde_json::json!({
                    "count": entries.len(),
                    "entries": entries,
                }))?,
                other => anyhow::bail!("--format {other}: expected csv or json"),
            };
            match out {
                Some(path) => {
                    // Written beside its place and renamed: a reader never sees half a file.
                    let tmp = path.with_extension("tmp");
                    std::fs::write(&tmp, &bytes)
                        .with_context(|| format!("writing {}", tmp.display()))?;
                    std::fs::rename(&tmp, &path)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("{} decisions written to {}", entries.len(), path.display());
                }
                None => std::io::stdout().write_all(&bytes)?,
            }
        }
    }
    Ok(())
}
