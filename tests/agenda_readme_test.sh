#!/bin/sh
# agenda_readme_test.sh - the agenda examples of README.md and
# apps/agenda/README.md (the ```sh block after "<!-- agenda-example -->")
# run verbatim, as a user would, in a fresh home directory with the built
# programs on PATH. Each runs in private user, network and pid namespaces,
# so the documented port 7311 is its own and everything it started ends
# with it; where namespaces are not allowed, the port is swapped for a free
# one instead (and said so). Bounded by timeout.
set -u
bin=$(cd "${XP_BIN:-build/bin}" && pwd)
root=$(pwd)
fail=0

# extract FILE: the block after the marker, without its fences
extract() {
	awk '/<!-- agenda-example -->/ { on = 1; next }
	     on && /^```sh/ { inside = 1; next }
	     inside && /^```/ { exit }
	     inside { print }' "$1"
}

can_unshare() {
	unshare -Urnpf --mount-proc sh -c 'ip link set lo up' 2> /dev/null
}

run_block() {
	doc=$1 home=$(mktemp -d /tmp/agenda_readme_XXXXXX)
	extract "$root/$doc" > "$home/example.sh"
	[ -s "$home/example.sh" ] || { echo "$doc: no agenda example found"; return 1; }
	if can_unshare; then
		how="private namespaces, port 7311"
		set -- unshare -Urnpf --mount-proc sh -c 'ip link set lo up && exec sh -e example.sh'
	else
		how="no namespaces here: port 7311 swapped for a free one"
		sed -i "s/agendad --detach/agendad --detach --listen 127.0.0.1:0 --port-file \$HOME\/port > \$HOME\/pid/; s/127.0.0.1:7311/127.0.0.1:\$(cat \$HOME\/port)/g" "$home/example.sh"
		set -- sh -e example.sh
	fi
	(cd "$home" && HOME=$home PATH=$bin:$PATH TZ=Europe/Paris LC_ALL=C timeout 60 "$@") \
		> "$home/out.txt" 2>&1
	rc=$?
	[ -f "$home/pid" ] && kill "$(cat "$home/pid")" 2> /dev/null
	ok=1
	[ $rc -eq 0 ] || ok=0
	grep -q "Standup" "$home/out.txt" || ok=0
	grep -q "BEGIN:VEVENT" "$home/team.ics" 2> /dev/null || ok=0
	if [ $ok = 1 ]; then
		echo "ok: $doc example ($how)"
	else
		echo "FAILED: $doc example (exit $rc, $how):"
		cat "$home/example.sh" "$home/out.txt"
	fi
	rm -rf "$home"
	[ $ok = 1 ]
}

for doc in README.md apps/agenda/README.md; do
	run_block "$doc" || fail=1
done
exit $fail
