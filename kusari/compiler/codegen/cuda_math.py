"""Device math functions CUDA lacks, for the registry's CUDA forms.

digamma, polygamma and Hurwitz's zeta, written in CUDA C from the same
algorithms and the same coefficients as their NumPy forms
(`ops.gamma_kernels`: Euler-Maclaurin summation for zeta, Taylor series
about digamma's root and about 2, the asymptotic series, reflection), in
float64, so the GPU computes what the CPU computes. The coefficients are
taken from that module when the source is first asked for. `source(text)`
gives the definitions the kernels in `text` use (with what they need).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..ops import gamma_kernels as gk


def _c(v: float) -> str:
    v = float(v)
    if v != v:
        return "KS_NAN"
    if np.isinf(v):
        return "KS_INF" if v > 0 else "(-KS_INF)"
    return repr(v)


def _array(name: str, values) -> str:
    body = ",\n    ".join(", ".join(_c(v) for v in values[i:i + 4])
                          for i in range(0, len(values), 4))
    return f"__device__ static const double {name}[{len(values)}] = {{\n    {body}\n}};\n"


@lru_cache(maxsize=None)
def _zeta() -> str:
    em = list(gk._em_coefficients())
    return _array("ks_em_coef", em) + f"""
// Hurwitz zeta sum_k (q + k)^-s (gamma_kernels.zeta_f64)
__device__ static double ks_zeta(double s, double q) {{
    double out = KS_NAN;
    const bool pole = q <= 0.0 && q == floor(q);
    bool ok = s > 1.0 && !isinf(s) && !isnan(s) && !isnan(q) && !pole &&
              (q > 0.0 || s == floor(s)) && q > -1e5;
    if (s == 1.0 && !isnan(q)) out = KS_INF;
    if (pole && s > 1.0) out = KS_INF;
    if (s == KS_INF && q > 0.0) out = q < 1.0 ? KS_INF : (q == 1.0 ? 1.0 : 0.0);
    if (q == KS_INF && s > 1.0) out = 0.0;
    ok = ok && s != KS_INF && q != KS_INF;
    if (!ok) return out;
    const double target = fmax(10.0, fmin(s + 10.0, 300.0));
    double total = 0.0, a = q;
    while (a < target) {{
        total += pow(a, -s);
        a += 1.0;
    }}
    const double a_s = pow(a, -s);
    double tail = pow(a, 1.0 - s) / (s - 1.0) + 0.5 * a_s;
    double rising = s, term_pow = a_s / a;
    const double inv_a2 = 1.0 / (a * a);
    for (int j = 1; j <= {len(em)}; ++j) {{
        tail += ks_em_coef[j - 1] * rising * term_pow;
        rising = rising * (s + 2 * j - 1) * (s + 2 * j);
        term_pow = term_pow * inv_a2;
    }}
    return total + tail;
}}
"""


@lru_cache(maxsize=None)
def _digamma() -> str:
    root = list(gk._psi_root_coefficients())
    two = list(gk._psi_about_2())
    b2k = [float(gk._b2k(k)) / (2 * k) for k in range(1, 10)]
    return (_array("ks_psi_root", root) + _array("ks_psi_two", two) +
            _array("ks_psi_big", b2k) + f"""
__device__ static double ks_horner(const double* c, int n, double z) {{
    double acc = c[n - 1];
    for (int k = n - 2; k >= 0; --k) acc = acc * z + c[k];
    return acc;
}}
// digamma for x > 0 (gamma_kernels._digamma_pos)
__device__ static double ks_digamma_pos(double x) {{
    if (fabs(x - {_c(gk._PSI_ROOT)}) < 0.25) {{
        const double z = (x - {_c(gk._PSI_ROOT)}) - {_c(gk._PSI_ROOT_LO)};
        return ks_horner(ks_psi_root, {len(root)}, z) * z;
    }}
    if (x >= 10.0) {{
        if (isinf(x)) return KS_INF;
        const double inv2 = 1.0 / (x * x);
        double series = 0.0;
        for (int k = 8; k >= 0; --k) series = (series + ks_psi_big[k]) * inv2;
        return log(x) - 0.5 / x - series;
    }}
    double y = x, acc = 0.0;
    for (int i = 0; i < 10; ++i)
        if (y < 1.5) {{ acc -= 1.0 / y; y += 1.0; }}
    for (int i = 0; i < 8; ++i)
        if (y >= 2.5) {{ y -= 1.0; acc += 1.0 / y; }}
    return ks_horner(ks_psi_two, {len(two)}, y - 2.0) + acc;
}}
// pi cot(pi x), x reduced exactly first (gamma_kernels._pi_cot_pi)
__device__ static double ks_pi_cot_pi(double x) {{
    const double r = x - rint(x), a = fabs(r);
    const double pi = 3.141592653589793;
    return pi * (a <= 0.25 ? 1.0 / tan(pi * r) : copysign(tan(pi * (0.5 - a)), r));
}}
__device__ static double ks_digamma(double x) {{
    if (x > 0.0) return ks_digamma_pos(x);
    if (x < 0.0 && x != floor(x) && !isinf(x)) return ks_digamma_pos(1.0 - x) - ks_pi_cot_pi(x);
    if (x == 0.0) return copysign(KS_INF, -x);
    return KS_NAN;
}}
""")


@lru_cache(maxsize=None)
def _polygamma() -> str:
    facts = [float(v) for v in gk._factorials() if np.isfinite(v)]   # 0! .. 170!
    return _array("ks_factorial", facts) + """
__device__ static double ks_polygamma(double n, double x) {
    if (n == 0.0) return ks_digamma(x);
    if (n > 0.0 && n == floor(n)) {
        const double fact = n >= 171.0 ? KS_INF : ks_factorial[(int)n];
        const double sign = fmod(n, 2.0) == 1.0 ? 1.0 : -1.0;
        return sign * fact * ks_zeta(n + 1.0, x);
    }
    return KS_NAN;
}
"""


# name -> (definitions, the functions it needs first)
FUNCTIONS = {"ks_zeta": (_zeta, ()), "ks_digamma": (_digamma, ()),
             "ks_polygamma": (_polygamma, ("ks_zeta", "ks_digamma"))}


def source(text: str) -> str:
    """The definitions the kernels in `text` call, in dependency order."""
    out: list[str] = []

    def need(name):
        if name in out:
            return
        for dep in FUNCTIONS[name][1]:
            need(dep)
        out.append(name)
    for name in FUNCTIONS:
        if f"{name}(" in text:
            need(name)
    return "".join(FUNCTIONS[n][0]() for n in out)
