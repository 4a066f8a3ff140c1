#!/usr/bin/env bash
# End-to-end tests of the web application in a real browser (Debian's
# Chromium driven by playwright-core; frontend/e2e/). Builds bin/egide
# (unless E2E_BUILT=1: the Makefile has just built it), starts `egide dev`
# on a free loopback port with a fresh data directory, runs the suite
# with Node's test runner, and always stops the server.
# Screenshots land in frontend/e2e/screenshots/ (gitignored); the
# measurements in $E2E_RESULTS (default var/e2e-results.json).
# Under CI=true a missing Chromium fails the run; otherwise it skips.
# E2E_TESTS="e2e/a.test.mjs e2e/b.test.mjs" runs only those files.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	if [ "${CI:-}" = true ]; then
		echo "e2e: $chromium not found (scripts/deps.sh installs it as root); CI=true does not skip" >&2
		exit 1
	fi
	echo "e2e: SKIPPED: $chromium not found (apt-get install chromium, or run scripts/deps.sh as root)" >&2
	exit 0
fi

[ "${E2E_BUILT:-}" = 1 ] || make --no-print-directory build
[ -d frontend/node_modules/playwright-core ] || (cd frontend && npm ci)

data=$(mktemp -d)
state=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
log=$data/egide-dev.log
pid=
stop() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -rf "$data" "$state"
}
trap stop EXIT
trap 'exit 130' INT TERM

EGIDE_DATA_DIR=$data EGIDE_LISTEN=127.0.0.1:$port bin/egide dev >"$log" 2>&1 &
pid=$!
url=http://127.0.0.1:$port
for _ in $(seq 240); do
	curl -fsS -o /dev/null "$url/readyz" 2>/dev/null && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "e2e: egide dev exited before it was ready:" >&2
		tail -50 "$log" >&2
		exit 1
	fi
	sleep 0.5
done
if ! curl -fsS -o /dev/null "$url/readyz"; then
	echo "e2e: egide dev not ready after 120 s:" >&2
	tail -50 "$log" >&2
	exit 1
fi

mkdir -p var
export E2E_BASE_URL=$url E2E_ACCOUNTS=$data/dev-accounts.json E2E_STATE_DIR=$state
export E2E_RESULTS=${E2E_RESULTS:-$root/var/e2e-results.json}
status=0
# E2E_TESTS narrows the run to some files (e.g. E2E_TESTS=e2e/roles.test.mjs).
if [ -n "${E2E_TESTS:-}" ]; then
	# shellcheck disable=SC2086 # a list of files
	(cd frontend && node --test --test-concurrency=1 $E2E_TESTS) || status=$?
else
	(cd frontend && npm run --silent e2e) || status=$?
fi
if [ "$status" != 0 ]; then
	echo "e2e: failed; the server's last log lines:" >&2
	tail -30 "$log" >&2
fi
exit "$status"
