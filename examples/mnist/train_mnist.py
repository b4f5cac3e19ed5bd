#!/usr/bin/env python
"""Train a multi-layer perceptron on MNIST with a Trainer, as Chainer's own
example does: L.Classifier over a 784-1000-1000-10 MLP, Adam, a
SerialIterator, and the Evaluator, LogReport, PrintReport, ProgressBar,
snapshot, DumpGraph and PlotReport extensions.

    python examples/mnist/train_mnist.py [--epoch 20] [--unit 1000] [--quick] ...

The code is Chainer code (`import chainer ...`), run by kusari: when no real
Chainer has been imported first, `kusari.install_as_chainer()` makes every
`chainer` import kusari. (benchmarks/mnist_example.py imports this file in a
process where a real Chainer is imported first, and times both.)

Data (--data): `mnist` reads MNIST from the dataset cache
(`<dataset root>/pfnet/chainer/mnist/{train,test}.npz`, Chainer's files,
shared with Chainer); `synthetic` generates a learnable stand-in of the same
shape (60000 / 10000 images of 784 float32 pixels in [0, 1], int32 labels;
examples/mnist/synthetic_mnist.py, deterministic); `auto` (the default)
takes MNIST when its cache is on disk and the synthetic set otherwise. The
network is never tried: to use MNIST, fetch it once with
`kusari.datasets.get_mnist()`.

What it reaches on the synthetic data (validation accuracy, the Evaluator's
`validation/main/accuracy` in <out>/log):
  default sizes (60000 / 10000 images, 1000 units), 1 epoch:  >= 0.98
  --quick (20000 / 2000 images, 100 units), 3 epochs:        >= 0.90 (tested)
A least-squares linear classifier gets 0.70 on the same data.

On kusari the StandardUpdater compiles the whole update (forward, backward,
Adam) once a batch shape recurs; the last line printed says how the update
ran (`updater.explain_compile()`).
"""
import argparse
import os
import sys

if "chainer" not in sys.modules:        # run by itself: kusari plays Chainer
    import kusari
    kusari.install_as_chainer()

import numpy as np  # noqa: E402

import chainer  # noqa: E402
import chainer.functions as F  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer import training  # noqa: E402
from chainer.training import extensions  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_mnist  # noqa: E402

QUICK_TRAIN, QUICK_TEST, QUICK_UNITS = 20000, 2000, 100


class MLP(chainer.Chain):
    """Three linear layers with ReLU between; input sizes inferred."""

    def __init__(self, n_units, n_out):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x):
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def mnist_on_disk() -> bool:
    """Whether MNIST's converted files are in the dataset cache (kusari's
    root or Chainer's, which kusari falls back to)."""
    roots = {chainer.dataset.get_dataset_root(),
             os.environ.get("CHAINER_DATASET_ROOT",
                            os.path.join(os.path.expanduser("~"), ".chainer", "dataset"))}
    return any(all(os.path.exists(os.path.join(root, "pfnet", "chainer", "mnist", name))
                   for name in ("train.npz", "test.npz")) for root in roots)


def synthetic(n_train, n_test):
    """The synthetic set as get_mnist returns MNIST: TupleDatasets of
    float32 images in [0, 1] and int32 labels."""
    out = []
    for n, seed in ((n_train, 1), (n_test, 2)):
        x, y = synthetic_mnist.make(n, seed)
        out.append(chainer.datasets.TupleDataset(
            x.astype(np.float32) / np.float32(255), y.astype(np.int32)))
    return tuple(out)


