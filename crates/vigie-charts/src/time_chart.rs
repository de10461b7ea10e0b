//! Time charts (lines, bars, areas against days) and mosaics of time charts.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

use crate::format::{
    Px, push_date_fr, push_escaped, push_number_fr, push_tenths, push_value_with_unit, tenths,
    text_width,
};
use crate::svg::{
    AXIS, Anchor, GRID, LINE, LegendItem, MUTED, PAD, PALETTE, SUBTITLE_SIZE, Swatch, TEXT,
    TICK_SIZE, TITLE_SIZE, TextStyle, close_svg, header, legend_height, note_height, note_lines,
    open_svg, text, write_legend, write_note,
};
use crate::ticks::{LinearTicks, nice_ticks, time_ticks};
use crate::{Point, Series, SeriesKind, TimeChart};

/// A series ready to draw: finite points sorted by day, its step and colour.
struct Prepared<'a> {
    series: &'a Series,
    points: Cow<'a, [Point]>,
    /// Smallest day difference between consecutive points (≥ 1); larger differences are gaps.
    step: i64,
    color: &'a str,
}

fn prepare(chart: &TimeChart) -> Vec<Prepared<'_>> {
    chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let clean = s.points.iter().all(|p| p.value.is_finite())
                && s.points.is_sorted_by_key(|p| p.day);
            let points: Cow<'_, [Point]> = if clean {
                Cow::Borrowed(&s.points)
            } else {
                let mut v: Vec<Point> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|p| p.value.is_finite())
                    .collect();
                v.sort_by_key(|p| p.day);
                Cow::Owned(v)
            };
            let step = points
                .windows(2)
                .map(|w| i64::from(w[1].day) - i64::from(w[0].day))
                .filter(|d| *d > 0)
                .min()
                .unwrap_or(1);
            let color = s
                .color
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .unwrap_or(PALETTE[i % PALETTE.len()]);
            Prepared {
                series: s,
                points,
                step,
                color,
            }
        })
        .collect()
}

/// Ranges of consecutive points not separated by a gap.
struct Segments<'a> {
    points: &'a [Point],
    step: i64,
    start: usize,
}

impl Iterator for Segments<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.start >= self.points.len() {
            return None;
        }
        let begin = self.start;
        let mut end = begin + 1;
        while end < self.points.len()
            && i64::from(self.points[end].day) - i64::from(self.points[end - 1].day) <= self.step
        {
            end += 1;
        }
        self.start = end;
        Some(begin..end)
    }
}

fn segments(points: &[Point], step: i64) -> Segments<'_> {
    Segments {
        points,
        step,
        start: 0,
    }
}

