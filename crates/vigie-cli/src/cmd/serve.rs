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
use vigie_build::BuildError;
use vigie_build::history::Outcome;
use vigie_fetch::Outcome as Fetched;

use crate::plan::{BuildPlan, FetchPlan, ScanPlan, ServeOverrides, ServePlan};

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

/// Fetches with the server's plan (a probe first when `probe`: no data yet); returns whether
/// anything new arrived. Failed resources are logged, the others kept.
fn fetch(plan: &FetchPlan, probe: bool) -> anyhow::Result<bool> {
    let results = if probe {
        match plan.probe()? {
            Some(r) => r,
            None => return Ok(false),
        }
    } else {
        plan.run(vigie_fetch::Progress::Hidden)?
    };
    for (id, o) in &results {
        if let Fetched::Failed(e) = o {
            tracing::warn!("fetch {id}: {e}");
        }
    }
    Ok(crate::plan::anything_new(&results))
}

/// Builds `sources` into a release with the server's plan (the one `vigie build` resolves).
fn build(plan: &BuildPlan, sources: PathBuf) -> anyhow::Result<Outcome> {
    let outcome = plan
        .build_release(sources.clone(), super::build::now()?)
        .with_context(|| format!("building a release from {}", sources.display()))?;
    if let Outcome::Published(report, _) = &outcome {
        eprintln!(
            "built release {} ({} indicator rows)",
            report.release_id, report.rows_written
        );
    }
    Ok(outcome)
}

/// The first build of a server without a release: a refusal is an error.
fn first_build(plan: &BuildPlan, sources: PathBuf) -> anyhow::Result<()> {
    match build(plan, sources)? {
        Outcome::Published(..) => Ok(()),
        Outcome::Refused(report, gate) => anyhow::bail!(
            "release {} refused by the publish gate: {}",
            report.release_id,
            gate.failures().join("; ")
        ),
    }
}

/// Fetches every `plan.refresh_every` seconds and builds when something new arrived, or when
/// the last build could not run (e.g. two builds in the same second, a full disk; not when the
/// files themselves were refused: the same files would be refused again).
fn start_refresh(plan: &ServePlan) {
    if plan.refresh_every == 0 || plan.demo || !plan.may_fetch() {
        return;
    }
    let (fetch_plan, build_plan) = (plan.fetch.clone(), plan.build.clone());
    let every = Duration::from_secs(plan.refresh_every);
    std::thread::spawn(move || {
        let mut pending = false;
        loop {
            std::thread::sleep(every);
            match fetch(&fetch_plan, false) {
                Ok(new) if new || pending => {
                    pending = match build(&build_plan, fetch_plan.sources.clone()) {
                        Ok(Outcome::Published(..)) => false,
                        Ok(Outcome::Refused(report, gate)) => {
                            tracing::warn!(
                                "release {} refused by the publish gate: {}",
                                report.release_id,
                                gate.failures().join("; ")
                            );
                            false
                        }
                        Err(e) => {
                            tracing::warn!("scheduled build: {e:#}");
                            // Unreadable inputs are recorded as a refusal: not retried.
                            !matches!(
                                e.downcast_ref::<BuildError>(),
                                Some(BuildError::Ingest(_) | BuildError::NoData(_))
                            )
                        }
                    };
                }
                Ok(_) => tracing::info!("scheduled fetch: nothing new"),
                Err(e) => tracing::warn!("scheduled fetch: {e:#}"),
            }
        }
    });
}

