//! Writers of the open-data files. Every writer is deterministic: same inputs, same bytes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use vigie_contracts::release::{
    DataDictionary, DataStatus, FileDescription, IndicatorDoc, TerritoryHead, ThresholdsDoc,
};
use vigie_core::{Date, reference};
use vigie_sources::{Breakdowns, Catalog};

use crate::compute::{Computed, Group};
use crate::gzip::ParallelGzip;

/// Header of `open-data/indicators.csv` and of every `open-data/territories/<T>.csv` (a
/// public contract).
pub use vigie_contracts::release::INDICATORS_HEADER;

/// Appends a value rounded for publication ([`vigie_core::round_published`]) in its shortest
/// round-trip form (`.` decimal point, integers without `.0`): the same string in every file.
pub fn push_value(
    buf: &mut Vec<u8>,
    v: f64,
    ryu_buf: &mut zmij::Buffer,
    itoa_buf: &mut itoa::Buffer,
) {
    let v = vigie_core::round_published(v);
    if v.fract() == 0.0 && v.abs() < 1e15 {
        buf.extend_from_slice(itoa_buf.format(v as i64).as_bytes());
    } else {
        buf.extend_from_slice(ryu_buf.format_finite(v).as_bytes());
    }
}

/// Values of one territory, each formatted once and shared by the CSV and JSON writers.
struct Formatted {
    bytes: Vec<u8>,
    /// `(start, len)` in `bytes` per value; `len == 0` for an undefined value.
    spans: Vec<(u32, u32)>,
    /// Per group of the territory, per entry of `group.values`: index of its first span.
    starts: Vec<Vec<usize>>,
}

impl Formatted {
    fn new() -> Formatted {
        Formatted {
            bytes: Vec::with_capacity(1 << 22),
            spans: Vec::with_capacity(1 << 18),
            starts: Vec::new(),
        }
    }

    fn fill(&mut self, groups: &[Group]) {
        self.bytes.clear();
        self.spans.clear();
        self.starts.clear();
        let (mut rb, mut ib) = (zmij::Buffer::new(), itoa::Buffer::new());
        for g in groups {
            let mut starts = Vec::with_capacity(g.values.len());
            for (_, values) in &g.values {
                starts.push(self.spans.len());
                for v in values {
                    let at = self.bytes.len() as u32;
                    if !v.is_nan() {
                        push_value(&mut self.bytes, *v, &mut rb, &mut ib);
                    }
                    self.spans.push((at, self.bytes.len() as u32 - at));
                }
            }
            self.starts.push(starts);
        }
    }

    fn value(&self, span: usize) -> Option<&[u8]> {
        let (a, n) = self.spans[span];
        (n > 0).then(|| &self.bytes[a as usize..(a + n) as usize])
    }
}

/// Rows written for one territory (its CSV file has as many data rows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerritoryRows {
    /// Territory key.
    pub key: String,
    /// Data rows of `<key>.csv`.
    pub rows: u64,
}

