#!/usr/bin/env python
"""A recurrent language model trained with truncated backpropagation through
time, in the style of Chainer's PTB example: EmbedID, two LSTM links and a
Linear in L.Classifier, a ParallelSequentialIterator, a BPTTUpdater that
subclasses StandardUpdater, gradient clipping, and perplexity from
LogReport's postprocess, the validation perplexity from an Evaluator.

    python examples/ptb/train_ptb.py [--epoch 8] [--unit 64] [--quick] ...

The corpus is synthetic, with structure only a model with memory learns
fully: a second-order Markov chain over 16 words, where each pair of
previous words (a, b) allows three next words with probabilities 0.6, 0.3
and 0.1; the likeliest depends on b alone, the other two on the pair (drawn
at random once, seeded). Its perplexities are known exactly (from the
stationary distribution over word pairs, `source_perplexities`):
  the source itself (the floor):       2.45
  the best bigram model (one word):    3.76
  the best unigram model:              13.18
What the model reaches (`val_perplexity`, a validation text of 2000 words;
Adam, 64 units):
  default (40000 training words, 8 epochs):  <= 2.7  (2.65 measured)
  --quick (10000 training words, 6 epochs):  <= 3.3  (3.00; tested in CI)
below any bigram model: it uses two words of context.

Variable lengths: as AWD-LSTM does, each update backpropagates through a
length drawn around --bproplen (95%: the full length, 5%: half of it, then
plus or minus up to 3 words), so the updates build a handful of different
graphs. kusari runs a graph structure seen for the first time op by op and
compiles it when it recurs (tiered execution, DESIGN.md); the script prints, at the
end, how many backward graphs were compiled for how many lengths.
"""
import argparse
import math
import sys

if "chainer" not in sys.modules:        # run by itself: kusari plays Chainer
    import kusari
    kusari.install_as_chainer()

import numpy as np  # noqa: E402

import chainer  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer import training  # noqa: E402
from chainer.training import extensions  # noqa: E402

N_VOCAB = 16
PROBS = (0.6, 0.3, 0.1)


# -- the corpus ----------------------------------------------------------------

def source(seed=0):
    """The chain: successors[a, b] are the three words that may follow the
    pair (a, b), with probabilities PROBS. The likeliest depends on b alone
    (a bigram model can learn it), the other two on the pair."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, N_VOCAB, N_VOCAB)
    successors = np.empty((N_VOCAB, N_VOCAB, len(PROBS)), np.int64)
    for a in range(N_VOCAB):
        for b in range(N_VOCAB):
            others = rng.choice(np.delete(np.arange(N_VOCAB), first[b]), len(PROBS) - 1,
                                replace=False)
            successors[a, b] = [first[b], *others]
    return successors


def generate(successors, n_words, seed):
    """`n_words` word ids (int32) drawn from the chain."""
    rng = np.random.default_rng(seed)
    choice = rng.choice(len(PROBS), n_words, p=PROBS)
    words = np.empty(n_words, np.int32)
    a, b = rng.integers(0, N_VOCAB, 2)
    for i in range(n_words):
        a, b = b, successors[a, b, choice[i]]
        words[i] = b
    return words


def source_perplexities(successors):
    """Perplexities of the source (its entropy rate), of the best bigram and
    of the best unigram model, from the chain's stationary distribution."""
    v = N_VOCAB
    trans = np.zeros((v * v, v * v))         # pair (a, b) -> pair (b, c)
    for a in range(v):
        for b in range(v):
            for c, p in zip(successors[a, b], PROBS):
                trans[a * v + b, b * v + c] += p
    pi = np.full(v * v, 1.0 / (v * v))
    for _ in range(2000):
        pi = pi @ trans
    pair = pi.reshape(v, v)                  # P(w[t-1] = a, w[t] = b)
    nxt = np.zeros((v, v))                   # P(w[t] = b, w[t+1] = c)
    for a in range(v):
        for b in range(v):
            for c, p in zip(successors[a, b], PROBS):
                nxt[b, c] += pair[a, b] * p

    def entropy(p):
        p = p[p > 0]
        return -(p * np.log(p)).sum()
    h_source = entropy(np.array(PROBS))
    h_bigram = entropy(nxt.ravel()) - entropy(nxt.sum(axis=1))
    h_unigram = entropy(nxt.sum(axis=0))
    return math.exp(h_source), math.exp(h_bigram), math.exp(h_unigram)


