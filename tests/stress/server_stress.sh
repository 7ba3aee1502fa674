#!/bin/sh
# server_stress.sh - xproto-server's part of `make stress`: every attack of
# tests/stress/server_stress.c (slowloris, trickling handshakes, pre-auth
# memory, floods, descriptor exhaustion, malformed frames, a zlib bomb,
# stalled readers, every limit, the worst messages), with the server's peak
# RSS and another session's round trips printed per attack; then the worst
# traffic again on a loaded machine: beside 2 CPU hogs of its own
# (server_stress --hogs 2 worst). Several minutes. Fails when either fails.
# Usage: server_stress.sh [BINDIR [ATTACK...]]   (BINDIR default $XP_BIN or
# build/bin; with ATTACKs, only those, once, as server_stress would run them)
set -u
bin=${1:-${XP_BIN:-build/bin}}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
	XP_BIN=$bin exec "$bin/tests/server_stress" "$@"
fi
rc=0
XP_BIN=$bin "$bin/tests/server_stress" || rc=1
echo "== the worst traffic on a loaded machine: 2 CPU hogs of our own beside it"
XP_BIN=$bin "$bin/tests/server_stress" --hogs 2 worst || rc=1
exit $rc
