//! `vigie publish`: the whole site and its data as static files, to a directory (switched in
//! atomically) or to an S3-compatible bucket (immutable release folder, pointer written last;
//! see `crates/vigie-publish`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use vigie_publish::{Compression, Destination, Options, S3Config, Target};

/// Arguments of `vigie publish`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory whose live release (`DIR/current`) is published [config data_dir:
    /// vigie-data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Publish this release directory instead (e.g. one written by `vigie build --out`).
    #[arg(long, value_name = "DIR")]
    pub release: Option<PathBuf>,
    /// Destination: a directory or `file:///path` (the site is written beside it and switched
    /// in atomically), or `s3://BUCKET/PREFIX` (uploaded under `PREFIX/releases/<id>/`, then
    /// `PREFIX/current.json` and `PREFIX/index.html` are switched to it). Readers see the old
    /// site or the new one, never a mix.
    #[arg(long, value_name = "DIR|URL")]
    pub to: String,
    /// S3 endpoint URL (Garage, MinIO, another provider); AWS when absent.
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// S3 region (Garage's default is `garage`).
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// S3 access key id.
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    pub s3_access_key_id: Option<String>,
    /// S3 secret key (environment only, never on the command line).
    #[arg(skip)]
    pub s3_secret_access_key: Option<String>,
    /// Path-style requests (`ENDPOINT/BUCKET/KEY`), as most self-hosted stores need.
    #[arg(long)]
    pub s3_path_style: bool,
    /// Allow a plain-HTTP endpoint that is not on loopback.
    #[arg(long)]
    pub s3_allow_http: bool,
    /// Seconds before a request to the store is abandoned.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub s3_timeout: u64,
    /// Releases kept in the bucket besides the current one (older ones are deleted after the
    /// switch).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub keep: usize,
    /// Uploads in flight at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,
    /// Objects stored gzip-compressed: `web` (HTML, CSS, JS, SVG), `text` (also CSV and JSON:
    /// only behind a CDN that decompresses for clients that need it) or `none`.
    #[arg(long, default_value = "web", value_name = "none|web|text")]
    pub compress: String,
}

/// Exports and switches the site in.
pub fn run(args: Args, conf: &crate::config::Config, quiet: bool) -> anyhow::Result<()> {
    let target = Target::parse(&args.to)?;
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| conf.data_dir.clone());
    let release_dir = args
        .release
        .clone()
        .unwrap_or_else(|| vigie_contracts::layout::DataLayout::new(&data_dir).current());
    let release = vigie_web::Release::load(&release_dir)
        .with_context(|| format!("loading the release {}", release_dir.display()))?;
    let demo = release.is_demo();
    let snapshot = slot_snapshot(
        args.release.is_none().then_some(data_dir.as_path()),
        &release_dir,
    )?;
    let scan = snapshot.as_ref().map(|(s, dir)| (s, dir.as_path()));
    let register = register(
        args.release.is_none().then_some(data_dir.as_path()),
        &release_dir,
    );
    let site = Site {
        release: &release,
        demo,
        scan,
        register: register.as_deref(),
    };
    match target {
        Target::Dir(dir) => to_dir(&site, &dir, quiet),
        Target::S3 { bucket, prefix } => to_s3(&args, &site, &bucket, &prefix, quiet),
    }
}

/// What a publication writes: the release, its slot scan and the contributions register.
struct Site<'a> {
    release: &'a vigie_web::Release,
    demo: bool,
    scan: Option<(&'a vigie_finder::Snapshot, &'a Path)>,
    register: Option<&'a [vigie_contributions::RegisterEntry]>,
}

/// The site of `release` with the slot scan (its in-browser search, its ViteMaDose v2 files at
/// `vitemadose/` and its slot open data at `slots/open-data/`, the paths `vigie serve` answers)
/// and the contributions register into `out`; returns the number of files.
fn export(site: &Site<'_>, out: &Path) -> anyhow::Result<usize> {
    let Site {
        release,
        demo,
        scan,
        register,
    } = *site;
    let mut files =
        vigie_web::static_site::export_with_slots(release, demo, scan.map(|s| s.0), out)
            .with_context(|| format!("exporting to {}", out.display()))?;
    if let Some(entries) = register {
        let now = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        files += vigie_web::static_site::write_register(entries, &now, out)
            .with_context(|| format!("writing the contributions register to {}", out.display()))?;
    }
    if let Some((_, dir)) = scan {
        files += vigie_web::static_site::write_scan_files(dir, out)
            .with_context(|| format!("copying the scan {} to {}", dir.display(), out.display()))?;
    }
    Ok(files)
}

/// The public register of the release's data directory (`D/current`, `D/releases/<id>`, or
/// `D/demo/releases/<id>`), when contributions were ever made there.
fn register(
    data_dir: Option<&Path>,
    release_dir: &Path,
) -> Option<Vec<vigie_contributions::RegisterEntry>> {
    let candidates: Vec<PathBuf> = match data_dir {
        Some(d) => vec![d.to_path_buf()],
        // `D/current`, `D/releases/<id>`, `D/demo/releases/<id>` (the demonstration).
        None => release_dir
            .ancestors()
            .skip(1)
            .take(3)
            .map(Path::to_path_buf)
            .collect(),
    };
    let root = candidates
        .into_iter()
        .find(|d| vigie_contributions::store::path_in(d).is_file())?;
    match vigie_contributions::Desk::open(&root, vigie_contributions::Settings::default())
        .and_then(|d| d.register())
    {
        Ok(entries) => Some(entries),
        Err(e) => {
            tracing::warn!("contributions register not published: {e}");
            None
        }
    }
}

