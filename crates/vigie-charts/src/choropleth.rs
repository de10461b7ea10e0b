//! Choropleth maps of departments or regions.

use std::fmt::Write as _;

use crate::format::{
    Px, push_escaped, push_number_fr, push_tenths, push_value_with_unit, tenths, text_width,
    truncate_line, wrap_text,
};
use crate::geo::{BBox, DpScratch, GeoShapes, Shape, simplify_ring};
use crate::svg::{
    Anchor, LINE, LegendItem, MUTED, NOTE_SIZE, PAD, SUBTITLE_SIZE, Swatch, TEXT, TITLE_SIZE,
    TextStyle, close_svg, header, legend_height, note_height, note_lines, open_svg, text,
    write_legend, write_note,
};
use crate::{Choropleth, ColorScale};

/// Render-time simplification tolerance, in px.
const RENDER_TOLERANCE_PX: f64 = 0.35;
/// Rings smaller than this (px, both dimensions) are dropped (unless a territory has nothing else).
const MIN_RING_PX: f64 = 0.8;
/// Label of territories without a value.
const NO_DATA: &str = "pas de données";
/// Fallback colour when a scale has no colours.
const FALLBACK_COLOR: &str = "#808080";

/// Class index of `value` (number of thresholds ≤ value).
fn class_of(value: f64, scale: &ColorScale) -> usize {
    scale.thresholds.iter().filter(|t| value >= **t).count()
}

fn class_color(class: usize, scale: &ColorScale) -> &str {
    match scale.colors.len() {
        0 => FALLBACK_COLOR,
        n => &scale.colors[class.min(n - 1)],
    }
}

/// Decimals needed to print all thresholds exactly (at most 3).
fn threshold_decimals(thresholds: &[f64]) -> usize {
    (0..=3usize)
        .find(|d| {
            let k = 10f64.powi(*d as i32);
            thresholds
                .iter()
                .filter(|t| t.is_finite())
                .all(|t| ((t * k).round() - t * k).abs() < 1e-6)
        })
        .unwrap_or(3)
}

/// The label of territories without a value.
fn no_data(scale: &ColorScale) -> &str {
    scale.no_data_label.as_deref().unwrap_or(NO_DATA)
}

/// Legend labels of the classes: the scale's own (a map spec's), else `< 10`, `10 à < 50`,
/// `≥ 50`.
fn class_labels(scale: &ColorScale) -> Vec<String> {
    if !scale.labels.is_empty() && scale.labels.len() == scale.thresholds.len() + 1 {
        return scale.labels.clone();
    }
    let t = &scale.thresholds;
    let d = threshold_decimals(t);
    let num = |v: f64| {
        let mut s = String::new();
        push_number_fr(&mut s, v, d);
        s
    };
    if t.is_empty() {
        return vec!["valeur renseignée".to_owned()];
    }
    let mut labels = Vec::with_capacity(t.len() + 1);
    labels.push(format!("< {}", num(t[0])));
    for w in t.windows(2) {
        labels.push(format!("{} à < {}", num(w[0]), num(w[1])));
    }
    labels.push(format!("≥ {}", num(t[t.len() - 1])));
    labels
}

/// Display name of a territory.
fn display_name<'a>(map: &'a Choropleth, shape: &'a Shape) -> &'a str {
    map.names
        .get(&shape.code)
        .map(String::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&shape.name)
}