/// Ensures a live release exists, starts the refresh loop, then serves.
pub fn run(args: Args, conf: &crate::config::Config) -> anyhow::Result<()> {
    let plan = ServePlan::resolve(
        conf,
        &ServeOverrides {
            data_dir: args.data_dir.clone(),
            listen: args.listen,
            demo: args.demo,
            offline: args.offline,
            refresh_every: args.refresh_every,
            reload_every: args.reload_every,
        },
    )?;
    let dir = plan.dir();
    // What a killed build left (a release waiting for the gate) is removed before serving.
    for removed in dir.sweep() {
        tracing::info!("removed {removed}, left by a build that did not finish");
    }
    if dir.current().is_none() {
        let mut have_data = !plan.demo && has_data_files(&plan.sources());
        if !plan.demo && !have_data && plan.may_fetch() {
            eprintln!(
                "no data yet: {} the official files into {}",
                if plan.fetch.is_local() {
                    "importing"
                } else {
                    "fetching"
                },
                plan.sources().display()
            );
            have_data = fetch(&plan.fetch, true).unwrap_or_else(|e| {
                tracing::warn!("fetch failed: {e:#}");
                false
            }) || has_data_files(&plan.sources());
        }
        if have_data {
            first_build(&plan.build, plan.sources())?;
        } else {
            let demo_sources = dir.root.join("demo-sources");
            eprintln!(
                "no data and no network: serving the demonstration dataset (built from {})",
                demo_sources.display()
            );
            write_demo(&demo_sources)?;
            first_build(&plan.build, demo_sources)?;
        }
    }
    start_refresh(&plan);
    start_scans(&plan);
    // The release is read from its own directory, never through the `current` link, which
    // the server follows to pick up the next one.
    let link = dir.layout().current();
    let live = vigie_web::live_release_dir(&dir.root)
        .with_context(|| format!("reading the link {}", link.display()))?;
    let release =
        vigie_web::Release::load(&live).with_context(|| format!("loading {}", live.display()))?;
    let demo = release.is_demo();
    let mut state = vigie_web::AppState::new(release, demo)
        .with_limits(plan.limits.clone())
        .following(link)
        .with_slot_finder(std::sync::Arc::new(crate::finder::LiveFinder::new(
            dir.layout().scans(),
        )));
    if let Some(settings) = &plan.contributions {
        // The instance's contributions, whether it serves real data or the demonstration.
        let desk = vigie_contributions::Desk::open(&plan.instance_dir, settings.clone())
            .with_context(|| {
                format!(
                    "opening the contributions {}",
                    vigie_contributions::store::path_in(&plan.instance_dir).display()
                )
            })?;
        let desk = std::sync::Arc::new(desk);
        start_purge(desk.clone());
        state = state.with_contributions(desk);
    }
    let listen = plan.listen;
    let reload_every = plan.reload_every;
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

/// Deletes the contributors' e-mail addresses past their retention and expired sessions, at
/// start and then every hour.
fn start_purge(desk: std::sync::Arc<vigie_contributions::Desk>) {
    std::thread::spawn(move || {
        loop {
            match desk.purge(jiff::Timestamp::now().as_second()) {
                Ok(0) => {}
                Ok(n) => tracing::info!("{n} contributors' e-mail addresses deleted (retention)"),
                Err(e) => tracing::warn!("contributions purge: {e}"),
            }
            std::thread::sleep(Duration::from_secs(3600));
        }
    });
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
fn demo_scan(plan: &ScanPlan) -> anyhow::Result<super::scan::ScanSummary> {
    let paris = vigie_slots::time::paris().context("time zone Europe/Paris")?;
    let now = jiff::Zoned::now().with_time_zone(paris);
    let demo_dir = plan.data_dir.join("demo-centres");
    let demo = vigie_demo::write_demo_centres(&demo_dir, now.date())
        .context("generating the demonstration centres")?;
    let mut opts = plan.opts(now, super::scan::Target::DataDir(plan.data_dir.clone()));
    // The recording answers every platform over the default horizon.
    opts.demo = true;
    opts.platforms = vigie_slots::Platform::ALL.to_vec();
    opts.centres = vec![demo.centres_csv];
    opts.discover = false;
    opts.replay = Some(demo.recording_dir);
    opts.horizon_days = vigie_slots::DEFAULT_DAYS;
    opts.user_agent = None;
    super::scan::scan(&opts)
}

/// One live scan of the configured platforms (or centre list) into `root/scans/`.
fn live_scan(plan: &ScanPlan) -> anyhow::Result<super::scan::ScanSummary> {
    let paris = vigie_slots::time::paris().context("time zone Europe/Paris")?;
    super::scan::scan(&plan.opts(
        jiff::Zoned::now().with_time_zone(paris),
        super::scan::Target::DataDir(plan.data_dir.clone()),
    ))
}

/// Slot scans: the demonstration centres when the live release is the demo (one scan now,
/// then one per `scan_every`, so that the slots stay in the coming days), else live scans on
/// the schedule (never with `--offline`).
fn start_scans(plan: &ServePlan) {
    let (every, offline) = (plan.scan_every, plan.offline);
    let report = |r: anyhow::Result<super::scan::ScanSummary>| match r {
        Ok(s) => eprintln!(
            "slot scan {}: {} centres, {} with slots, {} slots",
            s.id, s.centres, s.centres_with_slots, s.slots
        ),
        Err(e) => tracing::warn!("slot scan: {e:#}"),
    };
    // Checked at every run: once real data replace the demo, real scans replace demo scans.
    let once = move |scan: &ScanPlan| {
        if live_is_demo(&scan.data_dir) {
            Some(demo_scan(scan))
        } else if !offline {
            Some(live_scan(scan))
        } else {
            None
        }
    };
    if live_is_demo(&plan.root) {
        report(demo_scan(&plan.scan));
    } else if offline || every == 0 {
        return;
    }
    if every > 0 {
        let scan = plan.scan.clone();
        let first_live = !live_is_demo(&scan.data_dir);
        std::thread::spawn(move || {
            if first_live && let Some(r) = once(&scan) {
                report(r);
            }
            loop {
                std::thread::sleep(Duration::from_secs(every));
                if let Some(r) = once(&scan) {
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
