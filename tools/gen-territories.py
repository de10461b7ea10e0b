#!/usr/bin/env python3
"""Regenerate crates/vigie-core/data/territories.csv, the embedded territory reference.

Source: the npm package @etalab/decoupage-administratif (COG millésime 2026, licence
Ouverte for the data), read in place from ../shared/data/reference/ or $VIGIE_SHARED_DATA.
Department populations are the sums of the INSEE "population municipale" of their current
communes as published in that package; regions and France are sums of their departments.

Usage: python3 tools/gen-territories.py > crates/vigie-core/data/territories.csv
"""
import collections, gzip, json, os, sys

root = os.environ.get("VIGIE_SHARED_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
pkg = os.path.join(root, "reference", "npm-etalab-decoupage-administratif-6.0.0")
deps = json.load(open(os.path.join(pkg, "departements.json"), encoding="utf-8"))
regs = json.load(open(os.path.join(pkg, "regions.json"), encoding="utf-8"))
communes = json.load(gzip.open(os.path.join(pkg, "communes.json.gz"), "rt", encoding="utf-8"))

pop = collections.Counter()
for c in communes:
    if c["type"] == "commune-actuelle" and c.get("population"):
        pop[c["departement"]] += c["population"]

deps = [d for d in deps if d["zone"] in ("metro", "drom")]
assert len(deps) == 101, len(deps)
reg_codes = sorted({d["region"] for d in deps})
assert len(reg_codes) == 18, reg_codes
reg_names = {r["code"]: r["nom"] for r in regs}

out = sys.stdout
out.write("level,code,name,region,population\n")
def q(s):
    return '"' + s.replace('"', '""') + '"' if ("," in s or '"' in s) else s
total = sum(pop[d["code"]] for d in deps)
out.write(f"country,FR,France,,{total}\n")
for r in reg_codes:
    rp = sum(pop[d["code"]] for d in deps if d["region"] == r)
    out.write(f"region,{r},{q(reg_names[r])},,{rp}\n")
def key(d):
    c = d["code"]
    return (len(c) == 3, c.replace("2A", "20A").replace("2B", "20B"))
for d in sorted(deps, key=key):
    out.write(f"department,{d['code']},{q(d['nom'])},{d['region']},{pop[d['code']]}\n")
