"""The engine's workloads, kusari side by side with Chainer 7.8.1, PyTorch, JAX and NumPy.

    python benchmarks/engine.py [workload ...] [--rounds R] [--budget S] [--systems a,b]

Workloads (benchmarks/workloads.py, the shared side-by-side set plus chain5k/chain50k and
the MLP step under kusari.jit): quad, mlp, ew, d3, compile, dyn, rnn, chain5k, chain50k;
mlpsgd, mlpmomentum, mlpadam: the MLP step with each optimizer, kusari (eager and jit)
against a hand-written NumPy step of the same update (issue 10's bound: at most 1.1x).
Each (workload, system) runs in a fresh process, rounds interleaved; medians are printed
with the ratio to kusari. kusari runs in this interpreter (KUSARI_PY overrides); the peers
run where ../shared/bench/make-peers.sh put them (CHAINER_PY, PEERS_PY override) and are
skipped, saying so, where they are missing: kusari's own figures and the NumPy floors
need nothing else. Compare ratios from one run, never absolute times across runs."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from workloads import WORKLOADS  # noqa: E402

ANCHORS = os.environ.get("ANCHORS", os.path.expanduser("~/.kusari-peers"))
PY = {
    "chainer": os.environ.get("CHAINER_PY", os.path.join(ANCHORS, "chainer-venv/bin/python")),
    "kusari": os.environ.get("KUSARI_PY", sys.executable),
}
PEERS = os.environ.get("PEERS_PY", os.path.join(ANCHORS, "peers-venv/bin/python"))

ap = argparse.ArgumentParser()
ap.add_argument("work", nargs="*", default=list(WORKLOADS))
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--budget", type=float, default=2.0)
ap.add_argument("--systems", default="")
a = ap.parse_args()

for work in a.work:
    systems = [s for s in WORKLOADS[work] if not a.systems or s in a.systems.split(",")]
    res = {s: [] for s in systems}
    notes = {}
    for _ in range(a.rounds):
        for s in systems:
            py = PY.get("kusari" if s.startswith("kusari") else s,
                        sys.executable if s == "numpy" else PEERS)
            if not py or not os.path.exists(py):
                notes[s] = "no interpreter"
                continue
            p = subprocess.run([py, os.path.join(HERE, "one.py"), work, s, str(a.budget)],
                               capture_output=True, text=True, cwd=tempfile.gettempdir())
            out = p.stdout.strip().splitlines()
            if p.returncode or not out:
                notes[s] = "error: " + (p.stderr.strip().splitlines() or ["?"])[-1][:120]
            elif out[-1].startswith("skip"):
                notes[s] = out[-1]
            else:
                res[s].append(float(out[-1].split()[0]))
    base = "kusari" if res.get("kusari") else None
    print(f"== {work}")
    for s in systems:
        if res[s]:
            med = statistics.median(res[s])
            rel = f"  x{med / statistics.median(res[base]):.2f} vs kusari" if base and s != base else ""
            print(f"  {s:10s} {med * 1e3:12.4f} ms{rel}")
        else:
            print(f"  {s:10s} {notes.get(s, 'no result')}")
