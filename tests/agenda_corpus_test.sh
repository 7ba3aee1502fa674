#!/bin/sh
# agenda_corpus_test.sh - the real-world .ics corpus (tests/ics-corpus: files
# shipped in Debian packages' test data, and Google, Outlook and Apple style
# exports) through `agenda import`, `ls` and `export`, compared with an
# independent implementation (tests/agenda_corpus.py: python3-icalendar,
# python3-dateutil, zoneinfo, python3-vobject) as seen from two viewer
# zones. Prints files, events, occurrences compared and differences.
set -u
bin=$(cd "${XP_BIN:-build/bin}" && pwd)
files=$(find tests/ics-corpus -name '*.ics' | sort)
fail=0
for zone in America/New_York Asia/Kolkata; do
	out=$(mktemp)
	TZ=$zone timeout 300 /usr/bin/python3 tests/agenda_corpus.py "$bin" $files > "$out" 2>&1 ||
		{ fail=1; cat "$out"; }
	tail -n 1 "$out"
	rm -f "$out"
done
exit $fail
