#!/usr/bin/env bash
# Epidemic benchmark: `vigie build` against the pandas baseline on the same generated inputs.
#
#   bash bench/epidemic/run.sh
#
# Environment (all optional):
#   RUNS=3                 runs per tool (the best wall time is kept)
#   CPU=0,1                the CPUs both tools are pinned to (taskset -c); both cores by default: the
#                          comparison is whole-process on the machine (pandas uses one, Vigie both)
#   VIGIE_BIN=path         use this vigie binary and skip `cargo build --release -p vigie-cli`
#   VIGIE_SHARED_DATA=dir  shared data (default <repo>/../shared/data), read in place
#   RELEASES=dir           where both tools write their outputs (default bench/out; e.g. /dev/shm/vigie-bench
#                          to measure computation rather than the disk)
#   VIGIE_ARGS="..."       extra flags for `vigie build` (e.g. "--png none", --no-charts)
# Outputs (all under bench/out/, gitignored): epidemic-sources/, vigie-release/, pandas-release/,
# epidemic-logs/, epidemic-report.txt.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
BENCH=bench/epidemic
OUT=bench/out
VENV=bench/.venv
SRC=$OUT/epidemic-sources
LOGS=$OUT/epidemic-logs
REPORT=$OUT/epidemic-report.txt
RUNS=${RUNS:-3}
REL=${RELEASES:-$OUT}
mkdir -p "$REL"
CPU=${CPU:-0,1}

say() { printf '\n== %s\n' "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
command -v python3 >/dev/null || die "python3 is required"
command -v taskset >/dev/null || die "taskset (util-linux) is required"
if ! /usr/bin/time -f '%e' true >/dev/null 2>&1; then
    say "installing GNU time"
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; } \
        || die "GNU time (/usr/bin/time) is missing and could not be installed (apt-get install -y time)"
fi

# ---------------------------------------------------------------- (a) venv with pinned pandas
say "python venv $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
# Keep the venv out of git whatever the repository's .gitignore says (as Python >= 3.13 does).
[ -f "$VENV/.gitignore" ] || echo '*' > "$VENV/.gitignore"
"$VENV/bin/pip" install --disable-pip-version-check -q -r "$BENCH/requirements.txt"
PANDAS_VERSION=$("$VENV/bin/python" -c 'import pandas, numpy; print(f"pandas {pandas.__version__}, numpy {numpy.__version__}")')
echo "$PANDAS_VERSION"

# ---------------------------------------------------------------- (b) input data, generated once
if [ -d "$SRC" ]; then
    say "input data: $SRC exists, kept (delete it to regenerate)"
else
    say "generating input data into $SRC"
    rm -rf "$SRC.tmp"
    python3 "$BENCH/gen_data.py" "$SRC.tmp"
    mv "$SRC.tmp" "$SRC"
