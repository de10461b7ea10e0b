//! `vigie serve`: pages and API over the live release; fetches and builds on a schedule.
//!
//! At start, with no release yet: the official files are fetched (unless `--offline`); when no
//! data can be had (no network, no local files), a deterministic demonstration dataset is
//! generated and built instead, labelled on every page. Every `--refresh-every` seconds the
//! sources are fetched again and, when something changed, a new release is built through the
//! publish gate; the server picks it up without restarting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use vigie_build::BuildOptions;
use vigie_build::charts::{ChartFormats, PngScope};
use vigie_build::gate::GatePolicy;
use vigie_build::history::{DataDir, Outcome};
use vigie_fetch::{FetchOptions, Outcome as Fetched};

/// Arguments of `vigie serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory: `sources/` (official files), `releases/` and `current` (the live release).
    /// [config data_dir: vigie-data]
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on. The default only accepts connections from this machine [config
    /// serve.listen: 127.0.0.1:8080].
    #[arg(long, env = "VIGIE_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Serve the generated demonstration dataset (built into DIR/demo), whatever data exist.
    #[arg(long)]
    pub demo: bool,
    /// Never download: use the files already in DIR/sources, else the demonstration dataset.
    #[arg(long, env = "VIGIE_OFFLINE")]
    pub offline: bool,
    /// Seconds between fetch-and-build runs, 0: never [config serve.refresh_every: 3600].
    #[arg(long, value_name = "SECONDS")]
    pub refresh_every: Option<u64>,
    /// Seconds between checks for a new release on disk [config serve.reload_every: 30].
    #[arg(long, value_name = "SECONDS")]
    pub reload_every: Option<u64>,
}

fn has_data_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut d| d.any(|e| e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.'))))
        .unwrap_or(false)
}

fn build_opts(sources: PathBuf) -> anyhow::Result<BuildOptions> {
    Ok(BuildOptions {
        sources,
        out: PathBuf::new(),
        catalogs: Vec::new(),
        built_at: super::build::now()?,
        charts: ChartFormats {
            svg: true,
            png: PngScope::None,
        },
        coverage_target: 90.0,
    })
}

/// Fetches the official files; returns whether anything new arrived. `probe` gives up after the
/// first resource when it fails (no network).
fn fetch(dir: &DataDir, timeout: Duration, probe: bool) -> anyhow::Result<bool> {
    let mut list = vigie_fetch::parse_config(vigie_fetch::default_config(), "built-in")?;
    if probe {
        list.truncate(1);
    }
    let opts = FetchOptions {
        timeout,
        user_agent: format!("vigie/{}", env!("CARGO_PKG_VERSION")),
        now: super::build::now()?,
    };
    let first = vigie_fetch::fetch_all(&list, &dir.sources(), &opts)?;
    if probe && first.iter().all(|(_, o)| matches!(o, Fetched::Failed(_))) {
        return Ok(false);
    }
    let all = if probe {
        let full = vigie_fetch::parse_config(vigie_fetch::default_config(), "built-in")?;
        vigie_fetch::fetch_all(&full, &dir.sources(), &opts)?
    } else {
        first
    };
    for (id, o) in &all {
        if let Fetched::Failed(e) = o {
            tracing::warn!("fetch {id}: {e}");
        }
    }
    Ok(all
        .iter()
        .any(|(_, o)| matches!(o, Fetched::New { .. } | Fetched::Updated { .. })))
}

fn build(dir: &DataDir, sources: PathBuf) -> anyhow::Result<()> {
    match dir
        .build(&build_opts(sources.clone())?, GatePolicy::default(), 10)
        .with_context(|| format!("building a release from {}", sources.display()))?
    {
        Outcome::Published(report, _) => {
            eprintln!(
                "built release {} ({} indicator rows)",
                report.release_id, report.rows_written
            );
            Ok(())
        }
        Outcome::Refused(report, gate) => {
            anyhow::bail!(
                "release {} refused by the publish gate: {}",
                report.release_id,
                gate.failures().join("; ")
            )
        }
    }
}

/// Ensures a live release exists, starts the refresh loop, then serves.
pub fn run(args: Args, conf: &crate::config::Config) -> anyhow::Result<()> {
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| conf.data_dir.clone());
    let listen = args.listen.unwrap_or(conf.serve.listen);
    let offline = args.offline || conf.serve.offline;
    let refresh_every = args.refresh_every.unwrap_or(conf.serve.refresh_every);
    let reload_every = args.reload_every.unwrap_or(conf.serve.reload_every);
    let dir = if args.demo {
        DataDir::new(data_dir.join("demo"))
    } else {
        DataDir::new(&data_dir)
    };
    if dir.current().is_none() {
        let mut have_data = !args.demo && has_data_files(&dir.sources());
        if !args.demo && !have_data && !offline {
            eprintln!(
                "no data yet: fetching the official files into {}",
                dir.sources().display()
            );
            have_data = fetch(&dir, Duration::from_secs(60), true).unwrap_or_else(|e| {
                tracing::warn!("fetch failed: {e:#}");
                false
            });
        }
        if have_data {
            build(&dir, dir.sources())?;
        } else {
            let demo_sources = dir.root.join("demo-sources");
            eprintln!(
                "no data and no network: serving the demonstration dataset (built from {})",
                demo_sources.display()
            );
            write_demo(&demo_sources)?;
            build(&dir, demo_sources)?;
        }
    }
    if refresh_every > 0 && !args.demo && !offline {
        let refresh = DataDir::new(&dir.root);
        let every = Duration::from_secs(refresh_every);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(every);
                match fetch(&refresh, Duration::from_secs(300), false) {
                    Ok(true) => {
                        if let Err(e) = build(&refresh, refresh.sources()) {
                            tracing::warn!("scheduled build: {e:#}");
                        }
                    }
                    Ok(false) => tracing::info!("scheduled fetch: nothing new"),
                    Err(e) => tracing::warn!("scheduled fetch: {e:#}"),
                }
            }
        });
    }
    start_scans(&dir.root, conf, offline);
    let live = dir.root.join("current");
    let release =
        vigie_web::Release::load(&live).with_context(|| format!("loading {}", live.display()))?;
    let demo = release.manifest["demo"].as_bool().unwrap_or(false);
    let state = vigie_web::AppState::new(release, demo).with_slot_finder(std::sync::Arc::new(
        crate::finder::LiveFinder::new(dir.root.join("scans")),
    ));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {}", listen))?;
        eprintln!(
            "Vigie serving {} on http://{}/{}",
            live.display(),
            listener.local_addr()?,
            if demo {
                " (données de démonstration)"
            } else {
                ""
            }
        );
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        vigie_web::serve(
            listener,
            state,
            Duration::from_secs(reload_every.max(1)),
            shutdown,
        )
        .await
        .context("server error")
    })
}

