#!/usr/bin/env python3
"""Generates crates/vigie-finder/data/places.csv.gz: the commune table behind place search and
autocomplete (INSEE code, name, department, postcodes, latitude, longitude, population).

Inputs (read in place, never copied into the repository):
  - @etalab/decoupage-administratif 6.0.0 `communes.json.gz` (INSEE COG 2026: names, departments,
    postcodes, populations); only `commune-actuelle` rows of the 101 departments, plus the
    municipal arrondissements of Paris, Lyon and Marseille;
  - La Poste "Base officielle des codes postaux" `laposte_hexasmal.csv.gz` (coordinates): the mean of
    the `coordonnees_gps` of every row of an INSEE code.
A commune without coordinates of its own (new communes, Paris/Lyon/Marseille) takes the mean of
its municipal arrondissements, else of its delegated/associated communes; communes still without
coordinates are dropped (their number is printed).

The department table of departements.json is not generated here: it comes from vigie-core's
territory reference.

Usage: python3 tools/gen-places.py [SHARED_DATA_DIR]   (default ../shared/data)
Output is deterministic (sorted by INSEE code, coordinates rounded to 3 decimals (about 100 m), gzip mtime 0).
"""
import csv
import gzip
import io
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
ref = os.path.join(root, "reference")
out = os.path.join(os.path.dirname(__file__), "..", "crates", "vigie-finder", "data", "places.csv.gz")

deps = set()
with open(os.path.join(ref, "departements-france.csv"), encoding="utf-8") as f:
    for row in csv.DictReader(f):
        if row["code_departement"] != "om":
            deps.add(row["code_departement"])

coords = {}
with gzip.open(os.path.join(ref, "laposte_hexasmal.csv.gz"), "rt", encoding="utf-8") as f:
    for row in csv.DictReader(f, delimiter=";"):
        gps = (row.get("coordonnees_gps") or "").strip()
        if not gps:
            continue
        lat, lon = (float(x) for x in gps.split(","))
        coords.setdefault(row["Code_commune_INSEE"], []).append((lat, lon))
mean = {k: (sum(p[0] for p in v) / len(v), sum(p[1] for p in v) / len(v)) for k, v in coords.items()}

communes = json.load(gzip.open(os.path.join(ref, "npm-etalab-decoupage-administratif-6.0.0", "communes.json.gz")))
children = {}
for c in communes:
    parent = c.get("commune") or c.get("chefLieu")
    if c["type"] != "commune-actuelle" and parent and c["code"] in mean:
        children.setdefault(parent, []).append(mean[c["code"]])

rows = []
dropped = []
for c in communes:
    if c["type"] not in ("commune-actuelle", "arrondissement-municipal"):
        continue
    if c.get("departement") not in deps:
        continue
    code = c["code"]
    pos = mean.get(code)
    if pos is None and children.get(code):
        ch = children[code]
        pos = (sum(p[0] for p in ch) / len(ch), sum(p[1] for p in ch) / len(ch))
    if pos is None:
        dropped.append(code)
        continue
    rows.append((code, c["nom"], c["departement"], " ".join(c.get("codesPostaux", [])),
                 f"{pos[0]:.3f}", f"{pos[1]:.3f}", str(c.get("population", 0)),
                 "1" if c["type"] == "arrondissement-municipal" else "0"))
rows.sort()

buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(["insee", "name", "department", "postcodes", "latitude", "longitude", "population", "arrondissement"])
w.writerows(rows)
data = buf.getvalue().encode("utf-8")
with open(out, "wb") as f:
    with gzip.GzipFile(filename="places.csv", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
        g.write(data)
print(f"{len(rows)} places ({len(data)} bytes, {os.path.getsize(out)} gzipped); dropped without coordinates: {len(dropped)} {dropped[:10]}")
