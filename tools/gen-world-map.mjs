// Converts world-atlas countries-50m.json (TopoJSON) to the GeoJSON world map of vigie-web.
// Run by tools/gen-world-map.sh (which installs topojson-client and topojson-simplify in a
// scratch directory and runs this file from there); not meant to be run by hand.
//
// usage: node gen-world-map.mjs COUNTRIES_50M_JSON COUNTRIES_CSV OUT_GEOJSON [MIN_WEIGHT]
//
// - simplification: topojson-simplify presimplify (planar triangle areas, in squared degrees)
//   then simplify(MIN_WEIGHT), on the shared arcs, so borders stay shared;
// - features joined to countries.csv on the ISO 3166-1 numeric id (world-atlas ids are these),
//   Kosovo (no id in Natural Earth) by its name; features with the same key are merged
//   (Australia + Ashmore and Cartier Islands both carry 036);
// - features without id or whose id is not in countries.csv are dropped and listed on stderr;
// - overseas parts kept inside France's and the Netherlands' features (GUF, GLP, MTQ, REU, MYT,
//   BES) are split out as features of their own (SPLIT below);
// - a territory that simplification would erase keeps its full-detail outline; one still too
//   small for 2-decimal coordinates is dropped and listed;
// - world-atlas geometry is spherical (d3-geo): polygons cross the antimeridian (Russia, Fiji…)
//   and Antarctica's ring has no edge along the pole. For planar map libraries (Leaflet) and
//   RFC 7946, each feature is run through d3-geo-projection's geoProject with an identity-scaled
//   equirectangular projection (x = longitude, y = latitude, no resampling), which cuts at the
//   antimeridian and closes Antarctica along the pole; rings are then rewound to RFC 7946
//   (exterior counter-clockwise);
// - coordinates rounded to 2 decimals, repeated points and degenerate rings removed;
// - properties exactly {key, name_fr, name_en}; features sorted by key; one feature a line.
import fs from "node:fs";
import * as client from "topojson-client";
import * as simplify from "topojson-simplify";
import { geoEquirectangular } from "d3-geo";
import { geoProject } from "d3-geo-projection";

const [, , topoPath, csvPath, outPath, minWeightArg] = process.argv;
const MIN_WEIGHT = Number(minWeightArg ?? "0.01");
const BY_NAME = { Kosovo: "ISO-XKX" }; // Natural Earth features without an ISO numeric id
// Natural Earth's admin-0 "countries" keep some overseas territories inside their country's
// feature; countries.csv (and the sources) have them apart. A polygon of the feature whose
// exterior ring's centre falls in the box [west, south, east, north] becomes that territory.
const SPLIT = {
  "ISO-FRA": [
    ["ISO-GUF", [-55, 1.5, -51, 6.5]],      // Guyane
    ["ISO-GLP", [-62, 15.8, -61, 16.6]],    // Guadeloupe (Basse-Terre, Grande-Terre)
    ["ISO-MTQ", [-61.3, 14.3, -60.7, 15]],  // Martinique
    ["ISO-REU", [55, -21.5, 56, -20.7]],    // La Réunion
    ["ISO-MYT", [44.9, -13.1, 45.4, -12.5]], // Mayotte
  ],
  "ISO-NLD": [["ISO-BES", [-68.6, 11.9, -62.8, 17.8]]], // Bonaire (Saba, Sint Eustatius absent at 1:50m)
};

function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else if (ch !== "\r") field += ch;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}

const countries = parseCsv(fs.readFileSync(csvPath, "utf8"));
const byKey = new Map(countries.map((c) => [c.key, c]));
const byNumeric = new Map(countries.filter((c) => c.numeric).map((c) => [c.numeric, c]));

const original = JSON.parse(fs.readFileSync(topoPath, "utf8"));
const topo = simplify.simplify(simplify.presimplify(JSON.parse(JSON.stringify(original))), MIN_WEIGHT);

const groups = new Map(); // key -> geometries
const dropped = [];
const byNameUsed = [];
for (const g of topo.objects.countries.geometries) {
  const name = g.properties?.name ?? "";
  let key = g.id !== undefined ? byNumeric.get(g.id)?.key : undefined;
  if (!key && BY_NAME[name] && byKey.has(BY_NAME[name])) {
    key = BY_NAME[name];
    byNameUsed.push(`${name} (id ${g.id ?? "none"}) -> ${key}`);
  }
  if (!key) { dropped.push(`${name} (id ${g.id ?? "none"})`); continue; }
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(g);
}

