//! The presentation catalogue: what the pages and charts show of the indicators.
//!
//! Declared in TOML beside the indicators (`[[kpi]]`, `[[chart]]`, `[[dashboard]]`,
//! `[[map_layer]]`, `[labels]`; built-in file `crates/vigie-sources/catalog/presentation.toml`,
//! format in `docs/catalogue.md`), merged with the user's catalogue files (an entry with the id of
//! an earlier one replaces it), and published resolved in every release as
//! `charts/presentation.json`. The build draws the SVG charts and maps from it; the web layer
//! reads the same file for the KPI cards, the interactive charts and the map layers, so a dataset
//! added by configuration gets its card, chart and map layer with no Rust.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::L10n;
use crate::chart::DrawKind;

/// How a KPI card shows its change over 7 days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Relative change, in % of the value 7 days before.
    #[default]
    Percent,
    /// Difference in points (for indicators that are already percentages, e.g. coverage).
    Points,
    /// No change shown.
    None,
}

/// A headline indicator card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiCard {
    /// Indicator id.
    pub indicator: String,
    /// Card label.
    pub label: L10n,
    /// Unit shown after the value (none: the label says it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<L10n>,
    /// Decimals of the value.
    #[serde(default)]
    pub decimals: u8,
    /// How the change is shown.
    #[serde(default)]
    pub change: ChangeKind,
    /// Pages showing the card: `territory` (every dashboard), `vaccination`, `home`.
    #[serde(default = "default_kpi_pages")]
    pub pages: Vec<String>,
}

fn default_kpi_pages() -> Vec<String> {
    vec!["territory".into()]
}

/// A headline sentence with a progress bar (VaccinTracker's « N personnes ont reçu au moins une
/// dose, soit X % de la population »), shown above the KPI cards of its pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadlineDef {
    /// Identifier (replaced by a later entry with the same id).
    pub id: String,
    /// Indicator counting people (`vaccination_dose1_cum`): `{people}` in the text.
    pub people: String,
    /// Indicator giving the share of the population, in % (`vaccination_coverage_dose1`):
    /// `{percent}` in the text, and the progress bar.
    pub percent: String,
    /// The sentence, with `{people}` and `{percent}` placeholders.
    pub text: L10n,
    /// Label of the progress bar's target (`{target}` is the coverage target in %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_label: Option<L10n>,
    /// Pages showing it (`vaccination`, `home`, `territory`).
    #[serde(default = "default_headline_pages")]
    pub pages: Vec<String>,
}

fn default_headline_pages() -> Vec<String> {
    vec!["vaccination".into()]
}

/// What a chart draws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartDefKind {
    /// The listed series against dates.
    #[default]
    Time,
    /// One indicator's last value for every class of a breakdown (e.g. coverage by age).
    BarsByBreakdown,
    /// One indicator over time, one line per class of a breakdown (e.g. doses by vaccine).
    SeriesByBreakdown,
}

/// One series of a time chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesDef {
    /// Indicator id (breakdown `all`).
    pub indicator: String,
    /// Legend label.
    pub label: L10n,
    /// Line, bars or area.
    #[serde(default)]
    pub kind: DrawKind,
    /// CSS colour.
    pub color: String,
    /// Dashed line.
    #[serde(default)]
    pub dashed: bool,
    /// Decimals of this series (the chart's when absent; 0 for counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
}

/// A fixed reference line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdDef {
    /// Value.
    pub value: f64,
    /// Label.
    pub label: L10n,
}

/// Which pages show a chart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartPage {
    /// The epidemic dashboard of a territory.
    #[default]
    Epidemic,
    /// The vaccination section (territory dashboards and the vaccination page).
    Vaccination,
}