def load_data(kind, n_train, n_test):
    if kind == "auto":
        kind = "mnist" if mnist_on_disk() else "synthetic"
    if kind == "synthetic":
        return "synthetic", synthetic(n_train, n_test)
    if not mnist_on_disk():
        raise SystemExit("MNIST is not in the dataset cache "
                         f"({chainer.dataset.get_dataset_root()}/pfnet/chainer/mnist); "
                         "fetch it with kusari.datasets.get_mnist() or use --data synthetic")
    train, test = chainer.datasets.get_mnist()
    if n_train < len(train):
        train = chainer.datasets.split_dataset(train, n_train)[0]
    if n_test < len(test):
        test = chainer.datasets.split_dataset(test, n_test)[0]
    return "mnist", (train, test)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="kusari example: MNIST")
    parser.add_argument("--batchsize", "-b", type=int, default=100,
                        help="Number of images in each mini-batch")
    parser.add_argument("--epoch", "-e", type=int, default=20,
                        help="Number of sweeps over the dataset to train")
    parser.add_argument("--frequency", "-f", type=int, default=-1,
                        help="Frequency of taking a snapshot (epochs)")
    parser.add_argument("--device", "-d", type=str, default="-1",
                        help="Device specifier: @numpy, @cupy:N, or an integer "
                        "(non-negative: that GPU, negative: NumPy)")
    parser.add_argument("--out", "-o", default="result",
                        help="Directory to output the result")
    parser.add_argument("--resume", "-r", type=str,
                        help="Resume the training from snapshot")
    parser.add_argument("--autoload", action="store_true",
                        help="Automatically load the latest trainer snapshot in "
                        "--out, if any (after preemption or another failure)")
    parser.add_argument("--unit", "-u", type=int, default=None,
                        help=f"Number of units (1000; {QUICK_UNITS} with --quick)")
    parser.add_argument("--data", choices=("auto", "mnist", "synthetic"), default="auto",
                        help="MNIST from the dataset cache, the synthetic set, or "
                        "MNIST when it is cached (default)")
    parser.add_argument("--quick", action="store_true",
                        help=f"A small run for CI: {QUICK_TRAIN} training and "
                        f"{QUICK_TEST} test images, {QUICK_UNITS} units")
    parser.add_argument("--seed", type=int, default=0,
                        help="Seed of NumPy's generator (initial weights, shuffling)")
    parser.add_argument("--noprogress", action="store_true",
                        help="No ProgressBar (logs, benchmarks)")
    args = parser.parse_args(argv)
    if args.unit is None:
        args.unit = QUICK_UNITS if args.quick else 1000
    return args


def main(argv=None):
    args = parse_args(argv)
    np.random.seed(args.seed)
    device = chainer.get_device(args.device)
    n_train, n_test = (QUICK_TRAIN, QUICK_TEST) if args.quick else (60000, 10000)
    data, (train, test) = load_data(args.data, n_train, n_test)

    print(f"Device: {device}")
    print(f"# data: {data} ({len(train)} training, {len(test)} test images)")
    print(f"# unit: {args.unit}")
    print(f"# Minibatch-size: {args.batchsize}")
    print(f"# epoch: {args.epoch}")
    print("")

    # The Classifier reports softmax cross entropy loss and accuracy
    model = L.Classifier(MLP(args.unit, 10))
    model.to_device(device)
    device.use()

    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize,
                                                 repeat=False, shuffle=False)

    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, "epoch"), out=args.out)

    # the test set's loss and accuracy after every epoch (and before training)
    trainer.extend(extensions.Evaluator(test_iter, model, device=device),
                   call_before_training=True)
    # the graph behind 'main/loss' (kusari writes its IR as DOT)
    trainer.extend(extensions.DumpGraph("main/loss"))
    # a trainer snapshot every `frequency` epochs, only the latest kept
    frequency = args.epoch if args.frequency == -1 else max(1, args.frequency)
    trainer.extend(extensions.snapshot(n_retains=1, autoload=args.autoload),
                   trigger=(frequency, "epoch"))
    trainer.extend(extensions.LogReport(), call_before_training=True)
    # plots (with matplotlib installed: the `plot` extra)
    trainer.extend(extensions.PlotReport(["main/loss", "validation/main/loss"],
                                         "epoch", file_name="loss.png"),
                   call_before_training=True)
    trainer.extend(extensions.PlotReport(["main/accuracy", "validation/main/accuracy"],
                                         "epoch", file_name="accuracy.png"),
                   call_before_training=True)
    trainer.extend(extensions.PrintReport(
        ["epoch", "main/loss", "validation/main/loss",
         "main/accuracy", "validation/main/accuracy", "elapsed_time"]),
        call_before_training=True)
    if not args.noprogress:
        trainer.extend(extensions.ProgressBar())

    if args.resume is not None:
        # (--autoload, when a snapshot is in --out, overrides this)
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()
    explain = getattr(updater, "explain_compile", None)     # kusari only
    if explain is not None:
        print(f"# update step: {explain()}")
    return trainer


if __name__ == "__main__":
    main()
