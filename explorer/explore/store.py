"""The exploration file: the record store (explorer.store) laid out for designs, and the
Qt-free readers a view or a notebook calls (rows, the front, a pandas DataFrame).

Layout (docs/sweep-format.md): `points/<parameter path>` (int64, float64 or str),
`results/<metric>` (float64), `results/status`, `results/violation` (str),
`results/runtime_s`, per network of a suite `networks/<name>/<metric>`, for one network
`layers/latency_s` (rows × layers) with `layers/names`, `records/crc32`, and the derived
`front/rows` (row numbers of the feasible non-dominated designs, recomputed at every
commit). Root attributes: `format`, `format_version`, `kind`, `definition` (JSON), `rows`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from explorer.explore.evaluate import Design
from explorer.explore.objectives import METRICS, NETWORK_METRICS, minimised
from explorer.explore.pareto import non_dominated
from explorer.store import Column, RecordStore, StoreError

KIND = "exploration"
FRONT_PATH = "front/rows"


def columns_for(definition: dict) -> list[Column]:
    cols = [Column(f"points/{path}", kind) for path, kind, _ in definition["params"]]
    cols += [Column("records/index", "int"), Column("results/status", "str"), Column("results/violation", "str"),
             Column("results/runtime_s", "float")]
    cols += [Column(f"results/{m}", "float") for m in METRICS]
    names = [name for name, _ in definition["networks"]]
    if len(names) > 1:
        cols += [Column(f"networks/{n}/{m}", "float") for n in names for m in NETWORK_METRICS]
    elif definition.get("layers"):
        cols.append(Column("layers/latency_s", "floats", len(definition["layers"])))
    return cols


class ExplorationStore(RecordStore):
    """A RecordStore of designs that keeps `front/rows` up to date at every commit."""

    def __init__(self, path: str | Path, definition: dict | None = None, *,
                 readonly: bool = False, recover: bool = False, **kwargs: Any) -> None:
        attrs = None
        columns = None
        self._use(definition or {})  # the base class may commit while it opens
        if definition is not None:
            attrs = {"definition": json.dumps(definition, sort_keys=True)}
            columns = columns_for(definition)
        super().__init__(path, kind=KIND, columns=columns, attrs=attrs, readonly=readonly,
                         recover=recover, **kwargs)
        stored = json.loads(self.attrs.get("definition", "{}"))
        if definition is not None and stored != definition:
            self.close(commit=False)
            raise StoreError(f"{self.path}: holds a different sweep or exploration (other "
                             "networks, accelerator, estimator, parameters, objectives or "
                             "constraints); choose another file")
        self._use(stored)

    def _use(self, definition: dict) -> None:
        self.definition = definition
        self.params = [path for path, _, _ in definition.get("params", [])]
        self.objectives: list[str] = definition.get("objectives", ["latency_s"])

    def add(self, design: Design) -> int:
        record: dict[str, Any] = {f"points/{p}": v for p, v in zip(self.params, design.values)}
        record |= {"records/index": design.index, "results/status": design.status, "results/violation": design.violation,
                   "results/runtime_s": design.seconds}
        record |= {f"results/{m}": design.metrics.get(m, math.nan) for m in METRICS}
        names = [name for name, _ in self.definition["networks"]]
        if len(names) > 1:
            for name, metrics in zip(names, design.per_network):
                record |= {f"networks/{name}/{m}": metrics.get(m, math.nan)
                           for m in NETWORK_METRICS}
        elif self.definition.get("layers"):
            record["layers/latency_s"] = [design.layer_latency_s.get(n, math.nan)
                                          for n in self.definition["layers"]]
        return self.append(record)

    def commit(self) -> None:
        self.extras[FRONT_PATH] = front_rows(self.rows(), self.objectives)
        if self.definition.get("layers"):
            self.extras["layers/names"] = np.array(self.definition["layers"], dtype=object)
        super().commit()

    def rows(self) -> list[dict[str, Any]]:
        """Every design as a flat dict: parameter paths, metric names, status, violation,
        feasible, row."""
        out = []
        for row, record in enumerate(self.records()):
            flat: dict[str, Any] = {"row": row}
            for key, value in record.items():
                group, _, name = key.partition("/")
                if group in ("points", "results", "records"):
                    flat[name] = value
                elif group == "networks":
                    flat[name.replace("/", ".")] = value
            flat["feasible"] = flat["status"] == "ok" and not flat["violation"]
            out.append(flat)
        return out


def front_rows(rows: list[dict[str, Any]], objectives: list[str]) -> np.ndarray:
    feasible = [r for r in rows if r["feasible"]]
    if not feasible:
        return np.zeros(0, dtype=np.int64)
    vectors = np.array([minimised(r, objectives) for r in feasible], dtype=float)
    return np.array([feasible[i]["row"] for i in non_dominated(vectors)], dtype=np.int64)


@dataclass
class Exploration:
    """A stored exploration or sweep, read-only: what `explore --show` and a view use."""

    path: Path
    definition: dict
    rows: list[dict[str, Any]]

    @property
    def params(self) -> list[str]:
        return [path for path, _, _ in self.definition["params"]]

    @property
    def objectives(self) -> list[str]:
        return list(self.definition.get("objectives", ["latency_s"]))

    def front(self) -> list[dict[str, Any]]:
        """The feasible non-dominated designs, best first by the first objective."""
        rows = [self.rows[i] for i in front_rows(self.rows, self.objectives)]
        first = self.objectives[0]
        return sorted(rows, key=lambda r: METRICS[first] * r[first])

    def table(self, front_only: bool = False):
        """The designs as a pandas DataFrame (one row per design)."""
        import pandas as pd

        return pd.DataFrame(self.front() if front_only else self.rows)


def load_exploration(path: str | Path, *, recover: bool = False) -> Exploration:
    """Read an exploration or sweep file (committed records and the journal) without
    locking it; damaged records raise unless `recover` (then they are skipped)."""
    store = ExplorationStore(path, readonly=True, recover=recover)
    try:
        return Exploration(Path(path), store.definition, store.rows())
    finally:
        store.close()
