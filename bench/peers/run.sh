#!/bin/sh
# run.sh - `make bench-peers`: the terminal workloads W0..W5 through xproto
# (xp-term, and xterm through the X bridge xp-x11), raw X11, X11+zlib, VNC
# and xpra, every byte counted by xp-relay on loopback.
#
#   sh bench/peers/run.sh [BIN [OUT]]      (defaults build/bin, build/bench)
#   RUNS=3  PEERS="xproto bridge x11 vnc xpra"  WORKLOADS="W0 W1 W2 W3 W4 W5"
#   XP_SERVER_ARGS="..."  extra xproto-server options (e.g. --no-launcher)
#
# What is counted (both directions, payload bytes of the TCP stream):
#   W0  the whole session of a client that attaches to an idle 80x24
#       terminal at a prompt: xproto, a thin client joining a session whose
#       xp-term already runs (launched by another client that left); X11, the
#       xterm starting up on the display; VNC, the viewer connecting to
#       x11vnc exporting an xterm that already runs.
#   W1..W5  the same kind of session; counting starts once it has attached,
#       gone idle, and pressed one key to settle the keymap; it ends when the
#       session has been quiet for a while and stops. Every key is typed by
#       xdotool (XTEST) into the user's real window under Xvfb: the thin
#       client's, the VNC viewer's, the xpra client's (X11: the xterm's).
# X11+zlib is the X11 stream through one zlib stream per direction, level 6,
# Z_PARTIAL_FLUSH after every chunk the relay forwards (as ssh -C does per
# packet; ssh's own packet headers are not counted).
# Writes OUT/peers.txt, OUT/peers.csv, OUT/peers.png and the raw relay logs
# under OUT/peers/. Everything runs on 127.0.0.1 and is stopped on exit.
set -u
BIN=${1:-build/bin}
OUT=${2:-build/bench}
RUNS=${RUNS:-3}
PEERS=${PEERS:-xproto bridge x11 vnc xpra}
WORKLOADS=${WORKLOADS:-W0 W1 W2 W3 W4 W5}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$BIN" && pwd)
QUIET=1.5        # seconds without a byte that count as "done"
MAX_WAIT=90      # seconds any one wait may last

# ---- dependencies ----------------------------------------------------------
need="Xvfb:xvfb xterm:xterm x11vnc:x11vnc vncviewer:tigervnc-viewer xdotool:xdotool
gnuplot:gnuplot-nox python3:python3 gzip:gzip xwd:x11-apps xpra:xpra vim:vim top:procps"
missing=
for pair in $need; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
[ -d /usr/share/fonts/X11/misc ] || missing="$missing xfonts-base"
# xpra's client draws with cairo and its server makes icons with PIL
case " $PEERS " in *" xpra "*)
	/usr/bin/python3 -c 'import PIL' 2>/dev/null || missing="$missing python3-pil"
	/usr/bin/python3 -c 'import gi; gi.require_foreign("cairo")' 2>/dev/null ||
		missing="$missing python3-gi-cairo" ;;
esac
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

# wait_for_port PORT [TENTHS]: until something listens on 127.0.0.1:PORT
# (at most TENTHS tenths of a second, default 100).
wait_for_port() {
	i=0
	while ! ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 "; do
		i=$((i + 1))
		[ $i -lt "${2:-100}" ] || { echo "bench-peers: nothing listens on $1" >&2; return 1; }
		sleep 0.1
	done
}

# wait_quiet LOG: until LOG has not grown for $QUIET seconds (max $MAX_WAIT),
# by the clock: a loaded machine makes every check slower, not the wait shorter
wait_quiet() {
	last=-1
	start=$(now)
	since=$start
	while :; do
		size=$(wc -c <"$1" 2>/dev/null || echo 0)
		t=$(now)
		[ "$size" = "$last" ] || { last=$size; since=$t; }
		awk "BEGIN{exit !($t - $since >= $QUIET)}" && return 0
		awk "BEGIN{exit !($t - $start >= $MAX_WAIT)}" && break
		sleep 0.1
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
	W4) echo "vim -u NONE -N w1.txt" ;;
	W5) echo "top -d 0.5" ;;
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
	echo "  xpra $(dpkg-query -W -f '${Version}' xpra 2>/dev/null), vim $(dpkg-query -W -f '${Version}' vim 2>/dev/null),"
	echo "  xdotool $(dpkg-query -W -f '${Version}' xdotool 2>/dev/null); $(nproc) CPUs, $(uname -sr)"
} >"$LOGS/versions.txt"

