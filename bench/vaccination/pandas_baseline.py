#!/usr/bin/env python3
"""pandas baseline: VaccinTracker-style vaccination indicators, written in Vigie's open-data contract.

Reads from a sources directory (the first file matching each name, `.csv` or `.csv.gz`):
  vacsi-a-dep*   VAC-SI by department x age class: dep;clage_vacsi;jour;n_dose1;n_complet;n_rappel;
                 ...;couv_dose1;couv_complet;couv_rappel (2023 schema; the 2021 schema with
                 n_dose2/couv_dose2 works too; columns selected by name, any measure may be absent)
  dep-pop*       population table dep;departmentPopulation (else reference/dep-pop.csv of the
                 shared data directory)
Writes <out>/open-data/indicators.csv with the header `territory,indicator,breakdown,date,value`
(UTF-8, ISO dates, full-precision values, counts as integers, undefined values omitted).

Computation, as VaccinTracker did it with pandas (shared/reference/spf-data-and-indicators.md
§2.6): departments are summed into regions (reference/departements-france.csv) and France;
each (territory, breakdown) series is sorted by day, then per group:
  vaccination_X           daily value (X = dose1, complete, booster; dose2 with the 2021 schema)
  vaccination_X_cum       cumsum() of the daily values (recomputed, not SPF's n_cum_*)
  vaccination_X_7d_mean   rolling(7).mean() (trailing)
  vaccination_dose1_14d_mean  rolling(14).mean() (trailing)
  spf_vaccination_coverage_X  SPF's couv_* as published, departments only (rates, not summed)
  vaccination_coverage_X  vaccination_X_cum / population x 100, breakdown `all` only; population =
                          dep-pop of the department, sum over its departments for a region and
                          for France.
Windows are over calendar days: a series with a missing day is re-indexed on the full calendar
first, so any window touching the gap is NaN (undefined) — the generated data have no gaps.
Departments absent from the mapping (00, 20, 750, 970, 975, 977, 978, empty codes) are dropped.
clage_vacsi is read as an integer (as VaccinTracker did: `04` -> 4).

Usage: python pandas_baseline.py --sources DIR --out DIR [--shared DIR]
"""
import argparse
import glob
import os
import sys
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

AGE = {0: "all", 4: "age:0-4", 9: "age:5-9", 11: "age:10-11", 17: "age:12-17", 24: "age:18-24",
       29: "age:25-29", 39: "age:30-39", 49: "age:40-49", 59: "age:50-59", 64: "age:60-64",
       69: "age:65-69", 74: "age:70-74", 79: "age:75-79", 80: "age:80+"}
# (daily column, SPF coverage column, indicator stem); each is optional in the file.
MEASURES = [("n_dose1", "couv_dose1", "dose1"), ("n_dose2", "couv_dose2", "dose2"),
            ("n_complet", "couv_complet", "complete"), ("n_rappel", "couv_rappel", "booster")]
MEAN_14D = {"dose1"}
KEYS = ["territory", "breakdown"]
HEADER = ["territory", "indicator", "breakdown", "date", "value"]


# ------------------------------------------------------------------------------------ inputs
def find_source(sources, prefix):
    hits = sorted(p for p in glob.glob(os.path.join(sources, prefix + "*"))
                  if p.endswith((".csv", ".csv.gz")))
    return hits[0] if hits else None


def region_of_department(shared):
    path = os.path.join(shared, "reference", "departements-france.csv")
    ref = pd.read_csv(path, dtype=str)
    ref = ref[ref["code_departement"] != "om"]
    return dict(zip(ref["code_departement"], ref["code_region"]))


def populations(path, dep2reg):
    """{territory: population}: departments from the table, regions and France summed over their
    departments of the mapping (departments of the table outside the mapping, e.g. 977, ignored)."""
    pop = pd.read_csv(path, sep=";", dtype={"dep": str}, encoding="utf-8-sig")
    dep = dict(zip(pop["dep"].str.replace(r"^([1-9])$", r"0\1", regex=True), pop["departmentPopulation"]))
    missing = sorted(d for d in dep2reg if d not in dep)
    if missing:
        print(f"  warning: no population for departments {missing}: their regions and France are undercounted")
    out = {f"DEP-{d}": p for d, p in dep.items() if d in dep2reg}
    reg = pd.Series({d: p for d, p in dep.items() if d in dep2reg}).groupby(dep2reg).sum()
    out |= {f"REG-{r}": p for r, p in reg.items()}
    out["FR"] = reg.sum()
    return out


def to_territories(df, dep2reg, flows, rates):
    """Department rows (flows and rates) plus region and France sums of the flows (rates NaN)."""
    known = df["dep"].isin(list(dep2reg))
    dropped = sorted(df.loc[~known, "dep"].fillna("<missing>").unique())
    df = df[known]
    dep = df[["dep", "breakdown", "date", *flows, *rates]].rename(columns={"dep": "territory"})
    dep["territory"] = "DEP-" + dep["territory"]
    reg = (df.assign(territory="REG-" + df["dep"].map(dep2reg))
           .groupby(["territory", "breakdown", "date"], as_index=False)[flows].sum())
    fra = df.groupby(["breakdown", "date"], as_index=False)[flows].sum()
    fra.insert(0, "territory", "FR")
    return pd.concat([dep, reg, fra], ignore_index=True), dropped


