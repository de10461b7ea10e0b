//! GeoJSON parsing, projection and simplification of territory shapes.
//!
//! Shapes are projected once, at parse time, to kilometres with the y axis pointing down (SVG
//! convention): metropolitan France (and Corsica) with a Lambert conformal conic projection on
//! the Lambert-93 parameters (standard parallels 44° N and 49° N, origin 46.5° N 3° E, spherical
//! Earth), every far-away territory (overseas departments and regions) with its own local
//! equirectangular projection, so that it can be drawn in an inset. Rings are then simplified
//! with Douglas–Peucker at 0.2 km, far below what a map a few hundred pixels wide can show.

use serde_json::Value;

use crate::ChartError;

/// Earth radius in km (spherical model).
const EARTH_RADIUS_KM: f64 = 6371.0;
/// Parse-time simplification tolerance in km.
const PARSE_TOLERANCE_KM: f64 = 0.2;

/// Axis-aligned bounding box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BBox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl BBox {
    pub(crate) const EMPTY: BBox = BBox {
        min_x: f64::INFINITY,
        min_y: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        max_y: f64::NEG_INFINITY,
    };

    pub(crate) fn add(&mut self, p: [f64; 2]) {
        self.min_x = self.min_x.min(p[0]);
        self.min_y = self.min_y.min(p[1]);
        self.max_x = self.max_x.max(p[0]);
        self.max_y = self.max_y.max(p[1]);
    }

    pub(crate) fn union(&mut self, other: &BBox) {
        self.min_x = self.min_x.min(other.min_x);
        self.min_y = self.min_y.min(other.min_y);
        self.max_x = self.max_x.max(other.max_x);
        self.max_y = self.max_y.max(other.max_y);
    }

    pub(crate) fn is_empty(&self) -> bool {
        !(self.min_x <= self.max_x && self.min_y <= self.max_y)
    }

    pub(crate) fn width(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.max_x - self.min_x
        }
    }

    pub(crate) fn height(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.max_y - self.min_y
        }
    }
}

/// One territory: projected rings (km, y down).
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub code: String,
    pub name: String,
    /// Drawn in an inset (far from metropolitan France).
    pub inset: bool,
    /// All ring points, ring after ring (rings are implicitly closed: the closing point is not
    /// stored).
    pub points: Vec<[f64; 2]>,
    /// End index (exclusive) of each ring in `points`.
    pub ring_ends: Vec<usize>,
    pub bbox: BBox,
}

impl Shape {
    /// The rings as slices.
    pub(crate) fn rings(&self) -> impl Iterator<Item = &[[f64; 2]]> {
        let mut start = 0;
        self.ring_ends.iter().map(move |&end| {
            let ring = &self.points[start..end];
            start = end;
            ring
        })
    }
}

/// Territory shapes (departments or regions) parsed once from a GeoJSON FeatureCollection, ready
/// to be drawn by [`render_choropleth`](crate::render_choropleth) many times.
///
/// Each feature needs `properties.code` (string or number, e.g. `"01"`, `"2A"`, `"971"`),
/// optionally `properties.nom`, and a `Polygon` or `MultiPolygon` geometry in WGS84 lon/lat.
/// Territories whose centre lies outside metropolitan France (overseas) are drawn as insets.
#[derive(Debug, Clone)]
pub struct GeoShapes {
    pub(crate) shapes: Vec<Shape>,
    /// Bounding box of the non-inset shapes.
    pub(crate) main_bbox: BBox,
}

fn invalid(msg: impl Into<String>) -> ChartError {
    ChartError::InvalidGeoJson(msg.into())
}

/// Raw lon/lat rings of one feature.
struct RawFeature {
    code: String,
    name: String,
    rings: Vec<Vec<[f64; 2]>>,
    lonlat: BBox,
}

impl GeoShapes {
    /// Parses a GeoJSON `FeatureCollection` (see the type documentation for what is expected).
    pub fn from_geojson(text: &str) -> Result<GeoShapes, ChartError> {
        let root: Value = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
            return Err(invalid("the root object is not a FeatureCollection"));
        }
        let Some(features) = root.get("features").and_then(Value::as_array) else {
            return Err(invalid("missing \"features\" array"));
        };
        let mut raws = Vec::with_capacity(features.len());
        for (i, feature) in features.iter().enumerate() {
            raws.push(parse_feature(feature).map_err(|e| invalid(format!("feature {i}: {e}")))?);
        }

