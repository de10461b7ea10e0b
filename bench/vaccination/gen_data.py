#!/usr/bin/env python3
"""Generate a realistic-size department x age class vaccination history for the Vigie benchmark.

The file is built by repeating a real Santé publique France sample (read in place from the
shared data directory, never copied into the repository) with its dates shifted, so that the
value distributions, the codes and the quirks of the real file are kept:

* ``vacsi-a-dep.csv``: VAC-SI daily injections by department x age class x day, 2023 schema
  subset ``dep;clage_vacsi;jour;n_dose1;n_complet;n_rappel;n_cum_dose1;n_cum_complet;
  n_cum_rappel;couv_dose1;couv_complet;couv_rappel``. Source:
  ``spf-vaccination/vacsi-a-dep_2021-04-21.csv.gz`` (2021 schema ``dep;clage_vacsi;jour;n_dose1;
  n_dose2;n_cum_dose1;n_cum_dose2``, 2020-12-27 -> 2021-04-21, 116 days, 107 department codes
  including 00, 20, 750, 970, 977 and 978, classes 0 and 24..80, 136 532 rows). Copy k repeats
  the whole 116-day block shifted by k x 116 days, until ``--min-rows`` rows.

  - ``n_complet`` = ``n_dose2`` of the source row.
  - ``n_rappel`` (invented): a first booster 232 days (two blocks) after the primary series, for
    80 % of the people: ``n_rappel = n_dose2 * 4 // 5`` of the same source row from copy 2 on
    (2021-08-16), 0 before.
  - ``n_cum_dose1`` / ``n_cum_complet``: the source cumulative plus, per (dep, clage), the last
    cumulative of every previous copy, so the cumulatives keep increasing across copies (in the
    source they equal the running sum of the daily values; so they do here).
    ``n_cum_rappel`` is the running sum of ``n_rappel``.
  - ``couv_*`` = cumulative / population x 100, formatted with one decimal (``%.1f``). The
    population of class 0 is the department population of ``reference/dep-pop.csv``; that of an
    age class is that population times the national share of the class in
    ``reference/clage_spf.csv`` (class population / sum of the 14 classes), rounded to an integer.
    Empty for department 00 and for the codes absent from dep-pop.csv (20, 750, 970, 978).
    Because the 116-day block is repeated, the cumulatives (and so the coverages) exceed the
    population after a few copies: the data are plausible in size, shape and codes, not as a
    campaign.
* ``dep-pop.csv``: a byte-for-byte copy of ``reference/dep-pop.csv`` (``dep;departmentPopulation``,
  CRLF), the population table both tools use for ``vaccination_coverage_*``.

Rows keep the source order: the (dep, clage) groups in the order of the source (all departments
with the adult classes, then all departments with class 0), each group holding its days in order
across all copies. Codes stay strings (``01``, ``2A``, ``971``). LF line ends. The output is
deterministic (no randomness).

Usage: python3 bench/vaccination/gen_data.py bench/out/vaccination-sources [--min-rows 1500000]
Shared data: $VIGIE_SHARED_DATA, else <repo>/../shared/data (or --shared DIR).
"""
import argparse
import datetime
import gzip
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

VACSI_SRC = "spf-vaccination/vacsi-a-dep_2021-04-21.csv.gz"
DEP_POP_SRC = "reference/dep-pop.csv"
CLAGE_SRC = "reference/clage_spf.csv"

VACSI_OUT = "vacsi-a-dep.csv"
DEP_POP_OUT = "dep-pop.csv"
HEADER = ("dep;clage_vacsi;jour;n_dose1;n_complet;n_rappel;n_cum_dose1;n_cum_complet;n_cum_rappel;"
          "couv_dose1;couv_complet;couv_rappel")
SRC_HEADER = ["dep", "clage_vacsi", "jour", "n_dose1", "n_dose2", "n_cum_dose1", "n_cum_dose2"]
BOOSTER_FROM_COPY = 2  # boosters start 2 blocks (232 days) after the primary series


def shared_dir(arg):
    d = arg or os.environ.get("VIGIE_SHARED_DATA") or os.path.join(REPO, "..", "shared", "data")
    d = os.path.normpath(d)
    if not os.path.isfile(os.path.join(d, VACSI_SRC)):
        sys.exit(f"gen_data.py: shared data not found in {d} (set VIGIE_SHARED_DATA or --shared)")
    return d


