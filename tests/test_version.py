"""One version, from `explorer/version.py`, everywhere a user or a file can see it."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import h5py
import pytest

import explorer
from explorer.cli import main
from explorer.version import __version__

ROOT = Path(__file__).resolve().parents[1]


def test_one_source_of_truth() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    assert explorer.__version__ == __version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]  # no second copy to forget
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "explorer.version.__version__"}


def test_changelog_names_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.MULTILINE)
    assert releases and releases[0] == __version__


def test_cli_version(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"accel-explorer {__version__}"
    # also where argparse handles it (listed in --help, after other options)
    with pytest.raises(SystemExit) as exit_:
        main(["--version", "estimate"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"accel-explorer {__version__}"


def test_json_output_carries_the_version(capsys) -> None:
    assert main(["estimate", "squeezenet", "--estimator", "roofline", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["explorer_version"] == __version__


def test_html_report_names_the_version(tmp_path) -> None:
    out = tmp_path / "r.html"
    assert main(["estimate", "squeezenet", "--estimator", "roofline", "--format", "html",
                 "-o", str(out)]) == 0
    assert f"accel-explorer {__version__}" in out.read_text(encoding="utf-8")


def test_sweep_file_records_the_version(tmp_path) -> None:
    path = tmp_path / "s.h5"
    assert main(["sweep", "squeezenet", "--arch", "systolic", "--estimator", "roofline",
                 "--param", "compute.pe_rows=8,16", "-o", str(path)]) == 0
    with h5py.File(path, "r") as f:
        assert f.attrs["explorer_version"] == __version__


def test_benchmark_store_records_the_version(tmp_path) -> None:
    from explorer.benchmarking.store import BenchmarkStore

    path = tmp_path / "b.h5"
    with BenchmarkStore(path, device="cpu", provenance={}):
        pass
    with h5py.File(path, "r") as f:
        assert f.attrs["explorer_version"] == __version__
