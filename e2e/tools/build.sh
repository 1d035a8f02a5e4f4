#!/usr/bin/env bash
# build.sh OUT PKG [go build flags...]: builds one pinned tool of this module
# into OUT, printing a line every 30 s so that a cold build (minutes on 2
# cores) does not look hung. The Makefile's `tools` target runs it once per
# binary, one at a time.
set -euo pipefail
out=$(realpath -m "$1") pkg=$2
shift 2
cd "$(dirname "$0")"
name=$(basename "$out")
start=$SECONDS
echo ">> $name: building $pkg (cold: minutes; warm Go build cache: seconds)"
(while sleep 30; do echo "   $name: still building, $((SECONDS - start))s"; done) &
beat=$!
trap 'kill "$beat" 2>/dev/null || true' EXIT
CGO_ENABLED=0 "${GO:-go}" build "$@" -o "$out" "$pkg"
echo "   $name: done in $((SECONDS - start))s"
