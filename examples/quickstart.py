"""The seeds' walkthrough: Variables, derivatives, higher-order derivatives,
links and an optimizer step, with `import kusari as chainer`.

Run: python examples/quickstart.py
"""
import numpy as np

import kusari as chainer
import kusari.functions as F
import kusari.links as L
from kusari import Variable, optimizers

# Variables and derivatives: y = x^2 - 2x + 1 at x = 5
x = Variable(np.array([5], dtype=np.float32))
y = x**2 - 2*x + 1
print("y      =", y.array)            # [16.]
y.backward()
print("dy/dx  =", x.grad)             # [8.]

# Intermediate gradients are kept only with retain_grad=True
z = 2*x
y = x**2 - z + 1
y.backward(retain_grad=True)
print("dy/dz  =", z.grad)             # [-1.]

# Several elements: set the initial error explicitly
x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
y = x**2 - 2*x + 1
y.grad = np.ones((2, 3), dtype=np.float32)
y.backward()
print("dy/dx  =\n", x.grad)           # 2x - 2

# Higher-order derivatives: the backward pass is itself recorded
x = Variable(np.array([[0, 2, 3], [4, 5, 6]], dtype=np.float32))
y = x ** 3
y.grad = np.ones((2, 3), dtype=np.float32)
y.backward(enable_double_backprop=True)
gx = x.grad_var                       # 3x^2, a Variable with a history
print("dy/dx  =\n", gx.array)
x.cleargrad()
gx.grad = np.ones((2, 3), dtype=np.float32)
gx.backward()
print("d2y/dx2 =\n", x.grad)          # 6x

# ... to any order, with kusari.grad
t = Variable(np.linspace(-1, 1, 5).astype(np.float32))
g1, = chainer.grad([F.sum(F.tanh(t))], [t], enable_double_backprop=True)
g2, = chainer.grad([F.sum(g1)], [t], enable_double_backprop=True)
g3, = chainer.grad([F.sum(g2)], [t])
print("d3/dx3 tanh =", g3.array)

# Links: a fully-connected layer (seeded as in Chainer's docs)
np.random.seed(0)
f = L.Linear(3, 2)
print("W =\n", f.W.array)
x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
y = f(x)
print("f(x) =\n", y.array)
f.cleargrads()
y.grad = np.ones((2, 2), dtype=np.float32)
y.backward()
print("dW =\n", f.W.grad, "\ndb =", f.b.grad)


# A chain and an optimizer: fit a linear map with a small MLP
class MyChain(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(4, 16)
            self.l2 = L.Linear(16, 2)

    def __call__(self, x):
        return self.l2(F.relu(self.l1(x)))


model = MyChain()
optimizer = optimizers.SGD(lr=0.05)
optimizer.setup(model)
optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(0.0005))
data = np.random.uniform(-1, 1, (100, 4)).astype(np.float32)
target = data @ np.array([[1, -1], [2, 0], [0, 1], [-1, 1]], np.float32)


def loss_fn():
    return F.mean_squared_error(model(Variable(data)), target)


print(f"loss before training: {float(loss_fn().array):.4f}")
for _ in range(300):
    optimizer.update(loss_fn)       # cleargrads, loss, backward, update
print(f"loss after 300 SGD steps: {float(loss_fn().array):.4f}")
