"""Benchmark workloads, one function per (workload, system). Each returns a zero-argument
callable that does one unit of work; bench/run.py times it. Systems: kusari (the project),
chainer (7.8.1, the seed system), torch (eager CPU), jax (jit on CPU), numpy (eager),
numexpr, pytensor. A system that is missing raises ImportError and is skipped."""
import numpy as np

N_BIG = 10_000_000


# ---- B1: the seed's scalar example, forward + backward per iteration (per-op overhead)
def quad_chainer(mod="chainer"):
    import importlib
    ch = importlib.import_module(mod)
    x = ch.Variable(np.array([5], dtype=np.float32))

    def step():
        x.cleargrad()
        y = x**2 - 2 * x + 1
        y.backward()
        return x.grad
    return step


def quad_kusari():
    return quad_chainer("kusari")


def quad_torch():
    import torch
    x = torch.tensor([5.0], requires_grad=True)

    def step():
        x.grad = None
        y = x**2 - 2 * x + 1
        y.backward()
        return x.grad
    return step


def quad_jax():
    import jax
    import jax.numpy as jnp
    g = jax.jit(jax.grad(lambda x: (x**2 - 2 * x + 1).sum()))
    x = jnp.array([5.0], dtype=jnp.float32)
    g(x).block_until_ready()
    return lambda: g(x).block_until_ready()


# ---- B2: MLP 784-1000-1000-10, batch 100, SGD step (Chainer's MNIST example shape)
def _mlp_data():
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (100, 784)).astype(np.float32)
    t = rng.randint(0, 10, 100).astype(np.int32)
    return x, t


def _mlp_model(mod):
    """The MLP and its modules, written against Chainer's API (`mod` is chainer or kusari)."""
    import importlib
    ch = importlib.import_module(mod)
    F = importlib.import_module(mod + ".functions")
    L = importlib.import_module(mod + ".links")

    class MLP(ch.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(784, 1000)
                self.l2 = L.Linear(1000, 1000)
                self.l3 = L.Linear(1000, 10)

        def __call__(self, x):
            return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))

    return MLP(), ch, F


def mlp_chainer(mod="chainer"):
    model, ch, F = _mlp_model(mod)
    opt = ch.optimizers.SGD(lr=0.01)
    opt.setup(model)
    x, t = _mlp_data()

    def step():
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return loss
    return step


def mlp_kusari():
    return mlp_chainer("kusari")


