#!/usr/bin/env python3
"""Compare two `indicators.csv` files of Vigie's open-data contract.

Only the indicators present in both files are compared (the others are listed). For those,
the two files must have the same set of (territory, indicator, breakdown, date) keys, and the
values of a key must agree within a relative tolerance:
    |a - b| <= rtol * max(|a|, |b|) + atol      (defaults rtol = 1e-9, atol = 0).

Usage: python compare.py VIGIE_CSV PANDAS_CSV [--rtol 1e-9] [--atol 0] [--examples 5]
Prints a per-indicator summary; exit status 0 when everything compared agrees, 1 otherwise.
"""
import argparse
import sys

import numpy as np
import pandas as pd

HEADER = "territory,indicator,breakdown,date,value"
# Vigie's open data end every row with the release's data_status (official or demo): ignored.
HEADERS = (HEADER, HEADER + ",data_status")
KEYS = ["territory", "indicator", "breakdown", "date"]


def load(path):
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\r\n")
    if head not in HEADERS:
        sys.exit(f"{path}: header is {head!r}, expected {HEADER!r} (optionally with ,data_status)")
    return pd.read_csv(path, usecols=KEYS + ["value"],
                       dtype={k: "category" for k in KEYS} | {"value": "float64"},
                       keep_default_na=False, na_values=["", "NaN", "nan", "NA"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("left", help="first file (Vigie)")
    ap.add_argument("right", help="second file (pandas baseline)")
    ap.add_argument("--left-name", default="vigie")
    ap.add_argument("--right-name", default="pandas")
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--atol", type=float, default=0.0)
    ap.add_argument("--examples", type=int, default=5, help="examples shown per kind of difference")
    args = ap.parse_args()
    L, R = args.left_name, args.right_name

    a, b = load(args.left), load(args.right)
    print(f"{L}: {len(a)} rows, {a['indicator'].nunique()} indicators ({args.left})")
    print(f"{R}: {len(b)} rows, {b['indicator'].nunique()} indicators ({args.right})")

    # Same categories on both sides, so that the codes can be combined into one integer key.
    for k in KEYS:
        cats = a[k].cat.categories.union(b[k].cat.categories)
        a[k] = a[k].cat.set_categories(cats)
        b[k] = b[k].cat.set_categories(cats)
    ind_a, ind_b = set(a["indicator"].unique()), set(b["indicator"].unique())
    common = sorted(ind_a & ind_b)
    only = {L: sorted(ind_a - ind_b), R: sorted(ind_b - ind_a)}
    for side, names in only.items():
        if names:
            counts = (a if side == L else b)["indicator"].value_counts()
            print(f"not compared, only in {side}: " + ", ".join(f"{n} ({counts[n]})" for n in names))
    if not common:
        print("no indicator in common: nothing compared")
        return 1
    a = a[a["indicator"].isin(common)].reset_index(drop=True)
    b = b[b["indicator"].isin(common)].reset_index(drop=True)

    sizes = [len(a[k].cat.categories) for k in KEYS]

    def key(df):
        k = np.zeros(len(df), dtype=np.int64)
        for col, n in zip(KEYS, sizes):
            k = k * n + df[col].cat.codes.to_numpy().astype(np.int64)
        return k

    ka, kb = key(a), key(b)
    status = 0
    for side, df, k in ((L, a, ka), (R, b, kb)):
        dup = pd.Series(k).duplicated().to_numpy()
        if dup.any():
            status = 1
            print(f"{side}: {int(dup.sum())} duplicated keys (first kept), e.g.")
            print(df[dup].head(args.examples).to_string(index=False))
    keep_a = ~pd.Series(ka).duplicated().to_numpy()
    keep_b = ~pd.Series(kb).duplicated().to_numpy()
    ia_all, ib_all = np.flatnonzero(keep_a), np.flatnonzero(keep_b)
    _, ia, ib = np.intersect1d(ka[ia_all], kb[ib_all], assume_unique=True, return_indices=True)
    ia, ib = ia_all[ia], ib_all[ib]
    only_a = np.ones(len(a), dtype=bool); only_a[ia] = False; only_a &= keep_a
    only_b = np.ones(len(b), dtype=bool); only_b[ib] = False; only_b &= keep_b

    va, vb = a["value"].to_numpy()[ia], b["value"].to_numpy()[ib]
    diff = np.abs(va - vb)
    scale = np.maximum(np.abs(va), np.abs(vb))
    bad = ~(diff <= args.rtol * scale + args.atol)  # NaN on either side is a mismatch
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, diff / scale, np.where(diff == 0, 0.0, np.inf))

    # Per-indicator table.
    cats = a["indicator"].cat.categories
    nind = len(cats)
    code_a = a["indicator"].cat.codes.to_numpy()
    code_b = b["indicator"].cat.codes.to_numpy()
    n_a = np.bincount(code_a, minlength=nind)
    n_b = np.bincount(code_b, minlength=nind)
    n_common = np.bincount(code_a[ia], minlength=nind)
    n_only_a = np.bincount(code_a[only_a], minlength=nind)
    n_only_b = np.bincount(code_b[only_b], minlength=nind)
    n_bad = np.bincount(code_a[ia][bad], minlength=nind)
    max_rel = np.zeros(nind)
    np.maximum.at(max_rel, code_a[ia], np.nan_to_num(rel, nan=np.inf))

    w = max(len(c) for c in common)
    print(f"\ncompared indicators: {len(common)}; tolerance: rtol={args.rtol:g}, atol={args.atol:g}")
    print(f"{'indicator':<{w}} {L + ' rows':>12} {R + ' rows':>12} {'common':>11} "
          f"{'only ' + L:>11} {'only ' + R:>11} {'mismatch':>9} {'max rel diff':>13}")
    for c in common:
        i = cats.get_loc(c)
        flag = "" if n_only_a[i] == n_only_b[i] == n_bad[i] == 0 else "  <--"
        print(f"{c:<{w}} {n_a[i]:>12} {n_b[i]:>12} {n_common[i]:>11} {n_only_a[i]:>11} "
              f"{n_only_b[i]:>11} {n_bad[i]:>9} {max_rel[i]:>13.3g}{flag}")
    tot_only_a, tot_only_b, tot_bad = int(only_a.sum()), int(only_b.sum()), int(bad.sum())
    print(f"{'TOTAL':<{w}} {len(a):>12} {len(b):>12} {len(ia):>11} {tot_only_a:>11} {tot_only_b:>11} {tot_bad:>9}")

    def show(title, df):
        if len(df):
            print(f"\n{title}:")
            print(df.head(args.examples).to_string(index=False))

    if tot_only_a or tot_only_b or tot_bad:
        status = 1
        # Where the extra keys are, by (indicator, territory level) — usually enough to see why.
        for side, df, mask in ((L, a, only_a), (R, b, only_b)):
            if mask.any():
                sub = df[mask]
                level = sub["territory"].astype(str).str.extract(r"^(DEP|REG|FR)")[0].fillna("other").rename("level")
                by = sub.groupby([sub["indicator"].astype(str).rename("indicator"), level]).size().rename("rows")
                print(f"\nkeys only in {side}, by indicator and territory level:")
                print(by.to_string())
                show(f"examples only in {side}", sub)
        if tot_bad:
            m = a.iloc[ia[bad]][KEYS].reset_index(drop=True)
            m[L], m[R], m["rel diff"] = va[bad], vb[bad], rel[bad]
            m = m.sort_values("rel diff", ascending=False, kind="stable").head(args.examples)
            m[L], m[R] = m[L].map(repr), m[R].map(repr)  # full precision
            show("examples of value mismatches (largest relative difference first)", m)
    print("\nRESULT: " + ("identical within tolerance" if status == 0 else
                          f"DIFFERENCES ({tot_only_a} keys only in {L}, {tot_only_b} only in {R}, "
                          f"{tot_bad} value mismatches)"))
    return status


if __name__ == "__main__":
    sys.exit(main())