def complete_calendar(df):
    """Sort by (territory, breakdown, date); re-index any series with a missing day on its full
    daily calendar (values NaN on the added days). Duplicated days keep their first row.
    (Copied from bench/epidemic/pandas_baseline.py.)"""
    dup = df.duplicated(KEYS + ["date"])
    if dup.any():
        print(f"  warning: {int(dup.sum())} duplicated (territory, breakdown, date) rows, first kept")
        df = df[~dup]
    df = df.sort_values(KEYS + ["date"], ignore_index=True)
    g = df.groupby(KEYS, sort=False)["date"]
    span = (g.transform("max") - g.transform("min")).dt.days + 1
    gappy = span != g.transform("size")
    if gappy.any():
        parts = [df[~gappy]]
        for (terr, brk), sub in df[gappy].groupby(KEYS, sort=False):
            days = pd.date_range(sub["date"].min(), sub["date"].max(), freq="D")
            full = sub.set_index("date").reindex(days).rename_axis("date").reset_index()
            full["territory"], full["breakdown"] = terr, brk
            parts.append(full[df.columns])
        print(f"  {df[gappy].groupby(KEYS).ngroups} series with missing days re-indexed on the calendar")
        df = pd.concat(parts).sort_values(KEYS + ["date"], ignore_index=True)
    for c in KEYS:
        df[c] = df[c].astype("category")
    return df


def rolling_mean(df, col, window):
    """Per-(territory, breakdown) trailing rolling(window).mean() of a column, aligned with df."""
    r = df.groupby(KEYS, sort=False, observed=True)[col].rolling(window).mean()
    return r.reset_index(level=[0, 1], drop=True)


# ------------------------------------------------------------------------------------ indicators
def indicators(df, present, pop):
    """(name, Series, integer-valued) triples; df gets the cumulative columns."""
    out = []
    only_all = df["breakdown"] == "all"
    p = df["territory"].astype(str).map(pop).astype("float64") if pop else None
    for col, couv, stem in present:
        cum = f"{col}_cum"
        df[cum] = df.groupby(KEYS, sort=False, observed=True)[col].cumsum()
        out += [(f"vaccination_{stem}", df[col], True),
                (f"vaccination_{stem}_cum", df[cum], True),
                (f"vaccination_{stem}_7d_mean", rolling_mean(df, col, 7), False)]
        if stem in MEAN_14D:
            out.append((f"vaccination_{stem}_14d_mean", rolling_mean(df, col, 14), False))
        if couv in df.columns:
            out.append((f"spf_vaccination_coverage_{stem}", df[couv], False))
        if p is not None:
            out.append((f"vaccination_coverage_{stem}", (df[cum] / p * 100).where(only_all), False))
    return out


# ------------------------------------------------------------------------------------ output
def write(df, series, path):
    """Write the indicators of the frame to the CSV; return rows written."""
    n, first = 0, True
    for name, values, integer in series:
        keep = values.notna()
        chunk = df.loc[keep, ["territory", "breakdown", "date"]]
        v = values[keep]
        if integer and v.dtype.kind == "f" and (v == np.floor(v)).all():
            v = v.astype("int64")
        chunk = chunk.assign(indicator=name, value=v)[HEADER]
        chunk.to_csv(path, mode="w" if first else "a", header=first, index=False,
                     encoding="utf-8", lineterminator="\n")
        first = False
        n += len(chunk)
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shared", help="shared data directory (default $VIGIE_SHARED_DATA or <repo>/../shared/data)")
    args = ap.parse_args()
    shared = args.shared or os.environ.get("VIGIE_SHARED_DATA") or os.path.join(REPO, "..", "shared", "data")
    t0 = time.perf_counter()
    dep2reg = region_of_department(shared)
    os.makedirs(os.path.join(args.out, "open-data"), exist_ok=True)
    path = os.path.join(args.out, "open-data", "indicators.csv")
    if os.path.exists(path):
        os.remove(path)

    src = find_source(args.sources, "vacsi-a-dep")
    if not src:
        sys.exit(f"no vacsi-a-dep file found in {args.sources}")
    pop_path = find_source(args.sources, "dep-pop") or os.path.join(shared, "reference", "dep-pop.csv")
    pop = populations(pop_path, dep2reg)
    print(f"populations: {pop_path} ({sum(k.startswith('DEP-') for k in pop)} departments, FR {pop['FR']})")

    raw = pd.read_csv(src, sep=";", dtype={"dep": str})
    rows_in = len(raw)
    raw["dep"] = raw["dep"].str.replace(r"^([1-9])$", r"0\1", regex=True)
    raw["date"] = pd.to_datetime(raw["jour"], format="%Y-%m-%d")
    raw["breakdown"] = raw["clage_vacsi"].map(AGE)
    if raw["breakdown"].isna().any():
        sys.exit(f"{src}: unknown clage_vacsi codes {sorted(raw.loc[raw['breakdown'].isna(), 'clage_vacsi'].unique())}")
    present = [m for m in MEASURES if m[0] in raw.columns]
    if not present:
        sys.exit(f"{src}: none of the columns {[m[0] for m in MEASURES]}")
    flows = [m[0] for m in present]
    rates = [m[1] for m in present if m[1] in raw.columns]
    df, dropped = to_territories(raw, dep2reg, flows, rates)
    print(f"{src}: {rows_in} rows read; measures {flows}, SPF coverages {rates}"
          + (f"; departments dropped: {dropped}" if dropped else ""))
    del raw
    df = complete_calendar(df)
    rows_out = write(df, indicators(df, present, pop), path)
    print(f"rows read: {rows_in}; rows written: {rows_out} -> {path} ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
