#!/usr/bin/env python3
"""pandas baseline: CovidTracker-style indicators, written in Vigie's open-data contract.

Reads from a sources directory (the first file matching each name, `.csv` or `.csv.gz`):
  sp-pos-quot-dep*                        SI-DEP dep;jour;P;T;cl_age90[;pop]
  donnees-hospitalieres-covid19*          hospital stocks dep;sexe;jour;hosp;rea;dc;rad (any order)
  donnees-hospitalieres-nouveaux-covid19* hospital flows dep;jour;incid_hosp;incid_rea;incid_dc;incid_rad
Any of them may be absent. Writes <out>/open-data/indicators.csv with the header
`territory,indicator,breakdown,date,value` (UTF-8, ISO dates, full-precision values, undefined
values omitted).

Computation, as CovidTracker did it with pandas (see shared/reference/spf-data-and-indicators.md
§2.1-2.3): departments are summed into regions (reference/departements-france.csv) and France;
each (territory, breakdown) series is sorted by day and `rolling(7)` / `shift(7)` / `diff()` are
applied per group. Windows are over calendar days: a series with a missing day is re-indexed on
the full calendar first, so any window touching the gap is NaN (undefined). Departments absent
from the mapping (975, 977, 978, empty or `NA` codes) are dropped. A daily ratio whose
denominator is 0 (P/T with T = 0, A(t)/A(t-7) with A(t-7) = 0) is undefined (NaN, never inf),
and so is every 7-day mean whose window contains it.

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

AGE = {0: "all", 9: "age:0-9", 19: "age:10-19", 29: "age:20-29", 39: "age:30-39", 49: "age:40-49",
       59: "age:50-59", 69: "age:60-69", 79: "age:70-79", 89: "age:80-89", 90: "age:90+"}
SEX = {0: "all", 1: "sex:male", 2: "sex:female"}
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


def read_spf(path, value_cols, extra_str=()):
    """An SPF `;` file: dep as a string (re-padded), jour as a date, selected columns by name."""
    df = pd.read_csv(path, sep=";", dtype={"dep": str, **{c: str for c in extra_str}})
    df["dep"] = df["dep"].str.replace(r"^([1-9])$", r"0\1", regex=True)
    df["date"] = pd.to_datetime(df["jour"], format="%Y-%m-%d")
    missing = [c for c in value_cols if c not in df.columns]
    if missing:
        sys.exit(f"{path}: missing columns {missing}")
    return df


def to_territories(df, dep2reg, by, values):
    """Department rows plus region and France sums: columns territory, `by`, date, values."""
    known = df["dep"].isin(list(dep2reg))
    dropped = sorted(df.loc[~known, "dep"].fillna("<missing>").unique())
    df = df[known]
    dep = df[["dep", by, "date", *values]].rename(columns={"dep": "territory"})
    dep["territory"] = "DEP-" + dep["territory"]
    reg = (df.assign(territory="REG-" + df["dep"].map(dep2reg))
           .groupby(["territory", by, "date"], as_index=False)[values].sum())
    fra = df.groupby([by, "date"], as_index=False)[values].sum()
    fra.insert(0, "territory", "FR")
    out = pd.concat([dep, reg, fra], ignore_index=True)
    return out, dropped


def complete_calendar(df, values):
    """Sort by (territory, breakdown, date); re-index any series with a missing day on its full
    daily calendar (values NaN on the added days). Duplicated days keep their first row."""
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


def rolling(df, col, op="sum", center=False):
    """Per-(territory, breakdown) rolling(7) of a column, aligned with df."""
    r = df.groupby(KEYS, sort=False, observed=True)[col].rolling(7, center=center)
    r = getattr(r, op)()
    return r.reset_index(level=[0, 1], drop=True)


def shift7(df, col):
    return df.groupby(KEYS, sort=False, observed=True)[col].shift(7)


def finite(s):
    return s.replace([np.inf, -np.inf], np.nan)


# ------------------------------------------------------------------------------------ indicators
def sidep_indicators(df):
    """(name, Series) pairs for SI-DEP; df is modified in place with helper columns."""
    has_pop = "pop" in df.columns
    # Vigie's catalogue computes the variants (centred incidence, mean of daily ratios,
    # week-over-week change) for the `all` breakdown only; so does the baseline.
    only_all = df["breakdown"] == "all"
    df["P7"] = rolling(df, "P")
    df["T7"] = rolling(df, "T")
    out = [("cases", df["P"]), ("tests", df["T"])]
    if has_pop:
        out += [
            ("incidence_rate_7d", df["P7"] / df["pop"] * 1e5),
            ("incidence_rate_7d_centred", (rolling(df, "P", center=True) / df["pop"] * 1e5).where(only_all)),
        ]
    out.append(("positivity_rate_7d", finite(df["P7"] / df["T7"] * 100)))
    df["daily_pos"] = finite(df["P"] / df["T"] * 100)
    out.append(("positivity_rate_7d_mean_of_ratios", rolling(df, "daily_pos", "mean").where(only_all)))
    if has_pop:
        out.append(("screening_rate_7d", df["T7"] / df["pop"] * 1e5))
    out.append(("cases_7d_mean", rolling(df, "P", "mean")))
    df["P7_prev"] = shift7(df, "P7")
    df["growth"] = finite(df["P7"] / df["P7_prev"])
    out.append(("r_effective", rolling(df, "growth", "mean")))
    out.append(("cases_wow_change", finite((df["P7"] - df["P7_prev"]) / df["P7_prev"] * 100).where(only_all)))
    return out


def hosp_indicators(df):
    df["dc_diff"] = df.groupby(KEYS, sort=False, observed=True)["dc"].diff()
    return [("hosp", df["hosp"]), ("icu", df["rea"]), ("hosp_deaths_cum", df["dc"]),
            ("hosp_deaths_from_cum", df["dc_diff"])]


def new_indicators(df, pop):
    out = [("hosp_admissions", df["incid_hosp"]), ("icu_admissions", df["incid_rea"]),
           ("hosp_deaths", df["incid_dc"])]
    if pop is not None:
        p = df["territory"].astype(str).map(pop)
        out += [("hosp_admissions_7d_per_100k", rolling(df, "incid_hosp") / p * 1e5),
                ("icu_admissions_7d_per_100k", rolling(df, "incid_rea") / p * 1e5)]
    return out


# ------------------------------------------------------------------------------------ output
def write(df, indicators, path, first):
    """Append the indicators of one frame to the CSV; return rows written."""
    n = 0
    for name, values in indicators:
        keep = values.notna()
        chunk = df.loc[keep, ["territory", "breakdown", "date"]]
        v = values[keep]
        if v.dtype.kind == "f" and (v == np.floor(v)).all() and name in INTEGER_VALUED:
            v = v.astype("int64")
        chunk = chunk.assign(indicator=name, value=v)[HEADER]
        chunk.to_csv(path, mode="w" if first else "a", header=first, index=False,
                     encoding="utf-8", lineterminator="\n")
        first = False
        n += len(chunk)
    return n, first


# Counts: written as integers (as Vigie does) once NaN rows are dropped.
INTEGER_VALUED = {"cases", "tests", "hosp", "icu", "hosp_deaths_cum", "hosp_deaths_from_cum",
                  "hosp_admissions", "icu_admissions", "hosp_deaths"}


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
    rows_in = rows_out = 0
    first = True
    pop_all = None

    src = find_source(args.sources, "sp-pos-quot-dep")
    if src:
        raw = read_spf(src, ["P", "T", "cl_age90"])
        rows_in += len(raw)
        values = ["P", "T"] + (["pop"] if "pop" in raw.columns else [])
        unknown = sorted(set(raw["cl_age90"].unique()) - AGE.keys())
        if unknown:
            sys.exit(f"{src}: unknown cl_age90 codes {unknown}")
        raw["breakdown"] = raw["cl_age90"].map(AGE)
        df, dropped = to_territories(raw, dep2reg, "breakdown", values)
        print(f"{src}: {len(raw)} rows read" + (f"; departments dropped: {dropped}" if dropped else ""))
        del raw
        if "pop" not in values:
            print("  no pop column: incidence and screening rates not computed")
        df = complete_calendar(df, values)
        if "pop" in values:
            last = df[(df["breakdown"] == "all") & df["pop"].notna()].groupby("territory", observed=True)["pop"].last()
            pop_all = last.to_dict()
        n, first = write(df, sidep_indicators(df), path, first)
        rows_out += n
        del df

    src = find_source(args.sources, "donnees-hospitalieres-covid19")
    if src:
        raw = read_spf(src, ["sexe", "hosp", "rea", "dc"])
        n_read = len(raw)
        rows_in += n_read
        raw["breakdown"] = raw["sexe"].map(SEX)
        if raw["breakdown"].isna().any():
            sys.exit(f"{src}: unknown sexe codes {sorted(raw.loc[raw['breakdown'].isna(), 'sexe'].unique())}")
        df, dropped = to_territories(raw, dep2reg, "breakdown", ["hosp", "rea", "dc"])
        print(f"{src}: {n_read} rows read" + (f"; departments dropped: {dropped}" if dropped else ""))
        del raw
        df = complete_calendar(df, ["hosp", "rea", "dc"])
        n, first = write(df, hosp_indicators(df), path, first)
        rows_out += n
        del df

    src = find_source(args.sources, "donnees-hospitalieres-nouveaux-covid19")
    if src:
        raw = read_spf(src, ["incid_hosp", "incid_rea", "incid_dc"])
        rows_in += len(raw)
        raw["breakdown"] = "all"
        df, dropped = to_territories(raw, dep2reg, "breakdown", ["incid_hosp", "incid_rea", "incid_dc"])
        print(f"{src}: {len(raw)} rows read" + (f"; departments dropped: {dropped}" if dropped else ""))
        del raw
        df = complete_calendar(df, ["incid_hosp", "incid_rea", "incid_dc"])
        n, first = write(df, new_indicators(df, pop_all), path, first)
        rows_out += n
        del df

    if first:
        sys.exit(f"no input file found in {args.sources}")
    print(f"rows read: {rows_in}; rows written: {rows_out} -> {path} ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
