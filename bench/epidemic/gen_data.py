#!/usr/bin/env python3
"""Generate a realistic-size, department-level epidemic input set for the Vigie benchmark.

The files are built by repeating real Santé publique France samples (read in place from the
shared data directory, never copied into the repository) with their dates shifted, so that the
value distributions, the codes and the quirks of the real files are kept:

* ``sp-pos-quot-dep.csv``: SI-DEP tests by department x day x age class, modern layout
  ``dep;jour;P;T;cl_age90;pop``. Source: ``spf-epidemic/sp-pos-quot-dep_2020-10-22.csv.gz``
  (2020-05-13 -> 2020-10-22, 163 days, 186 472 rows, no ``pop`` column). Copy k repeats the whole
  163-day block shifted by k x 163 days, until ``--min-rows`` rows. ``pop`` is the department
  population of ``reference/dep-pop.csv`` for ``cl_age90=0`` and, for an age class, that total
  times the national share of the class (``pop`` by ``cl_age90`` on the first date of
  ``spf-epidemic/sp-pos-quot-fra.csv``), rounded to an integer. Departments missing from
  dep-pop.csv (975 and 978) get the sum of their communes' populations from the
  ``@etalab/decoupage-administratif`` package in ``reference/``.
* ``donnees-hospitalieres-covid19.csv``: hospital stocks by department x sex x day, from
  ``spf-epidemic/donnees-hospitalieres-covid19-2020-11-15-19h55.csv.gz`` (2020-03-18 ->
  2020-11-15, 243 days), raw lines kept (mixed quoting, CRLF on the last days, the empty and
  ``NA`` department rows). ``dc`` and ``rad`` are cumulative: block k adds, per (dep, sexe), the
  last cumulative value of block k-1.
* ``donnees-hospitalieres-nouveaux-covid19.csv``: daily hospital flows by department x day, from
  ``spf-epidemic/donnees-hospitalieres-nouveaux-covid19.csv.gz`` (2020-03-19 -> 2022-03-21, 733
  days), repeated the same way.

Both hospital files start on their real first day and are cut at the last SI-DEP day, so the
three files end on the same date. The output is deterministic (no randomness).

Usage: python3 bench/epidemic/gen_data.py bench/out/epidemic-sources [--min-rows 2500000]
Shared data: $VIGIE_SHARED_DATA, else <repo>/../shared/data (or --shared DIR).
"""
import argparse
import csv
import datetime
import gzip
import io
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

SIDEP_SRC = "spf-epidemic/sp-pos-quot-dep_2020-10-22.csv.gz"
FRA_SRC = "spf-epidemic/sp-pos-quot-fra.csv"
DEP_POP_SRC = "reference/dep-pop.csv"
COMMUNES_SRC = "reference/npm-etalab-decoupage-administratif-6.0.0/communes.json.gz"
HOSP_SRC = "spf-epidemic/donnees-hospitalieres-covid19-2020-11-15-19h55.csv.gz"
NEW_SRC = "spf-epidemic/donnees-hospitalieres-nouveaux-covid19.csv.gz"

SIDEP_OUT = "sp-pos-quot-dep.csv"
HOSP_OUT = "donnees-hospitalieres-covid19.csv"
NEW_OUT = "donnees-hospitalieres-nouveaux-covid19.csv"


def shared_dir(arg):
    d = arg or os.environ.get("VIGIE_SHARED_DATA") or os.path.join(REPO, "..", "shared", "data")
    d = os.path.normpath(d)
    if not os.path.isfile(os.path.join(d, SIDEP_SRC)):
        sys.exit(f"gen_data.py: shared data not found in {d} (set VIGIE_SHARED_DATA or --shared)")
    return d


def parse_day(s):
    return datetime.date.fromisoformat(s)


