#!/bin/sh
# vttest-shots.sh - vttest menus 1, 2, 3 and 8 in a real xterm and in
# xp-term, screen by screen, side by side in docs/screenshots/vttest/.
#
#   sh tools/vttest-shots.sh [BIN [OUT]]   (defaults build/bin, docs/screenshots/vttest)
#
# Two private Xvfb servers: one runs xterm (misc-fixed 6x13, the colours
# xp-term uses, 80/132 column switching allowed as with xterm -132), the
# other a thin client showing an xproto session whose xp-term runs vttest.
# The same keys go to both through XTEST (xdotool); after each key the
# script waits until both screens stop changing, then takes both (xwd) and
# puts them side by side (tools/pngpair.c). A menu ends when xp-term shows
# vttest's main menu again. This makes documentation, not a test: it never
# fails a build, and it waits on the screens, with a deadline.
set -u
BIN=${1:-build/bin}
OUT=${2:-docs/screenshots/vttest}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=$(cd "$BIN" && pwd)
W=800 H=320

need="vttest:vttest xterm:xterm xdotool:xdotool xwd:x11-apps Xvfb:xvfb python3:python3"
missing=
for pair in $need; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y --no-install-recommends $missing >/dev/null ||
			{ echo "vttest-shots: apt-get failed" >&2; exit 1; }
	else
		echo "vttest-shots: run: sudo apt-get install -y$missing" >&2
		exit 1
	fi
fi

T=$(mktemp -d /tmp/xp-vttest.XXXXXX) || exit 1
PIDS= XTERM= term=
cleanup() {

	# vttest spins on a closed tty instead of exiting: end it first
	for p in $XTERM ${term:-}; do
		for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do kill -9 "$c" 2>/dev/null; done
	done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
mkdir -p "$OUT"
cc -std=c11 -O2 -I"$ROOT/render" -o "$T/pngpair" "$ROOT/tools/pngpair.c" \
	"$BIN/../lib/libxprender.a" -lpng -lz || exit 1

xvfb() { # FD-FILE: start an Xvfb, print its display
	Xvfb -displayfd 3 -br -nolisten tcp -screen 0 ${W}x${H}x24 3>"$1" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	for i in $(seq 100); do [ -s "$1" ] && break; sleep 0.05; done
	echo ":$(cat "$1")"
}
DX=$(xvfb "$T/dx") DP=$(xvfb "$T/dp")

# xterm as its users know it, with what xp-term does by default
DISPLAY=$DX xterm -fn '-misc-fixed-medium-r-semicondensed--13-120-75-75-c-60-iso10646-1' \
	-fb '-misc-fixed-bold-r-semicondensed--13-120-75-75-c-60-iso10646-1' -132 -ti vt100 +sb -b 0 -bw 0 \
	-bg black -fg '#d8d8d8' -cr '#d8d8d8' -geometry 80x24+0+0 -e vttest &
XTERM=$!
PIDS="$PIDS $XTERM"

# xp-term in a session, shown by a thin client
cat >"$T/apps" <<EOF
terminal | vttest | exec "$BIN/xp-term" --size 80x24 --dump $T/dump.txt -e vttest
EOF
"$BIN/xproto-server" --listen 127.0.0.1:0 --app-socket "$T/app.sock" --cookie "$T/cookie" \
	--apps "$T/apps" --no-launcher >"$T/server.out" 2>"$T/server.log" &
PIDS="$PIDS $!"
for i in $(seq 100); do grep -q "cookie file" "$T/server.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T/server.out")
printf 'launch terminal\nwait 3600000\n' >"$T/script"
DISPLAY=$DP "$BIN/thin-client" --cookie "$T/cookie" --size ${W}x${H} --script "$T/script" \
	"127.0.0.1:$port" 2>"$T/client.log" &
PIDS="$PIDS $!"
for i in $(seq 200); do grep -q "launched terminal" "$T/server.log" && break; sleep 0.05; done
term=$(sed -n 's/.*launched terminal (pid \([0-9]*\)).*/\1/p' "$T/server.log" | tail -1)

# shot DISPLAY FILE: once the screen has not changed for 0.3 s (at most 10 s)
shot() {
	last= same=0
	for i in $(seq 100); do
		xwd -root -silent -display "$1" >"$T/cur.xwd" 2>/dev/null
		sum=$(md5sum <"$T/cur.xwd")
		if [ "$sum" = "$last" ]; then
			same=$((same + 1))
			[ $same -ge 3 ] && break
		else
			same=0 last=$sum
		fi
		sleep 0.1
	done
	python3 "$ROOT/bench/peers/xwd2png.py" "$2" <"$T/cur.xwd"
}
keys() { # the same keys to both screens
	for d in $DX $DP; do DISPLAY=$d xdotool "$@"; done
}
main_menu() { # xp-term shows vttest's main menu
	rm -f "$T/dump.txt"
	kill -USR1 "$term"
	for i in $(seq 100); do [ -s "$T/dump.txt" ] && break; sleep 0.02; done
	grep -q "Choose test type" "$T/dump.txt"
}

for d in $DX $DP; do
	win=$(DISPLAY=$d xdotool search --sync --onlyvisible --name . 2>/dev/null | head -1)
	DISPLAY=$d xdotool windowfocus "$win" 2>/dev/null
done
shot "$DX" "$T/x.png"
shot "$DP" "$T/p.png"
for menu in ${MENUS:-1 2 3 8}; do
	keys type "$menu"
	keys key Return
	for k in $(seq 40); do
		shot "$DX" "$T/x.png"
		shot "$DP" "$T/p.png"
		main_menu && break
		"$T/pngpair" "$OUT/menu$menu-$k.png" $W $H "$T/x.png" "xterm -ti vt100 -132" "$T/p.png" \
			"xp-term (thin client)"
		echo "vttest-shots: menu $menu screen $k"
		keys key Return
	done
done
keys type 0 # vttest's Exit
keys key Return

