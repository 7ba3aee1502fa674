#!/bin/sh
# term-shots.sh - the pictures of xp-term in docs/screenshots/:
#   term-renditions.png  bold, italic, dim, strike, underlines, colours,
#                        combining marks, wide characters (CJK, emoji)
#   term-selection.png   a word (double click) and a drag selected
#   term-10x20.png       the same text with --font 10x20
#   term-zoom.png        the same text after Ctrl+Shift+plus twice (7x14)
#   term-clipboard.png   a local xterm and the thin client on one desktop:
#                        text copied each way with the mouse
#
#   sh tools/term-shots.sh [BIN [OUT]]   (defaults build/bin, docs/screenshots)
#
# The first four come from a headless thin client's script; the last from
# an Xvfb desktop driven with xdotool (XTEST). Documentation, not a test.
set -u
BIN=${1:-build/bin}
OUT=${2:-docs/screenshots}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=$(cd "$BIN" && pwd)
for c in xterm xdotool xwd Xvfb python3; do
	command -v $c >/dev/null 2>&1 || { echo "term-shots: needs $c" >&2; exit 1; }
done
T=$(mktemp -d /tmp/xp-termshots.XXXXXX) || exit 1
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
mkdir -p "$OUT"

# server FONT-ARGS: a server whose "terminal" is xp-term with these options
server() {
	cat >"$T/apps" <<EOF
terminal | t | exec env PS1='$ ' HOME=$T "$BIN/xp-term" --size 80x24 $1 -e bash --norc --noprofile
EOF
	rm -f "$T/server.out"
	"$BIN/xproto-server" --listen 127.0.0.1:0 --app-socket "$T/app.sock" --cookie "$T/cookie" \
		--apps "$T/apps" --no-launcher >"$T/server.out" 2>"$T/server.log" &
	SERVER=$!
	for i in $(seq 100); do grep -q "cookie file" "$T/server.out" 2>/dev/null && break; sleep 0.05; done
	PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T/server.out")
}

# the text every picture shows
cat >"$T/text.sh" <<'EOF'
printf 'plain \033[1mbold\033[0m \033[3mitalic\033[0m \033[1;3mbold italic\033[0m \033[2mdim\033[0m \033[9mstrike\033[0m \033[4munder\033[0m \033[21mdouble\033[0m \033[7mreverse\033[0m\n'
printf '\033[31mred \033[32mgreen \033[33myellow \033[34mblue \033[35mmagenta \033[36mcyan\033[0m \033[38;2;255;160;0m24-bit orange\033[0m \033[48;5;24m 256-colour \033[0m\n'
printf 'combining: e\314\201 a\314\200 n\314\203 o\314\210 a\314\200\314\243 q\314\207 | \316\225\316\273\316\273\316\267\316\275\316\271\316\272\316\254 \320\232\320\270\321\200\320\270\320\273\320\273\320\270\321\206\320\260\n'
printf 'wide: \346\227\245\346\234\254\350\252\236 \344\270\255\346\226\207 \355\225\234\352\265\255\354\226\264 \343\201\213\343\201\252 \343\202\253\343\203\212 \360\237\230\200 \360\237\216\211 \342\234\205 \342\230\225 end\n'
printf 'box: \342\224\214\342\224\200\342\224\254\342\224\200\342\224\220 \342\224\202 \342\226\221\342\226\222\342\226\223\342\226\210 arrows \342\206\220\342\206\221\342\206\222\342\206\223\n'
EOF
headless() { # NAME SIZE SCRIPT-TAIL FONT-ARGS
	server "$4"
	{
		echo "launch terminal"
		echo "wait-windows 1"
		echo "wait-idle 500"
		echo "type clear; . $T/text.sh"
		echo "key Return"
		echo "wait-idle 500"
		printf '%b' "$3"
		echo "screenshot $OUT/$1.png"
		echo "quit"
	} >"$T/script"
	"$BIN/thin-client" --headless --size "$2" --cookie "$T/cookie" --script "$T/script" \
		"127.0.0.1:$PORT" >/dev/null 2>"$T/client.log"
	kill $SERVER
	wait $SERVER 2>/dev/null
	echo "term-shots: $OUT/$1.png"
}
headless term-renditions 480x312 "" ""
headless term-selection 480x312 "type ls -l $ROOT/render/fonts $ROOT/render/tools\nkey Return\nwait-idle 500\nclick 267 175\nclick 267 175\nwait-idle 300\n" ""
headless term-10x20 800x480 "" "--font 10x20"
headless term-zoom 560x336 "key plus ctrl+shift\nwait-idle 300\nkey plus ctrl+shift\nwait-idle 500\n" ""

# ---- the clipboard between a local xterm and the remote terminal ----------
Xvfb -displayfd 3 -br -nolisten tcp -screen 0 490x560x24 3>"$T/d" >/dev/null 2>&1 &
PIDS="$PIDS $!"
for i in $(seq 100); do [ -s "$T/d" ] && break; sleep 0.05; done
export DISPLAY=":$(cat "$T/d")"
server ""
PIDS="$PIDS $SERVER"
printf 'launch terminal\nwait 3600000\n' >"$T/script"
"$BIN/thin-client" --size 480x312 --cookie "$T/cookie" --script "$T/script" "127.0.0.1:$PORT" \
	2>"$T/client.log" &
PIDS="$PIDS $!"
xterm -fn '-misc-fixed-medium-r-semicondensed--13-120-75-75-c-60-iso10646-1' +sb -bw 0 -b 0 \
	-bg '#102030' -fg '#f0f0f0' -geometry 80x17+0+330 -e env PS1='local$ ' bash --norc &
PIDS="$PIDS $!"
sleep 2
TC=$(xdotool search --class thin-client | head -1)
XT=$(xdotool search --class xterm | head -1)
# remote: print a line, double click its second word (PRIMARY), paste it locally
xdotool windowfocus "$TC" type "echo remote-text copied from the session"
xdotool key Return
sleep 1
xdotool mousemove --window "$TC" 40 19 click --repeat 2 --delay 80 1
sleep 1
xdotool windowfocus "$XT" type "echo pasted here: "
xdotool mousemove --window "$XT" 100 100 click 2
sleep 1
xdotool key Return
sleep 0.5
# local: a word selected in xterm, pasted in the remote terminal (Shift+Insert)
xdotool type "echo local-word from the desktop"
xdotool key Return
sleep 1
xdotool mousemove --window "$XT" 40 45 click --repeat 2 --delay 80 1
sleep 1
xdotool windowfocus "$TC" type "echo pasted remotely: "
xdotool key shift+Insert
sleep 1
xdotool key Return
sleep 1
xwd -root -silent | python3 "$ROOT/bench/peers/xwd2png.py" "$OUT/term-clipboard.png"
echo "term-shots: $OUT/term-clipboard.png"
