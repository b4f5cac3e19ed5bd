"""A reader of MATLAB 5 .mat files' numeric arrays (what SVHN ships), so
that `get_svhn` needs no SciPy.

Format (MATLAB's "MAT-File Format", level 5): a 128-byte header whose last
two bytes say the byte order ('IM' little-endian), then data elements, each
a tag (type, byte count) and its data padded to 8 bytes; a tag whose upper
16 bits are non-zero is a "small" element holding <= 4 bytes inside the tag.
A variable is an miMATRIX element (flags, dimensions, name, real part,
imaginary part), possibly zlib-compressed inside an miCOMPRESSED element.
Arrays are stored column-major; values may be stored in a smaller type than
the array's class (a double array of small integers as uint8).
"""
from __future__ import annotations

import zlib

import numpy

_MI_INT8, _MI_INT32, _MI_UINT32, _MI_MATRIX, _MI_COMPRESSED = 1, 5, 6, 14, 15
_MI_UTF8 = 16
_MI_DTYPES = {1: "i1", 2: "u1", 3: "i2", 4: "u2", 5: "i4", 6: "u4", 7: "f4",
              9: "f8", 12: "i8", 13: "u8"}
_MX_DTYPES = {6: "f8", 7: "f4", 8: "i1", 9: "u1", 10: "i2", 11: "u2", 12: "i4",
              13: "u4", 14: "i8", 15: "u8"}
_COMPLEX_FLAG = 0x0800


class MatFileError(ValueError):
    """The file is not a MATLAB 5 .mat file this reader understands."""


def loadmat(path) -> dict:
    """The numeric arrays in the .mat file `path`, by variable name (other
    kinds of variables, such as cells and structs, are left out)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 128:
        raise MatFileError(f"{path} is too short to be a .mat file")
    if data[:10].startswith(b"\x89HDF") or data[512:516] == b"\x89HDF":
        raise MatFileError(f"{path} is a MATLAB 7.3 (HDF5) file; only level 5 files "
                           "are read")
    order = data[126:128]
    if order == b"IM":
        endian = "<"
    elif order == b"MI":
        endian = ">"
    else:
        raise MatFileError(f"{path} is not a MATLAB 5 .mat file (no byte-order mark)")
    out = {}
    for element_type, body in _elements(data, 128, len(data), endian):
        if element_type == _MI_COMPRESSED:
            inner = zlib.decompress(body)
            for inner_type, inner_body in _elements(inner, 0, len(inner), endian):
                _add_matrix(out, inner_type, inner_body, endian)
        else:
            _add_matrix(out, element_type, body, endian)
    return out


def _elements(data, pos, end, endian):
    """(type, bytes) of each data element in data[pos:end]."""
    while pos + 8 <= end:
        element_type, nbytes = numpy.frombuffer(data, endian + "u4", 2, pos)
        element_type, nbytes = int(element_type), int(nbytes)
        if element_type >> 16:          # small element: data inside the tag
            nbytes, element_type = element_type >> 16, element_type & 0xFFFF
            yield element_type, data[pos + 4:pos + 4 + nbytes]
            pos += 8
            continue
        body_end = pos + 8 + nbytes
        if body_end > end:
            raise MatFileError("a data element runs past the end of the file")
        yield element_type, data[pos + 8:body_end]
        # compressed elements are not padded; others are, to 8 bytes
        pos = body_end if element_type == _MI_COMPRESSED else body_end + (-nbytes) % 8


def _add_matrix(out, element_type, body, endian):
    if element_type != _MI_MATRIX or not body:
        return
    parts = list(_elements(body, 0, len(body), endian))
    if len(parts) < 3:
        return
    (_, flags), (_, dims), (_, name) = parts[:3]
    flags = numpy.frombuffer(flags, endian + "u4")
    mx_class = int(flags[0]) & 0xFF
    if mx_class not in _MX_DTYPES or len(parts) < 4:
        return                          # cells, structs, chars, sparse: not needed
    shape = tuple(int(d) for d in numpy.frombuffer(dims, endian + "i4"))
    real_type, real = parts[3]
    if real_type not in _MI_DTYPES:
        raise MatFileError(f"variable {name!r}: unknown storage type {real_type}")
    values = numpy.frombuffer(real, endian + _MI_DTYPES[real_type])
    dtype = numpy.dtype(_MX_DTYPES[mx_class])
    if int(flags[0]) & _COMPLEX_FLAG and len(parts) >= 5:
        imag_type, imag = parts[4]
        values = values.astype(numpy.complex128) + 1j * numpy.frombuffer(
            imag, endian + _MI_DTYPES[imag_type])
        dtype = numpy.dtype(numpy.complex64 if dtype == numpy.float32 else numpy.complex128)
    if values.size != int(numpy.prod(shape)):
        raise MatFileError(f"variable {name!r}: {values.size} values for shape {shape}")
    key = name.decode("utf-8", "replace")
    out[key] = values.astype(dtype.newbyteorder("=")).reshape(shape, order="F")
