"""Which assumptions decide the answer: elasticity of network latency and energy to each
numeric parameter of an accelerator description (issue 10 §3).

For a parameter x with network latency L(x), the elasticity is the relative change of L
per relative change of x, measured by a central difference over ±`step` (10 %):

    e = (L(x⁺) − L(x⁻)) / L(x) / ((x⁺ − x⁻) / x)

e = 1: latency grows in proportion (e.g. clock period); e = −1: inversely (a bandwidth a
memory-bound network is starved of); 0: the parameter does not matter here. Integers are
moved by at least 1 (16 PE rows → 14 and 18: the *realised* change is used), a value the
schema rejects on one side (a power-of-two field, a bound) leaves a one-sided difference,
and a parameter rejected on both sides is listed as such. Area figures and the format
version cannot change latency or energy and are not varied.

Qt-free: `sensitivity(network, accelerator)` returns rows a CLI table and the GUI's bar
chart both draw from.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from explorer.errors import ArchitectureError, EstimationError
from explorer.hardware.schema import Accelerator
from explorer.workload.network import Network

DEFAULT_STEP = 0.10
_SKIPPED_KEYS = {"format_version", "area"}  # cannot change latency or energy


@dataclass
class Elasticity:
    """One parameter's effect. `latency` / `energy` are elasticities (None when no valid
    neighbour exists or the base value is 0); `values` the perturbed values used."""

    parameter: str  # override path, e.g. compute.pe_rows or memories.scratchpad.banks
    value: float
    low: float | None
    high: float | None
    latency: float | None
    energy: float | None
    latency_low_s: float | None = None
    latency_high_s: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def numeric_parameters(acc: Accelerator) -> Iterator[tuple[str, float, bool]]:
    """(override path, value, is_integer) of every numeric field that is set."""
    from explorer.hardware.library import accelerator_to_data

    def walk(data: Any, path: str) -> Iterator[tuple[str, float, bool]]:
        if isinstance(data, dict):
            for key, value in data.items():
                if key in _SKIPPED_KEYS:
                    continue
                yield from walk(value, f"{path}.{key}" if path else key)
        elif isinstance(data, list):
            for item in data:
                if isinstance(item, dict) and "name" in item and path == "memories":
                    yield from walk(item, f"{path}.{item['name']}")
        elif isinstance(data, bool) or data is None:
            return
        elif isinstance(data, int | float):
            yield path, float(data), isinstance(data, int)

    yield from walk(accelerator_to_data(acc), "")


def _neighbours(value: float, integer: bool, step: float) -> tuple[float, float]:
    if not integer:
        return value * (1 - step), value * (1 + step)
    delta = max(1, round(abs(value) * step))
    return value - delta, value + delta


def sensitivity(network: Network, accelerator: Accelerator, estimator: str = "depgraph",
                step: float = DEFAULT_STEP, parameters: list[str] | None = None,
                progress: Callable[[int, int, str], None] | None = None) -> list[Elasticity]:
    """Elasticities of latency and energy for every numeric parameter (or only the override
    paths in `parameters`), sorted by the size of the latency elasticity (largest first),
    parameters without any effect last."""
    from explorer.estimators.registry import get_estimator
    from explorer.hardware.overrides import apply_overrides

    if not 0 < step < 1:
        raise EstimationError(f"sensitivity step {step}: must be in (0, 1)")

    def run(acc: Accelerator) -> tuple[float, float | None]:
        result = get_estimator(estimator).estimate(network, acc)
        return result.latency_s, result.energy_j

    base_latency, base_energy = run(accelerator)
    params = list(numeric_parameters(accelerator))
    if parameters is not None:
        unknown = sorted(set(parameters) - {path for path, _, _ in params})
        if unknown:
            raise EstimationError(f"sensitivity: {', '.join(unknown)}: not a numeric parameter "
                                  f"of {accelerator.name}")
        params = [p for p in params if p[0] in parameters]
    rows = []
    for i, (path, value, integer) in enumerate(params):
        if progress is not None:
            progress(i, len(params), path)
        low, high = _neighbours(value, integer, step)
        points: dict[float, tuple[float, float | None]] = {}
        rejected = []
        for x in (low, high):
            text = str(int(x)) if integer else repr(x)
            try:
                points[x] = run(apply_overrides(accelerator, [f"{path}={text}"]))
            except ArchitectureError:
                rejected.append(x)
        row = Elasticity(path, value, low if low in points else None,
                         high if high in points else None, None, None)
        if rejected:
            row.note = "schema rejects " + ", ".join(f"{x:g}" for x in rejected)
        if points and value != 0:
            xs = sorted(points)
            x0, x1 = (xs[0], xs[-1]) if len(xs) == 2 else (
                (xs[0], value) if xs[0] < value else (value, xs[0]))
            lat = {**points, value: (base_latency, base_energy)}
            rel_x = (x1 - x0) / value
            row.latency = _relative(lat[x1][0], lat[x0][0], base_latency) / rel_x
            if base_energy and lat[x1][1] is not None and lat[x0][1] is not None:
                row.energy = _relative(lat[x1][1], lat[x0][1], base_energy) / rel_x
            row.latency_low_s = points.get(low, (None,))[0]
            row.latency_high_s = points.get(high, (None,))[0]
        rows.append(row)
    if progress is not None:
        progress(len(params), len(params), "")

    def order(row: Elasticity) -> tuple[float, float, str]:
        lat = abs(row.latency) if row.latency is not None else -1.0
        en = abs(row.energy) if row.energy is not None else -1.0
        return (-lat, -en, row.parameter)

    return sorted(rows, key=order)


def _relative(high: float, low: float, base: float) -> float:
    diff = (high - low) / base if base else 0.0
    return 0.0 if math.isclose(diff, 0.0, abs_tol=1e-12) else diff


def bar_chart_data(rows: list[Elasticity], metric: str = "latency",
                   top: int | None = 15) -> tuple[list[str], list[float]]:
    """(labels, values) for a horizontal bar chart of one metric, largest effect first,
    parameters without a value left out: what the GUI's sensitivity view plots."""
    if metric not in ("latency", "energy"):
        raise ValueError(f"metric {metric!r}: latency or energy")
    kept = [(r.parameter, getattr(r, metric)) for r in rows if getattr(r, metric) is not None]
    kept.sort(key=lambda item: -abs(item[1]))
    kept = kept[:top] if top else kept
    return [k for k, _ in kept], [v for _, v in kept]
