#!/bin/sh
# x11-shot.sh - the X bridge's screenshot in docs/screenshots/: a real
# thin-client window on an Xvfb with twm, showing xterm and xcalc running
# through xp-x11; xdotool types into the xterm and clicks 7 * 6 = on xcalc.
#   sh tools/x11-shot.sh [BIN [OUT.png]]   (needs Xvfb twm xterm xcalc xdotool xwd)
set -u
B=$(cd "${1:-build/bin}" && pwd)
OUT=${2:-docs/screenshots/x11-bridge.png}
HERE=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/xp-x11-shot.XXXXXX)
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; sleep 0.5; rm -rf "$T"' EXIT
# wait_for FILE PATTERN: until FILE holds PATTERN (at most 10 s)
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
Xvfb -displayfd 3 -screen 0 1024x720x24 -nolisten tcp 3>"$T/outer" >/dev/null 2>&1 &
PIDS="$PIDS $!"
wait_for "$T/outer" .
O=:$(cat "$T/outer")
printf 'RandomPlacement\nUsePPosition "on"\nNoGrabServer\nBorderWidth 2\n' >"$T/twmrc"
for f in TitleFont ResizeFont MenuFont IconFont IconManagerFont; do
	echo "$f \"fixed\"" >>"$T/twmrc"
done
DISPLAY=$O twm -f "$T/twmrc" >/dev/null 2>&1 &
PIDS="$PIDS $!"
env -i HOME="$T" PATH=/usr/bin:/bin "$B/xproto-server" --listen 127.0.0.1:0 \
	--app-socket "$T/app.sock" --cookie "$T/cookie" --no-launcher >"$T/out" 2>"$T/log" &
PIDS="$PIDS $!"
wait_for "$T/out" "cookie file"
PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T/out")
DISPLAY=$O "$B/thin-client" --cookie "$T/cookie" --size 860x560 127.0.0.1:$PORT >"$T/tc.log" 2>&1 &
PIDS="$PIDS $!"
sleep 1
XPROTO_APP_SOCKET=$T/app.sock XPROTO_COOKIE=$T/cookie "$B/xp-x11" --display-only \
	>"$T/disp" 2>"$T/x11.log" &
PIDS="$PIDS $!"
wait_for "$T/disp" DISPLAY
D=$(sed -n 's/DISPLAY=//p' "$T/disp")
(cd "$T" && env -i HOME="$T" PATH=/usr/bin:/bin SHELL=/bin/bash PS1='$ ' DISPLAY="$D" \
	LC_ALL=C xterm -T xterm -fn 6x13 -geometry 80x24+10+10 -e bash --norc >/dev/null 2>&1 &
	echo $! >"$T/xterm.pid")
PIDS="$PIDS $(cat "$T/xterm.pid")"
sleep 1
DISPLAY=$D xcalc -geometry 230x300+560+20 >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 2
W=$(DISPLAY=$O xdotool search --name thin-client | head -1)
DISPLAY=$O xdotool mousemove --window "$W" 100 100 click 1
sleep 0.5
DISPLAY=$O xdotool type --delay 30 'echo typed through the thin client; ls /usr/share/X11 | head -5'
DISPLAY=$O xdotool key Return
sleep 1
# xcalc's 7, *, 6 and = at their places in the session
for b in 630,238 765,238 720,261 765,307; do
	DISPLAY=$O xdotool mousemove --window "$W" "${b%,*}" "${b#*,}" click 1
	sleep 0.4
done
sleep 1
xwd -root -silent -display "$O" | python3 "$HERE/bench/peers/xwd2png.py" "$OUT" &&
	echo "x11-shot: wrote $OUT"
