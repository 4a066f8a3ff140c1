#!/usr/bin/env bash
# Dossier-list load test (BENCHMARKS.md): starts `egide dev` with 10 000 demo
# dossiers on a private cluster under var/loadtest (or DATABASE_URL), drives it
# over loopback with cmd/egide-load, then stops it. Options pass through to
# egide-load (e.g. -concurrency 16 -duration 30s).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=var/loadtest
port=${LOADTEST_PORT:-8090}
mkdir -p "$dir"
EGIDE_DATA_DIR=$dir EGIDE_DEMO_DOSSIERS=${LOADTEST_DOSSIERS:-10000} EGIDE_LISTEN=127.0.0.1:$port EGIDE_LOG_LEVEL=warn \
	bin/egide dev >"$dir/egide.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
	curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	kill -0 $pid 2>/dev/null || { cat "$dir/egide.log"; exit 1; }
	sleep 1
done
go run ./cmd/egide-load -url "http://127.0.0.1:$port" -accounts "$dir/dev-accounts.json" "$@"
