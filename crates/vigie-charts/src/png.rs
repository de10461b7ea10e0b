//! SVG → PNG rasterisation with resvg and an embedded font.

use std::sync::{Arc, LazyLock};

use resvg::{tiny_skia, usvg};

use crate::ChartError;

/// DejaVu Sans (Bitstream Vera licence, see `fonts/LICENSE-DejaVu.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Largest raster side accepted, in px.
const MAX_SIDE: f32 = 8192.0;

/// Parsing options with a font database holding only the embedded font, mapped to every generic
/// family; built once. Image references are never resolved (no file access).
static OPTIONS: LazyLock<usvg::Options<'static>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(DEJAVU_SANS.to_vec());
    db.set_sans_serif_family("DejaVu Sans");
    db.set_serif_family("DejaVu Sans");
    db.set_monospace_family("DejaVu Sans");
    db.set_cursive_family("DejaVu Sans");
    db.set_fantasy_family("DejaVu Sans");
    usvg::Options {
        font_family: "DejaVu Sans".to_owned(),
        languages: vec!["fr".to_owned()],
        fontdb: Arc::new(db),
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
});

/// Rasterises an SVG (normally one produced by this crate) to a PNG; `scale` 1.0 gives the SVG's
/// own pixel size, 2.0 doubles it (e.g. for social-network cards). The background is whatever
/// the SVG paints (this crate's charts paint white).
///
/// The font database (embedded DejaVu Sans only, no system fonts) is built on first use and
/// shared by all later calls.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, ChartError> {
    if !(scale.is_finite() && scale > 0.0) {
        return Err(ChartError::Render(format!("invalid scale {scale}")));
    }
    let tree =
        usvg::Tree::from_str(svg, &OPTIONS).map_err(|e| ChartError::Render(e.to_string()))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil(),
        (size.height() * scale).ceil(),
    );
    if !(w >= 1.0 && h >= 1.0 && w <= MAX_SIDE && h <= MAX_SIDE) {
        return Err(ChartError::Render(format!(
            "raster size {w}×{h} out of range (1–{MAX_SIDE} px)"
        )));
    }
    let Some(mut pixmap) = tiny_skia::Pixmap::new(w as u32, h as u32) else {
        return Err(ChartError::Render(format!(
            "cannot allocate a {w}×{h} raster"
        )));
    };
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ChartError::Render(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Point, Series, TimeChart, render_time_chart};

    /// Width and height from the IHDR chunk.
    fn png_size(png: &[u8]) -> (u32, u32) {
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        (be(&png[16..20]), be(&png[20..24]))
    }

    fn decode_rgba(png: &[u8]) -> tiny_skia::Pixmap {
        tiny_skia::Pixmap::decode_png(png).expect("our own PNG decodes")
    }

    #[test]
    fn chart_rasterises_with_text() {
        let chart = TimeChart {
            title: "Taux d'incidence — 1 234,5".into(),
            series: vec![Series {
                label: "Cas".into(),
                points: (0..50).map(|i| Point::new(18_000 + i, i as f64)).collect(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let svg = render_time_chart(&chart, 400, 250);
        let png = svg_to_png(&svg, 1.0).expect("rasterises");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(png_size(&png), (400, 250));

        let pix = decode_rgba(&png);
        // The title area (top-left band) has dark pixels: the text was drawn.
        let dark_in_title = (14..32)
            .flat_map(|y| (12..200).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                pix.pixel(x, y)
                    .is_some_and(|p| p.red() < 100 && p.green() < 100 && p.blue() < 100)
            })
            .count();
        assert!(
            dark_in_title > 50,
            "title text rendered ({dark_in_title} dark pixels)"
        );

        let png2 = svg_to_png(&svg, 2.0).expect("rasterises at 2x");
        assert_eq!(png_size(&png2), (800, 500));
    }

    #[test]
    fn text_only_svg_renders_with_embedded_font() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/><text x="5" y="28" font-size="24" font-family="sans-serif">Été 1 234</text></svg>"##;
        let png = svg_to_png(svg, 1.0).expect("rasterises");
        let pix = decode_rgba(&png);
        let dark = pix.pixels().iter().filter(|p| p.red() < 128).count();
        assert!(dark > 100, "{dark}");
    }

    #[test]
    fn errors_are_reported() {
        assert!(matches!(
            svg_to_png("<not svg", 1.0),
            Err(ChartError::Render(_))
        ));
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#;
        assert!(svg_to_png(svg, 0.0).is_err());
        assert!(svg_to_png(svg, f32::NAN).is_err());
        assert!(svg_to_png(svg, 10_000.0).is_err());
        assert!(svg_to_png(svg, 1.0).is_ok());
    }
}
