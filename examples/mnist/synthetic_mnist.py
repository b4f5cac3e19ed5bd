"""A synthetic, learnable stand-in for MNIST, generated deterministically.

Same shapes and types as MNIST's cached files: 60000 training and 10000 test
images of 28x28 grey pixels (uint8, 784 per row) with labels 0-9. Each class
has three pen strokes ("styles"); an image blends two styles of its class,
shifted by up to 2 pixels, at a random ink strength, under Gaussian pixel
noise. The classes overlap only through noise and shifts, so an MLP learns
them; a linear model does worse (the shifts make the classes non-linear).

`make(n, seed)` gives (x uint8 (n, 784), y uint8 (n,)); `write_npz(root)`
writes train.npz and test.npz where `get_mnist` (kusari's and Chainer's)
looks for them: `<root>/pfnet/chainer/mnist/`. NumPy only: the file imports
no framework, so Chainer and kusari read exactly the same data.
"""
from __future__ import annotations

import os

import numpy as np

N_CLASSES, N_STYLES, SIDE, SHIFT = 10, 3, 28, 2
NOISE = 0.2


def _stroke(rng) -> np.ndarray:
    """One pen stroke: a polyline through 5 random points drawn with a
    Gaussian brush, values in [0, 1]."""
    points = rng.uniform(6, SIDE - 6, size=(5, 2))
    t = np.linspace(0, 1, 80)
    seg = np.interp(t * 4, np.arange(5), np.arange(5))
    i = np.minimum(seg.astype(int), 3)
    f = (seg - i)[:, None]
    path = points[i] * (1 - f) + points[i + 1] * f                  # (80, 2)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    d2 = (yy[None] - path[:, 0, None, None]) ** 2 + (xx[None] - path[:, 1, None, None]) ** 2
    return np.exp(-d2 / (2 * 1.1 ** 2)).max(axis=0)


def templates(seed: int = 0) -> np.ndarray:
    """(classes, styles, shifts, 784) float64: every style of every class at
    every shift (dy, dx) in [-2, 2]^2."""
    rng = np.random.default_rng(seed)
    strokes = np.array([[_stroke(rng) for _ in range(N_STYLES)] for _ in range(N_CLASSES)])
    shifts = [(dy, dx) for dy in range(-SHIFT, SHIFT + 1) for dx in range(-SHIFT, SHIFT + 1)]
    out = np.empty((N_CLASSES, N_STYLES, len(shifts), SIDE * SIDE))
    for k, (dy, dx) in enumerate(shifts):
        out[:, :, k] = np.roll(strokes, (dy, dx), axis=(2, 3)).reshape(
            N_CLASSES, N_STYLES, -1)
    return out


def make(n: int, seed: int, template_seed: int = 0):
    """`n` images and labels: x (n, 784) uint8, y (n,) uint8."""
    t = templates(template_seed)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, N_CLASSES, n)
    s1, s2 = rng.integers(0, N_STYLES, n), rng.integers(0, N_STYLES, n)
    shift = rng.integers(0, t.shape[2], n)
    w = rng.uniform(0, 1, (n, 1))
    ink = rng.uniform(0.6, 1.0, (n, 1))
    x = np.empty((n, SIDE * SIDE), np.uint8)
    for lo in range(0, n, 5000):        # in blocks: float64 temporaries stay small
        sl = slice(lo, min(lo + 5000, n))
        img = ink[sl] * (w[sl] * t[y[sl], s1[sl], shift[sl]]
                         + (1 - w[sl]) * t[y[sl], s2[sl], shift[sl]])
        img += rng.normal(0, NOISE, img.shape)
        x[sl] = np.rint(np.clip(img, 0, 1) * 255)
    return x, y.astype(np.uint8)


def write_npz(root, n_train: int = 60000, n_test: int = 10000) -> str:
    """Write train.npz and test.npz (Chainer's cache format: x (N, 784) uint8,
    y (N,) uint8) under `<root>/pfnet/chainer/mnist`; return that directory."""
    directory = os.path.join(os.fspath(root), "pfnet", "chainer", "mnist")
    os.makedirs(directory, exist_ok=True)
    for name, n, seed in (("train", n_train, 1), ("test", n_test, 2)):
        x, y = make(n, seed)
        np.savez_compressed(os.path.join(directory, name + ".npz"), x=x, y=y)
    return directory
