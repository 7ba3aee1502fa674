#!/bin/sh
# run.sh - `make bench-peers`: the terminal workloads W0..W3 through xproto,
# raw X11, X11+zlib and VNC, every byte counted by xp-relay on loopback.
#
#   sh bench/peers/run.sh [BIN [OUT]]      (defaults build/bin, build/bench)
#   RUNS=3  PEERS="xproto x11 vnc"  WORKLOADS="W0 W1 W2 W3"  (environment)
#   XP_SERVER_ARGS="..."  extra xproto-server options (e.g. --no-launcher)
#
# What is counted (both directions, payload bytes of the TCP stream):
#   W0  the whole session of a client that attaches to an idle 80x24
#       terminal at a prompt: xproto, a thin client joining a session whose
#       xp-term already runs (launched by another client that left); X11, the
#       xterm starting up on the display; VNC, the viewer connecting to
#       x11vnc exporting an xterm that already runs.
#   W1..W3  the same kind of session; counting starts once it has attached,
#       gone idle, and (X11, VNC) pressed one key to settle the keymap; it
#       ends when the session has been quiet for a while and stops.
# X11+zlib is the X11 stream through one zlib stream per direction, level 6,
# Z_PARTIAL_FLUSH after every chunk the relay forwards (as ssh -C does per
# packet; ssh's own packet headers are not counted).
# Writes OUT/peers.txt, OUT/peers.csv, OUT/peers.png and the raw relay logs
# under OUT/peers/. Everything runs on 127.0.0.1 and is stopped on exit.
set -u
BIN=${1:-build/bin}
OUT=${2:-build/bench}
RUNS=${RUNS:-3}
PEERS=${PEERS:-xproto x11 vnc}
WORKLOADS=${WORKLOADS:-W0 W1 W2 W3}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$BIN" && pwd)
QUIET=1.5        # seconds without a byte that count as "done"
MAX_WAIT=90      # seconds any one wait may last

# ---- dependencies ----------------------------------------------------------
need="Xvfb:xvfb xterm:xterm x11vnc:x11vnc vncviewer:tigervnc-viewer xdotool:xdotool
gnuplot:gnuplot-nox python3:python3 gzip:gzip xwd:x11-apps"
missing=
for pair in $need; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
[ -d /usr/share/fonts/X11/misc ] || missing="$missing xfonts-base"
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "bench-peers: installing$missing"
		apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null ||
			{ echo "bench-peers: apt-get failed" >&2; exit 1; }
	else
		echo "bench-peers: missing tools; run:" >&2
		echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
		exit 1
	fi
fi

# ---- scratch space and cleanup ---------------------------------------------
T=$(mktemp -d /tmp/xp-bench-peers.XXXXXX) || exit 1
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started() { PIDS="$PIDS $1"; }
# stop PIDS...: end the processes given (ours) and forget them.
stop() {
	for p in "$@"; do kill "$p" 2>/dev/null; done
	for p in "$@"; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	keep=
	for p in $PIDS; do
		case " $* " in *" $p "*) ;; *) keep="$keep $p" ;; esac
	done
	PIDS=$keep
}
now() { date +%s.%N; }

