#!/usr/bin/env python3
"""readme_test.py - the documentation's examples run, so they cannot drift.

Any code block of a tracked Markdown file (README.md, the folder READMEs,
...) preceded by a marker line

    <!-- test[: OPTIONS] -->

(blank lines between are fine; the block indented by four spaces or fenced
with ```) is run as a bash script (`bash -e`: the first failing command
ends it) the way a user would run it in a fresh home directory:

- HOME is a new empty directory and the current directory; `build` in it
  leads to the build under test ($XP_BIN/.., so `build/bin/thin-client`
  works as in a clone), and build/bin is first on PATH;
- when the kernel allows it, in private user, network, pid and mount
  namespaces with a private /tmp: the documented ports and displays (:1,
  7101, ...) are free whatever else runs on the machine, and everything the
  block started ends with it. Where namespaces are not allowed, each
  display number written " :N" is swapped for a free one (and said so);
- $DISPLAY is unset, unless the block is marked x11 (then a private Xvfb).

OPTIONS (shell words): exit=N (the status the block must end with, default
0), expect=TEXT (its output must contain TEXT; repeatable), reject=TEXT (its
output must not contain TEXT, e.g. a script's warning; repeatable), file=PATH
(must exist and not be empty afterwards; repeatable), x11, timeout=SECONDS
(default 120), env=NAME=VALUE (repeatable).

Usage: tests/readme_test.py [FILE.md ...]  (default: every tracked *.md).
Exit status 0 when every marked block passed and README.md has some; the
output ends with cmocka's summary lines ("[  PASSED  ] N test(s)." ...), each
block one test, which tests/run.sh counts.
"""
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile

MARK = re.compile(r"^<!--\s*test(?::(.*?))?\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)")


def blocks(path):
    """Yield (line number, options text, code) of each marked block of @path."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i].strip())
        i += 1
        if not m:
            continue
        at = i
        while i < len(lines) and not lines[i].strip():
            i += 1
        code = []
        if i < len(lines) and FENCE.match(lines[i]):
            fence = FENCE.match(lines[i]).group(1)
            i += 1
            while i < len(lines) and not lines[i].startswith(fence):
                code.append(lines[i])
                i += 1
            i += 1
        else:
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                if not lines[i].strip() and not (i + 1 < len(lines) and
                                                 lines[i + 1].startswith("    ")):
                    break
                code.append(lines[i][4:])
                i += 1
        yield at, m.group(1) or "", "\n".join(code).strip("\n") + "\n"


def options(text):
    """The marker's options as a dict of lists (x11 -> ['1'])."""
    opts = {"exit": ["0"], "timeout": ["120"]}
    for word in shlex.split(text):
        key, _, value = word.partition("=")
        if key not in ("exit", "expect", "reject", "file", "x11", "timeout", "env"):
            raise ValueError("unknown option '%s'" % word)
        if key in ("exit", "timeout"):
            opts[key] = [value]
        else:
            opts.setdefault(key, []).append(value if value else "1")
    return opts


def can_unshare():
    try:
        r = subprocess.run(["unshare", "-Urnpf", "--mount-proc", "--kill-child", "sh", "-c",
                            "mount -t tmpfs tmpfs /tmp && ip link set lo up"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def display_free(n):
    """True if nothing listens on display :n's port and no socket is there."""
    sock = "/tmp/xproto-%d/%d.sock" % (os.getuid(), n)
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 7100 + n)) == 0:
            return False
    return not os.path.exists(sock)


DISPLAY_WORD = re.compile(r"(^|[\s=/@(])(?<![\w.]):(\d{1,3})\b")


def swap_displays(code, opts):
    """Each " :N" display for a free one (no namespaces), in the code and in
    the expected texts alike; the new code and a note."""
    used, pick = {}, [500 + os.getpid() % 400]

    def repl(m):
        n = m.group(2)
        if n not in used:
            while not display_free(pick[0]):
                pick[0] += 1
            used[n] = str(pick[0])
            pick[0] += 1
        return m.group(1) + ":" + used[n]
    new = DISPLAY_WORD.sub(repl, code)
    opts["expect"] = [DISPLAY_WORD.sub(repl, t) for t in opts.get("expect", [])]
    return new, ", ".join(":%s as :%s" % kv for kv in used.items())


def stop_leftovers(home):
    """Without a pid namespace: end what the block left running (its HOME)."""
    want = ("HOME=" + home).encode()
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if want in f.read().split(b"\0"):
                    os.kill(int(pid), 15)
        except (OSError, ValueError):
            pass


