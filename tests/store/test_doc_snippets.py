"""The Python snippets of docs/sweep-format.md and docs/benchmark-store.md run as written
on real files and give `str` for strings and integers for integer parameters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer.benchmarking.store import BenchmarkStore
from explorer.hardware.library import load_accelerator
from explorer.sweep import Axis, run_sweep
from explorer.workload import load_network

DOCS = Path(__file__).resolve().parents[2] / "docs"


def snippets(name: str) -> list[str]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.fixture
def sweep_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    axes = [Axis.parse("compute.pe_rows=16,32"), Axis.parse("compute.dataflow=ws,is")]
    run_sweep(load_network("squeezenet"), load_accelerator("gemmini"), axes, "roofline",
              tmp_path / "sweep.h5")
    return tmp_path / "sweep.h5"


def test_sweep_format_snippets(sweep_file):
    found = snippets("sweep-format.md")
    assert len(found) == 2
    for code in found:
        scope: dict = {}
        exec(compile(code, "sweep-format.md", "exec"), scope)
        df = scope["df"]
        assert len(df) == 4
        assert (df.status == "ok").sum() == 2  # gemmini has no 'is' dataflow
        assert all(isinstance(v, str) for v in df.status)
        assert all(isinstance(v, str) for v in df["compute.dataflow"])
        assert df["compute.pe_rows"].dtype.kind == "i"
        assert sorted(df["compute.pe_rows"].unique().tolist()) == [16, 32]
    assert len(scope["ok"]) == 2 and len(scope["front_rows"]) >= 1


def test_benchmark_store_snippets(tmp_path, monkeypatch):
    from tests.benchmarking.test_store import measurement, relu

    monkeypatch.chdir(tmp_path)
    with BenchmarkStore(tmp_path / "cpu.h5", device="cpu") as store:
        for c in range(1, 4):
            store.append(relu(c), measurement(c * 1e-6), "train")
    found = snippets("benchmark-store.md")
    assert len(found) == 2
    scope: dict = {}
    exec(compile(found[0], "benchmark-store.md", "exec"), scope)
    assert scope["ops"] == ["Relu"] * 3 and isinstance(scope["ops"][0], str)
    exec(compile(found[1], "benchmark-store.md", "exec"), scope)
    df = scope["df"]
    assert (df.op == "Relu").sum() == 3 and (df.status == "ok").sum() == 3
    assert df.in_channels.dtype.kind == "i"


def test_explore_python_snippet(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = [s for s in snippets("explore.md") if "from explorer" in s]
    assert len(code) == 1
    scope: dict = {}
    exec(compile(code[0], "explore.md", "exec"), scope)
    assert len(scope["df"]) == 4 and scope["front"]
    assert scope["df"]["compute.pe_rows"].dtype.kind == "i"