fn describe(shapes: &GeoShapes, map: &Choropleth) -> String {
    let unit = map.unit.as_deref();
    let mut d = String::with_capacity(512);
    let n = shapes.shapes.len();
    let valued: Vec<(&Shape, f64)> = shapes
        .shapes
        .iter()
        .filter_map(|s| {
            map.values
                .get(&s.code)
                .copied()
                .filter(|v| v.is_finite())
                .map(|v| (s, v))
        })
        .collect();
    let _ = write!(
        d,
        "Carte de {n} territoire{} : {} avec une valeur, {} sans données.",
        if n > 1 { "s" } else { "" },
        valued.len(),
        n - valued.len()
    );
    let max = valued
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(std::cmp::Ordering::Greater));
    let min = valued.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some(max), Some(min)) = (max, min) {
        let _ = write!(
            d,
            " Valeur la plus élevée : {} ({}), ",
            display_name(map, max.0),
            max.0.code
        );
        push_value_with_unit(&mut d, max.1, None, unit);
        let _ = write!(
            d,
            " ; la plus basse : {} ({}), ",
            display_name(map, min.0),
            min.0.code
        );
        push_value_with_unit(&mut d, min.1, None, unit);
        d.push('.');
        let labels = class_labels(&map.scale);
        let mut counts = vec![0usize; labels.len()];
        for (_, v) in &valued {
            let c = class_of(*v, &map.scale).min(labels.len() - 1);
            counts[c] += 1;
        }
        d.push_str(" Répartition :");
        for (i, (label, count)) in labels.iter().zip(&counts).enumerate() {
            let _ = write!(d, "{} {label} : {count}", if i == 0 { "" } else { " ;" });
        }
        d.push('.');
    }
    d
}

/// Where a group of shapes is drawn: `px = offset + km * scale`.
#[derive(Debug, Clone, Copy)]
struct Fit {
    scale: f64,
    ox: f64,
    oy: f64,
}

impl Fit {
    /// Fits `bbox` in the rectangle `(x, y, w, h)`, centred horizontally, top-aligned.
    fn new(bbox: &BBox, x: f64, y: f64, w: f64, h: f64, center_v: bool) -> Fit {
        let (bw, bh) = (bbox.width().max(1e-9), bbox.height().max(1e-9));
        let scale = (w / bw).min(h / bh).max(0.0);
        let scale = if scale.is_finite() { scale } else { 0.0 };
        let ox = x + (w - bw * scale) / 2.0 - bbox.min_x * scale;
        let dy = if center_v {
            (h - bh * scale) / 2.0
        } else {
            0.0
        };
        let oy = y + dy - bbox.min_y * scale;
        Fit { scale, ox, oy }
    }

    fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        [self.ox + p[0] * self.scale, self.oy + p[1] * self.scale]
    }
}

/// Writes the path data of a shape; returns false when nothing was written.
fn write_shape_path(out: &mut String, shape: &Shape, fit: &Fit, scratch: &mut Buffers) -> bool {
    let mut drawn = false;
    let mut largest: Option<(f64, usize)> = None;
    for (ri, ring) in shape.rings().enumerate() {
        scratch.px.clear();
        scratch.px.extend(ring.iter().map(|p| fit.apply(*p)));
        let mut bb = BBox::EMPTY;
        for p in &scratch.px {
            bb.add(*p);
        }
        let size = bb.width().max(bb.height());
        if largest.is_none_or(|(s, _)| size > s) {
            largest = Some((size, ri));
        }
        if bb.width() < MIN_RING_PX && bb.height() < MIN_RING_PX {
            continue;
        }
        scratch.simplified.clear();
        simplify_ring(
            &scratch.px,
            RENDER_TOLERANCE_PX,
            &mut scratch.dp,
            &mut scratch.simplified,
        );
        drawn |= write_ring(out, &scratch.simplified, 3);
    }
    if !drawn && let Some((_, ri)) = largest {
        // Nothing visible survived: draw the largest ring as is, however small.
        if let Some(ring) = shape.rings().nth(ri) {
            scratch.px.clear();
            scratch.px.extend(ring.iter().map(|p| fit.apply(*p)));
            drawn = write_ring(out, &scratch.px, 1);
        }
    }
    drawn
}

