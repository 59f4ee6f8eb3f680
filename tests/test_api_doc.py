"""docs/api.md matches the program: every public name is documented there, and every
`python` block runs (in order, in one namespace, as a reader would paste them)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import explorer

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "api.md"
_BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.DOTALL | re.MULTILINE)


def test_every_public_name_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in explorer.__all__
               if not re.search(rf"`(explorer\.)?{re.escape(name)}\b", text)]
    assert not missing, f"not in docs/api.md: {missing}"


def test_python_blocks_run(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)  # the blocks write files (sweep.h5) to the working dir
    blocks = [textwrap.dedent(m.group(2)) for m in _BLOCK.finditer(DOC.read_text("utf-8"))]
    assert len(blocks) >= 6
    namespace: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/api.md block {i + 1}", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert "NetworkEstimate(network='squeezenet'" in out
    assert "did you mean 'pe_rows'" in out
    assert (tmp_path / "sweep.h5").is_file()
    assert list(namespace["designs"]["status"]) == ["ok"] * 4
    assert len(namespace["front"]) >= 1 and (tmp_path / "explore.h5").is_file()
    fast = namespace["fast_clock_same_dram"]
    acc = namespace["acc"]
    assert fast.offchip.bandwidth_bytes_per_cycle * fast.clock_hz == \
        acc.offchip.bandwidth_bytes_per_cycle * acc.clock_hz


def test_analysis_block_is_consistent(tmp_path, monkeypatch, capsys) -> None:
    """The analyses section's figures agree with the results they come from."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for i, m in enumerate(_BLOCK.finditer(DOC.read_text("utf-8"))):
        exec(compile(textwrap.dedent(m.group(2)), f"docs/api.md block {i + 1}", "exec"),  # noqa: S102
             namespace)
    result, ops = namespace["result"], namespace["ops"]
    # per op type: every layer counted once, latencies (and shares) add up to the total
    assert sum(o.layers for o in ops) == len(result.layers)
    assert sum(o.latency_s for o in ops) == pytest.approx(result.latency_s)
    assert sum(o.share for o in ops) == pytest.approx(1.0)
    assert [o.latency_s for o in ops] == sorted((o.latency_s for o in ops), reverse=True)
    # top-N: 1-based numbers into result.layers, slowest first, none slower left out
    top = namespace["top"]
    assert len(top) == 5 and all(result.layers[n - 1] is layer for n, layer in top)
    assert top[0][1].latency_s == max(x.latency_s for x in result.layers)
    assert top[-1][1].latency_s >= sorted(x.latency_s for x in result.layers)[-5]
    # per level: DRAM as the result's own totals, the energies add up to the network's
    levels = {row.level: row for row in namespace["levels"]}
    assert levels["DRAM"].read_bytes == result.dram_read_bytes
    assert levels["DRAM"].write_bytes == result.dram_write_bytes
    assert sum(row.energy_j for row in levels.values()) == pytest.approx(result.energy_j)
    # a layer's detail is that of the slowest layer
    detail = {(section, item): value for section, item, value in namespace["detail"]}
    assert detail[("Layer", "name")] == top[0][1].name
    assert detail[("Layer", "#")] == str(top[0][0])
    assert ("Mapping", "gemm") in detail
    # A/B: gemmini (A) against eyeriss (B), both through the session and directly
    ab, a, b = namespace["ab"], namespace["a"], namespace["b"]
    assert (a.accelerator, b.accelerator) == ("gemmini", "eyeriss")
    assert a.estimator == b.estimator == "depgraph"
    assert a.latency_s == pytest.approx(result.latency_s)
    assert ab.baseline is a and ab.current is b
    assert ab.total_delta_s == pytest.approx(b.latency_s - a.latency_s)
    assert ab.total_relative == pytest.approx(b.latency_s / a.latency_s - 1)
    assert [x.baseline_s for x in ab.layers] == [x.latency_s for x in a.layers]
    assert namespace["direct"].total_delta_s == ab.total_delta_s
    assert len(namespace["deltas"]) == len(a.layers)
    out = capsys.readouterr().out
    assert "A: squeezenet on gemmini (depgraph); B: squeezenet on eyeriss (depgraph)" in out


def test_readme_python_block_runs(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [m.group(2) for m in _BLOCK.finditer(text)]
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102
    assert list(namespace["designs"]["compute.pe_rows"]) == [16, 32, 64]
    assert namespace["result"].latency_s == pytest.approx(namespace["layers"]["latency_s"].sum())
