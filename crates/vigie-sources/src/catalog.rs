//! The catalogue: measures, code tables, source descriptions and indicator formulas, all
//! declared in TOML. The built-in catalogue is embedded; users extend it with their own files.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use vigie_core::{Align, Formula};

const BUILTIN_SOURCES: &str = include_str!("../catalog/epidemic.toml");
const BUILTIN_INDICATORS: &str = include_str!("../catalog/indicators.toml");
const BUILTIN_VACCINATION: &str = include_str!("../catalog/vaccination.toml");
const BUILTIN_PRESENTATION: &str = include_str!("../catalog/presentation.toml");
const BUILTIN_INTERNATIONAL: &str = include_str!("../catalog/international.toml");
const BUILTIN_JHU_PLACES: &str = include_str!("../catalog/jhu-places.toml");

/// A catalogue that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The TOML does not parse or does not match the schema.
    #[error("catalogue {origin}: {source}")]
    Toml {
        /// Where the text came from.
        origin: String,
        /// Parser error (with line and column).
        source: toml::de::Error,
    },
    /// A reference to something undeclared, a duplicate id, or an impossible setting.
    #[error("catalogue: {0}")]
    Invalid(String),
}

/// What a measure is, for aggregation and the data dictionary.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// A daily count.
    Flow,
    /// A level on a day.
    Stock,
    /// A running total.
    Cumulative,
    /// A population denominator.
    Population,
    /// A rate or ratio computed by the publisher.
    Rate,
    /// A coded category.
    Category,
}

/// How regions and France are derived from departments.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// Sum of the departments (or regions).
    #[default]
    Sum,
    /// Never derived.
    None,
}

/// A measure: a quantity read from source files.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// Identifier used in source and indicator declarations.
    pub id: String,
    /// French label.
    pub label_fr: String,
    /// English label.
    pub label_en: String,
    /// Unit, in French.
    #[serde(default)]
    pub unit: String,
    /// Kind.
    pub kind: MeasureKind,
    /// Aggregation rule.
    #[serde(default)]
    pub aggregate: Aggregate,
    /// Publish the measure itself as an indicator of the same id.
    #[serde(default)]
    pub publish: bool,
    /// With `publish`: compute the indicator for checks only, do not write it to open data.
    #[serde(default)]
    pub internal: bool,
}

/// Level of the territory column.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TerritoryLevel {
    /// France (the column, if any, is ignored).
    Country,
    /// Region codes.
    Region,
    /// Department codes.
    Department,
    /// Countries and territories of the world (`by` = `alpha2`, `alpha3`, `who_code` or
    /// `table`).
    World,
}

/// How the territory column is matched.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum TerritoryBy {
    /// INSEE code.
    #[default]
    Code,
    /// Official name (folded: case, accents and punctuation ignored).
    Name,
    /// ISO 3166-1 alpha-2 (`NA` is Namibia, never a missing value).
    Alpha2,
    /// ISO 3166-1 alpha-3.
    Alpha3,
    /// The WHO's `Country_code` (alpha-2 or the WHO's own codes).
    WhoCode,
    /// A code table (`table`) mapping the cell — with `|qualifier` appended when the qualifier
    /// column is not empty — to a territory key; `Country|*` matches every qualifier of that
    /// country not listed; a key `-` leaves the row out.
    Table,
}

/// Where the territory of a row comes from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerritorySpec {
    /// Column name; absent for national files.
    #[serde(default)]
    pub column: Option<String>,
    /// Level.
    pub level: TerritoryLevel,
    /// Code or name.
    #[serde(default)]
    pub by: TerritoryBy,
    /// With `by = "table"`: a second column refining the first (JHU's `Province/State`).
    #[serde(default)]
    pub qualifier: Option<String>,
    /// With `by = "table"`: the code table.
    #[serde(default)]
    pub table: Option<String>,
}

