#!/usr/bin/env python3
"""report.py - the peer benchmark's table, CSV and chart (make bench-peers).

Reads the xp-relay logs listed in results.txt (one line per session:
PEER WORKLOAD RUN CUT LOG; bytes are billed from time CUT on, CUT 0 = the
whole session), takes medians over the runs, computes the floor of each
workload, and writes OUT/peers.txt, OUT/peers.csv and OUT/peers.png
(gnuplot). For xproto it also says where the bytes go, per message type,
by decoding the captured stream with xproto-dump.
"""
import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys

WORKLOADS = ["W0", "W1", "W2", "W3", "W4", "W5"]
LABEL = {"W0": "W0 attach, idle prompt", "W1": "W1 cat 2,000 lines",
         "W2": "W2 ls -l 500 files", "W3": "W3 type 300 chars",
         "W4": "W4 vim, 20 pages", "W5": "W5 top -d 0.5, 10 s"}
# xproto: xp-term; bridge: the same xterm as the other peers, through xp-x11
PEERS = ["xproto", "bridge", "x11", "x11z", "vnc", "xpra"]
NAME = {"xproto": "xproto (xp-term)", "bridge": "xproto (xterm via xp-x11)",
        "x11": "X11 raw", "x11z": "X11+zlib", "vnc": "VNC", "xpra": "xpra"}
SHORT = {"xproto": "xp-term", "bridge": "xterm/x11", "x11": "X11 raw", "x11z": "X11+zlib",
         "vnc": "VNC", "xpra": "xpra"}
# the peers running the same xterm, compared with the bridged one
XTERM_PEERS = ["x11", "x11z", "vnc", "xpra"]
# which relay direction carries bytes to the user's screen ("down")
DOWN = {"xproto": "s", "bridge": "s", "x11": "c", "vnc": "s", "xpra": "s"}
TYPED = 300
COLS, ROWS = 80, 24


def gz(data):
    """Size of DATA through gzip -9 (the command, as the floor is defined)."""
    return len(subprocess.run(["gzip", "-9", "-c"], input=data,
                              stdout=subprocess.PIPE, check=True).stdout)


def read_log(path, cut):
    """Bytes after CUT: {'c': (raw, zlib), 's': (raw, zlib)} and the 's'
    wire offset at the cut."""
    tot = {"c": [0, 0], "s": [0, 0]}
    before = {"c": 0, "s": 0}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) != 5:
                continue
            t, d, raw, z = float(p[0]), p[2], int(p[3]), int(p[4])
            if cut and t < cut:
                before[d] += raw
                continue
            tot[d][0] += raw
            tot[d][1] += z
    return tot, before


def measure(results):
    """{(peer, workload): [(down, up), ...]} and the xproto capture cuts."""
    runs, cuts = {}, {}
    with open(results) as f:
        for line in f:
            peer, w, run, cut, log = line.split()
            if not os.path.exists(log):
                continue
            tot, before = read_log(log, float(cut))
            if peer == "x11":
                down, up = tot["c"], tot["s"]
                runs.setdefault(("x11", w), []).append((down[0], up[0]))
                runs.setdefault(("x11z", w), []).append((down[1], up[1]))
            else:
                dn = DOWN[peer]
                up_d = "c" if dn == "s" else "s"
                runs.setdefault((peer, w), []).append((tot[dn][0], tot[up_d][0]))
            if peer in ("xproto", "bridge"):
                cuts[(peer, w, run)] = (log, before)
    return runs, cuts


def screen_text(transcript):
    """The last 24 rows of TRANSCRIPT on an 80-column terminal."""
    rows = []
    for line in transcript.split("\n"):
        while len(line) > COLS:
            rows.append(line[:COLS])
            line = line[COLS:]
        rows.append(line)
    return "\n".join(r.rstrip() for r in rows[-ROWS:]) + "\n"


def floors(home, w2_out):
    """{workload: (printed raw, printed gzip -9, final screen gzip -9)}; W5
    (top) prints what the machine is doing: no floor, zeros."""
    w1 = open(os.path.join(home, "w1.txt"), "rb").read()
    w2 = open(w2_out, "rb").read()
    w3 = open(os.path.join(home, "w3.txt"), "rb").read()
    # vim on 24 rows pages by 21 lines: 20 pages show lines 22..463
    lines = w1.decode().split("\n")
    w4 = "\n".join(lines[21:443]).encode()
    printed = {"W0": b"$ ", "W1": w1, "W2": w2, "W3": w3, "W4": w4}
    screens = {
        "W0": "$ ",
        "W1": "$ cat w1.txt\n" + w1.decode() + "$ ",
        "W2": "$ ls -l d\n" + w2.decode() + "$ ",
        "W3": "$ " + w3.decode(),
        "W4": "\n".join(lines[420:443]),
    }
    out = {w: (len(printed[w]), gz(printed[w]), gz(screen_text(screens[w]).encode()))
           for w in printed}
    out["W5"] = (0, 0, 0)
    return out


