"""The public Python API (`import explorer`): names, results as DataFrames, overrides and
sweeps, checked against the CLI's numbers."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import explorer
from explorer.estimators.base import LAYER_COLUMNS, LayerEstimate, NetworkEstimate
from explorer.sweep import RESULT_FIELDS, read_sweep

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def squeezenet():
    return explorer.load_network("squeezenet")


@pytest.fixture(scope="module")
def depgraph_result(squeezenet):
    return explorer.estimate(squeezenet, "gemmini", estimator="depgraph")


def test_every_public_name_resolves_and_is_documented() -> None:
    assert sorted(explorer.__all__) == explorer.__all__
    for name in explorer.__all__:
        value = getattr(explorer, name)
        if name != "__version__":
            assert (value.__doc__ or "").strip(), f"explorer.{name} has no docstring"
    assert explorer.__version__ == __import__("explorer.version").version.__version__
    assert isinstance(explorer.sweep, type(explorer.estimate))  # not the submodule


# The session's analyses (issue 15: per-op summaries, breakdowns, A/B deltas), exported as
# the very objects the CLI and the window use, so that the three cannot drift apart.
ANALYSES = {"explorer.session.analysis": ["ABComparison", "DeltaLayer", "OpSummary",
                                          "ab_compare", "area_breakdown", "graph_layout",
                                          "layer_detail", "op_summary", "top_layers"],
            "explorer.session.levels": ["LevelTotal", "level_breakdown"],
            "explorer.session.state": ["Session"]}


def test_session_and_its_analyses_are_public() -> None:
    import importlib

    for module, names in ANALYSES.items():
        for name in names:
            assert name in explorer.__all__, name
            assert getattr(explorer, name) is getattr(importlib.import_module(module), name)
            assert name in dir(explorer)


def test_import_explorer_stays_cheap() -> None:
    code = ("import sys, explorer; heavy = {'pandas', 'pydantic', 'onnx', 'h5py', 'numpy'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.strip()
    assert out == "[]"


def test_dataframe_has_one_row_per_layer_with_flat_columns(depgraph_result) -> None:
    result = depgraph_result
    frame = result.to_dataframe()
    assert list(frame.columns) == LAYER_COLUMNS
    assert list(frame["name"]) == [layer.name for layer in result.layers]
    assert frame["latency_s"].sum() == pytest.approx(result.latency_s)
    assert frame["cycles"].sum() == pytest.approx(result.cycles)
    assert frame["energy_j"].sum() == pytest.approx(result.energy_j)
    assert frame["dram_read_bytes"].sum() == result.dram_read_bytes > 0
    assert frame["dram_write_bytes"].sum() == result.dram_write_bytes > 0
    assert set(frame["bound"].dropna()) <= {"compute", "memory"}
    assert frame["macs"].dtype == "int64" and frame["dram_read_bytes"].dtype == "Int64"
    first_conv = frame[frame["op"] == "Conv"].iloc[0]
    assert first_conv["mapping"].startswith("ws 16x16: ")
    assert "spatial" in first_conv["mapping"]
    assert frame["utilisation"].between(0, 1).all()


def test_dataframe_of_an_estimator_without_mapping_has_missing_traffic(squeezenet) -> None:
    frame = explorer.estimate(squeezenet, "gemmini", estimator="roofline").to_dataframe()
    assert frame["dram_read_bytes"].isna().all() and (frame["mapping"] == "").all()
    assert frame["latency_s"].notna().all()


def test_estimate_reports_progress_per_layer(squeezenet) -> None:
    seen: list[tuple[int, int, str]] = []
    result = explorer.estimate(squeezenet, "gemmini", "roofline",
                               progress=lambda done, total, name: seen.append((done, total, name)))
    assert [s[0] for s in seen] == list(range(1, len(result.layers) + 1))
    assert seen[-1][2] == result.layers[-1].name


def test_reprs_are_short(depgraph_result) -> None:
    text = repr(depgraph_result)
    assert len(text) < 250, text
    assert text.startswith("NetworkEstimate(network='squeezenet', accelerator='gemmini', "
                           "estimator='depgraph', layers=")
    assert len(repr(depgraph_result.layers[0])) < 200


def test_every_result_field_is_documented_with_its_unit() -> None:
    for cls in (LayerEstimate, NetworkEstimate):
        doc = cls.__doc__ or ""
        for f in dataclasses.fields(cls):
            assert f"        {f.name}: " in doc, f"{cls.__name__}.{f.name} is undocumented"
    doc = LayerEstimate.__doc__ or ""
    for unit_field, unit in (("latency_s", "seconds"), ("energy_j", "joules"),
                             ("cycles", "cycles"), ("utilisation", "0..1")):
        line = doc.split(f"        {unit_field}: ")[1].split("\n")[0]
        assert unit in line, (unit_field, line)


def test_to_json_is_text_of_to_dict(depgraph_result) -> None:
    text = depgraph_result.to_json()
    assert isinstance(text, str)
    assert json.loads(text) == json.loads(json.dumps(depgraph_result.to_dict(), default=str))


def test_json_output_reproduces_a_modified_design(squeezenet, tmp_path) -> None:
    acc = explorer.with_overrides("gemmini", {"compute.pe_rows": 8, "clock_hz": "500MHz"})
    result = explorer.estimate(squeezenet, acc, estimator="roofline")
    described = json.loads(result.to_json())["accelerator"]["description"]
    path = tmp_path / "design.yaml"
    path.write_text(json.dumps(described), encoding="utf-8")  # JSON is YAML
    again = explorer.load_accelerator(path)
    assert again == acc
    assert explorer.estimate(squeezenet, again, estimator="roofline").latency_s == \
        result.latency_s


def test_with_overrides_spellings_agree_and_keep_the_original() -> None:
    base = explorer.load_accelerator("gemmini")
    by_dict = explorer.with_overrides(base, {"compute.pe_rows": 32,
                                             "memories.scratchpad.size_bytes": "256KiB"})
    by_groups = explorer.with_overrides(base, compute={"pe_rows": 32},
                                        memories={"scratchpad": {"size_bytes": 262144}})
    by_text = explorer.with_overrides(base, ["compute.pe_rows=32",
                                             "memories.scratchpad.size_bytes=256KiB"])
    assert by_dict == by_groups == by_text
    assert by_dict.compute.pe_rows == 32 and base.compute.pe_rows == 16
    assert explorer.with_overrides(base) is base


@pytest.mark.parametrize("values, message", [
    ({"compute.pe_rowz": 32}, "did you mean 'pe_rows'"),
    ({"compute.pe_rows": 0}, "compute.pe_rows=0: compute.pe_rows = 0: out of range"),
    ({"compute.pe_rows": 2.5}, "integer"),
    (["compute.pe_rows"], "expected PATH=VALUE"),
])
def test_with_overrides_errors_name_the_path_not_a_cli_option(values, message) -> None:
    with pytest.raises(explorer.ArchitectureError, match=message) as info:
        explorer.with_overrides("gemmini", values)
    assert "--set" not in str(info.value)


def test_sweep_matches_estimate_point_by_point(squeezenet, tmp_path) -> None:
    output = tmp_path / "sweep.h5"
    seen: list[tuple[int, int]] = []
    frame = explorer.sweep(squeezenet, "systolic",
                           {"compute.pe_rows": [8, 16], "compute.dataflow": ["ws", "os"]},
                           estimator="roofline", output=output,
                           progress=lambda done, total: seen.append((done, total)))
    assert isinstance(frame, pd.DataFrame) and len(frame) == 4
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert list(frame.columns) == ["compute.pe_rows", "compute.dataflow", *RESULT_FIELDS,
                                   "status"]
    assert {"latency_s", "cycles", "energy_j", "memory_bytes", "runtime_s"} <= set(frame)
    assert frame["compute.pe_rows"].tolist() == [8, 8, 16, 16]
    assert frame["compute.pe_rows"].dtype == "int64"
    for row in frame.itertuples(index=False):
        acc = explorer.with_overrides("systolic", {"compute.pe_rows": row[0],
                                                   "compute.dataflow": row[1]})
        assert row.latency_s == explorer.estimate(squeezenet, acc, "roofline").latency_s
    # the file is the CLI's sweep file, with the same numbers
    stored = list(read_sweep(output))
    assert [r["latency_s"] for r in stored] == frame["latency_s"].tolist()


def test_sweep_matches_the_cli_sweep(squeezenet, tmp_path) -> None:
    cli_file = tmp_path / "cli.h5"
    subprocess.run([sys.executable, "-m", "explorer", "sweep", "squeezenet", "--arch",
                    "systolic", "--param", "compute.pe_cols=8,32", "--estimator", "roofline",
                    "-o", str(cli_file)], cwd=ROOT, check=True, capture_output=True)
    frame = explorer.sweep(squeezenet, "systolic", {"compute.pe_cols": [8, 32]},
                           estimator="roofline")
    assert frame["latency_s"].tolist() == [r["latency_s"] for r in read_sweep(cli_file)]


def test_sweep_keeps_bad_points_as_rows_and_refuses_bad_paths(squeezenet) -> None:
    # each value is valid alone; 32-bit inputs with a 16-bit accumulator are not
    frame = explorer.sweep(squeezenet, "systolic",
                           {"compute.precision.input_bits": [8, 32],
                            "compute.precision.accumulator_bits": [16, 32]},
                           estimator="roofline")
    assert frame["status"].tolist()[:2] + frame["status"].tolist()[3:] == ["ok"] * 3
    assert "narrower than" in frame["status"][2] and math.isnan(frame["latency_s"][2])
    with pytest.raises(explorer.ArchitectureError, match="pe_rows=0: .*out of range"):
        explorer.sweep(squeezenet, "systolic", {"compute.pe_rows": [8, 0]})
    with pytest.raises(explorer.ArchitectureError, match="unknown field 'pe_rowz'") as info:
        explorer.sweep(squeezenet, "systolic", {"compute.pe_rowz": [8]})
    assert "--set" not in str(info.value)
    with pytest.raises(explorer.ArchitectureError, match="pe_rows: 8 listed more than once"):
        explorer.sweep(squeezenet, "systolic", {"compute.pe_rows": [8, 16, 8]})
    with pytest.raises(explorer.ArchitectureError, match="non-empty list"):
        explorer.sweep(squeezenet, "systolic", {"compute.pe_rows": 8})  # type: ignore[dict-item]


def test_sweep_resumes_from_its_file(squeezenet, tmp_path) -> None:
    output = tmp_path / "resume.h5"
    grid = {"compute.pe_rows": [8, 16, 32]}
    first = explorer.sweep(squeezenet, "systolic", grid, estimator="roofline", output=output)
    calls: list[tuple[int, int]] = []
    again = explorer.sweep(squeezenet, "systolic", grid, estimator="roofline", output=output,
                           progress=lambda done, total: calls.append((done, total)))
    assert calls == []  # every point was already in the file
    pd.testing.assert_frame_equal(first, again)


def test_sweep_with_workers_gives_the_same_rows(squeezenet) -> None:
    grid = {"compute.pe_rows": [8, 16, 32]}
    one = explorer.sweep(squeezenet, "systolic", grid, estimator="roofline")
    two = explorer.sweep(squeezenet, "systolic", grid, estimator="roofline", workers=2)
    columns = [c for c in one.columns if c != "runtime_s"]
    pd.testing.assert_frame_equal(one[columns], two[columns])


def test_sweep_passes_estimator_options(squeezenet) -> None:
    grid = {"compute.pe_rows": [8, 32]}
    plain = explorer.sweep(squeezenet, "systolic", grid, estimator="roofline")
    undamped = explorer.sweep(squeezenet, "systolic", grid, estimator="refined-roofline",
                              options={"alpha": 0.0})  # alpha 0: the plain roofline
    damped = explorer.sweep(squeezenet, "systolic", grid, estimator="refined-roofline")
    assert undamped["latency_s"].tolist() == plain["latency_s"].tolist()
    assert (damped["latency_s"] >= plain["latency_s"]).all()
    assert (damped["latency_s"] > plain["latency_s"]).any()
