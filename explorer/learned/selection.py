"""Choosing representatives from a dense candidate set (a measurement pool).

On a device whose plateaus are short, tilted and noisy (a GPU at batch 1), mapping each
configuration to the upper end of its plateau picks configurations the pool does not
hold, and a plateau end stands for little. What still holds from the Performance-
Representatives idea: measure one configuration per group of configurations the
device's kernels treat alike. Groups are clusters in the model's own feature space
(tiles, waves, alignment, the PR-mapped sizes), so the sample covers the space the model
has to learn evenly, where a random sample crowds into the most common shapes. A
campaign takes them in two rounds: the second weights the clusters by the uncertainty of
a model fitted on the first (`uncertainty_weights`), so that representatives go where the
model is unsure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explorer.learned.configs import LayerConfig
from explorer.learned.features import LayerFeaturizer, config_matrix


def coverage_representatives(candidates: Sequence[LayerConfig], count: int, *,
                             rules: Sequence[dict] | None = None,
                             block: tuple[int, int] | None = None, sms: int | None = None,
                             seed: int = 0, weights: np.ndarray | None = None
                             ) -> list[LayerConfig]:
    """`count` candidates, one per k-means cluster of the standardised features: the
    member nearest each cluster's centre. `weights` (one per candidate) pull clusters
    towards heavy candidates. Deterministic in `seed`."""
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
    km = KMeans(n_clusters=count, n_init=1, max_iter=50, random_state=seed).fit(
        features, sample_weight=weights)
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


def uncertainty_weights(model, candidates: Sequence[LayerConfig]) -> np.ndarray:
    """Squared width of the model's 90 % interval in log space per candidate: where the
    trees disagree, the next representatives are worth most."""
    low, high = model.predict_interval(config_matrix(candidates), 0.9)
    return (np.log(np.maximum(high, 1e-15) / np.maximum(low, 1e-15)) + 1e-3) ** 2
