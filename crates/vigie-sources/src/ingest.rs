//! Recognising a file by its header and reading its rows into measure series.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use vigie_core::{CodeMapping, Date, Series, TerritoryId, reference};

use crate::breakdown::{BreakdownId, Breakdowns};
use crate::catalog::{Catalog, DateFormat, OnDuplicate, SourceSpec, TerritoryBy, TerritoryLevel};
use crate::decode::{self, Encoding};

/// A bad row or cell: everything needed to find and fix it.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{file}:{line}: column `{column}`: {message} (value {value:?})")]
pub struct IngestError {
    /// File name.
    pub file: String,
    /// 1-based line number in the decoded file (the header is line 1).
    pub line: u64,
    /// Column name.
    pub column: String,
    /// The offending value.
    pub value: String,
    /// What is wrong.
    pub message: String,
}

/// Index of a measure in [`Catalog::measures`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct MeasureId(pub u16);

/// Identifies one series: a measure for a territory and breakdown.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct SeriesKey {
    /// Measure.
    pub measure: MeasureId,
    /// Territory.
    pub territory: TerritoryId,
    /// Breakdown.
    pub breakdown: BreakdownId,
}

/// What one recognised file contributed.
#[derive(Debug)]
pub struct FileData {
    /// File name.
    pub file: String,
    /// Source type id.
    pub source: String,
    /// Source priority.
    pub priority: i32,
    /// Detected schema vintage, if the source declares vintages.
    pub vintage: Option<String>,
    /// Header as found.
    pub header: Vec<String>,
    /// Separator.
    pub separator: char,
    /// Encoding.
    pub encoding: Encoding,
    /// Gzip-compressed.
    pub gzip: bool,
    /// Data rows read.
    pub rows: u64,
    /// First and last dates found.
    pub dates: Option<(Date, Date)>,
    /// Daily series.
    pub series: Vec<(SeriesKey, Series)>,
    /// Values that hold on every day (capacities).
    pub constants: Vec<(SeriesKey, f64)>,
    /// Rows left out on purpose, by reason (special territory codes).
    pub excluded: BTreeMap<String, u64>,
    /// Duplicate rows ignored under `on_duplicate = "keep_first"`.
    pub duplicates_ignored: u64,
    /// Days between two rows of a series (1; 7 for weekly files).
    pub step_days: u16,
}

/// The outcome of reading one file.
#[derive(Debug)]
pub enum Ingested {
    /// A known source.
    Data(Box<FileData>),
    /// No source type matches the header.
    Unrecognised {
        /// The header names found.
        header: Vec<String>,
    },
}

/// The source type whose header signature (and, where the source requires it, file name)
/// matches, most specific first.
pub fn recognise<'c>(
    catalog: &'c Catalog,
    name: &str,
    header: &[String],
) -> Option<&'c SourceSpec> {
    let has = |c: &str| header.iter().any(|h| h == c);
    catalog
        .sources
        .iter()
        .filter(|s| {
            (s.name_contains.is_empty()
                || s.name_contains.iter().any(|n| name.contains(n.as_str())))
                && s.header.iter().all(|c| has(c))
                && (s.header_any.is_empty() || s.header_any.iter().any(|c| has(c)))
                && !s.absent.iter().any(|c| has(c))
                && s.territory.resolve(header).is_some()
        })
        .max_by_key(|s| {
            (
                s.header.len() + usize::from(!s.header_any.is_empty()),
                s.priority,
            )
        })
}

fn vintage(spec: &SourceSpec, header: &[String]) -> Option<String> {
    let pos = |c: &str| header.iter().position(|h| h == c);
    spec.vintages
        .iter()
        .find(|v| {
            v.present.iter().all(|c| pos(c).is_some())
                && v.absent.iter().all(|c| pos(c).is_none())
                && v.order
                    .windows(2)
                    .all(|w| matches!((pos(&w[0]), pos(&w[1])), (Some(a), Some(b)) if a < b))
        })
        .map(|v| v.name.clone())
}

