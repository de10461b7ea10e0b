#!/usr/bin/env python3
"""Check pandas_baseline.py against the test vectors of the reference (§5) on the dep-01 excerpt.

Usage: bench/.venv/bin/python bench/epidemic/selftest.py   (exit status 0 when all match)
The excerpt is copied to a temporary directory outside the repository.
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("VIGIE_SHARED_DATA") or os.path.join(REPO, "..", "shared", "data")
EXCERPT = os.path.join(SHARED, "spf-epidemic", "excerpts", "sp-pos-quot-dep_dep01_2020-05-13_2020-06-09.csv")

# (territory, indicator, breakdown, date) -> value rounded to 4 decimals (reference §5)
EXPECTED = {
    ("DEP-01", "incidence_rate_7d", "all", "2020-05-19"): 6.5453,
    ("DEP-01", "incidence_rate_7d_centred", "all", "2020-05-16"): 6.5453,
    ("DEP-01", "positivity_rate_7d", "all", "2020-05-19"): 1.6306,
    ("DEP-01", "positivity_rate_7d_mean_of_ratios", "all", "2020-05-19"): 1.2989,
    ("DEP-01", "r_effective", "all", "2020-06-09"): 0.8729,
}

with tempfile.TemporaryDirectory(prefix="vigie-selftest-") as tmp:
    os.makedirs(os.path.join(tmp, "sources"))
    shutil.copy(EXCERPT, os.path.join(tmp, "sources", "sp-pos-quot-dep.csv"))
    subprocess.run([sys.executable, os.path.join(HERE, "pandas_baseline.py"), "--sources",
                    os.path.join(tmp, "sources"), "--out", os.path.join(tmp, "out"), "--shared", SHARED],
                   check=True)
    with open(os.path.join(tmp, "out", "open-data", "indicators.csv"), encoding="utf-8") as f:
        got = {(r["territory"], r["indicator"], r["breakdown"], r["date"]): float(r["value"])
               for r in csv.DictReader(f)}
    first_r = min(k[3] for k in got if k[:3] == ("DEP-01", "r_effective", "all"))

failed = 0
for key, want in EXPECTED.items():
    value = got.get(key)
    ok = value is not None and round(value, 4) == want
    failed += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {','.join(key)}: {value} (expected {want})")
ok = first_r == "2020-06-01"  # R is first defined after 20 days
failed += not ok
print(f"{'ok  ' if ok else 'FAIL'} first r_effective date: {first_r} (expected 2020-06-01)")
sys.exit(1 if failed else 0)
