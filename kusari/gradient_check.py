"""Checking gradients against finite differences (Chainer's gradient_check).

`check_backward` compares the gradient `backward()` computes with a central
difference along one random direction (a unit vector over all the inputs
and parameters): the directional derivative from backward, sum(g * d), must
equal d/dt <f(x + t d), gy> at t = 0. `check_double_backward` does the same
for the gradient of the gradient. `numerical_grad` is the full elementwise
central difference, optionally detecting non-differentiable points (by a
quadratic fit through five samples). Tolerances, signatures, the draw of the
direction from NumPy's global generator and the error messages are Chainer's.
"""
from __future__ import annotations

import io
import warnings

import numpy

from . import backend
from .configuration import using_config
from .utils import _format_array_props, _raise_from
from .variable import Parameter, Variable


class NondifferentiableError(Exception):
    """`numerical_grad` met a point where the function is not differentiable."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _props_message(outputs, grad_outputs) -> str:
    return ("Output shapes and dtypes         : "
            f"{_format_array_props(outputs)}\n"
            "Output gradient shapes and dtypes: "
            f"{_format_array_props(grad_outputs)}")


def _check_outputs_and_grad_outputs(outputs, grad_outputs) -> None:
    if len(outputs) != len(grad_outputs):
        raise ValueError("Output gradients must contain equally as many elements "
                         "as the number of output elements.\n"
                         + _props_message(outputs, grad_outputs))
    for y, gy in zip(outputs, grad_outputs):
        if gy is None or y is None:
            continue        # a missing output (gradient None) counts as zero
        if y.shape != gy.shape or y.dtype != gy.dtype:
            raise ValueError("Shapes and/or dtypes of outputs and output gradients "
                             "do not match.\n" + _props_message(outputs, grad_outputs))


# -- numerical_grad ---------------------------------------------------------------
def _float64_copies(ys, xp):
    out = []
    for y in ys:
        if isinstance(y, Variable):
            y = y.array
        out.append(None if y is None else xp.array(y, dtype=numpy.float64, copy=True))
    return out


def _quadratic_fit_residuals(ystack):
    """Root-mean-square residual, per column, of the least-squares quadratic
    through the rows of `ystack` (5 equally spaced samples)."""
    t = numpy.arange(ystack.shape[0], dtype=numpy.float64)
    basis = numpy.stack([numpy.ones_like(t), t, t * t], axis=1)
    coef, *_ = numpy.linalg.lstsq(basis, ystack, rcond=None)
    residual = ystack - basis @ coef
    return numpy.sqrt((residual * residual).sum(axis=0) / ystack.shape[0])


def _nondifferentiable_report(i_in, i_out, x, index, eps, samples, extra="") -> str:
    s = io.StringIO()
    s.write("Tried to compute the numeric gradient on a non-differentiable point."
            f"\n\ni_in: {i_in}\ni_out: {i_out}\nx: {x}\nindex on x: {index}\n"
            f"eps: {eps}\n{extra}")
    for label, ys in zip(("x-eps  ", "x-eps/2", "x      ", "x+eps/2", "x+eps  "),
                         samples):
        s.write(f"y[{label}]: {ys[i_out]}\n")
    return s.getvalue()


def _check_differentiable(samples, xp, i_in, x, index, eps, diff_atol, diff_rtol):
    """Raise NondifferentiableError if the five samples around x (outputs of
    f at x - eps, x - eps/2, x, x + eps/2, x + eps) show a kink or a jump."""
    nonfinite = False
    for i_out in range(len(samples[0])):
        if samples[0][i_out] is None:
            continue
        finite = [xp.isfinite(ys[i_out]) for ys in samples]
        if any(bool((finite[0] != f).any()) for f in finite[1:]):
            # finite on one side only: a pole or a jump to inf/NaN
            raise NondifferentiableError(_nondifferentiable_report(
                i_in, i_out, x, index, eps, samples))
        nonfinite |= not all(bool(f.all()) for f in finite)
    if nonfinite:
        return      # non-finite all around (log at x < 0): not a kink
    present = [i for i, y in enumerate(samples[0]) if y is not None]
    if not present:
        return
    ystack = numpy.stack([numpy.concatenate(
        [backend.CpuDevice().send(ys[i]).ravel() for i in present]) for ys in samples])
    residuals = _quadratic_fit_residuals(ystack)
    offset = 0
    for i_out in present:
        y0 = samples[0][i_out]
        res = residuals[offset:offset + y0.size].reshape(y0.shape)
        offset += y0.size
        stacked = numpy.stack([backend.CpuDevice().send(ys[i_out]) for ys in samples])
        ymax, ymin = stacked.max(axis=0), stacked.min(axis=0)
        kink = numpy.asarray(diff_atol + diff_rtol * (ymax - ymin) < res)
        kink[ymax == ymin] = False         # a constant output is differentiable
        if kink.any():
            raise NondifferentiableError(_nondifferentiable_report(
                i_in, i_out, x, index, eps, samples,
                f"diff_rtol: {diff_rtol}\ndiff_atol: {diff_atol}\nymax: {ymax}\n"
                f"ymin: {ymin}\ndiff_atol + diff_rtol * (ymax-ymin): "
                f"{diff_atol + diff_rtol * (ymax - ymin)}\nfitting errors: {res}\n"))


def numerical_grad(f, inputs, grad_outputs, eps=1e-3, detect_nondifferentiable=False,
                   diff_atol=0, diff_rtol=1e-2, center_outputs=None):
    """Gradient of sum_j <f()_j, grad_outputs_j> with respect to each array in
    `inputs` by central differences (inputs are perturbed in place and
    restored; `f` reads them).

    With `detect_nondifferentiable`, f is evaluated at five points per
    element (the estimate is then third-order accurate) and a point where a
    quadratic does not fit the samples (within diff_atol + diff_rtol *
    (ymax - ymin)), or where the output's finiteness changes, raises
    NondifferentiableError. `center_outputs` is accepted for compatibility
    and ignored (f(x) is evaluated in full precision instead).
    """
    assert eps > 0
    assert isinstance(inputs, (tuple, list))
    for x in inputs:
        if x.dtype.kind != "f":
            raise RuntimeError("The dtype of input arrays must be kind of float")
    inputs = tuple(inputs)
    grad_outputs = tuple(
        None if g is None else numpy.float64(g) if numpy.isscalar(g)
        else g.astype(numpy.float64) for g in grad_outputs)
    arrays = [a for a in inputs + grad_outputs
              if a is not None and not numpy.isscalar(a)]
    if not backend.is_arrays_compatible(arrays):
        raise RuntimeError("Do not mix GPU and CPU arrays in `numerical_grad`")
    xp = backend.get_device_from_array(*arrays).xp
    grads = [xp.zeros(x.shape, numpy.float64) for x in inputs]

    def evaluate(x, index, delta, orig):
        x[index] = orig + delta
        ys = _float64_copies(_as_tuple(f()), xp)
        x[index] = orig
        assert len(ys) == len(grad_outputs), \
            f"f returned {len(ys)} outputs for {len(grad_outputs)} grad_outputs"
        return ys

    center = None
    if detect_nondifferentiable:
        center = _float64_copies(_as_tuple(f()), xp)

    with using_config("type_check", False):
        for i_in, (x, gx) in enumerate(zip(inputs, grads)):
            originals = x.copy()
            for index in numpy.ndindex(x.shape):
                orig = originals[index]
                if detect_nondifferentiable:
                    samples = [evaluate(x, index, -eps, orig),
                               evaluate(x, index, -eps * .5, orig), center,
                               evaluate(x, index, eps * .5, orig),
                               evaluate(x, index, eps, orig)]
                    if not all(y is None or y.size == 0 for y in samples[0]):
                        _check_differentiable(samples, xp, i_in, inputs[i_in], index,
                                              eps, diff_atol, diff_rtol)
                else:
                    samples = [evaluate(x, index, -eps, orig),
                               evaluate(x, index, eps, orig)]
                for i_out, gy in enumerate(grad_outputs):
                    if gy is None or samples[0][i_out] is None:
                        continue           # no output: its part is zero
                    if len(samples) == 2:
                        diff = samples[1][i_out] - samples[0][i_out]
                        gx[index] += (diff * gy).sum() / (2 * eps)
                    else:
                        y0, y1, y3, y4 = (samples[k][i_out] for k in (0, 1, 3, 4))
                        diff = -y4 + 8 * y3 - 8 * y1 + y0
                        gx[index] += (diff * gy).sum() / (6 * eps)
    return [g.astype(x.dtype, copy=False) for g, x in zip(grads, inputs)]


def assert_allclose(x, y, atol=1e-5, rtol=1e-4, verbose=True):
    """Deprecated: use kusari.testing.assert_allclose."""
    warnings.warn("chainer.gradient_check.assert_allclose is deprecated. "
                  "Use chainer.testing.assert_allclose instead.", DeprecationWarning)
    from .testing import array
    array.assert_allclose(x, y, atol, rtol, verbose)


# -- check_backward ------------------------------------------------------------------
def _sample_unit_vector(size, xp):
    """A random unit vector whose elements are at least 0.1 / sqrt(size) in
    magnitude (tiny components make the comparison unstable)."""
    d = xp.random.normal(size=(size,))
    if size == 0:
        return d
    sq = xp.square(d)
    return xp.copysign(xp.sqrt((0.99 / sq.sum()) * sq + 0.01 / size), d)


def _split(xp, vector, shapes):
    """Cut a flat vector into arrays of `shapes` (a None shape gives None)."""
    out, start = [], 0
    for shape in shapes:
        if shape is None:
            out.append(None)
            continue
        n = int(numpy.prod(shape))
        out.append(vector[start:start + n].reshape(shape))
        start += n
    return tuple(out)


def _backward(ys, gys, enable_double_backprop):
    """chainer.backward(ys, gys): backprop from the outputs that have a
    creator; an output that is a leaf (an input returned as it is, or a
    gradient that is the upstream gradient itself) receives its upstream
    gradient, added to what it has, as chainer.backward gives it."""
    from .backprop import backward_many
    pairs = [(y, g) for y, g in zip(ys, gys) if y is not None and g is not None]
    inner = [(y, g) for y, g in pairs if y.creator is not None]
    backward_many([y for y, _ in inner], [g for _, g in inner],
                  enable_double_backprop=enable_double_backprop)
    for y, g in pairs:
        if y.creator is None:
            if enable_double_backprop:
                y.grad_var = g if y.grad_var is None else y.grad_var + g
            else:
                y.grad = g.array.copy() if y.grad is None else y.grad + g.array


def _clear_grads(variables):
    for v in variables:
        if v is not None:
            v.grad_var = None


class _CheckBackward:
    """One run of check_backward. With `immutable_params` (LinkTestCase) the
    params are arrays and `func(xs, params)` receives them as new Parameters;
    otherwise they are the caller's Parameters, perturbed in place."""

    def __init__(self, func, xs, gys, params, eps, atol, rtol, no_gxs, dtype,
                 detect_nondifferentiable, is_immutable_params):
        if dtype is not None and numpy.dtype(dtype).kind != "f":
            raise ValueError("`dtype` is allowed only float type")
        if is_immutable_params and not all(
                isinstance(p, backend.get_array_types()) for p in params):
            raise ValueError(
                "All parameters in `params` must be ndarrays if "
                "`is_immutable_params` is `True`. Actual: "
                f"{', '.join(str(type(p)) for p in params)}.")
        xs = _as_tuple(xs)
        if gys is not None:
            gys = _as_tuple(gys)
        params = _as_tuple(params)
        if no_gxs is None:
            no_gxs = [None if x is None else x.dtype.kind != "f" for x in xs]
        elif len(no_gxs) != len(xs):
            raise ValueError("Length of no_grads param and xs should be same.\n"
                             f"Actual: {len(no_gxs)} != {len(xs)}")
        self.func, self.xs, self.gys, self.params = func, xs, gys, params
        self.no_gxs = no_gxs
        self.eps, self.atol, self.rtol, self.dtype = eps, atol, rtol, dtype
        self.detect_nondifferentiable = detect_nondifferentiable
        self.immutable = is_immutable_params
        self.device = backend.get_device_from_array(*xs)

    _sample_unit_vector = staticmethod(_sample_unit_vector)

    def _call(self, xs, params):
        if self.immutable:
            return _as_tuple(self.func(xs, tuple(Parameter(p) for p in params)))
        return _as_tuple(self.func(*xs))

    def run(self):
        with backend.using_device(self.device):
            self._run()

    def _run(self):
        # the forward for backward() comes first: it may initialize parameters
        # (their shapes decide the direction) and gives the default y_grad
        xs = [None if x is None else Variable(x, requires_grad=x.dtype.kind == "f")
              for x in self.xs]
        params = self.params
        if self.immutable:
            params = tuple(Parameter(p) for p in params)
            ys = _as_tuple(self.func(xs, params))
        else:
            ys = _as_tuple(self.func(*xs))
        _clear_grads(xs)
        _clear_grads(params)
        y0 = tuple(None if y is None else y.array for y in ys)

        if self.gys is None:
            if not (len(ys) == 1 and ys[0].shape == ()):
                raise ValueError(
                    "y_grad argument cannot be omitted if the target function is "
                    "not a loss function, which has a single output with shape ()."
                    "\nActual output shapes: "
                    f"{', '.join(str(y.shape) for y in ys)}")
            xp = backend.get_device_from_array(ys[0].array).xp
            self.gys = (xp.ones_like(ys[0].array),)
        else:
            _check_outputs_and_grad_outputs(ys, self.gys)
        self.gys = tuple(None if y is None else gy for gy, y in zip(self.gys, y0))

        directions = self._sample_directions()
        analytic = self._directional_backward(xs, ys, params, directions)
        numeric = self._directional_numeric(directions, y0)
        self._compare(numeric, analytic, directions)

    def _sample_directions(self):
        shapes = [None if x is None else x.shape
                  for x, skip in zip(self.xs, self.no_gxs) if not skip]
        shapes += [p.shape for p in self.params]
        total = sum(int(numpy.prod(s)) for s in shapes if s is not None)
        xp = self.device.xp
        return _split(xp, _sample_unit_vector(total, xp), shapes)

    def _directional_backward(self, xs, ys, params, directions):
        gys = [None if gy is None else Variable(gy.copy(), requires_grad=False)
               for gy in self.gys]
        _backward(ys, gys, False)
        for skip, x in zip(self.no_gxs, xs):
            if skip and x is not None and x.grad is not None:
                raise RuntimeError("gradient of int variable must be None")
        grads = [None if x is None else x.grad
                 for x, skip in zip(xs, self.no_gxs) if not skip]
        grads += [p.grad for p in params]
        assert len(grads) == len(directions)
        total = 0
        for g, d in zip(grads, directions):
            if g is not None:        # no gradient counts as a zero gradient
                total += (g.astype(numpy.float64) * d).sum()
        return total

    def _directional_numeric(self, directions, y0):
        xp = self.device.xp
        dtype = self.dtype
        params_data = list(self.params) if self.immutable else \
            [p.array for p in self.params]
        fixed = []                   # inputs without gradient: not perturbed
        moving = []                  # (index, data) of inputs perturbed
        for i, (x, skip) in enumerate(zip(self.xs, self.no_gxs)):
            if skip:
                if dtype is not None and x is not None and x.dtype.kind == "f":
                    x = x.astype(dtype, copy=False)
                fixed.append((i, x))
            else:
                moving.append((i, x if x is None or dtype is None
                               else x.astype(dtype, copy=False)))
        params_cast = [p if dtype is None else p.astype(dtype, copy=False)
                       for p in params_data]
        delta = xp.array(0., numpy.float64)

        def perturb(data, direction):
            if data is None:
                return None
            out = (data.astype(numpy.float64) + delta * direction).astype(data.dtype)
            return xp.array(out) if numpy.isscalar(out) else out

        def g():
            xs = [None] * len(self.xs)
            for i, x in fixed:
                xs[i] = None if x is None else Variable(x, requires_grad=False)
            for k, (i, x) in enumerate(moving):
                data = perturb(x, directions[k])
                xs[i] = None if data is None else Variable(data)
            ps = [perturb(p, directions[len(moving) + k])
                  for k, p in enumerate(params_cast)]
            if self.immutable:
                ys = _as_tuple(self.func(xs, tuple(Parameter(p) for p in ps)))
            else:
                for param, p in zip(self.params, ps):
                    param.array = p
                _clear_grads(self.params)
                try:
                    ys = _as_tuple(self.func(*xs))
                finally:
                    for param, original in zip(self.params, params_data):
                        param.array = original
            return tuple(None if y is None else y.array for y in ys)

        gx, = numerical_grad(g, (delta,), self.gys, eps=self.eps,
                             detect_nondifferentiable=self.detect_nondifferentiable,
                             center_outputs=y0, diff_atol=0, diff_rtol=self.rtol)
        return gx

    def _compare(self, numeric, analytic, directions):
        from .testing import array
        try:
            array.assert_allclose(numeric, analytic, atol=self.atol,
                                           rtol=self.rtol)
        except AssertionError as e:
            f = io.StringIO()
            f.write(f"check_backward failed (eps={self.eps} atol={self.atol} "
                    f"rtol={self.rtol})\n")
            for i, x in enumerate(self.xs):
                f.write(f"inputs[{i}]:\n{x}\n")
            for i, gy in enumerate(self.gys):
                f.write(f"grad_outputs[{i}]:\n{gy}\n")
            for i, d in enumerate(directions):
                f.write(f"directions[{i}]:\n{d}\n")
            f.write(f"gradients (numeric):  {numeric}\n"
                    f"gradients (backward): {analytic}\n\n"
                    f"x: numeric gradient, y: backward gradient{e}")
            raise AssertionError(f.getvalue()) from None


