#!/bin/bash
# server_valgrind_test.sh - xproto-server under valgrind for a real session:
# a terminal is launched, typed into and closed, one client is killed
# mid-stream, a malformed client is refused, then SIGTERM. Passes when
# valgrind reports no errors and no definite or indirect leaks.
# Skipped in the sanitizer build (valgrind and ASan do not mix).
bin=${XP_BIN:-build/bin}
case "$bin" in *san*) echo "server under valgrind: skipped in the sanitizer build"; echo "0 passed, 0 failed, 1 skipped"; exit 0 ;; esac
command -v valgrind >/dev/null || { echo "valgrind missing"; exit 1; }
dir=$(mktemp -d /tmp/xproto-vg-XXXXXX)
trap 'kill $vg 2>/dev/null; rm -rf "$dir"' EXIT
printf 'PS1="$ "\n' > "$dir/rc"
cat > "$dir/apps" <<APPS
terminal | t | exec env HOME=$dir $PWD/$bin/xp-term -e bash --rcfile $dir/rc
APPS
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=9 --log-file="$dir/vg.log" "$bin/xproto-server" \
	--listen 127.0.0.1:0 --app-socket "$dir/app.sock" --cookie "$dir/cookie" \
	--apps "$dir/apps" > "$dir/out" 2> "$dir/server.log" &
vg=$!
port=""
for i in $(seq 1 100); do
	port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$dir/out")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "server did not start"; cat "$dir/server.log"; exit 1; }
cat > "$dir/s1" <<S
launch terminal
wait-idle 1500
type echo valgrind; seq 1 50
key Return
wait-idle 800
type exit
key Return
wait-idle 800
quit
S
"$bin/thin-client" --headless --cookie "$dir/cookie" --script "$dir/s1" "127.0.0.1:$port" \
	> "$dir/c1.log" 2>&1 || { echo "client failed"; cat "$dir/c1.log"; exit 1; }
printf 'wait 5000\nquit\n' > "$dir/s2"
"$bin/thin-client" --headless --cookie "$dir/cookie" --script "$dir/s2" "127.0.0.1:$port" \
	> /dev/null 2>&1 &
c2=$!
sleep 1; kill -9 $c2; wait $c2 2>/dev/null
# a hostile client: garbage instead of a preamble
exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GARBAGE-NOT-XPROTO' >&3 && sleep 0.3
exec 3>&-
kill -TERM $vg
wait $vg
rc=$?
if [ $rc -ne 0 ]; then
	echo "valgrind found problems (exit $rc):"; cat "$dir/vg.log"
	echo "0 passed, 1 failed"; exit 1
fi
echo "server under valgrind: no errors, no leaks"
echo "1 passed, 0 failed"
