//! Charts of a release: per territory time charts and a dashboard mosaic, and department maps.
//!
//! Layout: `charts/<TERRITORY>/<chart>.svg` and `dashboard.svg` for every territory,
//! `charts/maps/<indicator>.svg` when a department GeoJSON is among the sources, and PNG copies
//! as chosen by [`PngScope`] (by default the national and regional dashboards and the maps).
//! PNGs are rasterised on every available core.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use vigie_charts::{Choropleth, ColorScale, GeoShapes, Point, Series, SeriesKind, TimeChart};
use vigie_core::{Level, reference};
use vigie_sources::Breakdowns;

use crate::BuildError;
use crate::compute::{Computed, Group};

/// Which PNG copies to render at build time (`vigie serve` rasterises any other chart on
/// demand from its SVG).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PngScope {
    /// None.
    None,
    /// The dashboards of France and the regions, and the maps.
    #[default]
    National,
    /// The dashboard of every territory, and the maps.
    Dashboards,
    /// Every chart.
    All,
}

/// Which chart formats to write.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChartFormats {
    /// SVG files (every chart of every territory).
    pub svg: bool,
    /// PNG copies.
    pub png: PngScope,
}

const BLUE: &str = "#0072B2";
const ORANGE: &str = "#D55E00";
const GREY: &str = "#9aa5b1";
const GREEN: &str = "#009E73";
const PURPLE: &str = "#CC79A7";

struct ChartDef {
    stem: &'static str,
    title: &'static str,
    unit: Option<&'static str>,
    /// (indicator id, label, kind, colour)
    series: &'static [(&'static str, &'static str, SeriesKind, &'static str)],
    threshold_from: Option<&'static str>,
    extra_threshold: Option<(f64, &'static str)>,
}

