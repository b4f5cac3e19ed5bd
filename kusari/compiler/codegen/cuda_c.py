"""The C side of CUDA code generation: dtypes as C types, literals, and the
prelude of helpers the registry's CUDA forms and the kernels call
(`prelude(kernels)` gives what a module's kernels need; `cuda_math` has the
special functions CUDA lacks)."""
from __future__ import annotations

import math

import numpy as np

from . import cuda_math


class CudaUnsupported(ValueError):
    """An op or dtype the CUDA generator cannot express (the message says which)."""


# storage type, compute type per dtype
_CTYPES = {
    "float16": ("__half", "float"),
    "float32": ("float", "float"),
    "float64": ("double", "double"),
    "bool": ("bool", "bool"),
    "int8": ("signed char", "int"),
    "int16": ("short", "int"),
    "int32": ("int", "int"),
    "int64": ("long long", "long long"),
    "uint8": ("unsigned char", "unsigned int"),
    "uint16": ("unsigned short", "unsigned int"),
    "uint32": ("unsigned int", "unsigned int"),
    "uint64": ("unsigned long long", "unsigned long long"),
}


def storage_type(dtype) -> str:
    try:
        return _CTYPES[np.dtype(dtype).name][0]
    except KeyError:
        raise CudaUnsupported(f"the CUDA generator has no type for {np.dtype(dtype)}") from None


def compute_type(dtype) -> str:
    try:
        return _CTYPES[np.dtype(dtype).name][1]
    except KeyError:
        raise CudaUnsupported(f"the CUDA generator has no type for {np.dtype(dtype)}") from None


_HEAD = r"""// kusari CUDA prelude: helpers the registry's CUDA forms may name
#define KS_INF __longlong_as_double(0x7ff0000000000000LL)
#define KS_NAN __longlong_as_double(0x7ff8000000000000LL)
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
"""

# only in modules that use float16 (CuPy compiles them with its own copy of
# the header)
_FP16 = r"""#ifndef KUSARI_HOST_SHIM
#include <cuda_fp16.h>
#endif
// a float16 op's result, rounded to float16 as NumPy rounds it
__device__ __forceinline__ float ks_half(float a) { return __half2float(__float2half_rn(a)); }
__device__ __forceinline__ void ks_put(__half* out, float a) { *out = __float2half_rn(a); }
"""

_BODY = r"""// NumPy's maximum / minimum: NaN wins (fmax and fmin would drop it), and
// of two equal values (0.0 and -0.0) the second
template <class T> __device__ __forceinline__ T ks_maximum(T a, T b) {
    return (a > b || a != a) ? a : b;
}
template <class T> __device__ __forceinline__ T ks_minimum(T a, T b) {
    return (a < b || a != a) ? a : b;
}
// NumPy's sign: NaN stays NaN, a zero gives 0
template <class T> __device__ __forceinline__ T ks_sign(T a) {
    return a > (T)0 ? (T)1 : a < (T)0 ? (T)-1 : a == (T)0 ? (T)0 : a;
}
template <class O, class A> __device__ __forceinline__ void ks_put(O* out, A a) { *out = (O)a; }
#ifndef KUSARI_HOST_SHIM
// Reduce one value per thread of the block with combine C and store the
// result through thread 0 (blockDim.x a power of two; every thread calls it)
template <class C, class A, class O>
__device__ __forceinline__ void ks_block_reduce_store(A acc, A* sdata, O* out) {
    unsigned t = threadIdx.x;
    sdata[t] = acc;
    __syncthreads();
    for (unsigned s = blockDim.x >> 1; s > 0; s >>= 1) {
        if (t < s) sdata[t] = C::f(sdata[t], sdata[t + s]);
        __syncthreads();
    }
    if (t == 0) ks_put(out, sdata[0]);
    __syncthreads();
}
#endif
"""


def prelude(kernels: str) -> str:
    """The helpers the kernels in `kernels` (CUDA C text) need."""
    fp16 = _FP16 if "__half" in kernels or "ks_half(" in kernels else ""
    return _HEAD + fp16 + _BODY + cuda_math.source(kernels)


def literal(value, dtype: np.dtype) -> str:
    dtype = np.dtype(dtype)
    ct = compute_type(dtype)
    if dtype.kind == "b":
        return "true" if value else "false"
    if dtype.kind == "f":
        v = float(dtype.type(value))
        if v != v:
            return f"(({ct})KS_NAN)"
        if math.isinf(v):
            return f"(({ct})KS_INF)" if v > 0 else f"(-({ct})KS_INF)"
        if v == 0 and math.copysign(1.0, v) < 0:
            return f"(-({ct})0.0)"
        return f"(({ct}){v!r})"
    v = int(dtype.type(value))
    suffix = "ULL" if dtype.kind == "u" else "LL"
    if dtype.kind == "i" and v == np.iinfo(np.int64).min:
        return f"(({ct})(-9223372036854775807LL - 1))"
    return f"(({ct}){v}{suffix})"
