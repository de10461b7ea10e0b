//! Vigie's chart renderer: turns already-computed data into accessible, French-formatted SVG
//! strings, and rasterises those SVGs to PNG.
//!
//! What it draws:
//!
//! * [`render_time_chart`]: daily (or weekly) series as lines, bars or areas, with horizontal
//!   reference lines ("R = 1"), nice 1-2-5 value ticks and calendar-aware time ticks;
//! * [`render_bar_chart`]: categorical bars (e.g. vaccination coverage by age class);
//! * [`render_mosaic`]: a one-page dashboard, a grid of time charts under one title;
//! * [`render_choropleth`]: departments or regions coloured by class from a GeoJSON file parsed
//!   once into [`GeoShapes`] (metropolitan France in a Lambert-93-like projection, overseas
//!   territories as insets);
//! * [`svg_to_png`]: rasterisation with `resvg`, using an embedded DejaVu Sans font (never the
//!   system fonts).
//!
//! # Invariants
//!
//! * **No I/O, no clock.** Every function works only on what the caller hands it; the only
//!   embedded resource is the font file. GeoJSON text is passed in as a `&str`.
//! * **Deterministic output.** The same input gives a byte-identical SVG: coordinates are
//!   rounded to 0.1 px, numbers are formatted with a fixed number of decimals, element ids are
//!   derived from a hash of the content, iteration orders are those of the inputs (or of
//!   `BTreeMap`s).
//! * **Never panics on data.** NaN / infinite values are skipped, empty inputs give an empty
//!   but valid chart, single points and flat series get a sensible axis.
//! * **Accessible.** Every SVG has `role="img"` (`role="group"` for a choropleth whose shapes are
//!   links, see [`render_choropleth`]), a `<title>` and a `<desc>` summarising the data (last value
//!   and date, minimum and maximum of each series) referenced by `aria-labelledby`; all text is
//!   XML-escaped.
//!
//! # French formatting
//!
//! Numbers use a decimal comma and U+202F NARROW NO-BREAK SPACE as thousands separator
//! (CLDR/Imprimerie nationale style: `1 234 567,9`); see [`format_number_fr`] and
//! [`THOUSANDS_SEPARATOR`]. Dates read `12 mars 2021` (`1er mars 2021` for the first day of a
//! month); time-axis ticks read `12/03`, `mars 2021` (abbreviated: `janv. 2021`) or `2021`.
//!
//! Days are `i32` day numbers: days since 1970-01-01 (proleptic Gregorian calendar).

mod bar_chart;
mod choropleth;
mod format;
mod geo;
mod png;
pub mod spec;
mod svg;
mod ticks;
mod time_chart;

pub use bar_chart::render_bar_chart;
pub use choropleth::render_choropleth;
pub use format::{
    THOUSANDS_SEPARATOR, civil_from_days, days_from_civil, format_date_fr, format_date_numeric_fr,
    format_number_fr,
};
pub use geo::GeoShapes;
pub use png::svg_to_png;
pub use spec::{map_classes, render_spec};
pub use time_chart::{render_mosaic, render_time_chart};

use std::collections::BTreeMap;

/// One observation: a day number (days since 1970-01-01) and a value.
///
/// Non-finite values (NaN, ±∞) are ignored by every renderer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Days since 1970-01-01.
    pub day: i32,
    /// The observed value, in the chart's unit.
    pub value: f64,
}

impl Point {
    /// A point at `day` with `value`.
    pub fn new(day: i32, value: f64) -> Point {
        Point { day, value }
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeriesKind {
    /// A polyline, broken at gaps.
    #[default]
    Line,
    /// One bar per point, from zero to the value.
    Bars,
    /// A line with the area between it and zero filled (semi-transparent).
    Area,
}

/// A named series of a [`TimeChart`].
///
/// Points may come in any order (they are sorted by day for drawing). A gap breaks the line:
/// consecutive points further apart than the series' own step (the smallest day difference
/// between consecutive points, i.e. 1 for a daily series, 7 for a weekly one) are not joined;
/// an isolated point is drawn as a dot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Label shown in the legend and in the accessible description.
    pub label: String,
    /// Line, bars or area.
    pub kind: SeriesKind,
    /// CSS colour (e.g. `"#0072B2"`); `None` picks the next colour of a colour-blind-safe palette.
    pub color: Option<String>,
    /// The observations.
    pub points: Vec<Point>,
    /// Draw the line dashed (e.g. for a projection or a provisional period).
    pub dashed: bool,
}

/// A chart of one or more series against time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimeChart {
    /// Chart title (first line of the SVG, and its accessible `<title>`).
    pub title: String,
    /// Optional second line, smaller and grey.
    pub subtitle: Option<String>,
    /// Unit of the values, e.g. `"pour 100 000 hab."` or `"%"`; shown above the value axis and
    /// after values in the description.
    pub y_unit: Option<String>,
    /// The series, drawn in order (later series on top).
    pub series: Vec<Series>,
    /// Horizontal reference lines with their label, e.g. `(1.0, "R = 1".into())`.
    pub thresholds: Vec<(f64, String)>,
    /// Start the value axis at zero (it still extends below zero if some values are negative).
    pub y_min_zero: bool,
    /// Source line at the bottom, e.g. `"Source : Santé publique France, SI-DEP — données du 22/10/2020"`.
    pub source_note: Option<String>,
}