/// A cell that is neither a number nor a missing-value marker.
#[derive(Debug, PartialEq, Eq)]
pub struct NotANumber;

/// Parses a cell: `None` for empty, `NA`, `NaN`, `N/A`, `null`; decimal comma accepted.
pub fn parse_value(raw: &[u8]) -> Result<Option<f64>, NotANumber> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(None);
    }
    if s.iter().all(u8::is_ascii_digit) && s.len() < 16 {
        let mut v: u64 = 0;
        for b in s {
            v = v * 10 + u64::from(b - b'0');
        }
        return Ok(Some(v as f64));
    }
    let text = std::str::from_utf8(s).map_err(|_| NotANumber)?;
    match text {
        "NA" | "NaN" | "nan" | "NAN" | "N/A" | "n/a" | "null" | "NULL" | "-" => return Ok(None),
        _ => {}
    }
    let parsed = if text.contains(',') && !text.contains('.') {
        text.replace(',', ".").parse::<f64>()
    } else {
        text.parse::<f64>()
    };
    match parsed {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(NotANumber),
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let b = b.trim_ascii();
    let b = b.strip_prefix(b"\"").unwrap_or(b);
    b.strip_suffix(b"\"").unwrap_or(b)
}

fn parse_date(raw: &[u8]) -> Option<Date> {
    let s = trim(raw);
    // Sliding weeks `2020-11-27-2020-12-03`: the day is the end date.
    if s.len() == 21 && s[10] == b'-' {
        return Date::parse(&s[11..]);
    }
    Date::parse(s)
}

/// The first `YYYY-MM-DD` in a file name.
pub fn date_in_name(name: &str) -> Option<Date> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let w = &b[i..i + 10];
        (w[4] == b'-' && w[7] == b'-')
            .then(|| Date::parse(w))
            .flatten()
    })
}

/// A fast hasher for small integer keys.
#[derive(Default)]
struct Fx(u64);
impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u16(&mut self, n: u16) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

struct ValueColumn {
    index: usize,
    measure: MeasureId,
    fixed: Option<BreakdownId>,
    categories: Option<BTreeMap<String, f64>>,
}

struct BreakdownColumn {
    index: usize,
    name: String,
    table: Vec<(Vec<u8>, BreakdownId)>,
    sum_to_all: bool,
}

