"""Choosing representatives from a dense candidate set (a measurement pool).

On a device whose plateaus are short, tilted and noisy (a GPU at batch 1), mapping each
configuration to the upper end of its plateau picks configurations the pool does not
hold, and a plateau end stands for little. What still holds from the Performance-
Representatives idea: measure one configuration per group of configurations the
device's kernels treat alike. Groups are clusters in the model's own feature space
(tiles, waves, alignment, the PR-mapped sizes), so the sample covers the space the model
has to learn evenly, where a random sample crowds into the most common shapes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explorer.learned.configs import LayerConfig
from explorer.learned.features import LayerFeaturizer, config_matrix


def coverage_representatives(candidates: Sequence[LayerConfig], count: int, *,
                             rules: Sequence[dict] | None = None,
                             block: tuple[int, int] | None = None, sms: int | None = None,
                             seed: int = 0) -> list[LayerConfig]:
    """`count` candidates, one per k-means cluster of the standardised features: the
    member nearest each cluster's centre. Deterministic in `seed`."""
    from sklearn.cluster import KMeans

    candidates = list(candidates)
    if count >= len(candidates):
        return candidates
    if count <= 0:
        return []
    X = config_matrix(candidates)
    features = LayerFeaturizer(rules=rules, block=block, sms=sms).fit(X).transform(X)
    scale = features.std(axis=0)
    features = (features - features.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    km = KMeans(n_clusters=count, n_init=1, max_iter=50, random_state=seed).fit(features)
    distances = km.transform(features)
    taken: set[int] = set()
    out: list[LayerConfig] = []
    for cluster in range(count):
        for index in np.argsort(distances[:, cluster]):
            if int(index) not in taken:
                taken.add(int(index))
                out.append(candidates[int(index)])
                break
    return out
