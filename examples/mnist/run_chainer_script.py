#!/usr/bin/env python
"""Run a script written for Chainer on kusari, unchanged.

    python examples/mnist/run_chainer_script.py SCRIPT [ARGS...]

`kusari.install_as_chainer()`, then SCRIPT runs as `__main__` with ARGS as
its command line: every `chainer` import it makes is kusari, and `import
chainerx` gives the stub Chainer ships when ChainerX is not built. E.g.
Chainer 7.8.1's own examples/mnist/train_mnist.py (it needs matplotlib, the
`plot` extra, and MNIST in the dataset cache).
"""
import os
import runpy
import sys

import kusari


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    script = sys.argv[1]
    kusari.install_as_chainer()
    sys.argv = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
