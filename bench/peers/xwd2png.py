#!/usr/bin/env python3
"""xwd2png.py - convert a 24- or 32-bit-per-pixel ZPixmap `xwd` dump (stdin) to PNG (argv[1]).

Just enough for the peer benchmark's screenshots of Xvfb screens; needs only
the standard library.
"""
import struct
import sys
import zlib


def main():
    data = sys.stdin.buffer.read()
    h = struct.unpack(">25I", data[:100])
    header_size, fmt, depth, width, height = h[0], h[2], h[3], h[4], h[5]
    byte_order, bpp, bpl, ncolors = h[7], h[11], h[12], h[19]
    if fmt != 2 or bpp not in (24, 32):
        sys.exit("xwd2png: only 24/32 bpp ZPixmap dumps (format %d, %d bpp)" % (fmt, bpp))
    pix = data[header_size + 12 * ncolors:]
    step = bpp // 8
    rows = []
    for y in range(height):
        line = pix[y * bpl:y * bpl + step * width]
        if byte_order == 0:  # LSBFirst: B G R (X)
            rgb = bytes(b for i in range(0, len(line), step) for b in (line[i + 2], line[i + 1], line[i]))
        else:                # MSBFirst: (X) R G B
            rgb = bytes(b for i in range(0, len(line), step) for b in line[i + step - 3:i + step])
        rows.append(b"\0" + rgb)

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))
    with open(sys.argv[1], "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
