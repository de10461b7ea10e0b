//! The small JSON documents the pages' scripts read: latest values per department for the map
//! layers, the series of a territory's charts, and the simplified department outlines.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::release::Release;

/// A map layer: indicator id, French and English labels, unit, class thresholds.
pub struct Layer {
    /// Indicator id.
    pub id: &'static str,
    /// French label.
    pub fr: &'static str,
    /// English label.
    pub en: &'static str,
    /// Unit shown in the legend.
    pub unit: &'static str,
    /// Upper bounds of the colour classes (the last class is open).
    pub thresholds: &'static [f64],
}

/// The map layers, in the order of the layer switch.
pub const LAYERS: [Layer; 5] = [
    Layer {
        id: "incidence_rate_7d",
        fr: "Taux d'incidence",
        en: "Incidence rate",
        unit: "/100k",
        thresholds: &[10.0, 50.0, 150.0, 250.0, 500.0],
    },
    Layer {
        id: "positivity_rate_7d",
        fr: "Taux de positivité",
        en: "Test positivity",
        unit: "%",
        thresholds: &[1.0, 5.0, 10.0, 15.0, 20.0],
    },
    Layer {
        id: "hosp_per_100k",
        fr: "Patients hospitalisés",
        en: "Patients in hospital",
        unit: "/100k",
        thresholds: &[5.0, 10.0, 20.0, 40.0, 80.0],
    },
    Layer {
        id: "icu_saturation",
        fr: "Saturation des réanimations",
        en: "ICU saturation",
        unit: "%",
        thresholds: &[15.0, 30.0, 60.0, 80.0, 100.0],
    },
    Layer {
        id: "vaccination_coverage_dose1",
        fr: "Couverture vaccinale",
        en: "Vaccination coverage",
        unit: "%",
        thresholds: &[50.0, 60.0, 70.0, 80.0, 90.0],
    },
];

/// Class colours, low to high (six classes; the vaccination layer reads them reversed).
pub const COLOURS: [&str; 6] = [
    "#f1eef6", "#d4b9da", "#c994c7", "#df65b0", "#dd1c77", "#980043",
];

/// Charts of a dashboard: (file stem, French caption, English caption, indicators drawn).
pub const CHARTS: [(&str, &str, &str, &[&str]); 14] = [
    (
        "cases",
        "Cas positifs par jour et moyenne sur 7 jours",
        "Positive cases per day and 7-day average",
        &["cases", "cases_7d_mean"],
    ),
    (
        "incidence",
        "Taux d'incidence sur 7 jours",
        "7-day incidence rate",
        &["incidence_rate_7d"],
    ),
    (
        "positivity",
        "Taux de positivité sur 7 jours",
        "7-day test positivity",
        &["positivity_rate_7d"],
    ),
    (
        "r",
        "Taux de reproduction effectif R",
        "Effective reproduction number R",
        &["r_effective"],
    ),
    (
        "hospital",
        "Patients hospitalisés et en réanimation",
        "Patients in hospital and in intensive care",
        &["hosp", "icu"],
    ),
    (
        "admissions",
        "Nouvelles hospitalisations et admissions en réanimation",
        "New hospital and ICU admissions",
        &["hosp_admissions_7d_mean", "icu_admissions_7d_mean"],
    ),
    (
        "deaths",
        "Décès à l'hôpital",
        "Deaths in hospital",
        &["hosp_deaths", "hosp_deaths_7d_mean"],
    ),
    (
        "icu_saturation",
        "Saturation des lits de réanimation",
        "ICU bed saturation",
        &["icu_saturation"],
    ),
    (
        "vaccination_cumulative",
        "Personnes vaccinées (cumul)",
        "People vaccinated (cumulative)",
        &[
            "vaccination_dose1_cum",
            "vaccination_complete_cum",
            "vaccination_booster_cum",
        ],
    ),
    (
        "vaccination_daily",
        "Injections par jour",
        "Injections per day",
        &[
            "vaccination_dose1_7d_mean",
            "vaccination_complete_7d_mean",
            "vaccination_booster_7d_mean",
        ],
    ),
    (
        "vaccination_coverage",
        "Couverture vaccinale",
        "Vaccination coverage",
        &[
            "vaccination_coverage_dose1",
            "vaccination_coverage_complete",
            "vaccination_coverage_booster",
        ],
    ),
    (
        "vaccination_coverage_by_age",
        "Couverture vaccinale par âge",
        "Vaccination coverage by age",
        &[],
    ),
    (
        "vaccination_by_vaccine",
        "Premières doses par vaccin",
        "First doses by vaccine",
        &[],
    ),
    (
        "deliveries",
        "Doses livrées et doses injectées",
        "Doses delivered and doses injected",
        &[
            "vaccine_deliveries_doses_cum",
            "vaccination_doses_injected_cum",
        ],
    ),
];

/// `{"layers": [...], "departments": {"07": {"key", "name", "values": {id: value}, "dates"}}}`:
/// the latest value of every map layer for every department.
pub fn map_json(release: &Release) -> Value {
    let mut deps = Map::new();
    let mut present = vec![false; LAYERS.len()];
    for t in release
        .territories
        .iter()
        .filter(|t| t.level == "department")
    {
        let code = t.key.trim_start_matches("DEP-");
        let mut values = Map::new();
        let mut dates = Map::new();
        for (i, l) in LAYERS.iter().enumerate() {
            if let Some(v) = t.latest[l.id]["value"].as_f64() {
                present[i] = true;
                values.insert(l.id.into(), json!(v));
                dates.insert(l.id.into(), t.latest[l.id]["date"].clone());
            }
        }
        deps.insert(
            code.into(),
            json!({"key": t.key, "name": t.name, "values": values, "dates": dates}),
        );
    }
    let layers: Vec<Value> = LAYERS
        .iter()
        .zip(&present)
        .filter(|(_, p)| **p)
        .map(|(l, _)| {
            json!({"id": l.id, "label_fr": l.fr, "label_en": l.en, "unit": l.unit,
                   "thresholds": l.thresholds, "reverse": l.id.starts_with("vaccination")})
        })
        .collect();
    json!({"release_id": release.id(), "colours": COLOURS, "layers": layers, "departments": deps})
}

