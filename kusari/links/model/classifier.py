"""L.Classifier: a predictor with a loss (and accuracy) reported."""
from __future__ import annotations

from ... import reporter
from ...functions.evaluation.accuracy import accuracy
from ...functions.loss.softmax_cross_entropy import softmax_cross_entropy
from ...link import Chain


class Classifier(Chain):
    """forward(*args, **kwargs): the label t is args[label_key] (an int) or
    kwargs[label_key] (a str); the rest go to the predictor. Computes
    y = predictor(...), loss = lossfun(y, t) and, if compute_accuracy,
    accuracy = accfun(y, t); both are reported (kusari.report, under this
    link's name) and kept as attributes; returns the loss."""

    compute_accuracy = True

    def __init__(self, predictor, lossfun=softmax_cross_entropy, accfun=accuracy,
                 label_key=-1):
        if not isinstance(label_key, (int, str)):
            raise TypeError(f"label_key must be int or str, but is {type(label_key)}")
        super().__init__()
        self.lossfun = lossfun
        self.accfun = accfun
        self.y = None
        self.loss = None
        self.accuracy = None
        self.label_key = label_key
        with self.init_scope():
            self.predictor = predictor

    def forward(self, *args, **kwargs):
        if isinstance(self.label_key, int):
            if not -len(args) <= self.label_key < len(args):
                raise ValueError(f"Label key {self.label_key} is out of bounds")
            t = args[self.label_key]
            if self.label_key == -1:
                args = args[:-1]
            else:
                args = args[:self.label_key] + args[self.label_key + 1:]
        else:
            if self.label_key not in kwargs:
                raise ValueError(f'Label key "{self.label_key}" is not found')
            t = kwargs.pop(self.label_key)
        self.y = None
        self.loss = None
        self.accuracy = None
        self.y = self.predictor(*args, **kwargs)
        self.loss = self.lossfun(self.y, t)
        reporter.report({"loss": self.loss}, self)
        if self.compute_accuracy:
            self.accuracy = self.accfun(self.y, t)
            reporter.report({"accuracy": self.accuracy}, self)
        return self.loss