const CHARTS: &[ChartDef] = &[
    ChartDef {
        stem: "cases",
        title: "Cas positifs par jour",
        unit: Some("personnes"),
        series: &[
            ("cases", "Cas du jour", SeriesKind::Bars, GREY),
            (
                "cases_7d_mean",
                "Moyenne sur 7 jours",
                SeriesKind::Line,
                BLUE,
            ),
        ],
        threshold_from: None,
        extra_threshold: None,
    },
    ChartDef {
        stem: "incidence",
        title: "Taux d'incidence sur 7 jours",
        unit: Some("pour 100 000 hab."),
        series: &[(
            "incidence_rate_7d",
            "Taux d'incidence",
            SeriesKind::Area,
            BLUE,
        )],
        threshold_from: Some("incidence_rate_7d"),
        extra_threshold: None,
    },
    ChartDef {
        stem: "positivity",
        title: "Taux de positivité sur 7 jours",
        unit: Some("%"),
        series: &[(
            "positivity_rate_7d",
            "Taux de positivité",
            SeriesKind::Line,
            BLUE,
        )],
        threshold_from: Some("positivity_rate_7d"),
        extra_threshold: None,
    },
    ChartDef {
        stem: "r",
        title: "Taux de reproduction effectif R",
        unit: None,
        series: &[
            ("r_effective", "R (tests)", SeriesKind::Line, BLUE),
            (
                "r_effective_emergency",
                "R (urgences)",
                SeriesKind::Line,
                ORANGE,
            ),
        ],
        threshold_from: None,
        extra_threshold: Some((1.0, "R = 1")),
    },
    ChartDef {
        stem: "hospital",
        title: "Patients hospitalisés et en réanimation",
        unit: Some("patients"),
        series: &[
            ("hosp", "Hospitalisés", SeriesKind::Area, BLUE),
            ("icu", "En réanimation", SeriesKind::Area, ORANGE),
        ],
        threshold_from: None,
        extra_threshold: None,
    },
    ChartDef {
        stem: "admissions",
        title: "Nouvelles admissions à l'hôpital",
        unit: Some("patients par jour"),
        series: &[
            (
                "hosp_admissions",
                "Hospitalisations du jour",
                SeriesKind::Bars,
                GREY,
            ),
            (
                "hosp_admissions_7d_mean",
                "Hospitalisations, moyenne 7 jours",
                SeriesKind::Line,
                BLUE,
            ),
            (
                "icu_admissions_7d_mean",
                "Réanimation, moyenne 7 jours",
                SeriesKind::Line,
                ORANGE,
            ),
        ],
        threshold_from: None,
        extra_threshold: None,
    },
    ChartDef {
        stem: "deaths",
        title: "Décès à l'hôpital",
        unit: Some("décès par jour"),
        series: &[
            ("hosp_deaths", "Décès du jour", SeriesKind::Bars, GREY),
            (
                "hosp_deaths_7d_mean",
                "Moyenne sur 7 jours",
                SeriesKind::Line,
                BLUE,
            ),
        ],
        threshold_from: None,
        extra_threshold: None,
    },
    ChartDef {
        stem: "icu_saturation",
        title: "Saturation des lits de réanimation",
        unit: Some("%"),
        series: &[(
            "icu_saturation",
            "Patients en réanimation / lits",
            SeriesKind::Line,
            ORANGE,
        )],
        threshold_from: Some("icu_saturation"),
        extra_threshold: None,
    },
    ChartDef {
        stem: "vaccination_cumulative",
        title: "Personnes vaccinées (cumul)",
        unit: Some("personnes"),
        series: &[
            (
                "vaccination_dose1_cum",
                "Au moins une dose",
                SeriesKind::Line,
                BLUE,
            ),
            (
                "vaccination_dose2_cum",
                "Deux doses",
                SeriesKind::Line,
                PURPLE,
            ),
            (
                "vaccination_complete_cum",
                "Schéma complet",
                SeriesKind::Line,
                GREEN,
            ),
            (
                "vaccination_booster_cum",
                "Premier rappel",
                SeriesKind::Line,
                ORANGE,
            ),
        ],
        threshold_from: None,
        extra_threshold: None,
    },
    ChartDef {
        stem: "vaccination_daily",
        title: "Injections par jour",
        unit: Some("injections par jour"),
        series: &[
            (
                "vaccination_dose1",
                "Premières doses du jour",
                SeriesKind::Bars,
                GREY,
            ),
            (
                "vaccination_dose1_7d_mean",
                "Premières doses, moyenne 7 jours",
                SeriesKind::Line,
                BLUE,
            ),
            (
                "vaccination_dose2_7d_mean",
                "Deuxièmes doses, moyenne 7 jours",
                SeriesKind::Line,
                PURPLE,
            ),
            (
                "vaccination_complete_7d_mean",
                "Schémas complets, moyenne 7 jours",
                SeriesKind::Line,
                GREEN,
            ),
            (
                "vaccination_booster_7d_mean",
                "Rappels, moyenne 7 jours",
                SeriesKind::Line,
                ORANGE,
            ),
        ],
        threshold_from: None,
        extra_threshold: None,
    },
    ChartDef {
        stem: "vaccination_coverage",
        title: "Couverture vaccinale",
        unit: Some("% de la population"),
        series: &[
            (
                "vaccination_coverage_dose1",
                "Au moins une dose",
                SeriesKind::Line,
                BLUE,
            ),
            (
                "vaccination_coverage_dose2",
                "Deux doses",
                SeriesKind::Line,
                PURPLE,
            ),
            (
                "vaccination_coverage_complete",
                "Schéma complet",
                SeriesKind::Line,
                GREEN,
            ),
            (
                "vaccination_coverage_booster",
                "Premier rappel",
                SeriesKind::Line,
                ORANGE,
            ),
        ],
        threshold_from: None,
        extra_threshold: None,
    },
    ChartDef {
        stem: "deliveries",
        title: "Doses livrées et doses injectées (cumul)",
        unit: Some("doses"),
        series: &[
            (
                "vaccine_deliveries_doses_cum",
                "Doses livrées",
                SeriesKind::Line,
                ORANGE,
            ),
            (
                "vaccination_doses_injected_cum",
                "Doses injectées",
                SeriesKind::Line,
                BLUE,
            ),
        ],
        threshold_from: None,
        extra_threshold: None,
    },
];

