//! Chart and map specs: everything a chart says, in French and English.
//!
//! A [`ChartSpec`] holds a chart's title, unit, series (in drawing and legend order, with their
//! labels, kinds and colours), reference lines, source line and the values on one explicit date
//! axis. The build renders the SVG from it and publishes it as JSON (`charts/<T>/<id>.json`,
//! schema [`CHART_SCHEMA`]); the interactive chart and the data table of the pages are drawn from
//! the same JSON, so the three cannot disagree. A [`MapSpec`] does the same for a choropleth: the
//! static map and the interactive map share its classes, colours, legend labels and date.
//!
//! Dates are ISO `YYYY-MM-DD` strings; the axis is `start`, `start + step_days`, … `end`, and
//! every series has exactly one value (or `null`) per axis date.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::L10n;
use crate::date::{civil_from_days, days_from_civil};

/// Schema id of a published [`ChartSpec`].
pub const CHART_SCHEMA: &str = "vigie.chart.v1";

/// Schema id of a published [`MapSpec`].
pub const MAP_SCHEMA: &str = "vigie.map.v1";

/// How a series is drawn (serialised in lower case).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DrawKind {
    /// A line.
    #[default]
    Line,
    /// One bar per date.
    Bars,
    /// A line with the area below it filled.
    Area,
}

/// One series of a time chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpecSeries {
    /// The indicator drawn (open-data id), with its breakdown when not `all`.
    pub indicator: String,
    /// Breakdown key (`all`, `vaccine:moderna`, …).
    pub breakdown: String,
    /// Legend label.
    pub label: L10n,
    /// Line, bars or area.
    pub kind: DrawKind,
    /// CSS colour.
    pub color: String,
    /// Dashed line.
    #[serde(default)]
    pub dashed: bool,
    /// Decimals of this series' values in tables and tooltips (the chart's when absent; 0 for
    /// counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// One value per axis date (`null`: no value that day).
    pub values: Vec<Option<f64>>,
}

impl SpecSeries {
    /// Decimals of this series: its own, else the chart's.
    pub fn decimals_or(&self, chart: u8) -> u8 {
        self.decimals.unwrap_or(chart)
    }
}

/// A horizontal reference line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpecThreshold {
    /// Value.
    pub value: f64,
    /// Label.
    pub label: L10n,
}

/// One bar of a categorical chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpecBar {
    /// Breakdown key of the category (`age:18-24`).
    pub breakdown: String,
    /// Category label.
    pub label: L10n,
    /// Value (`null`: not available).
    pub value: Option<f64>,
}

/// Time chart or categorical bars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SpecKind {
    /// Series against dates.
    #[default]
    Time,
    /// Categories at one date.
    Bars,
}

/// Everything a chart says, in both languages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChartSpec {
    /// [`CHART_SCHEMA`].
    pub schema: String,
    /// Chart id (file stem).
    pub id: String,
    /// Territory key (`FR`, `DEP-07`).
    pub territory: String,
    /// Time chart or bars.
    pub kind: SpecKind,
    /// Title, territory name included.
    pub title: L10n,
    /// Subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<L10n>,
    /// Unit of the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<L10n>,
    /// Decimals shown for values (tables, tooltips).
    pub decimals: u8,
    /// First date of the axis (time charts) or the date of the bars.
    pub start: String,
    /// Days between two axis dates (1: daily, 7: weekly).
    pub step_days: u32,
    /// Last date of the axis.
    pub end: String,
    /// Last date with a value in any series (the « données jusqu'au » date).
    pub data_until: String,
    /// Series in drawing and legend order (time charts).
    #[serde(default)]
    pub series: Vec<SpecSeries>,
    /// Bars in order (bar charts).
    #[serde(default)]
    pub bars: Vec<SpecBar>,
    /// Colour of the bars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bar_color: Option<String>,
    /// Reference lines.
    #[serde(default)]
    pub thresholds: Vec<SpecThreshold>,
    /// The value axis starts at zero.
    pub y_min_zero: bool,
    /// Source line, with the data date.
    pub source: L10n,
    /// Demonstration data.
    #[serde(default)]
    pub demo: bool,
}

/// Day number (days since 1970-01-01) of an ISO date.
pub fn iso_to_day(iso: &str) -> Option<i32> {
    let y: i64 = iso.get(0..4)?.parse().ok()?;
    let m: u32 = iso.get(5..7)?.parse().ok()?;
    let d: u32 = iso.get(8..10)?.parse().ok()?;
    if iso.len() != 10 || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d)).ok()
}

/// ISO date of a day number.
pub fn day_to_iso(day: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(day));
    format!("{y:04}-{m:02}-{d:02}")
}