/// Categorical bars, e.g. vaccination coverage by age class.
///
/// Bars are vertical when the category labels fit under them, horizontal otherwise.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarChart {
    /// Chart title.
    pub title: String,
    /// Optional second line.
    pub subtitle: Option<String>,
    /// Unit of the values (e.g. `"%"`).
    pub y_unit: Option<String>,
    /// `(category label, value)`, drawn in this order; non-finite values show as "n.d.".
    pub bars: Vec<(String, f64)>,
    /// Bar colour; `None` for the default blue.
    pub color: Option<String>,
    /// Source line at the bottom.
    pub source_note: Option<String>,
}

/// Classes of a choropleth: `colors[i]` is used for values in `[thresholds[i-1], thresholds[i])`
/// (`colors[0]` below `thresholds[0]`, the last colour at or above the last threshold).
#[derive(Debug, Clone, PartialEq)]
pub struct ColorScale {
    /// Class boundaries, increasing.
    pub thresholds: Vec<f64>,
    /// `thresholds.len() + 1` CSS colours, from low to high.
    pub colors: Vec<String>,
    /// Colour of territories without a (finite) value.
    pub no_data_color: String,
    /// Legend label of each class (a map spec's); empty: `< 10`, `10 à < 50`, `≥ 50` from the
    /// thresholds.
    pub labels: Vec<String>,
    /// Legend label of territories without a value (default « pas de données »).
    pub no_data_label: Option<String>,
}

/// Colour-blind-safe sequential ramp (yellow → dark red, ColorBrewer "YlOrRd"-like), used by
/// [`ColorScale::sequential`].
const SEQUENTIAL: [&str; 9] = [
    "#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
    "#800026",
];

/// ColorBrewer YlGnBu: light yellow to dark blue, for shares where more is better (coverage).
const PROGRESS: [&str; 9] = [
    "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494",
    "#081d58",
];

impl ColorScale {
    /// A scale over `thresholds` with colours sampled from a yellow-to-dark-red ramp (risk: more
    /// is worse) and a light grey for "pas de données".
    pub fn sequential(thresholds: Vec<f64>) -> ColorScale {
        ColorScale::sampled(thresholds, &SEQUENTIAL)
    }

    /// A scale over `thresholds` with colours from a yellow-green-blue ramp, for shares where
    /// more is better (vaccination coverage).
    pub fn progress(thresholds: Vec<f64>) -> ColorScale {
        ColorScale::sampled(thresholds, &PROGRESS)
    }

    fn sampled(thresholds: Vec<f64>, ramp: &[&str]) -> ColorScale {
        let ramp_len = ramp.len();
        let classes = thresholds.len() + 1;
        let colors = (0..classes)
            .map(|i| {
                let idx = if classes <= 1 {
                    ramp_len / 2
                } else {
                    (i * (ramp_len - 1) + (classes - 1) / 2) / (classes - 1)
                };
                ramp[idx.min(ramp_len - 1)].to_owned()
            })
            .collect();
        ColorScale {
            thresholds,
            colors,
            no_data_color: "#d9d9d9".to_owned(),
            labels: Vec::new(),
            no_data_label: None,
        }
    }
}

/// A choropleth map: one value per territory code.
#[derive(Debug, Clone, PartialEq)]
pub struct Choropleth {
    /// Map title.
    pub title: String,
    /// Optional second line.
    pub subtitle: Option<String>,
    /// Unit of the values, shown as the legend heading and in tooltips.
    pub unit: Option<String>,
    /// Territory code (as in the GeoJSON `properties.code`) → value.
    pub values: BTreeMap<String, f64>,
    /// Territory code → display name; codes absent here use the GeoJSON `properties.nom`.
    pub names: BTreeMap<String, String>,
    /// Classes and colours.
    pub scale: ColorScale,
    /// Source line at the bottom.
    pub source_note: Option<String>,
    /// When set, each shape is wrapped in `<a href="...">` with `{code}` replaced by the code,
    /// e.g. `"/fr/territoire/DEP-{code}"`.
    pub link_template: Option<String>,
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The GeoJSON text could not be parsed or is not a FeatureCollection of polygons.
    #[error("invalid GeoJSON: {0}")]
    InvalidGeoJson(String),
    /// The SVG could not be parsed or rasterised.
    #[error("cannot render the chart: {0}")]
    Render(String),
}

#[cfg(test)]
pub(crate) mod test_util {
    /// Asserts that `svg` is well-formed XML with an accessible root: `<svg>` with a role, a
    /// `<title>` and a `<desc>` as first children whose ids are those of `aria-labelledby`.
    pub(crate) fn assert_accessible_svg(svg: &str) {
        let doc = match roxmltree::Document::parse(svg) {
            Ok(doc) => doc,
            Err(e) => panic!("not well-formed XML ({e}):\n{svg}"),
        };
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert!(matches!(root.attribute("role"), Some("img" | "group")));
        let labelled_by: Vec<&str> = root
            .attribute("aria-labelledby")
            .unwrap_or_default()
            .split(' ')
            .collect();
        let mut children = root.children().filter(|n| n.is_element());
        let title = children.next().expect("first child");
        let desc = children.next().expect("second child");
        assert_eq!(title.tag_name().name(), "title");
        assert_eq!(desc.tag_name().name(), "desc");
        assert_eq!(
            labelled_by,
            vec![
                title.attribute("id").unwrap_or("?"),
                desc.attribute("id").unwrap_or("?")
            ]
        );
        assert!(
            !desc.text().unwrap_or_default().trim().is_empty(),
            "empty desc"
        );
    }
}
