//! Categorical bar charts (e.g. vaccination coverage by age class).

use std::fmt::Write as _;

use crate::BarChart;
use crate::format::{
    NOT_AVAILABLE, Px, auto_decimals, push_escaped, push_number_fr, push_tenths,
    push_value_with_unit, tenths, text_width, truncate_line,
};
use crate::svg::{
    AXIS, GRID, LINE, MUTED, PAD, PALETTE, TEXT, TICK_SIZE, TITLE_SIZE, TextStyle, close_svg,
    header, note_height, note_lines, open_svg, text, write_note,
};
use crate::ticks::nice_ticks;

/// At most this many categories are enumerated in the description.
const DESC_MAX_ITEMS: usize = 40;

fn describe(chart: &BarChart) -> String {
    let unit = chart.y_unit.as_deref();
    let mut d = String::with_capacity(64 + chart.bars.len() * 24);
    let n = chart.bars.len();
    if n == 0 {
        d.push_str("Aucune donnée.");
        return d;
    }
    let _ = write!(
        d,
        "Diagramme en barres de {n} catégorie{} : ",
        if n > 1 { "s" } else { "" }
    );
    for (i, (label, value)) in chart.bars.iter().take(DESC_MAX_ITEMS).enumerate() {
        if i > 0 {
            d.push_str(" ; ");
        }
        let _ = write!(d, "{} ", label.trim());
        push_value_with_unit(&mut d, *value, None, unit);
    }
    if n > DESC_MAX_ITEMS {
        d.push_str(" ; …");
    }
    d.push('.');
    let finite = chart.bars.iter().filter(|(_, v)| v.is_finite());
    let max = finite
        .clone()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(std::cmp::Ordering::Greater));
    let min = finite.min_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some(max), Some(min)) = (max, min)
        && n > 1
    {
        let _ = write!(d, " Maximum : {} (", max.0.trim());
        push_value_with_unit(&mut d, max.1, None, unit);
        let _ = write!(d, ") ; minimum : {} (", min.0.trim());
        push_value_with_unit(&mut d, min.1, None, unit);
        d.push_str(").");
    }
    d
}

/// Renders categorical bars as a standalone SVG document of `width` × `height` px.
///
/// Bars are vertical when every category label fits under its bar, horizontal (labels on the
/// left) otherwise. Each bar carries its value; non-finite values are shown as "n.d.".
pub fn render_bar_chart(chart: &BarChart, width: u32, height: u32) -> String {
    let (w, h) = (f64::from(width), f64::from(height));
    let desc = describe(chart);
    let mut out = String::with_capacity(4096 + chart.bars.len() * 200);
    open_svg(&mut out, w, h, &chart.title, &desc, "img");

    let inner_w = (w - 2.0 * PAD).max(1.0);
    let y = header(
        &mut out,
        &chart.title,
        chart.subtitle.as_deref(),
        PAD,
        inner_w,
        PAD,
        TITLE_SIZE,
    );
    let notes = note_lines(chart.source_note.as_deref(), inner_w);
    let unit = chart
        .y_unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let unit_h = if unit.is_some() {
        TICK_SIZE * LINE + 2.0
    } else {
        0.0
    };
    let top = y + 6.0 + unit_h + TICK_SIZE * 0.5;
    let bottom = (h - PAD - note_height(&notes)).max(top + 20.0);
    if let Some(unit) = unit {
        text(
            &mut out,
            PAD,
            top - TICK_SIZE * 0.5 - 6.0,
            TextStyle::plain(TICK_SIZE, MUTED),
            unit,
        );
    }

    let color = chart
        .color
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or(PALETTE[0]);
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    let mut max_abs: f64 = 0.0;
    for (_, v) in chart.bars.iter().filter(|(_, v)| v.is_finite()) {
        lo = lo.min(*v);
        hi = hi.max(*v);
        max_abs = max_abs.max(v.abs());
    }
    // Short units ("%") follow each value label; long ones only appear in the caption.
    let label_unit = unit.filter(|u| u.chars().count() <= 3);
    let decimals = auto_decimals(max_abs);
    let value_labels: Vec<String> = chart
        .bars
        .iter()
        .map(|(_, v)| {
            let mut s = String::new();
            if v.is_finite() {
                push_value_with_unit(&mut s, *v, Some(decimals), label_unit);
            } else {
                s.push_str(NOT_AVAILABLE);
            }
            s
        })
        .collect();

    let n = chart.bars.len();
    if n == 0 {
        let style = TextStyle {
            anchor: crate::svg::Anchor::Middle,
            ..TextStyle::plain(12.0, MUTED)
        };
        text(
            &mut out,
            w / 2.0,
            (top + bottom) / 2.0,
            style,
            "Aucune donnée disponible",
        );
    } else {
        let cat_w = chart
            .bars
            .iter()
            .map(|(l, _)| text_width(l.trim(), TICK_SIZE))
            .fold(0.0, f64::max);
        let probe = nice_ticks(lo, hi, 5);
        let tick_w = probe
            .values
            .iter()
            .map(|v| text_width(&format_tick(*v, probe.decimals), TICK_SIZE))
            .fold(0.0, f64::max);
        let slot = (inner_w - tick_w - 6.0) / n as f64;
        let bars = Bars {
            chart,
            color,
            value_labels: &value_labels,
            lo,
            hi,
        };
        if slot >= cat_w + 6.0 {
            bars.vertical(&mut out, PAD, top, w - PAD, bottom);
        } else {
            bars.horizontal(&mut out, PAD, top, w - PAD, bottom, cat_w);
        }
    }
    write_note(&mut out, &notes, PAD, h - PAD);
    close_svg(&mut out);
    out
}