def read_text(path):
    """Whole file as text, keeping the original line ends."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return f.read()


def split_lines(text):
    """Lines without their terminator, and the terminator of each line ('\\n' or '\\r\\n')."""
    out = []
    for line in text.splitlines(keepends=True):
        if line.endswith("\r\n"):
            out.append((line[:-2], "\r\n"))
        elif line.endswith("\n"):
            out.append((line[:-1], "\n"))
        else:
            out.append((line, "\n"))
    return out


def unquote(field):
    return field[1:-1] if len(field) >= 2 and field[0] == '"' and field[-1] == '"' else field


def requote(template, value):
    """`value` quoted the way `template` was."""
    return f'"{value}"' if template.startswith('"') else value


def shifted_days(first, ndays, copies, period):
    """{(copy, original ISO day): shifted ISO day}."""
    table = {}
    for k in range(copies):
        for i in range(ndays):
            d = first + datetime.timedelta(days=i)
            table[(k, d.isoformat())] = (d + datetime.timedelta(days=k * period)).isoformat()
    return table


# ----------------------------------------------------------------------------------- populations
def department_populations(shared, deps):
    text = read_text(os.path.join(shared, DEP_POP_SRC))
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["dep", "departmentPopulation"], rows[0]
    pop = {r[0]: int(r[1]) for r in rows[1:] if r}
    missing = [d for d in deps if d not in pop]
    if missing:
        with gzip.open(os.path.join(shared, COMMUNES_SRC), "rt", encoding="utf-8") as f:
            communes = json.load(f)
        for c in communes:
            if c.get("type") == "commune-actuelle" and c.get("departement") in missing and c.get("population"):
                pop[c["departement"]] = pop.get(c["departement"], 0) + int(c["population"])
        still = [d for d in deps if d not in pop]
        if still:
            sys.exit(f"gen_data.py: no population for departments {still}")
    return pop, missing


def national_age_shares(shared):
    with open(os.path.join(shared, FRA_SRC), encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter=";")
        first_day, pops = None, {}
        for r in reader:
            if first_day is None:
                first_day = r["jour"]
            if r["jour"] != first_day:
                break
            pops[r["cl_age90"]] = float(r["pop"])
    total = pops["0"]
    return {c: p / total for c, p in pops.items()}, first_day


# ----------------------------------------------------------------------------------- SI-DEP
def gen_sidep(shared, out_dir, min_rows):
    text = read_text(os.path.join(shared, SIDEP_SRC))
    lines = text.splitlines()
    header = lines[0].split(";")
    assert header == ["dep", "jour", "P", "T", "cl_age90"], header
    rows = [ln.split(";") for ln in lines[1:] if ln]
    days = sorted({r[1] for r in rows})
    first, last = parse_day(days[0]), parse_day(days[-1])
    period = (last - first).days + 1
    assert period == len(days), "the SI-DEP sample has missing days"
    copies = -(-min_rows // len(rows))  # ceil

    # Rows grouped by department, in the source order (dep, then day, then SPF class order).
    by_dep, order = {}, []
    for r in rows:
        if r[0] not in by_dep:
            by_dep[r[0]] = []
            order.append(r[0])
        by_dep[r[0]].append(r)

    pop, fallback = department_populations(shared, order)
    shares, share_day = national_age_shares(shared)
    classes = sorted({r[4] for r in rows})
    unknown = [c for c in classes if c not in shares]
    if unknown:
        sys.exit(f"gen_data.py: no national population share for cl_age90 {unknown}")
    class_pop = {(d, c): (pop[d] if c == "0" else round(pop[d] * shares[c])) for d in order for c in classes}
    day_of = shifted_days(first, period, copies, period)

    n = 0
    path = os.path.join(out_dir, SIDEP_OUT)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("dep;jour;P;T;cl_age90;pop\n")
        buf = []
        for dep in order:
            for k in range(copies):
                for d, jour, p, t, cl in by_dep[dep]:
                    buf.append(f"{d};{day_of[(k, jour)]};{p};{t};{cl};{class_pop[(d, cl)]}\n")
            n += copies * len(by_dep[dep])
            f.write("".join(buf))
            buf.clear()
    end = first + datetime.timedelta(days=copies * period - 1)
    info = {
        "rows": n, "first": first, "last": end, "copies": copies, "period": period,
        "deps": len(order), "fallback_pop": {d: pop[d] for d in fallback}, "share_day": share_day,
    }
    return path, info


# ----------------------------------------------------------------------------------- hospital
def gen_repeated(src_path, out_path, date_col, end, cumulative=()):
    """Repeat a real file in blocks of its own day span, shifted, cut after `end` (inclusive).

    Raw lines are kept (quoting and line ends); only the date and the cumulative columns are
    rewritten. `cumulative` columns get, per key (all columns before the date and the non-value
    key columns), the last value of the previous block added.
    """
    text = read_text(src_path)
    lines = split_lines(text)
    header_line, header_end = lines[0]
    header = [unquote(h) for h in header_line.split(";")]
    di = header.index(date_col)
    cum_idx = [header.index(c) for c in cumulative]
    key_idx = [i for i, h in enumerate(header) if h in ("dep", "sexe", "reg", "cl_age90")]
    body = [(ln.split(";"), eol) for ln, eol in lines[1:] if ln]
    days = sorted({unquote(f[di]) for f, _ in body})
    first, last = parse_day(days[0]), parse_day(days[-1])
    period = (last - first).days + 1
    copies = -(-((end - first).days + 1) // period)
    day_of = shifted_days(first, period, copies, period)
    end_iso = end.isoformat()

    # Last cumulative value of each key in one block (block order = file order).
    last_cum = {}
    for f, _ in body:
        key = tuple(unquote(f[i]) for i in key_idx)
        last_cum[key] = [int(unquote(f[i])) for i in cum_idx]
    offset = {}

    n, lo, hi = 0, None, None
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        out.write(header_line + header_end)
        for k in range(copies):
            buf = []
            for f, eol in body:
                jour = unquote(f[di])
                new_day = day_of[(k, jour)]
                if new_day > end_iso:
                    continue
                g = list(f)
                g[di] = requote(f[di], new_day)
                if cum_idx and k:
                    key = tuple(unquote(f[i]) for i in key_idx)
                    off = offset[key]
                    for j, i in enumerate(cum_idx):
                        g[i] = requote(f[i], str(int(unquote(f[i])) + off[j]))
                buf.append(";".join(g) + eol)
                lo = new_day if lo is None or new_day < lo else lo
                hi = new_day if hi is None or new_day > hi else hi
            out.write("".join(buf))
            n += len(buf)
            # Offsets for the next block: the last cumulative value of this block.
            for key, vals in last_cum.items():
                prev = offset.get(key, [0] * len(cum_idx))
                offset[key] = [p + v for p, v in zip(prev, vals)]
    return {"rows": n, "first": lo, "last": hi, "copies": copies, "period": period,
            "src_first": first.isoformat(), "src_last": last.isoformat()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="output directory, e.g. bench/out/epidemic-sources")
    ap.add_argument("--min-rows", type=int, default=2_500_000, help="minimum SI-DEP data rows (default 2 500 000)")
    ap.add_argument("--shared", help="shared data directory (default $VIGIE_SHARED_DATA or <repo>/../shared/data)")
    args = ap.parse_args()
    shared = shared_dir(args.shared)
    os.makedirs(args.out_dir, exist_ok=True)
    t0 = time.perf_counter()

    path, s = gen_sidep(shared, args.out_dir, args.min_rows)
    print(f"{path}: {s['rows']} rows, {s['first']} -> {s['last']} "
          f"({s['copies']} copies of {s['period']} days, {s['deps']} departments)")
    if s["fallback_pop"]:
        print(f"  pop from communes (not in dep-pop.csv): {s['fallback_pop']}")
    print(f"  age-class pop = department pop x national share of sp-pos-quot-fra on {s['share_day']}")
    end = s["last"]
    total = s["rows"]
    for src, out, date_col, cum in (
        (HOSP_SRC, HOSP_OUT, "jour", ("dc", "rad")),
        (NEW_SRC, NEW_OUT, "jour", ()),
    ):
        out_path = os.path.join(args.out_dir, out)
        h = gen_repeated(os.path.join(shared, src), out_path, date_col, end, cum)
        total += h["rows"]
        print(f"{out_path}: {h['rows']} rows, {h['first']} -> {h['last']} "
              f"({h['copies']} blocks of {h['period']} days from {h['src_first']}..{h['src_last']}, cut at {end})")
    print(f"total data rows: {total} ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