/// Reads the full JSON of a territory (every series).
pub fn territory_full(release: &Release, key: &str) -> Option<Value> {
    release.territory(key)?;
    let bytes = std::fs::read(
        release
            .dir
            .join("open-data/territories")
            .join(format!("{key}.json")),
    )
    .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `{"key", "charts": {stem: {"series": {id: {"start", "values"}}}}}`: the series of every
/// chart of a territory (breakdown `all`).
pub fn charts_json(release: &Release, key: &str) -> Option<Value> {
    let full = territory_full(release, key)?;
    let mut charts = Map::new();
    for (stem, _, _, ids) in CHARTS {
        let mut series = Map::new();
        for id in ids {
            let s = &full["indicators"][*id]["all"];
            if s["values"].is_array() {
                series.insert((*id).into(), s.clone());
            }
        }
        if !series.is_empty() {
            charts.insert(stem.into(), json!({"series": series}));
        }
    }
    Some(json!({"key": key, "release_id": release.id(), "charts": charts}))
}

/// Adds `days` to an ISO date (proleptic Gregorian), for the data tables.
pub fn add_days(iso: &str, days: i64) -> Option<String> {
    let y: i64 = iso.get(0..4)?.parse().ok()?;
    let m: i64 = iso.get(5..7)?.parse().ok()?;
    let d: i64 = iso.get(8..10)?.parse().ok()?;
    // Days from civil (H. Hinnant).
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let z = era * 146_097 + doe + days;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Keeps the points of a ring at least `tol` degrees from the previous kept point (radial
/// distance simplification), rounded to 3 decimals (≈ 100 m); a ring keeps at least 4 points
/// and stays closed.
fn simplify_ring(ring: &[Value], tol: f64) -> Vec<Value> {
    let pts: Vec<(f64, f64)> = ring
        .iter()
        .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
        .collect();
    let r = |x: f64| (x * 1000.0).round() / 1000.0;
    let mut kept: Vec<(f64, f64)> = Vec::new();
    for (i, &(x, y)) in pts.iter().enumerate() {
        let last = i + 1 == pts.len();
        match kept.last() {
            Some(&(kx, ky)) if !last && ((x - kx).powi(2) + (y - ky).powi(2)).sqrt() < tol => {}
            _ => kept.push((r(x), r(y))),
        }
    }
    if kept.len() < 4 {
        kept = pts.iter().map(|&(x, y)| (r(x), r(y))).collect();
    }
    kept.into_iter().map(|(x, y)| json!([x, y])).collect()
}

/// Simplifies the outlines for the browser map (about 1 km tolerance, 3 decimals) and keeps
/// only `code` and `nom` of the properties.
pub fn simplify_geojson(text: &str) -> Option<String> {
    let mut v: Value = serde_json::from_str(text).ok()?;
    const TOL: f64 = 0.01;
    for f in v["features"].as_array_mut()? {
        let g = &mut f["geometry"];
        let polygons: Vec<&mut Value> = match g["type"].as_str() {
            Some("Polygon") => vec![&mut g["coordinates"]],
            Some("MultiPolygon") => g["coordinates"]
                .as_array_mut()
                .map(|a| a.iter_mut().collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for poly in polygons {
            if let Some(rings) = poly.as_array_mut() {
                for ring in rings.iter_mut() {
                    if let Some(pts) = ring.as_array() {
                        *ring = Value::Array(simplify_ring(pts, TOL));
                    }
                }
            }
        }
        let p = &f["properties"];
        f["properties"] = json!({"code": p["code"], "nom": p["nom"]});
    }
    serde_json::to_string(&v).ok()
}

/// Where the department outlines of a release are: `geo/departements.geojson` in the release
/// when the build put it there, else the geometry file listed in its provenance, looked up in
/// the data directory's `sources/` or `demo-sources/`.
pub fn geo_path(release: &Release) -> Option<PathBuf> {
    let own = release.dir.join("geo/departements.geojson");
    if own.is_file() {
        return Some(own);
    }
    let root = release.dir.parent()?;
    let file = release.sources["files"]
        .as_array()?
        .iter()
        .find(|f| f["source"] == "geometry-departements")?["file"]
        .as_str()?
        .to_string();
    if file.contains("..") || Path::new(&file).is_absolute() {
        return None;
    }
    ["sources", "demo-sources"]
        .iter()
        .map(|d| root.join(d).join(&file))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_geojson() {
        assert_eq!(add_days("2020-02-28", 1).as_deref(), Some("2020-02-29"));
        assert_eq!(add_days("2021-12-31", 1).as_deref(), Some("2022-01-01"));
        assert_eq!(add_days("2021-03-01", -1).as_deref(), Some("2021-02-28"));
        let g = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"07","nom":"Ardèche","x":1},"geometry":{"type":"Polygon","coordinates":[[[4.123456,44.987654],[4.2,45.0],[4.3,44.9],[4.123456,44.987654]]]}}]}"#;
        let s = simplify_geojson(g).unwrap_or_default();
        assert!(s.contains("[4.123,44.988]"), "{s}");
        assert!(s.contains("[4.3,44.9]"), "{s}");
        assert!(!s.contains("\"x\""));
        assert!(simplify_geojson("not json").is_none());
    }
}