/// Where the date of a row comes from.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DateSpec {
    /// Column holding `YYYY-MM-DD` or `dd/mm/yyyy` (a sliding week `start-end` gives its end).
    #[serde(default)]
    pub column: Option<String>,
    /// The date is the `YYYY-MM-DD` found in the file name.
    #[serde(default)]
    pub from_filename: bool,
    /// The values hold for every day (capacities).
    #[serde(default)]
    pub constant: bool,
    /// Wide layout: every column whose name is a date in this format (`m/d/yy` — JHU's
    /// `1/22/20` —, `yyyy-mm-dd`, `dd/mm/yyyy`) holds that day's value of the source's single
    /// value column (`name = "*"`).
    #[serde(default)]
    pub columns: Option<String>,
    /// Rows are reported every this many days (7: weekly files); each value covers the period
    /// ending on its date. The series is kept at that step (never spread over days).
    #[serde(default)]
    pub every_days: Option<u16>,
}

/// A date format of wide layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// `1/22/20` (month/day/two-digit year, 20xx).
    MonthDayYY,
    /// `2020-01-22`.
    Iso,
    /// `22/01/2020`.
    DayMonthYear,
}

impl DateFormat {
    /// The format named in the catalogue.
    pub fn parse(name: &str) -> Option<DateFormat> {
        match name {
            "m/d/yy" => Some(DateFormat::MonthDayYY),
            "yyyy-mm-dd" => Some(DateFormat::Iso),
            "dd/mm/yyyy" => Some(DateFormat::DayMonthYear),
            _ => None,
        }
    }

    /// Reads a column name in this format.
    pub fn read(self, text: &str) -> Option<vigie_core::Date> {
        let t = text.trim();
        match self {
            DateFormat::MonthDayYY => {
                let mut it = t.split('/');
                let m: u32 = it.next()?.parse().ok()?;
                let d: u32 = it.next()?.parse().ok()?;
                let y = it.next()?;
                if it.next().is_some() || y.len() != 2 {
                    return None;
                }
                let y: i32 = y.parse().ok()?;
                vigie_core::Date::from_ymd(2000 + y, m, d)
            }
            DateFormat::Iso | DateFormat::DayMonthYear => {
                let d = vigie_core::Date::parse_str(t)?;
                // `parse_str` reads both; keep the declared one.
                let iso = t.as_bytes().get(4) == Some(&b'-');
                (iso == (self == DateFormat::Iso)).then_some(d)
            }
        }
    }
}

/// A breakdown column and its code table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakdownSpec {
    /// Column name.
    pub column: String,
    /// Name of the code table mapping raw codes to breakdown keys (`all`, `age:0-9`...).
    pub codes: String,
    /// The column may be absent (every row is then `all`).
    #[serde(default)]
    pub optional: bool,
    /// The file has no `all` rows: the `all` series is the sum over the codes (deliveries by
    /// vaccine type).
    #[serde(default)]
    pub sum_to_all: bool,
}

/// One territory description, or alternatives tried in order (the first whose column is in
/// the header wins), for files published with the same columns at several levels.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum TerritoryChoice {
    /// A single description.
    One(TerritorySpec),
    /// Alternatives.
    Many(Vec<TerritorySpec>),
}

impl TerritoryChoice {
    /// The alternatives in order.
    pub fn alternatives(&self) -> &[TerritorySpec] {
        match self {
            TerritoryChoice::One(t) => std::slice::from_ref(t),
            TerritoryChoice::Many(v) => v,
        }
    }

    /// The alternative that applies to a header.
    pub fn resolve(&self, header: &[String]) -> Option<&TerritorySpec> {
        self.alternatives().iter().find(|t| match &t.column {
            Some(c) => header.iter().any(|h| h == c),
            None => true,
        })
    }
}

/// A value column.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Column name in the header.
    pub name: String,
    /// Measure it feeds.
    pub measure: String,
    /// The column may be absent from some vintages.
    #[serde(default)]
    pub optional: bool,
    /// A fixed breakdown for this column (e.g. `sex:female` for `P_f`); it then applies only to
    /// rows whose other breakdowns are `all`.
    #[serde(default)]
    pub breakdown: Option<String>,
    /// Category codes for text values (`vert = 0`).
    #[serde(default)]
    pub values: Option<BTreeMap<String, f64>>,
}

