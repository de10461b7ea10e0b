//! `vigie status`: the live release, the last build and the gate's decision, and the freshness of
//! every source.

use std::path::PathBuf;

use anyhow::Context;
use serde_json::{Value, json};
use vigie_build::history::DataDir;

/// Arguments of `vigie status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory.
    /// [config data_dir: vigie-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

fn read(path: &std::path::Path) -> Value {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

/// Prints the status; fails when there is no live release.
pub fn run(args: Args, conf: &crate::config::Config) -> anyhow::Result<()> {
    let data_dir = args.data_dir.unwrap_or_else(|| conf.data_dir.clone());
    let dir = DataDir::new(&data_dir);
    let live = dir.current().with_context(|| {
        format!(
            "no live release in {} (run `vigie build --data-dir {}`)",
            data_dir.display(),
            data_dir.display()
        )
    })?;
    let manifest = read(&live.join("release.json"));
    let sources = read(&live.join("open-data/sources.json"));
    let status = read(&vigie_contracts::layout::DataLayout::new(&data_dir).status());
    let files: Vec<Value> = sources["files"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| json!({"file": f["file"], "source": f["source"], "vintage": f["vintage"], "rows": f["rows"], "last_date": f["last_date"], "sha256": f["sha256"]}))
        .collect();
    let out = json!({
        "data_dir": data_dir,
        "live_release": {"release_id": manifest["release_id"], "built_at": manifest["built_at"], "data_until": manifest["data_until"], "demo": manifest["demo"]},
        "last_build": status["last_build"],
        "releases": dir.release_ids(),
        "sources": files,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    println!(
        "live release {} (built {}, data until {}){}",
        manifest["release_id"].as_str().unwrap_or("?"),
        manifest["built_at"].as_str().unwrap_or("?"),
        manifest["data_until"].as_str().unwrap_or("?"),
        if manifest["demo"] == true {
            " — demonstration data"
        } else {
            ""
        }
    );
    let last = &status["last_build"];
    if !last.is_null() {
        println!(
            "last build {}: {}",
            last["release_id"].as_str().unwrap_or("?"),
            last["state"].as_str().unwrap_or("?")
        );
        for c in last["gate"]["checks"].as_array().into_iter().flatten() {
            println!(
                "  [{}] {}: {}",
                if c["passed"] == true { "ok" } else { "REFUSED" },
                c["check"].as_str().unwrap_or(""),
                c["detail"].as_str().unwrap_or("")
            );
        }
    }
    println!("releases kept: {}", dir.release_ids().join(", "));
    println!("sources:");
    for f in &files {
        println!(
            "  {:<48} {:<40} rows {:>9}  until {}  sha256 {}",
            f["file"].as_str().unwrap_or(""),
            f["source"].as_str().unwrap_or(""),
            f["rows"].as_u64().unwrap_or(0),
            f["last_date"].as_str().unwrap_or("-"),
            f["sha256"]
                .as_str()
                .map(|s| &s[..s.len().min(12)])
                .unwrap_or("")
        );
    }
    Ok(())
}
