//! `vigie scan`: booking platforms → centres and slots → the slot finder's files.
//!
//! Centres come from `--centres` lists (the data.gouv "lieux de vaccination" format, CSV or
//! JSON), merged and de-duplicated, or, without a list, from each platform's discovery. Each
//! centre is scanned through the polite client (`vigie-scan`: per-platform limits, retries,
//! circuit breakers), live, live with `--record DIR`, or offline with `--replay DIR`. The
//! results become the snapshot (`vigie-finder`): a platform that failed keeps its previous
//! centres, marked stale. Files are written next to their place and switched in atomically:
//! `--out DIR` (replaced as a whole), or `--data-dir DIR` (`DIR/scans/<id>/`, then the
//! `DIR/scans/current` link, plus `DIR/slots-history.sqlite`). The layout is fixed in
//! `docs/slots-api.md`.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use jiff::Zoned;
use serde_json::json;
use vigie_finder::{
    CentreScan, PlatformScan, PlatformState, ScanResult, Snapshot, Visibility, build_snapshot,
};
use vigie_scan::{
    CentreTarget, Connectors, HistoryRow, HistoryStore, HttpClient, PlatformStatus, ScanConfig,
    ScanRun, Scanner, SeriesFilter,
};
use vigie_slots::centres::{CentreRecord, merge, parse_list};
use vigie_slots::discovery::{
    Discovery, DiscoveryFlow, DoctolibDiscovery, KeldocDiscovery, RebasedDiscovery,
};
use vigie_slots::{ConnectorConfig, Platform};

/// Arguments of `vigie scan`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("http").args(["replay", "record"]))]
#[command(group = clap::ArgGroup::new("target").args(["out", "data_dir"]))]
pub struct Args {
    /// Platforms to scan, comma-separated (doctolib, keldoc, maiia, ordoclic, mapharma,
    /// avecmondoc, mesoigner, bimedoc, valwin) [config scan.platforms: all].
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub platforms: Vec<String>,
    /// Centre list(s): data.gouv "lieux de vaccination" CSV or JSON, or a platform's centre
    /// list in that format. Skips platform discovery [config scan.centres].
    #[arg(long = "centres", value_name = "FILE")]
    pub centres: Vec<PathBuf>,
    /// Answer every request from this recording (`exchanges.jsonl`); no network.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,
    /// Scan live and save every HTTP exchange into this directory.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// The scan's clock, ISO 8601 (`2021-04-03T10:00:00+02:00`, or a local time in
    /// Europe/Paris). Default: now.
    #[arg(long, value_name = "ISO-8601")]
    pub now: Option<String>,
    /// Directory to write (replaced atomically): `vitemadose/`, `open-data/`, `scan-report.json`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Data directory: the scan goes to `DIR/scans/<id>/` and `DIR/scans/current` follows it;
    /// availability history in `DIR/slots-history.sqlite`. Default without --out: `data_dir`
    /// of the configuration.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Days ahead to look for slots [config scan.horizon_days: 11].
    #[arg(long, value_name = "DAYS")]
    pub horizon_days: Option<u16>,
    /// Scan the generated demonstration centres, replayed from their generated recording.
    #[arg(long, conflicts_with_all = ["replay", "record", "centres"])]
    pub demo: bool,
}

/// Everything a scan needs, resolved from the flags and the configuration.
#[derive(Debug, Clone)]
pub struct ScanOpts {
    /// A scan of the demonstration centres (marked, never mixed with real scans).
    pub demo: bool,
    pub platforms: Vec<Platform>,
    pub centres: Vec<PathBuf>,
    /// Also discover centres on the platforms (merged with the lists).
    pub discover: bool,
    pub replay: Option<PathBuf>,
    pub record: Option<PathBuf>,
    pub now: Zoned,
    pub horizon_days: u16,
    pub user_agent: Option<String>,
    pub target: Target,
    pub keep: usize,
    /// Days of availability history kept.
    pub history_days: u32,
    /// The data directory whose accepted contributions apply (None: none).
    pub contributions_dir: Option<PathBuf>,
}