/// What to do with two rows for the same territory, breakdown and date.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Stop with an error naming both lines.
    #[default]
    Error,
    /// Keep the first row, count the others in the report.
    KeepFirst,
    /// Add the rows (a country's provinces summed into the country).
    Sum,
}

/// A named schema vintage, recognised by the columns present, absent or their order.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VintageSpec {
    /// Name reported in provenance.
    pub name: String,
    /// Columns that must be present.
    #[serde(default)]
    pub present: Vec<String>,
    /// Columns that must be absent.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Columns that must appear in this relative order.
    #[serde(default)]
    pub order: Vec<String>,
}

/// A source file type.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Identifier (the official dataset name where there is one).
    pub id: String,
    /// Title, in French.
    pub title: String,
    /// Publisher.
    #[serde(default)]
    pub publisher: String,
    /// Where the publisher distributes it.
    #[serde(default)]
    pub url: Option<String>,
    /// What a reader must know about the source (shown on the sources page).
    #[serde(default)]
    pub note: Option<String>,
    /// Header signature: every one of these columns must be present.
    pub header: Vec<String>,
    /// At least one of these columns must be present (e.g. `fra`, `reg` or `dep`).
    #[serde(default)]
    pub header_any: Vec<String>,
    /// Columns whose presence means another source type.
    #[serde(default)]
    pub absent: Vec<String>,
    /// For publishers whose files share one header (JHU's confirmed and deaths series): the
    /// file name must contain one of these.
    #[serde(default)]
    pub name_contains: Vec<String>,
    /// Territory (or alternatives).
    pub territory: TerritoryChoice,
    /// Date.
    pub date: DateSpec,
    /// Breakdown columns.
    #[serde(default)]
    pub breakdowns: Vec<BreakdownSpec>,
    /// Value columns.
    pub columns: Vec<ColumnSpec>,
    /// Known schema vintages.
    #[serde(default)]
    pub vintages: Vec<VintageSpec>,
    /// Duplicate rows policy.
    #[serde(default)]
    pub on_duplicate: OnDuplicate,
    /// When two sources feed the same series, the higher priority wins.
    #[serde(default = "default_priority")]
    pub priority: i32,
}

fn default_priority() -> i32 {
    100
}

/// Stability thresholds of the level-and-trend wording.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdSpec {
    /// `[s0, s1, s2]`.
    pub levels: [f64; 3],
    /// Relative stability step.
    #[serde(default = "default_step")]
    pub step: f64,
}

fn default_step() -> f64 {
    0.02
}

/// A formula as written in TOML.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FormulaSpec {
    /// The input itself.
    Value {
        /// Input.
        input: String,
    },
    /// Rolling sum.
    Sum {
        /// Input.
        input: String,
        /// Window (days).
        window: usize,
        /// `trailing` (default) or `centred`.
        #[serde(default)]
        align: AlignSpec,
    },
    /// Rolling mean.
    Mean {
        /// Input.
        input: String,
        /// Window (days).
        window: usize,
        /// Alignment.
        #[serde(default)]
        align: AlignSpec,
    },
    /// Sum over window / population × per.
    Rate {
        /// Numerator.
        numerator: String,
        /// Population input.
        population: String,
        /// Window.
        window: usize,
        /// Scale.
        per: f64,
        /// Alignment.
        #[serde(default)]
        align: AlignSpec,
    },
    /// Ratio of sums × factor.
    Ratio {
        /// Numerator.
        numerator: String,
        /// Denominator.
        denominator: String,
        /// Window.
        window: usize,
        /// Scale.
        factor: f64,
        /// Alignment.
        #[serde(default)]
        align: AlignSpec,
    },
    /// Mean of daily ratios × factor.
    MeanOfRatios {
        /// Numerator.
        numerator: String,
        /// Denominator.
        denominator: String,
        /// Window.
        window: usize,
        /// Scale.
        factor: f64,
        /// Alignment.
        #[serde(default)]
        align: AlignSpec,
    },
    /// Effective reproduction number.
    Reproduction {
        /// Input.
        input: String,
        /// Summing window.
        window: usize,
        /// Delay.
        delay: usize,
        /// Smoothing.
        smoothing: usize,
    },
    /// Daily difference of a cumulative input.
    DailyFromCumulative {
        /// Input.
        input: String,
    },
    /// Percentage change over `lag` days.
    Change {
        /// Input.
        input: String,
        /// Lag.
        lag: usize,
    },
    /// Running total.
    Cumulative {
        /// Input.
        input: String,
    },
    /// Sum of inputs (absent ones skipped).
    Add {
        /// Inputs.
        inputs: Vec<String>,
    },
}