/// A chart, drawn for every territory that has at least one of its series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartDef {
    /// Chart id: the file stem of `charts/<T>/<id>.svg|json`.
    pub id: String,
    /// Title (the territory's name is appended).
    pub title: L10n,
    /// Unit of the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<L10n>,
    /// Decimals of the values in tables and tooltips.
    #[serde(default)]
    pub decimals: u8,
    /// What it draws.
    #[serde(default)]
    pub kind: ChartDefKind,
    /// Series (time charts), in drawing and legend order.
    #[serde(default)]
    pub series: Vec<SeriesDef>,
    /// Draw the level thresholds of this indicator as reference lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds_from: Option<String>,
    /// Fixed reference lines.
    #[serde(default)]
    pub thresholds: Vec<ThresholdDef>,
    /// Start the value axis at zero.
    #[serde(default = "yes")]
    pub y_min_zero: bool,
    /// The page showing it.
    #[serde(default)]
    pub page: ChartPage,
    /// Publisher named in the source line (« Santé publique France »).
    pub source: L10n,
    /// Breakdown family (`age`, `vaccine`) of a by-breakdown chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<String>,
    /// Indicator of a by-breakdown chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// Indicator used for the classes the first one lacks (bars by breakdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_indicator: Option<String>,
    /// Label of the values taken from the fallback indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_note: Option<L10n>,
    /// Bar colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

fn yes() -> bool {
    true
}

/// A one-page mosaic of charts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardDef {
    /// File stem.
    pub id: String,
    /// Title (the territory's name is appended).
    pub title: L10n,
    /// Chart ids, in order.
    pub charts: Vec<String>,
    /// Territory levels whose dashboard is also rendered as PNG at build time with the
    /// default `--png national`: `country`, `region`.
    #[serde(default)]
    pub png_levels: Vec<String>,
}

/// The colour ramp of a map layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Palette {
    /// Yellow to dark red: more is worse (incidence, positivity, hospital strain).
    #[default]
    Risk,
    /// Yellow, green to dark blue: more is better (vaccination coverage).
    Progress,
}

/// A layer of the department map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapLayerDef {
    /// Indicator id.
    pub indicator: String,
    /// Map title.
    pub title: L10n,
    /// Short label for the layer switch.
    pub short: L10n,
    /// Unit.
    pub unit: L10n,
    /// Class boundaries, increasing (n boundaries: n + 1 classes).
    pub thresholds: Vec<f64>,
    /// Decimals of the values.
    #[serde(default)]
    pub decimals: u8,
    /// Publisher named in the source line.
    pub source: L10n,
    /// Shown in the layer switch of the dashboards (false: static map only).
    #[serde(default = "yes")]
    pub interactive: bool,
    /// Colour ramp.
    #[serde(default)]
    pub palette: Palette,
}

/// The whole presentation catalogue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Presentation {
    /// KPI cards, in display order.
    #[serde(default)]
    pub kpi: Vec<KpiCard>,
    /// Charts, in display order.
    #[serde(default)]
    pub chart: Vec<ChartDef>,
    /// Dashboards (mosaics).
    #[serde(default)]
    pub dashboard: Vec<DashboardDef>,
    /// Map layers, in the order of the layer switch.
    #[serde(default)]
    pub map_layer: Vec<MapLayerDef>,
    /// Display names of breakdown classes by key (`"vaccine:pfizer-biontech"`).
    #[serde(default)]
    pub labels: BTreeMap<String, L10n>,
    /// Headline sentences, in display order.
    #[serde(default)]
    pub headline: Vec<HeadlineDef>,
}

fn upsert<T>(list: &mut Vec<T>, item: T, key: impl Fn(&T) -> &str) {
    match list.iter().position(|x| key(x) == key(&item)) {
        Some(i) => list[i] = item,
        None => list.push(item),
    }
}

impl Presentation {
    /// Adds the entries of `other`: an entry with an existing id replaces it in place, a new one
    /// is appended.
    pub fn merge(&mut self, other: Presentation) {
        for k in other.kpi {
            upsert(&mut self.kpi, k, |x| &x.indicator);
        }
        for c in other.chart {
            upsert(&mut self.chart, c, |x| &x.id);
        }
        for d in other.dashboard {
            upsert(&mut self.dashboard, d, |x| &x.id);
        }
        for m in other.map_layer {
            upsert(&mut self.map_layer, m, |x| &x.indicator);
        }
        self.labels.extend(other.labels);
        for h in other.headline {
            upsert(&mut self.headline, h, |x| &x.id);
        }
    }