/// Reads one file. `name` is used for recognition-independent context (errors, file-name dates).
pub fn ingest(
    name: &str,
    bytes: Vec<u8>,
    catalog: &Catalog,
    breakdowns: &mut Breakdowns,
) -> Result<Ingested, IngestError> {
    let err = |line: u64, column: &str, value: &str, message: String| IngestError {
        file: name.to_string(),
        line,
        column: column.to_string(),
        value: value.to_string(),
        message,
    };
    let decoded = decode::decode(bytes).map_err(|e| err(0, "", "", e.to_string()))?;
    let text = decoded.text.as_str();
    let (header_line, body_start) = decode::first_line(text);
    let sep = decode::detect_separator(header_line);
    let header = decode::header_names(header_line, sep);
    let Some(spec) = recognise(catalog, name, &header) else {
        return Ok(Ingested::Unrecognised { header });
    };
    let col = |c: &str| header.iter().position(|h| h == c);
    let measure_id = |m: &str| {
        catalog
            .measures
            .iter()
            .position(|x| x.id == m)
            .map(|i| MeasureId(i as u16))
    };

    let territory_spec = spec.territory.resolve(&header).ok_or_else(|| {
        err(
            1,
            "",
            "",
            "no territory column of this source in the header".into(),
        )
    })?;
    let territory_col = match &territory_spec.column {
        Some(c) if territory_spec.level != TerritoryLevel::Country => {
            Some(col(c).ok_or_else(|| err(1, c, "", "territory column missing".into()))?)
        }
        _ => None,
    };
    let fixed_date = if spec.date.from_filename {
        Some(
            date_in_name(name)
                .ok_or_else(|| err(1, "", name, "no YYYY-MM-DD date in the file name".into()))?,
        )
    } else {
        None
    };
    let date_col = match &spec.date.column {
        Some(c) => Some(col(c).ok_or_else(|| err(1, c, "", "date column missing".into()))?),
        None => None,
    };
    let qualifier_col = match &territory_spec.qualifier {
        Some(c) => Some(col(c).ok_or_else(|| err(1, c, "", "qualifier column missing".into()))?),
        None => None,
    };
    // Wide layout: the columns whose names are dates.
    let wide: Vec<(usize, Date)> = match spec.date.columns.as_deref().and_then(DateFormat::parse) {
        Some(format) => {
            let w: Vec<(usize, Date)> = header
                .iter()
                .enumerate()
                .filter_map(|(i, h)| format.read(h).map(|d| (i, d)))
                .collect();
            if w.is_empty() {
                return Err(err(1, "", "", "no date column in the header".into()));
            }
            w
        }
        None => Vec::new(),
    };
    let mut bcols = Vec::new();
    for b in &spec.breakdowns {
        let Some(index) = col(&b.column) else {
            if b.optional {
                continue;
            }
            return Err(err(1, &b.column, "", "breakdown column missing".into()));
        };
        let table = catalog
            .code_tables
            .get(&b.codes)
            .cloned()
            .unwrap_or_default();
        let table = table
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), breakdowns.intern(v)))
            .collect();
        bcols.push(BreakdownColumn {
            index,
            name: b.column.clone(),
            table,
            sum_to_all: b.sum_to_all,
        });
    }
    let mut vcols = Vec::new();
    for c in &spec.columns {
        let found = if c.name == "*" && !wide.is_empty() {
            Some(usize::MAX)
        } else {
            col(&c.name)
        };
        let Some(index) = found else {
            if c.optional {
                continue;
            }
            return Err(err(
                1,
                &c.name,
                "",
                format!("required column missing for source {}", spec.id),
            ));
        };
        let measure = measure_id(&c.measure)
            .ok_or_else(|| err(1, &c.name, "", format!("unknown measure {}", c.measure)))?;
        let fixed = c.breakdown.as_deref().map(|b| breakdowns.intern(b));
        vcols.push(ValueColumn {
            index,
            measure,
            fixed,
            categories: c.values.clone(),
        });
    }

    let reference = reference();
    let mut sink = RowSink {
        name,
        spec,
        territory_spec,
        header: &header,
        territory_col,
        qualifier_col,
        date_col,
        wide,
        fixed_date,
        bcols,
        vcols,
        breakdowns,
        territory_cache: FxMap::default(),
        last_territory: None,
        last_date: (Vec::new(), Date::from_days(0)),
        slots: FxMap::default(),
        constants: BTreeMap::new(),
        data: FileData {
            file: name.to_string(),
            source: spec.id.clone(),
            priority: spec.priority,
            vintage: vintage(spec, &header),
            separator: char::from(sep),
            header: header.clone(),
            encoding: decoded.encoding,
            gzip: decoded.gzip,
            rows: 0,
            dates: None,
            series: Vec::new(),
            constants: Vec::new(),
            excluded: BTreeMap::new(),
            duplicates_ignored: 0,
            step_days: spec.date.every_days.unwrap_or(1),
        },
        reference,
        tables: &catalog.code_tables,
    };
    let body = &text.as_bytes()[body_start..];
    let ncols = header.len();
    if !split_simple(body, sep, ncols, &mut sink)? {
        // Quoted separators, embedded line breaks or ragged rows: the full CSV parser.
        sink.reset();
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(false)
            .flexible(true)
            .from_reader(body);
        let mut record = csv::ByteRecord::new();
        loop {
            let line = rdr.position().line() + 1;
            match rdr.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(err(line, "", "", format!("unreadable CSV row: {e}"))),
            }
            let fields: Vec<&[u8]> = record.iter().collect();
            sink.row(line, &fields)?;
        }
    }
    let RowSink {
        mut data,
        constants,
        ..
    } = sink;
    data.constants = constants.into_iter().collect();
    Ok(Ingested::Data(Box::new(data)))
}

