//! `vigie build`: a sources directory in, a release directory out.
//!
//! 1. every file of the sources directory is decoded and recognised by its header
//!    ([`vigie_sources`]); a malformed row stops the build with its file, line, column and value;
//! 2. series are merged by priority, regions and France are summed from departments where the
//!    files do not carry them, and checked against them where they do ([`compute`]);
//! 3. every catalogue indicator is evaluated for every territory and breakdown;
//! 4. open data, the data dictionary, provenance, checks and charts are written to a staging
//!    directory, which is then switched in atomically ([`release`]). On any error the previous
//!    release is left exactly as it was.

pub mod charts;
pub mod compute;
pub mod gate;
pub mod gzip;
pub mod history;
pub mod kpi;
pub mod output;
pub mod release;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};
use vigie_contracts::release::{
    ChecksFile, ConsistencyCheck, CumulativeRevision, DataStatus, FileFormat, OpenDataFile,
    OpenDataFiles, ReleaseManifest, SourceFile, SourcesFile, TerritoryIndexEntry,
};

/// Publisher named in `sources.json` for every file of a demonstration release.
pub const DEMO_PUBLISHER: &str = "Vigie (générateur de données de démonstration)";

/// `origin` of a generated demonstration file in `sources.json`.
pub const DEMO_ORIGIN: &str = "generated";

/// `origin` of the department outlines bundled with the demonstration generator.
pub const DEMO_GEOMETRY_ORIGIN: &str = "embedded";
use vigie_core::reference;
use vigie_sources::catalog::CatalogError;
use vigie_sources::{Breakdowns, Catalog, IngestError, Ingested, Store};

/// What to build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Directory of official files (any names; recognised by header).
    pub sources: PathBuf,
    /// Release directory to create or replace atomically.
    pub out: PathBuf,
    /// Extra catalogue files (TOML) added to the built-in catalogue.
    pub catalogs: Vec<PathBuf>,
    /// Build time, ISO 8601 (passed in: the build reads no clock for its outputs).
    pub built_at: String,
    /// Chart formats to render.
    pub charts: charts::ChartFormats,
    /// Vaccination coverage target (% of the population) for the projected dates.
    pub coverage_target: f64,
}

/// A build that could not complete. The previous release is untouched.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: io::Error,
    },
    /// A catalogue is invalid.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A source file has a bad row.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// Nothing to build from.
    #[error("no recognised data file in {0}")]
    NoData(PathBuf),
    /// A chart could not be drawn.
    #[error("chart {name}: {message}")]
    Chart {
        /// Chart file.
        name: String,
        /// Cause.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a build did, for the command line and the release manifest.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct BuildReport {
    /// Release id (derived from the build time).
    pub release_id: String,
    /// Recognised files.
    pub files_used: usize,
    /// Files that matched no source type, with their header.
    pub files_unrecognised: Vec<String>,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows of `indicators.csv`.
    pub rows_written: u64,
    /// Territory × breakdown groups.
    pub groups: usize,
    /// Charts written.
    pub charts: usize,
    /// Seconds per stage.
    pub timings: Vec<(String, f64)>,
}

/// Loads the built-in catalogue plus user files.
pub fn load_catalog(extra: &[PathBuf]) -> Result<Catalog, BuildError> {
    let mut c = Catalog::builtin()?;
    for p in extra {
        let text = fs::read_to_string(p).map_err(io_err(p))?;
        c.add_toml(&text, &p.display().to_string())?;
    }
    c.validate()?;
    Ok(c)
}

