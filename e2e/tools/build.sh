#!/usr/bin/env bash
# build.sh OUT PKG [go build flags...]: builds one pinned tool of this module
# into OUT, printing a line every 30 s so that a cold build (minutes on 2
# cores) does not look hung. The Makefile's `tools` target runs it once per
# binary; a lock keeps these builds one at a time. TOOLS_MODULE names another
# tools module directory to build in (e2e/autoscaler-tools); GOTOOLCHAIN in the
# environment picks its Go.
set -euo pipefail
out=$(realpath -m "$1") pkg=$2
shift 2
cd "${TOOLS_MODULE:-$(dirname "$0")}"
name=$(basename "$out")
# One heavy build at a time on the machine, even under make -j or two makes.
exec 9>"${TMPDIR:-/tmp}/poolpatch-tools-build.lock"
flock 9
start=$SECONDS
echo ">> $name: building $pkg (cold: minutes; warm Go build cache: seconds)"
heartbeat() {
	trap 'kill "$!" 2>/dev/null; exit 0' TERM # no sleep left holding stdout
	while :; do
		sleep 30 &
		wait "$!"
		echo "   $name: still building, $((SECONDS - start))s"
	done
}
heartbeat 9>&- &
beat=$!
trap 'kill "$beat" 2>/dev/null || true' EXIT
CGO_ENABLED=0 "${GO:-go}" build "$@" -o "$out" "$pkg" 9>&-
echo "   $name: done in $((SECONDS - start))s"