INNER = r"""
set -u
if [ "$PRIVATE" = 1 ]; then
    case "$BUILD" in
    /tmp/*) # a checkout under /tmp: carry the build through the private /tmp
        mount --bind "$BUILD" /mnt && mount -t tmpfs tmpfs /tmp && mkdir -p "$BUILD" &&
            mount --bind /mnt "$BUILD" || exit 97 ;;
    *) mount -t tmpfs tmpfs /tmp || exit 97 ;;
    esac
    ip link set lo up 2> /dev/null
    home=/tmp/home
else
    home=$WORK/home
fi
mkdir -p "$home" && cd "$home" && ln -s "$BUILD" build || exit 98
export HOME=$home PATH=$home/build/bin:$PATH
unset DISPLAY XPROTO_DISPLAY XPROTO_APP_SOCKET XPROTO_COOKIE XPROTO_SESSION
if [ "$X11" = 1 ]; then
    # -noreset: the last client leaving must not reset it under the next one
    Xvfb -displayfd 9 -nolisten tcp -noreset -screen 0 1024x768x24 9> "$WORK/xdisplay" \
        2> /dev/null &
    for _ in $(seq 1 600); do [ -s "$WORK/xdisplay" ] && break; sleep 0.05; done
    export DISPLAY=:$(cat "$WORK/xdisplay")
fi
bash -e "$WORK/block.sh"
status=$?
echo "exit $status" > "$WORK/result"
for f in $FILES; do [ -s "$f" ] || echo "missing $f" >> "$WORK/result"; done
exit 0
"""


def run_block(doc, line, opts, code, build, private):
    """Run one block; a list of what went wrong (empty: it passed)."""
    note = ""
    if not private:
        code, note = swap_displays(code, opts)
    work = tempfile.mkdtemp(prefix="readme-test-", dir=build)
    try:
        with open(os.path.join(work, "block.sh"), "w") as f:
            f.write(code)
        with open(os.path.join(work, "inner.sh"), "w") as f:
            f.write(INNER)
        env = dict(os.environ, WORK=work, BUILD=build, PRIVATE="1" if private else "0",
                   X11="1" if "x11" in opts else "0",
                   FILES=" ".join(shlex.quote(p) for p in opts.get("file", [])),
                   LC_ALL="C")
        for kv in opts.get("env", []):
            k, _, v = kv.partition("=")
            env[k] = v
        cmd = ["sh", os.path.join(work, "inner.sh")]
        if private:
            cmd = ["unshare", "-Urnpf", "--mount-proc", "--kill-child"] + cmd
        out_path = os.path.join(work, "out")
        with open(out_path, "w") as out:
            try:
                subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                               timeout=int(opts["timeout"][0]), start_new_session=True)
            except subprocess.TimeoutExpired:
                pass
        if not private:
            stop_leftovers(os.path.join(work, "home"))
        output = open(out_path, errors="replace").read()
        result = open(os.path.join(work, "result")).read() \
            if os.path.exists(os.path.join(work, "result")) else ""
        return check(opts, output, result, note), output, note
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check(opts, output, result, note):
    wrong = []
    m = re.search(r"^exit (\d+)$", result, re.M)
    if not m:
        wrong.append("did not finish within %s s" % opts["timeout"][0])
    elif m.group(1) != opts["exit"][0]:
        wrong.append("exit status %s, want %s" % (m.group(1), opts["exit"][0]))
    for text in opts.get("expect", []):
        if text not in output:
            wrong.append("output lacks '%s'" % text)
    for text in opts.get("reject", []):
        if text in output:
            wrong.append("output has '%s'" % text)
    wrong += [l for l in result.split("\n") if l.startswith("missing ")]
    return wrong


def documents(args):
    if args:
        return args
    try:
        out = subprocess.run(["git", "ls-files", "*.md"], capture_output=True, text=True,
                             check=True).stdout
        return [p for p in out.split("\n") if p]
    except (OSError, subprocess.CalledProcessError):
        return [os.path.join(d, f) for d, _, fs in os.walk(".") if "/build" not in d
                for f in fs if f.endswith(".md")]


def main():
    bindir = os.environ.get("XP_BIN", "build/bin")
    build = os.path.abspath(os.path.join(bindir, ".."))
    # XP_README_NO_NAMESPACES=1 tries the fallback where namespaces are allowed
    private = not os.environ.get("XP_README_NO_NAMESPACES") and can_unshare()
    print("README examples in %s (%s)" % (build, "private namespaces" if private else
                                         "no namespaces here: displays swapped for free ones"))
    passed = failed = 0
    in_readme = 0
    failures = []
    for doc in documents(sys.argv[1:]):
        for line, text, code in blocks(doc):
            in_readme += doc == "README.md"
            try:
                opts = options(text)
            except ValueError as e:
                print("FAILED: %s:%d: %s" % (doc, line, e))
                failed += 1
                failures.append("%s:%d" % (doc, line))
                continue
            wrong, output, note = run_block(doc, line, opts, code, build, private)
            where = "%s:%d" % (doc, line)
            if wrong:
                failed += 1
                failures.append(where)
                print("FAILED: %s: %s%s" % (where, "; ".join(wrong),
                                            " (%s)" % note if note else ""))
                print("  the block:\n" + "".join("    " + l + "\n" for l in code.split("\n")))
                print("  its output:\n" + "".join("    " + l + "\n"
                                                   for l in output.split("\n")[-40:]))
            else:
                passed += 1
                print("ok: %s%s" % (where, " (%s)" % note if note else ""))
    if not sys.argv[1:] and in_readme == 0:
        print("FAILED: README.md has no marked example (<!-- test -->)")
        failed += 1
        failures.append("README.md")
    print("%d passed, %d failed" % (passed, failed))
    # the summary lines of cmocka, which tests/run.sh counts
    print("[  PASSED  ] %d test(s)." % passed)
    if failed:
        print("[  FAILED  ] %d test(s), listed below:" % failed)
        for where in failures:
            print("[  FAILED  ] %s" % where)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