# ---- xproto: xp-term, and xterm through the X bridge ------------------------
# xterm: 80x24 of 6x13 cells, no scrollbar, its defaults otherwise (every peer)
XTERM_ARGS="-fn 6x13 -geometry 80x24+0+0 +sb"
# The server's built-in app list, with xp-term told where to dump its screen
# text on SIGUSR1 and xterm where to log what it printed, so that each session
# can check the workload really ran.
cat >"$T/apps" <<EOF
terminal | a terminal running your shell | exec "\$XPROTO_BIN/xp-term" --size 80x24 --dump $T/screen.txt
xterm | xterm through the X bridge | exec "\$XPROTO_BIN/xp-x11" -- xterm $XTERM_ARGS -l -lf $T/xterm.log
clock | a ticking clock | exec "\$XPROTO_BIN/xp-clock"
calendar | the shared calendar | exec "\$XPROTO_BIN/xp-calendar" --create
EOF
# expect_of W: an extended regular expression the final screen (xp-term) or
# the terminal's output (xterm's log) must match once W has run
expect_of() {
	case $1 in
	W0) echo '\$' ;;
	W1) tail -n 1 "$H/w1.txt" ;;
	W2) tail -n 1 "$T/w2.out" ;;
	W3) printf '%s' "$W3TEXT" | tail -c 20 ;;
	W4) echo '^04[2-4][0-9] ' ;;
	W5) echo 'top -d 0.5' ;; # the command, in xterm's log (xp-term: see shown)
	esac
}
# shown KIND W: did the workload reach the terminal? (xp-term's screen text,
# or the xterm's log)
shown() {
	if [ "$1" = bridge ]; then
		tr -d '\033' <"$T/xterm.log" 2>/dev/null | grep -qE -- "$(expect_of "$2")"
	elif [ "$2" = W5 ]; then
		# top leaves its last frame on the screen (no alternate screen) and
		# its command scrolls away: top's header, then a prompt after q
		grep -q '^Tasks:' "$T/screen.txt" 2>/dev/null &&
			grep -v '^ *$' "$T/screen.txt" | tail -n 1 | grep -qE '^\$ ?$'
	else
		grep -qE -- "$(expect_of "$2")" "$T/screen.txt" 2>/dev/null
	fi
}
# cpu_ticks PID: user + system CPU time of PID so far, in clock ticks
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}
# cpu_note TAG PID T0 TICKS0: the CPU share PID used since T0
cpu_note() {
	t1=$(now) c1=$(cpu_ticks "$2")
	echo "$1 $(awk "BEGIN{print ($c1 - $4) / $(getconf CLK_TCK)}") $(awk "BEGIN{print $t1 - $3}")" \
		>>"$LOGS/cpu.txt"
}

# xproto_diag TERM_PID SERVER_PID: what the app and the server are doing when
# the terminal does not answer SIGUSR1 (a stall is a bug to report).
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

# xproto_failed TAG: keep a failed session's files apart
xproto_failed() {
	echo "bench-peers: $1: the terminal does not show the workload's end;" \
		"its files are in $LOGS/failed/" >&2
	mkdir -p "$LOGS/failed"
	for f in "$LOGS/$1".* "$LOGS"/conn1-?.bin; do
		[ -f "$f" ] && mv "$f" "$LOGS/failed/$(date +%H%M%S)-${f##*/}"
	done
}

