#!/bin/sh
# demo.sh - `make run`. The full demo (server, thin client, apps) arrives
# with the later issues; until then this runs the protocol self-check and
# says so honestly.
bin=${1:-build/bin}
echo "xproto demo: the server and thin client are not built yet."
echo "Running the protocol self-check instead (build/bin/tests/proto_test):"
"$bin/tests/proto_test"
