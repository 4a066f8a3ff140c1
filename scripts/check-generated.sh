#!/usr/bin/env bash
# Regenerates the GraphQL code and fails if it differs from what is in the
# tree: the schema and the generated code never drift. The tree is left
# exactly as it was, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
cp -a graph "$tmp/graph"
restore() { rm -rf graph && cp -a "$tmp/graph" graph && rm -rf "$tmp"; }
trap restore EXIT
(cd graph && go tool gqlgen generate --config gqlgen.yml)
if ! diff -r -q "$tmp/graph" graph >/dev/null; then
	diff -r "$tmp/graph" graph | head -40 >&2
	echo "generated GraphQL code is stale: run 'make generate' and commit" >&2
	exit 1
fi
