#!/bin/sh
# bwcompare - the remote display model and the application-level model side
# by side on one scripted calendar workload (issue 7). POSIX sh; needs the
# programs built next to it (or --bin): agendad, agenda, xproto-server,
# thin-client, xp-calendar, bwc-relay, bwc-report; gnuplot for the chart.
#
# For every (model, RTT, bandwidth, run) it starts a fresh agendad seeded
# with the same agenda, the servers of the model, and bwc-relay on the only
# path that crosses the "network":
#   (b) remote display: agendad + xproto-server + xp-calendar on the server
#       host (the calendar's replica syncs with agendad over loopback, not
#       counted); a headless thin-client replays the workload through the
#       relay (counted).
#   (a) application level: a local xproto-server + xp-calendar + headless
#       thin-client (not counted); the calendar's replica syncs with agendad
#       through the relay (counted).
# The workload's `checkpoint` lines split the relay trace into steps;
# bwc-report turns the traces into a table, CSV, JSON and a chart.
set -u

usage() {
	cat <<'EOF'
usage: bwcompare [--rtt MS[,MS...]] [--bw MBIT[,MBIT...]] [--runs N] [--out DIR]
                 [--models b,a] [--workload DIR] [--sync-every SEC]
                 [--seed-events N] [--today YYYY-MM-DD] [--bin DIR] [--no-chart]
Drive one calendar workload through the remote display model (b: thin client
to a calendar on the server host) and the application-level model (a: local
calendar syncing its replica with agendad), over an emulated link, and report
per step: bytes up, bytes down, messages, round trips, completion time.
  --rtt LIST         added round-trip times in ms (default 0,20,100,300)
  --bw LIST          link bandwidths in Mbit/s, 0 = unlimited (default 1,10)
  --runs N           runs per configuration, the median is reported (default 1)
  --out DIR          results: table.txt results.csv results.json chart.png,
                     and runs/ with every trace and log (default build/compare)
  --models LIST      b (remote display), a (application level) (default b,a)
  --workload DIR     phase scripts NN-name.txt (default
                     bench/bwcompare/workloads/calendar)
  --sync-every SEC   periodic sync of the calendar in both models (default 5)
  --seed-events N    events in the seeded agenda (default 200)
  --today DATE       the calendar's today (default 2026-11-18)
  --bin DIR          where the programs are (default: next to this script)
  --no-chart         skip the PNG chart
Only loopback is used; everything started is stopped on exit.
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
RTTS=0,20,100,300 BWS=1,10 RUNS=1 OUT=build/compare MODELS=b,a
WORKLOAD=bench/bwcompare/workloads/calendar SYNC_EVERY=5 SEED_EVENTS=200
TODAY=2026-11-18 BIN=$here CHART=1
while [ $# -gt 0 ]; do
	case $1 in
	--rtt) RTTS=$2; shift ;;
	--bw) BWS=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	--out) OUT=$2; shift ;;
	--models) MODELS=$2; shift ;;
	--workload) WORKLOAD=$2; shift ;;
	--sync-every) SYNC_EVERY=$2; shift ;;
	--seed-events) SEED_EVENTS=$2; shift ;;
	--today) TODAY=$2; shift ;;
	--bin) BIN=$2; shift ;;
	--no-chart) CHART=0 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "bwcompare: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	esac
	[ $# -gt 0 ] && shift
done
case $RUNS in '' | *[!0-9]* | 0) echo "bwcompare: --runs wants a number above 0" >&2; exit 2 ;; esac
for v in "$RTTS" "$BWS" "$SYNC_EVERY" "$SEED_EVENTS"; do
	case $v in '' | *[!0-9.,]*) echo "bwcompare: '$v' is not a number (or a list of numbers)" >&2; exit 2 ;; esac
