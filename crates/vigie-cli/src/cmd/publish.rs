//! `vigie publish`: the whole site and its data as static files.

use std::path::PathBuf;

use anyhow::Context;

/// Arguments of `vigie publish`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory whose live release (`DIR/current`) is published.
    #[arg(
        long,
        env = "VIGIE_DATA_DIR",
        default_value = "vigie-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,
    /// Publish this release directory instead (e.g. one written by `vigie build --out`).
    #[arg(long, value_name = "DIR")]
    pub release: Option<PathBuf>,
    /// Destination: a directory, or `file:///path`. The site is written beside it and switched
    /// in atomically: readers see the old site or the new one, never a mix.
    #[arg(long, value_name = "DIR|URL")]
    pub to: String,
}

/// Exports and switches the site in.
pub fn run(args: Args, quiet: bool) -> anyhow::Result<()> {
    let target = if let Some(path) = args.to.strip_prefix("file://") {
        PathBuf::from(path)
    } else if args.to.contains("://") {
        anyhow::bail!(
            "destination {}: only directories and file:// are supported for now (S3 publishing is not implemented yet)",
            args.to
        );
    } else {
        PathBuf::from(&args.to)
    };
    let release_dir = args
        .release
        .clone()
        .unwrap_or_else(|| args.data_dir.join("current"));
    let release = vigie_web::Release::load(&release_dir)
        .with_context(|| format!("loading the release {}", release_dir.display()))?;
    let demo = release.manifest["demo"].as_bool().unwrap_or(false);
    let staging = vigie_build::release::Staging::create(&target)
        .with_context(|| format!("preparing {}", target.display()))?;
    let files = match vigie_web::static_site::export(&release, demo, &staging.dir) {
        Ok(n) => n,
        Err(e) => {
            staging.discard();
            return Err(e).with_context(|| format!("exporting to {}", target.display()));
        }
    };
    staging
        .commit()
        .with_context(|| format!("switching {} in", target.display()))?;
    if !quiet {
        println!(
            "published release {} to {}: {files} files",
            release.id(),
            target.display()
        );
    }
    Ok(())
}
