"""What the GUI's Explore view shows, without Qt: the scatter of two objectives with the
front of that pair, a design's parameters as text and as `--set` values, the front as CSV
or HTML, which parameters matter (importance), and the designs of a running exploration
as they arrive. Rows are those of `Exploration.rows` (flat dicts: parameter paths, metric
names, status, violation, feasible, row)."""

from __future__ import annotations

import base64
import csv
import html
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from explorer.explore.evaluate import Design
from explorer.explore.objectives import METRICS
from explorer.explore.pareto import non_dominated
from explorer.units import PREFIXED_UNITS, binary_bytes, exact_quantity, percent, si

# Axis titles and units; a suite's network metrics are ratios to the starting design.
LABELS = {"latency_s": "latency", "throughput_per_s": "throughput", "energy_j": "energy",
          "edp_js": "energy-delay product", "memory_bytes": "peak memory",
          "utilisation": "utilisation", "cycles": "cycles", "area_mm2": "area"}
UNITS = {"latency_s": "s", "throughput_per_s": "/s", "energy_j": "J", "edp_js": "J·s",
         "memory_bytes": "B", "utilisation": "", "cycles": "", "area_mm2": "mm²"}


def is_suite(definition: dict) -> bool:
    return len(definition.get("networks", [])) > 1


def axis_label(metric: str, suite: bool) -> str:
    """'latency', 'area [mm²]', or for a suite 'latency (× start)'; a unit that takes SI
    prefixes (`axis_unit`) is left to the axis."""
    if suite and metric != "area_mm2":
        return f"{LABELS[metric]} (× start)"
    return "area [mm²]" if metric == "area_mm2" else LABELS[metric]


def axis_unit(metric: str, suite: bool) -> str:
    """The unit an axis prefixes itself (s, J, J·s, /s, B); '' for plain numbers."""
    if suite or metric in ("area_mm2", "utilisation", "cycles"):
        return ""
    return UNITS[metric]