/// Where a scan is written.
#[derive(Debug, Clone)]
pub enum Target {
    /// One directory, replaced atomically.
    Out(PathBuf),
    /// `DIR/scans/<id>/` + `DIR/scans/current` + history.
    DataDir(PathBuf),
}

/// What a scan did.
#[derive(Debug, Clone)]
pub struct ScanSummary {
    pub id: String,
    pub dir: PathBuf,
    pub centres: usize,
    pub centres_with_slots: usize,
    pub slots: u64,
    pub platforms: Vec<(String, String)>,
    pub missing_replay: usize,
    pub list_issues: usize,
    pub seconds: f64,
}

/// Parses `--now`: an instant with offset, or a civil time in Europe/Paris.
pub fn parse_now(text: &str) -> anyhow::Result<Zoned> {
    let paris = vigie_slots::time::paris().context("time zone Europe/Paris")?;
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(ts.to_zoned(paris));
    }
    let civil: jiff::civil::DateTime = text
        .parse()
        .or_else(|_| {
            text.parse::<jiff::civil::Date>()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })
        .with_context(|| {
            format!("--now {text:?}: expected ISO 8601 (2021-04-03T10:00:00+02:00)")
        })?;
    civil
        .to_zoned(paris)
        .with_context(|| format!("--now {text:?}: not a valid time in Europe/Paris"))
}

/// The serialised name of a unit enum variant (`blocked`, `degraded`, …).
fn serde_name(v: &impl serde::Serialize) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
}

/// The platform of a slug (case and surrounding spaces ignored).
pub fn platform_from_slug(s: &str) -> anyhow::Result<Platform> {
    Platform::ALL
        .iter()
        .copied()
        .find(|p| p.slug().eq_ignore_ascii_case(s.trim()))
        .with_context(|| {
            format!(
                "unknown platform {s:?} (one of: {})",
                Platform::ALL.map(|p| p.slug()).join(", ")
            )
        })
}

/// Runs `vigie scan`.
pub fn run(args: Args, conf: &crate::config::Config, quiet: bool) -> anyhow::Result<()> {
    let plan = crate::plan::ScanPlan::resolve(
        conf,
        &crate::plan::ScanOverrides {
            data_dir: args.data_dir.clone(),
            platforms: args.platforms.clone(),
            centres: args.centres.clone(),
            horizon_days: args.horizon_days,
        },
        true,
    )?;
    let now = match &args.now {
        Some(t) => parse_now(t)?,
        None => Zoned::now().with_time_zone(vigie_slots::time::paris().context("time zone")?),
    };
    let target = match (&args.out, &args.data_dir) {
        (Some(o), _) => Target::Out(o.clone()),
        (None, Some(d)) => Target::DataDir(d.clone()),
        (None, None) if args.demo => Target::DataDir(plan.data_dir.join("demo")),
        (None, None) => Target::DataDir(plan.data_dir.clone()),
    };
    let mut opts = plan.opts(now, target);
    // The instance's contributions apply to a scan into its data directory (`--demo` included).
    if args.out.is_none() {
        opts.contributions_dir = Some(args.data_dir.clone().unwrap_or(plan.data_dir.clone()));
    }
    opts.demo = args.demo;
    opts.replay = args.replay.clone();
    opts.record = args.record.clone();
    let _demo_dir;
    if args.demo {
        let dir = tempfile::tempdir().context("temporary directory")?;
        let demo = vigie_demo::write_demo_centres(dir.path(), opts.now.date())
            .context("generating the demonstration centres")?;
        opts.centres = vec![demo.centres_csv];
        opts.discover = false;
        opts.replay = Some(demo.recording_dir);
        opts.horizon_days = vigie_slots::DEFAULT_DAYS;
        _demo_dir = dir;
    }
    let summary = scan(&opts)?;
    if !quiet {
        print_summary(&summary);
    }
    Ok(())
}

fn print_summary(s: &ScanSummary) {
    println!(
        "scan {} written to {}: {} centres, {} with slots, {} slots ({:.2}s)",
        s.id,
        s.dir.display(),
        s.centres,
        s.centres_with_slots,
        s.slots,
        s.seconds
    );
    for (p, state) in &s.platforms {
        println!("  {p}: {state}");
    }
    if s.list_issues > 0 {
        println!(
            "  {} centre-list rows reported (see scan-report.json)",
            s.list_issues
        );
    }
    if s.missing_replay > 0 {
        println!(
            "  {} requests were missing from the recording (answered 404; listed in scan-report.json)",
            s.missing_replay
        );
    }
}