/// Writes one closed subpath with relative coordinates in tenths of px if it has at least
/// `min_points` distinct points after rounding.
fn write_ring(out: &mut String, ring: &[[f64; 2]], min_points: usize) -> bool {
    let rollback = out.len();
    let mut count = 0;
    let mut prev = (0i64, 0i64);
    for p in ring {
        let cur = (tenths(p[0]), tenths(p[1]));
        if count == 0 {
            out.push('M');
            push_tenths(out, cur.0);
            out.push(',');
            push_tenths(out, cur.1);
            out.push('l');
        } else {
            let (dx, dy) = (cur.0 - prev.0, cur.1 - prev.1);
            if dx == 0 && dy == 0 {
                continue;
            }
            if count > 1 && dx >= 0 {
                out.push(' ');
            }
            push_tenths(out, dx);
            if dy >= 0 {
                out.push(',');
            }
            push_tenths(out, dy);
        }
        prev = cur;
        count += 1;
    }
    if count < min_points.max(1) {
        out.truncate(rollback);
        return false;
    }
    if count == 1 {
        // A single point: a tiny square so that it stays visible.
        out.push_str("1,0 0,1-1,0");
    }
    out.push('z');
    true
}

#[derive(Default)]
struct Buffers {
    px: Vec<[f64; 2]>,
    simplified: Vec<[f64; 2]>,
    dp: DpScratch,
}

