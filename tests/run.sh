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
echo "test binaries: $passed passed, $failed failed"
[ -z "$failures" ] || { echo "failed:$failures"; exit 1; }
