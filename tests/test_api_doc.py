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


def test_readme_python_block_runs(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [m.group(2) for m in _BLOCK.finditer(text)]
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102
    assert list(namespace["designs"]["compute.pe_rows"]) == [16, 32, 64]
    assert namespace["result"].latency_s == pytest.approx(namespace["layers"]["latency_s"].sum())
