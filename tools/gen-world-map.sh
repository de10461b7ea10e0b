#!/usr/bin/env bash
# Regenerates the world map of vigie-web (run only when bumping world-atlas or after changing
# crates/vigie-core/data/countries.csv; `cargo build` never runs this):
#   crates/vigie-web/assets/vendor/world-atlas-$WORLD_ATLAS/countries.geo.json and LICENSE.
# Needs node and npm (registry reachable). Everything npm fetches goes to a scratch directory,
# never into the repository. The conversion itself is tools/gen-world-map.mjs: world-atlas
# countries-50m.json (Natural Earth 1:50m admin-0, TopoJSON) -> simplified GeoJSON
# FeatureCollection, coordinates rounded to 2 decimals, antimeridian cut (planar, RFC 7946),
# properties {key, name_fr, name_en} joined on the ISO numeric id through countries.csv.
# What was dropped, merged, split or kept unsimplified is printed on stderr.
# vendor-assets.sh calls this and appends the checksums to SHA256SUMS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
WORLD_ATLAS=2.0.2
MIN_WEIGHT=0.007   # topojson-simplify minimum triangle area, squared degrees
MAX_BYTES=614400   # 600 KiB
DEPS="topojson-client@3.1.0 topojson-simplify@3.0.3 d3-geo@3.1.2 d3-geo-projection@4.0.1"
countries="$root/crates/vigie-core/data/countries.csv"
out="$root/crates/vigie-web/assets/vendor/world-atlas-$WORLD_ATLAS"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
npm pack --silent "world-atlas@$WORLD_ATLAS" >/dev/null
mkdir wa
tar xzf "world-atlas-$WORLD_ATLAS.tgz" -C wa
echo '{"private": true}' > package.json
# shellcheck disable=SC2086
npm install --silent --no-audit --no-fund --no-package-lock $DEPS >/dev/null
cp "$root/tools/gen-world-map.mjs" .
mkdir -p "$out"
node gen-world-map.mjs wa/package/countries-50m.json "$countries" "$out/countries.geo.json" "$MIN_WEIGHT"
cp wa/package/LICENSE "$out/LICENSE"
size=$(wc -c < "$out/countries.geo.json")
if [ "$size" -gt "$MAX_BYTES" ]; then
  echo "countries.geo.json is $size bytes, over $MAX_BYTES: raise MIN_WEIGHT" >&2
  exit 1
fi
echo "world map: $out/countries.geo.json ($size bytes)"
