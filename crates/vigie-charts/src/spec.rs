//! Rendering of the published chart and map specs ([`vigie_contracts::chart`]): the SVG is
//! drawn from the same [`ChartSpec`] / [`MapSpec`] that the interactive charts and maps read.

use vigie_contracts::chart::{ChartSpec, MapClass, MapSpec, SpecKind};
use vigie_contracts::{DrawKind, L10n, Lang};

use crate::format::format_number_fr;
use crate::{BarChart, Choropleth, ColorScale, Point, Series, SeriesKind, TimeChart};

fn kind(k: DrawKind) -> SeriesKind {
    match k {
        DrawKind::Line => SeriesKind::Line,
        DrawKind::Bars => SeriesKind::Bars,
        DrawKind::Area => SeriesKind::Area,
    }
}

/// The time chart of a spec in `lang`.
pub fn time_chart(spec: &ChartSpec, lang: Lang) -> TimeChart {
    let axis = spec.axis();
    TimeChart {
        title: spec.title.get(lang).to_string(),
        subtitle: spec.subtitle.as_ref().map(|s| s.get(lang).to_string()),
        y_unit: spec.unit.as_ref().map(|u| u.get(lang).to_string()),
        series: spec
            .series
            .iter()
            .map(|s| Series {
                label: s.label.get(lang).to_string(),
                kind: kind(s.kind),
                color: Some(s.color.clone()),
                points: axis
                    .iter()
                    .zip(&s.values)
                    .filter_map(|(d, v)| v.map(|v| Point::new(*d, v)))
                    .collect(),
                dashed: s.dashed,
            })
            .collect(),
        thresholds: spec
            .thresholds
            .iter()
            .map(|t| (t.value, t.label.get(lang).to_string()))
            .collect(),
        y_min_zero: spec.y_min_zero,
        source_note: Some(spec.source.get(lang).to_string()),
    }
}

/// The bar chart of a spec in `lang`.
pub fn bar_chart(spec: &ChartSpec, lang: Lang) -> BarChart {
    BarChart {
        title: spec.title.get(lang).to_string(),
        subtitle: spec.subtitle.as_ref().map(|s| s.get(lang).to_string()),
        y_unit: spec.unit.as_ref().map(|u| u.get(lang).to_string()),
        bars: spec
            .bars
            .iter()
            .map(|b| (b.label.get(lang).to_string(), b.value.unwrap_or(f64::NAN)))
            .collect(),
        color: spec.bar_color.clone(),
        source_note: Some(spec.source.get(lang).to_string()),
    }
}

/// The SVG of a spec in `lang`.
pub fn render_spec(spec: &ChartSpec, lang: Lang, width: u32, height: u32) -> String {
    match spec.kind {
        SpecKind::Time => crate::render_time_chart(&time_chart(spec, lang), width, height),
        SpecKind::Bars => crate::render_bar_chart(&bar_chart(spec, lang), width, height),
    }
}

fn bound_fr(v: f64, decimals: usize) -> String {
    format_number_fr(v, if v.fract() == 0.0 { 0 } else { decimals.max(1) })
}

fn bound_en(v: f64, decimals: usize) -> String {
    let d = if v.fract() == 0.0 { 0 } else { decimals.max(1) };
    let s = format!("{:.*}", d, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut g = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(c);
    }
    let sign = if v < 0.0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{g}")
    } else {
        format!("{sign}{g}.{frac}")
    }
}

/// The legend classes of a colour scale: `< t0`, `t0 à < t1`, …, `≥ tn` (English `t0 to < t1`),
/// with their colours. The SVG map and the interactive map both print these labels.
pub fn map_classes(scale: &ColorScale, decimals: usize) -> Vec<MapClass> {
    let th = &scale.thresholds;
    scale
        .colors
        .iter()
        .enumerate()
        .map(|(i, color)| {
            let min = i.checked_sub(1).and_then(|j| th.get(j)).copied();
            let max = th.get(i).copied();
            let fr = |v: f64| bound_fr(v, decimals);
            let en = |v: f64| bound_en(v, decimals);
            let label = match (min, max) {
                (None, Some(b)) => L10n::new(format!("< {}", fr(b)), format!("< {}", en(b))),
                (Some(a), None) => L10n::new(format!("≥ {}", fr(a)), format!("≥ {}", en(a))),
                (Some(a), Some(b)) => L10n::new(
                    format!("{} à < {}", fr(a), fr(b)),
                    format!("{} to < {}", en(a), en(b)),
                ),
                (None, None) => L10n::same("—"),
            };
            MapClass {
                min,
                max,
                color: color.clone(),
                label,
            }
        })
        .collect()
}

/// The colour scale of a map spec's classes, with the spec's labels in `lang`.
pub fn map_scale(spec: &MapSpec, lang: Lang) -> ColorScale {
    ColorScale {
        thresholds: spec.classes.iter().filter_map(|c| c.max).collect(),
        colors: spec.classes.iter().map(|c| c.color.clone()).collect(),
        no_data_color: spec.no_data_color.clone(),
        labels: spec
            .classes
            .iter()
            .map(|c| c.label.get(lang).to_string())
            .collect(),
        no_data_label: Some(spec.no_data_label.get(lang).to_string()),
    }
}

