#!/bin/sh
# Install the browser pose model (npm @mediapipe/pose: JavaScript, wasm and the lite/full/heavy
# models) into static/vendor/mediapipe so the web app serves it locally: never from a CDN.
# Called by the Makefile (target web-assets). Idempotent: does nothing when already installed.
set -eu
VERSION="0.5.1675469404"
HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="$HERE/static/vendor/mediapipe"
if [ -f "$DEST/.version" ] && [ "$(cat "$DEST/.version")" = "$VERSION" ]; then
    exit 0
fi
command -v npm >/dev/null || { echo "web/build.sh: npm is needed (apt-get install -y npm)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
npm install --silent --no-audit --no-fund --prefix "$TMP" "@mediapipe/pose@$VERSION" >&2
SRC="$TMP/node_modules/@mediapipe/pose"
mkdir -p "$DEST"
for f in "$SRC"/*.js "$SRC"/*.wasm "$SRC"/*.data "$SRC"/*.binarypb "$SRC"/*.tflite "$SRC"/LICENSE "$SRC"/package.json; do
    [ -e "$f" ] && cp "$f" "$DEST/"
done
echo "$VERSION" > "$DEST/.version"
echo "web/build.sh: @mediapipe/pose $VERSION installed in $DEST" >&2
