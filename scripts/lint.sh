#!/bin/sh
# lint.sh - refuse calls to banned C functions (unbounded copies, unchecked conversions) in src/ and tests/.
# Prints file:line:text for each hit and exits 1 when there is any, 0 otherwise.
set -u
cd "$(dirname "$0")/.." || exit 2

banned='strcpy|strcat|sprintf|vsprintf|atoi|atol|strtok|gets'
# A whole-word name followed by "(": snprintf, strtok_r, fgets and my_atoi( do not match.
pattern="(^|[^A-Za-z0-9_])($banned)[[:space:]]*\\("

dirs=
for d in src tests; do
	[ -d "$d" ] && dirs="$dirs $d"
done
[ -n "$dirs" ] || exit 0

# shellcheck disable=SC2086 # $dirs is a list of plain directory names
hits=$(grep -rnE --include='*.c' --include='*.h' "$pattern" $dirs)
if [ -n "$hits" ]; then
	echo "lint: banned calls (use snprintf, memcpy with a size, strtol/strtoll with checks, strtok_r):" >&2
	echo "$hits"
	exit 1
fi
exit 0
