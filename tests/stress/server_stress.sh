#!/bin/bash
# server_stress.sh - xproto-server under every attack of tests/stress/
# server_stress.c (slowloris, partial handshakes, pre-auth memory, floods,
# descriptor exhaustion, malformed frames, a zlib bomb, stalled readers,
# every limit, the worst messages), with the server's peak RSS and another
# session's round trips printed per attack. About three minutes.
bin=${XP_BIN:-build/bin}
exec "$bin/tests/server_stress" "$@"
