#!/bin/sh
# server_stress.sh - xproto-server's part of `make stress`: every attack of
# tests/stress/server_stress.c (slowloris, trickling handshakes, pre-auth
# memory, floods, descriptor exhaustion, malformed frames, a zlib bomb,
# stalled readers, every limit, the worst messages), with the server's peak
# RSS and another session's round trips printed per attack. A few minutes.
# Usage: server_stress.sh [BINDIR [ATTACK...]]   (BINDIR default $XP_BIN or build/bin)
bin=${1:-${XP_BIN:-build/bin}}
[ $# -gt 0 ] && shift
XP_BIN=$bin exec "$bin/tests/server_stress" "$@"
