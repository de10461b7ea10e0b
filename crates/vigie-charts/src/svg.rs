//! Shared SVG writing: document envelope (accessibility attributes), text, headers, footers and
//! legends. Everything appends to one `String`.

use std::fmt::Write as _;

use crate::format::{Px, fnv1a, push_escaped, text_width, truncate_line, wrap_text};

/// Font stack: DejaVu Sans is the embedded font used for PNGs; Verdana has close metrics in
/// browsers that lack DejaVu.
pub(crate) const FONT_FAMILY: &str = "'DejaVu Sans', Verdana, sans-serif";
/// Outer padding.
pub(crate) const PAD: f64 = 12.0;
/// Main text colour (contrast ≈ 17:1 on white).
pub(crate) const TEXT: &str = "#1a1a1a";
/// Secondary text colour (contrast ≈ 7.5:1 on white).
pub(crate) const MUTED: &str = "#555555";
/// Grid lines.
pub(crate) const GRID: &str = "#e2e2e2";
/// Axis lines.
pub(crate) const AXIS: &str = "#8a8a8a";
/// Title font size.
pub(crate) const TITLE_SIZE: f64 = 16.0;
/// Subtitle and legend font size.
pub(crate) const SUBTITLE_SIZE: f64 = 12.0;
/// Tick label font size.
pub(crate) const TICK_SIZE: f64 = 11.0;
/// Source note font size.
pub(crate) const NOTE_SIZE: f64 = 10.0;
/// Line height factor.
pub(crate) const LINE: f64 = 1.3;

/// Colour-blind-safe palette (Okabe–Ito based, dark enough for lines on white).
pub(crate) const PALETTE: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#7A5195", "#A07800", "#2B9BD8", "#444444",
];

/// Opens the `<svg>` element with its accessible name and description and a white background.
/// `role` is `"img"` (or `"group"` for documents with links). Ids are derived from a hash of
/// `title` and `desc`, so they are stable and (practically) unique within an HTML page.
pub(crate) fn open_svg(out: &mut String, w: f64, h: f64, title: &str, desc: &str, role: &str) {
    let id = fnv1a(&[title, desc, &format!("{w}x{h}")]);
    let id = (id ^ (id >> 32)) as u32;
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="{role}" aria-labelledby="vc{id:08x}-t vc{id:08x}-d" font-family="{FONT_FAMILY}">"#,
        w = Px(w),
        h = Px(h),
    );
    let _ = write!(out, "\n<title id=\"vc{id:08x}-t\">");
    push_escaped(out, title);
    let _ = write!(out, "</title>\n<desc id=\"vc{id:08x}-d\">");
    push_escaped(out, desc);
    out.push_str("</desc>\n");
    let _ = writeln!(
        out,
        r##"<rect width="{}" height="{}" fill="#ffffff"/>"##,
        Px(w),
        Px(h)
    );
}

/// Closes the document.
pub(crate) fn close_svg(out: &mut String) {
    out.push_str("</svg>");
}

/// Horizontal text alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
}

/// Style of a text element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextStyle<'a> {
    pub size: f64,
    pub fill: &'a str,
    pub bold: bool,
    pub anchor: Anchor,
}

impl TextStyle<'_> {
    pub(crate) const fn plain(size: f64, fill: &str) -> TextStyle<'_> {
        TextStyle {
            size,
            fill,
            bold: false,
            anchor: Anchor::Start,
        }
    }
}

