"""Non-dominated sets and hypervolume, for objective vectors that are all minimised."""

from __future__ import annotations

import numpy as np


def non_dominated(points: np.ndarray) -> np.ndarray:
    """Indices of the rows of `points` (n × m, minimised) no other row dominates.
    Duplicates of a front point are all kept. Rows with NaN are never on the front."""
    points = np.asarray(points, dtype=float)
    if points.size == 0:
        return np.zeros(0, dtype=int)
    valid = np.flatnonzero(np.all(np.isfinite(points), axis=1))
    candidates = points[valid]
    order = np.lexsort(candidates.T[::-1])  # by the first objective, then the next...
    front: list[int] = []
    for i in order:
        p = candidates[i]
        if front:
            kept = candidates[front]
            dominated = np.any(np.all(kept <= p, axis=1) & np.any(kept < p, axis=1))
            if dominated:
                continue
        front.append(i)
    return np.sort(valid[front])


def hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    """The volume dominated by `points` and bounded by `reference` (all minimised).
    Exact, by slicing along the last objective (fine for fronts of a few hundred)."""
    points = np.asarray(points, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if points.size == 0:
        return 0.0
    points = points[np.all(points < reference, axis=1)]
    if len(points) == 0:
        return 0.0
    points = points[non_dominated(points)]
    return _hv(points, reference)


def _hv(points: np.ndarray, reference: np.ndarray) -> float:
    m = points.shape[1]
    if m == 1:
        return float(reference[0] - points[:, 0].min())
    if m == 2:
        order = np.argsort(points[:, 0])
        volume, best_y = 0.0, reference[1]
        for x, y in points[order]:
            if y < best_y:
                volume += (reference[0] - x) * (best_y - y)
                best_y = y
        return float(volume)
    order = np.argsort(points[:, -1])
    levels = points[order]
    volume = 0.0
    for k in range(len(levels)):
        top = levels[k + 1, -1] if k + 1 < len(levels) else reference[-1]
        depth = top - levels[k, -1]
        if depth <= 0:
            continue
        slice_points = levels[: k + 1, :-1]
        volume += depth * _hv(slice_points[non_dominated(slice_points)], reference[:-1])
    return float(volume)
