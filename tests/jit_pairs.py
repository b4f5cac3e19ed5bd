"""A small model and training step run twice, eagerly and under kusari.jit,
for the tests that compare the two (test_guards, test_jit_adversarial)."""
from __future__ import annotations

import numpy as np

import kusari
import kusari.functions as F
import kusari.links as L

X = np.random.default_rng(1).standard_normal((8, 4)).astype(np.float32)
T = np.random.default_rng(2).integers(0, 3, 8).astype(np.int32)


def small_model(seed=0):
    rng = np.random.default_rng(seed)

    class M(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(4, 6, initialW=(rng.standard_normal((6, 4)) * .4).astype(np.float32))
                self.l2 = L.Linear(6, 3, initialW=(rng.standard_normal((3, 6)) * .4).astype(np.float32))

        def forward(self, x):
            return self.l2(F.relu(self.l1(x)))
    return M()


def ce_step(model, opt):
    """forward, cross entropy, cleargrads, backward, update; returns the loss."""
    def step(x, t):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        return loss
    return step


def pair(make_opt, make_step=ce_step):
    """((model, optimizer, eager step), (model, optimizer, jitted step)), alike."""
    ma, mb = small_model(), small_model()
    oa, ob = make_opt().setup(ma), make_opt().setup(mb)
    return (ma, oa, make_step(ma, oa)), (mb, ob, kusari.jit(make_step(mb, ob)))


def same_params(ma, mb, rtol=1e-6, atol=1e-7):
    for (name, pa), (_, pb) in zip(ma.namedparams(), mb.namedparams()):
        np.testing.assert_allclose(pb.array, pa.array, rtol=rtol, atol=atol, err_msg=name)


def same_grads(ma, mb):
    for (name, pa), (_, pb) in zip(ma.namedparams(), mb.namedparams()):
        assert (pa.grad is None) == (pb.grad is None), name
        if pa.grad is not None:
            np.testing.assert_allclose(pb.grad, pa.grad, rtol=1e-6, atol=1e-7, err_msg=name)
