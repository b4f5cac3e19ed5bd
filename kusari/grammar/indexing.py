"""The type of x[...] over symbolic shapes (NumPy's rules)."""
from __future__ import annotations

from . import types as T


def index_type(C, x: T.Array, items: list) -> T.Array:
    """`items`: Weak ints, None (new axis), ("...",), ("slice", start, stop,
    step), or arrays / lists of integers (advanced indices)."""
    consumed = sum(1 for i in items if i is not None and i != ("...",))
    if consumed > x.ndim:
        C.fail(f"too many indices ({consumed}) for {x}")
    if sum(1 for i in items if i == ("...",)) > 1:
        C.fail("an index may hold one `...` at most")
    expanded = []
    for i in items:
        if i == ("...",):
            expanded.extend([("slice", None, None, None)] * (x.ndim - consumed))
        else:
            expanded.append(i)
    if ("...",) not in items:
        expanded.extend([("slice", None, None, None)] * (x.ndim - consumed))

    dims, advanced, adv_at = [], [], []
    d = 0
    for pos, item in enumerate(expanded):
        if item is None:
            dims.append(("basic", 1))
            continue
        size = x.dims[d]
        if isinstance(item, tuple) and item[0] == "slice":
            dims.append(("basic", _slice_length(C, size, item[1:])))
        elif isinstance(item, T.Weak):
            if item.kind == "bool":
                C.fail("a boolean is not an index; use a comparison with `if ... else`")
            if item.kind != "int":
                C.fail(f"an index must be an integer, got {item}")
            k = item.value
            if isinstance(k, int) and isinstance(size, int) and not -size <= k < size:
                C.fail(f"index {k} is out of range for axis {d} of {x} (length {size})")
            advanced.append(())
            adv_at.append(pos)
        else:
            a = C.array(item, "index")
            if a.kind == "b":
                C.fail(f"a boolean mask index ({a}) has a data-dependent shape; "
                       "use `if ... else` to select elementwise instead")
            if a.kind not in "iu":
                C.fail(f"an index array must hold integers, got {a}")
            advanced.append(a.dims)
            adv_at.append(pos)
        d += 1
    arrays = [a for a in advanced if a != ()]
    if not arrays:    # plain integers and slices: each integer drops its axis
        return T.Array(x.dtype, tuple(size for _, size in dims))
    try:
        adv = T.broadcast_dims(advanced)
    except T.Mismatch:
        C.fail("the index arrays' shapes do not broadcast: " +
               " and ".join(f"[{', '.join(map(T.dim_text, a))}]" for a in advanced))
    adjacent = adv_at == list(range(adv_at[0], adv_at[-1] + 1))
    basic = [size for _, size in dims]
    before = [size for (pos, size) in _positions(expanded, dims) if pos < adv_at[0]]
    after = [size for (pos, size) in _positions(expanded, dims) if pos > adv_at[0]]
    if adjacent:
        return T.Array(x.dtype, tuple(before) + adv + tuple(after))
    return T.Array(x.dtype, adv + tuple(basic))


def _positions(expanded, dims):
    """(position in the index, length) for each basic dimension of the result."""
    out, k = [], 0
    for pos, item in enumerate(expanded):
        if item is None or (isinstance(item, tuple) and item[0] == "slice"):
            out.append((pos, dims[k][1]))
            k += 1
    return out


def _slice_length(C, size, parts):
    start, stop, step = (None if p is None else C.static(p, "slice bound") for p in parts)
    if step == 0:
        C.fail("a slice step cannot be zero")
    if start is None and stop is None and step in (None, 1):
        return size
    if isinstance(size, int) and all(p is None or isinstance(p, int)
                                     for p in (start, stop, step)):
        return len(range(*slice(start, stop, step).indices(size)))
    return None