/// One `<text>` element with its baseline at `y`.
pub(crate) fn text(out: &mut String, x: f64, y: f64, style: TextStyle<'_>, content: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}""#,
        Px(x),
        Px(y),
        Px(style.size)
    );
    match style.anchor {
        Anchor::Start => {}
        Anchor::Middle => out.push_str(r#" text-anchor="middle""#),
    }
    if style.bold {
        out.push_str(r#" font-weight="bold""#);
    }
    out.push_str(" fill=\"");
    push_escaped(out, style.fill);
    out.push_str("\">");
    push_escaped(out, content);
    out.push_str("</text>\n");
}

/// Writes the title (bold, up to 2 lines) and the subtitle (up to 2 lines) starting at `top`;
/// returns the y just below them.
pub(crate) fn header(
    out: &mut String,
    title: &str,
    subtitle: Option<&str>,
    x: f64,
    width: f64,
    top: f64,
    title_size: f64,
) -> f64 {
    let mut y = top;
    let style = TextStyle {
        size: title_size,
        fill: TEXT,
        bold: true,
        anchor: Anchor::Start,
    };
    // Bold glyphs are ~10 % wider than the regular metrics.
    for line in wrap_text(title, title_size * 1.1, width, 2) {
        text(out, x, y + title_size, style, &line);
        y += title_size * LINE;
    }
    if let Some(sub) = subtitle {
        let style = TextStyle::plain(SUBTITLE_SIZE, MUTED);
        for line in wrap_text(sub, SUBTITLE_SIZE, width, 2) {
            text(out, x, y + SUBTITLE_SIZE, style, &line);
            y += SUBTITLE_SIZE * LINE;
        }
    }
    y
}

/// Lines of the source note for a given width (up to 3).
pub(crate) fn note_lines(note: Option<&str>, width: f64) -> Vec<String> {
    note.map(|n| wrap_text(n, NOTE_SIZE, width, 3))
        .unwrap_or_default()
}

/// Height taken by the note lines.
pub(crate) fn note_height(lines: &[String]) -> f64 {
    if lines.is_empty() {
        0.0
    } else {
        lines.len() as f64 * NOTE_SIZE * LINE + 4.0
    }
}

/// Writes the note lines so that the last one ends at `bottom`.
pub(crate) fn write_note(out: &mut String, lines: &[String], x: f64, bottom: f64) {
    let style = TextStyle::plain(NOTE_SIZE, MUTED);
    let mut y = bottom - (lines.len() as f64 - 1.0) * NOTE_SIZE * LINE - NOTE_SIZE * 0.25;
    for line in lines {
        text(out, x, y, style, line);
        y += NOTE_SIZE * LINE;
    }
}

/// Legend swatch shapes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch<'a> {
    Line { color: &'a str, dashed: bool },
    Rect { color: &'a str },
    Area { color: &'a str },
}

/// A legend entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LegendItem<'a> {
    pub swatch: Swatch<'a>,
    pub label: &'a str,
}

const SWATCH_W: f64 = 18.0;
const LEGEND_ROW: f64 = 18.0;

fn item_width(item: &LegendItem<'_>) -> f64 {
    SWATCH_W + 5.0 + text_width(item.label, SUBTITLE_SIZE).min(400.0) + 14.0
}

/// Height a horizontal, wrapping legend takes in `width`.
pub(crate) fn legend_height(items: &[LegendItem<'_>], width: f64) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    let mut rows = 1.0;
    let mut x = 0.0;
    for item in items {
        let w = item_width(item);
        if x > 0.0 && x + w > width {
            rows += 1.0;
            x = 0.0;
        }
        x += w;
    }
    rows * LEGEND_ROW + 2.0
}

/// Writes a horizontal, wrapping legend with its top-left corner at `(x0, top)`.
pub(crate) fn write_legend(
    out: &mut String,
    items: &[LegendItem<'_>],
    x0: f64,
    top: f64,
    width: f64,
) {
    if items.is_empty() {
        return;
    }
    out.push_str("<g>\n");
    let mut x = 0.0;
    let mut y = top;
    let style = TextStyle::plain(SUBTITLE_SIZE, TEXT);
    for item in items {
        let w = item_width(item);
        if x > 0.0 && x + w > width {
            y += LEGEND_ROW;
            x = 0.0;
        }
        let sx = x0 + x;
        let mid = y + LEGEND_ROW / 2.0;
        match item.swatch {
            Swatch::Line { color, dashed } => {
                let _ = write!(
                    out,
                    r#"<path d="M{},{}h{SWATCH_W}" stroke=""#,
                    Px(sx),
                    Px(mid)
                );
                push_escaped(out, color);
                out.push_str(r#"" stroke-width="3" fill="none""#);
                if dashed {
                    out.push_str(r#" stroke-dasharray="5 3""#);
                }
                out.push_str("/>\n");
            }
            Swatch::Rect { color } | Swatch::Area { color } => {
                let opacity = if matches!(item.swatch, Swatch::Area { .. }) {
                    r#" fill-opacity="0.35""#
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    r#"<rect x="{}" y="{}" width="{SWATCH_W}" height="10"{opacity} fill=""#,
                    Px(sx),
                    Px(mid - 5.0)
                );
                push_escaped(out, color);
                out.push_str("\"/>\n");
                if matches!(item.swatch, Swatch::Area { .. }) {
                    let _ = write!(
                        out,
                        r#"<path d="M{},{}h{SWATCH_W}" stroke=""#,
                        Px(sx),
                        Px(mid - 5.0)
                    );
                    push_escaped(out, color);
                    out.push_str(r#"" stroke-width="2" fill="none"/>"#);
                    out.push('\n');
                }
            }
        }
        let label = truncate_line(item.label, SUBTITLE_SIZE, 400.0);
        text(
            out,
            sx + SWATCH_W + 5.0,
            mid + SUBTITLE_SIZE * 0.35,
            style,
            &label,
        );
        x += w;
    }
    out.push_str("</g>\n");
}
