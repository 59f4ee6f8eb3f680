"""The Explore view's Qt-free data (explorer.explore.view_data): the scatter and the front
of a shown pair, a design's values and hover text, the front's CSV/HTML, importance, the
rows of a running exploration."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from explorer.explore import Spec, explore, load_exploration, parse_param
from explorer.explore.view_data import (
    LiveRows,
    design_text,
    design_values,
    exploration_operation,
    fits_log,
    front_csv,
    front_html,
    importance,
    param_units,
    scatter,
)
from explorer.hardware.library import load_accelerator
from explorer.hardware.overrides import apply_overrides
from explorer.workload import load_network

PARAMS = ["compute.pe_rows=8:64:2:log", "compute.pe_cols=8,32", "compute.dataflow=ws,os"]


@pytest.fixture(scope="module")
def acc():
    return load_accelerator("systolic")


@pytest.fixture(scope="module")
def spec(acc):
    return Spec([load_network("squeezenet")], acc, [parse_param(t, acc) for t in PARAMS],
                objectives=["latency_s", "area_mm2"], estimator="roofline")


@pytest.fixture(scope="module")
def exploration(spec, tmp_path_factory):
    path = tmp_path_factory.mktemp("explore") / "grid.h5"
    explore(spec, path)
    return load_exploration(path)


def brute_front(points: list[tuple[float, float]]) -> set[int]:
    return {i for i, p in enumerate(points)
            if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in points)}


def test_scatter_front_is_the_non_dominated_set_of_the_pair(exploration):
    data = scatter(exploration.rows, "latency_s", "area_mm2", "energy_j")
    assert len(data.x) == 16 and data.infeasible == 0
    points = list(zip(data.x.tolist(), data.y.tolist()))
    assert set(np.flatnonzero(data.front).tolist()) == brute_front(points)
    assert list(data.x[data.front_order()]) == sorted(data.x[data.front])
    # a maximised objective flips its direction: the fastest design is on both fronts
    up = scatter(exploration.rows, "throughput_per_s", "area_mm2")
    fastest = int(np.argmax(up.x))
    assert up.front[fastest]


def test_infeasible_designs_are_left_out_and_counted(exploration):
    rows = [dict(r) for r in exploration.rows]
    rows[0]["feasible"] = False
    rows[1]["latency_s"] = math.nan
    data = scatter(rows, "latency_s", "area_mm2")
    assert len(data.x) == 14 and data.infeasible == 2
    assert 0 not in data.rows and 1 not in data.rows


def test_log_axes_only_for_positive_values_spanning_a_decade():
    assert fits_log([1e-3, 2e-2]) and not fits_log([1.0, 9.0])
    assert not fits_log([0.0, 100.0]) and not fits_log([])


def test_design_values_apply_back_to_the_same_design(exploration, acc):
    row = exploration.front()[0]
    params = exploration.params
    values = design_values(row, params)
    applied = apply_overrides(acc, [f"{k}={v}" for k, v in values.items()])
    assert applied.compute.pe_rows == row["compute.pe_rows"]
    assert applied.compute.dataflow.value == row["compute.dataflow"]
    text = design_text(row, params, ["latency_s", "area_mm2"])
    assert f"compute.pe_rows = {row['compute.pe_rows']}" in text
    assert "latency: " in text and "s\n" in text and "mm²" in text


def test_front_csv_and_html_hold_exactly_the_front(exploration, tmp_path):
    front = [int(r["row"]) for r in exploration.front()]
    path = tmp_path / "front.csv"
    front_csv(exploration.rows, front, exploration.params, path)
    with open(path, newline="") as f:
        table = list(csv.DictReader(f))
    assert [int(r["row"]) for r in table] == front
    assert float(table[0]["latency_s"]) == exploration.rows[front[0]]["latency_s"]
    html_path = tmp_path / "front.html"
    front_html(exploration.rows, front, exploration.definition, html_path, b"\x89PNG")
    text = html_path.read_text()
    assert text.count("<tr>") == len(front) + 1 and "data:image/png;base64," in text


def test_importance_finds_the_parameter_that_drives_the_objective():
    rng = np.random.default_rng(0)
    rows = []
    for i in range(200):
        a, b, c = (int(v) for v in rng.choice([1, 2, 4, 8, 16, 32], 3))
        rows.append({"row": i, "a": a, "b": b, "kind": "x" if c > 4 else "y",
                     "status": "ok", "m": a ** 2 * (1 + 0.01 * b)})
    scores = importance(rows, ["a", "b", "kind"], "m")
    assert scores["a"] > 0.9 and abs(sum(scores.values()) - 1) < 1e-9
    assert importance(rows[:5], ["a"], "m") == {}


def test_live_rows_and_the_operation_stream_designs(spec, tmp_path):
    live = LiveRows([p.path for p in spec.params])
    op = exploration_operation(spec, tmp_path / "live.h5", live)
    seen = []
    exploration = op.compute(progress=lambda d, t, w: seen.append((d, t)))
    version, rows, done, total = live.snapshot()
    assert done == total == 16 and len(rows) == 16 and version == 16
    assert seen[-1] == (16, 16)
    assert [r["compute.pe_rows"] for r in rows] == \
        [r["compute.pe_rows"] for r in exploration.rows]


def test_hover_text_gives_sizes_with_their_unit(exploration):
    """The hover showed memories.*.size_bytes = 1048576; the value is read with its unit,
    from the schema field of the exploration's starting design."""
    units = param_units(exploration.definition)
    assert units["compute.pe_rows"] == "PE" and units["compute.dataflow"] == ""
    row = dict(exploration.front()[0], **{"memories.ifmap_sram.size_bytes": 1048576})
    params = [*exploration.params, "memories.ifmap_sram.size_bytes"]
    text = design_text(row, params, ["latency_s"],
                       units={**units, "memories.ifmap_sram.size_bytes": "B"})
    assert "memories.ifmap_sram.size_bytes = 1 MiB" in text
