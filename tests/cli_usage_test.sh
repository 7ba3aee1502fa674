#!/bin/sh
# cli_usage_test.sh - every program in $XP_BIN (default build/bin) and its
# bench/ folder answers its command line the same way: `--help` prints its usage on stdout and
# exits 0 with nothing on stderr; an unknown option exits 2 with nothing on
# stdout and a message on stderr that names the option. Runs each program
# for real, in a fresh home, with no display or server to find. Prints
# cmocka's summary lines (one case per program), which tests/run.sh counts.
set -u
bin=$(cd "${XP_BIN:-build/bin}" && pwd) || exit 1
tmp=$(mktemp -d /tmp/xproto-cli-usage-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 failed=""

# check PROG: 0 when it behaves, else says why on stdout and returns 1
check() {
	p=$1 name=$(basename "$1") bad=--no-such-option-xyz
	HOME=$tmp timeout 20 "$p" --help > "$tmp/out" 2> "$tmp/err" < /dev/null
	st=$?
	if [ $st -ne 0 ] || [ ! -s "$tmp/out" ] || [ -s "$tmp/err" ] ||
		! grep -qi usage "$tmp/out"; then
		echo "$name --help: status $st (want 0), stdout $(wc -c < "$tmp/out") bytes" \
			"(want its usage), stderr: $(head -c 300 "$tmp/err")"
		return 1
	fi
	HOME=$tmp timeout 20 "$p" $bad > "$tmp/out" 2> "$tmp/err" < /dev/null
	st=$?
	if [ $st -ne 2 ] || [ -s "$tmp/out" ] || ! grep -q -- "$bad" "$tmp/err"; then
		echo "$name $bad: status $st (want 2), stdout: $(head -c 300 "$tmp/out")" \
			"(want nothing), stderr: $(head -c 300 "$tmp/err") (want the option named)"
		return 1
	fi
	return 0
}

for p in "$bin"/* "$bin"/bench/*; do
	[ -f "$p" ] && [ -x "$p" ] || continue
	echo "[ RUN      ] $(basename "$p")"
	if check "$p"; then
		pass=$((pass + 1))
		echo "[       OK ] $(basename "$p")"
	else
		fail=$((fail + 1)) failed="$failed $(basename "$p")"
		echo "[  FAILED  ] $(basename "$p")"
	fi
done
# fewer programs than make builds: the wrong folder, not a pass
if [ $((pass + fail)) -lt 20 ]; then
	echo "only $((pass + fail)) programs in $bin"
	fail=$((fail + 1))
fi
echo "[  PASSED  ] $pass test(s)."
[ $fail -eq 0 ] || { echo "[  FAILED  ] $fail test(s), listed below:$failed"; exit 1; }
