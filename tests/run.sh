#!/bin/sh
# run.sh - run each test binary of one build, show its output, and count
# test cases as the tests report them: cmocka's "[  PASSED  ] N test(s).",
# "[  FAILED  ] N test(s)" and "[  SKIPPED ] N test(s)" lines (a shell test
# prints the same lines). A binary that ends without its summary, exits
# non-zero while reporting no failure, or times out counts as failed: the
# cases it announced ("Running N test(s)") and did not pass are failures,
# and at least one. Never 0 passed in silence.
#
# Usage: tests/run.sh BUILD BINDIR TEST...
# BUILD names the build in the counts ("plain", "sanitizers"). With
# $XP_TEST_COUNTS set, appends "BUILD PASSED FAILED SKIPPED BINARIES" to that
# file and one line per failure to $XP_TEST_COUNTS.failures, for
# tests/summary.sh. Exits 1 when anything failed.
build=$1
bindir=$2
shift 2
logdir=$(mktemp -d /tmp/xproto-tests-XXXXXX) || exit 1
trap 'rm -rf "$logdir"' EXIT
passed=0 failed=0 skipped=0 binaries=0 failures=""

# count LOG STATUS -> "PASSED FAILED SKIPPED SUMMARY" (SUMMARY: 1 if the
# binary printed its counts) and the failed case names
count() {
	awk -v st="$2" '
	/^\[==========\] Running [0-9]+ test\(s\)\./ { running += $3 }
	/^\[  PASSED  \] [0-9]+ test\(s\)/ { p += $4; summary = 1 }
	/^\[  FAILED  \] [0-9]+ test\(s\)/ { f += $4; summary = 1 }
	/^\[  SKIPPED \] [0-9]+ test\(s\)/ { s += $4; summary = 1 }
	/^\[       OK \] / { ok++ }
	/^\[  FAILED  \] [^0-9]/ {
		n = substr($0, 14)
		gsub(/ /, "_", n)
		if (!(n in seen)) { seen[n] = 1; names = names " " n }
	}
	END {
		if (!summary)
			p = ok
		if (st != 0 || !summary) {
			rest = running - p - s
			if (f < rest) f = rest
			if (f < 1) f = 1
		}
		printf "%d %d %d %d%s\n", p, f, s, summary, names
	}' "$1"
}

# why a binary failed, from its exit status and whether it printed counts
why() {
	case $1 in
	0) if [ "$3" = 1 ]; then echo "reported failures"; else echo "ended without its counts"; fi ;;
	124) echo "timed out after $2 s" ;;
	12[5-9]) echo "could not run (status $1)" ;;
	*) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit status $1"; fi ;;
	esac
}

limit=900
for t in "$@"; do
	name=$(basename "$t")
	log="$logdir/$name.log"
	echo "== $t"
	start=$(date +%s)
	{ XP_BIN="$bindir" timeout -k 10 $limit "$t" 2>&1; echo $? > "$log.status"; } | tee "$log"
	st=$(cat "$log.status")
	read -r p f s summary names <<EOF
$(count "$log" "$st")
EOF
	binaries=$((binaries + 1))
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	line="-- $name: $p passed, $f failed"
	[ "$s" -gt 0 ] && line="$line, $s skipped"
	line="$line [$(($(date +%s) - start)) s]"
	if [ "$f" -gt 0 ]; then
		if [ -n "$names" ] && [ "$st" -lt 124 ]; then
			detail="failed:$names"
		else
			detail="$(why "$st" $limit "$summary")${names:+:$names}"
		fi
		line="$line ($detail)"
		failures="$failures
$build $t: $detail"
	fi
	echo "$line"
done

echo "$build: $passed passed, $failed failed, $skipped skipped ($binaries binaries)"
if [ -n "${XP_TEST_COUNTS:-}" ]; then
	echo "$build $passed $failed $skipped $binaries" >> "$XP_TEST_COUNTS"
	[ -n "$failures" ] && echo "$failures" | sed '/^$/d' >> "$XP_TEST_COUNTS.failures"
fi
[ "$failed" -eq 0 ]