/// Charts of the dashboard mosaic, in order.
/// Charts of the vaccination dashboard, in order.
const VACCINATION_DASHBOARD: [&str; 4] = [
    "vaccination_cumulative",
    "vaccination_daily",
    "vaccination_coverage",
    "deliveries",
];

const DASHBOARD: [&str; 6] = [
    "cases",
    "incidence",
    "positivity",
    "r",
    "hospital",
    "deaths",
];

struct MapDef {
    indicator: &'static str,
    title: &'static str,
    unit: &'static str,
    thresholds: &'static [f64],
}

const MAPS: &[MapDef] = &[
    MapDef {
        indicator: "incidence_rate_7d",
        title: "Taux d'incidence sur 7 jours",
        unit: "pour 100 000 hab.",
        thresholds: &[10.0, 25.0, 50.0, 100.0, 150.0, 250.0, 500.0, 1000.0],
    },
    MapDef {
        indicator: "positivity_rate_7d",
        title: "Taux de positivité sur 7 jours",
        unit: "%",
        thresholds: &[1.0, 2.5, 5.0, 7.5, 10.0, 15.0, 20.0, 25.0],
    },
    MapDef {
        indicator: "hosp_per_100k",
        title: "Patients hospitalisés pour 100 000 habitants",
        unit: "pour 100 000 hab.",
        thresholds: &[5.0, 10.0, 20.0, 40.0, 60.0, 80.0, 100.0, 150.0],
    },
    MapDef {
        indicator: "icu_saturation",
        title: "Saturation des lits de réanimation",
        unit: "%",
        thresholds: &[10.0, 30.0, 60.0, 80.0, 100.0, 150.0, 200.0, 300.0],
    },
    MapDef {
        indicator: "vaccination_coverage_dose1",
        title: "Couverture vaccinale : au moins une dose",
        unit: "% de la population",
        thresholds: &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0],
    },
    MapDef {
        indicator: "spf_vaccination_coverage_dose1",
        title: "Couverture vaccinale publiée par Santé publique France : au moins une dose",
        unit: "%",
        thresholds: &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0],
    },
];

fn points(group: &Group, values: &[f64]) -> Vec<Point> {
    let start = group.start.days();
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, v)| Point::new(start + i as i32, *v))
        .collect()
}

fn source_note(group: &Group) -> String {
    let last = group
        .values
        .iter()
        .filter_map(|(_, v)| v.iter().rposition(|x| !x.is_nan()))
        .max()
        .unwrap_or(0);
    let d = group.start.add_days(last as i32);
    let (y, m, dd) = d.ymd();
    format!("Source : Santé publique France — données jusqu'au {dd:02}/{m:02}/{y} — Vigie")
}

