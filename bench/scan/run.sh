#!/usr/bin/env bash
# Scan benchmark: three replayable workloads (Doctolib 10,000 centres, Maiia 50 centres with
# big pages, a national mix of ~6,000 centres over the nine platforms); each one is scanned by
# the whole `vigie scan --replay` process, timed against the platforms' typed parse functions
# alone on the same recorded answers (same run). See bench/scan/README.md.
#
#   bash bench/scan/run.sh
#
# Environment (all optional):
#   RUNS=3                 timed runs per workload (the best wall time is kept, peak RSS is the largest)
#   WORK=dir               workloads, outputs and logs (default bench/out/scan; regenerated every run)
#   WORKLOADS="doctolib maiia national"   the workloads to run, in this order
#   VIGIE_BIN=path         use this vigie binary and skip `cargo build --release -p vigie-cli --bin vigie`
#   EXAMPLE_BIN=path       use this scan_workloads binary and skip `cargo build --release -p vigie-scan --example scan_workloads`
#   VIGIE_SHARED_DATA=dir  shared data, read in place (default <repo>/../shared/data, then ../shared/data
#                          beside the main worktree when this is a linked git worktree)
#   TIMEOUT=600            seconds one `vigie scan` may take; a slower one is stopped and reported
#   MAIIA_BEFORE_S=…       the Maiia "before" wall time the ≥ 5× target is computed from (default: the
#                          number recorded in bench/scan/README.md)
#   CARGO_TARGET_DIR       honoured by the builds (default target/)
# Exit status: 0 when every workload completed and its checks passed (targets met or not), 1 when a
# scan failed, timed out or disagreed with its recording, 2 when the shared data is absent.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
RUNS=${RUNS:-3}
WORK=${WORK:-bench/out/scan}
WORKLOADS=${WORKLOADS:-doctolib maiia national}
TIMEOUT=${TIMEOUT:-600}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
# The scan's pinned clock: every template's slots are moved into [NOW, NOW + 11 days].
NOW="2021-05-13T08:00:00+02:00"
HORIZON=11
PLATFORMS=doctolib,keldoc,maiia,ordoclic,mapharma,avecmondoc,mesoigner,bimedoc,valwin
# Today's code on branch scan-bench (bench/scan/README.md, "before"): the Maiia workload's best wall time.
MAIIA_BEFORE_S=${MAIIA_BEFORE_S:-1.89}
NATIONAL_MAX_S=5
NATIONAL_MAX_MB=300

say() { printf '\n== %s\n' "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- tools and data
if ! /usr/bin/time -f '%e' true >/dev/null 2>&1; then
    say "installing GNU time"
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; } \
        || die "GNU time (/usr/bin/time) is missing and could not be installed (apt-get install -y time)"
fi
command -v timeout >/dev/null || die "timeout (coreutils) is required"

if [ -z "${VIGIE_SHARED_DATA:-}" ]; then
    if [ -d "$ROOT/../shared/data" ]; then
        VIGIE_SHARED_DATA=$ROOT/../shared/data
    else
        # A linked worktree: ../shared/data beside the main worktree.
        common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
        if [ -n "$common" ] && [ -d "$(dirname "$common")/../shared/data" ]; then
            VIGIE_SHARED_DATA=$(dirname "$common")/../shared/data
        fi
    fi
fi
if [ -z "${VIGIE_SHARED_DATA:-}" ] || [ ! -d "$VIGIE_SHARED_DATA/slots/recorded-responses" ]; then
    echo "run.sh: skipped: shared data not found (set VIGIE_SHARED_DATA or place ../shared/data beside the repository); the workloads are built from its recorded platform answers" >&2
    exit 2
fi
export VIGIE_SHARED_DATA
echo "shared data: $VIGIE_SHARED_DATA"

# ---------------------------------------------------------------- builds
# build_or_use VAR LABEL PATH CARGO_ARGS...: the binary named by $VAR when it is set, else
# `cargo build --release --locked CARGO_ARGS` and PATH under the target directory.
build_or_use() {
    local var=$1 label=$2 path=$3
    shift 3
    if [ -n "${!var:-}" ]; then
        say "$label: ${!var} ($var set, no cargo build)"
    else
        say "cargo build --release $*"
        cargo build --release --locked "$@" \
            || die "cargo build --release $* failed (set $var to use another binary)"
        printf -v "$var" '%s' "$TARGET_DIR/release/$path"
    fi
    [ -x "${!var}" ] || die "$label ${!var} not found"
}
build_or_use VIGIE_BIN "vigie binary" vigie -p vigie-cli --bin vigie
build_or_use EXAMPLE_BIN "scan_workloads binary" examples/scan_workloads \
    -p vigie-scan --example scan_workloads
