"""Writes small PNG files for the photo benchmarks (standard library only).

    python3 bench/make_png.py real OUT        a valid 64x1 RGB PNG
    python3 bench/make_png.py bomb OUT [W H]  the same file with its IHDR declaring W x H pixels
                                              (9000 x 9000 by default) and the IHDR CRC recomputed
"""
import struct
import sys
import zlib


def real_png(width=64, height=1):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, 128, 255 - x * 4 % 256)) for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def bomb_png(width=9000, height=9000):
    data = bytearray(real_png())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


if __name__ == "__main__":
    what, out = sys.argv[1], sys.argv[2]
    if what == "real":
        body = real_png()
    else:
        w, h = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (9000, 9000)
        body = bomb_png(w, h)
    with open(out, "wb") as f:
        f.write(body)