done
case $MODELS in '' | *[!ab,]*) echo "bwcompare: --models wants b, a or b,a" >&2; exit 2 ;; esac
for p in agendad agenda xproto-server thin-client xp-calendar bwc-relay bwc-report; do
	[ -x "$BIN/$p" ] || { echo "bwcompare: $BIN/$p missing (run make)" >&2; exit 1; }
done
# the default workload from the repository root, or next to build/bin
[ -d "$WORKLOAD" ] || [ "$WORKLOAD" != bench/bwcompare/workloads/calendar ] ||
	WORKLOAD=$here/../../$WORKLOAD
ls "$WORKLOAD"/[0-9]*.txt >/dev/null 2>&1 || { echo "bwcompare: no phase scripts in $WORKLOAD" >&2; exit 1; }
BIN=$(cd "$BIN" && pwd)
WORKLOAD=$(cd "$WORKLOAD" && pwd)
export TZ=UTC

PIDS=""
stop_all() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	PIDS=""
}
trap 'stop_all; exit 130' INT TERM
trap 'stop_all' EXIT

# wait_file FILE: until FILE is not empty, at most 5 s
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$1" ]
}

# seed_ics N FILE: N deterministic events over the 100 days around $TODAY
# (7 weeks back, 7 forward), 08:00-18:00, a third with a location. Plain
# POSIX awk: days are counted with the civil-from-days algorithm.
seed_ics() {
	awk -v n="$1" -v today="$TODAY" '
	function days(y, m, d) { y -= m <= 2; era = int(y / 400); yoe = y - era * 400
		doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
		return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy }
	function civil(z) { era = int(z / 146097); doe = z - era * 146097
		yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
		y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
		mp = int((5 * doy + 2) / 153); dd = doy - int((153 * mp + 2) / 5) + 1
		mm = mp + (mp < 10 ? 3 : -9); return sprintf("%04d%02d%02d", y + (mm <= 2), mm, dd) }
	BEGIN {
		split("Standup,1:1 with Ana,Design review,Lunch with Ben,Dentist,Sprint planning,Customer call,Gym,Budget meeting,Team retro,Interview,Yoga,Board prep,Code review,Train to Lyon", t, ",")
		split(today, d, "-"); base = days(d[1] + 0, d[2] + 0, d[3] + 0) - 49
		print "BEGIN:VCALENDAR"; print "VERSION:2.0"; print "PRODID:-//xproto//bwcompare seed//EN"
		for (i = 0; i < n; i++) {
			day = civil(base + int(i * 100 / n)); h = 8 + (i * 7) % 10; m = (i % 4) * 15
			print "BEGIN:VEVENT"; printf "UID:seed-%04d@bwcompare\n", i
			printf "SUMMARY:%s\n", t[1 + (i * 7) % 15]
			printf "DTSTART:%sT%02d%02d00Z\nDTEND:%sT%02d%02d00Z\n", day, h, m, day, h + 1, m
			if (i % 3 == 0) print "LOCATION:Room " (100 + i % 7)
			print "END:VEVENT"
		}
		print "END:VCALENDAR" }' > "$2"
}

ag() { "$BIN/agenda" --db "$@"; }

# setup_store DIR: agendad with users alice and bob, seeded; sets AGPORT
setup_store() {
	d=$1
	"$BIN/agendad" adduser alice --agenda team --rw --db "$d/server.db" > "$d/alice.token" || return 1
	"$BIN/agendad" adduser bob --agenda team --rw --db "$d/server.db" > "$d/bob.token" || return 1
	"$BIN/agendad" --db "$d/server.db" --listen 127.0.0.1:0 --port-file "$d/agendad.port" \
		2> "$d/agendad.log" &
	PIDS="$PIDS $!"
	wait_file "$d/agendad.port" || { echo "bwcompare: agendad did not start" >&2; return 1; }
	AGPORT=$(cat "$d/agendad.port")
	for u in alice bob; do
		ag "$d/$u.db" init --server "127.0.0.1:$AGPORT" --user $u \
			--token "$(cat "$d/$u.token")" --agenda team > /dev/null || return 1
	done
	seed_ics "$SEED_EVENTS" "$d/seed.ics"
	ag "$d/alice.db" import "$d/seed.ics" > /dev/null && ag "$d/alice.db" sync > /dev/null &&
		ag "$d/bob.db" sync > /dev/null
}