def metric_text(metric: str, value: float, suite: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if suite and metric != "area_mm2":
        return f"{value:.3g}× start"
    if metric == "area_mm2":
        return f"{value:.3g} mm²"
    if metric == "memory_bytes":
        return binary_bytes(value)
    if metric == "utilisation":
        return percent(value)
    return si(value, UNITS[metric])


def value_text(value: Any) -> str:
    """A parameter value as `--set` takes it back exactly (floats by repr)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)


def param_text(value: Any, unit: str = "") -> str:
    """A parameter value for reading: sizes and frequencies with their exact prefix
    ('1 MiB', '700 MHz', as the forms write them), other values as `value_text`."""
    if unit in PREFIXED_UNITS and isinstance(value, int | float) and not isinstance(value, bool):
        return exact_quantity(value, unit)
    return value_text(value)


def param_units(definition: dict[str, Any]) -> dict[str, str]:
    """Each parameter's schema unit ('B', 'Hz', 'PE', '' for choices), read from the
    exploration's starting design (a path it no longer resolves gets '')."""
    from explorer.errors import ExplorerError
    from explorer.explore.space import field_facts
    from explorer.hardware.library import parse_accelerator

    try:
        acc = parse_accelerator(definition["accelerator"])
    except (ExplorerError, KeyError, TypeError):
        return {}
    units = {}
    for path, *_ in definition.get("params", []):
        try:
            units[path] = field_facts(acc, path).unit
        except ExplorerError:
            units[path] = ""
    return units


def fits_log(values: Sequence[float]) -> bool:
    """A log axis suits values that are all positive and span at least a decade."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return bool(finite) and bool(min(finite) > 0 and max(finite) / min(finite) >= 10)


@dataclass
class Scatter:
    """The points of one objective pair: feasible designs (x, y, colour, their row
    numbers, and whether each is on the pair's front) and the count left out."""

    x_metric: str
    y_metric: str
    colour_metric: str | None
    x: np.ndarray
    y: np.ndarray
    colour: np.ndarray
    rows: list[int]
    front: np.ndarray  # bool per point: non-dominated in (x, y) among the feasible
    infeasible: int = 0
    log_x: bool = False
    log_y: bool = False

    def front_order(self) -> np.ndarray:
        """Indices of the front's points by increasing x (a staircase to draw)."""
        idx = np.flatnonzero(self.front)
        return idx[np.argsort(self.x[idx], kind="stable")]


def scatter(rows: list[dict[str, Any]], x: str, y: str, colour: str | None = None) -> Scatter:
    """The feasible designs with finite x and y; the front is that of the shown pair
    (each objective in its own direction: throughput and utilisation are maximised)."""
    keep = [r for r in rows if r.get("feasible") and _finite(r.get(x)) and _finite(r.get(y))]
    xs = np.array([float(r[x]) for r in keep], dtype=float)
    ys = np.array([float(r[y]) for r in keep], dtype=float)
    cs = np.array([float(r.get(colour, math.nan)) if colour else math.nan for r in keep],
                  dtype=float)
    front = np.zeros(len(keep), dtype=bool)
    if keep:
        front[non_dominated(np.column_stack([METRICS[x] * xs, METRICS[y] * ys]))] = True
    return Scatter(x, y, colour, xs, ys, cs, [int(r["row"]) for r in keep], front,
                   infeasible=len(rows) - len(keep), log_x=fits_log(xs), log_y=fits_log(ys))


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def design_values(row: dict[str, Any], params: list[str]) -> dict[str, str]:
    """{path: value} of one design, as `--set` (and the accelerator form) takes them."""
    return {p: value_text(row[p]) for p in params}


def design_text(row: dict[str, Any], params: list[str], metrics: Sequence[str],
                suite: bool = False, units: dict[str, str] | None = None) -> str:
    """What hovering over a design shows: its parameters (with their units, `param_units`),
    then its objectives."""
    units = units or {}
    lines = [f"{p} = {param_text(row[p], units.get(p, ''))}" for p in params]
    lines += [f"{LABELS[m]}: {metric_text(m, row.get(m, math.nan), suite)}" for m in metrics]
    if row.get("violation"):
        lines.append(f"violates: {row['violation']}")
    if row.get("status", "ok") != "ok":
        lines.append(f"not estimated: {row['status']}")
    return "\n".join(lines)


# -- export -----------------------------------------------------------------------------
def front_table(rows: list[dict[str, Any]], front: list[int], params: list[str]
                ) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of the front: row number, parameters, every metric."""
    by_row = {int(r["row"]): r for r in rows}
    header = ["row", *params, *METRICS]
    table = [[r, *(by_row[r][p] for p in params), *(by_row[r].get(m, math.nan)
                                                    for m in METRICS)] for r in front]
    return header, table


def front_csv(rows: list[dict[str, Any]], front: list[int], params: list[str],
              path: str | Path) -> None:
    header, table = front_table(rows, front, params)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([[value_text(v) if not isinstance(v, float) else repr(v)
                           for v in line] for line in table])


# The front report's plot width in CSS pixels (1/96 in); the GUI renders the plot for it
# at print resolution (explorer.gui.export.plot_image).
FRONT_IMAGE_WIDTH_PX = 700


def front_html(rows: list[dict[str, Any]], front: list[int], definition: dict,
               path: str | Path, image_png: bytes | None = None, title: str = "") -> None:
    """A self-contained HTML report: what was explored, the scatter, the front's table."""
    params = [p for p, _, _ in definition["params"]]
    suite = is_suite(definition)
    header, table = front_table(rows, front, params)
    networks = ", ".join(name for name, _ in definition.get("networks", []))
    objectives = ", ".join(LABELS[m] for m in definition.get("objectives", []))
    title = title or f"Pareto front: {networks}"
    parts = [f"<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
             "<style>body{font-family:sans-serif} td,th{padding:2px 8px} "
             "td{text-align:right}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f"<p>{len(rows)} designs explored with {html.escape(definition.get('estimator', ''))}"
             f"; objectives: {html.escape(objectives)}; constraints: "
             f"{html.escape(', '.join(definition.get('constraints', [])) or 'none')}; "
             f"{len(front)} designs on the front.</p>"]
    if image_png:
        src = "data:image/png;base64," + base64.b64encode(image_png).decode("ascii")
        parts.append(f"<p><img src=\"{src}\" width=\"{FRONT_IMAGE_WIDTH_PX}\"></p>")
    parts.append("<table border=\"1\" cellspacing=\"0\"><tr>" + "".join(
        f"<th>{html.escape(h if h in params or h == 'row' else LABELS[h])}</th>"
        for h in header) + "</tr>")
    for line in table:
        cells = [str(line[0])] + [value_text(v) for v in line[1:1 + len(params)]]
        cells += [metric_text(m, v, suite) for m, v in zip(METRICS, line[1 + len(params):])]
        parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table></body></html>")
    Path(path).write_text("\n".join(parts), encoding="utf-8")


# -- importance -------------------------------------------------------------------------
def importance(rows: list[dict[str, Any]], params: list[str], metric: str, *,
               seed: int = 0) -> dict[str, float]:
    """How much each parameter matters to `metric` over the explored designs: the
    permutation importance (scikit-learn) of a random forest fitted to log10 of the
    metric (parameters as numbers; choices as their position), normalised to sum 1.
    {} when fewer than 8 estimated designs or the metric does not vary."""
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.inspection import permutation_importance

    usable = [r for r in rows if r.get("status") == "ok" and _finite(r.get(metric))
              and r[metric] > 0]
    if len(usable) < 8:
        return {}
    target = np.log10([r[metric] for r in usable])
    if np.ptp(target) == 0:
        return {}
    columns = []
    for p in params:
        values = [r[p] for r in usable]
        if all(isinstance(v, int | float) for v in values):
            column = np.array(values, dtype=float)
            if column.min() > 0 and column.max() / column.min() >= 8:
                column = np.log2(column)  # sizes and array dimensions grow by factors
        else:
            order = sorted({str(v) for v in values})
            column = np.array([order.index(str(v)) for v in values], dtype=float)
        columns.append(column)
    features = np.column_stack(columns)
    forest = RandomForestRegressor(n_estimators=60, random_state=seed, n_jobs=1,
                                   min_samples_leaf=2).fit(features, target)
    result = permutation_importance(forest, features, target, n_repeats=5,
                                    random_state=seed, n_jobs=1)
    scores = np.clip(result.importances_mean, 0.0, None)
    total = float(scores.sum())
    if total <= 0:
        return {p: 0.0 for p in params}
    return {p: float(s) / total for p, s in zip(params, scores)}


# -- a running exploration --------------------------------------------------------------
@dataclass
class LiveRows:
    """Designs of a running exploration as they finish, as flat rows (thread-safe: the
    exploration's thread adds, the view's timer takes a snapshot)."""

    params: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    done: int = 0
    total: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _version: int = 0

    def add(self, done: int, total: int, design: Design) -> None:
        row: dict[str, Any] = dict(zip(self.params, design.values))
        row |= dict(design.metrics)
        row |= {"status": design.status, "violation": design.violation,
                "feasible": design.feasible}
        with self._lock:
            row["row"] = len(self.rows)
            self.rows.append(row)
            self.done, self.total = done, total
            self._version += 1

    def snapshot(self) -> tuple[int, list[dict[str, Any]], int, int]:
        """(version, rows, done, total): a changed version means new designs."""
        with self._lock:
            return self._version, list(self.rows), self.done, self.total


def exploration_operation(spec: Any, path: str | Path, live: LiveRows, *, workers: int = 1,
                          stop: threading.Event | None = None) -> Any:
    """An `explorer.session.Operation` that runs `explore(spec, path)` (in the GUI: in
    the window's worker), putting every design into `live` as it finishes and ending
    with the file read back (`Exploration`). `stop` (or the runner's cancel) stops it
    between designs; the file keeps what was done and a rerun resumes it."""
    from explorer.explore.run import explore
    from explorer.explore.store import load_exploration
    from explorer.session.operations import Operation, callback_steps

    def steps(cancel: Any) -> Any:
        def work(progress: Any, cancelled: Any) -> Any:
            def step(done: int, total: int, design: Design) -> None:
                live.add(done, total, design)
                progress(done, total, f"design {done}/{total}")

            explore(spec, path, workers=workers, progress=step, cancel=cancelled)
            return load_exploration(path)

        def cancelled() -> bool:
            return cancel() or (stop is not None and stop.is_set())

        return (yield from callback_steps(work, cancelled))

    names = ", ".join(n.name for n in spec.networks)
    return Operation("explore", f"Exploring {names} ({spec.strategy})", steps,
                     lambda _exploration: None)