fn time_chart(
    computed: &Computed,
    group: &Group,
    def: &ChartDef,
    territory_name: &str,
) -> Option<TimeChart> {
    let idx = |id: &str| computed.indicators.iter().position(|i| i.id == id);
    let mut series = Vec::new();
    for (id, label, kind, color) in def.series {
        let Some(values) = idx(id).and_then(|i| group.get(i)) else {
            continue;
        };
        series.push(Series {
            label: (*label).into(),
            kind: *kind,
            color: Some((*color).into()),
            points: points(group, values),
            dashed: false,
        });
    }
    if series.is_empty() {
        return None;
    }
    let mut thresholds = Vec::new();
    let max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.value))
        .fold(f64::NAN, f64::max);
    if let Some(spec) = def
        .threshold_from
        .and_then(|id| computed.indicators.iter().find(|i| i.id == id))
        .and_then(|i| i.thresholds.as_ref())
    {
        // Thresholds squeezed at the bottom of a tall axis are noise: keep only the top one.
        let squeezed = max > 8.0 * spec.levels[2];
        for (i, (v, name)) in spec
            .levels
            .iter()
            .zip(["seuil modéré", "seuil élevé", "seuil très élevé"])
            .enumerate()
        {
            if squeezed && i < 2 {
                continue;
            }
            thresholds.push((
                *v,
                format!(
                    "{name} ({})",
                    vigie_charts::format_number_fr(*v, if v.fract() == 0.0 { 0 } else { 2 })
                ),
            ));
        }
    }
    if let Some((v, label)) = def.extra_threshold {
        thresholds.push((v, label.into()));
    }
    Some(TimeChart {
        title: format!("{} — {territory_name}", def.title),
        subtitle: None,
        y_unit: def.unit.map(String::from),
        series,
        thresholds,
        y_min_zero: def.stem != "r",
        source_note: Some(source_note(group)),
    })
}

/// Writes every chart; returns how many files were written.
pub fn write_all(
    computed: &Computed,
    breakdowns: &Breakdowns,
    shapes: Option<&GeoShapes>,
    dir: &Path,
    formats: ChartFormats,
) -> Result<usize, BuildError> {
    if !formats.svg {
        return Ok(0);
    }
    let r = reference();
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| BuildError::Io { path: p, source }
    };
    let mut written = 0;
    let mut png_jobs: Vec<(PathBuf, String)> = Vec::new();
    for group in computed
        .groups
        .iter()
        .filter(|g| g.breakdown == Breakdowns::ALL)
    {
        let t = r.get(group.territory);
        let tdir = dir.join(t.key());
        fs::create_dir_all(&tdir).map_err(io(&tdir))?;
        let mut made: BTreeMap<&str, TimeChart> = BTreeMap::new();
        for def in CHARTS {
            let Some(chart) = time_chart(computed, group, def, &t.name) else {
                continue;
            };
            let svg = vigie_charts::render_time_chart(&chart, 800, 400);
            let path = tdir.join(format!("{}.svg", def.stem));
            fs::write(&path, &svg).map_err(io(&path))?;
            written += 1;
            if formats.png == PngScope::All {
                png_jobs.push((path.with_extension("png"), svg));
            }
            made.insert(def.stem, chart);
        }
        let vcells: Vec<TimeChart> = VACCINATION_DASHBOARD
            .iter()
            .filter_map(|s| made.get(s).cloned())
            .map(|mut c| {
                c.title = c.title.split(" — ").next().unwrap_or_default().to_string();
                c
            })
            .collect();
        if !vcells.is_empty() {
            let svg = vigie_charts::render_mosaic(
                &format!("Vaccination — {}", t.name),
                Some(&source_note(group)),
                &vcells,
                2,
                560,
                300,
            );
            let path = tdir.join("vaccination_dashboard.svg");
            fs::write(&path, &svg).map_err(io(&path))?;
            written += 1;
            if formats.png == PngScope::All
                || (formats.png != PngScope::None && t.level == Level::Country)
            {
                png_jobs.push((path.with_extension("png"), svg));
            }
        }
        let territory_groups: Vec<&Group> = computed
            .groups
            .iter()
            .filter(|g| g.territory == group.territory)
            .collect();
        for (stem, svg) in breakdown_charts(computed, breakdowns, &territory_groups, &t.name) {
            let path = tdir.join(format!("{stem}.svg"));
            fs::write(&path, &svg).map_err(io(&path))?;
            written += 1;
            if formats.png == PngScope::All {
                png_jobs.push((path.with_extension("png"), svg));
            }
        }
        let cells: Vec<TimeChart> = DASHBOARD
            .iter()
            .filter_map(|s| made.remove(s))
            .map(|mut c| {
                c.title = c.title.split(" — ").next().unwrap_or_default().to_string();
                c
            })
            .collect();
        if !cells.is_empty() {
            let svg = vigie_charts::render_mosaic(
                &format!("Tableau de bord — {}", t.name),
                Some(&source_note(group)),
                &cells,
                2,
                560,
                300,
            );
            let path = tdir.join("dashboard.svg");
            fs::write(&path, &svg).map_err(io(&path))?;
            written += 1;
            let wanted = match formats.png {
                PngScope::None => false,
                PngScope::National => t.level != Level::Department,
                PngScope::Dashboards | PngScope::All => true,
            };
            if wanted {
                png_jobs.push((path.with_extension("png"), svg));
            }
        }
    }
    if let Some(shapes) = shapes {
        let mdir = dir.join("maps");
        fs::create_dir_all(&mdir).map_err(io(&mdir))?;
        for def in MAPS {
            let Some(map) = choropleth(computed, breakdowns, def) else {
                continue;
            };
            let svg = vigie_charts::render_choropleth(shapes, &map, 640, 600);
            let path = mdir.join(format!("{}.svg", def.indicator));
            fs::write(&path, &svg).map_err(io(&path))?;
            written += 1;
            if formats.png != PngScope::None {
                png_jobs.push((path.with_extension("png"), svg));
            }
        }
    }
    written += rasterise(png_jobs)?;
    Ok(written)
}

