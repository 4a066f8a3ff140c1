#!/usr/bin/env bash
# Builds the MinIO server that the S3 tests run (internal/blob/blobtest),
# unless the pinned version is already built, and prints its path.
#
# MinIO comes from the Go module proxy with `go install`, into the
# project-local .cache/bin: a few minutes the first time, nothing after.
# MINIO_VERSION overrides the pinned version (the Makefile passes its own);
# GO names the go command.
set -euo pipefail

# The newest MinIO on the module proxy (`go list -m github.com/minio/minio@latest`);
# it builds with Go 1.26. MinIO tags no semver releases: this is a pseudo-version.
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
GO="${GO:-go}"

root="$(cd "$(dirname "$0")/.." && pwd)"
bindir="$root/.cache/bin"
bin="$bindir/minio"

# The module version recorded in the binary by the Go linker.
built_version() {
	"$GO" version -m "$1" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/minio/minio" { print $3 }'
}

if [ -x "$bin" ] && [ "$(built_version "$bin")" = "$MINIO_VERSION" ]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$bindir"
# Built into a temporary directory and moved into place, so an interrupted
# build never leaves a partial binary where the tests look.
tmp="$(mktemp -d "$bindir/.build-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "minio: building github.com/minio/minio@$MINIO_VERSION into $bindir (a few minutes, once)" >&2
start=$SECONDS
GOBIN="$tmp" GOFLAGS="${GOFLAGS:-} -buildvcs=false" "$GO" install "github.com/minio/minio@$MINIO_VERSION"
mv -f "$tmp/minio" "$bin"
echo "minio: built in $((SECONDS - start)) s" >&2
echo "$bin"