# -- the model, the iterator and the updater (Chainer's example's shapes) -------

class RNNForLM(chainer.Chain):

    def __init__(self, n_vocab, n_units):
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units)
            self.l1 = L.LSTM(n_units, n_units)
            self.l2 = L.LSTM(n_units, n_units)
            self.l3 = L.Linear(n_units, n_vocab)
        for param in self.params():
            param.array[...] = np.random.uniform(-0.1, 0.1, param.shape)

    def reset_state(self):
        self.l1.reset_state()
        self.l2.reset_state()

    def forward(self, x):
        h0 = self.embed(x)
        h1 = self.l1(h0)
        h2 = self.l2(h1)
        return self.l3(h2)


class ParallelSequentialIterator(chainer.dataset.Iterator):
    """Batches of (current word, next word) at `batch_size` positions spread
    evenly over the corpus, each moving one word per call."""

    def __init__(self, dataset, batch_size, repeat=True):
        super().__init__()
        self.dataset = dataset
        self.batch_size = batch_size
        self.repeat = repeat
        length = len(dataset)
        self.offsets = [i * length // batch_size for i in range(batch_size)]
        self.reset()

    def reset(self):
        self.epoch = 0
        self.is_new_epoch = False
        self.iteration = 0
        self._previous_epoch_detail = -1.

    def __next__(self):
        length = len(self.dataset)
        if not self.repeat and self.iteration * self.batch_size >= length:
            raise StopIteration
        cur_words = self.get_words()
        self._previous_epoch_detail = self.epoch_detail
        self.iteration += 1
        next_words = self.get_words()
        epoch = self.iteration * self.batch_size // length
        self.is_new_epoch = self.epoch < epoch
        if self.is_new_epoch:
            self.epoch = epoch
        return list(zip(cur_words, next_words))

    @property
    def epoch_detail(self):
        return self.iteration * self.batch_size / len(self.dataset)

    @property
    def previous_epoch_detail(self):
        return None if self._previous_epoch_detail < 0 else self._previous_epoch_detail

    def get_words(self):
        return [self.dataset[(offset + self.iteration) % len(self.dataset)]
                for offset in self.offsets]

    def serialize(self, serializer):
        self.iteration = serializer("iteration", self.iteration)
        self.epoch = serializer("epoch", self.epoch)
        self._previous_epoch_detail = serializer("previous_epoch_detail",
                                                 self._previous_epoch_detail)


class BPTTUpdater(training.updaters.StandardUpdater):
    """Truncated BPTT over a length drawn around `bprop_len` per update."""

    def __init__(self, train_iter, optimizer, bprop_len, device, seed=0):
        super().__init__(train_iter, optimizer, device=device)
        self.bprop_len = bprop_len
        self.seed = seed
        self.lengths = []

    def draw_length(self):
        # a function of the iteration: a resumed run draws the same lengths
        rng = np.random.default_rng((self.seed, self.iteration))
        base = self.bprop_len if rng.uniform() < 0.95 else self.bprop_len // 2
        return max(2, base + int(rng.integers(-3, 4)))

    def update_core(self):
        train_iter = self.get_iterator("main")
        optimizer = self.get_optimizer("main")
        length = self.draw_length()
        self.lengths.append(length)
        loss = 0
        for _ in range(length):
            x, t = self.converter(train_iter.__next__(), self.device)
            loss += optimizer.target(x, t)
        optimizer.target.cleargrads()
        (loss / length).backward()
        loss.unchain_backward()          # truncate the graph
        optimizer.update()


def compute_perplexity(result):
    result["perplexity"] = np.exp(result["main/loss"])
    if "validation/main/loss" in result:
        result["val_perplexity"] = np.exp(result["validation/main/loss"])


def backward_compiles():
    """How many backward graphs kusari has compiled (None on Chainer)."""
    try:
        from kusari.compiler import explain_cache
    except ImportError:
        return None
    return sum(1 for e in explain_cache() if e.kind == "backward")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="kusari example: an LSTM language model")
    parser.add_argument("--batchsize", "-b", type=int, default=20,
                        help="Number of parallel streams in each mini-batch")
    parser.add_argument("--bproplen", "-l", type=int, default=12,
                        help="Mean length of truncated BPTT (words per update)")
    parser.add_argument("--epoch", "-e", type=int, default=None,
                        help="Number of sweeps over the corpus (8; 6 with --quick)")
    parser.add_argument("--device", "-d", type=str, default="-1",
                        help="Device specifier (@numpy, @cupy:N, or an integer)")
    parser.add_argument("--gradclip", "-c", type=float, default=5,
                        help="Gradient norm threshold to clip")
    parser.add_argument("--out", "-o", default="result",
                        help="Directory to output the result")
    parser.add_argument("--resume", "-r", type=str,
                        help="Resume the training from snapshot")
    parser.add_argument("--unit", "-u", type=int, default=64,
                        help="Number of LSTM units in each layer")
    parser.add_argument("--words", type=int, default=None,
                        help="Training corpus length (40000; 10000 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="A small run for CI (10000 words, 6 epochs)")
    parser.add_argument("--seed", type=int, default=0,
                        help="Seed of the initial weights and of the BPTT lengths")
    parser.add_argument("--noprogress", action="store_true", help="No ProgressBar")
    args = parser.parse_args(argv)
    if args.epoch is None:
        args.epoch = 6 if args.quick else 8
    if args.words is None:
        args.words = 10000 if args.quick else 40000
    return args


def main(argv=None):
    args = parse_args(argv)
    np.random.seed(args.seed)
    device = chainer.get_device(args.device)
    device.use()

    successors = source()
    train = generate(successors, args.words, seed=1)
    val = generate(successors, 2000, seed=2)
    floor, bigram, unigram = source_perplexities(successors)
    print(f"#vocab = {N_VOCAB}, {len(train)} training words")
    print(f"# perplexity of the source {floor:.2f}, best bigram {bigram:.2f}, "
          f"best unigram {unigram:.2f}")

    train_iter = ParallelSequentialIterator(train, args.batchsize)
    val_iter = ParallelSequentialIterator(val, 10, repeat=False)

    rnn = RNNForLM(N_VOCAB, args.unit)
    model = L.Classifier(rnn)
    model.compute_accuracy = False       # the perplexity is what we want
    model.to_device(device)

    optimizer = chainer.optimizers.Adam(alpha=0.01)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.GradientClipping(args.gradclip))

    updater = BPTTUpdater(train_iter, optimizer, args.bproplen, device, seed=args.seed)
    trainer = training.Trainer(updater, (args.epoch, "epoch"), out=args.out)

    eval_model = model.copy()            # shared parameters, its own LSTM state
    eval_rnn = eval_model.predictor
    trainer.extend(extensions.Evaluator(val_iter, eval_model, device=device,
                                        eval_hook=lambda _: eval_rnn.reset_state()))
    trainer.extend(extensions.LogReport(postprocess=compute_perplexity))
    trainer.extend(extensions.PrintReport(
        ["epoch", "iteration", "perplexity", "val_perplexity", "elapsed_time"]))
    if not args.noprogress:
        trainer.extend(extensions.ProgressBar(update_interval=10))
    trainer.extend(extensions.snapshot(n_retains=1), trigger=(1, "epoch"))
    if args.resume is not None:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()

    lengths = updater.lengths
    compiles = backward_compiles()
    if compiles is not None:
        recurring = sum(1 for n in set(lengths) if lengths.count(n) > 1)
        print(f"# {len(lengths)} updates over {len(set(lengths))} BPTT lengths "
              f"({recurring} of them recurring): {compiles} backward graphs compiled, "
              "the rest ran op by op")
    return trainer


if __name__ == "__main__":
    main()