VIGIE_VERSION=$("$VIGIE_BIN" --version 2>/dev/null || echo "vigie (version unknown)")

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
# An empty configuration: ./vigie.toml or VIGIE_CONFIG of the caller must not change the scan.
EMPTY_CONF=$WORK/empty-vigie.toml
: >"$EMPTY_CONF"

# ---------------------------------------------------------------- per workload
declare -A STATUS BEST RSS CENTRES FOUND COUNTED REQUESTS PARSE_S PARSE_SLOTS LOAD_S DESC
FAILED=0

# scan_once NAME I: one timed `vigie scan --replay`; sets WALL and KB, or returns 1 (STATUS set).
scan_once() {
    local w=$1 i=$2 dir=$WORK/$1 out=$WORK/$1/out rc=0
    rm -rf "$out"
    sync
    /usr/bin/time -f '%e %M' -o "$dir/time.$i" timeout "$TIMEOUT" \
        "$VIGIE_BIN" --config "$EMPTY_CONF" scan --replay "$dir/recording" --centres "$dir/centres.json" \
        --out "$out" --now "$NOW" --horizon-days "$HORIZON" --platforms "$PLATFORMS" \
        >"$dir/scan.$i.log" 2>&1 || rc=$?
    read -r WALL KB < <(tail -n 1 "$dir/time.$i")
    if [ "$rc" -eq 124 ]; then
        STATUS[$w]="stopped after ${TIMEOUT} s (TIMEOUT), peak RSS $((KB / 1024)) MB so far"
        return 1
    elif [ "$rc" -ne 0 ]; then
        tail -n 20 "$dir/scan.$i.log" >&2
        STATUS[$w]="vigie scan failed (exit $rc, log $dir/scan.$i.log)"
        return 1
    fi
    printf '  run %d: %7.2f s, peak RSS %5d MB\n' "$i" "$WALL" $((KB / 1024))
}

for w in $WORKLOADS; do
    dir=$WORK/$w
    say "workload $w: generating into $dir (real scanner + in-memory responder, every exchange recorded)"
    if ! "$EXAMPLE_BIN" generate "$w" "$dir" --now "$NOW" | tee "$WORK/$w.generate.txt"; then
        STATUS[$w]="generation failed"
        FAILED=1
        continue
    fi
    DESC[$w]=$(cat "$WORK/$w.generate.txt")

    say "workload $w: vigie scan --replay, $RUNS runs (timeout $TIMEOUT s)"
    best="" rss=0
    for i in $(seq 1 "$RUNS"); do
        if ! scan_once "$w" "$i"; then
            echo "  run $i: ${STATUS[$w]}"
            FAILED=1
            break
        fi
        if [ -z "$best" ] || awk -v a="$WALL" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$WALL; fi
        if [ "$KB" -gt "$rss" ]; then rss=$KB; fi
        if [ "$i" -eq 1 ]; then
            # The replayed scan must agree with the recording's scan: every centre scanned, no
            # request missing, the same slots found, slots counted on every platform.
            if ! "$EXAMPLE_BIN" summary "$dir" "$dir/out" >"$dir/summary.txt" 2>&1; then
                cat "$dir/summary.txt"
                STATUS[$w]="replayed scan disagrees with its recording (see $dir/summary.txt)"
                FAILED=1
                break
            fi
            cat "$dir/summary.txt"
        fi
    done
    [ -n "${STATUS[$w]:-}" ] && continue
    STATUS[$w]=ok
    BEST[$w]=$best
    RSS[$w]=$rss
    line=$(grep '^summary ' "$dir/summary.txt")
    for kv in $line; do
        case $kv in
            centres=*) CENTRES[$w]=${kv#*=} ;;
            found=*) FOUND[$w]=${kv#*=} ;;
            counted=*) COUNTED[$w]=${kv#*=} ;;
            requests=*) REQUESTS[$w]=${kv#*=} ;;
        esac
    done

    say "workload $w: baseline, the typed parse functions alone on every recorded answer (best of $RUNS, one thread)"
    if ! bl=$("$EXAMPLE_BIN" baseline "$dir" --runs "$RUNS"); then
        STATUS[$w]="baseline failed"
        FAILED=1
        continue
    fi
    echo "  $bl"
    for kv in $bl; do
        case $kv in
            parse_s=*) PARSE_S[$w]=${kv#*=} ;;
            slots=*) PARSE_SLOTS[$w]=${kv#*=} ;;
            load_s=*) LOAD_S[$w]=${kv#*=} ;;
        esac
    done
done

# ---------------------------------------------------------------- summary
target() {
    local w=$1
    case $w in
        maiia)
            if [[ "$MAIIA_BEFORE_S" =~ ^[0-9.]+$ ]]; then
                awk -v b="$MAIIA_BEFORE_S" -v s="${BEST[$w]}" 'BEGIN {
                    t = b / 5; printf "≥ 5x faster than before (%.2f s): ≤ %.2f s, now %.1fx: %s", b, t, (s > 0 ? b / s : 0), (s <= t ? "met" : "not met") }'
            else
                printf '≥ 5x faster than before (no before number recorded)'
            fi ;;
        national)
            awk -v s="${BEST[$w]}" -v kb="${RSS[$w]}" -v ms="$NATIONAL_MAX_S" -v mm="$NATIONAL_MAX_MB" 'BEGIN {
                mb = kb / 1024
                printf "< %d s and < %d MB: %s (wall %.2f s: %s; peak RSS %d MB: %s)", ms, mm,
                    ((s < ms && mb < mm) ? "met" : "not met"), s, (s < ms ? "met" : "not met"), mb, (mb < mm ? "met" : "not met") }' ;;
        *) printf -- '-' ;;
    esac
}