fn format_tick(v: f64, decimals: usize) -> String {
    let mut s = String::new();
    push_number_fr(&mut s, v, decimals);
    s
}

struct Bars<'a> {
    chart: &'a BarChart,
    color: &'a str,
    value_labels: &'a [String],
    lo: f64,
    hi: f64,
}

impl Bars<'_> {
    /// Vertical bars in the box `(left, top)–(right, bottom)`.
    fn vertical(&self, out: &mut String, left: f64, top: f64, right: f64, bottom: f64) {
        let n = self.chart.bars.len();
        let cat_h = TICK_SIZE * LINE + 6.0;
        // Room for the value labels above the tallest bar.
        let plot_top = top + TICK_SIZE + 4.0;
        let plot_bottom = (bottom - cat_h).max(plot_top + 10.0);
        let target = ((plot_bottom - plot_top) / 40.0).round().clamp(2.0, 8.0) as usize;
        let ticks = nice_ticks(self.lo, self.hi, target);
        let labels: Vec<String> = ticks
            .values
            .iter()
            .map(|v| format_tick(*v, ticks.decimals))
            .collect();
        let label_w = labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE))
            .fold(0.0, f64::max);
        let plot_left = left + label_w + 6.0;
        let plot_right = right.max(plot_left + 10.0);
        let range = ticks.max - ticks.min;
        let ky = if range > 0.0 && range.is_finite() {
            (plot_bottom - plot_top) / range
        } else {
            0.0
        };
        let ys = |v: f64| plot_bottom - (v - ticks.min) * ky;

        let _ = write!(
            out,
            r#"<path fill="none" stroke="{GRID}" stroke-width="1" d=""#
        );
        for v in &ticks.values {
            let _ = write!(out, "M{},{}H{}", Px(plot_left), Px(ys(*v)), Px(plot_right));
        }
        out.push_str("\"/>\n");
        let _ = writeln!(
            out,
            r#"<g font-size="{TICK_SIZE}" fill="{MUTED}" text-anchor="end">"#
        );
        for (v, label) in ticks.values.iter().zip(&labels) {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}">"#,
                Px(plot_left - 6.0),
                Px(ys(*v) + TICK_SIZE * 0.35)
            );
            push_escaped(out, label);
            out.push_str("</text>\n");
        }
        out.push_str("</g>\n");

        let slot = (plot_right - plot_left) / n as f64;
        let bw = (slot * 0.7).min(80.0);
        let zero = ys(0.0);
        out.push_str("<path fill=\"");
        push_escaped(out, self.color);
        out.push_str("\" d=\"");
        for (i, (_, v)) in self.chart.bars.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let x = plot_left + slot * (i as f64 + 0.5) - bw / 2.0;
            let _ = write!(out, "M{},{}V{}h", Px(x), Px(zero), Px(ys(*v)));
            push_tenths(out, tenths(bw).max(1));
            let _ = write!(out, "V{}Z", Px(zero));
        }
        out.push_str("\"/>\n");
        let _ = writeln!(
            out,
            r#"<path fill="none" stroke="{AXIS}" stroke-width="1" d="M{},{}H{}"/>"#,
            Px(plot_left),
            Px(zero),
            Px(plot_right)
        );

        let show_values = self
            .value_labels
            .iter()
            .all(|l| text_width(l, TICK_SIZE) <= slot - 2.0);
        let _ = writeln!(
            out,
            r#"<g font-size="{TICK_SIZE}" text-anchor="middle" fill="{TEXT}">"#
        );
        for (i, ((label, v), value_label)) in
            self.chart.bars.iter().zip(self.value_labels).enumerate()
        {
            let cx = plot_left + slot * (i as f64 + 0.5);
            let _ = write!(
                out,
                r#"<text x="{}" y="{}">"#,
                Px(cx),
                Px(plot_bottom + 4.0 + TICK_SIZE)
            );
            push_escaped(out, label.trim());
            out.push_str("</text>\n");
            if show_values || !v.is_finite() {
                let vy = if !v.is_finite() {
                    zero - 4.0
                } else if *v >= 0.0 {
                    ys(*v) - 4.0
                } else {
                    ys(*v) + TICK_SIZE + 2.0
                };
                let _ = write!(out, r#"<text x="{}" y="{}">"#, Px(cx), Px(vy));
                push_escaped(out, value_label);
                out.push_str("</text>\n");
            }
        }
        out.push_str("</g>\n");
    }

    /// Horizontal bars (labels on the left) in the box `(left, top)–(right, bottom)`.
    fn horizontal(
        &self,
        out: &mut String,
        left: f64,
        top: f64,
        right: f64,
        bottom: f64,
        cat_w: f64,
    ) {
        let n = self.chart.bars.len();
        let label_col = cat_w.min((right - left) * 0.4).max(10.0);
        let plot_left = left + label_col + 8.0;
        let value_w = self
            .value_labels
            .iter()
            .map(|l| text_width(l, TICK_SIZE))
            .fold(0.0, f64::max);
        let plot_right = (right - value_w - 6.0).max(plot_left + 10.0);
        let axis_h = TICK_SIZE * LINE + 6.0;
        let plot_bottom = (bottom - axis_h).max(top + 10.0);
        let target = ((plot_right - plot_left) / 70.0).round().clamp(2.0, 8.0) as usize;
        let ticks = nice_ticks(self.lo, self.hi, target);
        let range = ticks.max - ticks.min;
        let kx = if range > 0.0 && range.is_finite() {
            (plot_right - plot_left) / range
        } else {
            0.0
        };
        let xs = |v: f64| plot_left + (v - ticks.min) * kx;

        let _ = write!(
            out,
            r#"<path fill="none" stroke="{GRID}" stroke-width="1" d=""#
        );
        for v in &ticks.values {
            let _ = write!(out, "M{},{}V{}", Px(xs(*v)), Px(top), Px(plot_bottom));
        }
        out.push_str("\"/>\n");
        let _ = writeln!(
            out,
            r#"<g font-size="{TICK_SIZE}" fill="{MUTED}" text-anchor="middle">"#
        );
        for v in &ticks.values {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}">"#,
                Px(xs(*v)),
                Px(plot_bottom + 4.0 + TICK_SIZE)
            );
            push_escaped(out, &format_tick(*v, ticks.decimals));
            out.push_str("</text>\n");
        }
        out.push_str("</g>\n");

        let row = (plot_bottom - top) / n as f64;
        let bh = (row * 0.7).min(28.0);
        let zero = xs(0.0);
        out.push_str("<path fill=\"");
        push_escaped(out, self.color);
        out.push_str("\" d=\"");
        for (i, (_, v)) in self.chart.bars.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let y = top + row * (i as f64 + 0.5) - bh / 2.0;
            let _ = write!(out, "M{},{}H{}v", Px(zero), Px(y), Px(xs(*v)));
            push_tenths(out, tenths(bh).max(1));
            let _ = write!(out, "H{}Z", Px(zero));
        }
        out.push_str("\"/>\n");
        let _ = writeln!(
            out,
            r#"<path fill="none" stroke="{AXIS}" stroke-width="1" d="M{},{}V{}"/>"#,
            Px(zero),
            Px(top),
            Px(plot_bottom)
        );

        let show = row >= TICK_SIZE * 0.9;
        if show {
            let _ = writeln!(out, r#"<g font-size="{TICK_SIZE}" fill="{TEXT}">"#);
            for (i, ((label, v), value_label)) in
                self.chart.bars.iter().zip(self.value_labels).enumerate()
            {
                let cy = top + row * (i as f64 + 0.5) + TICK_SIZE * 0.35;
                let label = truncate_line(label, TICK_SIZE, label_col);
                let _ = write!(
                    out,
                    r#"<text x="{}" y="{}" text-anchor="end">"#,
                    Px(plot_left - 8.0),
                    Px(cy)
                );
                push_escaped(out, &label);
                out.push_str("</text>\n");
                let (vx, anchor) = if !v.is_finite() || *v >= 0.0 {
                    (xs(if v.is_finite() { *v } else { 0.0 }) + 4.0, "")
                } else {
                    (xs(*v) - 4.0, r#" text-anchor="end""#)
                };
                let _ = write!(out, r#"<text x="{}" y="{}"{anchor}>"#, Px(vx), Px(cy));
                push_escaped(out, value_label);
                out.push_str("</text>\n");
            }
            out.push_str("</g>\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coverage() -> BarChart {
        BarChart {
            title: "Couverture vaccinale par âge".into(),
            subtitle: Some("Au moins une dose".into()),
            y_unit: Some("%".into()),
            bars: vec![
                ("0-17".into(), 4.2),
                ("18-24".into(), 71.5),
                ("25-59".into(), 80.26),
                ("60-79".into(), 91.0),
                ("80+".into(), 87.3),
            ],
            color: None,
            source_note: Some("Source : VAC-SI".into()),
        }
    }

    #[test]
    fn vertical_bars_with_french_labels() {
        let svg = render_bar_chart(&coverage(), 600, 400);
        crate::test_util::assert_accessible_svg(&svg);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
        assert!(svg.contains(">80,3\u{A0}%</text>"), "{svg}");
        assert!(svg.contains(">18-24</text>"));
        assert!(
            svg.contains(r##"text-anchor="middle" fill="#1a1a1a""##),
            "vertical layout"
        );
        assert!(
            svg.contains(
                "Diagramme en barres de 5 catégories : 0-17 4,2\u{A0}% ; 18-24 71,5\u{A0}%"
            )
        );
        assert!(
            svg.contains("Maximum : 60-79 (91\u{A0}%) ; minimum : 0-17 (4,2\u{A0}%)."),
            "{svg}"
        );
        // One path with 5 bars.
        let bars = svg
            .lines()
            .find(|l| l.starts_with(r##"<path fill="#0072B2""##))
            .expect("bars");
        assert_eq!(bars.matches('M').count(), 5);
    }

    #[test]
    fn long_labels_switch_to_horizontal() {
        let mut c = coverage();
        c.bars = vec![
            ("Professionnels de santé libéraux".into(), 1234.5),
            ("Résidents d'EHPAD".into(), -12.0),
            ("Non renseigné".into(), f64::NAN),
        ];
        c.y_unit = Some("doses".into());
        let svg = render_bar_chart(&c, 500, 300);
        crate::test_util::assert_accessible_svg(&svg);
        assert!(
            svg.contains(r#"text-anchor="end">Résidents d&#39;EHPAD</text>"#),
            "{svg}"
        );
        assert!(
            svg.contains(">1\u{202F}234</text>") || svg.contains(">1\u{202F}235</text>"),
            "{svg}"
        );
        assert!(svg.contains(">n.d.</text>"));
        assert!(svg.contains("Non renseigné n.d."));
    }

    #[test]
    fn empty_and_degenerate() {
        let svg = render_bar_chart(&BarChart::default(), 300, 200);
        assert!(svg.contains("Aucune donnée"));
        let c = BarChart {
            bars: vec![("a".into(), 0.0), ("b".into(), f64::INFINITY)],
            ..Default::default()
        };
        let svg = render_bar_chart(&c, 0, 0);
        crate::test_util::assert_accessible_svg(&svg);
        assert!(svg.ends_with("</svg>"));
    }
}