/// Window alignment in TOML.
#[derive(Clone, Copy, Debug, Deserialize, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AlignSpec {
    /// Trailing.
    #[default]
    Trailing,
    /// Centred.
    Centred,
}

impl From<AlignSpec> for Align {
    fn from(a: AlignSpec) -> Align {
        match a {
            AlignSpec::Trailing => Align::Trailing,
            AlignSpec::Centred => Align::Centred,
        }
    }
}

impl FormulaSpec {
    /// The core formula.
    pub fn to_formula(&self) -> Formula {
        match self.clone() {
            FormulaSpec::Value { input } => Formula::Value { input },
            FormulaSpec::Sum {
                input,
                window,
                align,
            } => Formula::Sum {
                input,
                window,
                align: align.into(),
            },
            FormulaSpec::Mean {
                input,
                window,
                align,
            } => Formula::Mean {
                input,
                window,
                align: align.into(),
            },
            FormulaSpec::Rate {
                numerator,
                population,
                window,
                per,
                align,
            } => Formula::Rate {
                numerator,
                population,
                window,
                per,
                align: align.into(),
            },
            FormulaSpec::Ratio {
                numerator,
                denominator,
                window,
                factor,
                align,
            } => Formula::Ratio {
                numerator,
                denominator,
                window,
                factor,
                align: align.into(),
            },
            FormulaSpec::MeanOfRatios {
                numerator,
                denominator,
                window,
                factor,
                align,
            } => Formula::MeanOfRatios {
                numerator,
                denominator,
                window,
                factor,
                align: align.into(),
            },
            FormulaSpec::Reproduction {
                input,
                window,
                delay,
                smoothing,
            } => Formula::Reproduction {
                input,
                window,
                delay,
                smoothing,
            },
            FormulaSpec::DailyFromCumulative { input } => Formula::DailyFromCumulative { input },
            FormulaSpec::Change { input, lag } => Formula::Change { input, lag },
            FormulaSpec::Cumulative { input } => Formula::Cumulative { input },
            FormulaSpec::Add { inputs } => Formula::Add { inputs },
        }
    }

    /// A readable formula for the data dictionary.
    pub fn describe(&self) -> String {
        let al = |a: &AlignSpec| {
            if *a == AlignSpec::Centred {
                ", centred"
            } else {
                ""
            }
        };
        match self {
            FormulaSpec::Value { input } => input.clone(),
            FormulaSpec::Sum {
                input,
                window,
                align,
            } => format!("sum({input}, {window} days{})", al(align)),
            FormulaSpec::Mean {
                input,
                window,
                align,
            } => format!("mean({input}, {window} days{})", al(align)),
            FormulaSpec::Rate {
                numerator,
                population,
                window,
                per,
                align,
            } => {
                if *window == 1 {
                    format!("{numerator} / {population} × {per}")
                } else {
                    format!(
                        "sum({numerator}, {window} days{}) / {population} × {per}",
                        al(align)
                    )
                }
            }
            FormulaSpec::Ratio {
                numerator,
                denominator,
                window,
                factor,
                align,
            } => format!(
                "sum({numerator}, {window} days{a}) / sum({denominator}, {window} days{a}) × {factor}",
                a = al(align)
            ),
            FormulaSpec::MeanOfRatios {
                numerator,
                denominator,
                window,
                factor,
                align,
            } => {
                format!(
                    "mean({numerator} / {denominator} × {factor}, {window} days{})",
                    al(align)
                )
            }
            FormulaSpec::Reproduction {
                input,
                window,
                delay,
                smoothing,
            } => format!(
                "mean(A(t) / A(t-{delay}), {smoothing} days) with A(t) = sum({input}, {window} days)"
            ),
            FormulaSpec::DailyFromCumulative { input } => format!("{input}(t) − {input}(t-1)"),
            FormulaSpec::Change { input, lag } => {
                format!("({input}(t) − {input}(t-{lag})) / {input}(t-{lag}) × 100")
            }
            FormulaSpec::Cumulative { input } => format!("running total of {input}"),
            FormulaSpec::Add { inputs } => inputs.join(" + "),
        }
    }