/// The choropleth of a map spec in `lang`.
pub fn choropleth(spec: &MapSpec, lang: Lang, link_template: Option<String>) -> Choropleth {
    Choropleth {
        title: spec.title.get(lang).to_string(),
        subtitle: Some(spec.subtitle.get(lang).to_string()),
        unit: Some(spec.unit.get(lang).to_string()),
        values: spec.values.clone(),
        names: spec.names.clone(),
        scale: map_scale(spec, lang),
        source_note: Some(spec.source.get(lang).to_string()),
        link_template,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use vigie_contracts::chart::{CHART_SCHEMA, MAP_SCHEMA, SpecSeries, SpecThreshold};

    use super::*;

    fn spec() -> ChartSpec {
        ChartSpec {
            schema: CHART_SCHEMA.into(),
            id: "c".into(),
            territory: "FR".into(),
            kind: SpecKind::Time,
            title: L10n::new("Titre", "Title"),
            subtitle: None,
            unit: Some(L10n::new("personnes", "people")),
            decimals: 0,
            start: "2021-12-30".into(),
            step_days: 1,
            end: "2022-01-02".into(),
            data_until: "2022-01-01".into(),
            series: vec![
                SpecSeries {
                    decimals: None,
                    indicator: "a".into(),
                    breakdown: "all".into(),
                    label: L10n::new("Premier", "First"),
                    kind: DrawKind::Bars,
                    color: "#000".into(),
                    dashed: false,
                    values: vec![Some(1.0), None, Some(3.0), None],
                },
                SpecSeries {
                    decimals: None,
                    indicator: "b".into(),
                    breakdown: "all".into(),
                    label: L10n::new("Second", "Second"),
                    kind: DrawKind::Line,
                    color: "#111".into(),
                    dashed: false,
                    values: vec![Some(10.0), Some(20.0), Some(30.0), None],
                },
            ],
            bars: Vec::new(),
            bar_color: None,
            thresholds: vec![SpecThreshold {
                value: 2.0,
                label: L10n::new("seuil", "threshold"),
            }],
            y_min_zero: true,
            source: L10n::new("Source : X", "Source: X"),
            demo: false,
        }
    }

    #[test]
    fn the_svg_says_what_the_spec_says() {
        let s = spec();
        let tc = time_chart(&s, Lang::Fr);
        let labels: Vec<&str> = tc.series.iter().map(|x| x.label.as_str()).collect();
        assert_eq!(labels, ["Premier", "Second"]);
        assert_eq!(tc.series[0].points.len(), 2);
        assert_eq!(tc.series[0].points[1], Point::new(s.axis()[2], 3.0));
        assert_eq!(time_chart(&s, Lang::En).series[0].label, "First");
        let svg = render_spec(&s, Lang::Fr, 800, 400);
        let a = svg.find(">Premier<");
        let b = svg.find(">Second<");
        assert!(
            a.is_some() && b.is_some() && a < b,
            "legend order in the SVG"
        );
        assert!(svg.contains("Source : X"));
        assert!(svg.contains("seuil"));
    }

    #[test]
    fn map_classes_cover_the_line() {
        let scale = ColorScale::sequential(vec![10.0, 1000.0]);
        let c = map_classes(&scale, 1);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].label.fr, "< 10");
        assert_eq!(c[1].label.fr, "10 à < 1\u{202f}000");
        assert_eq!(c[1].label.en, "10 to < 1,000");
        assert_eq!(c[2].label.en, "≥ 1,000");
        let m = MapSpec {
            schema: MAP_SCHEMA.into(),
            id: "x".into(),
            title: L10n::same("t"),
            short: L10n::same("t"),
            unit: L10n::same("%"),
            date: "2022-01-01".into(),
            subtitle: L10n::same("s"),
            decimals: 1,
            classes: c,
            no_data_color: "#d9d9d9".into(),
            no_data_label: L10n::new("pas de données", "no data"),
            values: BTreeMap::new(),
            names: BTreeMap::new(),
            source: L10n::same("s"),
            demo: false,
        };
        assert_eq!(m.class_of(9.9), Some(0));
        assert_eq!(m.class_of(10.0), Some(1));
        assert_eq!(m.class_of(5000.0), Some(2));
        assert_eq!(m.class_of(f64::NAN), None);
        let from_spec = map_scale(&m, Lang::Fr);
        assert_eq!(from_spec.thresholds, scale.thresholds);
        assert_eq!(from_spec.colors, scale.colors);
        // The SVG legend prints the spec's labels, the ones the interactive map shows.
        assert_eq!(
            from_spec.labels,
            vec!["< 10", "10 à < 1\u{202f}000", "≥ 1\u{202f}000"]
        );
        assert_eq!(from_spec.no_data_label.as_deref(), Some("pas de données"));
    }
}
