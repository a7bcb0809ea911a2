#!/usr/bin/env bash
# Fetches uPlot (the workspace's chart library, MIT) from the npm registry
# once, at a pinned version, into src/web/assets/uplot/ where the server
# embeds it: pages load it from staffcast itself, never from a CDN, and
# work offline. Rerun only to change the version; the files are committed.
# npm checks the package's published integrity hash.
set -euo pipefail
version="${1:-1.6.32}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/web/assets/uplot"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "uplot@$version" >/dev/null && tar xzf uplot-*.tgz)
mkdir -p "$dest"
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" "$work/package/LICENSE" "$dest/"
echo "$version" > "$dest/VERSION"
(cd "$dest" && sha256sum uPlot.iife.min.js uPlot.min.css > SHA256SUMS)
echo "uPlot $version in $dest"
