#!/usr/bin/env bash
# Load benchmark of `vigie serve` on loopback with wrk: a trivial endpoint (/healthz, the
# baseline of the same run), a dashboard page, and two API endpoints. Prints req/s and p99.
# Usage: bench/web/run.sh [DURATION_S] [CONNECTIONS]      (BIN=path/to/vigie to skip the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
dur="${1:-10}"
conns="${2:-64}"
threads="${THREADS:-2}"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk"; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked -p vigie-cli
  BIN="${CARGO_TARGET_DIR:-$root/target}/release/vigie"
fi
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
shared="${VIGIE_SHARED_DATA:-$root/../shared/data}"
mkdir -p "$work/data/demo/demo-sources"
[ -f "$shared/geo/departements-avec-outre-mer.geojson" ] && cp "$shared/geo/departements-avec-outre-mer.geojson" "$work/data/demo/demo-sources/"
port="${PORT:-18282}"
# The load generator is one client on loopback: no per-client rate or connection cap.
printf '[serve.limits]\nrequests_per_second = 0\nmax_connections_per_client = 4096\nmax_connections = 4096\n' >"$work/vigie.toml"
"$BIN" -q --config "$work/vigie.toml" serve --demo --data-dir "$work/data" --listen "127.0.0.1:$port" --refresh-every 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
# The demo slot scan runs right after the build: wait for the slot finder to answer.
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/api/v1/slots/search?commune=07186" >/dev/null 2>&1 && break; sleep 0.5; done
echo "binary: $BIN; wrk -t$threads -c$conns -d${dur}s; $(nproc) cores shared by client and server"
printf '%-45s %12s %10s %10s %9s\n' endpoint req/s p50 p99 bytes
# Slot searches around several communes (Privas, Lyon, Marseille, Bordeaux, Rennes, Paris:
# answers of 12 to 96 KB), the slot finder page, a dashboard page and two API documents.
paths="/healthz"
for c in 07186 69123 13055 33063 35238 75056; do paths="$paths /api/v1/slots/search?commune=$c"; done
paths="$paths /rendez-vous?commune=07186 /territoire/DEP-07 /api/v1/map /api/v1/territories/DEP-07"
for path in $paths; do
  curl -fsS -o /dev/null "http://127.0.0.1:$port$path"   # warm the page cache
  out="$(wrk -t"$threads" -c"$conns" -d"${dur}s" --latency "http://127.0.0.1:$port$path")"
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '$1=="50%" {print $2}')"
  p99="$(echo "$out" | awk '$1=="99%" {print $2}')"
  errs="$(echo "$out" | grep -E 'Non-2xx|Socket errors' || true)"
  size="$(curl -fsS -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port$path")"
  printf '%-45s %12s %10s %10s %9s %s\n' "$path" "$rps" "$p50" "$p99" "$size" "$errs"
done
# The same search with a new radius on every request: no answer from the per-query cache.
out="$(wrk -t"$threads" -c"$conns" -d"${dur}s" --latency -s bench/web/uncached.lua "http://127.0.0.1:$port")"
rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
p50="$(echo "$out" | awk '$1=="50%" {print $2}')"
p99="$(echo "$out" | awk '$1=="99%" {print $2}')"
errs="$(echo "$out" | grep -E 'Non-2xx|Socket errors' || true)"
printf '%-45s %12s %10s %10s %9s %s\n' "search 07186, uncached (uncached.lua)" "$rps" "$p50" "$p99" "" "$errs"