    /// Window length in days (1 for pointwise formulas).
    pub fn window(&self) -> usize {
        match self {
            FormulaSpec::Sum { window, .. }
            | FormulaSpec::Mean { window, .. }
            | FormulaSpec::Rate { window, .. }
            | FormulaSpec::Ratio { window, .. }
            | FormulaSpec::MeanOfRatios { window, .. } => *window,
            FormulaSpec::Reproduction {
                window,
                delay,
                smoothing,
                ..
            } => window + delay + smoothing - 1,
            FormulaSpec::DailyFromCumulative { .. } => 2,
            FormulaSpec::Change { lag, .. } => lag + 1,
            FormulaSpec::Value { .. }
            | FormulaSpec::Cumulative { .. }
            | FormulaSpec::Add { .. } => 1,
        }
    }
}

/// An indicator: a formula with labels.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    /// Identifier in open data.
    pub id: String,
    /// French label.
    pub label_fr: String,
    /// English label.
    pub label_en: String,
    /// Unit.
    #[serde(default)]
    pub unit: String,
    /// Formula.
    pub formula: FormulaSpec,
    /// Formulas tried in order, for a territory and breakdown where the formula's inputs are
    /// absent (`cases` is the positives of SI-DEP in France, the difference of cumulative cases
    /// for JHU and WHO series).
    #[serde(default)]
    pub fallback: Vec<FormulaSpec>,
    /// Level-and-trend thresholds, when the indicator has a KPI wording.
    #[serde(default)]
    pub thresholds: Option<ThresholdSpec>,
    /// Longer description (French).
    #[serde(default)]
    pub description: Option<String>,
    /// Compute only for the `all` breakdown (variants and chart helpers), not per age or sex.
    #[serde(default)]
    pub only_all: bool,
    /// Computed for checks and as an input of other indicators, not written to open data.
    #[serde(default)]
    pub internal: bool,
    /// What a plausible value is: the publish gate refuses a release with a value outside.
    #[serde(default)]
    pub bounds: Option<Bounds>,
}

/// Plausibility bounds of an indicator, checked by the publish gate on every value of every
/// territory, breakdown and day. A value outside refuses the release, named with its
/// territory, indicator, breakdown, date and value.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    /// Smallest plausible value (`0` for counts and stocks).
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest plausible value (`100` for a percentage of people, `100000` for a rate per
    /// 100 000).
    #[serde(default)]
    pub max: Option<f64>,
    /// Largest plausible value as a multiple of the territory's population (`1`: a count of
    /// people can never exceed the people living there; a breakdown is compared with the whole
    /// territory's population).
    #[serde(default)]
    pub max_per_population: Option<f64>,
    /// Another indicator this one can never exceed on the same territory, breakdown and day
    /// (`cases` ≤ `tests`).
    #[serde(default)]
    pub at_most: Option<String>,
}

