#!/usr/bin/env python3
"""Writes the test images of Fixtures/images/ with Python's zlib only (PNG, RFC 2083 / ISO 15948):
deterministic, so running it again gives the same bytes."""
import struct, zlib

def png(path, width, height, pixel, alpha=False):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(data)

# 640×480, RGB: gradients and a checkerboard, so the thumbnail must be scaled (JPEG).
png("large-640x480.png", 640, 480, lambda x, y: (x * 255 // 639, y * 255 // 479, 255 if (x // 40 + y // 40) % 2 else 64))
# 64×64, RGB, a few hundred bytes: stored in PHOTO byte for byte.
png("small-64x64.png", 64, 64, lambda x, y: (x * 4, y * 4, 128))
# 400×300 with a transparent half: the thumbnail keeps alpha (PNG).
png("alpha-400x300.png", 400, 300, lambda x, y: (200, 30, 30, 255 if x < 200 else 0), alpha=True)
# Text with an image's name: refused by content.
open("not-an-image.png", "w").write("This is a text file, not a PNG.\n")
