"""Rendering DOT with Graphviz, and stamping each picture with the SHA-256 of the DOT it came from.

Graphviz's output bytes differ between versions, so a freshness test cannot compare pictures byte
for byte. Instead each SVG carries an XML comment and each PNG a `tEXt` chunk naming the SHA-256 of
its DOT source: a picture is fresh when that stamp matches the DOT generated now.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import struct
import subprocess
import zlib

from ...errors import GraphvizError

STAMP_KEY = "ecocluster-dot-sha256"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_DPI = "96"


def dot_sha256(dot: str) -> str:
    return hashlib.sha256(dot.encode("utf-8")).hexdigest()


def dot_exe() -> str:
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizError("Graphviz `dot` is not on PATH; install Graphviz: apt-get install graphviz")
    return exe


def render(dot: str, fmt: str) -> bytes:
    """Run `dot -T<fmt>` on the DOT text and return the stamped picture."""
    args = [dot_exe(), f"-T{fmt}"] + ([f"-Gdpi={PNG_DPI}"] if fmt == "png" else [])
    try:
        done = subprocess.run(args, input=dot.encode("utf-8"), capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz `dot -T{fmt}` took longer than 120 seconds") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GraphvizError(f"Graphviz `dot -T{fmt}` failed: {message}")
    sha = dot_sha256(dot)
    return _stamp_svg(done.stdout, sha) if fmt == "svg" else _stamp_png(done.stdout, sha)


def _stamp_svg(svg: bytes, sha: str) -> bytes:
    comment = f"<!-- {STAMP_KEY}: {sha} -->\n".encode()
    if svg.startswith(b"<?xml"):  # the comment must come after the XML declaration
        end = svg.index(b"?>") + 2
        return svg[:end] + b"\n" + comment + svg[end:].lstrip(b"\n")
    return comment + svg


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _png_chunks(png: bytes):
    if not png.startswith(PNG_SIGNATURE):
        raise GraphvizError("not a PNG file")
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind = png[pos + 4:pos + 8]
        yield pos, kind, png[pos + 8:pos + 8 + length]
        pos += 12 + length


def _stamp_png(png: bytes, sha: str) -> bytes:
    # A tEXt chunk right after IHDR (which PNG requires to be first).
    _, kind, ihdr = next(_png_chunks(png))
    end = len(PNG_SIGNATURE) + 12 + len(ihdr)
    return png[:end] + _png_chunk(b"tEXt", STAMP_KEY.encode() + b"\0" + sha.encode()) + png[end:]


def read_stamp(picture: bytes) -> str | None:
    """The DOT SHA-256 a rendered SVG or PNG was stamped with, or None."""
    if picture.startswith(PNG_SIGNATURE):
        try:
            for _, kind, data in _png_chunks(picture):
                if kind == b"tEXt" and data.startswith(STAMP_KEY.encode() + b"\0"):
                    return data.split(b"\0", 1)[1].decode("ascii", "replace")
        except (GraphvizError, struct.error):
            return None
        return None
    m = re.search(rb"<!-- " + re.escape(STAMP_KEY.encode()) + rb": ([0-9a-f]{64}) -->", picture[:4096])
    return m.group(1).decode() if m else None