/// What the publish gate knows beyond each indicator's bounds.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSpec {
    /// Indicators retired on purpose: their series may disappear from a new release without
    /// refusing it (every other territory × indicator × breakdown series of the live release
    /// must still be there).
    #[serde(default)]
    pub retired: Vec<String>,
    /// Breakdown dimensions (`source`) whose series are computed from published cumulative
    /// totals: a downward revision of the total gives negative values there, kept as
    /// published and listed in `checks.json` instead of being refused by a `min` bound.
    #[serde(default)]
    pub revisions_in: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    measure: Vec<MeasureSpec>,
    #[serde(default)]
    code_table: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    source: Vec<SourceSpec>,
    #[serde(default)]
    indicator: Vec<IndicatorSpec>,
    #[serde(default)]
    kpi: Vec<vigie_contracts::presentation::KpiCard>,
    #[serde(default)]
    chart: Vec<vigie_contracts::presentation::ChartDef>,
    #[serde(default)]
    dashboard: Vec<vigie_contracts::presentation::DashboardDef>,
    #[serde(default)]
    map_layer: Vec<vigie_contracts::presentation::MapLayerDef>,
    #[serde(default)]
    labels: BTreeMap<String, vigie_contracts::L10n>,
    #[serde(default)]
    headline: Vec<vigie_contracts::presentation::HeadlineDef>,
    #[serde(default)]
    gate: Option<GateSpec>,
}

/// The full catalogue.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Measures in declaration order.
    pub measures: Vec<MeasureSpec>,
    /// Code tables: name → raw code → breakdown key.
    pub code_tables: HashMap<String, HashMap<String, String>>,
    /// Source types.
    pub sources: Vec<SourceSpec>,
    /// Indicators in evaluation order.
    pub indicators: Vec<IndicatorSpec>,
    /// What the pages and charts show (KPI cards, charts, dashboards, map layers).
    pub presentation: vigie_contracts::Presentation,
    /// Indicators retired on purpose (`[gate] retired`), from every catalogue file.
    pub retired: Vec<String>,
    /// Breakdown dimensions where negative values are revisions (`[gate] revisions_in`).
    pub revisions_in: Vec<String>,
}