# Free X display number and TCP port, chosen away from the usual ones.
free_display() {
	d=$1
	while [ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$d" ] ||
		ss -ltn 2>/dev/null | grep -q ":$((6000 + d)) "; do
		d=$((d + 1))
		[ $d -lt $(($1 + 200)) ] || { echo "bench-peers: no free display" >&2; exit 1; }
	done
	echo $d
}
free_port() {
	p=$1
	while ss -ltn 2>/dev/null | grep -q ":$p "; do
		p=$((p + 1))
		[ $p -lt $(($1 + 500)) ] || { echo "bench-peers: no free port" >&2; exit 1; }
	done
	echo $p
}

# wait_for_port PORT: until something listens on 127.0.0.1:PORT.
wait_for_port() {
	i=0
	while ! ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 "; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "bench-peers: nothing listens on $1" >&2; return 1; }
		sleep 0.1
	done
}

# wait_quiet LOG: until LOG has not grown for $QUIET seconds (max $MAX_WAIT).
wait_quiet() {
	last=-1 same=0 i=0
	need=$(awk "BEGIN{print int($QUIET * 10)}")
	while [ $i -lt $((MAX_WAIT * 10)) ]; do
		size=$(wc -c <"$1" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then
			same=$((same + 1))
			[ $same -ge "$need" ] && return 0
		else
			same=0 last=$size
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "bench-peers: $1 never went quiet" >&2
	return 1
}

# ---- the workloads' files --------------------------------------------------
H=$T/home
mkdir -p "$H/d"
python3 "$HERE/gen.py" "$H" || exit 1
cat >"$H/.bashrc" <<'EOF'
PS1='$ '
PROMPT_COMMAND=
HISTFILE=/dev/null
EOF
W3TEXT=$(cat "$H/w3.txt")
cmd_of() {
	case $1 in
	W1) echo "cat w1.txt" ;;
	W2) echo "ls -l d" ;;
	*) echo "" ;;
	esac
}
# the text each workload prints, for the floor
(cd "$H" && LC_ALL=C ls -l d >"$T/w2.out")
# one environment for every shell: bash, prompt '$ ', C locale, in $H
# ($T, from mktemp, has no spaces)
SHENV="env -i -C $H HOME=$H SHELL=/bin/bash PATH=/usr/bin:/bin LC_ALL=C"

LOGS=$OUT/peers
rm -rf "$LOGS"
mkdir -p "$LOGS"
RES=$LOGS/results.txt
: >"$RES"
# record PEER W RUN CUT LOG: bill the bytes of LOG from time CUT (0: all) on.
record() {
	echo "$1 $2 $3 $4 $5" >>"$RES"
}

BASE_PORT=$(free_port $((20000 + $$ % 5000)))
{
	echo "peers: $(xterm -version 2>&1 | head -1), $(x11vnc -version 2>&1 | head -1 | cut -d' ' -f1-2),"
	echo "  $(vncviewer --help 2>&1 | grep -m1 TigerVNC), Xvfb $(dpkg-query -W -f '${Version}' xvfb 2>/dev/null),"
	echo "  xdotool $(dpkg-query -W -f '${Version}' xdotool 2>/dev/null); $(nproc) CPUs, $(uname -sr)"
} >"$LOGS/versions.txt"

# ---- xproto ------------------------------------------------------------------
# The server's built-in app list, with xp-term told where to dump its screen
# text on SIGUSR1, so that each session can check the workload really ran.
cat >"$T/apps" <<EOF
terminal | a terminal running your shell | exec "\$XPROTO_BIN/xp-term" --size 80x24 --dump $T/screen.txt
clock | a ticking clock | exec "\$XPROTO_BIN/xp-clock"
calendar | the shared calendar | exec "\$XPROTO_BIN/xp-calendar"
EOF
# expect_of W: a string the final screen must show once W has run
expect_of() {
	case $1 in
	W0) echo '$' ;;
	W1) tail -n 1 "$H/w1.txt" ;;
	W2) tail -n 1 "$T/w2.out" ;;
	W3) printf '%s' "$W3TEXT" | tail -c 20 ;;
	esac
}

# xproto_diag TERM_PID SERVER_PID: what xp-term and the server are doing
# when the terminal does not answer SIGUSR1 (a stall is a bug to report).
xproto_diag() {
	for pid in "$1" "$2"; do
		[ -n "$pid" ] && [ -d "/proc/$pid" ] || { echo "pid $pid: gone"; continue; }
		echo "pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
		echo "  state: $(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status")," \
			"wchan: $(cat "/proc/$pid/wchan" 2>/dev/null)"
		cat "/proc/$pid/stack" 2>/dev/null | sed 's/^/  /' | head -12
		ls -l "/proc/$pid/fd" 2>/dev/null | sed 's/^/  /' | tail -n +2
	done
	ss -tnp 2>/dev/null | grep -F ":$port " | sed 's/^/  /'
	ss -xp 2>/dev/null | grep -F "$T/app.sock" | sed 's/^/  /'
}

