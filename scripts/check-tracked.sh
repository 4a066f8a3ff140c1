#!/usr/bin/env bash
# Fails when a tracked file is a build output (a compiled binary, anything
# under bin/, node_modules/, frontend/dist/, a test binary) or larger than
# EGIDE_MAX_TRACKED_BYTES (2 MiB): built artefacts are made by `make`, never
# committed. Run by `make vet`, so by `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."
max=${EGIDE_MAX_TRACKED_BYTES:-2097152}
status=0
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue # deleted in the work tree, not yet committed
	case "$f" in
	frontend/dist/.gitkeep) continue ;;
	bin/* | */node_modules/* | node_modules/* | frontend/dist/* | *.test | *.out | *.exe | *.so | *.o)
		echo "build output tracked: $f" >&2
		status=1
		continue
		;;
	esac
	size=$(stat -c %s "$f")
	if [ "$size" -gt "$max" ]; then
		echo "tracked file over $max bytes: $f ($size bytes)" >&2
		status=1
	fi
	# Executables and libraries: ELF, Mach-O, PE, whatever their name.
	magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
	case "$magic" in
	7f454c46 | cffaedfe | cefaedfe | feedface | feedfacf | 4d5a*)
		echo "compiled binary tracked: $f" >&2
		status=1
		;;
	esac
done < <(git ls-files -z)
if [ "$status" -ne 0 ]; then
	echo "remove these from git (git rm --cached FILE) and ignore them in .gitignore" >&2
fi
exit "$status"