# start_relay DIR TARGET_PORT RTT BW: sets RELAY_PORT RELAY_PID
start_relay() {
	"$BIN/bwc-relay" --to "127.0.0.1:$2" --rtt "$3" --bw "$4" --trace "$1/trace.txt" \
		--port-file "$1/relay.port" > "$1/relay.totals" 2> "$1/relay.log" &
	RELAY_PID=$!
	PIDS="$PIDS $RELAY_PID"
	wait_file "$1/relay.port" || { echo "bwcompare: bwc-relay did not start" >&2; return 1; }
	RELAY_PORT=$(cat "$1/relay.port")
}

# start_xserver DIR REPLICA: xproto-server offering the calendar; sets XPORT
start_xserver() {
	cat > "$1/apps.txt" <<EOF
calendar | Calendar | TZ=UTC exec "$BIN/xp-calendar" --db "$2" --today $TODAY --sync-every $SYNC_EVERY
EOF
	"$BIN/xproto-server" --listen 127.0.0.1:0 --app-socket "$1/app.sock" --cookie "$1/cookie" \
		--apps "$1/apps.txt" --no-launcher > "$1/xserver.out" 2> "$1/xserver.log" &
	PIDS="$PIDS $!"
	i=0
	while ! grep -q 'port [0-9]' "$1/xserver.out" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	XPORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$1/xserver.out")
	[ -n "$XPORT" ] || { echo "bwcompare: xproto-server did not start" >&2; return 1; }
}

# the other user's change: bob adds an event on today and syncs directly
other_user() {
	ag "$1/bob.db" add "Board meeting (from Bob)" --start "$TODAY 16:00" --minutes 60 > /dev/null &&
		ag "$1/bob.db" sync > /dev/null
}

# directive VALUE of "# bwcompare: KEY VALUE" in a phase script
directive() { sed -n "s/^# bwcompare: $2 *//p" "$1" | head -n 1; }

# run_phase DIR MODEL SCRIPT PORT
run_phase() {
	d=$1 model=$2 script=$3 port=$4
	name=$(basename "$script" .txt)
	offline=$(directive "$script" offline)
	hook=$(directive "$script" other-user-at)
	if [ -n "$offline" ] && [ "$model" = b ]; then
		# no link, no display: the remote display model cannot do this phase
		for s in $(sed -n 's/^checkpoint \([^ .]*\).*/\1/p' "$script" | sort -u); do
			[ "$s" = end ] || echo "unavailable $s" >> "$d/checkpoints.txt"
		done
		return 0
	fi
	[ -n "$offline" ] && kill -USR1 "$RELAY_PID"
	echo "phase $name $("$BIN/bwc-report" now)" >> "$d/checkpoints.txt"
	: > "$d/$name.out"
	timeout 300 "$BIN/thin-client" --headless --cookie "$d/cookie" --script "$script" \
		--screenshot "$d/$name.png" "127.0.0.1:$port" > "$d/$name.out" 2> "$d/$name.log" &
	tc=$!
	if [ -n "$hook" ]; then
		i=0
		while kill -0 $tc 2>/dev/null && [ $i -lt 6000 ]; do
			grep -qs "^checkpoint $hook " "$d/$name.out" && { other_user "$d"; break; }
			sleep 0.02; i=$((i + 1))
		done
	fi
	wait $tc
	rc=$?
	grep '^checkpoint ' "$d/$name.out" >> "$d/checkpoints.txt"
	[ -n "$offline" ] && kill -USR2 "$RELAY_PID"
	[ $rc -eq 0 ] || { echo "bwcompare: $d: thin-client failed in $name (see $d/$name.log)" >&2; return 1; }
}