/// Whether the live release of `root` is the demonstration dataset.
fn live_is_demo(root: &Path) -> bool {
    std::fs::read(root.join("current/release.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["demo"].as_bool())
        .unwrap_or(false)
}

/// One scan of the demonstration centres (generated for today, replayed from their
/// recording) into `root/scans/`.
fn demo_scan(
    root: &Path,
    conf: &crate::config::Config,
) -> anyhow::Result<super::scan::ScanSummary> {
    let paris = vigie_slots::time::paris().context("time zone Europe/Paris")?;
    let now = jiff::Zoned::now().with_time_zone(paris);
    let demo_dir = root.join("demo-centres");
    let demo = vigie_demo::write_demo_centres(&demo_dir, now.date())
        .context("generating the demonstration centres")?;
    super::scan::scan(&super::scan::ScanOpts {
        demo: true,
        platforms: vigie_slots::Platform::ALL.to_vec(),
        centres: vec![demo.centres_csv],
        discover: false,
        replay: Some(demo.recording_dir),
        record: None,
        now,
        horizon_days: vigie_slots::DEFAULT_DAYS,
        user_agent: None,
        target: super::scan::Target::DataDir(root.to_path_buf()),
        keep: conf.scan.keep,
        history_days: conf.scan.history_days,
    })
}

/// One live scan of the configured platforms (or centre list) into `root/scans/`.
fn live_scan(
    root: &Path,
    conf: &crate::config::Config,
) -> anyhow::Result<super::scan::ScanSummary> {
    let paris = vigie_slots::time::paris().context("time zone Europe/Paris")?;
    let platforms = conf
        .scan
        .platforms
        .iter()
        .filter_map(|s| {
            super::scan::platform_from_slug(s)
                .map_err(|e| tracing::warn!("scan.platforms: {e}"))
                .ok()
        })
        .collect();
    super::scan::scan(&super::scan::ScanOpts {
        demo: false,
        platforms,
        centres: if conf.scan.centres.is_empty() {
            super::scan::official_list(root).into_iter().collect()
        } else {
            vec![PathBuf::from(&conf.scan.centres)]
        },
        discover: conf.scan.centres.is_empty(),
        replay: None,
        record: None,
        now: jiff::Zoned::now().with_time_zone(paris),
        horizon_days: conf.scan.horizon_days,
        user_agent: (!conf.scan.user_agent.is_empty()).then(|| conf.scan.user_agent.clone()),
        target: super::scan::Target::DataDir(root.to_path_buf()),
        keep: conf.scan.keep,
        history_days: conf.scan.history_days,
    })
}

/// Slot scans: the demonstration centres when the live release is the demo (one scan now,
/// then one per `scan_every`, so that the slots stay in the coming days), else live scans on
/// the schedule (never with `--offline`).
fn start_scans(root: &Path, conf: &crate::config::Config, offline: bool) {
    let every = conf.serve.scan_every;
    let report = |r: anyhow::Result<super::scan::ScanSummary>| match r {
        Ok(s) => eprintln!(
            "slot scan {}: {} centres, {} with slots, {} slots",
            s.id, s.centres, s.centres_with_slots, s.slots
        ),
        Err(e) => tracing::warn!("slot scan: {e:#}"),
    };
    // Checked at every run: once real data replace the demo, real scans replace demo scans.
    let once = move |root: &Path, conf: &crate::config::Config| {
        if live_is_demo(root) {
            Some(demo_scan(root, conf))
        } else if !offline {
            Some(live_scan(root, conf))
        } else {
            None
        }
    };
    if live_is_demo(root) {
        report(demo_scan(root, conf));
    } else if offline || every == 0 {
        return;
    }
    if every > 0 {
        let (root, conf) = (root.to_path_buf(), conf.clone());
        let first_live = !live_is_demo(&root);
        std::thread::spawn(move || {
            if first_live && let Some(r) = once(&root, &conf) {
                report(r);
            }
            loop {
                std::thread::sleep(Duration::from_secs(every));
                if let Some(r) = once(&root, &conf) {
                    report(r);
                }
            }
        });
    }
}

fn write_demo(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let end = vigie_core::Date::from_ymd(2022, 2, 28).context("demo date")?;
    for (name, bytes) in vigie_demo::sources(end, 181) {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
