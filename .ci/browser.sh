#!/usr/bin/env bash
# Browser tests of the web application: headless Debian Chromium driven by playwright-core
# (npm, pinned in web-tests/package-lock.json; no browser download). Starts `vigie serve --demo`
# on loopback, writes a static export with `vigie publish`, runs web-tests/, and leaves
# screenshots (phone and desktop) in web-tests/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium (Debian)"
  if [ "$(id -u)" = 0 ]; then apt-get install -y chromium >/dev/null; else sudo apt-get install -y chromium >/dev/null; fi
fi

echo "== npm ci (web-tests)"
(cd web-tests && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)

echo "== building vigie"
cargo build --locked -p vigie-cli
bin="${CARGO_TARGET_DIR:-$root/target}/debug/vigie"

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The demo dataset has no geometry; the department outlines (Licence Ouverte) are read from the
# shared data when present, so the map can be drawn. Without them the map tests are skipped.
shared="${VIGIE_SHARED_DATA:-$root/../shared/data}"
mkdir -p "$work/data/demo/demo-sources"
if [ -f "$shared/geo/departements-avec-outre-mer.geojson" ]; then
  cp "$shared/geo/departements-avec-outre-mer.geojson" "$work/data/demo/demo-sources/"
else
  echo "no department GeoJSON in $shared/geo: map tests will be skipped"
  export VIGIE_NO_GEO=1
fi

port="${VIGIE_TEST_PORT:-18181}"
echo "== vigie serve --demo on 127.0.0.1:$port"
"$bin" -q serve --demo --data-dir "$work/data" --listen "127.0.0.1:$port" --refresh-every 0 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$work/serve.log"; echo "server exited"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz"

echo "== moderator for the contribution tests"
# `moderators add` prints `password: …` and `token: …` once; they stay in this shell (not echoed).
if ! mod="$("$bin" -q moderators add testmod --data-dir "$work/data" 2>"$work/moderators.err")"; then
  cat "$work/moderators.err"; echo "could not create the moderator"; exit 1
fi
VIGIE_MOD_NAME=testmod
VIGIE_MOD_PASSWORD="$(printf '%s\n' "$mod" | sed -n 's/^password: //p')"
VIGIE_MOD_TOKEN="$(printf '%s\n' "$mod" | sed -n 's/^token: //p')"
if [ -z "$VIGIE_MOD_PASSWORD" ] || [ -z "$VIGIE_MOD_TOKEN" ]; then
  echo "no password or token in the output of vigie moderators add"; exit 1
fi
export VIGIE_MOD_NAME VIGIE_MOD_PASSWORD VIGIE_MOD_TOKEN

echo "== vigie publish (static export)"
"$bin" -q publish --release "$work/data/demo/current" --to "$work/site"

echo "== browser tests"
rm -rf web-tests/artifacts
(cd web-tests && VIGIE_URL="http://127.0.0.1:$port" VIGIE_STATIC="$work/site" node --test --test-concurrency=1 tests/)
echo "screenshots: web-tests/artifacts/"