xproto_session() { # W RUN
	w=$1 r=$2 tag=xproto-$1-$2
	port=$(free_port "$BASE_PORT")
	rport=$(free_port $((port + 1)))
	rm -f "$T/cookie" "$T/mark.png" "$T/screen.txt"
	$SHENV "$BIN/xproto-server" --listen 127.0.0.1:$port \
		--app-socket "$T/app.sock" --cookie "$T/cookie" --apps "$T/apps" \
		--log error ${XP_SERVER_ARGS:-} \
		>"$LOGS/$tag.server" 2>&1 &
	srv=$!
	started $srv
	wait_for_port $port || return 1
	# a first client launches the terminal, settles it, and leaves
	cat >"$T/setup.script" <<-EOF
	launch terminal
	wait 500
	wait-idle 500 10000
	type-delay 20
	type a
	key BackSpace
	wait 300
	wait-idle 500 10000
	quit
	EOF
	timeout 30 "$BIN/thin-client" --headless --cookie "$T/cookie" \
		--script "$T/setup.script" 127.0.0.1:$port >"$LOGS/$tag.setup" 2>&1 ||
		{ echo "bench-peers: xproto setup client failed" >&2; return 1; }
	"$BIN/xp-relay" --listen 127.0.0.1:$rport --connect 127.0.0.1:$port \
		--log "$LOGS/$tag.log" --capture "$LOGS" 2>"$LOGS/$tag.relay" &
	rel=$!
	started $rel
	wait_for_port $rport || return 1
	{
		# W0: attached and then 1.5 s without a byte, as the peers' sessions
		# end; W1..W3: the workload after a 1.5 s pause that holds the cut
		if [ "$w" = W0 ]; then
			echo "wait-idle 1500 10000"
			echo "screenshot $LOGS/$tag.png"
			echo "quit"
		fi
		echo "wait-idle 500 10000"
		echo "screenshot $T/mark.png"
		echo "wait 1500"
		echo "type-delay 20"
		case $w in
		W1 | W2) echo "type $(cmd_of "$w")"; echo "key Return" ;;
		W3) echo "type $W3TEXT" ;;
		esac
		echo "wait 500"
		echo "wait-idle 1500 60000"
		echo "screenshot $LOGS/$tag.png"
		echo "quit"
	} >"$T/measure.script"
	timeout $MAX_WAIT "$BIN/thin-client" --headless --cookie "$T/cookie" \
		--script "$T/measure.script" 127.0.0.1:$rport >"$LOGS/$tag.stats" 2>&1 ||
		echo "bench-peers: xproto client exited non-zero ($tag)" >&2
	sleep 0.3
	# the terminal's screen text: did the workload reach it?
	term=$(sed -n 's/.*app terminal started (pid \([0-9]*\)).*/\1/p' "$LOGS/$tag.setup")
	[ -n "$term" ] && kill -USR1 "$term" 2>/dev/null
	i=0
	while [ ! -s "$T/screen.txt" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$T/screen.txt" ] || xproto_diag "$term" "$srv" >"$LOGS/$tag.diag" 2>&1
	stop $rel $srv
	[ -f "$T/screen.txt" ] && cp "$T/screen.txt" "$LOGS/$tag.screen.txt"
	if ! grep -qF -- "$(expect_of "$w")" "$T/screen.txt" 2>/dev/null; then
		echo "bench-peers: $tag: the terminal does not show the workload's end;" \
			"its files are in $LOGS/failed/" >&2
		mkdir -p "$LOGS/failed"
		for f in "$LOGS/$tag".* "$LOGS"/conn1-?.bin; do
			[ -f "$f" ] && mv "$f" "$LOGS/failed/$(date +%H%M%S)-${f##*/}"
		done
		return 2
	fi
	for f in "$LOGS"/conn1-c.bin "$LOGS"/conn1-s.bin; do
		[ -f "$f" ] && mv "$f" "$LOGS/$tag.${f##*conn1-}"
	done
	cut=0
	[ "$w" = W0 ] || [ -f "$T/mark.png" ] || { echo "bench-peers: no cut mark ($tag)" >&2; return 1; }
	[ "$w" = W0 ] || cut=$(python3 -c "import os;print('%.6f'%(os.path.getmtime('$T/mark.png')+0.75))")
	record xproto "$w" "$r" "$cut" "$LOGS/$tag.log"
}

