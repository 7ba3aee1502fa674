#!/bin/sh
# demo.sh - `make run`: start xproto-server on the first free display (:0,
# :1, ... - a display another server holds makes ours exit 3, and the next
# one is tried) with a fresh cookie, and a thin client. With $DISPLAY: a
# real window; closing it detaches (the apps keep running, the demo says how
# to come back) and Ctrl-C stops everything the demo started. Without: a
# headless client replays a short session (terminal, a few commands, the
# clock, and xterm and a GTK program through the X bridge when they are
# installed) and writes screenshots, then everything stops.
set -u
bin=${1:-build/bin}
dir=$(mktemp -d /tmp/xproto-demo-XXXXXX)
out=${XPROTO_DEMO_OUT:-build/demo}
first=${XPROTO_DEMO_FIRST:-0}
mkdir -p "$out"
server_pid=""
client_pid=""
cleanup() {
	trap '' INT TERM
	[ -n "$client_pid" ] && kill "$client_pid" 2> /dev/null
	# the server stops the apps it started (SIGTERM, then SIGKILL)
	[ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping"; exit 130' INT TERM

# the demo's shell: a plain prompt, no user rc files; the calendar: a local agenda
cat > "$dir/shellrc" << 'RC'
PS1='demo$ '
RC
cat > "$dir/apps" << APPS
terminal | a terminal running bash | exec env HOME=$dir "$PWD/$bin/xp-term" -e bash --rcfile $dir/shellrc
clock    | a ticking clock         | exec "$PWD/$bin/xp-clock"
calendar | the shared calendar     | exec "$PWD/$bin/xp-calendar" --create --db $dir/agenda.db
APPS
# any X program runs through the X bridge (xp-x11); offer xterm if installed
if command -v xterm > /dev/null 2>&1; then
	echo "xterm    | xterm, an X program, through the X bridge | exec env HOME=$dir \"$PWD/$bin/xp-x11\" -- xterm -T xterm -fn 6x13 -e bash --rcfile $dir/shellrc" >> "$dir/apps"
fi
# and a GTK program: yad's calendar (yad is Debian's lightest GTK program)
if command -v yad > /dev/null 2>&1; then
	echo "gtk      | a GTK program (yad's calendar), through the X bridge | exec env NO_AT_BRIDGE=1 \"$PWD/$bin/xp-x11\" -- yad --calendar --title='GTK calendar' --posx=520 --posy=80" >> "$dir/apps"
fi

# start_server N: 0 once display :N serves, 3 if it is taken, else 1
start_server() {
	SHELL=/bin/bash BASH_ENV= ENV= "$bin/xproto-server" ":$1" --cookie "$dir/cookie" \
		--apps "$dir/apps" > "$dir/server.out" 2> "$out/server.log" &
	server_pid=$!
	for _ in $(seq 1 100); do
		grep -q "cookie file" "$dir/server.out" 2> /dev/null && return 0
		kill -0 "$server_pid" 2> /dev/null || break
		sleep 0.1
	done
	wait "$server_pid"
	rc=$?
	server_pid=""
	[ $rc -eq 3 ] && return 3
	return 1
}

n=$first
while :; do
	start_server "$n"
	rc=$?
	[ $rc -eq 0 ] && break
	if [ $rc -ne 3 ] || [ "$n" -ge $((first + 63)) ]; then
		echo "demo: the server did not start:"
		cat "$out/server.log"
		exit 1
	fi
	n=$((n + 1))
done
cat "$dir/server.out"

if [ -n "${DISPLAY:-}" ]; then
	echo "demo: opening a thin-client window on $DISPLAY"
	echo "demo: pick an app with the arrow keys and Enter; Ctrl+Shift+L shows the launcher again"
	echo "demo: closing the window detaches (the apps keep running); Ctrl-C here stops everything"
	"$bin/thin-client" --cookie "$dir/cookie" --stats ":$n" &
	client_pid=$!
	wait "$client_pid"
	rc=$?
	client_pid=""
	if [ $rc -ne 0 ]; then
		echo "demo: the thin client failed (status $rc)"
		exit $rc
	fi
	echo "demo: detached; the session runs on. Come back with:"
	echo "  $bin/thin-client --cookie $dir/cookie :$n"
	echo "demo: Ctrl-C stops the server and its apps"
	wait "$server_pid"
	exit 0
fi

echo "demo: no \$DISPLAY, so a headless thin client replays a short session"
cat > "$dir/script" << SCRIPT
# the launcher is on screen: start the terminal (first entry)
wait-windows 1
wait-idle 500
screenshot $out/1-launcher.png
key Return
wait-idle 800
type echo hello from xproto; uname -sm; seq 1 5
key Return
wait-idle 500
type ls -l /usr | head -8
key Return
wait-idle 500
screenshot $out/2-terminal.png
# bring the launcher back and start the clock
key L ctrl+shift
wait-idle 300
key 2
wait-windows 2
wait-idle 1500
screenshot $out/3-terminal-and-clock.png
SCRIPT
shots="1-launcher 2-terminal 3-terminal-and-clock"
if grep -q '^xterm' "$dir/apps"; then
	# an unmodified X program: xterm through the X bridge, typed into
	cat >> "$dir/script" << SCRIPT
key L ctrl+shift
wait-idle 300
key 4
# the launcher steps aside first (it counts as a window until then)
wait-idle 1000
wait-windows 3 15000
wait-idle 800
type echo hello from xterm through xp-x11
key Return
wait-idle 500
screenshot $out/4-xterm.png
SCRIPT
	shots="$shots 4-xterm"
fi
if grep -q '^gtk' "$dir/apps"; then
	# a GTK program through the X bridge: the launcher's key is its line number
	cat >> "$dir/script" << SCRIPT
key L ctrl+shift
wait-idle 300
key $(grep -n '^gtk' "$dir/apps" | cut -d: -f1)
wait-idle 1000
wait-windows $(($(grep -c '^xterm' "$dir/apps") + 3)) 15000
wait-idle 1000
screenshot $out/5-gtk.png
SCRIPT
	shots="$shots 5-gtk"
fi
echo quit >> "$dir/script"
"$bin/thin-client" --headless --cookie "$dir/cookie" --script "$dir/script" \
	":$n" 2> "$out/client-stats.txt" &
client_pid=$!
wait "$client_pid"
rc=$?
client_pid=""
echo "demo: screenshots:"
for f in $shots; do echo "  $out/$f.png"; done
echo "demo: bytes on the wire for the whole session (thin client's view):"
grep -E "wire bytes|plain bytes|messages|rtt" "$out/client-stats.txt" | sed 's/^/ /'
exit $rc