fi
INPUT_ROWS=0
INPUT_DESC=""
for f in "$SRC"/*.csv; do
    n=$(awk 'END { print NR - 1 }' "$f")
    INPUT_ROWS=$((INPUT_ROWS + n))
    INPUT_DESC+="  $(basename "$f"): $n data rows, $(du -h "$f" | cut -f1)"$'\n'
done
printf '%s' "$INPUT_DESC"
echo "  total: $INPUT_ROWS data rows"

# ---------------------------------------------------------------- (c) vigie release build
if [ -n "${VIGIE_BIN:-}" ]; then
    say "vigie binary: $VIGIE_BIN (VIGIE_BIN set, no cargo build)"
else
    say "cargo build --release -p vigie-cli"
    VIGIE_BIN=target/release/vigie
    cargo build --release -p vigie-cli \
        || die "cargo build --release -p vigie-cli failed: the benchmark needs a working vigie CLI (set VIGIE_BIN to use another binary)"
fi
[ -x "$VIGIE_BIN" ] || die "vigie binary $VIGIE_BIN not found: is crates/vigie-cli building a binary named 'vigie'?"
VIGIE_VERSION=$("$VIGIE_BIN" --version 2>/dev/null || echo "vigie (version unknown)")

# ---------------------------------------------------------------- (d) timed runs
mkdir -p "$LOGS"
declare -A BEST RSS
# run_tool NAME OUTDIR CMD...: RUNS runs pinned to the CPUs $CPU, each under GNU time (wall s, peak KB).
run_tool() {
    local name=$1 outdir=$2; shift 2
    local best="" rss=0 i wall kb
    for i in $(seq 1 "$RUNS"); do
        rm -rf "$outdir"
        sync
        if ! /usr/bin/time -f '%e %M' -o "$LOGS/$name.$i.time" taskset -c "$CPU" "$@" >"$LOGS/$name.$i.log" 2>&1; then
            tail -n 20 "$LOGS/$name.$i.log" >&2
            die "$name run $i failed: $* (log: $LOGS/$name.$i.log)"
        fi
        read -r wall kb < <(tail -n 1 "$LOGS/$name.$i.time")
        printf '  %s run %d: %6.2f s, peak RSS %d MB\n' "$name" "$i" "$wall" $((kb / 1024))
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
        if [ "$kb" -gt "$rss" ]; then rss=$kb; fi
    done
    [ -f "$outdir/open-data/indicators.csv" ] || die "$name wrote no $outdir/open-data/indicators.csv"
    BEST[$name]=$best
    RSS[$name]=$rss
}

say "vigie: $RUNS runs on CPUs $CPU"
run_tool vigie "$REL/vigie-release" \
    "$VIGIE_BIN" build ${VIGIE_ARGS:-} --sources "$SRC" --out "$REL/vigie-release"
say "pandas: $RUNS runs on CPUs $CPU"
run_tool pandas "$REL/pandas-release" \
    "$VENV/bin/python" "$BENCH/pandas_baseline.py" --sources "$SRC" --out "$REL/pandas-release"

# ---------------------------------------------------------------- (e) summary
out_rows() { awk 'END { print NR - 1 }' "$1/open-data/indicators.csv"; }
summary() {
    echo "Vigie epidemic benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), both tools pinned to CPUs $CPU"
    echo "vigie: $VIGIE_VERSION ($VIGIE_BIN); baseline: $PANDAS_VERSION, $("$VENV/bin/python" --version)"
    echo "input: $SRC"
    printf '%s' "$INPUT_DESC"
    echo "  total: $INPUT_ROWS data rows"
    echo
    printf '%-8s %12s %14s %16s %16s\n' tool "best wall s" "peak RSS MB" "input rows/s" "output rows"
    local t
    for t in vigie pandas; do
        printf '%-8s %12.2f %14d %16.0f %16d\n' "$t" "${BEST[$t]}" $((RSS[$t] / 1024)) \
            "$(awk -v r="$INPUT_ROWS" -v s="${BEST[$t]}" 'BEGIN { print (s > 0 ? r / s : 0) }')" \
            "$(out_rows "$REL/$t-release")"
    done
    awk -v p="${BEST[pandas]}" -v v="${BEST[vigie]}" -v pm="${RSS[pandas]}" -v vm="${RSS[vigie]}" 'BEGIN {
        if (v > 0) printf "ratio pandas/vigie: wall time %.1fx", p / v; else printf "ratio pandas/vigie: wall time n/a (vigie 0 s)";
        if (vm > 0) printf ", peak RSS %.1fx\n", pm / vm; else printf "\n" }'
    echo "(best of $RUNS runs; peak RSS = largest of the runs; input rows/s = $INPUT_ROWS / best wall time)"
}
say "summary"
SUMMARY=$(summary)
echo "$SUMMARY"

# ---------------------------------------------------------------- (f) output comparison
say "comparing $REL/vigie-release/open-data/indicators.csv with $REL/pandas-release/open-data/indicators.csv"
set +e
# Vigie publishes values rounded to 4 decimals (data dictionary, rule `precision`): they may
# differ from pandas' unrounded ones by half a unit of the 4th decimal.
COMPARISON=$("$VENV/bin/python" "$BENCH/compare.py" --atol 5e-5 \
    "$REL/vigie-release/open-data/indicators.csv" "$REL/pandas-release/open-data/indicators.csv" 2>&1)
CMP_STATUS=$?
set -e
echo "$COMPARISON"

{
    echo "$SUMMARY"
    echo
    echo "Output comparison (bench/epidemic/compare.py, vigie vs pandas):"
    echo "$COMPARISON"
} >"$REPORT"
say "report written to $REPORT"
exit 0