# ---- X11 (and X11+zlib, from the same stream) ------------------------------
# xterm: 80x24 of 6x13 cells, no scrollbar, its defaults otherwise
XTERM_ARGS="-fn 6x13 -geometry 80x24+0+0 +sb"
start_xvfb() { # DISPLAY SIZE: an X server on a Unix socket only
	Xvfb ":$1" -screen 0 "$2" -nolisten tcp -noreset >/dev/null 2>&1 &
	XVFB_PID=$!
	started $XVFB_PID
	i=0
	while [ ! -S "/tmp/.X11-unix/X$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "/tmp/.X11-unix/X$1" ] || { echo "bench-peers: Xvfb :$1 did not start" >&2; return 1; }
}
# find_window DISPLAY NAME: the mapped window NAME on DISPLAY, waiting for it
find_window() {
	i=0
	while [ $i -lt 100 ]; do
		win=$(DISPLAY=$1 xdotool search --onlyvisible --name "$2" 2>/dev/null | head -1)
		[ -n "$win" ] && { echo "$win"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	echo "bench-peers: no window '$2' on $1" >&2
	return 1
}
# snap DISPLAY FILE.png: the final screen, for a look (xwd from x11-apps, if
# present; not through any counted link).
snap() {
	command -v xwd >/dev/null 2>&1 || return 0
	xwd -root -silent -display "$1" 2>/dev/null | python3 "$HERE/xwd2png.py" "$2" ||
		echo "bench-peers: no screenshot of $1" >&2
}

# focus DISPLAY WINDOW: give WINDOW the keyboard focus (a few tries)
focus() {
	i=0
	until DISPLAY=$1 xdotool windowfocus --sync "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 20 ] || { echo "bench-peers: cannot focus $2 on $1" >&2; return 1; }
		sleep 0.1
	done
}

# type_workload DISPLAY W: the workload's keys through xdotool on DISPLAY.
type_workload() {
	case $2 in
	W1 | W2)
		DISPLAY=$1 xdotool type --delay 20 "$(cmd_of "$2")"
		DISPLAY=$1 xdotool key Return
		;;
	W3) DISPLAY=$1 xdotool type --delay 20 "$W3TEXT" ;;
	esac
}

# measure_keys DISPLAY WINDOW W LOG: once LOG is quiet, settle the keymap with
# one key (not billed), then type workload W (W0: nothing) and wait for quiet
# again. Sets cut (0 for W0): where billing starts in LOG.
measure_keys() {
	wait_quiet "$4"
	cut=0
	[ "$3" = W0 ] && return 0
	focus "$1" "$2" || return 1
	DISPLAY=$1 xdotool type a
	DISPLAY=$1 xdotool key BackSpace
	wait_quiet "$4"
	cut=$(now)
	type_workload "$1" "$3"
	wait_quiet "$4"
}