def mlp_torch():
    import torch
    torch.set_num_threads(2)
    model = torch.nn.Sequential(torch.nn.Linear(784, 1000), torch.nn.ReLU(),
                                torch.nn.Linear(1000, 1000), torch.nn.ReLU(),
                                torch.nn.Linear(1000, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, t = _mlp_data()
    x, t = torch.from_numpy(x), torch.from_numpy(t).long()

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return step


def mlp_jax():
    import jax
    import jax.numpy as jnp
    k = jax.random.split(jax.random.PRNGKey(0), 3)
    sizes = [(784, 1000), (1000, 1000), (1000, 10)]
    params = [(jax.random.normal(kk, s) / np.sqrt(s[0]), jnp.zeros(s[1])) for kk, s in zip(k, sizes)]
    x, t = _mlp_data()

    def loss(params, x, t):
        h = x
        for i, (W, b) in enumerate(params):
            h = h @ W + b
            if i < 2:
                h = jax.nn.relu(h)
        return -jnp.mean(jax.nn.log_softmax(h)[jnp.arange(100), t])

    @jax.jit
    def update(params, x, t):
        g = jax.grad(loss)(params, x, t)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, g)

    state = [update(params, x, t)]

    def step():
        state[0] = update(state[0], x, t)
        jax.block_until_ready(state[0])
    return step


def mlp_numpy():
    """The floor: a hand-written NumPy step (matmuls, relu, softmax cross-entropy, in-place SGD)."""
    rng = np.random.RandomState(0)
    Ws = [(rng.randn(o, i) / np.sqrt(i)).astype(np.float32) for i, o in [(784, 1000), (1000, 1000), (1000, 10)]]
    bs = [np.zeros(o, np.float32) for o in (1000, 1000, 10)]
    x, t = _mlp_data()
    idx = np.arange(100)

    def step():
        h1 = x @ Ws[0].T + bs[0]; np.maximum(h1, 0, out=h1)
        h2 = h1 @ Ws[1].T + bs[1]; np.maximum(h2, 0, out=h2)
        y = h2 @ Ws[2].T + bs[2]
        y -= y.max(1, keepdims=True); np.exp(y, out=y); y /= y.sum(1, keepdims=True)
        y[idx, t] -= 1; y /= 100
        g2 = y @ Ws[2]; g2 *= h2 > 0
        g1 = g2 @ Ws[1]; g1 *= h1 > 0
        for W, b, gy, h in ((Ws[2], bs[2], y, h2), (Ws[1], bs[1], g2, h1), (Ws[0], bs[0], g1, x)):
            W -= 0.01 * (gy.T @ h); b -= 0.01 * gy.sum(0)
    return step


# ---- B3: a fused elementwise expression on 1e7 float32 elements, forward only
def _ew_data():
    rng = np.random.RandomState(0)
    return (rng.uniform(0.1, 1, N_BIG).astype(np.float32),
            rng.uniform(0.1, 1, N_BIG).astype(np.float32))


def ew_numpy():
    a, b = _ew_data()
    return lambda: np.sin(a) * np.exp(-b) + a * b**2 - np.tanh(a * b)


def ew_kusari():
    import kusari
    import kusari.functions as F
    a, b = _ew_data()
    f = kusari.jit(lambda a, b: F.sin(a) * F.exp(-b) + a * b**2 - F.tanh(a * b))
    f(a, b)
    return lambda: f(a, b)


def ew_numexpr():
    import numexpr as ne
    a, b = _ew_data()
    return lambda: ne.evaluate("sin(a) * exp(-b) + a * b**2 - tanh(a * b)", local_dict={"a": a, "b": b})


def ew_jax():
    import jax
    import jax.numpy as jnp
    a, b = (jnp.asarray(v) for v in _ew_data())
    f = jax.jit(lambda a, b: jnp.sin(a) * jnp.exp(-b) + a * b**2 - jnp.tanh(a * b))
    f(a, b).block_until_ready()
    return lambda: f(a, b).block_until_ready()


def ew_torch():
    import torch
    torch.set_num_threads(2)
    a, b = (torch.from_numpy(v) for v in _ew_data())
    return lambda: torch.sin(a) * torch.exp(-b) + a * b**2 - torch.tanh(a * b)


def ew_pytensor():
    import pytensor
    import pytensor.tensor as pt
    A, B = pt.vector("a", dtype="float32"), pt.vector("b", dtype="float32")
    f = pytensor.function([A, B], pt.sin(A) * pt.exp(-B) + A * B**2 - pt.tanh(A * B))
    a, b = _ew_data()
    return lambda: f(a, b)


# ---- B4: third derivative of sum(tanh(x)) on 1e6 elements
def d3_jax():
    import jax
    import jax.numpy as jnp
    g1 = jax.grad(lambda x: jnp.tanh(x).sum())
    g2 = jax.grad(lambda x: g1(x).sum())
    g3 = jax.jit(jax.grad(lambda x: g2(x).sum()))
    x = jnp.asarray(np.linspace(-2, 2, 1_000_000, dtype=np.float32))
    g3(x).block_until_ready()
    return lambda: g3(x).block_until_ready()


def d3_torch():
    import torch
    torch.set_num_threads(2)
    x = torch.linspace(-2, 2, 1_000_000, requires_grad=True)

    def step():
        g1, = torch.autograd.grad(torch.tanh(x).sum(), x, create_graph=True)
        g2, = torch.autograd.grad(g1.sum(), x, create_graph=True)
        g3, = torch.autograd.grad(g2.sum(), x)
        return g3
    return step


def d3_chainer(mod="chainer"):
    import importlib
    ch = importlib.import_module(mod)
    F = importlib.import_module(mod + ".functions")
    x = ch.Variable(np.linspace(-2, 2, 1_000_000, dtype=np.float32))

    def step():
        g1, = ch.grad([F.sum(F.tanh(x))], [x], enable_double_backprop=True)
        g2, = ch.grad([F.sum(g1)], [x], enable_double_backprop=True)
        g3, = ch.grad([F.sum(g2)], [x])
        return g3
    return step


def d3_kusari():
    return d3_chainer("kusari")


def d3_pytensor():
    import pytensor
    import pytensor.tensor as pt
    X = pt.vector("x", dtype="float32")
    g = pt.tanh(X).sum()
    for _ in range(3):
        g = pytensor.grad(g.sum(), X)
    f = pytensor.function([X], g)
    x = np.linspace(-2, 2, 1_000_000, dtype=np.float32)
    return lambda: f(x)


WORKLOADS = {
    "quad": ["kusari", "kusarijit", "chainer", "torch", "jax"],
    "mlp": ["kusari", "chainer", "torch", "jax", "numpy"],
    "ew": ["kusari", "numpy", "numexpr", "jax", "torch", "pytensor"],
    "d3": ["kusari", "kusarijit", "chainer", "torch", "jax", "pytensor"],
    "compile": ["kusari", "jax", "pytensor"],
    "dyn": ["kusari", "chainer", "torch"],
    "rnn": ["kusari", "chainer", "torch"],
}


# ---- B5: compile time of a 200-op elementwise chain plus its gradient (fresh each call)
def _chain(xp_ops, x):
    y = x
    for i in range(50):
        y = xp_ops["tanh"](y) * 1.01 + xp_ops["sin"](y) * 0.5 - y * y * 0.01
    return y


def compile_jax():
    import jax
    import jax.numpy as jnp
    x = jnp.ones(1000, dtype=jnp.float32)
    ops = {"tanh": jnp.tanh, "sin": jnp.sin}
    counter = [0]

    def step():
        counter[0] += 1
        c = float(counter[0]) * 1e-9   # a new constant each call defeats the cache
        f = jax.jit(jax.grad(lambda x: (_chain(ops, x) + c).sum()))
        return f(x).block_until_ready()
    return step


def compile_kusari():
    import kusari
    import kusari.functions as F
    x = np.ones(1000, dtype=np.float32)
    ops = {"tanh": F.tanh, "sin": F.sin}
    counter = [0]

    def step():
        counter[0] += 1
        c = float(counter[0]) * 1e-9   # a new constant each call defeats the cache
        f = kusari.jit(lambda x: kusari.grad([F.sum(_chain(ops, x) + c)], [x])[0])
        return f(x)
    return step


def d3_kusarijit():
    import kusari
    import kusari.functions as F

    def g3(x):
        g1, = kusari.grad([F.sum(F.tanh(x))], [x], enable_double_backprop=True)
        g2, = kusari.grad([F.sum(g1)], [x], enable_double_backprop=True)
        return kusari.grad([F.sum(g2)], [x])[0]
    f = kusari.jit(g3)
    x = np.linspace(-2, 2, 1_000_000, dtype=np.float32)
    f(x)
    return lambda: f(x)


def quad_kusarijit():
    import kusari
    f = kusari.jit(lambda x: kusari.grad([x**2 - 2 * x + 1], [x])[0])
    x = np.array([5], dtype=np.float32)
    f(x)
    return lambda: f(x)


def compile_pytensor():
    import pytensor
    import pytensor.tensor as pt

    def step():
        X = pt.vector("x", dtype="float32")
        y = _chain({"tanh": pt.tanh, "sin": pt.sin}, X).sum()
        return pytensor.function([X], pytensor.grad(y, X))
    return step


# ---- B6: define-by-run at first sight: forward + backward of a 2,000-op chain whose length
# changes every call, so no two calls share a graph structure (4 elements: pure overhead).
def dyn_chainer(mod="chainer"):
    import importlib
    ch = importlib.import_module(mod)
    F = importlib.import_module(mod + ".functions")
    x = ch.Variable(np.ones(4, np.float32))
    counter = [0]

    def step():
        counter[0] += 1
        x.cleargrad()
        y = x
        for _ in range(1000 + counter[0]):
            y = F.sin(y) * 0.5 + y
        F.sum(y).backward()
        return x.grad
    return step


def dyn_kusari():
    return dyn_chainer("kusari")


def dyn_torch():
    import torch
    torch.set_num_threads(2)
    x = torch.ones(4, requires_grad=True)
    counter = [0]

    def step():
        counter[0] += 1
        x.grad = None
        y = x
        for _ in range(1000 + counter[0]):
            y = torch.sin(y) * 0.5 + y
        y.sum().backward()
        return x.grad
    return step


# ---- B7: a variable-length LSTM written with functions (batch 32, 128 units, lengths 10-80
# drawn from a fixed sequence): forward over the sequence, loss, backward, SGD update.
_RNN_LENS = np.random.RandomState(0).randint(10, 81, 10_000)


def _rnn_params():
    rng = np.random.RandomState(0)
    H, D = 128, 64
    return (rng.randn(4 * H, D).astype(np.float32) * 0.1, rng.randn(4 * H, H).astype(np.float32) * 0.1,
            np.zeros(4 * H, np.float32), rng.randn(32, 80, D).astype(np.float32), H)


def rnn_chainer(mod="chainer"):
    import importlib
    ch = importlib.import_module(mod)
    F = importlib.import_module(mod + ".functions")
    W0, U0, b0, xs, H = _rnn_params()
    W, U, b = ch.Parameter(W0), ch.Parameter(U0), ch.Parameter(b0)
    counter = [0]

    def step():
        n = int(_RNN_LENS[counter[0]])
        counter[0] += 1
        h = c = None
        for t in range(n):
            z = F.linear(xs[:, t], W, b)
            if h is not None:
                z = z + F.linear(h, U)
            a, i, f, o = F.split_axis(z, 4, axis=1)
            c = F.tanh(a) * F.sigmoid(i) + (c * F.sigmoid(f) if c is not None else 0)
            h = F.sigmoid(o) * F.tanh(c)
        loss = F.sum(h * h)
        for p in (W, U, b):
            p.cleargrad()
        loss.backward()
        for p in (W, U, b):
            p.array -= 0.01 * p.grad
        return loss
    return step


def rnn_kusari():
    return rnn_chainer("kusari")


def rnn_torch():
    import torch
    torch.set_num_threads(2)
    W0, U0, b0, xs, H = _rnn_params()
    W, U, b = (torch.tensor(a, requires_grad=True) for a in (W0, U0, b0))
    xs = torch.from_numpy(xs)
    counter = [0]

    def step():
        n = int(_RNN_LENS[counter[0]])
        counter[0] += 1
        h = c = None
        for t in range(n):
            z = torch.nn.functional.linear(xs[:, t], W, b)
            if h is not None:
                z = z + torch.nn.functional.linear(h, U)
            a, i, f, o = z.chunk(4, dim=1)
            c = torch.tanh(a) * torch.sigmoid(i) + (c * torch.sigmoid(f) if c is not None else 0)
            h = torch.sigmoid(o) * torch.tanh(c)
        loss = (h * h).sum()
        for p in (W, U, b):
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in (W, U, b):
                p -= 0.01 * p.grad
        return loss
    return step


# ---- kusari's own additions (issue 8): the first backward of long chains, the MLP step
# under kusari.jit. Each chain call adds one step, so every call is a structure not seen
# before: what is timed is define-by-run at first sight.
def _chain_first(mod, n):
    import importlib
    ch = importlib.import_module(mod)
    F = importlib.import_module(mod + ".functions")
    x = ch.Variable(np.ones(4, np.float32))
    counter = [0]

    def step():
        counter[0] += 1
        x.cleargrad()
        y = x
        for _ in range(n + counter[0]):
            y = F.sin(y) * 0.5 + y
        F.sum(y).backward()
        return x.grad
    return step


def chain5k_chainer(mod="chainer"):
    return _chain_first(mod, 5_000)


def chain5k_kusari():
    return _chain_first("kusari", 5_000)


def chain50k_chainer(mod="chainer"):
    return _chain_first(mod, 50_000)


def chain50k_kusari():
    return _chain_first("kusari", 50_000)


def _chain_torch(n):
    import torch
    torch.set_num_threads(2)
    x = torch.ones(4, requires_grad=True)
    counter = [0]

    def step():
        counter[0] += 1
        x.grad = None
        y = x
        for _ in range(n + counter[0]):
            y = torch.sin(y) * 0.5 + y
        y.sum().backward()
        return x.grad
    return step


def chain5k_torch():
    return _chain_torch(5_000)


def chain50k_torch():
    return _chain_torch(50_000)


def mlp_kusarijit():
    import kusari
    model, _, F = _mlp_model("kusari")
    opt = kusari.optimizers.SGD(lr=0.01)
    opt.setup(model)
    x, t = _mlp_data()

    @kusari.jit
    def step(x, t):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return loss
    return lambda: step(x, t)


WORKLOADS.update({
    "chain5k": ["kusari", "chainer", "torch"],
    "chain50k": ["kusari", "chainer", "torch"],
})
WORKLOADS["mlp"] = ["kusari", "kusarijit", "chainer", "torch", "jax", "numpy"]


# ---- B2 with the optimizers of issue 10's bound: the MLP step updating with SGD,
# MomentumSGD and Adam, kusari eagerly and under kusari.jit, against a hand-written NumPy
# step whose forward and backward are mlp_numpy's and whose update is the same rule
# (each must stay within 1.1x of it).
OPTIMIZERS = {
    "sgd": lambda O: O.SGD(lr=0.01),
    "momentum": lambda O: O.MomentumSGD(lr=0.01, momentum=0.9),
    "adam": lambda O: O.Adam(alpha=0.001),
}


def _mlp_opt_kusari(which, jit):
    import kusari
    model, _, F = _mlp_model("kusari")
    opt = OPTIMIZERS[which](kusari.optimizers)
    opt.setup(model)
    x, t = _mlp_data()

    def step(x, t):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return loss
    if jit:
        step = kusari.jit(step)
    return lambda: step(x, t)


def _numpy_rule(which):
    """The update of each parameter, written by hand in NumPy (in place)."""
    if which == "sgd":
        return lambda p, g, s, t: np.subtract(p, np.float32(0.01) * g, out=p)

    if which == "momentum":
        def momentum(p, g, s, t):
            v = s.setdefault("v", np.zeros_like(p))
            v *= np.float32(0.9)
            v -= np.float32(0.01) * g
            p += v
        return momentum

    def adam(p, g, s, t):
        m = s.setdefault("m", np.zeros_like(p))
        v = s.setdefault("v", np.zeros_like(p))
        m += np.float32(0.1) * (g - m)
        v += np.float32(0.001) * (g * g - v)
        lr = 0.001 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        p -= np.float32(lr) * m / (np.sqrt(v) + np.float32(1e-8))
    return adam


def _mlp_opt_numpy(which):
    rng = np.random.RandomState(0)
    Ws = [(rng.randn(o, i) / np.sqrt(i)).astype(np.float32)
          for i, o in [(784, 1000), (1000, 1000), (1000, 10)]]
    bs = [np.zeros(o, np.float32) for o in (1000, 1000, 10)]
    states = [({}, {}) for _ in Ws]
    rule = _numpy_rule(which)
    x, t = _mlp_data()
    idx = np.arange(100)
    count = [0]

    def step():
        count[0] += 1
        h1 = x @ Ws[0].T + bs[0]; np.maximum(h1, 0, out=h1)
        h2 = h1 @ Ws[1].T + bs[1]; np.maximum(h2, 0, out=h2)
        y = h2 @ Ws[2].T + bs[2]
        y -= y.max(1, keepdims=True); np.exp(y, out=y); y /= y.sum(1, keepdims=True)
        y[idx, t] -= 1; y /= 100
        g2 = y @ Ws[2]; g2 *= h2 > 0
        g1 = g2 @ Ws[1]; g1 *= h1 > 0
        for k, (gy, h) in zip((2, 1, 0), ((y, h2), (g2, h1), (g1, x))):
            rule(Ws[k], gy.T @ h, states[k][0], count[0])
            rule(bs[k], gy.sum(0), states[k][1], count[0])
    return step


for _which in OPTIMIZERS:
    globals()[f"mlp{_which}_kusari"] = (lambda w: lambda: _mlp_opt_kusari(w, False))(_which)
    globals()[f"mlp{_which}_kusarijit"] = (lambda w: lambda: _mlp_opt_kusari(w, True))(_which)
    globals()[f"mlp{_which}_numpy"] = (lambda w: lambda: _mlp_opt_numpy(w))(_which)
    WORKLOADS[f"mlp{_which}"] = ["kusari", "kusarijit", "numpy"]