/// Writes `indicators.csv` (rows sorted by territory in reference order, indicator in catalogue
/// order, breakdown — all, ages ascending, sexes — and date; undefined values omitted), and into
/// `territory_dir` one CSV (`<key>.csv`, that territory's rows under the same header) and one
/// JSON file (`<key>.json`) per territory. Every row ends with the release's `data_status`.
/// Returns the number of data rows of `indicators.csv` and the rows of each territory.
///
/// The bytes of `indicators.csv` are also pushed to `gz`, one chunk per territory, so that its
/// gzipped copy is compressed on the other cores while the next territories are formatted.
pub fn write_series(
    computed: &Computed,
    breakdowns: &Breakdowns,
    csv: &mut impl Write,
    gz: &mut ParallelGzip,
    territory_dir: &Path,
    demo: bool,
) -> Result<(u64, Vec<TerritoryRows>), (PathBuf, io::Error)> {
    let r = reference();
    let csv_err = |e| (PathBuf::from("indicators.csv"), e);
    let gz_err = |e| (PathBuf::from("indicators.csv.gz"), e);
    let status_suffix = format!(",{}\n", DataStatus::from_demo(demo).as_str());
    csv.write_all(INDICATORS_HEADER.as_bytes())
        .map_err(csv_err)?;
    let mut header = gz.buffer();
    header.extend_from_slice(INDICATORS_HEADER.as_bytes());
    gz.push(header, 0).map_err(gz_err)?;
    let mut rows = 0u64;
    let mut per_territory = Vec::new();
    // Date strings are shared by all series: format each day once.
    let (lo, hi) = computed
        .groups
        .iter()
        .fold((i32::MAX, i32::MIN), |(lo, hi), g| {
            let len = g.values.first().map_or(0, |v| v.1.len()) as i32;
            (lo.min(g.start.days()), hi.max(g.start.days() + len))
        });
    let dates: Vec<[u8; 10]> = if lo <= hi {
        (lo..=hi).map(|d| Date::from_days(d).iso_bytes()).collect()
    } else {
        Vec::new()
    };
    let mut fmt = Formatted::new();
    let mut json = Vec::with_capacity(1 << 22);
    let mut prefix = Vec::with_capacity(96);
    let mut gi = 0;
    while gi < computed.groups.len() {
        let territory = computed.groups[gi].territory;
        let mut gj = gi;
        while gj < computed.groups.len() && computed.groups[gj].territory == territory {
            gj += 1;
        }
        let groups = &computed.groups[gi..gj];
        fmt.fill(groups);
        let key = r.get(territory).key();
        // This territory's rows: its own file, then appended to the national one.
        let mut buf = gz.buffer();
        buf.reserve(1 << 21);
        buf.extend_from_slice(INDICATORS_HEADER.as_bytes());
        let header_len = buf.len();
        let mut territory_rows = 0u64;
        for ind in 0..computed.indicators.len() {
            for (k, g) in groups.iter().enumerate() {
                let Some(pos) = g.values.iter().position(|(i, _)| *i == ind) else {
                    continue;
                };
                prefix.clear();
                prefix.extend_from_slice(key.as_bytes());
                prefix.push(b',');
                prefix.extend_from_slice(computed.indicators[ind].id.as_bytes());
                prefix.push(b',');
                prefix.extend_from_slice(breakdowns.key(g.breakdown).as_bytes());
                prefix.push(b',');
                let base = (g.start.days() - lo) as usize;
                let first = fmt.starts[k][pos];
                for i in 0..g.values[pos].1.len() {
                    let Some(v) = fmt.value(first + i) else {
                        continue;
                    };
                    buf.extend_from_slice(&prefix);
                    buf.extend_from_slice(&dates[base + i]);
                    buf.push(b',');
                    buf.extend_from_slice(v);
                    buf.extend_from_slice(status_suffix.as_bytes());
                    territory_rows += 1;
                }
            }
        }
        let path = territory_dir.join(format!("{key}.csv"));
        std::fs::write(&path, &buf).map_err(|e| (path.clone(), e))?;
        csv.write_all(&buf[header_len..]).map_err(csv_err)?;
        gz.push(buf, header_len).map_err(gz_err)?;
        rows += territory_rows;
        json.clear();
        territory_json(
            computed, breakdowns, territory, groups, &fmt, demo, &mut json,
        );
        let path = territory_dir.join(format!("{key}.json"));
        std::fs::write(&path, &json).map_err(|e| (path.clone(), e))?;
        per_territory.push(TerritoryRows {
            key,
            rows: territory_rows,
        });
        gi = gj;
    }
    Ok((rows, per_territory))
}