# dump_store DIR: the events agendad holds, as "start|end|title" lines
dump_store() {
	ag "$1/check.db" init --server "127.0.0.1:$AGPORT" --user bob \
		--token "$(cat "$1/bob.token")" --agenda team > /dev/null &&
		ag "$1/check.db" sync > /dev/null &&
		ag "$1/check.db" export | awk -F: '
			/^BEGIN:VEVENT/ { s = e = t = "" }
			/^DTSTART/ { s = $2 } /^DTEND/ { e = $2 } /^SUMMARY/ { sub(/^SUMMARY:/, ""); t = $0 }
			/^END:VEVENT/ { print s "|" e "|" t }' | tr -d '\r' | sort > "$1/store.txt"
}

# run_one MODEL RTT BW RUN
run_one() {
	model=$1 rtt=$2 bw=$3 run=$4
	d=$OUT/runs/$model-rtt$rtt-bw$bw-$run
	rm -rf "$d" && mkdir -p "$d" || return 1
	d=$(cd "$d" && pwd)
	setup_store "$d" || return 1
	if [ "$model" = b ]; then
		start_xserver "$d" "$d/alice.db" && start_relay "$d" "$XPORT" "$rtt" "$bw" || return 1
		port=$RELAY_PORT
	else
		start_relay "$d" "$AGPORT" "$rtt" "$bw" || return 1
		ag "$d/alice.db" init --server "127.0.0.1:$RELAY_PORT" --user alice \
			--token "$(cat "$d/alice.token")" --agenda team > /dev/null || return 1
		start_xserver "$d" "$d/alice.db" || return 1
		port=$XPORT
	fi
	ok=0
	for script in "$WORKLOAD"/[0-9]*.txt; do
		run_phase "$d" "$model" "$script" "$port" || { ok=1; break; }
	done
	kill "$RELAY_PID"
	wait "$RELAY_PID" 2>/dev/null
	[ $ok -eq 0 ] && dump_store "$d"
	stop_all
	[ $ok -eq 0 ] || return 1
	"$BIN/bwc-report" split --trace "$d/trace.txt" --checkpoints "$d/checkpoints.txt" \
		--model "$model" --rtt "$rtt" --bw "$bw" --run "$run" >> "$OUT/raw.csv"
}

mkdir -p "$OUT/runs" || exit 1
OUT=$(cd "$OUT" && pwd)
"$BIN/bwc-report" header > "$OUT/raw.csv"
failed=0 start=$(date +%s)
for rtt in $(echo "$RTTS" | tr , ' '); do
	for bw in $(echo "$BWS" | tr , ' '); do
		run=1
		while [ "$run" -le "$RUNS" ]; do
			for model in $(echo "$MODELS" | tr , ' '); do
				printf 'bwcompare: model %s, RTT %s ms, %s Mbit/s, run %s ... ' \
					"$model" "$rtt" "$bw" "$run" >&2
				t0=$(date +%s)
				if run_one "$model" "$rtt" "$bw" "$run"; then
					echo "$(($(date +%s) - t0)) s" >&2
				else
					echo "FAILED" >&2; failed=$((failed + 1))
				fi
			done
			run=$((run + 1))
		done
	done
done
echo "bwcompare: $(($(date +%s) - start)) s in all, $failed failed" >&2
"$BIN/bwc-report" summarize --raw "$OUT/raw.csv" --out "$OUT" || exit 1
cat "$OUT/table.txt"
if [ "$CHART" = 1 ]; then
	if command -v gnuplot > /dev/null; then
		(cd "$OUT" && gnuplot chart.gp) && echo "chart: $OUT/chart.png"
	else
		echo "bwcompare: gnuplot missing, no chart (sudo apt-get install gnuplot-nox)" >&2
	fi
fi
[ $failed -eq 0 ]