/// Splits lines on `\n` and fields on `sep` when every line has exactly `ncols` fields
/// (quotes around whole fields are stripped later). Returns `false`, having fed nothing that
/// must be undone (see [`RowSink::reset`]), when the file needs the full CSV parser.
fn split_simple(
    body: &[u8],
    sep: u8,
    ncols: usize,
    sink: &mut RowSink<'_>,
) -> Result<bool, IngestError> {
    // A cheap pre-check: a quote followed by a separator inside a field, or an odd number of
    // quotes on a line, means quoted separators or line breaks.
    let mut fields: Vec<&[u8]> = Vec::with_capacity(ncols);
    for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() || line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        fields.clear();
        fields.extend(line.split(|b| *b == sep));
        let quotes_ok = fields.iter().all(|f| {
            let n = f.iter().filter(|b| **b == b'"').count();
            n == 0
                || (n == 2 && f.trim_ascii().starts_with(b"\"") && f.trim_ascii().ends_with(b"\""))
        });
        if fields.len() != ncols || !quotes_ok {
            return Ok(false);
        }
        sink.row(i as u64 + 2, &fields)?;
    }
    Ok(true)
}

struct RowSink<'a> {
    name: &'a str,
    spec: &'a SourceSpec,
    territory_spec: &'a crate::catalog::TerritorySpec,
    header: &'a [String],
    territory_col: Option<usize>,
    qualifier_col: Option<usize>,
    date_col: Option<usize>,
    wide: Vec<(usize, Date)>,
    fixed_date: Option<Date>,
    bcols: Vec<BreakdownColumn>,
    vcols: Vec<ValueColumn>,
    breakdowns: &'a mut Breakdowns,
    territory_cache: FxMap<Vec<u8>, CodeMapping>,
    last_territory: Option<(Vec<u8>, CodeMapping)>,
    last_date: (Vec<u8>, Date),
    slots: FxMap<SeriesKey, usize>,
    constants: BTreeMap<SeriesKey, f64>,
    data: FileData,
    reference: &'static vigie_core::Reference,
    tables: &'a std::collections::HashMap<String, std::collections::HashMap<String, String>>,
}