/// Charts across breakdowns: coverage by age class (bars) and first doses by vaccine.
fn breakdown_charts(
    computed: &Computed,
    breakdowns: &Breakdowns,
    groups: &[&Group],
    name: &str,
) -> Vec<(&'static str, String)> {
    let idx = |id: &str| computed.indicators.iter().position(|i| i.id == id);
    let last = |g: &Group, ind: usize| -> Option<(i32, f64)> {
        let v = g.get(ind)?;
        let i = v.iter().rposition(|x| !x.is_nan())?;
        Some((g.start.days() + i as i32, v[i]))
    };
    let mut out = Vec::new();
    // Coverage by age: ours where a population exists for the class, SPF's otherwise.
    for id in [
        "vaccination_coverage_dose1",
        "spf_vaccination_coverage_dose1",
    ] {
        let Some(ind) = idx(id) else { continue };
        let mut bars: Vec<(u32, String, f64, i32)> = groups
            .iter()
            .filter_map(|g| {
                let key = breakdowns.key(g.breakdown);
                let age = key.strip_prefix("age:")?;
                let lo = vigie_sources::breakdown::parse_age(age)?.0;
                let (day, v) = last(g, ind)?;
                Some((
                    lo,
                    age.replace('-', "–").replace('+', " ans et +")
                        + if age.ends_with('+') { "" } else { " ans" },
                    v,
                    day,
                ))
            })
            .collect();
        if bars.len() < 2 {
            continue;
        }
        bars.sort_by_key(|b| b.0);
        let day = bars.iter().map(|b| b.3).max().unwrap_or(0);
        let chart = vigie_charts::BarChart {
            title: format!("Couverture vaccinale par âge (au moins une dose) — {name}"),
            subtitle: Some(format!(
                "au {}{}",
                vigie_charts::format_date_numeric_fr(day),
                if id.starts_with("spf_") {
                    ", valeurs publiées par Santé publique France"
                } else {
                    ""
                }
            )),
            y_unit: Some("%".into()),
            bars: bars.into_iter().map(|b| (b.1, b.2)).collect(),
            color: Some(BLUE.into()),
            source_note: Some("Source : Santé publique France (VAC-SI) — Vigie".into()),
        };
        out.push((
            "vaccination_coverage_by_age",
            vigie_charts::render_bar_chart(&chart, 800, 400),
        ));
        break;
    }
    // Cumulative first doses by vaccine.
    if let Some(ind) = idx("vaccination_dose1_cum") {
        let series: Vec<Series> = groups
            .iter()
            .filter_map(|g| {
                let key = breakdowns.key(g.breakdown);
                let vaccine = key.strip_prefix("vaccine:")?;
                Some(Series {
                    label: vaccine.to_string(),
                    kind: SeriesKind::Line,
                    color: None,
                    points: points(g, g.get(ind)?),
                    dashed: false,
                })
            })
            .collect();
        if !series.is_empty() {
            let chart = TimeChart {
                title: format!("Premières doses par vaccin (cumul) — {name}"),
                subtitle: None,
                y_unit: Some("doses".into()),
                series,
                thresholds: Vec::new(),
                y_min_zero: true,
                source_note: Some("Source : Santé publique France (VAC-SI) — Vigie".into()),
            };
            out.push((
                "vaccination_by_vaccine",
                vigie_charts::render_time_chart(&chart, 800, 400),
            ));
        }
    }
    out
}