xproto_session() { # W RUN [KIND: xproto = xp-term, bridge = xterm via xp-x11]
	w=$1 r=$2 kind=${3:-xproto} tag=${3:-xproto}-$1-$2
	app=terminal
	[ "$kind" = bridge ] && app=xterm
	port=$(free_port "$BASE_PORT")
	rport=$(free_port $((port + 1)))
	rm -f "$T/cookie" "$T/screen.txt" "$T/xterm.log"
	$SHENV "$BIN/xproto-server" --listen 127.0.0.1:$port \
		--app-socket "$T/app.sock" --cookie "$T/cookie" --apps "$T/apps" \
		--log error ${XP_SERVER_ARGS:-} \
		>"$LOGS/$tag.server" 2>&1 &
	srv=$!
	started $srv
	wait_for_port $port || return 1
	# a first client launches the app, lets it settle, and leaves
	printf 'launch %s\nwait 500\nwait-windows 1 20000\nwait-idle 500 20000\nquit\n' "$app" \
		>"$T/setup.script"
	timeout 40 "$BIN/thin-client" --headless --cookie "$T/cookie" \
		--script "$T/setup.script" 127.0.0.1:$port >"$LOGS/$tag.setup" 2>&1 ||
		{ echo "bench-peers: xproto setup client failed" >&2; return 1; }
	apid=$(sed -n "s/.*app $app started (pid \([0-9]*\)).*/\1/p" "$LOGS/$tag.setup")
	"$BIN/xp-relay" --listen 127.0.0.1:$rport --connect 127.0.0.1:$port \
		--log "$LOGS/$tag.log" --capture "$LOGS" 2>"$LOGS/$tag.relay" &
	rel=$!
	started $rel
	wait_for_port $rport || return 1
	# the user's side: a real thin-client window, typed into with XTEST
	v=$(free_display 140)
	start_xvfb "$v" 800x600x24 || return 1
	xv=$XVFB_PID
	DISPLAY=:$v "$BIN/thin-client" --cookie "$T/cookie" --stats 127.0.0.1:$rport \
		>"$LOGS/$tag.stats" 2>&1 &
	tc=$!
	started $tc
	vwin=$(find_window ":$v" thin-client) || return 1
	wait_quiet "$LOGS/$tag.log"
	cut=0
	if [ "$w" = W0 ]; then
		# an idle X program costs the bridge nothing: its CPU over 3 s
		if [ "$kind" = bridge ] && [ -n "$apid" ]; then
			t0=$(now) c0=$(cpu_ticks "$apid")
			sleep 3
			cpu_note "bridge-idle" "$apid" "$t0" "$c0"
		fi
	else
		focus ":$v" "$vwin" || return 1
		DISPLAY=:$v xdotool type a
		DISPLAY=:$v xdotool key BackSpace
		wait_quiet "$LOGS/$tag.log"
		cut=$(now)
		t0=$cut c0=$(cpu_ticks "${apid:-0}")
		type_workload ":$v" "$w"
		wait_quiet "$LOGS/$tag.log"
		[ "$kind" = bridge ] && [ -n "$apid" ] && cpu_note "bridge-$w" "$apid" "$t0" "$c0"
	fi
	snap ":$v" "$LOGS/$tag.png"
	if [ "$kind" = xproto ]; then
		# the terminal's screen text: did the workload reach it?
		[ -n "$apid" ] && kill -USR1 "$apid" 2>/dev/null
		i=0
		while [ ! -s "$T/screen.txt" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
		[ -s "$T/screen.txt" ] || xproto_diag "$apid" "$srv" >"$LOGS/$tag.diag" 2>&1
		[ -f "$T/screen.txt" ] && cp "$T/screen.txt" "$LOGS/$tag.screen.txt"
	fi
	stop $tc $rel $xv $srv
	if ! shown "$kind" "$w"; then
		xproto_failed "$tag"
		return 2
	fi
	for f in "$LOGS"/conn1-c.bin "$LOGS"/conn1-s.bin; do
		[ -f "$f" ] && mv "$f" "$LOGS/$tag.${f##*conn1-}"
	done
	record "$kind" "$w" "$r" "$cut" "$LOGS/$tag.log"
}

bridge_session() { # W RUN
	xproto_session "$1" "$2" bridge
}

# ---- X11 (and X11+zlib, from the same stream) ------------------------------
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

# type_workload DISPLAY W: the workload's keys through xdotool on DISPLAY
# (XTEST: each press and release its own X event).
type_workload() {
	case $2 in
	W1 | W2 | W4 | W5)
		DISPLAY=$1 xdotool type --delay 20 "$(cmd_of "$2")"
		DISPLAY=$1 xdotool key Return
		;;
	W3) DISPLAY=$1 xdotool type --delay 20 "$W3TEXT" ;;
	esac
	case $2 in
	W4) # vim pages 20 times, a key every 200 ms
		sleep 1
		i=0
		while [ $i -lt 20 ]; do
			DISPLAY=$1 xdotool key ctrl+f
			sleep 0.2
			i=$((i + 1))
		done
		;;
	W5) # top for 10 s, then q
		sleep 10
		DISPLAY=$1 xdotool key q
		;;
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

