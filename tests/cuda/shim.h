// A host shim for kusari's generated CUDA C: the same kernels compile with
// g++ and run on the CPU, one block after another and, within a block, one
// thread after another (ks_launch). A block reduction cannot wait for the
// threads after it, so ks_block_reduce_store here collects each thread's
// value per output and combines them, in the CUDA tree's order, when the
// block's last thread has given its own.
#pragma once
#define KUSARI_HOST_SHIM 1
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

struct dim3 { unsigned x = 1, y = 1, z = 1; };
static dim3 blockIdx, threadIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
static inline void __syncthreads() {}

typedef _Float16 __half;
static inline float __half2float(__half h) { return (float)h; }
static inline __half __float2half_rn(float f) { return (__half)f; }
static inline double __longlong_as_double(long long v) {
    double d;
    std::memcpy(&d, &v, sizeof d);
    return d;
}

// CUDA's math functions, overloaded for float and double as in device code
using std::exp; using std::expm1; using std::log; using std::log2; using std::log10;
using std::log1p; using std::sqrt; using std::sin; using std::cos; using std::tan;
using std::asin; using std::acos; using std::atan; using std::sinh; using std::cosh;
using std::tanh; using std::abs; using std::fabs; using std::floor; using std::ceil;
using std::pow; using std::erf; using std::erfc; using std::lgamma; using std::atan2;
using std::fmod; using std::atanh; using std::trunc; using std::isinf; using std::isnan;
using std::rint; using std::copysign; using std::fmin; using std::fmax;

// CUDA's max / min on floats are fmax / fmin
static inline float max(float a, float b) { return std::fmax(a, b); }
static inline double max(double a, double b) { return std::fmax(a, b); }
static inline float min(float a, float b) { return std::fmin(a, b); }
static inline double min(double a, double b) { return std::fmin(a, b); }
static inline int max(int a, int b) { return a > b ? a : b; }
static inline int min(int a, int b) { return a < b ? a : b; }
static inline long long max(long long a, long long b) { return a > b ? a : b; }
static inline long long min(long long a, long long b) { return a < b ? a : b; }

static inline float rsqrt(float x) { return 1.0f / std::sqrt(x); }
static inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
static inline double sinpi(double x) {
    // sin(pi x) with the argument reduced exactly: x - 2 round(x / 2)
    if (std::isinf(x)) return NAN;
    double r = x - 2.0 * std::nearbyint(x / 2.0);   // in [-1, 1]
    if (r == 0.0) return std::copysign(0.0, x);
    return std::sin(M_PI * r);
}
static inline float sinpi(float x) { return (float)sinpi((double)x); }
static inline double normcdf(double x) { return 0.5 * std::erfc(-x / M_SQRT2); }
static inline float normcdf(float x) { return (float)normcdf((double)x); }
static inline double erfcx(double x) {
    if (x < 25.0) return std::exp(x * x) * std::erfc(x);
    // asymptotic series: 1 / (x sqrt(pi)) sum (-1)^n (2n-1)!! / (2x^2)^n
    double y = 1.0 / (2.0 * x * x), term = 1.0, sum = 1.0;
    for (int n = 1; n < 12; ++n) {
        term *= -(2 * n - 1) * y;
        sum += term;
    }
    return (1.0 / x) / std::sqrt(M_PI) * sum;
}
static inline float erfcx(float x) { return (float)erfcx((double)x); }
static inline double erfinv(double y) {
    if (y <= -1.0) return y == -1.0 ? -INFINITY : NAN;
    if (y >= 1.0) return y == 1.0 ? INFINITY : NAN;
    if (y != y) return y;
    // a first guess, then Newton steps on erf
    double w = -std::log((1.0 - y) * (1.0 + y)), x;
    x = std::copysign(std::sqrt(w), y) * 0.8862269254527580;
    if (w < 5.0) x = y * (0.8862269254527580 + w * 0.2);
    for (int i = 0; i < 60; ++i) {
        double e = std::erf(x) - y;
        double step = e / (1.1283791670955126 * std::exp(-x * x));
        x -= step;
        if (std::fabs(step) <= 1e-17 * std::fabs(x)) break;
    }
    return x;
}
static inline float erfinv(float y) { return (float)erfinv((double)y); }
static inline double erfcinv(double y) {
    if (y <= 0.0) return y == 0.0 ? INFINITY : NAN;
    if (y >= 2.0) return y == 2.0 ? -INFINITY : NAN;
    if (y != y) return y;
    if (y > 0.1 && y < 1.9) return erfinv(1.0 - y);
    // the tails: Newton on log erfc(x) = log erfcx(x) - x^2, which 1 - y
    // would lose and erfc would underflow
    double sign = 1.0;
    if (y > 1.0) { y = 2.0 - y; sign = -1.0; }
    double ly = std::log(y), x = std::sqrt(-ly);
    for (int i = 0; i < 100; ++i) {
        double ex = erfcx(x);
        double f = std::log(ex) - x * x - ly;
        double step = f / (-2.0 / (std::sqrt(M_PI) * ex) );
        x -= step;
        if (std::fabs(step) <= 1e-16 * std::fabs(x)) break;
    }
    return sign * x;
}
static inline float erfcinv(float y) { return (float)erfcinv((double)y); }
static inline double normcdfinv(double p) { return -M_SQRT2 * erfcinv(2.0 * p) + 0.0; }
static inline float normcdfinv(float p) { return (float)normcdfinv((double)p); }

template <class O, class A> static inline void ks_put(O* out, A a);

// one block's reduction: see the top of this file
template <class C, class A, class O>
static inline void ks_block_reduce_store(A acc, A* sdata, O* out) {
    (void)sdata;
    static std::map<void*, std::vector<A>> partial;
    std::vector<A>& v = partial[(void*)out];
    v.push_back(acc);
    if (v.size() == blockDim.x) {
        for (unsigned s = blockDim.x >> 1; s > 0; s >>= 1)
            for (unsigned t = 0; t < s; ++t) v[t] = C::f(v[t], v[t + s]);
        ks_put(out, v[0]);
        partial.erase((void*)out);
    }
}

// a launch: every block, and in each block every thread, in turn
template <class F>
static inline void ks_launch(unsigned grid, unsigned block, F f) {
    gridDim.x = grid;
    blockDim.x = block;
    for (unsigned b = 0; b < grid; ++b) {
        blockIdx.x = b;
        for (unsigned t = 0; t < block; ++t) {
            threadIdx.x = t;
            f();
        }
    }
}
