#!/bin/sh
# demo.sh - `make run`: start xproto-server on 127.0.0.1 with a fresh cookie
# and a thin client. With $DISPLAY: a real window (close it or Ctrl-C to
# stop). Without: a headless client replays a short session (terminal,
# a few commands, the clock, and xterm through the X bridge when xterm is
# installed) and writes screenshots. Ctrl-C stops all.
set -u
bin=${1:-build/bin}
port=${XPROTO_DEMO_PORT:-7100}
dir=$(mktemp -d /tmp/xproto-demo-XXXXXX)
out=${XPROTO_DEMO_OUT:-build/demo}
mkdir -p "$out"
server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'echo; echo "demo: stopping"; exit 130' INT TERM

# the demo's shell: a plain prompt, no user rc files
cat > "$dir/shellrc" <<'RC'
PS1='demo$ '
RC
cat > "$dir/apps" <<APPS
terminal | a terminal running bash | exec env HOME=$dir "$PWD/$bin/xp-term" -e bash --rcfile $dir/shellrc
clock    | a ticking clock         | exec "$PWD/$bin/xp-clock"
calendar | the shared calendar     | exec "$PWD/$bin/xp-calendar"
APPS
# any X program runs through the X bridge (xp-x11); offer xterm if installed
if command -v xterm >/dev/null 2>&1; then
	echo "xterm    | xterm, an X program, through the X bridge | exec env HOME=$dir \"$PWD/$bin/xp-x11\" -- xterm -T xterm -fn 6x13 -e bash --rcfile $dir/shellrc" >> "$dir/apps"
fi
SHELL=/bin/bash BASH_ENV= ENV= "$bin/xproto-server" --listen "127.0.0.1:$port" \
	--app-socket "$dir/app.sock" --cookie "$dir/cookie" \
	--apps "$dir/apps" > "$dir/server.out" 2> "$out/server.log" &
server_pid=$!
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	grep -q "cookie file" "$dir/server.out" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q "cookie file" "$dir/server.out"; then
	echo "demo: the server did not start:"; cat "$out/server.log"; exit 1
fi
cat "$dir/server.out"

if [ -n "${DISPLAY:-}" ]; then
	echo "demo: opening a thin-client window on $DISPLAY (close it or press Ctrl-C to stop)"
	echo "demo: pick an app with the arrow keys and Enter; Ctrl+Shift+L shows the launcher again"
	"$bin/thin-client" --cookie "$dir/cookie" --stats "127.0.0.1:$port"
	exit $?
fi

echo "demo: no \$DISPLAY, so a headless thin client replays a short session"
cat > "$dir/script" <<SCRIPT
# the launcher is on screen: start the terminal (first entry)
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
wait-idle 1500
screenshot $out/3-terminal-and-clock.png
SCRIPT
shots="1-launcher 2-terminal 3-terminal-and-clock"
if grep -q '^xterm' "$dir/apps"; then
	# an unmodified X program: xterm through the X bridge, typed into
	cat >> "$dir/script" <<SCRIPT
key L ctrl+shift
wait-idle 300
key 4
wait-windows 3 15000
wait-idle 800
type echo hello from xterm through xp-x11
key Return
wait-idle 500
screenshot $out/4-xterm.png
SCRIPT
	shots="$shots 4-xterm"
fi
echo quit >> "$dir/script"
"$bin/thin-client" --headless --cookie "$dir/cookie" --script "$dir/script" \
	"127.0.0.1:$port" 2> "$out/client-stats.txt"
rc=$?
echo "demo: screenshots:"
for f in $shots; do echo "  $out/$f.png"; done
echo "demo: bytes on the wire for the whole session (thin client's view):"
grep -E "wire bytes|plain bytes|messages|rtt" "$out/client-stats.txt" | sed 's/^/ /'
exit $rc
