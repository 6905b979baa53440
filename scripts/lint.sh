#!/bin/sh
# lint.sh - refuse calls to banned C functions (unbounded copies, unchecked conversions) in src/, tests/ and fuzz/.
# Prints file:line:text for each hit and exits 1 when there is any, 0 otherwise.
set -u
cd "$(dirname "$0")/.." || exit 2

banned='strcpy|strcat|sprintf|vsprintf|atoi|atol|strtok|gets'
# A whole-word name followed by "(": snprintf, strtok_r, fgets and my_atoi( do not match.
pattern="(^|[^A-Za-z0-9_])($banned)[[:space:]]*\\("

dirs=
for d in src tests fuzz; do
	[ -d "$d" ] && dirs="$dirs $d"
done
[ -n "$dirs" ] || exit 0

# Every route in the route table is described in docs/openapi.yaml (":id" is "{id}").
if [ -f src/app/routes.c ] && [ -f docs/openapi.yaml ]; then
	missing=$(python3 - <<'PY'
import re, yaml
doc = yaml.safe_load(open('docs/openapi.yaml', encoding='utf-8'))['paths']
for m, p in re.findall(r'\{ "(GET|POST|PUT|DELETE|PATCH)", "(/api/v1/[^"]*)"', open('src/app/routes.c', encoding='utf-8').read()):
	q = re.sub(r':(\w+)', r'{\1}', p)
	if m.lower() not in (doc.get(q) or {}):
		print(f'{m} {p}')
PY
)
	if [ -n "$missing" ]; then
		echo "lint: routes missing from docs/openapi.yaml:" >&2
		echo "$missing"
		exit 1
	fi
fi

# shellcheck disable=SC2086 # $dirs is a list of plain directory names
hits=$(grep -rnE --include='*.c' --include='*.h' "$pattern" $dirs)
if [ -n "$hits" ]; then
	echo "lint: banned calls (use snprintf, memcpy with a size, strtol/strtoll with checks, strtok_r):" >&2
	echo "$hits"
	exit 1
fi
exit 0