        // Far-away territories go to insets, unless nothing is metropolitan.
        let is_far = |r: &RawFeature| {
            let lon = (r.lonlat.min_x + r.lonlat.max_x) / 2.0;
            let lat = (r.lonlat.min_y + r.lonlat.max_y) / 2.0;
            !((-6.0..=11.0).contains(&lon) && (41.0..=52.0).contains(&lat))
        };
        let any_metro = raws.iter().any(|r| !is_far(r));
        let main_projection = if any_metro {
            Projection::lambert93()
        } else {
            let mut all = BBox::EMPTY;
            for r in &raws {
                all.union(&r.lonlat);
            }
            Projection::local(&all)
        };

        let mut shapes = Vec::with_capacity(raws.len());
        let mut main_bbox = BBox::EMPTY;
        let mut scratch = Scratch::default();
        for raw in raws {
            let inset = any_metro && is_far(&raw);
            let projection = if inset {
                Projection::local(&raw.lonlat)
            } else {
                main_projection
            };
            let mut points = Vec::new();
            let mut ring_ends = Vec::with_capacity(raw.rings.len());
            let mut bbox = BBox::EMPTY;
            for ring in &raw.rings {
                scratch.projected.clear();
                scratch
                    .projected
                    .extend(ring.iter().map(|p| projection.project(*p)));
                let before = points.len();
                simplify_ring(
                    &scratch.projected,
                    PARSE_TOLERANCE_KM,
                    &mut scratch.dp,
                    &mut points,
                );
                if points.len() - before < 3 {
                    // Keep tiny rings unsimplified: they may be the whole territory.
                    points.truncate(before);
                    points.extend(open_ring(&scratch.projected).iter().copied());
                }
                for p in &points[before..] {
                    bbox.add(*p);
                }
                ring_ends.push(points.len());
            }
            if !inset {
                main_bbox.union(&bbox);
            }
            shapes.push(Shape {
                code: raw.code,
                name: raw.name,
                inset,
                points,
                ring_ends,
                bbox,
            });
        }
        Ok(GeoShapes { shapes, main_bbox })
    }

    /// Territory codes, in file order.
    pub fn codes(&self) -> Vec<String> {
        self.shapes.iter().map(|s| s.code.clone()).collect()
    }

    /// Display name (`properties.nom`) of a territory.
    pub fn name(&self, code: &str) -> Option<&str> {
        self.shapes
            .iter()
            .find(|s| s.code == code)
            .map(|s| s.name.as_str())
    }

    /// Number of territories.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// No territory at all.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// Codes of the territories drawn as insets (overseas), in file order.
    pub fn inset_codes(&self) -> Vec<String> {
        self.shapes
            .iter()
            .filter(|s| s.inset)
            .map(|s| s.code.clone())
            .collect()
    }

    /// Total number of stored (simplified) vertices, useful to check the cost of a map.
    pub fn vertex_count(&self) -> usize {
        self.shapes.iter().map(|s| s.points.len()).sum()
    }
}

fn parse_feature(feature: &Value) -> Result<RawFeature, String> {
    let props = feature.get("properties").ok_or("no properties")?;
    let code = match props.get("code") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err("missing properties.code".into()),
    };
    let name = props
        .get("nom")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(&code)
        .to_owned();
    let geometry = feature.get("geometry").ok_or("no geometry")?;
    let coords = geometry
        .get("coordinates")
        .ok_or("geometry without coordinates")?;
    let mut rings = Vec::new();
    match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => parse_polygon(coords, &mut rings)?,
        Some("MultiPolygon") => {
            for polygon in coords
                .as_array()
                .ok_or("MultiPolygon coordinates are not an array")?
            {
                parse_polygon(polygon, &mut rings)?;
            }
        }
        other => {
            return Err(format!(
                "unsupported geometry type {other:?} (Polygon or MultiPolygon expected)"
            ));
        }
    }
    let mut lonlat = BBox::EMPTY;
    for p in rings.iter().flatten() {
        lonlat.add(*p);
    }
    if lonlat.is_empty() {
        return Err(format!("territory {code} has no coordinates"));
    }
    Ok(RawFeature {
        code,
        name,
        rings,
        lonlat,
    })
}

