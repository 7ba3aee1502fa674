#!/bin/bash
# agendad_valgrind_test.sh - agendad under valgrind for real syncs: two
# members (the second added while it runs) add, edit the same title, delete
# and sync; hostile peers send garbage, a truncated frame and an oversized
# length; a wrong token is refused; then SIGTERM. Passes when valgrind
# reports no errors and no definite or indirect leaks, and agendad exits 0.
# Skipped in the sanitizer build (valgrind and ASan do not mix). Every wait
# is on a condition with a deadline. Prints cmocka's summary line, which
# tests/run.sh counts.
bin=${XP_BIN:-build/bin}
case "$bin" in *san*)
	echo "agendad under valgrind: skipped in the sanitizer build"
	echo "[  SKIPPED ] 1 test(s)."; exit 0 ;;
esac
fail() { echo "agendad under valgrind: $*"; echo "[  FAILED  ] 1 test(s)."; exit 1; }
command -v valgrind >/dev/null || fail "valgrind missing (tools/deps.sh installs it)"
case "$bin" in /*) ;; *) bin=$PWD/$bin ;; esac
dir=$(mktemp -d /tmp/agendad-vg-XXXXXX)
vg=""
trap '[ -n "$vg" ] && kill $vg 2>/dev/null; rm -rf "$dir"' EXIT
export HOME=$dir TZ=UTC
cd "$dir" || fail "no temporary folder"

# wait_until SECONDS COMMAND...: run COMMAND every 0.1 s until it succeeds
wait_until() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
# ok COMMAND...: run it, fail the test when it fails
ok() { "$@" > "$dir/last" 2>&1 || { cat "$dir/last"; fail "failed: $*"; }; }

ann=$("$bin/agendad" adduser ann --agenda team --rw) || fail "adduser failed"
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=9 --log-file="$dir/vg.log" "$bin/agendad" \
	--listen 127.0.0.1:0 --port-file "$dir/port" 2> "$dir/agendad.log" &
vg=$!
wait_until 120 test -s "$dir/port" || { cat "$dir/agendad.log"; fail "agendad did not start"; }
port=$(cat "$dir/port")
srv=127.0.0.1:$port

ok "$bin/agenda" init --server $srv --user ann --token "$ann" --agenda team
ok "$bin/agenda" add Standup --start "2026-11-23 09:00" --rrule FREQ=DAILY --category a
ok "$bin/agenda" sync
bob=$("$bin/agendad" adduser bob --agenda team --rw) || fail "adduser while running failed"
ok "$bin/agenda" --db b.db init --server $srv --user bob --token "$bob" --agenda team
ok "$bin/agenda" --db b.db sync
uid=$("$bin/agenda" --db b.db --json ls month 2026-11-01 |
	sed -n 's/.*"uid":"\([0-9a-f]*\)".*/\1/p' | head -n 1)
[ -n "$uid" ] || fail "bob did not receive the event"
ok "$bin/agenda" --db b.db edit "$uid" --title "Standup (bob)"
ok "$bin/agenda" edit "$uid" --title "Standup (ann)"
ok "$bin/agenda" --db b.db sync
ok "$bin/agenda" sync
ok "$bin/agenda" --db b.db rm "$uid"
ok "$bin/agenda" --db b.db sync
ok "$bin/agenda" sync

# hostile peers: garbage, a frame cut short, a length far over the limit
for payload in 'GARBAGE-NOT-AGENDA' '\000\000\000\100\001\002' '\377\377\377\377xxxx'; do
	exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect"
	printf "$payload" >&3
	timeout 120 cat <&3 > /dev/null || fail "agendad kept a hostile connection open"
	exec 3>&-
done
ok "$bin/agenda" --db c.db init --server $srv --user ann --token 0123456789abcdef0123456789abcdef \
	--agenda team
"$bin/agenda" --db c.db sync > "$dir/last" 2>&1 && fail "a wrong token was accepted"
ok "$bin/agenda" sync # agendad still serves the others

kill -TERM $vg
wait $vg
rc=$?
vg=""
if [ $rc -ne 0 ]; then
	cat "$dir/vg.log" "$dir/agendad.log"
	fail "valgrind found problems or agendad failed (exit $rc)"
fi
echo "agendad under valgrind: no errors, no leaks"
echo "[  PASSED  ] 1 test(s)."
