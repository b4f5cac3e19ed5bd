"""The seed notebook (Chainer's forward/backward, links, chains and optimizer
cells) as a script: each cell's code verbatim after `kusari.install_as_chainer()`,
then the value the notebook shows for it, printed under the cell's number.

Run: python examples/notebook.py

The notebook's parameters come from an unseeded generator; here the links are
made after `np.random.seed(0)`, so the printed weights are the same on every run
(and the same as Chainer 7's under that seed).
"""
import kusari

kusari.install_as_chainer()

# In [1]
import numpy as np  # noqa: E402
import chainer  # noqa: E402
from chainer import Function, gradient_check, report, training, utils, Variable  # noqa: E402,F401
from chainer import datasets, iterators, optimizers, serializers  # noqa: E402,F401
from chainer import link, Chain, ChainList  # noqa: E402,F401
import chainer.functions as F  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer.training import extensions  # noqa: E402,F401


def out(cell, *values):
    """What the notebook's `Out[cell]` shows."""
    print(f"Out[{cell}]:", *(repr(v) for v in values))


np.random.seed(0)

# Forward/backward computation
x_data = np.array([5], dtype=np.float32)                            # In [2]
x = Variable(x_data)
out(3, x, x.data)
y = x**2 - 2 * x + 1                                                # In [4]
out(5, y.data)
y.backward()                                                        # In [6]
out(6, x.grad)
z = 2*x                                                             # In [7]
y = x**2 - z + 1
y.backward(retain_grad=True)
out(7, z.grad)
y.backward()                                                        # In [8]
out(9, z.grad is None)
out(10, x.grad)       # the notebook's rule: a second backward accumulates (24)
x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))    # In [11]
y = x**2 - 2*x + 1
y.grad = np.ones((2, 3), dtype=np.float32)
y.backward()
out(11, x.grad)
x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))    # In [12]
y = x**2 - 2*x + 1
y.backward()          # several elements and no initial error: no gradient
out(12, x.grad is None)

# Links
f = L.Linear(3, 2)                                                  # In [13]
out(14, f.W)
out(15, f.W.data, f.b.data)
x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))    # In [16]
y = f(x)
out(16, y.data)
f = L.Linear(2)                                                     # In [17]
out(18, f.W, f.b)     # no input size yet: W is made when data first flows
y = f(x)                                                            # In [19]
print(f.W, f.b)
out(19, y.data)
f.cleargrads()                                                      # In [20]
y.grad = np.ones((2, 2), dtype=np.float32)                          # In [21]
y.backward()
out(21, f.W.grad, f.b.grad)
y.backward()                                                        # In [22]
out(23, f.W.grad, f.b.grad)   # accumulated without cleargrads
f.cleargrads()                                                      # In [24]
y.grad = np.ones((2, 2), dtype=np.float32)
y.backward()
out(24, f.W.grad, f.b.grad)


# Write a model as a chain
l1 = L.Linear(4, 3)                                                 # In [25]
l2 = L.Linear(3, 2)


def my_forward(x):
    h = l1(x)
    return l2(h)


class MyProc(object):                                               # In [26]
    def __init__(self):
        self.l1 = L.Linear(4, 3)
        self.l2 = L.Linear(3, 2)

    def forward(self, x):
        h = self.l1(x)
        return self.l2(h)


class MyChain(Chain):                                               # In [27]
    def __init__(self):
        super(MyChain, self).__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 3)
            self.l2 = L.Linear(3, 2)

    def __call__(self, x):
        h = self.l1(x)
        return self.l2(h)


class MyChain2(ChainList):                                          # In [28]
    def __init__(self):
        super(MyChain2, self).__init__(
            L.Linear(4, 3),
            L.Linear(3, 2),
        )

    def __call__(self, x):
        h = self[0](x)
        return self[1](h)


print("my_forward:", my_forward(np.ones((1, 4), np.float32)).shape,
      "MyProc:", MyProc().forward(np.ones((1, 4), np.float32)).shape,
      "MyChain2:", MyChain2()(np.ones((1, 4), np.float32)).shape)

# Optimizer
model = MyChain()                                                   # In [29]
optimizer = optimizers.SGD(lr=0.01)
optimizer.setup(model)
out(30, type(model).__name__, type(optimizer).__name__)
optimizer.add_hook(chainer.optimizer.WeightDecay(0.0005))           # In [31]
x = np.random.uniform(-1, 1, (2, 4)).astype('f')                    # In [32]
out(32, x)
model.cleargrads()                                                  # In [33]
loss = model(chainer.Variable(x))
out(33, loss)
loss = F.sum(loss)                                                  # In [34]
out(34, loss)
loss.backward()                                                     # In [35]
optimizer.update()
out(36, model.l1.W.grad)
model.cleargrads()                                                  # In [37]
loss.backward()
optimizer.update()
print(model.l1.W.data)
out(37, model.l1.W.grad)
model2 = MyChain()                                                  # In [38]
optimizer = optimizers.SGD(lr=0.01)
optimizer.setup(model2)
np.random.seed(1)                                                   # In [39]


def lossfun(arg1, arg2):
    loss = F.sum(model2(arg1 - arg2))
    return loss


arg1 = np.random.uniform(-1, 1, (100, 4)).astype('f')
arg2 = np.random.uniform(-1, 1, (100, 4)).astype('f')
# with a loss function, update() clears the grads itself
optimizer.update(lossfun, chainer.Variable(arg1), chainer.Variable(arg2))
print(model2.l1.W.data)
out(39, model.l1.W.grad)
