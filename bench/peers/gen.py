#!/usr/bin/env python3
"""gen.py - the peer benchmark's input files, made the same way every time.

    python3 gen.py DIR

DIR/w1.txt  2,000 lines of text (W1: cat), 20..78 columns, pseudo-random
            words from a fixed linear congruential generator;
DIR/d/      500 files of various sizes with a fixed date (W2: ls -l);
DIR/w3.txt  the 300 characters W3 types (letters and spaces).
"""
import os
import sys

WORDS = ("the of and to in is was that for on with as by at from this are be "
         "or an have not which one had but were all there when can more other "
         "time out about some into than them would first been these many "
         "terminal window server client protocol display session screen "
         "cursor glyph scroll buffer socket packet latency bandwidth").split()


def lcg(seed):
    """Numerical Recipes LCG; identical everywhere, unlike random()."""
    while True:
        seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
        yield seed >> 8


def words_line(rng, width):
    out = []
    while True:
        w = WORDS[next(rng) % len(WORDS)]
        if len(" ".join(out + [w])) > width:
            return " ".join(out)
        out.append(w)


def main():
    top = sys.argv[1]
    rng = lcg(20261121)
    with open(os.path.join(top, "w1.txt"), "w") as f:
        for i in range(1, 2001):
            width = 14 + next(rng) % 58
            f.write("%04d %s\n" % (i, words_line(rng, width)))
    d = os.path.join(top, "d")
    os.makedirs(d, exist_ok=True)
    stamp = 1767225600  # 2026-01-01 00:00 UTC
    for i in range(500):
        name = os.path.join(d, "file-%03d-%s.txt" % (i, WORDS[next(rng) % len(WORDS)]))
        with open(name, "w") as f:
            f.write("x" * (next(rng) % 50000))
        os.chmod(name, 0o644)
        os.utime(name, (stamp + i * 3600, stamp + i * 3600))
    text = ""
    while len(text) < 300:
        text += WORDS[next(rng) % len(WORDS)] + " "
    with open(os.path.join(top, "w3.txt"), "w") as f:
        f.write(text[:299] + ".")


if __name__ == "__main__":
    main()