impl Catalog {
    /// The built-in catalogue.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        let mut c = Catalog::default();
        c.add_toml(BUILTIN_SOURCES, "built-in epidemic.toml")?;
        c.add_toml(BUILTIN_INDICATORS, "built-in indicators.toml")?;
        c.add_toml(BUILTIN_VACCINATION, "built-in vaccination.toml")?;
        c.add_toml(BUILTIN_INTERNATIONAL, "built-in international.toml")?;
        c.add_toml(BUILTIN_JHU_PLACES, "built-in jhu-places.toml")?;
        c.add_toml(BUILTIN_PRESENTATION, "built-in presentation.toml")?;
        c.validate()?;
        Ok(c)
    }

    /// Adds the declarations of one TOML text. A source, measure or indicator with an existing
    /// id replaces the earlier one. Call [`Catalog::validate`] afterwards.
    pub fn add_toml(&mut self, text: &str, origin: &str) -> Result<(), CatalogError> {
        let file: CatalogFile = toml::from_str(text).map_err(|source| CatalogError::Toml {
            origin: origin.to_string(),
            source,
        })?;
        for m in file.measure {
            upsert(&mut self.measures, m, |x| &x.id);
        }
        for (name, table) in file.code_table {
            self.code_tables.insert(name, table.into_iter().collect());
        }
        for s in file.source {
            upsert(&mut self.sources, s, |x| &x.id);
        }
        for i in file.indicator {
            upsert(&mut self.indicators, i, |x| &x.id);
        }
        let gate = file.gate.unwrap_or_default();
        for r in gate.retired {
            if !self.retired.contains(&r) {
                self.retired.push(r);
            }
        }
        for d in gate.revisions_in {
            if !self.revisions_in.contains(&d) {
                self.revisions_in.push(d);
            }
        }
        self.presentation.merge(vigie_contracts::Presentation {
            kpi: file.kpi,
            chart: file.chart,
            dashboard: file.dashboard,
            map_layer: file.map_layer,
            labels: file.labels,
            headline: file.headline,
        });
        Ok(())
    }

    /// Checks every cross-reference.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let measures: HashSet<&str> = self.measures.iter().map(|m| m.id.as_str()).collect();
        for s in &self.sources {
            let bad = |what: String| CatalogError::Invalid(format!("source {}: {what}", s.id));
            if s.header.is_empty() {
                return Err(bad("empty header signature".into()));
            }
            for c in &s.columns {
                if !measures.contains(c.measure.as_str()) {
                    return Err(bad(format!(
                        "column {} feeds unknown measure {}",
                        c.name, c.measure
                    )));
                }
                if let Some(b) = &c.breakdown {
                    crate::breakdown::validate_key(b).map_err(|e| bad(e.to_string()))?;
                }
            }
            for b in &s.breakdowns {
                let Some(table) = self.code_tables.get(&b.codes) else {
                    return Err(bad(format!("unknown code table {}", b.codes)));
                };
                for key in table.values() {
                    crate::breakdown::validate_key(key).map_err(|e| bad(e.to_string()))?;
                }
            }
            for t in s.territory.alternatives() {
                if t.column.is_none() && t.level != TerritoryLevel::Country {
                    return Err(bad(
                        "a territory column is required below the country level".into(),
                    ));
                }
            }
            for t in s.territory.alternatives() {
                if t.level == TerritoryLevel::World
                    && !matches!(
                        t.by,
                        TerritoryBy::Alpha2
                            | TerritoryBy::Alpha3
                            | TerritoryBy::WhoCode
                            | TerritoryBy::Table
                    )
                {
                    return Err(bad(
                        "a world territory column is matched by alpha2, alpha3, who_code or table"
                            .into(),
                    ));
                }
                if t.by == TerritoryBy::Table {
                    let Some(name) = &t.table else {
                        return Err(bad("by = \"table\" needs a table".into()));
                    };
                    let Some(table) = self.code_tables.get(name) else {
                        return Err(bad(format!("unknown code table {name}")));
                    };
                    let r = vigie_core::reference();
                    if let Some((raw, key)) = table
                        .iter()
                        .find(|(_, key)| key.as_str() != "-" && r.by_key(key).is_none())
                    {
                        return Err(bad(format!(
                            "code table {name}: {raw:?} maps to unknown territory {key}"
                        )));
                    }
                }
            }
            let d = &s.date;
            if usize::from(d.column.is_some())
                + usize::from(d.from_filename)
                + usize::from(d.constant)
                + usize::from(d.columns.is_some())
                != 1
            {
                return Err(bad(
                    "date needs exactly one of column, columns, from_filename, constant".into(),
                ));
            }
            if let Some(f) = &d.columns {
                if DateFormat::parse(f).is_none() {
                    return Err(bad(format!(
                        "unknown date format {f:?} (m/d/yy, yyyy-mm-dd, dd/mm/yyyy)"
                    )));
                }
                if s.columns.len() != 1 || s.columns[0].name != "*" {
                    return Err(bad(
                        "a wide layout (date columns) has exactly one value column, name = \"*\""
                            .into(),
                    ));
                }
            }
            if d.every_days == Some(0) {
                return Err(bad("every_days must be at least 1".into()));
            }
        }
        let mut known: HashSet<String> = measures.iter().map(|s| s.to_string()).collect();
        for i in &self.indicators {
            let inputs = std::iter::once(&i.formula)
                .chain(&i.fallback)
                .flat_map(|f| {
                    f.to_formula()
                        .inputs()
                        .into_iter()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                });
            for input in inputs {
                let input = input.as_str();
                if !known.contains(input) {
                    return Err(CatalogError::Invalid(format!(
                        "indicator {}: input {input} is neither a measure nor an indicator declared above it",
                        i.id
                    )));
                }
            }
            known.insert(i.id.clone());
        }
        for i in &self.indicators {
            let Some(b) = &i.bounds else { continue };
            let bad =
                |what: &str| CatalogError::Invalid(format!("indicator {}: bounds: {what}", i.id));
            if let (Some(lo), Some(hi)) = (b.min, b.max)
                && lo > hi
            {
                return Err(bad("min is above max"));
            }
            if b.max_per_population.is_some_and(|f| f.is_nan() || f <= 0.0) {
                return Err(bad("max_per_population must be positive"));
            }
            if let Some(other) = &b.at_most
                && !self.indicators.iter().any(|j| &j.id == other)
            {
                return Err(bad(&format!("at_most names unknown indicator {other}")));
            }
        }
        for (what, id) in self.presentation.references() {
            if !known.contains(id) {
                return Err(CatalogError::Invalid(format!(
                    "{what}: unknown indicator {id}"
                )));
            }
        }
        let charts: HashSet<&str> = self
            .presentation
            .chart
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        for d in &self.presentation.dashboard {
            if let Some(c) = d.charts.iter().find(|c| !charts.contains(c.as_str())) {
                return Err(CatalogError::Invalid(format!(
                    "dashboard {}: unknown chart {c}",
                    d.id
                )));
            }
        }
        for m in &self.presentation.map_layer {
            if m.thresholds.is_empty() || !m.thresholds.is_sorted_by(|a, b| a < b) {
                return Err(CatalogError::Invalid(format!(
                    "map_layer {}: thresholds must be a non-empty increasing list",
                    m.indicator
                )));
            }
        }
        Ok(())
    }

    /// A measure by id.
    pub fn measure(&self, id: &str) -> Option<&MeasureSpec> {
        self.measures.iter().find(|m| m.id == id)
    }

    /// Indicators to evaluate, including the published measures as `value` indicators.
    pub fn all_indicators(&self) -> Vec<IndicatorSpec> {
        let mut out = self.indicators.clone();
        for m in self.measures.iter().filter(|m| m.publish) {
            if !out.iter().any(|i| i.id == m.id) {
                out.push(IndicatorSpec {
                    id: m.id.clone(),
                    label_fr: m.label_fr.clone(),
                    label_en: m.label_en.clone(),
                    unit: m.unit.clone(),
                    formula: FormulaSpec::Value {
                        input: m.id.clone(),
                    },
                    fallback: Vec::new(),
                    thresholds: None,
                    description: Some("Valeur publiée telle quelle par la source.".into()),
                    only_all: false,
                    internal: m.internal,
                    bounds: None,
                });
            }
        }
        out
    }
}