    /// Every indicator id the catalogue refers to, with what refers to it.
    pub fn references(&self) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        for k in &self.kpi {
            out.push((format!("kpi {}", k.indicator), k.indicator.as_str()));
        }
        for c in &self.chart {
            for s in &c.series {
                out.push((format!("chart {}", c.id), s.indicator.as_str()));
            }
            for i in [&c.thresholds_from, &c.indicator, &c.fallback_indicator]
                .into_iter()
                .flatten()
            {
                out.push((format!("chart {}", c.id), i.as_str()));
            }
        }
        for m in &self.map_layer {
            out.push((format!("map_layer {}", m.indicator), m.indicator.as_str()));
        }
        for h in &self.headline {
            out.push((format!("headline {}", h.id), h.people.as_str()));
            out.push((format!("headline {}", h.id), h.percent.as_str()));
        }
        out
    }

    /// The KPI cards shown on `page` (`territory`, `home`, `vaccination`), in display order.
    pub fn kpis_on<'a>(&'a self, page: &'a str) -> impl Iterator<Item = &'a KpiCard> + 'a {
        self.kpi
            .iter()
            .filter(move |k| k.pages.iter().any(|p| p == page))
    }

    /// The headlines shown on `page`.
    pub fn headlines_on<'a>(&'a self, page: &'a str) -> impl Iterator<Item = &'a HeadlineDef> + 'a {
        self.headline
            .iter()
            .filter(move |h| h.pages.iter().any(|p| p == page))
    }

    /// A chart by id.
    pub fn chart(&self, id: &str) -> Option<&ChartDef> {
        self.chart.iter().find(|c| c.id == id)
    }

    /// The display name of a breakdown class (`vaccine:pfizer-biontech` → « Pfizer-BioNTech »).
    pub fn label(&self, breakdown: &str) -> Option<&L10n> {
        self.labels.get(breakdown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r##"
[[kpi]]
indicator = "x_rate"
label = { fr = "Taux", en = "Rate" }
decimals = 1
change = "points"

[[chart]]
id = "x"
title = { fr = "X", en = "X" }
source = { fr = "Santé publique France", en = "Santé publique France" }
[[chart.series]]
indicator = "x_rate"
label = { fr = "Taux", en = "Rate" }
kind = "bars"
color = "#000"

[[map_layer]]
indicator = "x_rate"
title = { fr = "Taux", en = "Rate" }
short = { fr = "Taux", en = "Rate" }
unit = { fr = "%", en = "%" }
thresholds = [1, 2]
source = { fr = "SPF", en = "SPF" }

[labels]
"vaccine:moderna" = { fr = "Moderna", en = "Moderna" }
"##;

    #[test]
    fn parses_merges_and_round_trips() {
        let p: Presentation = toml::from_str(TOML).unwrap_or_default();
        assert_eq!(p.kpi.len(), 1);
        assert_eq!(p.kpi[0].change, ChangeKind::Points);
        assert_eq!(p.kpi[0].pages, ["territory"]);
        assert_eq!(p.chart[0].series[0].kind, DrawKind::Bars);
        assert!(p.chart[0].y_min_zero);
        assert_eq!(
            p.label("vaccine:moderna").map(|l| l.fr.as_str()),
            Some("Moderna")
        );
        let mut base = p.clone();
        let mut other = p.clone();
        other.chart[0].title = L10n::new("Y", "Y");
        base.merge(other);
        assert_eq!(base.chart.len(), 1);
        assert_eq!(base.chart[0].title.fr, "Y");
        let json = serde_json::to_string(&base).unwrap_or_default();
        let back: Presentation = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(back, base);
        assert_eq!(p.references().len(), 3);
        assert!(toml::from_str::<Presentation>("[[kpi]]\nindicator = 1").is_err());
    }
}