x11_session() { # W RUN
	w=$1 r=$2 tag=x11-$1-$2
	d=$(free_display 140)
	start_xvfb "$d" 488x320x24 || return 1
	xv=$XVFB_PID
	m=$(free_display $((d + 1)))
	"$BIN/xp-relay" --listen 127.0.0.1:$((6000 + m)) --connect /tmp/.X11-unix/X$d \
		--log "$LOGS/$tag.log" 2>"$LOGS/$tag.relay" &
	rel=$!
	started $rel
	wait_for_port $((6000 + m)) || return 1
	$SHENV DISPLAY=127.0.0.1:$m xterm $XTERM_ARGS >/dev/null 2>&1 &
	xt=$!
	started $xt
	win=$(find_window :$d xterm) || return 1
	measure_keys :$d "$win" "$w" "$LOGS/$tag.log" || return 1
	snap :$d "$LOGS/$tag.png"
	stop $xt $rel $xv
	record x11 "$w" "$r" "$cut" "$LOGS/$tag.log"
}

# ---- VNC ---------------------------------------------------------------------
vnc_session() { # W RUN
	w=$1 r=$2 tag=vnc-$1-$2
	d=$(free_display 140)
	start_xvfb "$d" 488x320x24 || return 1
	xv=$XVFB_PID
	$SHENV DISPLAY=:$d xterm $XTERM_ARGS >/dev/null 2>&1 &
	xt=$!
	started $xt
	win=$(find_window ":$d" xterm) || return 1
	focus :$d "$win" || return 1
	vport=$(free_port $((BASE_PORT + 100)))
	x11vnc -display ":$d" -rfbport $vport -localhost -forever -shared -nopw -quiet \
		-o "$LOGS/$tag.x11vnc" >/dev/null 2>&1 &
	vnc=$!
	started $vnc
	wait_for_port $vport || return 1
	v=$(free_display $((d + 1)))
	start_xvfb "$v" 640x480x24 || return 1
	xv2=$XVFB_PID
	rport=$(free_port $((vport + 1)))
	"$BIN/xp-relay" --listen 127.0.0.1:$rport --connect 127.0.0.1:$vport \
		--log "$LOGS/$tag.log" 2>"$LOGS/$tag.relay" &
	rel=$!
	started $rel
	wait_for_port $rport || return 1
	DISPLAY=:$v vncviewer 127.0.0.1::$rport >"$LOGS/$tag.viewer" 2>&1 &
	vv=$!
	started $vv
	vwin=$(find_window ":$v" TigerVNC) || return 1
	measure_keys ":$v" "$vwin" "$w" "$LOGS/$tag.log" || return 1
	snap :$v "$LOGS/$tag.png"
	stop $vv $rel $xv2 $vnc $xt $xv
	record vnc "$w" "$r" "$cut" "$LOGS/$tag.log"
}

# ---- run -----------------------------------------------------------------------
# (the helpers above set plain global variables; the loop's own are RUN_*)
RUN_TOTAL=$(($RUNS * $(echo $WORKLOADS | wc -w) * $(echo $PEERS | wc -w)))
RUN_N=0
RUN_START=$(date +%s)
for RUN_I in $(seq 1 "$RUNS"); do
	for RUN_W in $WORKLOADS; do
		for RUN_P in $PEERS; do
			RUN_N=$((RUN_N + 1))
			printf 'bench-peers: [%d/%d] run %d %s %-6s (%ds)\n' $RUN_N $RUN_TOTAL \
				"$RUN_I" "$RUN_W" "$RUN_P" $(($(date +%s) - RUN_START))
			# a session that fails is tried once more, then left out
			for RUN_TRY in 1 2; do
				${RUN_P}_session "$RUN_W" "$RUN_I" && break
				stop $PIDS
				if [ $RUN_TRY = 1 ]; then
					echo "bench-peers: $RUN_P $RUN_W run $RUN_I failed; again" >&2
				else
					echo "bench-peers: $RUN_P $RUN_W run $RUN_I failed twice; left out" >&2
				fi
			done
		done
	done
done

python3 "$HERE/report.py" --results "$RES" --home "$H" --w2-out "$T/w2.out" \
	--out "$OUT" --dump "$BIN/xproto-dump" --versions "$LOGS/versions.txt"
