//! The small JSON documents the pages' scripts read: latest values per department for the map
//! layers, the series of a territory's charts, and the simplified department outlines.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::release::Release;
use vigie_contracts::release::DataStatus;

/// A department on the interactive map.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MapDepartment {
    /// Territory key (`DEP-07`).
    pub key: String,
    /// Name.
    pub name: String,
}

/// `/api/v1/map`: the interactive layers (the build's map specs, `charts/maps/<id>.json`, with
/// the static maps' classes, colours, legend labels and date) and the departments.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MapDoc {
    /// Release id.
    pub release_id: String,
    /// Demonstration data (the release's, or any layer's).
    pub demo: bool,
    /// `demo` or `official`.
    pub data_status: DataStatus,
    /// Layers in the order of the layer switch (`vigie.map.v1` specs).
    pub layers: Vec<vigie_contracts::MapSpec>,
    /// Department code → key and name.
    pub departments: BTreeMap<String, MapDepartment>,
}

/// The interactive map layers of a release, in catalogue order.
pub fn map_layers(release: &Release) -> Vec<vigie_contracts::MapSpec> {
    release
        .presentation
        .map_layer
        .iter()
        .filter(|l| l.interactive)
        .filter_map(|l| release.map_spec(&l.indicator))
        .collect()
}

/// The document of the interactive map.
pub fn map_json(release: &Release, status: DataStatus) -> MapDoc {
    let departments = release
        .territories
        .iter()
        .filter(|t| t.level == "department")
        .map(|t| {
            (
                t.key.trim_start_matches("DEP-").to_string(),
                MapDepartment {
                    key: t.key.clone(),
                    name: t.name.clone(),
                },
            )
        })
        .collect();
    let layers = map_layers(release);
    let status = DataStatus::from_demo(status.is_demo() || layers.iter().any(|l| l.demo));
    MapDoc {
        release_id: release.id().to_string(),
        demo: status.is_demo(),
        data_status: status,
        layers,
        departments,
    }
}

/// `/api/v1/charts/{key}`: every chart spec of a territory, in display order.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ChartsDoc {
    /// Territory key.
    pub key: String,
    /// Release id.
    pub release_id: String,
    /// Demonstration data.
    pub demo: bool,
    /// `demo` or `official`.
    pub data_status: DataStatus,
    /// The specs (`vigie.chart.v1`), in display order.
    pub charts: Vec<vigie_contracts::ChartSpec>,
}

/// The chart specs of a territory shown on a page (`None`: every page), in catalogue order.
pub fn chart_specs(
    release: &Release,
    key: &str,
    page: Option<vigie_contracts::presentation::ChartPage>,
) -> Vec<vigie_contracts::ChartSpec> {
    let Some(ids) = release.chart_index.charts.get(key) else {
        return Vec::new();
    };
    release
        .presentation
        .chart
        .iter()
        .filter(|c| page.is_none_or(|p| c.page == p))
        .filter(|c| ids.contains(&c.id))
        .filter_map(|c| release.chart_spec(key, &c.id))
        .collect()
}

/// The document of `/api/v1/charts/{key}`.
pub fn charts_json(release: &Release, key: &str, status: DataStatus) -> Option<ChartsDoc> {
    release.territory(key)?;
    Some(ChartsDoc {
        key: key.to_string(),
        release_id: release.id().to_string(),
        demo: status.is_demo(),
        data_status: status,
        charts: chart_specs(release, key, None),
    })
}

/// Reads the full document of a territory (every series).
pub fn territory_full(
    release: &Release,
    key: &str,
) -> Option<vigie_contracts::release::TerritoryFile> {
    release.territory_file(key)
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
    let file = release
        .sources
        .files
        .iter()
        .find(|f| f.source.as_deref() == Some("geometry-departements"))?
        .file
        .clone();
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
