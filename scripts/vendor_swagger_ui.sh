#!/usr/bin/env bash
# Fetches Swagger UI from the npm registry once, at a pinned version, into
# src/api/docs/swagger-ui/ where the server embeds it (`/docs` works offline
# and never loads anything from a CDN). Rerun only to change the version;
# the files are committed. npm checks the package's published integrity hash.
set -euo pipefail
version="${1:-5.35.0}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/api/docs/swagger-ui"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
mkdir -p "$dest"
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE; do
  cp "$work/package/$f" "$dest/$f"
done
echo "$version" > "$dest/VERSION"
(cd "$dest" && sha256sum swagger-ui-bundle.js swagger-ui.css > SHA256SUMS)
echo "Swagger UI $version in $dest"
