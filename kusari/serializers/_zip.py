"""Writing a compressed NPZ file with the arrays deflated in parallel.

`numpy.savez_compressed` deflates one array after another on one core;
for a model and its optimizer state (a snapshot) that is most of the time
a save takes. Here each array's .npy bytes are deflated and checksummed on
the worker threads (zlib releases the GIL), a few ahead of the writer, and
written in order as a standard ZIP archive (ZIP64 where sizes or offsets
need it) that `numpy.load`, Chainer and any unzip read as they read
NumPy's own.
"""
from __future__ import annotations

import io
import struct
import time
import zlib

import numpy

_FULL = 0xFFFFFFFF                  # a 32-bit field that says "see the ZIP64 record"
_ZIP64_AT = _FULL                   # sizes and offsets from which ZIP64 records are needed
_LEVEL = 6                          # zlib's default, as numpy.savez_compressed


def _deflated(name: str, array) -> tuple:
    buf = io.BytesIO()
    numpy.lib.format.write_array(buf, numpy.asanyarray(array), allow_pickle=True)
    raw = buf.getbuffer()
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    data = packer.compress(raw) + packer.flush()
    return name + ".npy", zlib.crc32(raw), len(raw), data


def _dos_time() -> tuple:
    t = time.localtime()
    return ((t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2),
            ((t.tm_year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday)


def write_npz(file, arrays: dict) -> None:
    """Write `arrays` (name -> array) to the binary file object `file` as a
    compressed NPZ archive."""
    from concurrent.futures import ThreadPoolExecutor

    from ..runtime.blocked import workers
    items = list(arrays.items())
    n = min(workers(), len(items))
    start = file.tell() if file.seekable() else 0
    with ThreadPoolExecutor(max(n, 1), thread_name_prefix="kusari-npz") as ex:
        futures = [ex.submit(_deflated, *item) for item in items[:n + 1]]
        entries, directory = _write_entries(file, futures, items, ex, n, start)
    _write_directory(file, entries, directory)


def _write_entries(file, futures, items, ex, n, start) -> tuple:
    """Write the local entries; (their directory records' fields, where the
    directory starts)."""
    clock, date = _dos_time()
    entries = []        # (name, flags, crc, size, compressed size, offset, clock, date)
    offset = start
    for i in range(len(items)):
        name, crc, size, data = futures[i].result()
        futures[i] = None
        if len(futures) < len(items):          # keep n + 1 in flight
            futures.append(ex.submit(_deflated, *items[len(futures)]))
        raw_name = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        zip64 = size >= _ZIP64_AT or len(data) >= _ZIP64_AT
        extra = struct.pack("<HHQQ", 1, 16, size, len(data)) if zip64 else b""
        file.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, flags, 8,
                               clock, date, crc, _FULL if zip64 else len(data),
                               _FULL if zip64 else size, len(raw_name), len(extra)))
        file.write(raw_name)
        file.write(extra)
        file.write(data)
        entries.append((raw_name, flags, crc, size, len(data), offset, clock, date))
        offset += 30 + len(raw_name) + len(extra) + len(data)
    return entries, offset


def _write_directory(file, entries: list, directory: int) -> None:
    written = 0
    for raw_name, flags, crc, size, csize, at, clock, date in entries:
        big = max(size, csize, at) >= _ZIP64_AT
        extra = struct.pack("<HH3Q", 1, 24, size, csize, at) if big else b""
        version = 45 if big else 20
        record = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, version | 0x300, version,
                             flags, 8, clock, date, crc, _FULL if big else csize,
                             _FULL if big else size, len(raw_name), len(extra), 0, 0, 0,
                             0o600 << 16, _FULL if big else at)
        file.write(record + raw_name + extra)
        written += len(record) + len(raw_name) + len(extra)
    end = directory + written
    if directory >= _ZIP64_AT or len(entries) >= 0xFFFF or written >= _ZIP64_AT:
        file.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45 | 0x300, 45, 0, 0,
                               len(entries), len(entries), written, directory))
        file.write(struct.pack("<IIQI", 0x07064B50, 0, end, 1))
        file.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, _FULL,
                               _FULL, 0))
    else:
        file.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                               written, directory, 0))