def check_backward(func, x_data, y_grad, params=(), eps=1e-3, atol=1e-5, rtol=1e-4,
                   no_grads=None, dtype=None, detect_nondifferentiable=False):
    """Check `backward()` of `func` against finite differences.

    `func` takes Variables made from `x_data` (an array or a tuple) and
    returns a Variable or a tuple; `y_grad` are the upstream gradients (None
    for a function returning one 0-d array). `params` are Variables `func`
    uses directly (a link's parameters); their gradients are checked too.
    `no_grads` marks inputs whose gradient must be None (default: the
    non-float ones). `dtype` is the float dtype the finite differences run in
    (e.g. float64 for a float16 function). Raises AssertionError when the
    directional derivatives differ beyond atol + rtol * |numeric|.
    """
    _CheckBackward(func, x_data, y_grad, params, eps, atol, rtol, no_grads, dtype,
                   detect_nondifferentiable, is_immutable_params=False).run()


def _check_backward_with_params(func, x_data, y_grad, params=(), eps=1e-3,
                                atol=1e-5, rtol=1e-4, no_grads=None, dtype=None,
                                detect_nondifferentiable=False):
    """check_backward with `params` given as arrays: `func(xs, params)` gets
    them as fresh Parameters at every call (used by LinkTestCase)."""
    assert all(isinstance(p, backend.get_array_types()) for p in params)
    _CheckBackward(func, x_data, y_grad, params, eps, atol, rtol, no_grads, dtype,
                   detect_nondifferentiable, is_immutable_params=True).run()


