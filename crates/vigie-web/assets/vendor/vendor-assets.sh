#!/usr/bin/env bash
# Re-vendors the front-end libraries at their pinned versions (run only when bumping a version).
# Needs npm (registry reachable); `cargo build` never runs this. Writes the dist files and each
# library's LICENSE under assets/vendor/<lib>-<version>/ and the checksum list SHA256SUMS.
# Verify the committed files without network: (cd assets/vendor && sha256sum -c SHA256SUMS)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
LEAFLET=1.9.4
UPLOT=1.6.32
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
npm pack --silent "leaflet@$LEAFLET" "uplot@$UPLOT" >/dev/null
mkdir l u
tar xzf "leaflet-$LEAFLET.tgz" -C l
tar xzf "uplot-$UPLOT.tgz" -C u
L="$here/leaflet-$LEAFLET"
U="$here/uplot-$UPLOT"
rm -rf "$L" "$U"
mkdir -p "$L/images" "$U"
cp l/package/dist/leaflet.js l/package/dist/leaflet.css l/package/LICENSE "$L/"
cp l/package/dist/images/*.png "$L/images/"
cp u/package/dist/uPlot.iife.min.js u/package/dist/uPlot.min.css u/package/LICENSE "$U/"
cd "$here"
find "leaflet-$LEAFLET" "uplot-$UPLOT" -type f | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
echo "vendored leaflet $LEAFLET and uplot $UPLOT:"
cat SHA256SUMS

# World map: world-atlas (Natural Earth 1:50m countries) converted to GeoJSON with vigie's keys
# and names by tools/gen-world-map.sh (npm, its own scratch directory; reads
# crates/vigie-core/data/countries.csv). Its checksums follow the libraries' in SHA256SUMS.
WORLD_ATLAS=2.0.2
bash "$here/../../../../tools/gen-world-map.sh"
cd "$here"
find "world-atlas-$WORLD_ATLAS" -type f | LC_ALL=C sort | xargs sha256sum >> SHA256SUMS
echo "vendored world-atlas $WORLD_ATLAS (countries.geo.json, see world-atlas-$WORLD_ATLAS/README.md):"
grep " world-atlas-$WORLD_ATLAS/" SHA256SUMS