# ---- xpra ------------------------------------------------------------------------
# The xterm under `xpra start` (its own Xvfb), the user's `xpra attach` on a
# second Xvfb, through the relay. Shared memory (mmap) is off, or the pixels
# would not cross the link; sound, clipboard, notifications, printing and
# file transfer are off: only the display and input are counted.
XPRA_OPTS="--mmap=no --speaker=off --microphone=off --webcam=no --notifications=no
--clipboard=no --printing=no --file-transfer=no --mdns=no --dbus-proxy=no --pulseaudio=no"
xpra_session() { # W RUN
	w=$1 r=$2 tag=xpra-$1-$2
	d=$(free_display 140)
	xport=$(free_port $((BASE_PORT + 200)))
	rm -f "$T/xterm.log"
	mkdir -p "$T/xpra-run"
	# shellcheck disable=SC2086
	$SHENV XDG_RUNTIME_DIR="$T/xpra-run" xpra start ":$d" --daemon=no \
		--start-child="xterm $XTERM_ARGS -l -lf $T/xterm.log" --exit-with-children=yes \
		--bind-tcp=127.0.0.1:$xport --html=off --systemd-run=no --dbus-control=no \
		--xvfb="Xvfb +extension Composite -screen 0 488x320x24 -nolisten tcp -noreset" \
		$XPRA_OPTS >"$LOGS/$tag.server" 2>&1 &
	xs=$!
	started $xs
	wait_for_port $xport 600 || return 1
	v=$(free_display $((d + 1)))
	start_xvfb "$v" 640x480x24 || return 1
	xv2=$XVFB_PID
	rport=$(free_port $((xport + 1)))
	"$BIN/xp-relay" --listen 127.0.0.1:$rport --connect 127.0.0.1:$xport \
		--log "$LOGS/$tag.log" 2>"$LOGS/$tag.relay" &
	rel=$!
	started $rel
	wait_for_port $rport || return 1
	# shellcheck disable=SC2086
	$SHENV DISPLAY=:$v XDG_RUNTIME_DIR="$T/xpra-run" xpra attach "tcp://127.0.0.1:$rport/" \
		--tray=no --system-tray=no $XPRA_OPTS >"$LOGS/$tag.client" 2>&1 &
	xc=$!
	started $xc
	vwin=$(find_window ":$v" xterm) || return 1
	measure_keys ":$v" "$vwin" "$w" "$LOGS/$tag.log" || return 1
	snap ":$v" "$LOGS/$tag.png"
	stop $xc $rel $xv2
	# xpra stops its Xvfb and the xterm itself; give it the time it needs
	kill "$xs" 2>/dev/null
	i=0
	while kill -0 "$xs" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	stop $xs
	shown bridge "$w" || { xproto_failed "$tag"; return 2; }
	record xpra "$w" "$r" "$cut" "$LOGS/$tag.log"
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