/// JSON of one territory: every indicator and breakdown as a dense array from `start`
/// (`null` for undefined days), plus its latest values and level-and-trend wording.
fn territory_json(
    computed: &Computed,
    breakdowns: &Breakdowns,
    territory: vigie_core::TerritoryId,
    groups: &[Group],
    fmt: &Formatted,
    demo: bool,
    out: &mut Vec<u8>,
) {
    let r = reference();
    let t = r.get(territory);
    // The population of the whole territory: the `all` breakdown, else (the world's countries)
    // the first publisher's breakdown.
    let all = groups
        .iter()
        .find(|g| g.breakdown == Breakdowns::ALL)
        .or_else(|| {
            groups.iter().find(|g| {
                vigie_sources::breakdown::is_whole_population(breakdowns.key(g.breakdown))
            })
        });
    let head = TerritoryHead {
        territory: t.key(),
        name: t.name.clone(),
        world: crate::world_info(t),
        level: t.level.as_str().to_string(),
        region: t.region.map(|g| r.get(g).key()),
        population_insee: t.population,
        population: all.and_then(|g| g.population),
        population_source: all.map(|g| g.population_source.as_str().to_string()),
        demo,
        data_status: DataStatus::from_demo(demo),
        latest: crate::kpi::latest(computed, territory),
    };
    let head = serde_json::to_string(&head).unwrap_or_else(|_| "{}".into());
    out.extend_from_slice(&head.as_bytes()[..head.len().saturating_sub(1)]);
    out.extend_from_slice(b",\"indicators\":{");
    let mut first_ind = true;
    for (ind, spec) in computed.indicators.iter().enumerate() {
        let members: Vec<(usize, &Group, usize)> = groups
            .iter()
            .enumerate()
            .filter_map(|(k, g)| {
                g.values
                    .iter()
                    .position(|(i, _)| *i == ind)
                    .map(|p| (k, g, p))
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        if !first_ind {
            out.push(b',');
        }
        first_ind = false;
        out.push(b'"');
        out.extend_from_slice(spec.id.as_bytes());
        out.extend_from_slice(b"\":{");
        let mut first_b = true;
        for (k, g, pos) in members {
            let values = &g.values[pos].1;
            let Some(a) = values.iter().position(|x| !x.is_nan()) else {
                continue;
            };
            let z = values.iter().rposition(|x| !x.is_nan()).unwrap_or(a);
            if !first_b {
                out.push(b',');
            }
            first_b = false;
            out.push(b'"');
            out.extend_from_slice(breakdowns.key(g.breakdown).as_bytes());
            out.extend_from_slice(b"\":{\"start\":\"");
            out.extend_from_slice(&g.start.add_days(a as i32).iso_bytes());
            out.extend_from_slice(b"\",\"end\":\"");
            out.extend_from_slice(&g.start.add_days(z as i32).iso_bytes());
            out.extend_from_slice(b"\",\"step\":\"");
            if g.step_days > 1 {
                out.extend_from_slice(format!("P{}D", g.step_days).as_bytes());
            } else {
                out.extend_from_slice(vigie_contracts::release::DAILY_STEP.as_bytes());
            }
            out.extend_from_slice(b"\",\"values\":[");
            let first = fmt.starts[k][pos];
            // Weekly series: one value per reported period, from the first.
            for i in (a..=z).step_by(usize::from(g.step_days.max(1))) {
                if i > a {
                    out.push(b',');
                }
                match fmt.value(first + i) {
                    Some(v) => out.extend_from_slice(v),
                    None => out.extend_from_slice(b"null"),
                }
            }
            out.extend_from_slice(b"]}");
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"}}\n");
}

fn text(s: &str) -> FileDescription {
    FileDescription::Text(s.to_string())
}

fn table(format: &str, columns: &[(&str, &str)]) -> FileDescription {
    FileDescription::Table {
        format: format.to_string(),
        columns: columns
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// The data dictionary: every indicator and every open-data column.
pub fn data_dictionary(computed: &Computed, catalog: &Catalog, demo: bool) -> DataDictionary {
    let indicators: Vec<IndicatorDoc> = computed
        .indicators
        .iter()
        .filter(|i| !i.internal)
        .map(|i| {
            let formulas = || std::iter::once(&i.formula).chain(&i.fallback);
            let mut inputs: Vec<String> = Vec::new();
            for f in formulas() {
                for input in f.to_formula().inputs() {
                    if !inputs.iter().any(|x| x == input) {
                        inputs.push(input.to_string());
                    }
                }
            }
            // The measures behind the inputs, through the indicators they name.
            let mut measures: Vec<String> = Vec::new();
            let mut todo = inputs.clone();
            while let Some(name) = todo.pop() {
                if measures.contains(&name) {
                    continue;
                }
                if let Some(ind) = computed.indicators.iter().find(|j| j.id == name && j.id != i.id)
                {
                    for f in std::iter::once(&ind.formula).chain(&ind.fallback) {
                        todo.extend(f.to_formula().inputs().into_iter().map(String::from));
                    }
                }
                measures.push(name);
            }
            let sources: Vec<String> = catalog
                .sources
                .iter()
                .filter(|s| s.columns.iter().any(|c| measures.contains(&c.measure)))
                .map(|s| s.id.clone())
                .collect();
            let formula = formulas()
                .map(|f| f.describe())
                .collect::<Vec<_>>()
                .join("; where absent: ");
            IndicatorDoc {
                id: i.id.clone(),
                label_fr: i.label_fr.clone(),
                label_en: i.label_en.clone(),
                unit: i.unit.clone(),
                alignment: if formula.contains("centred") {
                    "centred"
                } else {
                    "trailing"
                }
                .to_string(),
                formula,
                window_days: i.formula.window(),
                inputs,
                sources,
                breakdowns: if i.only_all {
                    "all only"
                } else {
                    "all, every age class or sex the source has, and source:<publisher> (jhu, who) for the world's territories"
                }
                .to_string(),
                thresholds: i.thresholds.as_ref().map(|t| ThresholdsDoc {
                    levels: t.levels.to_vec(),
                    step: t.step,
                }),
                description: i.description.clone(),
            }
        })
        .collect();
    let columns: &[(&str, &str)] = &[
        (
            "territory",
            "FR (France, the 101 departments), REG-<INSEE region code> or DEP-<INSEE department code>",
        ),
        ("indicator", "indicator id, see `indicators`"),
        (
            "breakdown",
            "all; age:<lo>-<hi> or age:<lo>+ (years); sex:female or sex:male",
        ),
        (
            "date",
            "ISO 8601 day (YYYY-MM-DD): the day the value refers to (sampling day for tests, report day for hospital data); for a window, its last day (trailing) or its middle day (centred)",
        ),
        (
            "value",
            "decimal number with '.', rounded to 4 decimals (rule `precision`) and written in its shortest form (integers without decimals); undefined values are omitted (never written as 0)",
        ),
        (
            "data_status",
            "`official` (data as published by their producers) or `demo` (generated by Vigie's demonstration generator: not real data); the same on every row of a release (rule `demo_marker`)",
        ),
    ];
    let format = format!(
        "CSV, UTF-8, comma-separated, LF, header {}",
        INDICATORS_HEADER.trim_end()
    );
    let mut files = BTreeMap::new();
    files.insert(
        "open-data/indicators.csv".to_string(),
        table(&format, columns),
    );
    files.insert(
        "open-data/indicators.csv.gz".to_string(),
        text("the same bytes as indicators.csv, gzip-compressed"),
    );
    files.insert(
        "open-data/territories/<territory>.csv".to_string(),
        table(
            &format!("{format}; the rows of indicators.csv for that territory, in the same order"),
            columns,
        ),
    );
    files.insert(
        "open-data/territories/<territory>.json".to_string(),
        text("the same values per territory: indicators.<id>.<breakdown> = {start, end, step, values[]}: one value per day from start to end inclusive (step is always \"P1D\", one calendar day), null when undefined, rounded like the CSV; plus latest values with level-and-trend wording (rounded the same way), and `demo` / `data_status`"),
    );
    files.insert(
        "open-data/territories.json".to_string(),
        text("the territories with data: key, name, level, parent region, INSEE population; the file is a list, so every entry carries `demo` and `data_status`"),
    );
    files.insert(
        "open-data/sources.json".to_string(),
        text("provenance of every input file: name, SHA-256, size, source type, publisher, URL, origin, schema vintage, rows, dates; in a demonstration release the publisher is « Vigie (générateur de données de démonstration) », `url` is null and `origin` is `generated` (`embedded` for the bundled department outlines)"),
    );
    files.insert(
        "open-data/checks.json".to_string(),
        text("consistency checks: published aggregates against sums of departments, our indicators against the publisher's (relative differences are not rounded)"),
    );
    files.insert(
        "open-data/changes.json".to_string(),
        text("values of the previous live release that this one changes or removes (releases built in a data directory)"),
    );
    files.insert(
        "open-data/files.json".to_string(),
        text("every open-data file of the release but itself: path, bytes, rows (CSV files, gzipped or not, header excluded), format (csv, csv+gzip, json, markdown, text) and territory (per-territory files); referenced by release.json `open_data_files`"),
    );
    files.insert(
        "open-data/data-dictionary.json".to_string(),
        text("this dictionary (data-dictionary.md: the same in Markdown)"),
    );
    files.insert(
        format!("open-data/{}", vigie_demo::MARKER),
        text("demonstration releases only: the generator's marker (generator, seed); its presence means no value of the release is real"),
    );
    let rules = [
        (
            "windows",
            "Windows run over calendar days. A window containing a missing day is undefined and omitted: a gap never makes a window reach further back. Trailing windows end on the reported day; centred 7-day windows cover D-3..D+3.",
        ),
        (
            "missing_values",
            "Empty cells, NA and NaN are missing values, never zeros.",
        ),
        (
            "population",
            "Rates use the population carried by the source file itself (SI-DEP `pop`, per day and age class), as Santé publique France does, filled forward (and backward before its first day) across the territory's date range; where a territory has no such column, the embedded INSEE population municipale (COG 2026, @etalab/decoupage-administratif 6.0.0) is used for the `all` breakdown, and age-class rates are omitted. Each territory JSON states which (`population_source`).",
        ),
        (
            "aggregation",
            "Regions and France are sums of their departments for additive measures where the files do not carry them; a day is defined only when every department of the territory has a value that day. Where the publisher carries the aggregate, it is used and the sum of departments is compared in checks.json.",
        ),
        (
            "special_codes",
            "Department codes 00 (unknown), 975, 977, 978 (overseas collectivities), 20 (Corsica before 2A/2B) and 99 (abroad) are not among the 101 departments: their rows are counted in sources.json and left out of regions and France sums (France as published by SPF may include them).",
        ),
        (
            "duplicates",
            "Two rows for the same territory, breakdown and day stop the build, except in files whose catalogue entry says keep_first (hospital data by age class, as CovidTracker did).",
        ),
        (
            "multiple_files",
            "When several files feed the same series, the higher-priority source wins, then the file with the most recent data; a series is never mixed from two files.",
        ),
    ];
    DataDictionary {
        files,
        rules: rules
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        indicators,
        demo,
        data_status: DataStatus::from_demo(demo),
    }
}

/// Markdown rendering of the data dictionary.
pub fn data_dictionary_md(dict: &DataDictionary) -> String {
    let mut s =
        String::from("# Vigie open data — data dictionary\n\n## `open-data/indicators.csv`\n\n");
    if dict.demo {
        s.push_str(
            "**Demonstration release: generated data, not real (`data_status` = `demo`).**\n\n",
        );
    }
    s.push_str(&format!(
        "CSV, UTF-8, comma-separated, header `{}`. Every `open-data/territories/<territory>.csv` has the same header and that territory's rows; `open-data/indicators.csv.gz` is the same file gzipped.\n\n| column | meaning |\n|---|---|\n",
        INDICATORS_HEADER.trim_end()
    ));
    if let Some(FileDescription::Table { columns, .. }) = dict.files.get("open-data/indicators.csv")
    {
        // In header order.
        for k in INDICATORS_HEADER.trim_end().split(',') {
            if let Some(v) = columns.get(k) {
                s.push_str(&format!("| `{k}` | {v} |\n"));
            }
        }
    }
    s.push_str("\n## Files\n\n");
    for (path, d) in &dict.files {
        let text = match d {
            FileDescription::Table { format, .. } => format.as_str(),
            FileDescription::Text(t) => t.as_str(),
        };
        s.push_str(&format!("- `{path}`: {text}\n"));
    }
    s.push_str("\n## Rules\n\n");
    for (k, v) in &dict.rules {
        s.push_str(&format!("- **{k}**: {v}\n"));
    }
    s.push_str("\n## Indicators\n\n| id | label | unit | formula | breakdowns | sources |\n|---|---|---|---|---|---|\n");
    for i in &dict.indicators {
        s.push_str(&format!(
            "| `{}` | {} ({}) | {} | {} | {} | {} |\n",
            i.id,
            i.label_fr,
            i.label_en,
            i.unit,
            i.formula.replace('|', "\\|"),
            i.breakdowns,
            i.sources.join(", "),
        ));
    }
    s.push_str("\nDescriptions, thresholds of the level-and-trend wording and windows: `data-dictionary.json`.\n");
    s
}