def med(samples, i):
    return int(statistics.median(s[i] for s in samples))


def medians(runs):
    """{(peer, w): (down, up, total, n)} with each column's own median."""
    out = {}
    for key, samples in runs.items():
        totals = [(d + u,) for d, u in samples]
        out[key] = (med(samples, 0), med(samples, 1), med(totals, 0), len(samples))
    return out


def dump_messages(dump, path, limit=None):
    """[(name, decoded size)] of the stream in PATH, up to LIMIT wire bytes."""
    data = open(path, "rb").read()
    if limit is not None:
        data = data[:limit]
    res = subprocess.run([dump], input=data, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    msgs = []
    for line in res.stdout.decode(errors="replace").splitlines():
        m = re.match(r"\s*\d+\s+(\d+)\s+([A-Z_]+)", line)
        if m:
            msgs.append((m.group(2), int(m.group(1))))
    return msgs


def where_bytes_go(dump, cuts, med_tab, peer):
    """Per workload (run 1): messages and decoded bytes by type, each way."""
    lines = ["", "Where %s's bytes go (run 1; message counts and bytes before "
             "compression, by type; wire = after zlib):" % NAME[peer]]
    for w in WORKLOADS:
        if (peer, w, "1") not in cuts:
            continue
        log, before = cuts[(peer, w, "1")]
        base = log[:-len(".log")]
        parts = []
        for d, label in (("s", "down"), ("c", "up")):
            path = base + "." + d + ".bin"
            if not os.path.exists(path) or not os.access(dump, os.X_OK):
                continue
            allm = dump_messages(dump, path)
            skip = len(dump_messages(dump, path, before[d])) if before[d] else 0
            by = {}
            for name, size in allm[skip:]:
                n, b = by.get(name, (0, 0))
                by[name] = (n + 1, b + size)
            top = sorted(by.items(), key=lambda kv: -kv[1][1])
            plain = sum(b for _, b in by.values())
            parts.append("  %s %s: %d msgs, %d B plain: %s" % (
                w, label, sum(n for n, _ in by.values()), plain,
                ", ".join("%s %dx %dB" % (k, n, b) for k, (n, b) in top[:8])))
        if (peer, w) in med_tab:
            dn, up, tot, _ = med_tab[(peer, w)]
            parts.append("  %s wire (median): down %d B, up %d B" % (w, dn, up))
        lines += parts
    return lines


def check_cuts(results, margin=0.5):
    """Notes on sessions with traffic in the MARGIN s before the cut: the cut
    should follow a quiet gap, or the tail of the attach (or of the settling
    key press) may be billed to neither part. A few dozen bytes are PINGs."""
    out = []
    with open(results) as f:
        for line in f:
            peer, w, run, cut, log = line.split()
            cut = float(cut)
            if not cut or not os.path.exists(log):
                continue
            near = 0
            for rec in open(log):
                p = rec.split()
                if len(p) == 5 and cut - margin <= float(p[0]) < cut:
                    near += int(p[3])
            if near:
                out.append("  note: %s %s run %s: %d B in the %.1f s before the cut"
                           % (peer, w, run, near, margin))
    return ["", "Checks:"] + (out or ["  every cut followed a quiet gap (no byte in the "
                                         "%.1f s before it)" % margin])


def outliers(runs, tab):
    """Runs far from their median: worth a look at their screenshot."""
    out = []
    for (p, w), samples in sorted(runs.items()):
        m = tab[(p, w)][2]
        for i, (d, u) in enumerate(samples):
            if m and not 0.5 <= (d + u) / m <= 2:
                out.append("  note: %s %s: one run spent %d B against a median of %d B"
                           % (NAME[p], w, d + u, m))
    return out


def cell(tab, p, w, ref):
    """'bytes (ratio to ref)' or '-'."""
    v = tab.get((p, w))
    if not v:
        return "-"
    r = tab.get((ref, w))
    if not r or not r[2] or p == ref:
        return "%d" % v[2]
    return "%d (%.1fx)" % (v[2], v[2] / r[2])


def fmt_table(fl, tab, ws):
    hdr = ("%-22s %6s %7s %7s | %9s | %15s | %16s %16s %15s %15s"
           % ("workload", "printed", "prnt.gz", "scrn.gz", "xp-term", "xterm/xp-x11",
              "X11 raw", "X11+zlib", "VNC", "xpra"))
    out = [hdr, "-" * len(hdr)]
    for w in ws:
        f = fl[w] if fl[w][0] else ("-", "-", "-")
        row = "%-22s %6s %7s %7s |" % ((LABEL[w],) + tuple(str(x) for x in f))
        row += " %9s |" % cell(tab, "xproto", w, "xproto")
        row += " %15s |" % cell(tab, "bridge", w, "xproto")
        for p in XTERM_PEERS:
            row += " %15s" % cell(tab, p, w, "bridge")
        out.append(row)
    out.append("(xterm/xp-x11: ratio to xp-term; the xterm peers: ratio to xterm/xp-x11)")
    return out


def fmt_dirs(tab, ws):
    out = ["", "Each direction (median bytes; down = to the user's screen, "
           "up = from the user; runs):"]
    out.append("%-4s" % "" + "".join("%19s" % SHORT[p] for p in PEERS))
    for w in ws:
        row = "%-4s" % w
        for p in PEERS:
            v = tab.get((p, w))
            row += "%19s" % ("%d / %d (%d)" % (v[0], v[1], v[3]) if v else "-")
        out.append(row)
    return out


def targets(tab, cpu):
    out = ["", "Targets (both directions, medians):"]

    def get(p, w):
        v = tab.get((p, w))
        return v[2] if v else None

    for w in WORKLOADS:
        x = get("xproto", w)
        peers = [(NAME[p], get(p, w)) for p in XTERM_PEERS if get(p, w) is not None]
        if x is None or not peers or w in ("W4", "W5"):
            continue
        best = min(peers, key=lambda kv: kv[1])
        ok = all(x < v for _, v in peers)
        out.append("  %s xp-term %d B < every peer (best %s %d B): %s" % (
            w, x, best[0], best[1], "MET" if ok else "MISSED"))
    x0, x3 = get("xproto", "W0"), get("xproto", "W3")
    if x0 is not None:
        out.append("  W0 xp-term attach %d B <= 1500 B: %s" % (
            x0, "MET" if x0 <= 1500 else "MISSED by %d B" % (x0 - 1500)))
    if x3 is not None:
        per = x3 / TYPED
        out.append("  W3 xp-term %.1f B per typed character <= 24: %s" % (
            per, "MET" if per <= 24 else "MISSED by %.1f B/char" % (per - 24)))
    out.append("  The same xterm through xp-x11, against VNC and xpra:")
    for w in WORKLOADS:
        b = get("bridge", w)
        peers = [(NAME[p], get(p, w)) for p in ("vnc", "xpra") if get(p, w) is not None]
        if b is None or not peers:
            continue
        best = min(peers, key=lambda kv: kv[1])
        ok = all(b < v for _, v in peers)
        out.append("  %s xterm/xp-x11 %d B < VNC and xpra (best %s %d B): %s" % (
            w, b, best[0], best[1], "MET" if ok else "MISSED"))
        if w in ("W1", "W2"):
            out.append("  %s xterm/xp-x11 <= 1/4 of the best of them (%d B): %s (%.2f of it)" % (
                w, best[1] // 4, "MET" if 4 * b <= best[1] else "MISSED", b / best[1]))
    b3, x3 = get("bridge", "W3"), get("xproto", "W3")
    if b3 is not None and x3:
        out.append("  W3 xterm/xp-x11 %d B <= 2x xp-term (%d B): %s (%.2fx)" % (
            b3, 2 * x3, "MET" if b3 <= 2 * x3 else "MISSED", b3 / x3))
    for key, label in (("bridge-idle", "idle xterm (3 s after attach)"),
                       ("bridge-W5", "top -d 0.5 (W5, whole session)")):
        if key in cpu:
            secs, wall = cpu[key]
            out.append("  xp-x11 CPU, %s: %.2f s in %.1f s = %.1f%% of a core (median)"
                       % (label, secs, wall, 100 * secs / wall if wall else 0))
    return out


def read_cpu(path):
    """{'bridge-W5': (cpu s, wall s)}: medians of cpu.txt's lines."""
    runs = {}
    if os.path.exists(path):
        for line in open(path):
            p = line.split()
            if len(p) == 3:
                runs.setdefault(p[0], []).append((float(p[1]), float(p[2])))
    return {k: (statistics.median(c for c, _ in v), statistics.median(t for _, t in v))
            for k, v in runs.items()}


def write_csv(path, fl, tab, runs):
    with open(path, "w") as f:
        f.write("workload,peer,down_bytes,up_bytes,total_bytes,runs,per_run_totals,"
                "printed_raw,printed_gzip9,screen_gzip9\n")
        for w in WORKLOADS:
            for p in PEERS:
                v = tab.get((p, w))
                if not v or w not in fl:
                    continue
                per = " ".join(str(d + u) for d, u in runs[(p, w)])
                f.write("%s,%s,%d,%d,%d,%d,%s,%d,%d,%d\n" % ((w, p) + v + (per,) + fl[w]))


def chart(path, fl, tab, ws, tmp, nruns):
    dat = tmp + ".dat"
    with open(dat, "w") as f:
        f.write("# workload floor xp-term bridge x11 x11z vnc xpra\n")
        for w in ws:
            vals = [fl[w][2]] + [tab[(p, w)][2] if (p, w) in tab else 0 for p in PEERS]
            f.write('"%s" %s\n' % (LABEL[w], " ".join(str(max(v, 1)) for v in vals)))
    gp = """
set terminal pngcairo size 1400,650 font "DejaVu Sans,10"
set output "%s"
set title "Terminal workloads: bytes on the wire, both directions (median of %d runs; log scale)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [10:*]
set ylabel "bytes"
set grid ytics
set key top left
set xtics nomirror
set xrange [-0.6:%d.6]
kb(v) = v < 1000 ? sprintf("%%d", v) : v < 100000 ? sprintf("%%.1fK", v / 1000.0) : sprintf("%%dK", int(v / 1000))
plot "%s" using 2:xtic(1) title "floor: final screen, gzip -9" lc rgb "#bbbbbb", \\
     "" using 3 title "xproto (xp-term)" lc rgb "#2a7ab0", \\
     "" using 4 title "xproto (xterm via xp-x11)" lc rgb "#7fb8e0", \\
     "" using 5 title "X11 raw (xterm)" lc rgb "#d9534f", \\
     "" using 6 title "X11+zlib (ssh -C)" lc rgb "#f0ad4e", \\
     "" using 7 title "VNC (x11vnc, TigerVNC)" lc rgb "#5cb85c", \\
     "" using 8 title "xpra" lc rgb "#9b59b6", \\
     for [i=2:8] "" using ($0 + (i - 5) / 8.5):(column(i) * 1.25):(kb(column(i))) \\
        with labels font ",7" rotate by 90 left notitle
""" % (path, nruns, len(ws) - 1, dat)
    res = subprocess.run(["gnuplot"], input=gp.encode(), stderr=subprocess.PIPE)
    if res.returncode != 0:
        sys.stderr.write("report.py: gnuplot failed: %s\n" % res.stderr.decode())
    os.unlink(dat)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--home", required=True)
    ap.add_argument("--w2-out", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dump", default="build/bin/xproto-dump")
    ap.add_argument("--versions", default=None)
    a = ap.parse_args()
    runs, cuts = measure(a.results)
    tab = medians(runs)
    fl = floors(a.home, a.w2_out)
    ws = [w for w in WORKLOADS if any((p, w) in tab for p in PEERS)]
    nruns = max((v[3] for v in tab.values()), default=0)
    lines = ["Peer benchmark: terminal workloads, bytes on the wire (TCP payload), "
             "both directions, median of %d runs" % nruns,
             "printed = text the workload printed (raw), print.gz = that through gzip -9, "
             "screen.gz = the final 80x24 screen's text through gzip -9;",
             "W0 counts the whole attach; W1-W5 count from the moment the workload starts "
             "to the end of the session.", ""]
    lines += fmt_table(fl, tab, ws)
    lines += fmt_dirs(tab, ws)
    lines += targets(tab, read_cpu(os.path.join(os.path.dirname(a.results), "cpu.txt")))
    lines += where_bytes_go(a.dump, cuts, tab, "xproto")
    lines += where_bytes_go(a.dump, cuts, tab, "bridge")
    lines += check_cuts(a.results)
    lines += outliers(runs, tab)
    if a.versions and os.path.exists(a.versions):
        lines += [""] + open(a.versions).read().rstrip().split("\n")
    text = "\n".join(lines) + "\n"
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "peers.txt"), "w") as f:
        f.write(text)
    write_csv(os.path.join(a.out, "peers.csv"), fl, tab, runs)
    chart(os.path.join(a.out, "peers.png"), fl, tab, ws, os.path.join(a.out, "peers-chart"), nruns)
    sys.stdout.write(text)
    print("\nwrote %s/peers.txt, peers.csv, peers.png (logs in %s/peers/)" % (a.out, a.out))


if __name__ == "__main__":
    main()