const r2 = (x) => Math.round(x * 100) / 100;
function cleanRing(ring) {
  const out = [];
  for (const [x, y] of ring) {
    const p = [r2(x), r2(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  // a closed ring needs at least 3 distinct points + the closing one
  return out.length >= 4 ? out : null;
}
function cleanPolygon(rings) {
  const outer = cleanRing(rings[0]);
  if (!outer) return null;
  return [outer, ...rings.slice(1).map(cleanRing).filter(Boolean)];
}
function cleanGeometry(geom) {
  const polys = geom.type === "Polygon" ? [geom.coordinates]
    : geom.type === "MultiPolygon" ? geom.coordinates : [];
  const kept = polys.map(cleanPolygon).filter(Boolean);
  if (kept.length === 0) return null;
  return kept.length === 1 ? { type: "Polygon", coordinates: kept[0] }
    : { type: "MultiPolygon", coordinates: kept };
}

// x = longitude, y = latitude in degrees; precision 0 = no adaptive resampling
const planar = geoEquirectangular().scale(180 / Math.PI).translate([0, 0]).reflectY(true).precision(0);
function ringArea(ring) {
  let a = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}
function rewind(geom) {
  const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.coordinates;
  for (const p of polys) {
    p.forEach((ring, i) => {
      const ccw = ringArea(ring) > 0;
      if ((i === 0) !== ccw) ring.reverse();
    });
  }
  return geom;
}
function geometryOf(t, geoms) {
  const spherical = geoms.length === 1 ? client.feature(t, geoms[0]).geometry : client.merge(t, geoms);
  const projected = geoProject({ type: "Feature", properties: {}, geometry: spherical }, planar).geometry;
  const g = projected && cleanGeometry(projected);
  return g && rewind(g);
}
const originalOf = new Map(original.objects.countries.geometries.map((g, i) => [i, g]));
const split = [];
function splitOut(key, geometry) {
  const rules = (SPLIT[key] ?? []).filter(([k]) => byKey.has(k));
  if (rules.length === 0) return [[key, geometry]];
  const polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  const parts = new Map([[key, []]]);
  for (const p of polys) {
    const xs = p[0].map((q) => q[0]), ys = p[0].map((q) => q[1]);
    const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
    const hit = rules.find(([, [w, s, e, n]]) => cx >= w && cx <= e && cy >= s && cy <= n);
    const k = hit ? hit[0] : key;
    if (!parts.has(k)) parts.set(k, []);
    parts.get(k).push(p);
  }
  for (const [k] of rules) if (!parts.has(k)) split.push(`${k}: not found in ${key}`);
  const out = [];
  for (const [k, ps] of parts) {
    if (ps.length === 0) continue;
    if (k !== key) split.push(`${k} (${ps.length} polygon${ps.length > 1 ? "s" : ""}) out of ${key}`);
    out.push([k, ps.length === 1 ? { type: "Polygon", coordinates: ps[0] } : { type: "MultiPolygon", coordinates: ps }]);
  }
  return out;
}
const features = [];
const vanished = [];
const unsimplified = [];
const merged = [];
for (const key of [...groups.keys()].sort()) {
  const geoms = groups.get(key);
  if (geoms.length > 1) merged.push(`${key}: ${geoms.map((g) => g.properties?.name).join(" + ")}`);
  let geometry = geometryOf(topo, geoms);
  if (!geometry) {
    // a small territory that simplification reduced to nothing: keep its full-detail outline
    const idx = geoms.map((g) => topo.objects.countries.geometries.indexOf(g));
    geometry = geometryOf(original, idx.map((i) => originalOf.get(i)));
    if (geometry) unsimplified.push(key);
  }
  if (!geometry) { vanished.push(key); continue; }
  for (const [k, g] of splitOut(key, geometry)) {
    const c = byKey.get(k);
    features.push({ type: "Feature", properties: { key: k, name_fr: c.name_fr, name_en: c.name_en }, geometry: g });
  }
}
features.sort((a, b) => (a.properties.key < b.properties.key ? -1 : 1));

const text = '{"type":"FeatureCollection","features":[\n'
  + features.map((f) => JSON.stringify(f)).join(",\n") + "\n]}\n";
fs.writeFileSync(outPath, text);

const log = (s) => process.stderr.write(s + "\n");
log(`wrote ${outPath}: ${features.length} features, ${Buffer.byteLength(text)} bytes (min weight ${MIN_WEIGHT})`);
log(`joined by name: ${byNameUsed.join("; ") || "none"}`);
log(`merged: ${merged.join("; ") || "none"}`);
log(`split: ${split.join("; ") || "none"}`);
log(`dropped (no id, or id not in countries.csv) ${dropped.length}: ${dropped.join("; ")}`);
log(`kept unsimplified (simplification erased them) ${unsimplified.length}: ${unsimplified.join(" ") || "none"}`);
log(`too small for 2-decimal coordinates (dropped) ${vanished.length}: ${vanished.join(" ") || "none"}`);
const onMap = new Set(features.map((f) => f.properties.key));
const absent = countries.filter((c) => c.kind === "country" && !onMap.has(c.key)).map((c) => c.key);
log(`countries.csv countries not on the map ${absent.length}: ${absent.join(" ")}`);
