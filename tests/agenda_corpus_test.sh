#!/bin/sh
# agenda_corpus_test.sh - the real-world .ics corpus (tests/ics-corpus: files
# shipped in Debian packages' test data, and Google, Outlook and Apple style
# exports) through `agenda import`, `ls` and `export`, compared with an
# independent implementation (tests/agenda_corpus.py: python3-icalendar,
# python3-dateutil, zoneinfo, python3-vobject) as seen from two viewer
# zones. Prints files, events, occurrences compared and differences, and
# cmocka's summary lines (one case per zone).
set -u
bin=$(cd "${XP_BIN:-build/bin}" && pwd)
files=$(find tests/ics-corpus -name '*.ics' | sort)
pass=0 fail=0
for zone in America/New_York Asia/Kolkata; do
	out=$(mktemp)
	if TZ=$zone timeout 300 /usr/bin/python3 tests/agenda_corpus.py "$bin" $files > "$out" 2>&1
	then pass=$((pass + 1))
	else fail=$((fail + 1)); cat "$out"
	fi
	tail -n 1 "$out"
	rm -f "$out"
done
# cmocka's summary lines (one case per viewer zone), which tests/run.sh counts
echo "[  PASSED  ] $pass test(s)."
[ $fail -eq 0 ] || { echo "[  FAILED  ] $fail test(s)."; exit 1; }