/// `Doctolib`'s and Keldoc's department slugs (`department_urlify` of the reference).
fn urlify(name: &str) -> String {
    let folded: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_alphanumeric() => c,
            _ => '-',
        })
        .collect();
    let slug = folded
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    match slug.as_str() {
        "indre" | "gironde" | "mayenne" | "vienne" => format!("departement-{slug}"),
        _ => slug,
    }
}

/// The discovery flow of a platform, if it has one.
fn discovery_for(
    p: Platform,
    cfg: &ConnectorConfig,
    today: jiff::civil::Date,
    days: u16,
) -> Option<Box<dyn Discovery + Send + Sync>> {
    let deps = vigie_finder::departments();
    match p {
        Platform::Doctolib => Some(Box::new(RebasedDiscovery::new(
            DoctolibDiscovery {
                departments: deps
                    .iter()
                    .filter(|d| d.code != "973" && d.code != "om")
                    .map(|d| urlify(&d.name))
                    .collect(),
            },
            cfg,
        ))),
        Platform::Keldoc => Some(Box::new(RebasedDiscovery::new(
            KeldocDiscovery {
                departments: deps
                    .iter()
                    .filter(|d| d.code != "om")
                    .map(|d| format!("{}-{}", urlify(&d.name), d.code))
                    .collect(),
                specialties: ["maladies-infectieuses", "vaccination-covid-19"]
                    .map(String::from)
                    .to_vec(),
            },
            cfg,
        ))),
        _ => vigie_slots::discovery::discovery(p, cfg, today, days),
    }
}

/// The HTTP client of a scan: replay, record or live.
fn http_client(opts: &ScanOpts) -> anyhow::Result<HttpClient> {
    Ok(match (&opts.replay, &opts.record) {
        (Some(dir), _) => HttpClient::replay(dir)
            .with_context(|| format!("reading the recording {}", dir.display()))?,
        (None, Some(dir)) => HttpClient::record(opts.user_agent.as_deref(), dir)
            .with_context(|| format!("recording into {}", dir.display()))?,
        (None, None) => HttpClient::live(opts.user_agent.as_deref()).context("HTTP client")?,
    })
}

/// The records of the centre lists, and what was wrong in them (file, line, field).
fn read_lists(files: &[PathBuf]) -> anyhow::Result<(Vec<CentreRecord>, Vec<serde_json::Value>)> {
    let mut records = Vec::new();
    let mut issues = Vec::new();
    for file in files {
        let bytes = fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        // The file's name, not its path: it is published as the centres' source.
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string());
        let report = parse_list(&bytes, &name).with_context(|| format!("reading {name}"))?;
        for issue in report.issues {
            issues.push(json!({
                "file": name, "line": issue.line, "field": issue.field,
                "value": issue.value, "reason": issue.reason, "skipped": issue.skipped,
            }));
        }
        records.extend(report.records);
    }
    Ok((records, issues))
}

