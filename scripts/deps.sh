#!/usr/bin/env bash
# Installs what `make run` and `make test` need and the machine may lack:
# PostgreSQL server binaries (initdb, pg_ctl) and, for the end-to-end tests
# of the web application (scripts/e2e.sh), Debian's Chromium. Go itself must be present, and
# Node.js (>= 20.19, with npm) for the web application in frontend/ (its
# packages come from frontend/package-lock.json through `npm ci`).
set -euo pipefail

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "deps: node and npm not found; install Node.js >= 20.19 (e.g. the 'nodejs' and 'npm' packages) to build the web application" >&2
	exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
	echo "deps: Node.js $(node --version) is too old; the web application needs >= 20.19" >&2
	exit 1
}

have_pg() {
	command -v initdb >/dev/null 2>&1 && return 0
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

apt_updated=
apt_install() {
	[ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

if [ -z "${DATABASE_URL:-}${TEST_DATABASE_URL:-}" ] && ! have_pg; then
	if can_apt; then
		echo "deps: installing PostgreSQL server binaries (apt-get install postgresql)" >&2
		apt_install postgresql
	else
		echo "deps: PostgreSQL server binaries not found; install the 'postgresql' package or set DATABASE_URL / TEST_DATABASE_URL" >&2
		exit 1
	fi
fi

# The browser of the end-to-end tests: Debian's, since test tools cannot
# download their own here. Without it scripts/e2e.sh skips, or fails under CI=true.
# Only for the tests (EGIDE_DEPS_E2E=1, set by `make test`): `make run` needs no browser.
if [ "${EGIDE_DEPS_E2E:-}" = 1 ] && [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
	if can_apt; then
		echo "deps: installing Chromium for the end-to-end tests (apt-get install chromium chromium-l10n)" >&2
		apt_install chromium chromium-l10n
	elif [ "${CI:-}" = true ]; then
		echo "deps: /usr/bin/chromium not found; install the 'chromium' package (the end-to-end tests need it)" >&2
		exit 1
	else
		echo "deps: /usr/bin/chromium not found; the end-to-end tests will be skipped (install the 'chromium' package)" >&2
	fi
fi
# Its French translations: the tests run the browser in French, as its users do.
if [ "${EGIDE_DEPS_E2E:-}" = 1 ] && [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && command -v dpkg-query >/dev/null 2>&1 &&
	! dpkg-query -W -f='${Status}' chromium-l10n 2>/dev/null | grep -q 'ok installed' && can_apt; then
	echo "deps: installing Chromium's French translations (apt-get install chromium-l10n)" >&2
	apt_install chromium-l10n
fi
