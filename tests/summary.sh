#!/bin/sh
# summary.sh - the closing line of `make test`: test cases passed, failed
# and skipped over all builds, then per build, from the counts tests/run.sh
# appended to COUNTS. A build with no counts did not run (it failed to
# build): it counts as one failure, so a partial run never reads "0 failed".
# The failures (COUNTS.failures) are listed on stderr first; the one
# summary line goes to stdout. Exits 1 when anything failed.
#
# Usage: tests/summary.sh COUNTS BUILD...
counts=$1
shift
if [ -s "$counts.failures" ]; then
	echo "failed:" >&2
	sed 's/^/  /' "$counts.failures" >&2
fi
total_p=0 total_f=0 total_s=0 parts=""
for build in "$@"; do
	line=$(awk -v b="$build" '$1 == b { p += $2; f += $3; s += $4; n++ }
		END { if (n) printf "%d %d %d", p, f, s }' "$counts" 2>/dev/null)
	if [ -z "$line" ]; then
		echo "  $build: did not run (see the build errors above)" >&2
		total_f=$((total_f + 1))
		parts="$parts; $build: did not run"
		continue
	fi
	read -r p f s <<EOF
$line
EOF
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	part="$build: $p passed, $f failed"
	[ "$s" -gt 0 ] && part="$part, $s skipped"
	parts="$parts; $part"
done
echo "tests: $total_p passed, $total_f failed, $total_s skipped (${parts#; })"
[ "$total_f" -eq 0 ]