/// The live slot scan published with the site and its directory: `scans/current` of the data
/// directory, or beside the release (`RELEASE/../scans/current`); None when there is none.
fn slot_snapshot(
    data_dir: Option<&Path>,
    release_dir: &Path,
) -> anyhow::Result<Option<(vigie_finder::Snapshot, PathBuf)>> {
    let rel = "scans/current/open-data/centres.json";
    // The data directory of the release: `D/current` or `D/releases/<id>`.
    let candidates: Vec<PathBuf> = match data_dir {
        Some(d) => vec![d.join(rel)],
        None => [
            release_dir.parent(),
            release_dir.parent().and_then(Path::parent),
        ]
        .into_iter()
        .flatten()
        .map(|d| d.join(rel))
        .collect(),
    };
    let Some(file) = candidates.into_iter().find(|f| f.is_file()) else {
        tracing::info!("no slot scan to publish: the slot finder page will have no data");
        return Ok(None);
    };
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let snapshot = serde_json::from_slice(&bytes)
        .with_context(|| format!("reading the slot scan {}", file.display()))?;
    // `…/scans/current/open-data/centres.json` → `…/scans/current`.
    let dir = file
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Ok(Some((snapshot, dir)))
}

fn to_dir(site: &Site<'_>, target: &Path, quiet: bool) -> anyhow::Result<()> {
    let staging = vigie_build::release::Staging::create(target)
        .with_context(|| format!("preparing {}", target.display()))?;
    let files = match export(site, &staging.dir) {
        Ok(n) => n,
        Err(e) => {
            staging.discard();
            return Err(e);
        }
    };
    staging
        .commit()
        .with_context(|| format!("switching {} in", target.display()))?;
    if !quiet {
        println!(
            "published release {} to {}: {files} files",
            site.release.id(),
            target.display()
        );
    }
    Ok(())
}

fn to_s3(
    args: &Args,
    site: &Site<'_>,
    bucket: &str,
    prefix: &str,
    quiet: bool,
) -> anyhow::Result<()> {
    let start = Instant::now();
    let compression = Compression::parse(&args.compress)
        .with_context(|| format!("--compress {}: expected none, web or text", args.compress))?;
    let cfg = S3Config {
        endpoint: args.s3_endpoint.clone().filter(|e| !e.is_empty()),
        region: args.s3_region.clone(),
        access_key_id: args.s3_access_key_id.clone().unwrap_or_default(),
        secret_access_key: args
            .s3_secret_access_key
            .clone()
            .or_else(|| std::env::var("AWS_SECRET_ACCESS_KEY").ok())
            .unwrap_or_default(),
        path_style: args.s3_path_style,
        allow_http: args.s3_allow_http,
        timeout: Duration::from_secs(args.s3_timeout.max(1)),
    };
    let store = vigie_publish::s3_store(bucket, &cfg)?;
    let dest = Destination {
        store,
        prefix: prefix.to_string(),
        attributes: true,
    };
    let opts = Options {
        concurrency: args.concurrency.max(1),
        keep: args.keep,
        compression,
    };
    // The site is exported to a scratch directory, then uploaded from there. A killed publish
    // cannot remove its own: those older than a day are removed here.
    remove_stale_scratch(&std::env::temp_dir(), Duration::from_secs(24 * 3600));
    let scratch = tempfile::Builder::new()
        .prefix("vigie-publish-")
        .tempdir()
        .context("creating a scratch directory")?;
    export(site, scratch.path())?;
    let release = site.release;
    let published_at = jiff::Timestamp::now().to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let summary = runtime
        .block_on(vigie_publish::publish(
            &dest,
            scratch.path(),
            release.id(),
            &published_at,
            &opts,
        ))
        .map_err(|e| match e.hint() {
            Some(h) => anyhow::anyhow!("publishing to {}: {e}\nhint: {h}", args.to),
            None => anyhow::anyhow!("publishing to {}: {e}", args.to),
        })?;
    for e in &summary.prune_errors {
        tracing::warn!("pruning an old release: {e}");
    }
    if !quiet {
        println!(
            "published release {} to {}: {} objects ({} uploaded, {} already there), {} bytes ({} uploaded) in {:.1} s; previous {}; pruned {}",
            summary.release,
            args.to,
            summary.objects,
            summary.uploaded,
            summary.objects - summary.uploaded,
            summary.bytes,
            summary.uploaded_bytes,
            start.elapsed().as_secs_f64(),
            summary.previous.as_deref().unwrap_or("none"),
            if summary.pruned.is_empty() {
                "none".to_string()
            } else {
                summary.pruned.join(", ")
            },
        );
    }
    Ok(())
}

/// Removes `vigie-publish-*` scratch directories older than `age` (left by killed publishes).
fn remove_stale_scratch(tmp: &Path, age: Duration) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in entries.flatten() {
        let stale = e
            .file_name()
            .to_string_lossy()
            .starts_with("vigie-publish-")
            && e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|a| a > age);
        if stale && std::fs::remove_dir_all(e.path()).is_ok() {
            tracing::debug!("removed the stale scratch directory {}", e.path().display());
        }
    }
}
