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

WORKLOADS = ["W0", "W1", "W2", "W3"]
LABEL = {"W0": "W0 attach, idle prompt", "W1": "W1 cat 2,000 lines",
         "W2": "W2 ls -l 500 files", "W3": "W3 type 300 chars"}
PEERS = ["xproto", "x11", "x11z", "vnc"]
NAME = {"xproto": "xproto", "x11": "X11 raw", "x11z": "X11+zlib", "vnc": "VNC"}
# which relay direction carries bytes to the user's screen ("down")
DOWN = {"xproto": "s", "x11": "c", "vnc": "s"}
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
            if peer == "xproto":
                cuts[(w, run)] = (log, before)
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
    """{workload: (printed raw, printed gzip -9, final screen gzip -9)}."""
    w1 = open(os.path.join(home, "w1.txt"), "rb").read()
    w2 = open(w2_out, "rb").read()
    w3 = open(os.path.join(home, "w3.txt"), "rb").read()
    printed = {"W0": b"$ ", "W1": w1, "W2": w2, "W3": w3}
    screens = {
        "W0": "$ ",
        "W1": "$ cat w1.txt\n" + w1.decode() + "$ ",
        "W2": "$ ls -l d\n" + w2.decode() + "$ ",
        "W3": "$ " + w3.decode(),
    }
    return {w: (len(printed[w]), gz(printed[w]), gz(screen_text(screens[w]).encode()))
            for w in WORKLOADS}


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


def where_bytes_go(dump, cuts, med_tab):
    """Per workload (run 1): messages and decoded bytes by type, each way."""
    lines = ["", "Where xproto's bytes go (run 1; message counts and bytes before "
             "compression, by type; wire = after zlib):"]
    for w in WORKLOADS:
        if (w, "1") not in cuts:
            continue
        log, before = cuts[(w, "1")]
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
        if (("xproto", w)) in med_tab:
            dn, up, tot, _ = med_tab[("xproto", w)]
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


def fmt_table(fl, tab, ws):
    hdr = ("%-24s %7s %8s %9s | %8s | %9s %6s | %9s %6s | %8s %6s"
           % ("workload", "printed", "print.gz", "screen.gz", "xproto",
              "X11 raw", "x", "X11+zlib", "x", "VNC", "x"))
    out = [hdr, "-" * len(hdr)]
    for w in ws:
        row = "%-24s %7d %8d %9d |" % ((LABEL[w],) + fl[w])
        x = tab.get(("xproto", w))
        row += " %8s |" % (x[2] if x else "-")
        for p in PEERS[1:]:
            v = tab.get((p, w))
            if not v:
                row += " %9s %6s |" % ("-", "-")
                continue
            ratio = "%.1f" % (v[2] / x[2]) if x and x[2] else "-"
            row += " %9d %6s |" % (v[2], ratio)
        out.append(row.rstrip("|").rstrip())
    return out


def fmt_dirs(tab, ws):
    out = ["", "Each direction (median bytes; down = to the user's screen, "
           "up = from the user; runs):"]
    out.append("%-8s" % "" + "".join("%22s" % NAME[p] for p in PEERS))
    for w in ws:
        row = "%-8s" % w
        for p in PEERS:
            v = tab.get((p, w))
            row += "%22s" % ("%d / %d (%d)" % (v[0], v[1], v[3]) if v else "-")
        out.append(row)
    return out


def targets(tab):
    out = ["", "Targets (both directions, medians):"]

    def get(p, w):
        v = tab.get((p, w))
        return v[2] if v else None

    for w in WORKLOADS:
        x = get("xproto", w)
        peers = [(NAME[p], get(p, w)) for p in PEERS[1:] if get(p, w) is not None]
        if x is None or not peers:
            continue
        best = min(peers, key=lambda kv: kv[1])
        ok = all(x < v for _, v in peers)
        out.append("  %s xproto %d B < every peer (best %s %d B): %s" % (
            w, x, best[0], best[1], "MET" if ok else "MISSED"))
        if w in ("W1", "W2"):
            out.append("  %s xproto <= 1/2 of best peer (%d B): %s (%.2f of it)" % (
                w, best[1] // 2, "MET" if 2 * x <= best[1] else "MISSED", x / best[1]))
    x0, x3 = get("xproto", "W0"), get("xproto", "W3")
    if x0 is not None:
        out.append("  W0 xproto attach %d B <= 1500 B: %s" % (
            x0, "MET" if x0 <= 1500 else "MISSED by %d B" % (x0 - 1500)))
    if x3 is not None:
        per = x3 / TYPED
        out.append("  W3 xproto %.1f B per typed character <= 24: %s" % (
            per, "MET" if per <= 24 else "MISSED by %.1f B/char" % (per - 24)))
    return out


def write_csv(path, fl, tab, runs):
    with open(path, "w") as f:
        f.write("workload,peer,down_bytes,up_bytes,total_bytes,runs,per_run_totals,"
                "printed_raw,printed_gzip9,screen_gzip9\n")
        for w in WORKLOADS:
            for p in PEERS:
                v = tab.get((p, w))
                if not v:
                    continue
                per = " ".join(str(d + u) for d, u in runs[(p, w)])
                f.write("%s,%s,%d,%d,%d,%d,%s,%d,%d,%d\n" % ((w, p) + v + (per,) + fl[w]))


def chart(path, fl, tab, ws, tmp, nruns):
    dat = tmp + ".dat"
    with open(dat, "w") as f:
        f.write("# workload floor xproto x11 x11z vnc\n")
        for w in ws:
            vals = [fl[w][2]] + [tab[(p, w)][2] if (p, w) in tab else 0 for p in PEERS]
            f.write('"%s" %s\n' % (LABEL[w], " ".join(str(max(v, 1)) for v in vals)))
    gp = """
set terminal pngcairo size 1100,600 font "DejaVu Sans,10"
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
     "" using 3 title "xproto" lc rgb "#2a7ab0", \\
     "" using 4 title "X11 raw" lc rgb "#d9534f", \\
     "" using 5 title "X11+zlib (ssh -C)" lc rgb "#f0ad4e", \\
     "" using 6 title "VNC (x11vnc, TigerVNC)" lc rgb "#5cb85c", \\
     for [i=2:6] "" using ($0 + (i - 4) / 6.0):(column(i) * 1.25):(kb(column(i))) \\
        with labels font ",8" notitle
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
             "x = peer bytes / xproto bytes. W0 counts the whole attach; W1-W3 count "
             "from the moment the workload starts to the end of the session.", ""]
    lines += fmt_table(fl, tab, ws)
    lines += fmt_dirs(tab, ws)
    lines += targets(tab)
    lines += where_bytes_go(a.dump, cuts, tab)
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