/// Accessible description of a time chart.
fn describe(chart: &TimeChart, prepared: &[Prepared<'_>]) -> String {
    let mut d = String::with_capacity(256);
    let unit = chart.y_unit.as_deref();
    let first = prepared
        .iter()
        .filter_map(|p| p.points.first())
        .map(|p| p.day)
        .min();
    let last = prepared
        .iter()
        .filter_map(|p| p.points.last())
        .map(|p| p.day)
        .max();
    match (first, last) {
        (Some(a), Some(b)) => {
            let n = prepared.len();
            if n > 1 {
                let _ = write!(d, "Graphique de {n} séries, du ");
            } else {
                d.push_str("Graphique du ");
            }
            push_date_fr(&mut d, a);
            d.push_str(" au ");
            push_date_fr(&mut d, b);
            d.push('.');
        }
        _ => d.push_str("Aucune donnée."),
    }
    for p in prepared {
        let label = if p.series.label.trim().is_empty() {
            "Série"
        } else {
            p.series.label.trim()
        };
        let _ = write!(d, " « {label} » : ");
        let (Some(last), Some(min), Some(max)) = (
            p.points.last(),
            p.points.iter().min_by(|a, b| a.value.total_cmp(&b.value)),
            p.points
                .iter()
                .rev()
                .max_by(|a, b| a.value.total_cmp(&b.value)),
        ) else {
            d.push_str("aucune donnée.");
            continue;
        };
        d.push_str("dernière valeur ");
        push_value_with_unit(&mut d, last.value, None, unit);
        d.push_str(" le ");
        push_date_fr(&mut d, last.day);
        d.push_str(" ; minimum ");
        push_value_with_unit(&mut d, min.value, None, unit);
        d.push_str(" le ");
        push_date_fr(&mut d, min.day);
        d.push_str(" ; maximum ");
        push_value_with_unit(&mut d, max.value, None, unit);
        d.push_str(" le ");
        push_date_fr(&mut d, max.day);
        d.push('.');
    }
    let thresholds: Vec<&(f64, String)> = chart
        .thresholds
        .iter()
        .filter(|(v, _)| v.is_finite())
        .collect();
    if !thresholds.is_empty() {
        d.push_str(if thresholds.len() > 1 {
            " Lignes de référence : "
        } else {
            " Ligne de référence : "
        });
        for (i, (v, label)) in thresholds.iter().enumerate() {
            if i > 0 {
                d.push_str(", ");
            }
            let label = label.trim();
            if label.is_empty() {
                push_value_with_unit(&mut d, *v, None, unit);
            } else {
                let _ = write!(d, "{label} (");
                push_value_with_unit(&mut d, *v, None, unit);
                d.push(')');
            }
        }
        d.push('.');
    }
    d
}

/// Renders a time chart as a standalone SVG document of `width` × `height` px.
///
/// Never panics: NaN/infinite values are skipped, an empty chart shows "Aucune donnée".
pub fn render_time_chart(chart: &TimeChart, width: u32, height: u32) -> String {
    let prepared = prepare(chart);
    let total: usize = prepared.iter().map(|p| p.points.len()).sum();
    let mut out = String::with_capacity(4096 + total * 16);
    let desc = describe(chart, &prepared);
    let (w, h) = (f64::from(width), f64::from(height));
    open_svg(&mut out, w, h, &chart.title, &desc, "img");
    write_body(&mut out, chart, &prepared, w, h, TITLE_SIZE);
    close_svg(&mut out);
    out
}

/// Renders a one-page dashboard: `title` (and `subtitle`) above a grid of `charts`, `columns`
/// per row, each in a `cell_width` × `cell_height` cell.
pub fn render_mosaic(
    title: &str,
    subtitle: Option<&str>,
    charts: &[TimeChart],
    columns: u32,
    cell_width: u32,
    cell_height: u32,
) -> String {
    let columns = columns.max(1) as usize;
    let rows = charts.len().div_ceil(columns);
    let (cw, ch) = (f64::from(cell_width), f64::from(cell_height));
    let w = cw * columns as f64;
    let big_title = TITLE_SIZE + 3.0;

    // Header height: measured by writing it into a scratch string.
    let mut head = String::new();
    let header_bottom = header(
        &mut head,
        title,
        subtitle,
        PAD,
        (w - 2.0 * PAD).max(1.0),
        PAD,
        big_title,
    ) + 6.0;
    let h = header_bottom + ch * rows as f64 + PAD / 2.0;

    let prepared: Vec<Vec<Prepared<'_>>> = charts.iter().map(prepare).collect();
    let mut desc = String::with_capacity(256 * charts.len() + 64);
    let _ = write!(
        desc,
        "Tableau de bord de {} graphique{}.",
        charts.len(),
        if charts.len() > 1 { "s" } else { "" }
    );
    for (chart, p) in charts.iter().zip(&prepared) {
        let _ = write!(desc, " {} — {}", chart.title.trim(), describe(chart, p));
    }

    let total: usize = prepared.iter().flatten().map(|p| p.points.len()).sum();
    let mut out = String::with_capacity(4096 * (charts.len() + 1) + total * 16);
    open_svg(&mut out, w, h, title, &desc, "img");
    out.push_str(&head);
    for (i, (chart, p)) in charts.iter().zip(&prepared).enumerate() {
        let (col, row) = (i % columns, i / columns);
        let (x, y) = (col as f64 * cw, header_bottom + row as f64 * ch);
        let _ = writeln!(out, r#"<g transform="translate({},{})">"#, Px(x), Px(y));
        let _ = writeln!(
            out,
            r##"<rect x="4" y="0" width="{}" height="{}" rx="4" fill="none" stroke="#e6e6e6"/>"##,
            Px((cw - 8.0).max(0.0)),
            Px((ch - 6.0).max(0.0))
        );
        write_body(&mut out, chart, p, cw, ch - 6.0, TITLE_SIZE - 2.0);
        out.push_str("</g>\n");
    }
    close_svg(&mut out);
    out
}

/// Appends the drawing of a time chart occupying `(0,0)–(w,h)`.
fn write_body(
    out: &mut String,
    chart: &TimeChart,
    prepared: &[Prepared<'_>],
    w: f64,
    h: f64,
    title_size: f64,
) {
    let inner_w = (w - 2.0 * PAD).max(1.0);
    let mut y = header(
        out,
        &chart.title,
        chart.subtitle.as_deref(),
        PAD,
        inner_w,
        PAD,
        title_size,
    );

    // Legend for multi-series charts.
    let items: Vec<LegendItem<'_>> = if prepared.len() > 1 {
        prepared
            .iter()
            .filter(|p| !p.series.label.trim().is_empty())
            .map(|p| LegendItem {
                swatch: match p.series.kind {
                    SeriesKind::Line => Swatch::Line {
                        color: p.color,
                        dashed: p.series.dashed,
                    },
                    SeriesKind::Bars => Swatch::Rect { color: p.color },
                    SeriesKind::Area => Swatch::Area { color: p.color },
                },
                label: p.series.label.trim(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let legend_h = legend_height(&items, inner_w);
    if legend_h > 0.0 {
        y += 4.0;
        write_legend(out, &items, PAD, y, inner_w);
        y += legend_h;
    }

    let unit = chart
        .y_unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let notes = note_lines(chart.source_note.as_deref(), inner_w);
    let unit_h = if unit.is_some() {
        TICK_SIZE * LINE + 2.0
    } else {
        0.0
    };
    let plot_top = y + 6.0 + unit_h + TICK_SIZE * 0.5;
    let x_label_h = TICK_SIZE * LINE + 8.0;
    let plot_bottom = (h - PAD - note_height(&notes) - x_label_h).max(plot_top + 10.0);

    // Value domain.
    let has_data = prepared.iter().any(|p| !p.points.is_empty());
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for p in prepared {
        for pt in p.points.iter() {
            lo = lo.min(pt.value);
            hi = hi.max(pt.value);
        }
        if matches!(p.series.kind, SeriesKind::Bars | SeriesKind::Area) && !p.points.is_empty() {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
    }
    let thresholds = chart.thresholds.iter().filter(|(v, _)| v.is_finite());
    let mut any_threshold = false;
    for (v, _) in thresholds.clone() {
        lo = lo.min(*v);
        hi = hi.max(*v);
        any_threshold = true;
    }
    if chart.y_min_zero && (has_data || any_threshold) {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let show_y = has_data || any_threshold;
    let target = ((plot_bottom - plot_top) / 40.0).round().clamp(2.0, 10.0) as usize;
    let yt: LinearTicks = if show_y {
        nice_ticks(lo, hi, target)
    } else {
        nice_ticks(0.0, 1.0, 2)
    };
    let labels: Vec<String> = if show_y {
        yt.values
            .iter()
            .map(|v| {
                let mut s = String::new();
                push_number_fr(&mut s, *v, yt.decimals);
                s
            })
            .collect()
    } else {
        Vec::new()
    };
    let label_w = labels
        .iter()
        .map(|l| text_width(l, TICK_SIZE))
        .fold(0.0, f64::max);
    let plot_left = PAD + label_w + 6.0;
    let plot_right = (w - PAD).max(plot_left + 10.0);
    let plot_w = plot_right - plot_left;
    let plot_h = plot_bottom - plot_top;
    let y_range = yt.max - yt.min;
    let ky = if y_range > 0.0 && y_range.is_finite() {
        plot_h / y_range
    } else {
        0.0
    };
    let ys = |v: f64| plot_bottom - (v - yt.min) * ky;

    // Day domain.
    let dmin = prepared
        .iter()
        .filter_map(|p| p.points.first())
        .map(|p| f64::from(p.day))
        .fold(f64::INFINITY, f64::min);
    let dmax = prepared
        .iter()
        .filter_map(|p| p.points.last())
        .map(|p| f64::from(p.day))
        .fold(f64::NEG_INFINITY, f64::max);
    let bar_step = prepared
        .iter()
        .filter(|p| p.series.kind == SeriesKind::Bars && !p.points.is_empty())
        .map(|p| p.step as f64)
        .fold(0.0, f64::max);
    let (x0, x1) = if !has_data {
        (0.0, 1.0)
    } else if bar_step > 0.0 {
        (dmin - bar_step / 2.0, dmax + bar_step / 2.0)
    } else if dmax > dmin {
        (dmin, dmax)
    } else {
        (dmin - 1.0, dmax + 1.0)
    };
    let kx = plot_w / (x1 - x0).max(1e-9);
    let xs = |d: f64| plot_left + (d - x0) * kx;

    // Unit caption above the value axis.
    if let Some(unit) = unit {
        text(
            out,
            PAD,
            plot_top - TICK_SIZE * 0.5 - 6.0,
            TextStyle::plain(TICK_SIZE, MUTED),
            unit,
        );
    }

    // Horizontal grid and value labels.
    if show_y {
        let _ = write!(
            out,
            r#"<path fill="none" stroke="{GRID}" stroke-width="1" d=""#
        );
        for v in &yt.values {
            let _ = write!(out, "M{},{}H{}", Px(plot_left), Px(ys(*v)), Px(plot_right));
        }
        out.push_str("\"/>\n");
        let _ = writeln!(
            out,
            r#"<g font-size="{TICK_SIZE}" fill="{MUTED}" text-anchor="end">"#
        );
        for (v, label) in yt.values.iter().zip(&labels) {
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
        if yt.min < 0.0 && yt.max > 0.0 {
            let _ = writeln!(
                out,
                r##"<path fill="none" stroke="#666666" stroke-width="1" d="M{},{}H{}"/>"##,
                Px(plot_left),
                Px(ys(0.0)),
                Px(plot_right)
            );
        }
    }

    // Time axis.
    let _ = write!(
        out,
        r#"<path fill="none" stroke="{AXIS}" stroke-width="1" d="M{},{}H{}"#,
        Px(plot_left),
        Px(plot_bottom),
        Px(plot_right)
    );
    let ticks = if has_data {
        time_ticks(x0, x1, plot_w, TICK_SIZE).1
    } else {
        Vec::new()
    };
    for t in &ticks {
        let _ = write!(out, "M{},{}v4", Px(xs(t.day as f64)), Px(plot_bottom));
    }
    out.push_str("\"/>\n");
    if !ticks.is_empty() {
        let _ = writeln!(
            out,
            r#"<g font-size="{TICK_SIZE}" fill="{MUTED}" text-anchor="middle">"#
        );
        for t in &ticks {
            let half = text_width(&t.label, TICK_SIZE) / 2.0;
            let x = xs(t.day as f64).clamp(half.min(w / 2.0), (w - half).max(w / 2.0));
            let _ = write!(
                out,
                r#"<text x="{}" y="{}">"#,
                Px(x),
                Px(plot_bottom + 6.0 + TICK_SIZE)
            );
            push_escaped(out, &t.label);
            out.push_str("</text>\n");
        }
        out.push_str("</g>\n");
    }

    // Series.
    let base = ys(0.0_f64.clamp(yt.min, yt.max));
    for p in prepared {
        if p.points.is_empty() {
            continue;
        }
        match p.series.kind {
            SeriesKind::Line => write_line(out, p, &xs, &ys),
            SeriesKind::Area => {
                write_area_fill(out, p, &xs, &ys, base);
                write_line(out, p, &xs, &ys);
            }
            SeriesKind::Bars => write_bars(out, p, &xs, &ys, base, kx),
        }
    }

    if !has_data {
        let style = TextStyle {
            size: SUBTITLE_SIZE,
            fill: MUTED,
            bold: false,
            anchor: Anchor::Middle,
        };
        text(
            out,
            (plot_left + plot_right) / 2.0,
            (plot_top + plot_bottom) / 2.0,
            style,
            "Aucune donnée disponible",
        );
    }

    // Reference lines, drawn last so they stay visible. Labels sit above their line (below it
    // at the top of the plot); two lines closer than a label's height get their labels pushed
    // apart, so « seuil élevé (75) » and « seuil modéré (50) » never overlap.
    let mut labels: Vec<(f64, &str)> = Vec::new();
    for (v, label) in thresholds {
        let yv = ys(*v);
        let _ = writeln!(
            out,
            r##"<path fill="none" stroke="#333333" stroke-width="1.2" stroke-dasharray="5 4" d="M{},{}H{}"/>"##,
            Px(plot_left),
            Px(yv),
            Px(plot_right)
        );
        let label = label.trim();
        if !label.is_empty() {
            let ty = if yv - plot_top > TICK_SIZE + 2.0 {
                yv - 4.0
            } else {
                yv + TICK_SIZE + 2.0
            };
            labels.push((ty, label));
        }
    }
    for (ty, label) in spread_labels(labels, TICK_SIZE + 2.0, plot_top + TICK_SIZE, plot_bottom) {
        // A white halo keeps the label legible over the series.
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="{TICK_SIZE}" text-anchor="end" fill="{TEXT}" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">"##,
            Px(plot_right - 2.0),
            Px(ty)
        );
        push_escaped(out, label);
        out.push_str("</text>\n");
    }

    write_note(out, &notes, PAD, h - PAD);
}

/// Baselines of right-aligned labels, moved apart so that consecutive ones are at least `gap`
/// apart, within `[top, bottom]` when there is room (top to bottom, order kept).
fn spread_labels(
    mut labels: Vec<(f64, &str)>,
    gap: f64,
    top: f64,
    bottom: f64,
) -> Vec<(f64, &str)> {
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    for i in 1..labels.len() {
        let min = labels[i - 1].0 + gap;
        if labels[i].0 < min {
            labels[i].0 = min;
        }
    }
    // Pushed past the bottom: shift the whole stack up, not above the top.
    if let Some(last) = labels.last().map(|l| l.0)
        && last > bottom
    {
        let shift = last - bottom;
        for l in &mut labels {
            l.0 -= shift;
        }
        for i in (0..labels.len().saturating_sub(1)).rev() {
            let max = labels[i + 1].0 - gap;
            if labels[i].0 > max {
                labels[i].0 = max;
            }
        }
    }
    if let Some(first) = labels.first().map(|l| l.0)
        && first < top
    {
        let shift = top - first;
        for l in &mut labels {
            l.0 += shift;
        }
    }
    labels
}

/// Appends `x,y` in tenths.
fn push_xy(out: &mut String, x: i64, y: i64) {
    push_tenths(out, x);
    out.push(',');
    push_tenths(out, y);
}

fn write_stroke_attrs(out: &mut String, color: &str, width: f64, dashed: bool) {
    out.push_str(r#" fill="none" stroke=""#);
    push_escaped(out, color);
    let _ = write!(
        out,
        r#"" stroke-width="{}" stroke-linejoin="round" stroke-linecap="round""#,
        Px(width)
    );
    if dashed {
        out.push_str(r#" stroke-dasharray="6 4""#);
    }
}

fn write_line(
    out: &mut String,
    p: &Prepared<'_>,
    xs: &impl Fn(f64) -> f64,
    ys: &impl Fn(f64) -> f64,
) {
    let pts: &[Point] = &p.points;
    let mut isolated = false;
    out.push_str("<path");
    write_stroke_attrs(out, p.color, 2.0, p.series.dashed);
    out.push_str(" d=\"");
    for seg in segments(pts, p.step) {
        if seg.len() == 1 {
            isolated = true;
            continue;
        }
        let mut last = (i64::MIN, i64::MIN);
        for (i, pt) in pts[seg].iter().enumerate() {
            let xy = (tenths(xs(f64::from(pt.day))), tenths(ys(pt.value)));
            if i == 0 {
                out.push('M');
            } else if xy == last {
                continue;
            } else {
                out.push(' ');
            }
            push_xy(out, xy.0, xy.1);
            last = xy;
        }
    }
    out.push_str("\"/>\n");
    if isolated {
        write_dots(out, p, xs, ys);
    }
}

/// Dots for points that have no neighbour to be joined to.
fn write_dots(
    out: &mut String,
    p: &Prepared<'_>,
    xs: &impl Fn(f64) -> f64,
    ys: &impl Fn(f64) -> f64,
) {
    out.push_str("<g fill=\"");
    push_escaped(out, p.color);
    out.push_str("\">");
    for seg in segments(&p.points, p.step) {
        if seg.len() == 1 {
            let pt = p.points[seg.start];
            let _ = write!(
                out,
                r#"<circle cx="{}" cy="{}" r="2.5"/>"#,
                Px(xs(f64::from(pt.day))),
                Px(ys(pt.value))
            );
        }
    }
    out.push_str("</g>\n");
}

fn write_area_fill(
    out: &mut String,
    p: &Prepared<'_>,
    xs: &impl Fn(f64) -> f64,
    ys: &impl Fn(f64) -> f64,
    base: f64,
) {
    let pts: &[Point] = &p.points;
    out.push_str("<path fill=\"");
    push_escaped(out, p.color);
    out.push_str(r#"" fill-opacity="0.22" stroke="none" d=""#);
    let b = tenths(base);
    for seg in segments(pts, p.step) {
        if seg.len() < 2 {
            continue;
        }
        let first = pts[seg.start];
        let last = pts[seg.end - 1];
        out.push('M');
        push_xy(out, tenths(xs(f64::from(first.day))), b);
        for pt in &pts[seg] {
            out.push(' ');
            push_xy(out, tenths(xs(f64::from(pt.day))), tenths(ys(pt.value)));
        }
        out.push(' ');
        push_xy(out, tenths(xs(f64::from(last.day))), b);
        out.push('Z');
    }
    out.push_str("\"/>\n");
}

fn write_bars(
    out: &mut String,
    p: &Prepared<'_>,
    xs: &impl Fn(f64) -> f64,
    ys: &impl Fn(f64) -> f64,
    base: f64,
    kx: f64,
) {
    let bw = (p.step as f64 * kx * 0.8).clamp(0.5, 60.0);
    let bw_t = tenths(bw).max(1);
    out.push_str("<path fill=\"");
    push_escaped(out, p.color);
    if p.series.dashed {
        // "Dashed" bars (e.g. provisional data) are drawn lighter.
        out.push_str(r#"" fill-opacity="0.5"#);
    }
    out.push_str(r#"" stroke="none" d=""#);
    let b = tenths(base);
    for pt in p.points.iter() {
        let x = tenths(xs(f64::from(pt.day)) - bw / 2.0);
        let y = tenths(ys(pt.value));
        if y == b {
            continue;
        }
        out.push('M');
        push_xy(out, x, b);
        out.push('V');
        push_tenths(out, y);
        out.push('h');
        push_tenths(out, bw_t);
        out.push('V');
        push_tenths(out, b);
        out.push('Z');
    }
    out.push_str("\"/>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_threshold_labels_are_pushed_apart() {
        let out = spread_labels(
            vec![(100.0, "b"), (96.0, "a"), (300.0, "c")],
            13.0,
            10.0,
            400.0,
        );
        assert_eq!(out, vec![(96.0, "a"), (109.0, "b"), (300.0, "c")]);
        // At the bottom: the stack moves up.
        let out = spread_labels(vec![(395.0, "a"), (398.0, "b")], 13.0, 10.0, 400.0);
        assert_eq!(out, vec![(387.0, "a"), (400.0, "b")]);
        for w in out.windows(2) {
            assert!(w[1].0 - w[0].0 >= 13.0);
        }
    }
    use crate::format::days_from_civil;
    use proptest::prelude::*;

    fn day(y: i64, m: u32, d: u32) -> i32 {
        days_from_civil(y, m, d) as i32
    }

    fn well_formed(svg: &str) {
        crate::test_util::assert_accessible_svg(svg);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("<g").count(),
            svg.matches("</g>").count(),
            "{svg}"
        );
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id="));
        assert!(svg.contains("<desc id="));
        assert!(svg.contains("aria-labelledby="));
        assert!(!svg.contains("NaN"), "{svg}");
    }

    fn chart(series: Vec<Series>) -> TimeChart {
        TimeChart {
            title: "Taux d'incidence".into(),
            subtitle: Some("Moyenne glissante sur 7 jours".into()),
            y_unit: Some("pour 100 000 hab.".into()),
            series,
            thresholds: vec![(50.0, "Seuil d'alerte".into())],
            y_min_zero: true,
            source_note: Some(
                "Source : Santé publique France, SI-DEP — données du 22/10/2020".into(),
            ),
        }
    }

    fn line(label: &str, points: Vec<Point>) -> Series {
        Series {
            label: label.into(),
            points,
            ..Default::default()
        }
    }

    #[test]
    fn description_summarises_series() {
        let start = day(2020, 10, 1);
        let pts = vec![
            Point::new(start, 12.0),
            Point::new(start + 1, 1234.5),
            Point::new(start + 2, 3.25),
        ];
        let c = chart(vec![line("Incidence", pts)]);
        let svg = render_time_chart(&c, 600, 400);
        well_formed(&svg);
        assert!(
            svg.contains("Graphique du 1er octobre 2020 au 3 octobre 2020."),
            "{svg}"
        );
        assert!(
            svg.contains(
                "« Incidence » : dernière valeur 3,25\u{A0}pour 100 000 hab. le 3 octobre 2020"
            ),
            "{svg}"
        );
        assert!(svg.contains("minimum 3,25\u{A0}pour 100 000 hab. le 3 octobre 2020"));
        assert!(svg.contains("maximum 1\u{202F}234\u{A0}pour 100 000 hab. le 2 octobre 2020"));
        assert!(
            svg.contains("Ligne de référence : Seuil d&#39;alerte (50\u{A0}pour 100 000 hab.).")
        );
        assert!(svg.contains("<title id=\"vc"));
        assert!(svg.contains(">Taux d&#39;incidence</title>"));
        // French tick labels with thousands separator, e.g. "1 200".
        assert!(
            svg.contains(">1\u{202F}200</text>") || svg.contains(">1\u{202F}000</text>"),
            "{svg}"
        );
        // Source note.
        assert!(svg.contains("Source : Santé publique France"));
    }

    #[test]
    fn gaps_break_lines_and_isolated_points_are_dots() {
        let s = 18_000;
        let pts = vec![
            Point::new(s, 1.0),
            Point::new(s + 1, 2.0),
            Point::new(s + 2, 3.0),
            // gap (s+3 missing)
            Point::new(s + 4, 2.0),
            Point::new(s + 5, 1.0),
            Point::new(s + 6, f64::NAN), // skipped: creates a gap
            Point::new(s + 7, 5.0),      // isolated
        ];
        let svg = render_time_chart(&chart(vec![line("x", pts)]), 500, 300);
        well_formed(&svg);
        let series_path = svg
            .lines()
            .find(|l| l.contains(r##"stroke="#0072B2""##) && l.starts_with("<path"))
            .expect("series path");
        let d = series_path.split(" d=\"").nth(1).expect("d attribute");
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(svg.matches("<circle").count(), 1);
    }

    #[test]
    fn weekly_series_are_joined() {
        let pts: Vec<Point> = (0..10)
            .map(|i| Point::new(18_000 + 7 * i, i as f64))
            .collect();
        let svg = render_time_chart(&chart(vec![line("hebdo", pts)]), 500, 300);
        let path = svg
            .lines()
            .find(|l| l.contains(r##"stroke="#0072B2""##))
            .expect("path");
        assert_eq!(path.matches('M').count(), 1, "{path}");
        assert!(!svg.contains("<circle"));
    }

    #[test]
    fn multi_series_have_a_legend_and_kinds() {
        let s = day(2021, 1, 1);
        let a: Vec<Point> = (0..60)
            .map(|i| Point::new(s + i, (i as f64 * 0.3).sin() * 10.0 + 20.0))
            .collect();
        let b: Vec<Point> = (0..60).map(|i| Point::new(s + i, i as f64)).collect();
        let c: Vec<Point> = (0..60).map(|i| Point::new(s + i, 5.0)).collect();
        let mut chart = chart(vec![
            Series {
                label: "Hospitalisations".into(),
                kind: SeriesKind::Bars,
                points: a,
                ..Default::default()
            },
            Series {
                label: "Réanimation".into(),
                kind: SeriesKind::Area,
                points: b,
                color: Some("#123456".into()),
                ..Default::default()
            },
            Series {
                label: "Projection".into(),
                kind: SeriesKind::Line,
                points: c,
                dashed: true,
                ..Default::default()
            },
        ]);
        chart.thresholds.push((f64::NAN, "ignored".into()));
        let svg = render_time_chart(&chart, 640, 360);
        well_formed(&svg);
        for label in ["Hospitalisations", "Réanimation", "Projection"] {
            assert!(svg.contains(&format!(">{label}</text>")), "legend {label}");
        }
        assert!(svg.contains("Graphique de 3 séries"));
        assert!(svg.contains(r#"stroke-dasharray="6 4""#));
        assert!(svg.contains(r##"fill="#123456" fill-opacity="0.22""##));
        assert!(!svg.contains("ignored"));
        // Ticks on Mondays over two months across New Year: "dd/mm", with the year on the first
        // tick of each year.
        assert!(svg.contains(">11/01/2021</text>"), "{svg}");
        assert!(svg.contains(">25/01</text>"), "{svg}");
    }

    #[test]
    fn edge_cases_do_not_panic() {
        let empty = TimeChart::default();
        let svg = render_time_chart(&empty, 300, 200);
        well_formed(&svg);
        assert!(svg.contains("Aucune donnée"));

        let one = chart(vec![line("un", vec![Point::new(18_500, 42.0)])]);
        let svg = render_time_chart(&one, 300, 200);
        well_formed(&svg);
        assert_eq!(svg.matches("<circle").count(), 1);

        let flat = chart(vec![line(
            "plat",
            (0..30).map(|i| Point::new(18_000 + i, 7.0)).collect(),
        )]);
        well_formed(&render_time_chart(&flat, 300, 200));

        let mut neg = chart(vec![line(
            "évolution",
            (0..30)
                .map(|i| Point::new(18_000 + i, i as f64 - 20.0))
                .collect(),
        )]);
        neg.y_unit = Some("%".into());
        neg.thresholds.clear();
        let svg = render_time_chart(&neg, 400, 250);
        well_formed(&svg);
        assert!(svg.contains(">-20</text>"), "{svg}");
        assert!(svg.contains(r##"stroke="#666666""##), "zero line");

        let huge = chart(vec![line(
            "énorme",
            vec![
                Point::new(i32::MIN, -1e308),
                Point::new(0, f64::INFINITY),
                Point::new(i32::MAX, 1e308),
            ],
        )]);
        well_formed(&render_time_chart(&huge, 400, 250));

        let nothing = chart(vec![
            line("vide", vec![]),
            line("nan", vec![Point::new(1, f64::NAN)]),
        ]);
        let svg = render_time_chart(&nothing, 400, 250);
        well_formed(&svg);
        assert!(svg.contains("« vide » : aucune donnée."));

        well_formed(&render_time_chart(&one, 0, 0));
        well_formed(&render_time_chart(&one, 1, 100_000));
    }

    #[test]
    fn output_is_deterministic_and_escaped() {
        let mut c = chart(vec![line(
            "<script>&\"",
            vec![Point::new(1, 1.0), Point::new(2, 2.0)],
        )]);
        c.title = "A & B <C>".into();
        let a = render_time_chart(&c, 500, 300);
        let b = render_time_chart(&c, 500, 300);
        assert_eq!(a, b);
        assert!(!a.contains("<script>"));
        assert!(a.contains("A &amp; B &lt;C&gt;"));
    }

    #[test]
    fn y_axis_starts_at_zero_when_asked() {
        let pts: Vec<Point> = (0..10)
            .map(|i| Point::new(18_000 + i, 100.0 + i as f64))
            .collect();
        let mut c = chart(vec![line("x", pts)]);
        c.thresholds.clear();
        let svg = render_time_chart(&c, 500, 300);
        assert!(svg.contains(">0</text>"), "{svg}");
        c.y_min_zero = false;
        let svg = render_time_chart(&c, 500, 300);
        assert!(!svg.contains(">0</text>"), "{svg}");
    }

    #[test]
    fn mosaic_contains_all_charts() {
        let c = chart(vec![line(
            "x",
            (0..100).map(|i| Point::new(18_000 + i, i as f64)).collect(),
        )]);
        let mut d = c.clone();
        d.title = "Deuxième".into();
        let svg = render_mosaic(
            "Tableau de bord — Ain",
            Some("Données au 22/10/2020"),
            &[c.clone(), d, c],
            2,
            400,
            260,
        );
        well_formed(&svg);
        assert!(svg.contains("Tableau de bord de 3 graphiques."));
        assert!(svg.contains("Deuxième — Graphique du"));
        assert_eq!(svg.matches("translate(").count(), 3);
        assert!(svg.contains(r#"width="800""#));
        well_formed(&render_mosaic("", None, &[], 0, 0, 0));
    }

    proptest! {
        #[test]
        fn never_panics_and_is_well_formed(
            pts in proptest::collection::vec(
                (-100_000i32..100_000, prop_oneof![
                    4 => -1e6f64..1e6,
                    1 => Just(f64::NAN),
                    1 => Just(f64::INFINITY),
                    1 => Just(0.0),
                    1 => proptest::num::f64::ANY,
                ]),
                0..60,
            ),
            kind in 0u8..3,
            y_min_zero in any::<bool>(),
            width in 0u32..1200,
            height in 0u32..900,
        ) {
            let kind = match kind { 0 => SeriesKind::Line, 1 => SeriesKind::Bars, _ => SeriesKind::Area };
            let points: Vec<Point> = pts.into_iter().map(|(d, v)| Point::new(d, v)).collect();
            let c = TimeChart {
                title: "t".into(),
                series: vec![
                    Series { label: "a".into(), kind, points: points.clone(), ..Default::default() },
                    Series { label: "b".into(), kind: SeriesKind::Line, points, dashed: true, ..Default::default() },
                ],
                y_min_zero,
                ..Default::default()
            };
            let svg = render_time_chart(&c, width, height);
            prop_assert!(svg.starts_with("<svg"));
            prop_assert!(svg.ends_with("</svg>"));
            prop_assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
            prop_assert!(!svg.contains("NaN"));
            prop_assert!(roxmltree::Document::parse(&svg).is_ok(), "not well-formed XML");
        }
    }
}
