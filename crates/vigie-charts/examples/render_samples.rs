//! Renders sample charts, prints timings, and optionally writes the SVG/PNG files.
//!
//! ```text
//! cargo run --release -p vigie-charts --example render_samples -- [OUT_DIR] [GEOJSON]
//! ```
//!
//! `GEOJSON` defaults to `$VIGIE_SHARED_DATA/geo/departements-avec-outre-mer.geojson` (or the
//! shared data directory next to the repository). This example does I/O; the library does not.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use vigie_charts::{
    BarChart, Choropleth, ColorScale, GeoShapes, Point, Series, SeriesKind, TimeChart,
    render_bar_chart, render_choropleth, render_mosaic, render_time_chart, svg_to_png,
};

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let mut out = f(); // warm-up (and LazyLock initialisation)
    let start = Instant::now();
    for _ in 0..runs {
        out = f();
    }
    let per = start.elapsed() / runs;
    println!("{label:<55} {per:>10.2?} per call ({runs} runs)");
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out_dir = args.next().map(PathBuf::from);
    let geojson = args.next().map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("VIGIE_SHARED_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
            })
            .join("geo/departements-avec-outre-mer.geojson")
    });

    let start = 18_300; // 2020-02-08
    let incidence: Vec<Point> = (0..1000)
        .filter(|i| !(400..410).contains(i))
        .map(|i| {
            let t = f64::from(i);
            Point::new(
                start + i,
                150.0 + 120.0 * (t / 60.0).sin() + 40.0 * (t / 9.0).cos() + t * 0.1,
            )
        })
        .collect();
    let r: Vec<Point> = incidence
        .iter()
        .map(|p| Point::new(p.day, 1.0 + (p.value - 150.0) / 400.0))
        .collect();
    let chart = TimeChart {
        title: "Taux d'incidence (moyenne glissante sur 7 jours)".into(),
        subtitle: Some("Ain — tous âges".into()),
        y_unit: Some("pour 100 000 hab.".into()),
        series: vec![
            Series {
                label: "Incidence".into(),
                kind: SeriesKind::Area,
                points: incidence.clone(),
                ..Default::default()
            },
            Series {
                label: "Incidence France".into(),
                points: incidence
                    .iter()
                    .map(|p| Point::new(p.day, p.value * 0.8))
                    .collect(),
                dashed: true,
                ..Default::default()
            },
        ],
        thresholds: vec![(50.0, "Seuil d'alerte (50)".into())],
        y_min_zero: true,
        source_note: Some("Source : Santé publique France, SI-DEP — données du 22/10/2020".into()),
    };
    let r_chart = TimeChart {
        title: "Taux de reproduction R".into(),
        series: vec![Series {
            label: "R".into(),
            points: r,
            ..Default::default()
        }],
        thresholds: vec![(1.0, "R = 1".into())],
        ..Default::default()
    };
    let bars_chart = TimeChart {
        title: "Hospitalisations quotidiennes".into(),
        series: vec![Series {
            label: "Nouvelles hospitalisations".into(),
            kind: SeriesKind::Bars,
            points: incidence
                .iter()
                .rev()
                .take(120)
                .map(|p| Point::new(p.day, (p.value / 10.0).round()))
                .collect(),
            ..Default::default()
        }],
        y_min_zero: true,
        ..Default::default()
    };
    let coverage = BarChart {
        title: "Couverture vaccinale (au moins une dose)".into(),
        subtitle: Some("Par classe d'âge".into()),
        y_unit: Some("%".into()),
        bars: vec![
            ("0-17".into(), 4.2),
            ("18-24".into(), 71.5),
            ("25-39".into(), 75.0),
            ("40-59".into(), 82.3),
            ("60-74".into(), 91.0),
            ("75 +".into(), 87.3),
        ],
        color: None,
        source_note: Some("Source : VAC-SI".into()),
    };

    let svg = time(
        "render_time_chart, 2 × ~1000 points (area + line)",
        2000,
        || render_time_chart(&chart, 800, 400),
    );
    let one_line = TimeChart {
        series: vec![chart.series[1].clone()],
        ..chart.clone()
    };
    let svg_line = time("render_time_chart, 1 line × 990 points", 2000, || {
        render_time_chart(&one_line, 800, 400)
    });
    println!(
        "  time chart: {} bytes (2 series), {} bytes (1 line)",
        svg.len(),
        svg_line.len()
    );
    let bars = time("render_time_chart, 120 bars", 2000, || {
        render_time_chart(&bars_chart, 600, 300)
    });
    let bar_svg = time("render_bar_chart, 6 bars", 2000, || {
        render_bar_chart(&coverage, 500, 320)
    });
    let mosaic_charts = [
        chart.clone(),
        r_chart.clone(),
        bars_chart.clone(),
        one_line.clone(),
    ];
    let mosaic = time("render_mosaic, 4 charts", 500, || {
        render_mosaic(
            "Tableau de bord — Ain",
            Some("Données au 22/10/2020"),
            &mosaic_charts,
            2,
            480,
            300,
        )
    });
    let png = time("svg_to_png time chart 800×400 @1x", 20, || {
        svg_to_png(&svg, 1.0)
    });
    let png = png?;
    let png2 = time("svg_to_png time chart 800×400 @2x", 10, || {
        svg_to_png(&svg, 2.0)
    })?;

    let mut outputs: Vec<(String, Vec<u8>)> = vec![
        ("time_chart.svg".into(), svg.clone().into_bytes()),
        ("time_chart.png".into(), png),
        ("time_chart@2x.png".into(), png2),
        (
            "time_chart_r.svg".into(),
            render_time_chart(&r_chart, 600, 320).into_bytes(),
        ),
        ("time_chart_bars.svg".into(), bars.into_bytes()),
        ("bar_chart.svg".into(), bar_svg.clone().into_bytes()),
        ("bar_chart.png".into(), svg_to_png(&bar_svg, 1.0)?),
        ("mosaic.svg".into(), mosaic.clone().into_bytes()),
        ("mosaic.png".into(), svg_to_png(&mosaic, 1.0)?),
    ];

    match std::fs::read_to_string(&geojson) {
        Ok(text) => {
            let shapes = time("GeoShapes::from_geojson", 3, || {
                GeoShapes::from_geojson(&text)
            })?;
            println!(
                "  {} territories, {} vertices kept",
                shapes.len(),
                shapes.vertex_count()
            );
            let values: BTreeMap<String, f64> = shapes
                .codes()
                .into_iter()
                .enumerate()
                .map(|(i, c)| (c, ((i * 37) % 400) as f64 + 0.5))
                .filter(|(c, _)| c != "976")
                .collect();
            let map = Choropleth {
                title: "Taux d'incidence par département".into(),
                subtitle: Some("Semaine du 12 au 18 octobre 2020".into()),
                unit: Some("pour 100 000 hab.".into()),
                values,
                names: BTreeMap::new(),
                scale: ColorScale::sequential(vec![10.0, 50.0, 150.0, 250.0]),
                source_note: Some("Source : Santé publique France, SI-DEP".into()),
                link_template: Some("/fr/territoire/DEP-{code}".into()),
            };
            let svg = time("render_choropleth 640×600", 200, || {
                render_choropleth(&shapes, &map, 640, 600)
            });
            println!("  choropleth: {} bytes", svg.len());
            let png = time("svg_to_png choropleth 640×600 @1x", 10, || {
                svg_to_png(&svg, 1.0)
            })?;
            outputs.push(("choropleth.svg".into(), svg.into_bytes()));
            let narrow = render_choropleth(
                &shapes,
                &Choropleth {
                    link_template: None,
                    ..map.clone()
                },
                360,
                520,
            );
            outputs.push(("choropleth_narrow.svg".into(), narrow.into_bytes()));
            outputs.push(("choropleth.png".into(), png));
        }
        Err(e) => println!("(no choropleth: {}: {e})", geojson.display()),
    }

    if let Some(dir) = out_dir {
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in outputs {
            if let Some(stem) = name.strip_suffix(".svg") {
                let png_name = format!("{stem}.png");
                let svg = String::from_utf8(bytes.clone())?;
                std::fs::write(dir.join(png_name), svg_to_png(&svg, 1.0)?)?;
            }
            std::fs::write(dir.join(name), bytes)?;
        }
        println!("written to {}", dir.display());
    }
    Ok(())
}