def check_double_backward(func, x_data, y_grad, x_grad_grad, params=(),
                          params_grad_grad=(), eps=1e-3, atol=1e-4, rtol=1e-3,
                          no_grads=None, dtype=None, detect_nondifferentiable=False):
    """Check the gradient of the gradient of `func` against finite differences.

    The first-order gradients (backward with enable_double_backprop) are
    taken as a function of the inputs and of `y_grad`, and checked by
    check_backward with `x_grad_grad` (and `params_grad_grad`) as their
    upstream gradients. The first-order gradient itself is not checked here
    (check_backward does that). `no_grads` covers the inputs and then the
    output gradients.
    """
    from .functions import cast

    xs = _as_tuple(x_data)
    params = _as_tuple(params)
    gys = _as_tuple(y_grad)
    ggxs = _as_tuple(x_grad_grad)
    ggparams = _as_tuple(params_grad_grad)
    n_x = len(xs)
    first_no_gxs = [x.dtype.kind != "f" for x in xs]

    def first_order_grad(*inputs):
        xs_, gys_ = inputs[:n_x], inputs[n_x:]
        ys = _as_tuple(func(*xs_))
        # numerical_grad may hand float64 upstream gradients for an output of
        # another dtype (F.cast to float16): align them
        gys_ = [None if gy is None or y is None else
                (gy if gy.dtype == y.dtype else cast(gy, y.dtype))
                for y, gy in zip(ys, gys_)]
        _check_outputs_and_grad_outputs(ys, gys_)
        _backward(ys, gys_, True)
        gxs, errors = [], []
        for i, (skip, x) in enumerate(zip(first_no_gxs, xs_)):
            if skip:
                if x.grad is not None:
                    errors.append(f"[{i}]: Gradient was calculated while expected "
                                  "to not.")
            else:
                gxs.append(None if x.grad is None else x.grad_var)
        if errors:
            raise RuntimeError(
                "There are errors retrieving first-order gradients:\n"
                f"Inputs: {_format_array_props(xs_)}\n"
                f"Skip: {', '.join(str(s) for s in first_no_gxs)}\n"
                "Errors:\n" + "".join(f"{e}\n" for e in errors))
        return tuple(gxs + [p.grad_var for p in params])

    try:
        check_backward(first_order_grad, xs + gys, ggxs + ggparams, params=params,
                       eps=eps, atol=atol, rtol=rtol, no_grads=no_grads, dtype=dtype,
                       detect_nondifferentiable=detect_nondifferentiable)
    except AssertionError as e:
        f = io.StringIO()
        f.write(f"check_double_backward failed (eps={eps} atol={atol} rtol={rtol})\n")
        for label, arrays in (("input", xs), ("grad_output", gys),
                              ("grad_grad_input", ggxs), ("grad_grad_param", ggparams)):
            for i, a in enumerate(arrays):
                f.write(f"{label}[{i}]:\n{a}\n")
        f.write("\n")
        f.write(str(e))
        _raise_from(AssertionError, f.getvalue(), e)