impl ChartSpec {
    /// The axis dates as day numbers.
    pub fn axis(&self) -> Vec<i32> {
        let (Some(a), Some(b)) = (iso_to_day(&self.start), iso_to_day(&self.end)) else {
            return Vec::new();
        };
        let step = self.step_days.max(1) as usize;
        (a..=b).step_by(step).collect()
    }

    /// Rows of a data table: every `every`-th axis date counted back from the last date with
    /// data, at most `max_rows`, oldest first; each row is the date and one value per series.
    pub fn table(&self, every: usize, max_rows: usize) -> Vec<(String, Vec<Option<f64>>)> {
        if self.kind == SpecKind::Bars {
            return Vec::new();
        }
        let axis = self.axis();
        let Some(last) =
            iso_to_day(&self.data_until).and_then(|d| axis.iter().position(|x| *x == d))
        else {
            return Vec::new();
        };
        let every = every.max(1);
        let mut rows: Vec<(String, Vec<Option<f64>>)> = (0..max_rows)
            .map_while(|k| last.checked_sub(k * every))
            .map(|i| {
                (
                    day_to_iso(axis[i]),
                    self.series
                        .iter()
                        .map(|s| s.values.get(i).copied().flatten())
                        .collect(),
                )
            })
            .collect();
        rows.reverse();
        rows
    }
}

/// One class of a map legend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MapClass {
    /// Lower bound (inclusive), none for the first class.
    pub min: Option<f64>,
    /// Upper bound (exclusive), none for the last class.
    pub max: Option<f64>,
    /// CSS colour.
    pub color: String,
    /// Legend label (`10 – 25`, `< 10`, `≥ 1 000`).
    pub label: L10n,
}

/// A choropleth, shared by the static SVG map and the interactive one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MapSpec {
    /// [`MAP_SCHEMA`].
    pub schema: String,
    /// Layer id (the indicator).
    pub id: String,
    /// Title.
    pub title: L10n,
    /// Short label for a layer switch.
    pub short: L10n,
    /// Unit.
    pub unit: L10n,
    /// The date of the values.
    pub date: String,
    /// Subtitle (« par département, au 28/02/2022 »).
    pub subtitle: L10n,
    /// Decimals shown for values.
    pub decimals: u8,
    /// Classes, low to high.
    pub classes: Vec<MapClass>,
    /// Colour of territories without a value.
    pub no_data_color: String,
    /// « pas de données ».
    pub no_data_label: L10n,
    /// Territory code → value.
    pub values: BTreeMap<String, f64>,
    /// Territory code → name.
    pub names: BTreeMap<String, String>,
    /// Source line.
    pub source: L10n,
    /// Demonstration data.
    #[serde(default)]
    pub demo: bool,
}

impl MapSpec {
    /// The class index of a value.
    pub fn class_of(&self, v: f64) -> Option<usize> {
        if !v.is_finite() {
            return None;
        }
        self.classes
            .iter()
            .position(|c| c.min.is_none_or(|a| v >= a) && c.max.is_none_or(|b| v < b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ChartSpec {
        ChartSpec {
            schema: CHART_SCHEMA.into(),
            id: "c".into(),
            territory: "FR".into(),
            kind: SpecKind::Time,
            title: L10n::new("Titre", "Title"),
            subtitle: None,
            unit: None,
            decimals: 0,
            start: "2021-12-30".into(),
            step_days: 1,
            end: "2022-01-02".into(),
            data_until: "2022-01-01".into(),
            series: vec![SpecSeries {
                decimals: None,
                indicator: "a".into(),
                breakdown: "all".into(),
                label: L10n::new("Premier", "First"),
                kind: DrawKind::Bars,
                color: "#000".into(),
                dashed: false,
                values: vec![Some(1.0), Some(2.0), Some(3.0), None],
            }],
            bars: Vec::new(),
            bar_color: None,
            thresholds: Vec::new(),
            y_min_zero: true,
            source: L10n::new("Source : X", "Source: X"),
            demo: false,
        }
    }

    #[test]
    fn axis_and_table() {
        let s = spec();
        assert_eq!(s.axis().len(), 4);
        assert_eq!(day_to_iso(s.axis()[2]), "2022-01-01");
        assert_eq!(iso_to_day("1970-01-02"), Some(1));
        assert_eq!(iso_to_day("2022-13-01"), None);
        let rows = s.table(2, 5);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1], ("2022-01-01".to_string(), vec![Some(3.0)]));
        assert_eq!(rows[0], ("2021-12-30".to_string(), vec![Some(1.0)]));
    }
}

/// `charts/index.json`: which charts each territory has, in display order, and which maps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChartIndex {
    /// Territory key → chart ids (`charts/<T>/<id>.json|svg`).
    pub charts: BTreeMap<String, Vec<String>>,
    /// Map layer ids (`charts/maps/<id>.json`, and `.svg` when the release has outlines).
    pub maps: Vec<String>,
}