/// Scans and writes; the function behind `vigie scan` and the server's schedule.
pub fn scan(opts: &ScanOpts) -> anyhow::Result<ScanSummary> {
    let started = std::time::Instant::now();
    // The recording's index is built while the centre lists are read.
    let (client, lists) = std::thread::scope(|scope| {
        let client = scope.spawn(|| http_client(opts));
        let lists = read_lists(&opts.centres);
        let client = client
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("reading the recording panicked")));
        (client, lists)
    });
    let client = Arc::new(client?);
    let (mut records, list_issues) = lists?;
    let config = ScanConfig::with_api_keys(|k| std::env::var(k).ok());
    let connector_cfg = ConnectorConfig::default();
    let today = opts.now.date();

    // Centres: lists, or discovery.
    let mut discovery_errors: BTreeMap<Platform, String> = BTreeMap::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("async runtime")?;
    // One scanner for the discovery and the scan: the same politeness and breakers.
    let connectors = Connectors::with_config(&connector_cfg);
    let scanner = Scanner::new(Arc::clone(&client), connectors, config);
    // The breakers as the last scan of the data directory left them: a platform that blocked
    // us stays open for the rest of its delay, then gets one probe.
    let scan_dir = match &opts.target {
        Target::DataDir(root) => Some(vigie_scan::dir::ScanDir::new(root)),
        Target::Out(_) => None,
    };
    if let Some(d) = &scan_dir {
        scanner.recall_breakers(&d.read_breakers(), opts.now.timestamp());
    }
    if opts.discover {
        for &p in &opts.platforms {
            let Some(flow) = discovery_for(p, &connector_cfg, today, opts.horizon_days) else {
                discovery_errors.insert(p, "no centre discovery for this platform".into());
                continue;
            };
            match runtime.block_on(scanner.discover(DiscoveryFlow::new(flow))) {
                Ok(found) => records.extend(found.records),
                Err(e) => {
                    tracing::warn!("discovery {p}: {}", e.message);
                    discovery_errors.insert(p, format!("centre discovery failed: {}", e.message));
                }
            }
        }
    }
    // Accepted citizen contributions: added centres, corrected fields, the blocklist.
    let overlay = contributions_overlay(opts.contributions_dir.as_deref());
    records.extend(overlay.records());
    let merged = merge(records);
    let mut marks: HashMap<String, Vec<vigie_finder::ContributionMark>> = HashMap::new();

    // Targets.
    let mut targets = Vec::new();
    let mut centres = HashMap::new();
    for m in &merged {
        let (Some(platform), Some(original)) = (m.record.platform, m.record.to_centre()) else {
            continue;
        };
        // Corrections replace fields of the official list and the platform data; the centre
        // keeps its id.
        let mut corrected = m.record.clone();
        let mut centre_marks: Vec<_> = m
            .sources
            .iter()
            .filter(|s| s.document == vigie_contributions::overlay::DOCUMENT)
            .filter_map(|s| {
                let id = s.id.as_deref()?;
                let a = overlay
                    .added
                    .iter()
                    .find(|a| a.provenance.contribution_id == id)?;
                Some(vigie_contributions::overlay::added_mark(&a.provenance))
            })
            .collect();
        centre_marks.extend(overlay.correct(&original.id, &mut corrected));
        let r = &corrected;
        let Some(mut centre) = r.to_centre() else {
            continue;
        };
        centre.id = original.id.clone();
        centre.provenance.platform_id = original.provenance.platform_id.clone();
        if !centre_marks.is_empty() {
            marks.insert(centre.id.clone(), centre_marks);
        }
        if !opts.platforms.contains(&platform) {
            continue;
        }
        // Each centre's search starts on its own local date (overseas zones differ from Paris).
        let local_today = vigie_slots::time::zone_for_department(r.department.as_deref())
            .map(|z| opts.now.with_time_zone(z).date())
            .unwrap_or(today);
        let Some(target) = r.scan_target(local_today, opts.horizon_days) else {
            continue;
        };
        if centres.contains_key(&centre.id) {
            continue;
        }
        let sources: Vec<String> = m.sources.iter().map(|s| s.document.clone()).collect();
        targets.push(CentreTarget {
            centre_id: centre.id.clone(),
            platform,
            target,
        });
        centres.insert(centre.id.clone(), (centre, r.city.clone(), sources));
    }

    let mut run: ScanRun = runtime.block_on(scanner.scan(targets.clone(), opts.now.timestamp()));
    drop(runtime);
    // The scan's clock plus the time it took.
    let breakers = scanner.breakers(
        opts.now
            .timestamp()
            .checked_add(jiff::SignedDuration::from_millis(
                i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            ))
            .unwrap_or(opts.now.timestamp()),
    );

    // Snapshot: the outcomes move into it (the report keeps the summaries).
    let mut scans = Vec::new();
    for result in &mut run.centres {
        let Some((centre, city, sources)) = centres.get(&result.centre_id) else {
            continue;
        };
        let outcome = match (result.outcome.take(), &result.error) {
            (Some(o), _) => ScanResult::Scanned(o),
            (None, Some(e)) => ScanResult::Failed {
                class: serde_name(&e.class).unwrap_or_else(|| "internal".into()),
                message: e.message.clone(),
            },
            (None, None) => ScanResult::Failed {
                class: "internal".into(),
                message: "no result".into(),
            },
        };
        scans.push(CentreScan {
            centre: centre.clone(),
            result: outcome,
            scanned_at: opts.now.clone(),
            city: city.clone(),
            extra_sources: sources.clone(),
        });
    }
    let previous = previous_snapshot(&opts.target, opts.demo);
    let mut platform_scans = Vec::new();
    let mut failed = Vec::new();
    for &p in &opts.platforms {
        let report = run.platforms.iter().find(|r| r.platform == p.slug());
        let previous_success = previous
            .as_ref()
            .and_then(|s| s.platforms.iter().find(|e| e.platform == p.slug()))
            .and_then(|e| e.last_success.as_deref())
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| t.to_zoned(opts.now.time_zone().clone()));
        let (state, error) = match (report, discovery_errors.get(&p)) {
            (Some(r), _) => {
                let state = match r.status {
                    PlatformStatus::Ok => PlatformState::Ok,
                    PlatformStatus::Degraded => PlatformState::Degraded,
                    PlatformStatus::Failed => PlatformState::Failed,
                };
                let error = (!r.errors.is_empty()).then(|| {
                    r.errors
                        .iter()
                        .map(|(class, n)| format!("{} {n}", serde_name(class).unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                let error = match (error, discovery_errors.get(&p)) {
                    (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                    (a, b) => a.or_else(|| b.cloned()),
                };
                (state, error)
            }
            (None, Some(e)) => (PlatformState::Failed, Some(e.clone())),
            (None, None) => (PlatformState::NotScanned, None),
        };
        // Platforms whose previous centres must be kept (stale) where this scan did not read
        // them: failed or degraded (a breaker tripped part-way), discovery failed, or nothing
        // scanned at all while the previous scan had centres of the platform.
        let had_centres = previous
            .as_ref()
            .is_some_and(|s| s.centres.iter().any(|c| c.platform == p.slug()));
        if matches!(state, PlatformState::Failed | PlatformState::Degraded)
            || discovery_errors.contains_key(&p)
            || (state == PlatformState::NotScanned && had_centres)
        {
            failed.push(p);
        }
        let last_success = match state {
            PlatformState::Ok | PlatformState::Degraded => Some(opts.now.clone()),
            _ => previous_success,
        };
        platform_scans.push(PlatformScan {
            platform: p,
            state,
            last_success,
            error,
        });
    }
    let visibility = Visibility {
        hidden_ids: overlay.hidden_ids(),
        ..Visibility::default()
    };
    let mut fresh = build_snapshot(
        &scans,
        &platform_scans,
        &visibility,
        &opts.now,
        opts.horizon_days,
    );
    for c in &mut fresh.centres {
        if let Some(m) = marks.remove(&c.id) {
            c.contributions = m;
        }
    }
    let snapshot = match &previous {
        Some(prev) if !failed.is_empty() => {
            vigie_finder::merge_stale(prev, &fresh, &failed, &opts.now)
        }
        _ => fresh,
    };
    // The publish gate of scans: never replace a snapshot that had centres by an empty one.
    if snapshot.centres.is_empty() && previous.as_ref().is_some_and(|p| !p.centres.is_empty()) {
        bail!(
            "scan found no centre at all ({} platforms failed); the previous scan stays live",
            failed.len()
        );
    }
    // Only the new snapshot is written from here on.
    drop(previous);

    // Files.
    let id = scan_id(&opts.now);
    let report = ScanReport {
        centre_list_issues: &list_issues,
        centre_lists: &opts.centres,
        discovery_errors: discovery_errors
            .iter()
            .map(|(p, e)| (p.slug(), e.as_str()))
            .collect(),
        horizon_days: opts.horizon_days,
        mode: match (&opts.replay, &opts.record) {
            (Some(_), _) => "replay",
            (None, Some(_)) => "record",
            (None, None) => "live",
        },
        now: opts.now.to_string(),
        run: &run,
        scan_id: &id,
    };
    // The national availability of the scans recorded so far (for stats_by_date.json).
    let history = match &opts.target {
        Target::DataDir(root) => {
            past_points(&root.join("slots-history.sqlite"), opts.now.time_zone())
        }
        Target::Out(_) => Vec::new(),
    };
    let write = |dir: &Path| {
        if opts.demo {
            fs::write(
                dir.join(vigie_demo::MARKER),
                "Donnees de demonstration generees par Vigie (vigie-demo).\n",
            )
            .context("writing the demo marker")?;
        }
        write_scan(
            dir,
            &snapshot,
            &scans,
            &opts.now,
            opts.horizon_days,
            &report,
            &history,
        )
    };
    let mut id_written = id.clone();
    let dir = match &opts.target {
        Target::Out(out) => {
            let staging = vigie_build::release::Staging::create(out)
                .with_context(|| format!("preparing {}", out.display()))?;
            if let Err(e) = write(&staging.dir) {
                staging.discard();
                return Err(e);
            }
            staging
                .commit()
                .with_context(|| format!("switching {} in", out.display()))?;
            out.clone()
        }
        Target::DataDir(root) => {
            // One scan writes at a time; what a killed one left is removed first.
            let scan_dir = vigie_scan::dir::ScanDir::new(root);
            let lock = scan_dir.lock().context("waiting for the scan lock")?;
            for name in scan_dir.sweep(&lock) {
                eprintln!("removed {name}, left by a scan that did not finish");
            }
            if let Err(e) = scan_dir.write_breakers(&lock, &breakers) {
                tracing::warn!("remembering the breakers: {e}");
            }
            let scans_dir = scan_dir.path().to_path_buf();
            let final_id = scan_dir.free_id(&id);
            let target = scans_dir.join(&final_id);
            let staging = vigie_build::release::Staging::create(&target)
                .with_context(|| format!("preparing {}", target.display()))?;
            if let Err(e) = write(&staging.dir) {
                staging.discard();
                return Err(e);
            }
            staging
                .commit()
                .with_context(|| format!("writing {}", target.display()))?;
            // The live scan is the newest: an older one (an earlier --now) is kept, not made
            // current.
            if scan_dir.should_go_live(&final_id) {
                vigie_build::history::switch_link(
                    &scans_dir,
                    vigie_contracts::layout::CURRENT,
                    Path::new(&final_id),
                )
                .context("switching scans/current")?;
            } else {
                eprintln!(
                    "scan {final_id} kept in {} but not made current: the live scan {} is newer",
                    scans_dir.display(),
                    scan_dir.live_id().unwrap_or_default()
                );
            }
            let mut history = HistoryStore::open(&root.join("slots-history.sqlite"))
                .context("opening the slot history")?;
            history
                .record(opts.now.timestamp(), &HistoryRow::from_run(&run, &targets))
                .context("recording the slot history")?;
            let cutoff = opts
                .now
                .timestamp()
                .checked_sub(jiff::SignedDuration::from_hours(
                    24 * i64::from(opts.history_days),
                ));
            if let Ok(cutoff) = cutoff
                && let Err(e) = history.prune_before(cutoff)
            {
                tracing::warn!("pruning the slot history: {e}");
            }
            let live = scan_dir.live_id();
            if let Err(e) = vigie_build::history::prune_dir(&scans_dir, opts.keep, live.as_deref())
            {
                tracing::warn!("pruning old scans: {e}");
            }
            drop(lock);
            id_written = final_id;
            target
        }
    };
    Ok(ScanSummary {
        id: id_written,
        dir,
        centres: snapshot.centres.len(),
        centres_with_slots: snapshot.centres.iter().filter(|c| c.slot_count > 0).count(),
        slots: snapshot
            .centres
            .iter()
            .map(|c| u64::from(c.slot_count))
            .sum(),
        platforms: snapshot
            .platforms
            .iter()
            .map(|p| {
                let state = serde_name(&p.status).unwrap_or_default();
                let stale = if p.stale {
                    format!(", stale since {}", p.stale_since.as_deref().unwrap_or("?"))
                } else {
                    String::new()
                };
                (
                    p.platform.clone(),
                    format!(
                        "{state}{stale}: {} centres, {} with slots, {} slots{}",
                        p.centres,
                        p.centres_with_slots,
                        p.slots,
                        p.error
                            .as_deref()
                            .map(|e| format!(" (errors: {e})"))
                            .unwrap_or_default()
                    ),
                )
            })
            .collect(),
        missing_replay: run.missing_replay.len(),
        list_issues: list_issues.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// What accepted contributions change (none without a data directory or when no contribution
/// was ever made there; a desk that cannot be read is reported and skipped).
fn contributions_overlay(root: Option<&Path>) -> vigie_contributions::Overlay {
    let Some(root) = root else {
        return vigie_contributions::Overlay::default();
    };
    if !vigie_contributions::store::path_in(root).is_file() {
        return vigie_contributions::Overlay::default();
    }
    vigie_contributions::Desk::open(root, vigie_contributions::Settings::default())
        .and_then(|d| d.overlay())
        .unwrap_or_else(|e| {
            tracing::warn!("contributions not applied to the scan: {e}");
            vigie_contributions::Overlay::default()
        })
}

/// The official list of vaccination places in `DATA/sources/`, when fetched.
pub fn official_list(data_dir: &Path) -> Option<PathBuf> {
    let path = data_dir.join("sources/centres-vaccination.csv");
    path.is_file().then_some(path)
}

fn scan_id(now: &Zoned) -> String {
    now.timestamp().strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The live snapshot a new scan continues from.
fn previous_snapshot(target: &Target, demo: bool) -> Option<Snapshot> {
    let dir = match target {
        Target::Out(d) => d.clone(),
        Target::DataDir(root) => root.join("scans/current"),
    };
    // Demonstration and real scans never continue each other.
    if dir.join(vigie_demo::MARKER).exists() != demo {
        return None;
    }
    let bytes = fs::read(dir.join("open-data/centres.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    write_streamed(path, |out| Ok(serde_json::to_writer(out, value)?))
}

/// Writes `path` through a buffer, straight from `write`: no copy of the whole document in
/// memory (centres.json of a national scan is tens of MB).
fn write_streamed(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<fs::File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut out)
        .and_then(|()| Ok(out.flush()?))
        .with_context(|| format!("writing {}", path.display()))
}

/// The national counts of every scan recorded in the history at `path` (none when there is no
/// history yet or it cannot be read: the file then starts again from this scan).
fn past_points(path: &Path, tz: &jiff::tz::TimeZone) -> Vec<vigie_finder::v2::StatsPoint> {
    if !path.exists() {
        return Vec::new();
    }
    let series = HistoryStore::open(path).and_then(|h| h.series(&SeriesFilter::National));
    match series {
        Ok(points) => points
            .into_iter()
            .filter_map(|p| {
                let at = p.time.parse::<jiff::Timestamp>().ok()?.to_zoned(tz.clone());
                Some(vigie_finder::v2::StatsPoint {
                    at,
                    centres_disponibles: u32::try_from(p.centres_with_slots).unwrap_or(u32::MAX),
                    centres: u32::try_from(p.centres).unwrap_or(u32::MAX),
                    appointments: p.slots,
                })
            })
            .collect(),
        Err(e) => {
            tracing::warn!("reading the slot history for stats_by_date.json: {e}");
            Vec::new()
        }
    }
}

/// `scan-report.json`, serialised straight from the run (keys in alphabetical order).
#[derive(serde::Serialize)]
struct ScanReport<'a> {
    centre_list_issues: &'a [serde_json::Value],
    centre_lists: &'a [PathBuf],
    discovery_errors: BTreeMap<&'static str, &'a str>,
    horizon_days: u16,
    mode: &'static str,
    now: String,
    run: &'a ScanRun,
    scan_id: &'a str,
}

fn write_scan(
    dir: &Path,
    snapshot: &Snapshot,
    scans: &[CentreScan],
    now: &Zoned,
    horizon_days: u16,
    report: &ScanReport<'_>,
    history: &[vigie_finder::v2::StatsPoint],
) -> anyhow::Result<()> {
    let od = dir.join("open-data");
    fs::create_dir_all(&od).with_context(|| format!("creating {}", od.display()))?;
    // slots.csv (one row per slot: the biggest file) is written by a second thread while
    // this one writes the others.
    std::thread::scope(|scope| {
        let slots = scope.spawn(|| {
            let path = od.join("slots.csv");
            let file =
                fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
            // Streamed: a national scan's file is about 100 MB.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            vigie_finder::write_slots_csv(
                &mut out,
                scans,
                &Visibility::default(),
                now,
                horizon_days,
            )
            .with_context(|| format!("writing {}", path.display()))?;
            // Flushed to disk here, while the other files are still being written: the
            // `syncfs` before the switch then has less left to do.
            out.into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.sync_data())
                .with_context(|| format!("writing {}", path.display()))
        });
        // The snapshot's own files on a third thread, the ViteMaDose files here.
        let open_data = scope.spawn(|| write_open_data(&od, snapshot));
        let others = write_others(dir, snapshot, now, report, history);
        let joined = |r: std::thread::Result<anyhow::Result<()>>, what: &str| {
            r.unwrap_or_else(|_| Err(anyhow::anyhow!("the {what} writer panicked")))
        };
        let open_data = joined(open_data.join(), "centres.json");
        let slots = joined(slots.join(), "slots.csv");
        others.and(open_data).and(slots)
    })
}

/// `open-data/centres.json`, `centres.csv` and the data dictionary.
fn write_open_data(od: &Path, snapshot: &Snapshot) -> anyhow::Result<()> {
    write_json(&od.join("centres.json"), snapshot)?;
    fs::write(
        od.join("centres.csv"),
        vigie_finder::centres_csv(snapshot).context("centres.csv")?,
    )
    .context("writing centres.csv")?;
    fs::write(
        od.join("data-dictionary.md"),
        vigie_finder::data_dictionary(),
    )
    .context("writing data-dictionary.md")
}

/// The ViteMaDose files (`vitemadose/`) and `scan-report.json`.
fn write_others(
    dir: &Path,
    snapshot: &Snapshot,
    now: &Zoned,
    report: &ScanReport<'_>,
    history: &[vigie_finder::v2::StatsPoint],
) -> anyhow::Result<()> {
    let v2 = vigie_finder::v2::export_v2(snapshot, now);
    let vmd = dir.join("vitemadose");
    write_json(&vmd.join("info_centres.json"), &v2.info_centres)?;
    for (dep, file) in &v2.par_departement {
        write_json(&vmd.join(format!("{dep}.json")), file)?;
    }
    for (dep, file) in &v2.creneaux_quotidiens {
        write_json(&vmd.join(dep).join("creneaux-quotidiens.json"), file)?;
    }
    write_json(&vmd.join("centres_open_data.json"), &v2.centres_open_data)?;
    write_json(&vmd.join("departements.json"), &v2.departements)?;
    write_json(&vmd.join("stats.json"), &v2.stats)?;
    // The availability over time: the scans recorded before this one, and this one.
    let mut points = history.to_vec();
    let all = &v2.stats.tout_departement;
    points.push(vigie_finder::v2::StatsPoint {
        at: now.clone(),
        centres_disponibles: all.disponibles,
        centres: all.total,
        appointments: all.creneaux,
    });
    write_json(
        &vmd.join("stats_by_date.json"),
        &vigie_finder::v2::stats_by_date(&points),
    )?;
    write_streamed(&dir.join("scan-report.json"), |out| {
        serde_json::to_writer_pretty(&mut *out, report)?;
        Ok(out.write_all(b"\n")?)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn department_slugs_and_clock() {
        assert_eq!(urlify("Côtes-d'Armor"), "cotes-d-armor");
        assert_eq!(urlify("Gironde"), "departement-gironde");
        assert_eq!(urlify("La Réunion"), "la-reunion");
        let z = parse_now("2021-04-03T10:00:00+02:00").unwrap();
        assert_eq!(z.to_string(), "2021-04-03T10:00:00+02:00[Europe/Paris]");
        let z = parse_now("2021-01-03T10:00:00").unwrap();
        assert_eq!(z.offset().seconds(), 3600);
        assert!(parse_now("hier").is_err());
    }
}
