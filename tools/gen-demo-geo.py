#!/usr/bin/env python3
"""Generates crates/vigie-demo/data/departements.geojson.gz: the 101 French departments
(metropolitan and overseas, at their real coordinates), simplified for maps at department scale.

Source: ../shared/data/geo/departements-avec-outre-mer.geojson (gregoiredavid/france-geojson,
IGN Admin Express COG 2018 geometry + INSEE codes and names; Licence Ouverte / Etalab).
Simplification: Douglas-Peucker with a tolerance of 0.01 degree (about 1 km) per ring, rings
with fewer than 4 points or an area below 1e-4 square degree dropped (small islets), coordinates
rounded to 3 decimals. The demo dataset writes it among its sources so that the offline demo
has maps; `vigie fetch` downloads the full-resolution file when the network is reachable.

Usage: python3 tools/gen-demo-geo.py [SHARED_DATA_DIR]
"""
import gzip, json, os, sys

TOL = 0.01
MIN_AREA = 1e-4


def perp(p, a, b):
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5


def dp(points):
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        best, idx = 0.0, None
        for k in range(i + 1, j):
            d = perp(points[k], points[i], points[j])
            if d > best:
                best, idx = d, k
        if idx is not None and best > TOL:
            keep[idx] = True
            stack.append((i, idx))
            stack.append((idx, j))
    return [p for p, k in zip(points, keep) if k]


def area(ring):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))) / 2


def ring(r):
    s = dp(r)
    s = [[round(x, 3), round(y, 3)] for x, y in s]
    out = []
    for p in s:
        if not out or out[-1] != p:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 and area(out) >= MIN_AREA else None


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/data")
    src = json.load(open(os.path.join(shared, "geo/departements-avec-outre-mer.geojson")))
    feats = []
    for f in sorted(src["features"], key=lambda f: f["properties"]["code"]):
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        out = []
        for poly in polys:
            rings = [ring(r) for r in poly]
            if rings and rings[0]:
                out.append([r for r in rings if r])
        if not out:  # keep at least the largest polygon
            big = max(polys, key=lambda p: area(p[0]))
            out = [[[[round(x, 3), round(y, 3)] for x, y in big[0]]]]
        feats.append({"type": "Feature",
                      "properties": {"code": f["properties"]["code"], "nom": f["properties"]["nom"]},
                      "geometry": {"type": "MultiPolygon", "coordinates": out}})
    text = json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"), ensure_ascii=False)
    dest = os.path.join(os.path.dirname(__file__), "../crates/vigie-demo/data/departements.geojson.gz")
    with open(dest, "wb") as fh:
        fh.write(gzip.compress(text.encode(), mtime=0))
    print(f"{len(feats)} departments, {len(text)} bytes, {os.path.getsize(dest)} gzipped -> {dest}")


main()