fn parse_polygon(polygon: &Value, rings: &mut Vec<Vec<[f64; 2]>>) -> Result<(), String> {
    for ring in polygon
        .as_array()
        .ok_or("Polygon coordinates are not an array")?
    {
        let ring = ring.as_array().ok_or("ring is not an array")?;
        let mut points = Vec::with_capacity(ring.len());
        for position in ring {
            let lon = position.get(0).and_then(Value::as_f64);
            let lat = position.get(1).and_then(Value::as_f64);
            match (lon, lat) {
                (Some(lon), Some(lat)) if lon.is_finite() && lat.is_finite() => {
                    points.push([lon.clamp(-180.0, 180.0), lat.clamp(-89.0, 89.0)]);
                }
                _ => return Err("invalid position".into()),
            }
        }
        if points.len() >= 3 {
            rings.push(points);
        }
    }
    Ok(())
}

/// A map projection to km, y pointing down.
#[derive(Debug, Clone, Copy)]
enum Projection {
    /// Spherical Lambert conformal conic.
    Lambert {
        n: f64,
        f: f64,
        rho0: f64,
        lon0: f64,
    },
    /// Equirectangular around a centre.
    Local { lon0: f64, cos_lat0: f64 },
}

impl Projection {
    /// Lambert-93 parameters (secant at 44° N and 49° N, origin 46.5° N, 3° E).
    fn lambert93() -> Projection {
        let (phi1, phi2, phi0) = (44f64.to_radians(), 49f64.to_radians(), 46.5f64.to_radians());
        let t = |phi: f64| (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan();
        let n = (phi1.cos() / phi2.cos()).ln() / (t(phi2) / t(phi1)).ln();
        let f = phi1.cos() * t(phi1).powf(n) / n;
        let rho0 = f / t(phi0).powf(n);
        Projection::Lambert {
            n,
            f,
            rho0,
            lon0: 3f64.to_radians(),
        }
    }

    fn local(lonlat: &BBox) -> Projection {
        let lat0 = ((lonlat.min_y + lonlat.max_y) / 2.0).to_radians();
        Projection::Local {
            lon0: (lonlat.min_x + lonlat.max_x) / 2.0,
            cos_lat0: lat0.cos().max(0.01),
        }
    }

    fn project(&self, [lon, lat]: [f64; 2]) -> [f64; 2] {
        match *self {
            Projection::Lambert { n, f, rho0, lon0 } => {
                let phi = lat.to_radians();
                let rho = f / (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().powf(n);
                let theta = n * (lon.to_radians() - lon0);
                let x = rho * theta.sin();
                let y = rho0 - rho * theta.cos();
                [x * EARTH_RADIUS_KM, -y * EARTH_RADIUS_KM]
            }
            Projection::Local { lon0, cos_lat0 } => {
                let k = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;
                [(lon - lon0) * cos_lat0 * k, -lat * k]
            }
        }
    }
}

/// Reusable buffers for simplification.
#[derive(Default)]
pub(crate) struct Scratch {
    pub projected: Vec<[f64; 2]>,
    pub dp: DpScratch,
}

/// Buffers of [`douglas_peucker`].
#[derive(Default)]
pub(crate) struct DpScratch {
    keep: Vec<bool>,
    stack: Vec<(usize, usize)>,
}

/// The ring without its closing point (if it repeats the first one).
fn open_ring(ring: &[[f64; 2]]) -> &[[f64; 2]] {
    match (ring.first(), ring.last()) {
        (Some(a), Some(b)) if ring.len() > 1 && a == b => &ring[..ring.len() - 1],
        _ => ring,
    }
}

/// Simplifies a closed ring with Douglas–Peucker, appending the kept points (without closing
/// point) to `out`.
pub(crate) fn simplify_ring(
    ring: &[[f64; 2]],
    tolerance: f64,
    scratch: &mut DpScratch,
    out: &mut Vec<[f64; 2]>,
) {
    let open = open_ring(ring);
    if open.len() <= 3 {
        out.extend_from_slice(open);
        return;
    }
    // Split the ring at the point farthest from the first one, so that both halves are proper
    // polylines.
    let first = open[0];
    let far = open
        .iter()
        .enumerate()
        .max_by(|a, b| dist2(*a.1, first).total_cmp(&dist2(*b.1, first)))
        .map_or(0, |(i, _)| i);
    scratch.keep.clear();
    scratch.keep.resize(open.len() + 1, false);
    // Indices 0..=n where n stands for the closing point (= index 0).
    let n = open.len();
    let at = |i: usize| if i == n { open[0] } else { open[i] };
    scratch.keep[0] = true;
    scratch.keep[far] = true;
    scratch.keep[n] = true;
    scratch.stack.clear();
    scratch.stack.push((0, far));
    scratch.stack.push((far, n));
    let tol2 = tolerance * tolerance;
    while let Some((a, b)) = scratch.stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (pa, pb) = (at(a), at(b));
        let mut best = (0.0, a);
        for i in a + 1..b {
            let d = seg_dist2(at(i), pa, pb);
            if d > best.0 {
                best = (d, i);
            }
        }
        if best.0 > tol2 {
            scratch.keep[best.1] = true;
            scratch.stack.push((a, best.1));
            scratch.stack.push((best.1, b));
        }
    }
    out.extend(
        open.iter()
            .zip(&scratch.keep)
            .filter(|(_, k)| **k)
            .map(|(p, _)| *p),
    );
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    dx * dx + dy * dy
}

/// Squared distance from `p` to the segment `[a, b]`.
fn seg_dist2(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (vx, vy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = vx * vx + vy * vy;
    if len2 <= 0.0 {
        return dist2(p, a);
    }
    let t = (((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / len2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * vx, a[1] + t * vy])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert_origin_and_orientation() {
        let p = Projection::lambert93();
        let o = p.project([3.0, 46.5]);
        assert!(o[0].abs() < 1e-9 && o[1].abs() < 1e-9, "{o:?}");
        let north = p.project([3.0, 48.5]);
        assert!(north[1] < -200.0, "north is up (negative y): {north:?}");
        let east = p.project([7.0, 46.5]);
        assert!(east[0] > 250.0, "{east:?}");
        // Paris–Marseille ≈ 660 km.
        let paris = p.project([2.35, 48.86]);
        let marseille = p.project([5.37, 43.30]);
        let d = dist2(paris, marseille).sqrt();
        assert!((640.0..680.0).contains(&d), "{d}");
    }

    #[test]
    fn douglas_peucker_keeps_corners() {
        // A square with many collinear points on its edges.
        let mut ring = Vec::new();
        for i in 0..10 {
            ring.push([i as f64, 0.0]);
        }
        for i in 0..10 {
            ring.push([10.0, i as f64]);
        }
        for i in 0..10 {
            ring.push([10.0 - i as f64, 10.0]);
        }
        for i in 0..10 {
            ring.push([0.0, 10.0 - i as f64]);
        }
        ring.push([0.0, 0.0]);
        let mut out = Vec::new();
        simplify_ring(&ring, 0.1, &mut DpScratch::default(), &mut out);
        assert_eq!(
            out,
            vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]
        );
    }

    #[test]
    fn rejects_invalid_geojson() {
        assert!(GeoShapes::from_geojson("not json").is_err());
        assert!(GeoShapes::from_geojson(r#"{"type":"Feature"}"#).is_err());
        let no_code = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#;
        assert!(matches!(
            GeoShapes::from_geojson(no_code),
            Err(ChartError::InvalidGeoJson(_))
        ));
        let point = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"01"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
        let err = GeoShapes::from_geojson(point)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("Point"), "{err}");
        let empty = GeoShapes::from_geojson(r#"{"type":"FeatureCollection","features":[]}"#)
            .expect("empty collection");
        assert!(empty.is_empty());
    }
}