/// Renders a choropleth map as a standalone SVG document of `width` × `height` px.
///
/// Metropolitan France fills the main area; overseas territories (if any) are drawn in small
/// framed insets stacked along the left side. Each territory is one `<path>` with a `<title>`
/// tooltip ("Ain (01) : 123,4 pour 100 000 hab." or "… : pas de données"); with
/// `link_template`, each path is wrapped in `<a href>` and the root element gets `role="group"`
/// instead of `role="img"` (an image role would hide the links from assistive technologies).
/// The legend lists every class and a "pas de données" swatch.
pub fn render_choropleth(shapes: &GeoShapes, map: &Choropleth, width: u32, height: u32) -> String {
    let (w, h) = (f64::from(width), f64::from(height));
    let desc = describe(shapes, map);
    let mut out = String::with_capacity(64 * 1024);
    let role = if map.link_template.is_some() {
        "group"
    } else {
        "img"
    };
    open_svg(&mut out, w, h, &map.title, &desc, role);

    let inner_w = (w - 2.0 * PAD).max(1.0);
    let top = header(
        &mut out,
        &map.title,
        map.subtitle.as_deref(),
        PAD,
        inner_w,
        PAD,
        TITLE_SIZE,
    ) + 8.0;
    let notes = note_lines(map.source_note.as_deref(), inner_w);
    let bottom = (h - PAD - note_height(&notes)).max(top + 20.0);
    let unit = map.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());

    // Legend: a column on the right, or rows under the map on narrow maps.
    let labels = class_labels(&map.scale);
    let colors: Vec<&str> = (0..labels.len())
        .map(|c| class_color(c, &map.scale))
        .collect();
    let mut items: Vec<LegendItem<'_>> = labels
        .iter()
        .zip(&colors)
        .map(|(l, c)| LegendItem {
            swatch: Swatch::Rect { color: c },
            label: l,
        })
        .collect();
    items.push(LegendItem {
        swatch: Swatch::Rect {
            color: &map.scale.no_data_color,
        },
        label: no_data(&map.scale),
    });
    let side_legend = w >= 420.0;
    let legend_w = if side_legend {
        (w * 0.26).clamp(120.0, 200.0)
    } else {
        0.0
    };
    let unit_h = if unit.is_some() {
        SUBTITLE_SIZE * LINE
    } else {
        0.0
    };
    let bottom_legend_h = if side_legend {
        0.0
    } else {
        legend_height(&items, inner_w) + unit_h + 8.0
    };
    let map_h = (bottom - top - bottom_legend_h).max(10.0);

    // Insets in code order (971 Guadeloupe, 972 Martinique, 973 Guyane, 974 La Réunion, 976
    // Mayotte; 01…06 for regions), whatever the file order.
    let mut insets: Vec<(usize, &Shape)> = shapes
        .shapes
        .iter()
        .enumerate()
        .filter(|(_, s)| s.inset)
        .collect();
    insets.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    let inset_w = if insets.is_empty() {
        0.0
    } else {
        (w * 0.14).clamp(48.0, 110.0)
    };
    let label_h = NOTE_SIZE * LINE + 2.0;
    let k = insets.len() as f64;
    let box_h = ((map_h - k * (label_h + 6.0)) / k.max(1.0))
        .min(inset_w * 0.9)
        .max(8.0);
    let insets_h = k * (box_h + label_h + 6.0);

    let map_left = PAD
        + if insets.is_empty() {
            0.0
        } else {
            inset_w + 10.0
        };
    let map_right =
        (w - PAD - if side_legend { legend_w + 10.0 } else { 0.0 }).max(map_left + 10.0);
    let main_fit = Fit::new(
        &shapes.main_bbox,
        map_left,
        top,
        map_right - map_left,
        map_h,
        false,
    );
    let main_h = shapes.main_bbox.height() * main_fit.scale;

    // Inset frames and labels.
    let mut fits: Vec<(usize, Fit)> = Vec::with_capacity(insets.len());
    if !insets.is_empty() {
        out.push_str("<g>\n");
        let style = TextStyle {
            size: NOTE_SIZE,
            fill: MUTED,
            bold: false,
            anchor: Anchor::Middle,
        };
        let mut y = top;
        for &(i, shape) in &insets {
            let _ = writeln!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#b0b0b0" stroke-width="0.8"/>"##,
                Px(PAD),
                Px(y),
                Px(inset_w),
                Px(box_h)
            );
            let (label, size) = fit_label(display_name(map, shape), NOTE_SIZE, inset_w + 8.0);
            let style = TextStyle { size, ..style };
            text(
                &mut out,
                PAD + inset_w / 2.0,
                y + box_h + NOTE_SIZE + 1.0,
                style,
                &label,
            );
            fits.push((
                i,
                Fit::new(
                    &shape.bbox,
                    PAD + 4.0,
                    y + 4.0,
                    inset_w - 8.0,
                    box_h - 8.0,
                    true,
                ),
            ));
            y += box_h + label_h + 6.0;
        }
        out.push_str("</g>\n");
    }

    // Territories.
    let _ = writeln!(
        out,
        r##"<g stroke="#ffffff" stroke-width="0.5" stroke-linejoin="round" fill-rule="evenodd">"##
    );
    let mut buffers = Buffers::default();
    let mut tooltip = String::with_capacity(128);
    for (i, shape) in shapes.shapes.iter().enumerate() {
        let fit = if shape.inset {
            match fits.iter().find(|(j, _)| *j == i) {
                Some((_, f)) => *f,
                None => continue,
            }
        } else {
            main_fit
        };
        let value = map
            .values
            .get(&shape.code)
            .copied()
            .filter(|v| v.is_finite());
        let color = match value {
            Some(v) => class_color(class_of(v, &map.scale), &map.scale),
            None => map.scale.no_data_color.as_str(),
        };
        tooltip.clear();
        let _ = write!(tooltip, "{} ({}) : ", display_name(map, shape), shape.code);
        match value {
            Some(v) => push_value_with_unit(&mut tooltip, v, None, unit),
            None => tooltip.push_str(no_data(&map.scale)),
        }

        let start = out.len();
        if let Some(template) = &map.link_template {
            out.push_str("<a href=\"");
            push_escaped(&mut out, &template.replace("{code}", &shape.code));
            out.push_str("\"><title>");
            push_escaped(&mut out, &tooltip);
            out.push_str("</title>");
        }
        out.push_str("<path fill=\"");
        push_escaped(
            &mut out,
            if color.trim().is_empty() {
                FALLBACK_COLOR
            } else {
                color
            },
        );
        out.push_str("\" d=\"");
        if !write_shape_path(&mut out, shape, &fit, &mut buffers) {
            out.truncate(start);
            continue;
        }
        out.push('"');
        if map.link_template.is_some() {
            out.push_str("/></a>\n");
        } else {
            out.push_str("><title>");
            push_escaped(&mut out, &tooltip);
            out.push_str("</title></path>\n");
        }
    }
    out.push_str("</g>\n");

    if side_legend {
        write_side_legend(
            &mut out,
            map,
            &labels,
            unit,
            w - PAD - legend_w,
            top,
            legend_w,
        );
    } else {
        // Right under the map (or the inset column, if longer).
        let mut y = top + main_h.max(insets_h).min(map_h) + 8.0;
        if let Some(unit) = unit {
            text(
                &mut out,
                PAD,
                y + SUBTITLE_SIZE,
                TextStyle::plain(SUBTITLE_SIZE, TEXT),
                unit,
            );
            y += unit_h;
        }
        write_legend(&mut out, &items, PAD, y, inner_w);
    }
    write_note(&mut out, &notes, PAD, h - PAD);
    close_svg(&mut out);
    out
}