def read_lines(path):
    """Lines of a (possibly gzipped) UTF-8 text file, without terminators or a BOM."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        return [ln for ln in f.read().splitlines() if ln]


# ----------------------------------------------------------------------------------- populations
def department_populations(shared):
    rows = [ln.split(";") for ln in read_lines(os.path.join(shared, DEP_POP_SRC))]
    assert rows[0] == ["dep", "departmentPopulation"], rows[0]
    return {r[0]: int(r[1]) for r in rows[1:]}


def national_age_shares(shared):
    """{clage_vacsi code as in the file: share of the national population} from clage_spf.csv."""
    rows = [ln.split(";") for ln in read_lines(os.path.join(shared, CLAGE_SRC))]
    assert rows[0] == ["code_spf", "categorie_fine", "categorie-large", "population"], rows[0]
    pops = {int(r[0]): int(r[3]) for r in rows[1:]}
    total = sum(pops.values())
    return {code: p / total for code, p in pops.items()}, total


# ----------------------------------------------------------------------------------- VAC-SI
def gen_vacsi(shared, out_dir, min_rows):
    lines = read_lines(os.path.join(shared, VACSI_SRC))
    header = lines[0].split(";")
    assert header == SRC_HEADER, header
    rows = [ln.split(";") for ln in lines[1:]]
    days = sorted({r[2] for r in rows})
    first, last = datetime.date.fromisoformat(days[0]), datetime.date.fromisoformat(days[-1])
    period = (last - first).days + 1
    assert period == len(days), "the VAC-SI sample has missing days"
    copies = -(-min_rows // len(rows))  # ceil

    # (dep, clage) groups in the source order; each group is contiguous in the source.
    groups, order = {}, []
    for r in rows:
        key = (r[0], r[1])
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(r)
    for key, g in groups.items():
        assert [r[2] for r in g] == sorted(r[2] for r in g), f"{key}: days not in order"

    dep_pop = department_populations(shared)
    shares, share_total = national_age_shares(shared)
    unknown = sorted({c for _, c in order if int(c) != 0 and int(c) not in shares})
    if unknown:
        sys.exit(f"gen_data.py: no national population share for clage_vacsi {unknown}")

    def population(dep, clage):
        if dep == "00" or dep not in dep_pop:
            return None
        return dep_pop[dep] if int(clage) == 0 else round(dep_pop[dep] * shares[int(clage)])

    def couv(cum, pop):
        return "" if pop is None else f"{cum / pop * 100:.1f}"

    # Shifted ISO day of (copy, source day).
    day_of = {}
    for k in range(copies):
        for i in range(period):
            d = first + datetime.timedelta(days=i)
            day_of[(k, d.isoformat())] = (d + datetime.timedelta(days=k * period)).isoformat()

    n = 0
    no_pop = sorted({dep for dep, c in order if population(dep, c) is None})
    path = os.path.join(out_dir, VACSI_OUT)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\n")
        for dep, clage in order:
            pop = population(dep, clage)
            g = groups[(dep, clage)]
            last_d1, last_d2 = int(g[-1][5]), int(g[-1][6])
            off1 = off2 = cum3 = 0
            buf = []
            for k in range(copies):
                boost = k >= BOOSTER_FROM_COPY
                for _, _, jour, d1, d2, c1, c2 in g:
                    n3 = int(d2) * 4 // 5 if boost else 0
                    cum1, cum2 = int(c1) + off1, int(c2) + off2
                    cum3 += n3
                    buf.append(f"{dep};{clage};{day_of[(k, jour)]};{d1};{d2};{n3};{cum1};{cum2};{cum3};"
                               f"{couv(cum1, pop)};{couv(cum2, pop)};{couv(cum3, pop)}\n")
                off1 += last_d1
                off2 += last_d2
            f.write("".join(buf))
            n += len(buf)
    end = first + datetime.timedelta(days=copies * period - 1)
    return path, {
        "rows": n, "first": first, "last": end, "copies": copies, "period": period,
        "src_rows": len(rows), "deps": len({d for d, _ in order}),
        "classes": sorted({c for _, c in order}, key=int), "no_pop": no_pop,
        "share_total": share_total,
        "booster_from": first + datetime.timedelta(days=BOOSTER_FROM_COPY * period),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", help="output directory, e.g. bench/out/vaccination-sources")
    ap.add_argument("--min-rows", type=int, default=1_500_000,
                    help="minimum vacsi-a-dep data rows (default 1 500 000)")
    ap.add_argument("--shared", help="shared data directory (default $VIGIE_SHARED_DATA or <repo>/../shared/data)")
    args = ap.parse_args()
    shared = shared_dir(args.shared)
    os.makedirs(args.out_dir, exist_ok=True)
    t0 = time.perf_counter()

    path, s = gen_vacsi(shared, args.out_dir, args.min_rows)
    print(f"{path}: {s['rows']} rows, {s['first']} -> {s['last']} "
          f"({s['copies']} copies of {s['period']} days x {s['src_rows']} source rows, "
          f"{s['deps']} department codes, clage_vacsi {' '.join(s['classes'])})")
    print(f"  n_complet = n_dose2; n_rappel = n_dose2 * 4 // 5 from {s['booster_from']} (copy {BOOSTER_FROM_COPY}), 0 before")
    print(f"  couv_* = cumulative / population x 100 (%.1f); class population = dep-pop x national share "
          f"of clage_spf.csv (total {s['share_total']}); empty for {' '.join(s['no_pop'])}")
    pop_out = os.path.join(args.out_dir, DEP_POP_OUT)
    shutil.copyfile(os.path.join(shared, DEP_POP_SRC), pop_out)
    print(f"{pop_out}: copy of {DEP_POP_SRC} ({len(read_lines(pop_out)) - 1} rows)")
    print(f"total data rows: {s['rows']} vacsi-a-dep ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
