#!/bin/sh
# run.sh - run each test binary, print its output, and a closing summary.
# Usage: tests/run.sh BINDIR TEST...
bindir=$1; shift
passed=0; failed=0; failures=""
for t in "$@"; do
	echo "== $t"
	if XP_BIN="$bindir" timeout 600 "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); failures="$failures $t"
	fi
done
echo "binaries: $passed passed, $failed failed"
# the caller may sum several runs (plain and sanitizer builds)
[ -n "${XP_TEST_COUNTS:-}" ] && echo "$passed $failed" >> "$XP_TEST_COUNTS"
[ -z "$failures" ] || { echo "failed:$failures"; exit 1; }
