#!/bin/sh
# repeat.sh - `make test-repeat N=10`: the full `make test` N times in a row
# with two CPU hogs running beside it, the time zone rotating through
# Pacific/Auckland, America/Los_Angeles and UTC (and, where the locale
# exists, every other run in German: LANG=de_DE.UTF-8). Stops at the first
# failing run and names it; each run's output is in build/test-repeat/.
#
# The hogs are stopped however this ends: on exit, Ctrl-C or kill, and,
# where setpriv(1) exists, by the kernel even if this script is killed with
# SIGKILL (they get SIGKILL when it dies). A signal also stops the running
# `make test`: it runs in a session of its own (setsid), killed whole.
#
# Usage: tests/repeat.sh N
n=${1:-10}
case $n in
'' | *[!0-9]* | 0) echo "test-repeat: N must be a positive number, not '$n'" >&2; exit 2 ;;
esac
logdir=build/test-repeat
mkdir -p "$logdir"
hogs=""
run=""
cleanup() {
	if [ -n "$run" ]; then
		kill -TERM "-$run" 2>/dev/null
		# timeout(1) in tests/run.sh gives each test a process group of its
		# own; the session (setsid) holds them all
		pkill -TERM -s "$run" 2>/dev/null
	fi
	for pid in $hogs; do kill "$pid" 2>/dev/null; done
	hogs=""
}
trap cleanup EXIT
trap 'echo "test-repeat: interrupted"; exit 130' INT TERM HUP

hog() {
	if command -v setpriv >/dev/null 2>&1; then
		setpriv --pdeathsig KILL yes > /dev/null &
	else
		yes > /dev/null &
	fi
	hogs="$hogs $!"
}
hog
hog
echo "test-repeat: $n runs of make test beside two CPU hogs (pids$hogs); logs in $logdir/"

german=""
locale -a 2>/dev/null | grep -qix 'de_DE.utf8' && german=de_DE.UTF-8
session=""
command -v setsid >/dev/null 2>&1 && session=setsid
i=0
passed=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	case $((i % 3)) in
	1) tz=Pacific/Auckland ;;
	2) tz=America/Los_Angeles ;;
	0) tz=UTC ;;
	esac
	lang=${LANG:-C}
	[ -n "$german" ] && [ $((i % 2)) -eq 0 ] && lang=$german
	log="$logdir/run-$i.log"
	start=$(date +%s)
	TZ=$tz LANG=$lang LC_ALL= $session make --no-print-directory test < /dev/null > "$log" 2>&1 &
	run=$!
	wait $run
	rc=$?
	run=""
	took=$(($(date +%s) - start))
	last=$(tail -n 1 "$log")
	if [ $rc -ne 0 ]; then
		echo "run $i of $n (TZ=$tz LANG=$lang) FAILED after $took s:"
		if grep -q '^failed:' "$log"; then sed -n '/^failed:/,$p' "$log"; else tail -n 30 "$log"; fi
		echo "full output: $log"
		break
	fi
	passed=$((passed + 1))
	echo "run $i of $n (TZ=$tz LANG=$lang, $took s): $last"
done
echo "test-repeat: $passed of $n runs passed"
[ "$passed" -eq "$n" ]