summary() {
    echo "Vigie scan benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
    echo "vigie: $VIGIE_VERSION ($VIGIE_BIN), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "scan: vigie scan --replay REC --centres LIST --out OUT --now $NOW --horizon-days $HORIZON (2 runtime threads); best of $RUNS runs; peak RSS = largest run"
    echo "baseline: scan_workloads baseline, the typed parse functions alone on every recorded answer already in memory (one thread)"
    echo
    printf '%-9s %7s %9s %9s %9s %9s %11s %8s | %9s %11s %8s\n' \
        workload centres requests "found" counted "wall s" "slots/s" "RSS MB" "parse s" "slots/s" "ratio"
    local w
    for w in $WORKLOADS; do
        if [ "${STATUS[$w]:-}" != ok ]; then
            printf '%-9s %s\n' "$w" "${STATUS[$w]:-not run}"
            continue
        fi
        awk -v w="$w" -v c="${CENTRES[$w]}" -v r="${REQUESTS[$w]}" -v f="${FOUND[$w]}" -v n="${COUNTED[$w]}" \
            -v s="${BEST[$w]}" -v kb="${RSS[$w]}" -v p="${PARSE_S[$w]:-0}" -v ps="${PARSE_SLOTS[$w]:-0}" 'BEGIN {
            printf "%-9s %7d %9d %9d %9d %9.2f %11.0f %8d | %9.4f %11.0f %7.0fx\n", w, c, r, f, n, s,
                (s > 0 ? f / s : 0), kb / 1024, p, (p > 0 ? ps / p : 0), (p > 0 ? s / p : 0) }'
    done
    echo
    echo "found = slots the flows returned (scan-report.json); counted = slots in the horizon (open-data/centres.json);"
    echo "slots/s = found / best wall time; parse slots/s = slots parsed / parse time; ratio = whole replayed scan / typed parse alone"
    echo
    echo "targets:"
    for w in $WORKLOADS; do
        [ "$w" = doctolib ] && continue
        if [ "${STATUS[$w]:-}" = ok ]; then
            printf '  %-9s %s\n' "$w" "$(target "$w")"
        else
            printf '  %-9s not met: %s\n' "$w" "${STATUS[$w]:-not run}"
        fi
    done
}
say "summary"
SUMMARY=$(summary)
echo "$SUMMARY"
echo "$SUMMARY" >"$WORK/scan-report.txt"
say "report written to $WORK/scan-report.txt"
exit "$FAILED"