fn upsert<T>(list: &mut Vec<T>, item: T, id: impl Fn(&T) -> &String) {
    if let Some(pos) = list.iter().position(|x| id(x) == id(&item)) {
        list[pos] = item;
    } else {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_is_valid() {
        let c = Catalog::builtin().unwrap();
        assert!(c.sources.len() >= 15);
        for id in [
            "cases",
            "tests",
            "incidence_rate_7d",
            "positivity_rate_7d",
            "screening_rate_7d",
            "r_effective",
            "hosp",
            "icu",
            "hosp_admissions",
            "icu_admissions",
            "hosp_deaths",
            "hosp_deaths_cum",
        ] {
            assert!(c.indicators.iter().any(|i| i.id == id), "{id}");
        }
    }

    #[test]
    fn user_catalogue_extends_and_errors_name_the_problem() {
        let mut c = Catalog::builtin().unwrap();
        c.add_toml(
            r#"
[[measure]]
id = "mpox_cases"
label_fr = "Cas de mpox"
label_en = "Mpox cases"
kind = "flow"

[[source]]
id = "mpox-dep"
title = "Cas de mpox par département"
header = ["departement", "semaine_fin", "cas"]
territory = { column = "departement", level = "department" }
date = { column = "semaine_fin" }
columns = [{ name = "cas", measure = "mpox_cases" }]

[[indicator]]
id = "mpox_cases_7d"
label_fr = "Cas de mpox sur 7 jours"
label_en = "Mpox cases over 7 days"
formula = { kind = "sum", input = "mpox_cases", window = 7 }
"#,
            "test",
        )
        .unwrap();
        c.validate().unwrap();
        let mut bad = c.clone();
        bad.add_toml(
            "[[indicator]]\nid = \"x\"\nlabel_fr = \"x\"\nlabel_en = \"x\"\nformula = { kind = \"value\", input = \"nope\" }\n",
            "t",
        )
        .unwrap();
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("input nope"), "{err}");
        let err = Catalog::default()
            .add_toml("[[measure]]\nid = 3\n", "user.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("user.toml"), "{err}");
    }
}
