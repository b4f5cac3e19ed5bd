"""A training loop in Python whose step is written in the kusari language.

`examples/mlp.ksr` defines the model, its loss, the loss's gradient (grad) and
an SGD step; Python loads it, makes data, and calls the compiled step.

Run: python examples/train_from_ksr.py
"""
from pathlib import Path

import numpy as np

import kusari

m = kusari.load(Path(__file__).with_name("mlp.ksr"))

# three Gaussian blobs in 4-D: a small, separable classification problem
rng = np.random.default_rng(0)
centers = rng.normal(0, 2, (3, 4)).astype(np.float32)
t = rng.integers(0, 3, 600).astype(np.int32)
x = (centers[t] + rng.normal(0, 1, (600, 4))).astype(np.float32)

params = (rng.normal(0, 0.5, (8, 4)).astype(np.float32), np.zeros(8, np.float32),
          rng.normal(0, 0.5, (3, 8)).astype(np.float32), np.zeros(3, np.float32))

for epoch in range(6):
    order = rng.permutation(len(x))
    for start in range(0, len(x), 50):                 # mini-batches of 50
        batch = order[start:start + 50]
        params = m.sgd(x[batch], t[batch], *params)    # compiled once for B=50
    loss, acc = m.evaluate(x, t, *params)              # compiled once for B=600
    print(f"epoch {epoch}: loss {float(loss):.4f}  accuracy {float(acc):.3f}")