fn list_files(dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(io_err(&d))? {
            let entry = entry.map_err(io_err(&d))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let lower = name.to_ascii_lowercase();
            let data_like = [
                ".csv", ".csv.gz", ".tsv", ".txt", ".gz", ".json", ".geojson",
            ]
            .iter()
            .any(|e| lower.ends_with(e));
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if data_like {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Runs a whole build.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let catalog = load_catalog(&opts.catalogs)?;
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &str, timings: &mut Vec<(String, f64)>| {
        timings.push((name.to_string(), clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };

    // 1. Read and recognise.
    let mut breakdowns = Breakdowns::default();
    let mut files = Vec::new();
    let mut provenance = Vec::new();
    let mut unrecognised = Vec::new();
    let mut geometry: Option<(String, String)> = None;
    let mut demo = false;
    let mut demo_marker = Vec::new();
    for path in list_files(&opts.sources)? {
        let name = path
            .strip_prefix(&opts.sources)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if name == vigie_demo::MARKER {
            demo = true;
            demo_marker = fs::read(&path).map_err(io_err(&path))?;
            continue;
        }
        let bytes = fs::read(&path).map_err(io_err(&path))?;
        let sha = format!("{:x}", Sha256::digest(&bytes));
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".geojson")
            || (lower.ends_with(".json") && bytes.windows(17).any(|w| w == b"FeatureCollection"))
        {
            if lower.contains("departement") || lower.contains("department") {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                // Prefer the file with overseas departments, then the larger one.
                let better = match &geometry {
                    None => true,
                    Some((n, t)) => {
                        (lower.contains("outre-mer"), text.len())
                            > (n.contains("outre-mer"), t.len())
                    }
                };
                if better {
                    geometry = Some((lower.clone(), text));
                }
                provenance.push(SourceFile {
                    file: name,
                    sha256: sha,
                    bytes: bytes.len() as u64,
                    source: Some("geometry-departements".into()),
                    ..SourceFile::default()
                });
            } else {
                unrecognised.push(name);
            }
            continue;
        }
        let size = bytes.len();
        match vigie_sources::ingest(&name, bytes, &catalog, &mut breakdowns)? {
            Ingested::Data(d) => {
                provenance.push(SourceFile {
                    file: name,
                    sha256: sha,
                    bytes: size as u64,
                    ..SourceFile::default()
                });
                files.push(*d);
            }
            Ingested::Unrecognised { header } => {
                tracing::warn!(file = %name, "not recognised (header: {})", header.join(","));
                unrecognised.push(name);
            }
        }
    }
    if files.is_empty() {
        return Err(BuildError::NoData(opts.sources.clone()));
    }
    let rows_read: u64 = files.iter().map(|f| f.rows).sum();
    lap("read", &mut timings);

    // 2–3. Merge, aggregate, evaluate.
    let mut store = Store::from_files(files);
    let (mut checks, aggregated) = compute::aggregate(&mut store, &catalog, &breakdowns);
    let (indicators, groups) = compute::evaluate(&store, &catalog, &breakdowns);
    let mut computed = compute::Computed {
        indicators,
        groups,
        checks: Vec::new(),
        aggregated,
        coverage_target: opts.coverage_target,
        revisions: Vec::new(),
        revisions_in: catalog.revisions_in.clone(),
    };
    checks.extend(compute::cross_checks(&computed, &breakdowns));
    checks.extend(compute::world_checks(&computed, &breakdowns));
    computed.revisions = compute::revisions(&computed, &breakdowns);
    computed.checks = checks;
    // Indicators computed for checks only are not published.
    let internal: Vec<bool> = computed.indicators.iter().map(|i| i.internal).collect();
    for g in &mut computed.groups {
        g.values.retain(|(i, _)| !internal[*i]);
    }
    computed.groups.retain(|g| !g.values.is_empty());
    lap("compute", &mut timings);

    // 4. Write.
    let staging = release::Staging::create(&opts.out).map_err(io_err(&opts.out))?;
    let result = write_release(
        opts,
        demo.then_some(demo_marker.as_slice()),
        &staging.dir,
        &catalog,
        &store,
        &computed,
        &breakdowns,
        provenance,
        geometry,
        rows_read,
        &unrecognised,
        &mut timings,
    );
    match result {
        Ok(mut report) => {
            let t = Instant::now();
            staging.commit().map_err(io_err(&opts.out))?;
            report
                .timings
                .push(("commit".into(), t.elapsed().as_secs_f64()));
            Ok(report)
        }
        Err(e) => {
            staging.discard();
            Err(e)
        }
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    fs::write(path, bytes).map_err(io_err(path))
}

/// Pretty JSON with a final newline (every JSON file of a release).
pub(crate) fn json_bytes(v: &impl serde::Serialize) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// The manifest of the release in `dir`, if readable.
pub fn read_manifest(dir: &Path) -> Option<ReleaseManifest> {
    serde_json::from_slice(&fs::read(dir.join("release.json")).ok()?).ok()
}

/// What `vigie fetch` recorded about one file (`.provenance.json` of the sources directory).
#[derive(Debug, Default, serde::Deserialize)]
struct Fetched {
    #[serde(default)]
    origin: Option<String>,
    #[serde(default)]
    fetched_at: Option<String>,
    #[serde(default)]
    publisher_last_modified: Option<String>,
    #[serde(default)]
    sha256: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn write_release(
    opts: &BuildOptions,
    demo_marker: Option<&[u8]>,
    dir: &Path,
    catalog: &Catalog,
    store: &Store,
    computed: &compute::Computed,
    breakdowns: &Breakdowns,
    provenance: Vec<SourceFile>,
    geometry: Option<(String, String)>,
    rows_read: u64,
    unrecognised: &[String],
    timings: &mut Vec<(String, f64)>,
) -> Result<BuildReport, BuildError> {
    let demo = demo_marker.is_some();
    let mut clock = Instant::now();
    let od = dir.join("open-data");
    fs::create_dir_all(od.join("territories")).map_err(io_err(&od))?;
    if let Some(marker) = demo_marker {
        write_file(&od.join(vigie_demo::MARKER), marker)?;
    }

    let csv_path = od.join("indicators.csv");
    let gz_path = od.join("indicators.csv.gz");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (written, chart_count) = std::thread::scope(|scope| {
        // The charts only read the computed groups: they are drawn beside the open-data
        // writers, on their own threads.
        let charts = scope.spawn(|| {
            let t = Instant::now();
            let n = write_charts(opts, dir, catalog, computed, breakdowns, geometry, demo);
            tracing::debug!(seconds = t.elapsed().as_secs_f64(), "charts drawn");
            n
        });
        let written = (|| -> Result<_, BuildError> {
            let file = fs::File::create(&csv_path).map_err(io_err(&csv_path))?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            // The gzipped copy is compressed from the same bytes as they are written.
            let mut gz = gzip::ParallelGzip::create(&gz_path, cores).map_err(io_err(&gz_path))?;
            let (rows_written, territory_rows) = output::write_series(
                computed,
                breakdowns,
                &mut w,
                &mut gz,
                &od.join("territories"),
                demo,
            )
            .map_err(|(path, source)| BuildError::Io { path, source })?;
            w.flush().map_err(io_err(&csv_path))?;
            drop(w);
            timings.push((
                "indicators.csv and territory files".into(),
                clock.elapsed().as_secs_f64(),
            ));
            clock = Instant::now();
            write_metadata(
                opts,
                &od,
                catalog,
                store,
                computed,
                provenance,
                unrecognised,
                demo,
            )?;
            timings.push((
                "dictionary, provenance, checks".into(),
                clock.elapsed().as_secs_f64(),
            ));
            clock = Instant::now();
            gz.finish().map_err(io_err(&gz_path))?;
            timings.push((
                "indicators.csv.gz (rest)".into(),
                clock.elapsed().as_secs_f64(),
            ));
            clock = Instant::now();
            Ok((rows_written, territory_rows))
        })();
        let charts = charts.join().unwrap_or_else(|_| {
            Err(BuildError::Chart {
                name: "charts".into(),
                message: "the chart thread panicked".into(),
            })
        });
        (written, charts)
    });
    let (rows_written, territory_rows) = written?;
    let chart_count = chart_count?;
    timings.push(("charts (rest)".into(), clock.elapsed().as_secs_f64()));
    let mut rows: std::collections::BTreeMap<String, u64> = territory_rows
        .into_iter()
        .map(|t| (format!("open-data/territories/{}.csv", t.key), t.rows))
        .collect();
    rows.insert("open-data/indicators.csv".into(), rows_written);
    rows.insert("open-data/indicators.csv.gz".into(), rows_written);
    write_files_list(dir, &rows, demo)?;

    let today = opts
        .built_at
        .get(..10)
        .and_then(vigie_core::Date::parse_str);
    let (violations, violations_by_indicator) = gate::validate(computed, breakdowns, today);
    let violations_total = violations_by_indicator.values().sum();
    let release_id = release_id(&opts.built_at);
    let report = BuildReport {
        release_id: release_id.clone(),
        files_used: store.files.len(),
        files_unrecognised: unrecognised.to_vec(),
        rows_read,
        rows_written,
        groups: computed.groups.len(),
        charts: chart_count,
        timings: timings.clone(),
    };
    let last_dates: Vec<_> = store
        .files
        .iter()
        .filter_map(|f| f.dates.map(|d| d.1))
        .collect();
    let manifest = ReleaseManifest {
        release_id,
        built_at: opts.built_at.clone(),
        demo,
        data_status: DataStatus::from_demo(demo),
        data_until: last_dates.iter().max().map(|d| d.to_string()),
        vigie_version: env!("CARGO_PKG_VERSION").to_string(),
        files_used: report.files_used,
        rows_read,
        indicator_rows: rows_written,
        groups: report.groups,
        charts: chart_count,
        violations_total,
        violations,
        violations_by_indicator,
        open_data_files: Some(vigie_contracts::release::FILES_PATH.to_string()),
        value_decimals: Some(vigie_core::publish::DECIMALS),
    };
    write_file(&dir.join("release.json"), &json_bytes(&manifest))?;
    Ok(report)
}

/// Writes `territories.json`, the data dictionary, `sources.json` and `checks.json` into `od`.
/// The world fields of a territory of the world (`None` for France's).
pub(crate) fn world_info(t: &vigie_core::Territory) -> Option<vigie_contracts::release::WorldInfo> {
    let r = reference();
    (!t.level.is_french()).then(|| vigie_contracts::release::WorldInfo {
        name_en: t.name_en.clone(),
        alpha3: t.iso.alpha3.clone(),
        alpha2: t.iso.alpha2.clone(),
        numeric: t.iso.numeric.clone(),
        continent: t.continent.map(|c| r.get(c).key()),
        who_region: t.who_region.map(|c| r.get(c).key()),
    })
}

#[allow(clippy::too_many_arguments)]
fn write_metadata(
    opts: &BuildOptions,
    od: &Path,
    catalog: &Catalog,
    store: &Store,
    computed: &compute::Computed,
    mut provenance: Vec<SourceFile>,
    unrecognised: &[String],
    demo: bool,
) -> Result<(), BuildError> {
    let r = reference();
    let mut territories_index = Vec::new();
    for t in r.all() {
        if !computed.groups.iter().any(|g| g.territory == t.id) {
            continue;
        }
        territories_index.push(TerritoryIndexEntry {
            territory: t.key(),
            name: t.name.to_string(),
            level: t.level.as_str().to_string(),
            region: t.region.map(|g| r.get(g).key()),
            population_insee: t.population,
            world: world_info(t),
            demo,
            data_status: DataStatus::from_demo(demo),
        });
    }
    write_file(
        &od.join("territories.json"),
        &json_bytes(&territories_index),
    )?;

    let dict = output::data_dictionary(computed, catalog, demo);
    write_file(&od.join("data-dictionary.json"), &json_bytes(&dict))?;
    write_file(
        &od.join("data-dictionary.md"),
        output::data_dictionary_md(&dict).as_bytes(),
    )?;

    // Provenance recorded by `vigie fetch` (origin, fetch time, publisher's date).
    let fetched: std::collections::BTreeMap<String, Fetched> =
        fs::read(opts.sources.join(".provenance.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
    for p in provenance.iter_mut() {
        if let Some(f) = fetched.get(&p.file) {
            p.origin = f.origin.clone();
            p.fetched_at = f.fetched_at.clone();
            p.publisher_last_modified = f.publisher_last_modified.clone();
            p.sha256_at_fetch = f.sha256.clone();
        }
    }
    // Provenance: merge hashes with what ingestion learnt.
    for f in &store.files {
        if let Some(p) = provenance.iter_mut().find(|p| p.file == f.file) {
            let spec = catalog.sources.iter().find(|s| s.id == f.source);
            p.source = Some(f.source.clone());
            p.title = spec.map(|s| s.title.clone());
            p.publisher = spec.map(|s| s.publisher.clone());
            p.url = spec.and_then(|s| s.url.clone());
            p.note = spec.and_then(|s| s.note.clone());
            p.vintage = f.vintage.clone();
            p.header = Some(f.header.clone());
            p.separator = Some(f.separator.to_string());
            p.encoding = Some(f.encoding.to_string());
            p.gzip = Some(f.gzip);
            p.rows = Some(f.rows);
            p.first_date = f.dates.map(|d| d.0.to_string());
            p.last_date = f.dates.map(|d| d.1.to_string());
            p.series_used = Some(f.series_used);
            p.series_superseded = Some(f.series_superseded);
            p.rows_excluded = Some(f.excluded.clone());
            p.duplicates_ignored = Some(f.duplicates_ignored);
        }
    }
    if demo {
        // Generated files: no real publisher, no real address.
        for p in provenance.iter_mut() {
            p.url = None;
            if p.source.as_deref() == Some("geometry-departements") {
                p.origin = Some(DEMO_GEOMETRY_ORIGIN.into());
            } else {
                p.publisher = Some(DEMO_PUBLISHER.into());
                p.origin = Some(DEMO_ORIGIN.into());
                p.note = None;
                // The catalogue titles name the real publisher: only the format is kept.
                p.title = p
                    .source
                    .as_ref()
                    .map(|s| format!("Données de démonstration au format « {s} »"));
            }
        }
    }
    let sources = SourcesFile {
        files: provenance,
        unrecognised: unrecognised.to_vec(),
        demo,
        data_status: DataStatus::from_demo(demo),
    };
    write_file(&od.join("sources.json"), &json_bytes(&sources))?;
    let checks = ChecksFile {
        aggregated_series: computed.aggregated.clone(),
        checks: computed
            .checks
            .iter()
            .map(|c| ConsistencyCheck {
                kind: c.kind.to_string(),
                territory: c.territory.clone(),
                quantity: c.quantity.clone(),
                reference: c.reference.clone(),
                breakdown: c.breakdown.clone(),
                dates_compared: c.dates_compared,
                max_relative_difference: c.max_relative_difference,
                at: c.at.clone(),
                mean_relative_difference: c.mean_relative_difference,
                explanation_fr: c.explanation.map(|e| e.0.to_string()),
                explanation_en: c.explanation.map(|e| e.1.to_string()),
            })
            .collect(),
        revisions: computed
            .revisions
            .iter()
            .map(|v| CumulativeRevision {
                territory: v.territory.clone(),
                indicator: v.indicator.clone(),
                breakdown: v.breakdown.clone(),
                date: v.date.to_string(),
                before: v.before,
                after: v.after,
            })
            .collect(),
        demo,
        data_status: DataStatus::from_demo(demo),
    };
    write_file(&od.join("checks.json"), &json_bytes(&checks))?;
    Ok(())
}

/// Writes the department outlines and every chart under `dir`; returns the charts written.
fn write_charts(
    opts: &BuildOptions,
    dir: &Path,
    catalog: &Catalog,
    computed: &compute::Computed,
    breakdowns: &Breakdowns,
    geometry: Option<(String, String)>,
    demo: bool,
) -> Result<usize, BuildError> {
    // The outlines, for interactive maps (the web application simplifies them when serving).
    if let Some((_, text)) = &geometry {
        let geo = dir.join("geo");
        fs::create_dir_all(&geo).map_err(io_err(&geo))?;
        write_file(&geo.join("departements.geojson"), text.as_bytes())?;
    }
    let shapes = match &geometry {
        Some((name, text)) => {
            Some(
                vigie_charts::GeoShapes::from_geojson(text).map_err(|e| BuildError::Chart {
                    name: name.clone(),
                    message: e.to_string(),
                })?,
            )
        }
        None => None,
    };
    charts::write_all(
        &charts::ChartContext {
            computed,
            breakdowns,
            presentation: &catalog.presentation,
            demo,
        },
        shapes.as_ref(),
        &dir.join("charts"),
        opts.charts,
    )
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), BuildError> {
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let path = entry.map_err(io_err(dir))?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `open-data/files.json` of the release in `dir`: every file under `open-data/` but
/// itself, with its size, its rows (`rows`, by release path, for CSV files), its format and,
/// under `open-data/territories/`, its territory. Called again by the data directory once it
/// adds `changes.json`.
pub fn write_files_list(
    dir: &Path,
    rows: &std::collections::BTreeMap<String, u64>,
    demo: bool,
) -> Result<OpenDataFiles, BuildError> {
    let mut paths = Vec::new();
    walk(&dir.join("open-data"), &mut paths)?;
    let mut files = Vec::new();
    for p in paths {
        let rel = p
            .strip_prefix(dir)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        if rel == vigie_contracts::release::FILES_PATH {
            continue;
        }
        let bytes = fs::metadata(&p).map_err(io_err(&p))?.len();
        let territory = rel
            .strip_prefix("open-data/territories/")
            .and_then(|f| f.split('.').next())
            .map(String::from);
        files.push(OpenDataFile {
            rows: rows.get(&rel).copied(),
            format: FileFormat::of_path(&rel),
            path: rel,
            bytes,
            territory,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let list = OpenDataFiles {
        files,
        demo,
        data_status: DataStatus::from_demo(demo),
    };
    write_file(
        &dir.join(vigie_contracts::release::FILES_PATH),
        &json_bytes(&list),
    )?;
    Ok(list)
}

/// `2026-11-29T06:00:00Z` → `20261129T060000Z`.
pub fn release_id(built_at: &str) -> String {
    built_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}