/// The latest common date's value of an indicator for every department.
fn choropleth(computed: &Computed, _breakdowns: &Breakdowns, def: &MapDef) -> Option<Choropleth> {
    let r = reference();
    let ind = computed
        .indicators
        .iter()
        .position(|i| i.id == def.indicator)?;
    let deps: Vec<(&Group, &[f64])> = computed
        .groups
        .iter()
        .filter(|g| g.breakdown == Breakdowns::ALL && r.get(g.territory).level == Level::Department)
        .filter_map(|g| g.get(ind).map(|v| (g, v)))
        .collect();
    // The most recent day where at least 90 % of the departments have a value.
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for (g, v) in &deps {
        for (i, x) in v.iter().enumerate() {
            if !x.is_nan() {
                *counts.entry(g.start.days() + i as i32).or_default() += 1;
            }
        }
    }
    let need = (deps.len() * 9).div_ceil(10).max(1);
    let day = counts
        .iter()
        .rev()
        .find(|(_, n)| **n >= need)
        .map(|(d, _)| *d)?;
    let mut values = BTreeMap::new();
    let mut names = BTreeMap::new();
    for (g, v) in &deps {
        let i = day - g.start.days();
        if i >= 0
            && let Some(x) = v.get(i as usize).filter(|x| !x.is_nan())
        {
            let t = r.get(g.territory);
            values.insert(t.code.clone(), *x);
            names.insert(t.code.clone(), t.name.clone());
        }
    }
    let date = vigie_core::Date::from_days(day);
    let (y, m, d) = date.ymd();
    Some(Choropleth {
        title: def.title.into(),
        subtitle: Some(format!("par département, au {d:02}/{m:02}/{y}")),
        unit: Some(def.unit.into()),
        values,
        names,
        scale: ColorScale::sequential(def.thresholds.to_vec()),
        source_note: Some("Source : Santé publique France — Vigie".into()),
        link_template: Some("/territoire/DEP-{code}".into()),
    })
}

fn rasterise(jobs: Vec<(PathBuf, String)>) -> Result<usize, BuildError> {
    if jobs.is_empty() {
        return Ok(0);
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    let chunks: Vec<Vec<(PathBuf, String)>> = {
        let mut c: Vec<Vec<_>> = (0..threads).map(|_| Vec::new()).collect();
        for (i, j) in jobs.into_iter().enumerate() {
            c[i % threads].push(j);
        }
        c
    };
    let results: Vec<Result<usize, BuildError>> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || -> Result<usize, BuildError> {
                    for (path, svg) in &chunk {
                        let png =
                            vigie_charts::svg_to_png(svg, 1.0).map_err(|e| BuildError::Chart {
                                name: path.display().to_string(),
                                message: e.to_string(),
                            })?;
                        fs::write(path, png).map_err(|source| BuildError::Io {
                            path: path.clone(),
                            source,
                        })?;
                    }
                    Ok(chunk.len())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(BuildError::Chart {
                        name: "png".into(),
                        message: "rasteriser thread panicked".into(),
                    })
                })
            })
            .collect()
    });
    results.into_iter().sum()
}