/// Fits a one-line label in `max_width`: shrinks the font down to 8 px, then cuts the text
/// with an ellipsis.
fn fit_label(label: &str, size: f64, max_width: f64) -> (String, f64) {
    let mut size = size;
    while size > 8.0 && text_width(label, size) > max_width {
        size -= 1.0;
    }
    (truncate_line(label, size, max_width), size)
}

/// Vertical legend: optional unit heading, one swatch per class (high values on top), then
/// "pas de données".
fn write_side_legend(
    out: &mut String,
    map: &Choropleth,
    labels: &[String],
    unit: Option<&str>,
    x: f64,
    top: f64,
    width: f64,
) {
    out.push_str("<g>\n");
    let mut y = top;
    if let Some(unit) = unit {
        for line in wrap_text(unit, SUBTITLE_SIZE, width, 3) {
            text(
                out,
                x,
                y + SUBTITLE_SIZE,
                TextStyle {
                    bold: true,
                    ..TextStyle::plain(SUBTITLE_SIZE, TEXT)
                },
                &line,
            );
            y += SUBTITLE_SIZE * LINE;
        }
        y += 4.0;
    }
    let row = 20.0;
    let style = TextStyle::plain(SUBTITLE_SIZE, TEXT);
    let entry = |out: &mut String, y: f64, color: &str, label: &str| {
        let _ = write!(
            out,
            r##"<rect x="{}" y="{}" width="18" height="14" stroke="#8a8a8a" stroke-width="0.5" fill=""##,
            Px(x),
            Px(y)
        );
        push_escaped(out, color);
        out.push_str("\"/>\n");
        let line = truncate_line(label, SUBTITLE_SIZE, width - 24.0);
        text(out, x + 24.0, y + 11.0, style, &line);
    };
    for (class, label) in labels.iter().enumerate().rev() {
        entry(out, y, class_color(class, &map.scale), label);
        y += row;
    }
    y += 6.0;
    entry(out, y, &map.scale.no_data_color, no_data(&map.scale));
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Two made-up metropolitan squares and one made-up overseas square.
    const FIXTURE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"code":"01","nom":"Carré Ouest"},
       "geometry":{"type":"Polygon","coordinates":[[[1.0,45.0],[2.0,45.0],[2.0,46.0],[1.0,46.0],[1.0,45.0]]]}},
      {"type":"Feature","properties":{"code":"2A","nom":"Carré Est & îles"},
       "geometry":{"type":"MultiPolygon","coordinates":[
         [[[2.0,45.0],[3.0,45.0],[3.0,46.0],[2.0,46.0],[2.0,45.0]],[[2.4,45.4],[2.6,45.4],[2.6,45.6],[2.4,45.6],[2.4,45.4]]],
         [[[3.5,45.2],[3.6,45.2],[3.6,45.3],[3.5,45.3],[3.5,45.2]]]]}},
      {"type":"Feature","properties":{"code":"971","nom":"Île lointaine"},
       "geometry":{"type":"Polygon","coordinates":[[[-61.5,16.0],[-61.0,16.0],[-61.0,16.5],[-61.5,16.5],[-61.5,16.0]]]}}
    ]}"#;

    fn map() -> Choropleth {
        Choropleth {
            title: "Taux d'incidence par département".into(),
            subtitle: Some("Semaine du 12 au 18 octobre 2020".into()),
            unit: Some("pour 100 000 hab.".into()),
            values: BTreeMap::from([("01".to_owned(), 1234.56), ("971".to_owned(), 12.0)]),
            names: BTreeMap::from([("971".to_owned(), "Guadeloupe".to_owned())]),
            scale: ColorScale::sequential(vec![50.0, 150.0, 250.0]),
            source_note: Some("Source : SPF".into()),
            link_template: None,
        }
    }

    #[test]
    fn fixture_renders_one_path_per_territory() {
        let shapes = GeoShapes::from_geojson(FIXTURE).expect("fixture parses");
        assert_eq!(shapes.codes(), vec!["01", "2A", "971"]);
        assert_eq!(shapes.inset_codes(), vec!["971"]);
        assert_eq!(shapes.name("2A"), Some("Carré Est & îles"));
        let svg = render_choropleth(&shapes, &map(), 640, 520);
        crate::test_util::assert_accessible_svg(&svg);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<path").count(), 3, "{svg}");
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
        assert!(svg.contains(r#"role="img""#));
        // Tooltips with French formatting, names from the map or the GeoJSON.
        assert!(
            svg.contains("<title>Carré Ouest (01) : 1\u{202F}235\u{A0}pour 100 000 hab.</title>"),
            "{svg}"
        );
        assert!(svg.contains("<title>Carré Est &amp; îles (2A) : pas de données</title>"));
        assert!(svg.contains("<title>Guadeloupe (971) : 12\u{A0}pour 100 000 hab.</title>"));
        // Legend: classes and the no-data swatch.
        for label in [
            "&lt; 50",
            "50 à &lt; 150",
            "150 à &lt; 250",
            "≥ 250",
            "pas de données",
        ] {
            assert!(
                svg.contains(&format!(">{label}</text>")),
                "legend {label}: {svg}"
            );
        }
        // Inset frame and label.
        assert!(svg.contains(">Guadeloupe</text>"));
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 1 + 5,
            "background + inset frame + 5 swatches"
        );
        // Colours: 1234 is in the top class, 12 in the lowest, 2A has no data.
        let scale = &map().scale;
        assert!(svg.contains(&format!(r#"<path fill="{}""#, scale.colors[3])));
        assert!(svg.contains(&format!(r#"<path fill="{}""#, scale.colors[0])));
        assert!(svg.contains(&format!(r#"<path fill="{}""#, scale.no_data_color)));
        // The hole and the islet of 2A are subpaths of the same path.
        let path_2a = svg.lines().find(|l| l.contains("(2A)")).expect("2A path");
        assert_eq!(path_2a.matches('M').count(), 3, "{path_2a}");
        assert!(svg.contains("Carte de 3 territoires : 2 avec une valeur, 1 sans données."));
        assert!(svg.contains(
            "Valeur la plus élevée : Carré Ouest (01), 1\u{202F}235\u{A0}pour 100 000 hab."
        ));
        assert!(
            svg.contains(
                "Répartition : &lt; 50 : 1 ; 50 à &lt; 150 : 0 ; 150 à &lt; 250 : 0 ; ≥ 250 : 1."
            ),
            "{svg}"
        );
        assert_eq!(
            svg,
            render_choropleth(&shapes, &map(), 640, 520),
            "deterministic"
        );
    }

    #[test]
    fn links_wrap_shapes() {
        let shapes = GeoShapes::from_geojson(FIXTURE).expect("fixture parses");
        let mut m = map();
        m.link_template = Some("/fr/territoire/DEP-{code}?a=1&b=2".into());
        let svg = render_choropleth(&shapes, &m, 300, 400);
        crate::test_util::assert_accessible_svg(&svg);
        assert!(
            svg.contains(r#"<a href="/fr/territoire/DEP-2A?a=1&amp;b=2"><title>"#),
            "{svg}"
        );
        assert_eq!(svg.matches("<a ").count(), 3);
        assert_eq!(svg.matches("</a>").count(), 3);
        assert!(svg.contains(r#"role="group""#));
        // Narrow map: legend at the bottom, still with the no-data swatch.
        assert!(svg.contains(">pas de données</text>"));
    }

    #[test]
    fn degenerate_scales_and_sizes() {
        let shapes = GeoShapes::from_geojson(FIXTURE).expect("fixture parses");
        let mut m = map();
        m.scale = ColorScale {
            thresholds: vec![],
            colors: vec![],
            no_data_color: String::new(),
            labels: Vec::new(),
            no_data_label: None,
        };
        m.values.insert("2A".into(), f64::NAN);
        for (w, h) in [(0, 0), (1, 1), (100, 2000), (2000, 100)] {
            let svg = render_choropleth(&shapes, &m, w, h);
            crate::test_util::assert_accessible_svg(&svg);
            assert!(svg.ends_with("</svg>"));
            assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
        }
        let empty = GeoShapes::from_geojson(r#"{"type":"FeatureCollection","features":[]}"#)
            .expect("empty");
        let svg = render_choropleth(&empty, &map(), 400, 400);
        assert!(svg.contains("Carte de 0 territoire"));
        // Only overseas shapes: drawn in the main area, no inset.
        let one = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"974"},"geometry":{"type":"Polygon","coordinates":[[[55.2,-21.4],[55.8,-21.4],[55.8,-20.9],[55.2,-20.9],[55.2,-21.4]]]}}]}"#;
        let shapes = GeoShapes::from_geojson(one).expect("one");
        assert!(shapes.inset_codes().is_empty());
        let svg = render_choropleth(&shapes, &map(), 400, 400);
        assert_eq!(svg.matches("<path").count(), 1);
    }

    #[test]
    fn threshold_labels() {
        let s = ColorScale::sequential(vec![0.5, 1.0, 1.5]);
        assert_eq!(
            class_labels(&s),
            vec!["< 0,5", "0,5 à < 1,0", "1,0 à < 1,5", "≥ 1,5"]
        );
        assert_eq!(class_of(0.4, &s), 0);
        assert_eq!(class_of(1.0, &s), 2);
        assert_eq!(class_of(9.0, &s), 3);
        assert_eq!(s.colors.len(), 4);
        assert_eq!(s.colors[0], "#ffffcc");
        assert_eq!(s.colors[3], "#800026");
        let thousands = ColorScale::sequential(vec![1000.0]);
        assert_eq!(
            class_labels(&thousands),
            vec!["< 1\u{202F}000", "≥ 1\u{202F}000"]
        );
    }

    /// The real files, read in place from the shared data directory when it exists.
    #[test]
    fn real_geojson_files() {
        let dir = std::env::var_os("VIGIE_SHARED_DATA")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
            })
            .join("geo");
        if !dir.is_dir() {
            eprintln!(
                "skipping real_geojson_files: {} not found (set VIGIE_SHARED_DATA)",
                dir.display()
            );
            return;
        }
        for (file, expected, insets) in [
            ("departements-avec-outre-mer.geojson", 101, 5),
            ("departements-version-simplifiee.geojson", 96, 0),
        ] {
            let path = dir.join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                eprintln!("skipping {}: unreadable", path.display());
                continue;
            };
            let shapes = GeoShapes::from_geojson(&text).expect("real GeoJSON parses");
            assert_eq!(shapes.len(), expected, "{file}");
            assert_eq!(shapes.inset_codes().len(), insets, "{file}");
            let values: BTreeMap<String, f64> = shapes
                .codes()
                .into_iter()
                .enumerate()
                .map(|(i, c)| (c, (i * 7 % 300) as f64))
                .collect();
            let m = Choropleth {
                values,
                link_template: Some("/fr/territoire/DEP-{code}".into()),
                ..map()
            };
            let svg = render_choropleth(&shapes, &m, 640, 600);
            crate::test_util::assert_accessible_svg(&svg);
            assert_eq!(svg.matches("<path").count(), expected, "{file}");
            assert!(svg.len() < 300_000, "{file}: {} bytes", svg.len());
            assert!(svg.contains("(2A) : "), "Corsica present");
        }
    }
}
