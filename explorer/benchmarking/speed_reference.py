"""How fast the machine is right now, for evaluations on a shared machine that drifts.

On the 2-core VM of this project's CPU figures resnet50 measured 57.9 ms and, two hours
later on the same idle machine, 41.6 ms; layers measured again a minute later ran 11 %
faster (docs/validation/pr.md, "A machine that drifts"). A campaign spans many minutes and
a network is measured in seconds, so their comparison mixes model error with the
machine's changing speed. A speed reference separates the two: three fixed layers (a
compute-bound convolution, a fully connected layer reading its weights from the cache, a
memory-bound addition) measured every `interval_s` while the evaluation measures, and
around each network. The speed index at a time is the geometric mean of the reference
layers' times then over their medians over the run: 1.1 means 10 % slower than usual.

Evaluation reports its figures both as measured and with every latency divided by the
index of its moment (a model trained on normalized latencies, compared with normalized
truths); nothing here is fitted to a network or a test layer.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from explorer.benchmarking.devices.base import Device
from explorer.learned.configs import LayerConfig

REFERENCE_LAYERS = (
    LayerConfig(kind="conv", op="Conv", in_channels=128, in_h=28, in_w=28, out_channels=128,
                kernel_h=3, kernel_w=3, pad_top=1, pad_left=1, pad_bottom=1, pad_right=1,
                activation="Relu"),
    LayerConfig(kind="matmul", op="Gemm", m=1, k=2048, n=2048),
    LayerConfig(kind="eltwise", op="Add", in_channels=64, in_h=56, in_w=56, num_inputs=2),
)
NEAR_S = 300.0  # a measurement further than this from every reference point gets no index


@dataclass
class SpeedReference:
    """Reference points [(unix time, [seconds per reference layer])], kept in `path` (a
    JSON file beside the evaluation's cache) so that a resumed evaluation keeps them."""

    device: Device | None  # measures the reference layers (never through a cache)
    path: Path | None = None
    interval_s: float = 30.0
    points: list[tuple[float, list[float]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.path is not None and self.path.exists():
            try:
                self.points = [(float(t), [float(x) for x in v])
                               for t, v in json.loads(self.path.read_text(encoding="utf-8"))]
            except (ValueError, TypeError, OSError):
                self.points = []  # unreadable: start a new series; the cache is intact

    def measure_now(self) -> float:
        """Measure the reference layers; returns the time of the point."""
        times = [self.device.measure(c).latency_s for c in REFERENCE_LAYERS]
        stamp = time.time()
        self.points.append((stamp, times))
        self.points.sort()
        self.__dict__.pop("_series", None)
        if self.path is not None:
            self.path.write_text(json.dumps(self.points), encoding="utf-8")
        return stamp

    def maybe_measure(self) -> None:
        """A new point when the last one is older than `interval_s`."""
        if not self.points or time.time() - self.points[-1][0] > self.interval_s:
            self.measure_now()

    @functools.cached_property
    def _series(self) -> tuple[list[float], list[float]]:
        """(times, speed index) of the points; dropped by `measure_now` when a point
        comes, since every index is relative to the medians over all points."""
        medians = [statistics.median(v[i] for _, v in self.points)
                   for i in range(len(REFERENCE_LAYERS))]
        index = [math.exp(sum(math.log(x / m) for x, m in zip(v, medians)) / len(medians))
                 for _, v in self.points]
        return [t for t, _ in self.points], index

    def index_at(self, when: float) -> float | None:
        """The speed index at unix time `when` (linear between the nearest points), or
        None when no point lies within NEAR_S of it."""
        if not self.points:
            return None
        stamps, index = self._series
        right = bisect.bisect_left(stamps, when)
        if right == 0 or right == len(stamps):
            nearest = 0 if right == 0 else len(stamps) - 1
            return index[nearest] if abs(stamps[nearest] - when) <= NEAR_S else None
        left = right - 1
        if min(when - stamps[left], stamps[right] - when) > NEAR_S:
            return None
        span = stamps[right] - stamps[left]
        w = (when - stamps[left]) / span if span > 0 else 0.0
        return index[left] * (1 - w) + index[right] * w

    def summary(self) -> dict:
        if not self.points:
            return {"points": 0}
        values = [self.index_at(t) for t, _ in self.points]
        return {"points": len(self.points), "layers": [f"{c.kind} {c.op}" for c in REFERENCE_LAYERS],
                "index_min": round(min(values), 4), "index_max": round(max(values), 4),
                "span_minutes": round((self.points[-1][0] - self.points[0][0]) / 60, 1)}
