#!/bin/bash
# server_valgrind_test.sh - xproto-server under valgrind for a real session:
# a terminal is launched, typed into and closed, one client is killed
# mid-stream, a malformed client is refused, then SIGTERM. Passes when
# valgrind reports no errors and no definite or indirect leaks.
# Skipped in the sanitizer build (valgrind and ASan do not mix).
# Every wait is on a condition with a deadline (valgrind is slow, and more
# so on a loaded machine, so the deadlines are long). Prints cmocka's
# summary line, which tests/run.sh counts.
bin=${XP_BIN:-build/bin}
case "$bin" in *san*)
	echo "server under valgrind: skipped in the sanitizer build"
	echo "[  SKIPPED ] 1 test(s)."; exit 0 ;;
esac
fail() { echo "server under valgrind: $*"; echo "[  FAILED  ] 1 test(s)."; exit 1; }
command -v valgrind >/dev/null || fail "valgrind missing (tools/deps.sh installs it)"
dir=$(mktemp -d /tmp/xproto-vg-XXXXXX)
vg=""
trap '[ -n "$vg" ] && kill $vg 2>/dev/null; rm -rf "$dir"' EXIT

# wait_until SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds
wait_until() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

printf 'PS1="$ "\n' > "$dir/rc"
cat > "$dir/apps" <<APPS
terminal | t | exec env HOME=$dir $PWD/$bin/xp-term --size 80x24 -e bash --rcfile $dir/rc
APPS
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=9 --log-file="$dir/vg.log" "$bin/xproto-server" \
	--listen 127.0.0.1:0 --app-socket "$dir/app.sock" --cookie "$dir/cookie" \
	--apps "$dir/apps" > "$dir/out" 2> "$dir/server.log" &
vg=$!
listening() { port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$dir/out"); [ -n "$port" ]; }
wait_until 120 listening || { cat "$dir/server.log"; fail "the server did not start"; }

# the prompt's block cursor (cell 2 of row 0, then of row 23 of the 80x24
# window, in the session's first window: its frame's border 4 and title bar
# 22 before it; without --size xp-term fills the screen) says the shell is
# ready, then done; the desktop colour at 10,10 that the window closed
cat > "$dir/s1" <<S
launch terminal
wait-pixel 18 28 d8d8d8 60000
type echo valgrind; seq 1 50
key Return
wait-pixel 18 327 d8d8d8 60000
type exit
key Return
wait-pixel 10 10 202428 60000
quit
S
"$bin/thin-client" --headless --cookie "$dir/cookie" --script "$dir/s1" "127.0.0.1:$port" \
	> "$dir/c1.log" 2>&1 || { cat "$dir/c1.log"; fail "client failed"; }
grep "script line" "$dir/c1.log" && fail "a wait of the client's script timed out"

# a client killed while attached (its screenshot says it has attached)
printf 'sync\nscreenshot %s/c2.png\nwait 120000\nquit\n' "$dir" > "$dir/s2"
"$bin/thin-client" --headless --cookie "$dir/cookie" --script "$dir/s2" "127.0.0.1:$port" \
	> /dev/null 2>&1 &
c2=$!
wait_until 120 test -e "$dir/c2.png" || fail "the second client did not attach"
kill -9 $c2; wait $c2 2>/dev/null

# a hostile client: garbage instead of a preamble; the server closes it
exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect"
printf 'GARBAGE-NOT-XPROTO' >&3
timeout 120 cat <&3 > /dev/null || fail "the server did not close the hostile connection"
exec 3>&-

kill -TERM $vg
wait $vg
rc=$?
vg=""
if [ $rc -ne 0 ]; then
	cat "$dir/vg.log"
	fail "valgrind found problems (exit $rc)"
fi
echo "server under valgrind: no errors, no leaks"
echo "[  PASSED  ] 1 test(s)."
