//! `vigie fetch --from DIR`: imports a local mirror of the official files into the data
//! directory's `sources/`, with provenance (origin, fetch time, SHA-256, size, publisher's
//! modification time) recorded in `sources/.provenance.json` and carried into every release.
//!
//! Downloading from the publishers' servers is not implemented yet; a mirror made by any tool
//! (or the files of an offline machine) goes through this command.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Arguments of `vigie fetch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A local mirror: files with their official names (any layout; sub-folders are flattened).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Data directory whose `sources/` receives the files.
    #[arg(
        long,
        env = "VIGIE_DATA_DIR",
        default_value = "vigie-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if e.file_type()?.is_dir() {
            files(&e.path(), out)?;
        } else {
            out.push(e.path());
        }
    }
    Ok(())
}

/// Copies new and changed files atomically and records their provenance.
pub fn run(args: Args, quiet: bool) -> anyhow::Result<()> {
    let sources = args.data_dir.join("sources");
    fs::create_dir_all(&sources).with_context(|| format!("creating {}", sources.display()))?;
    let prov_path = sources.join(".provenance.json");
    let mut provenance: BTreeMap<String, Value> = fs::read(&prov_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut list = Vec::new();
    files(&args.from, &mut list).with_context(|| format!("reading {}", args.from.display()))?;
    list.sort();
    let now = super::build::now()?;
    let (mut new, mut updated, mut unchanged, mut failed) = (0, 0, 0, 0);
    for path in list {
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                failed += 1;
                continue;
            }
        };
        let sha = format!("{:x}", Sha256::digest(&bytes));
        let dest = sources.join(&name);
        if provenance.get(&name).and_then(|p| p["sha256"].as_str()) == Some(sha.as_str())
            && dest.exists()
        {
            unchanged += 1;
            continue;
        }
        let existed = dest.exists();
        let tmp = sources.join(format!(".{name}.part"));
        fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
        fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("syncing {}", tmp.display()))?;
        fs::rename(&tmp, &dest).with_context(|| format!("installing {}", dest.display()))?;
        let modified = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| jiff::Timestamp::try_from(t).ok())
            .map(|t| {
                t.round(jiff::Unit::Second)
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            });
        let origin = fs::canonicalize(&path).unwrap_or(path.clone());
        provenance.insert(
            name.clone(),
            json!({"origin": format!("file://{}", origin.display()), "fetched_at": now, "sha256": sha, "bytes": bytes.len(), "publisher_last_modified": modified}),
        );
        if existed { updated += 1 } else { new += 1 }
    }
    let mut out = serde_json::to_vec_pretty(&provenance).unwrap_or_default();
    out.push(b'\n');
    let tmp = sources.join(".provenance.json.part");
    fs::write(&tmp, out).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, &prov_path).with_context(|| format!("installing {}", prov_path.display()))?;
    if !quiet {
        println!(
            "{new} new, {updated} updated, {unchanged} unchanged, {failed} failed → {}",
            sources.display()
        );
    }
    if failed > 0 {
        anyhow::bail!("{failed} file(s) could not be read; the others were imported");
    }
    Ok(())
}
