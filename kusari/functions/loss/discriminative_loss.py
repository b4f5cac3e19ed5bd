"""F.discriminative_margin_based_clustering_loss (De Brabandere et al. 2017)."""
from __future__ import annotations

import numpy as np

from .._core import call, host, sent, var
from ._ops import reshape, rsum, safe_sqrt


def discriminative_margin_based_clustering_loss(embeddings, labels, delta_v, delta_d,
                                                max_embedding_dim, norm=1, alpha=1.0,
                                                beta=1.0, gamma=0.001):
    """(alpha * variance term, beta * distance term, gamma * regularization)
    of pixel embeddings (batch, D, H, W) against instance labels (batch, H, W)
    (instance c is label c + 1, 0 the background; D = max_embedding_dim
    instances): pixels are pulled within delta_v of their instance's mean,
    instance means pushed 2 delta_d apart, means kept small; `norm` 1 or 2."""
    if max_embedding_dim <= 0:
        raise ValueError("Max number of embeddings has to be positive!")
    if norm not in (1, 2):
        raise ValueError("For discriminative loss, norm can only be 1 or 2. Obtained the "
                         f"value : {norm}")
    emb = var(embeddings)
    labels = host(labels)             # (the masks are made here, then sent where emb is)
    assert max_embedding_dim == emb.shape[1]
    n, b = max_embedding_dim, emb.shape[0]

    def size(v, axis):                                 # the L1 or L2 norm over `axis`
        if norm == 1:
            return rsum(call("abs", v), axis)
        return safe_sqrt(rsum(v * v, axis))

    masks = np.stack([labels == c + 1 for c in range(n)])[:, :, None].astype(emb.dtype)
    spread = reshape(emb, (1,) + emb.shape)                         # (1, b, n, H, W)
    counts = masks.sum(axis=(2, 3, 4))                              # (n, b)
    pixels = np.maximum(masks.sum(axis=(1, 2, 3, 4)), 1)
    masks, counts, pixels = (var(sent(a, emb)) for a in
                             (masks, np.maximum(counts, 1)[:, :, None], pixels))
    means = rsum(spread * masks, (3, 4)) / counts
    l_reg = rsum(size(means, (1, 2))) / (n * b)
    off = (reshape(means, means.shape + (1, 1)) - spread) * masks
    l_var = call("relu", size(off, 2) - delta_v)
    l_var = rsum(l_var * l_var, (1, 2, 3)) / pixels
    l_var = rsum(l_var) / n
    l_dist, count = None, 0
    for ca in range(n):
        for cb in range(ca + 1, n):
            gap = call("relu", 2 * delta_d - size(means[ca] - means[cb], 1))
            term = rsum(gap * gap)
            l_dist = term if l_dist is None else l_dist + term
            count += 1
    if l_dist is None:                             # one instance: no pairs
        l_dist = l_var * 0.0
    l_dist = l_dist / max(count * b, 1)
    return l_var * alpha, l_dist * beta, l_reg * gamma
