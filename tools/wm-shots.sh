#!/bin/sh
# wm-shots.sh - the window-management screenshots in docs/screenshots/:
#   seamless-openbox.png  thin-client --seamless on an Xvfb with openbox: two
#                         terminals and the clock, each a window of the desktop
#   desktop-drag.png      desktop mode: overlapping windows, one being dragged
#   scaled-terminal.png   a real thin-client window at --scale 2 (Xvfb)
#   reconnecting.png      --reconnect while the server is away
#   launcher-windows.png  Ctrl+Shift+L: the apps and the session's windows
#   sh tools/wm-shots.sh [BIN [OUTDIR]]   (needs Xvfb openbox xwd python3)
set -u
B=$(cd "${1:-build/bin}" && pwd)
OUT=$(cd "${2:-docs/screenshots}" && pwd)
HERE=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/xp-wm-shots.XXXXXX)
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; sleep 0.5; rm -rf "$T"' EXIT
# wait_for FILE PATTERN: until FILE holds PATTERN (at most 30 s)
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}
# server NAME [ARGS]: a server in $T/NAME, its address in $ADDR
server() {
	mkdir -p "$T/$1"
	d=$T/$1
	shift
	env -i HOME="$T" PATH=/usr/bin:/bin SHELL=/bin/bash PS1='$ ' LC_ALL=C "$B/xproto-server" \
		--listen 127.0.0.1:0 --app-socket "$d/app.sock" --cookie "$d/cookie" "$@" \
		>"$d/out" 2>"$d/log" &
	SERVER=$!
	PIDS="$PIDS $SERVER"
	wait_for "$d/out" "cookie file"
	ADDR=127.0.0.1:$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$d/out")
	COOKIE=$d/cookie
}
# xvfb WxH: a private display in $DISP
xvfb() {
	Xvfb -displayfd 3 -screen 0 "$1x24" -nolisten tcp 3>"$T/disp.$1" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	wait_for "$T/disp.$1" .
	DISP=:$(cat "$T/disp.$1")
}
root_png() {
	xwd -root -silent -display "$1" | python3 "$HERE/bench/peers/xwd2png.py" "$2" &&
		echo "wm-shots: wrote $2"
}
# What the terminals show: a few commands typed into each.
TERM_A='type echo each window is a window of your own desktop; uname -sr
key Return
type ls /usr/share/X11 | head -4
key Return'
TERM_B='type seq 1 5 | paste -sd+ | bc
key Return'

# 1. seamless, under openbox
xvfb 1024x640
DISPLAY=$DISP openbox --sm-disable >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 2
server seamless --no-launcher
cat >"$T/s1.txt" <<EOF
launch terminal
wait-windows 1 30000
wait-idle 500
$TERM_A
wait-idle 800
launch terminal
wait-windows 2 30000
wait-idle 800
$TERM_B
wait-idle 800
launch clock
wait-windows 3 30000
wait-idle 500
wait 120000
EOF
DISPLAY=$DISP "$B/thin-client" --seamless --cookie "$COOKIE" --script "$T/s1.txt" "$ADDR" \
	>"$T/s1.log" 2>&1 &
PIDS="$PIDS $!"
i=0
while [ "$(grep -c 'started' "$T/s1.log")" -lt 3 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
sleep 4
root_png "$DISP" "$OUT/seamless-openbox.png"

# 2. desktop mode: overlapping windows, the top one dragged by its title bar
server desktop --no-launcher
cat >"$T/s2.txt" <<EOF
launch terminal
wait-windows 1 30000
wait-idle 500
$TERM_A
wait-idle 800
launch clock
wait-windows 2 30000
launch terminal
wait-windows 3 30000
wait-idle 800
$TERM_B
wait-idle 800
press 160 36
move 220 100
move 300 180
wait-idle 300
screenshot $OUT/desktop-drag.png
release 300 180
wait-idle 300
EOF
"$B/thin-client" --headless --size 800x600 --cookie "$COOKIE" --script "$T/s2.txt" "$ADDR" \
	>"$T/s2.log" 2>&1 && echo "wm-shots: wrote $OUT/desktop-drag.png"

# 3. a terminal in a real window at --scale 2
xvfb 1280x760
server scaled --no-launcher
cat >"$T/s3.txt" <<EOF
launch terminal
wait-windows 1 30000
wait-idle 500
$TERM_B
wait-idle 800
wait 120000
EOF
DISPLAY=$DISP "$B/thin-client" --scale 2 --size 640x380 --cookie "$COOKIE" \
	--script "$T/s3.txt" "$ADDR" >"$T/s3.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$T/s3.log" started
sleep 5
root_png "$DISP" "$OUT/scaled-terminal.png"

# 4. the server goes away: the last picture, and what happens next
server away --no-launcher
cat >"$T/s4.txt" <<EOF
launch terminal
wait-windows 1 30000
wait-idle 500
$TERM_A
wait-idle 800
checkpoint shown
wait 120000
EOF
"$B/thin-client" --headless --reconnect --size 640x400 --cookie "$COOKIE" \
	--script "$T/s4.txt" --screenshot "$T/r.png" "$ADDR" >"$T/s4.log" 2>&1 &
CLIENT=$!
PIDS="$PIDS $CLIENT"
wait_for "$T/s4.log" "checkpoint shown"
kill "$SERVER"
sleep 4
kill -USR1 "$CLIENT"
sleep 1
cp "$T/r.png" "$OUT/reconnecting.png" && echo "wm-shots: wrote $OUT/reconnecting.png"

# 5. the launcher with the session's windows
server launcher
cat >"$T/s5.txt" <<EOF
wait-windows 1 30000
wait-idle 500
key 1
wait-windows 1 30000
wait-idle 1500
launch clock
wait 2000
wait-idle 500
key Down super
wait-idle 500
key L ctrl+shift
wait-idle 1000
key Tab
key Down
wait-idle 500
screenshot $OUT/launcher-windows.png
EOF
"$B/thin-client" --headless --size 640x400 --cookie "$COOKIE" --script "$T/s5.txt" "$ADDR" \
	>"$T/s5.log" 2>&1 && echo "wm-shots: wrote $OUT/launcher-windows.png"
