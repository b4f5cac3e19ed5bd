"""Array manipulation: shapes, broadcasting, indexing, joining, splitting,
padding, tiling and resampling. One module per function, as in Chainer
(`kusari.functions.array.pad_sequence.pad_sequence`); every one is made of
registry ops, so it differentiates to any order."""
from __future__ import annotations

__all__ = ['as_strided', 'broadcast', 'broadcast_to', 'cast', 'concat', 'copy',
           'depth2space', 'diagonal', 'dstack', 'expand_dims', 'flatten', 'flip', 'fliplr',
           'flipud', 'get_item', 'hstack', 'identity', 'im2col', 'moveaxis', 'pad',
           'pad_sequence', 'permutate', 'repeat', 'reshape', 'resize_images', 'rollaxis',
           'scatter_add', 'select_item', 'separate', 'space2depth',
           'spatial_transformer_grid', 'spatial_transformer_sampler', 'split_axis',
           'squeeze', 'stack', 'sum_to', 'swapaxes', 'tile', 'transpose',
           'transpose_sequence', 'vstack', 'where']

from .as_strided import as_strided
from .broadcast import broadcast, broadcast_to
from .cast import cast
from .concat import concat
from .copy import copy
from .depth2space import depth2space
from .diagonal import diagonal
from .dstack import dstack
from .expand_dims import expand_dims
from .flatten import flatten
from .flip import flip
from .fliplr import fliplr
from .flipud import flipud
from .get_item import get_item
from .hstack import hstack
from .identity import identity
from .im2col import im2col
from .moveaxis import moveaxis
from .pad import pad
from .pad_sequence import pad_sequence
from .permutate import permutate
from .repeat import repeat
from .reshape import reshape
from .resize_images import resize_images
from .rollaxis import rollaxis
from .scatter_add import scatter_add
from .select_item import select_item
from .separate import separate
from .space2depth import space2depth
from .spatial_transformer_grid import spatial_transformer_grid
from .spatial_transformer_sampler import spatial_transformer_sampler
from .split_axis import split_axis
from .squeeze import squeeze
from .stack import stack
from .sum_to import sum_to
from .swapaxes import swapaxes
from .tile import tile
from .transpose import transpose
from .transpose_sequence import transpose_sequence
from .vstack import vstack
from .where import where