impl RowSink<'_> {
    fn err(&self, line: u64, column: &str, value: &[u8], message: String) -> IngestError {
        IngestError {
            file: self.name.to_string(),
            line,
            column: column.to_string(),
            value: String::from_utf8_lossy(value).into_owned(),
            message,
        }
    }

    /// Forgets what was read (before re-reading a file with the full CSV parser).
    fn reset(&mut self) {
        self.data.rows = 0;
        self.data.dates = None;
        self.data.series.clear();
        self.data.excluded.clear();
        self.data.duplicates_ignored = 0;
        self.slots.clear();
        self.constants.clear();
    }

    fn territory(
        &mut self,
        line: u64,
        i: usize,
        raw: &[u8],
        qualifier: &[u8],
    ) -> Result<CodeMapping, IngestError> {
        let raw = trim(raw);
        let qualifier = trim(qualifier);
        let joined;
        let raw = if qualifier.is_empty() {
            raw
        } else {
            joined = [raw, b"|", qualifier].concat();
            joined.as_slice()
        };
        if let Some((last, m)) = &self.last_territory
            && last.as_slice() == raw
        {
            return Ok(*m);
        }
        let mapping = match self.territory_cache.get(raw) {
            Some(m) => *m,
            None => {
                let text = String::from_utf8_lossy(raw).into_owned();
                let r = self.reference;
                let m = match (self.territory_spec.level, self.territory_spec.by) {
                    (TerritoryLevel::Department, TerritoryBy::Name) => r
                        .department_by_name(&text)
                        .map(CodeMapping::Territory)
                        .ok_or_else(|| format!("unknown department name {text:?}")),
                    (TerritoryLevel::Department, _) => {
                        r.department(&text).map_err(|e| e.to_string())
                    }
                    (TerritoryLevel::Region, _) => r.region(&text).map_err(|e| e.to_string()),
                    (TerritoryLevel::Country, _) => Ok(CodeMapping::Territory(r.france())),
                    (TerritoryLevel::World, by) => self.world_territory(by, &text),
                };
                let m = m.map_err(|msg| self.err(line, &self.header[i], raw, msg))?;
                self.territory_cache.insert(raw.to_vec(), m);
                m
            }
        };
        self.last_territory = Some((raw.to_vec(), mapping));
        Ok(mapping)
    }

    /// A country of the world from a code or a code table entry.
    fn world_territory(&self, by: TerritoryBy, text: &str) -> Result<CodeMapping, String> {
        let r = self.reference;
        let t = text.trim_matches('"');
        // The code table: the whole mapping with `by = "table"` (exact place, then the
        // country's `|*` wildcard), the exceptions beside a code lookup (`OWID_KOS`).
        let table = self
            .territory_spec
            .table
            .as_deref()
            .and_then(|n| self.catalog_table(n));
        let entry = table.and_then(|tab| {
            tab.get(t).or_else(|| {
                (by == TerritoryBy::Table)
                    .then(|| t.split_once('|'))
                    .flatten()
                    .and_then(|(country, _)| tab.get(&format!("{country}|*")))
            })
        });
        if let Some(key) = entry {
            return match key.as_str() {
                "-" => Ok(CodeMapping::Excluded("left out by the code table")),
                k => r
                    .by_key(k)
                    .map(CodeMapping::Territory)
                    .ok_or_else(|| format!("code table maps {t:?} to unknown territory {k}")),
            };
        }
        let found = match by {
            TerritoryBy::Alpha2 => r.by_alpha2(t),
            TerritoryBy::Alpha3 => r.by_alpha3(t),
            TerritoryBy::WhoCode => r.by_who_code(t),
            TerritoryBy::Table => {
                return Err(format!("unknown place {t:?} (not in the code table)"));
            }
            TerritoryBy::Code | TerritoryBy::Name => None,
        };
        if t.is_empty() {
            return Ok(CodeMapping::Excluded("no country code (empty cell)"));
        }
        found
            .map(CodeMapping::Territory)
            .ok_or_else(|| format!("unknown country code {t:?}"))
    }

    fn catalog_table(&self, name: &str) -> Option<&std::collections::HashMap<String, String>> {
        self.tables.get(name)
    }

    fn row(&mut self, line: u64, fields: &[&[u8]]) -> Result<(), IngestError> {
        if fields.len() == 1 && fields[0].trim_ascii().is_empty() {
            return Ok(()); // blank line
        }
        let ncols = self.header.len();
        if fields.len() != ncols {
            return Err(self.err(
                line,
                "",
                b"",
                format!("{} fields where the header has {ncols}", fields.len()),
            ));
        }
        self.data.rows += 1;

        let territory = match self.territory_col {
            None => self.reference.france(),
            Some(i) => match self.territory(
                line,
                i,
                fields[i],
                self.qualifier_col.map_or(&b""[..], |q| fields[q]),
            )? {
                CodeMapping::Territory(t) => t,
                CodeMapping::Excluded(reason) => {
                    *self.data.excluded.entry(reason.to_string()).or_default() += 1;
                    return Ok(());
                }
            },
        };

        let date = match (self.date_col, self.fixed_date) {
            (Some(i), _) => {
                let raw = fields[i];
                if raw == self.last_date.0.as_slice() {
                    self.last_date.1
                } else {
                    let d = parse_date(raw).ok_or_else(|| {
                        self.err(
                            line,
                            &self.header[i],
                            raw,
                            "not a date (YYYY-MM-DD or dd/mm/yyyy)".into(),
                        )
                    })?;
                    self.last_date = (raw.to_vec(), d);
                    d
                }
            }
            (None, Some(d)) => d,
            (None, None) => Date::from_days(0),
        };

        // Breakdown (a row combining two non-`all` breakdowns is not representable).
        let mut breakdown = Breakdowns::ALL;
        let mut also_all = false;
        for b in &self.bcols {
            let raw = trim(fields[b.index]);
            let Some(id) = b
                .table
                .iter()
                .find(|(k, _)| k.as_slice() == raw)
                .map(|(_, id)| *id)
            else {
                return Err(self.err(line, &b.name, raw, "unknown code".into()));
            };
            if id != Breakdowns::ALL {
                if breakdown != Breakdowns::ALL {
                    return Err(self.err(line, &b.name, raw, "two breakdowns on one row".into()));
                }
                breakdown = id;
                also_all = b.sum_to_all;
            }
        }

        if !self.wide.is_empty() {
            for w in 0..self.wide.len() {
                let (index, date) = self.wide[w];
                self.value(line, fields, 0, index, date, territory, breakdown, also_all)?;
            }
        } else {
            for vi in 0..self.vcols.len() {
                let index = self.vcols[vi].index;
                self.value(
                    line, fields, vi, index, date, territory, breakdown, also_all,
                )?;
            }
        }
        Ok(())
    }

    /// Reads one value cell (`index` in the row) for value column `vi` on `date`.
    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        line: u64,
        fields: &[&[u8]],
        vi: usize,
        index: usize,
        date: Date,
        territory: TerritoryId,
        breakdown: BreakdownId,
        also_all: bool,
    ) -> Result<(), IngestError> {
        let v = &self.vcols[vi];
        let b = match v.fixed {
            Some(fixed) if breakdown == Breakdowns::ALL => fixed,
            Some(_) => return Ok(()),
            None => breakdown,
        };
        let raw = fields[index];
        let value = match &v.categories {
            Some(cats) => {
                let t = String::from_utf8_lossy(trim(raw));
                if t.is_empty() {
                    None
                } else {
                    Some(*cats.get(t.as_ref()).ok_or_else(|| {
                        self.err(line, &self.header[index], raw, "unknown category".into())
                    })?)
                }
            }
            None => parse_value(raw).map_err(|NotANumber| {
                self.err(line, &self.header[index], raw, "not a number".into())
            })?,
        };
        let Some(value) = value else { return Ok(()) };
        let key = SeriesKey {
            measure: v.measure,
            territory,
            breakdown: b,
        };
        if self.spec.date.constant {
            if self.constants.insert(key, value).is_some()
                && self.spec.on_duplicate == OnDuplicate::Error
            {
                return Err(self.err(
                    line,
                    &self.header[index],
                    raw,
                    "duplicate row for this territory".into(),
                ));
            }
            return Ok(());
        }
        let slot = match self.slots.get(&key) {
            Some(s) => *s,
            None => {
                self.data.series.push((key, Series::new(date)));
                self.slots.insert(key, self.data.series.len() - 1);
                self.data.series.len() - 1
            }
        };
        let series = &mut self.data.series[slot].1;
        if series.has(date) {
            match self.spec.on_duplicate {
                OnDuplicate::KeepFirst => {
                    self.data.duplicates_ignored += 1;
                    return Ok(());
                }
                OnDuplicate::Sum => {
                    series.add(date, value);
                    self.note_date(date);
                    return Ok(());
                }
                OnDuplicate::Error => {
                    let msg = format!(
                        "duplicate row: {} {} {} already has a value in this file",
                        self.reference.get(territory).key(),
                        self.breakdowns.key(b),
                        date
                    );
                    return Err(self.err(line, &self.header[index], raw, msg));
                }
            }
        }
        series.set(date, value);
        if also_all && v.fixed.is_none() {
            let all = SeriesKey {
                measure: self.vcols[vi].measure,
                territory,
                breakdown: Breakdowns::ALL,
            };
            let slot = match self.slots.get(&all) {
                Some(s) => *s,
                None => {
                    self.data.series.push((all, Series::new(date)));
                    self.slots.insert(all, self.data.series.len() - 1);
                    self.data.series.len() - 1
                }
            };
            self.data.series[slot].1.add(date, value);
        }
        self.data.dates = Some(match self.data.dates {
            None => (date, date),
            Some((a, z)) => (a.min(date), z.max(date)),
        });
        Ok(())
    }

    fn note_date(&mut self, date: Date) {
        self.data.dates = Some(match self.data.dates {
            None => (date, date),
            Some((a, z)) => (a.min(date), z.max(date)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, text: &str) -> Result<Ingested, IngestError> {
        let c = Catalog::builtin().unwrap();
        let mut b = Breakdowns::default();
        ingest(name, text.as_bytes().to_vec(), &c, &mut b)
    }

    fn data(i: Ingested) -> FileData {
        match i {
            Ingested::Data(d) => *d,
            Ingested::Unrecognised { header } => panic!("unrecognised {header:?}"),
        }
    }

    #[test]
    fn values() {
        assert_eq!(parse_value(b"12"), Ok(Some(12.0)));
        assert_eq!(parse_value(b" 7763205.6862729"), Ok(Some(7763205.6862729)));
        assert_eq!(parse_value(b"12,5"), Ok(Some(12.5)));
        assert_eq!(parse_value(b"-3"), Ok(Some(-3.0)));
        for missing in [&b""[..], b"NA", b"NaN", b"\"\""] {
            assert_eq!(parse_value(missing), Ok(None));
        }
        assert_eq!(parse_value(b"abc"), Err(NotANumber));
        assert_eq!(parse_value(b"inf"), Err(NotANumber));
    }

    #[test]
    fn recognises_by_header_not_name() {
        let d = data(
            run(
                "whatever.csv",
                "dep;jour;P;T;cl_age90\n01;2020-05-13;1;16;09\n01;2020-05-13;3;40;0\n",
            )
            .unwrap(),
        );
        assert_eq!(d.source, "sp-pos-quot-dep");
        assert_eq!(d.vintage.as_deref(), Some("2020: without pop"));
        assert_eq!(d.series.len(), 4);
        let d = data(
            run(
                "x.csv",
                "dep;jour;P;cl_age90;pop\n01;2020-05-13;1;0;656955\n",
            )
            .unwrap(),
        );
        assert_eq!(d.source, "sp-pe-tb-quot-dep");
        assert!(matches!(
            run("x.csv", "a,b\n1,2\n").unwrap(),
            Ingested::Unrecognised { .. }
        ));
    }

    #[test]
    fn quoted_crlf_dmy_and_special_codes() {
        let text = "\"dep\";\"sexe\";\"jour\";\"hosp\";\"rea\";\"dc\";\"rad\"\r\n\"01\";0;\"18/03/2020\";2;0;0;1\r\n\"975\";0;\"18/03/2020\";1;0;0;0\r\n\"1\";1;\"2020-03-19\";NA;;0;1\r\n";
        let d = data(run("donnees-hospitalieres-covid19.csv", text).unwrap());
        assert_eq!(d.vintage.as_deref(), Some("2020-11: dc before rad"));
        assert_eq!(d.rows, 3);
        assert_eq!(d.excluded.values().sum::<u64>(), 1);
        let hosp = d
            .series
            .iter()
            .find(|(k, _)| k.measure == MeasureId(3) && k.breakdown == Breakdowns::ALL)
            .unwrap();
        assert_eq!(
            hosp.1.get(Date::parse_str("2020-03-18").unwrap()),
            Some(2.0)
        );
        // NA and empty cells are missing, never zero.
        assert!(!d.series.iter().any(
            |(k, s)| k.measure == MeasureId(3) && s.has(Date::parse_str("2020-03-19").unwrap())
        ));
    }

    #[test]
    fn errors_name_file_line_column_value() {
        let e = run(
            "f.csv",
            "dep;jour;P;T;cl_age90\n01;2020-05-13;1;16;09\n01;2020-05-14;x;16;09\n",
        )
        .unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.column.as_str(), e.value.as_str()),
            ("f.csv", 3, "P", "x")
        );
        let e = run("f.csv", "dep;jour;P;T;cl_age90\n01;2020-13-13;1;16;09\n").unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (2, "jour"));
        let e = run("f.csv", "dep;jour;P;T;cl_age90\n96;2020-05-13;1;16;09\n").unwrap_err();
        assert_eq!(
            (e.line, e.column.as_str(), e.value.as_str()),
            (2, "dep", "96")
        );
        let e = run("f.csv", "dep;jour;P;T;cl_age90\n01;2020-05-13;1;16;07\n").unwrap_err();
        assert_eq!(e.column, "cl_age90");
        let e = run("f.csv", "dep;jour;P;T;cl_age90\n01;2020-05-13;1;16\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = run(
            "f.csv",
            "dep;jour;P;T;cl_age90\n01;2020-05-13;1;16;0\n01;2020-05-13;2;16;0\n",
        )
        .unwrap_err();
        assert!(e.message.contains("duplicate"), "{e}");
        assert!(e.to_string().starts_with("f.csv:3: column `P`"), "{e}");
    }

    #[test]
    fn sex_columns_apply_to_all_ages_only() {
        let text = "fra;jour;P_f;P_h;P;T_f;T_h;T;cl_age90;pop\nFR;2020-05-13;7;6;13;601;649;1282;09;7763205.6\nFR;2020-05-13;70;60;130;6010;6490;12820;0;67114995\n";
        let c = Catalog::builtin().unwrap();
        let mut b = Breakdowns::default();
        let d = data(ingest("x", text.as_bytes().to_vec(), &c, &mut b).unwrap());
        let female = b.get("sex:female").unwrap();
        let pos = MeasureId(c.measures.iter().position(|m| m.id == "positives").unwrap() as u16);
        let s: Vec<f64> = d
            .series
            .iter()
            .filter(|(k, _)| k.measure == pos && k.breakdown == female)
            .flat_map(|(_, s)| s.points().map(|p| p.1))
            .collect();
        assert_eq!(s, [70.0]);
    }

    #[test]
    fn quoted_separators_fall_back_to_the_full_parser() {
        let text = "\"departement\",\"region\",\"libelle_reg\",\"libelle_dep\",\"tx_incid\",\"R\",\"taux_occupation_sae\",\"tx_pos\"\r\n\"01\",84,\"Auvergne, Rh\u{f4}ne-Alpes\",\"Ain\",2.74,0.64,16.8,1.07\r\n";
        let d = data(run("table_indicateurs_open_data_dep_2020-06-16.csv", text).unwrap());
        assert_eq!(d.rows, 1);
        assert_eq!(d.series.len(), 4);
        assert_eq!(d.dates.map(|x| x.0), Date::parse_str("2020-06-16"));
    }

    #[test]
    fn constant_capacities_by_name_and_dates_from_names() {
        let d = data(run("lits_rea.csv", "nom_dpt,LITS\nAin,22\nCôte-d'or,60\n").unwrap());
        assert_eq!(d.constants.len(), 2);
        assert_eq!(
            date_in_name("table_indicateurs_open_data_dep_2020-06-16.csv"),
            Date::parse_str("2020-06-16")
        );
        assert_eq!(
            parse_date(b"2020-11-27-2020-12-03"),
            Date::parse_str("2020-12-03")
        );
    }
}
