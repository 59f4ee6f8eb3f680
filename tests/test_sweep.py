"""Design sweeps: every point saved to HDF5, readable with plain h5py, resumable."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from explorer.cli import main
from explorer.errors import BenchmarkError, Cancelled
from explorer.hardware.library import load_accelerator
from explorer.sweep import Axis, read_sweep, run_sweep
from explorer.workload import load_network


@pytest.fixture(scope="module")
def net():
    return load_network("squeezenet")


def test_sweep_writes_every_point_and_larger_arrays_are_faster(net, tmp_path) -> None:
    path = tmp_path / "s.h5"
    axes = [Axis.parse("compute.pe_rows=8,16,32"), Axis.parse("compute.pe_cols=8,32")]
    run_sweep(net, load_accelerator("systolic"), axes, "roofline", path)
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "accel-explorer store" and f.attrs["format_version"] == 2
        assert f.attrs["kind"] == "exploration"
        pe_rows = f["points/compute.pe_rows"][()]
        assert pe_rows.dtype.kind == "i" and list(pe_rows) == [8, 8, 16, 16, 32, 32]
        assert list(f["results/status"].asstr()[()]) == ["ok"] * 6
        latency = f["results/latency_s"][()]
        assert f["layers/latency_s"].shape == (6, len(net.layers))
        assert np.allclose(np.nansum(f["layers/latency_s"][()], axis=1), latency)
    assert latency[0] > latency[-1]  # 8×8 slower than 32×32
    assert [r["status"] for r in read_sweep(path)] == ["ok"] * 6


def test_invalid_point_is_recorded_not_fatal(net, tmp_path) -> None:
    path = tmp_path / "s.h5"
    # gemmini supports ws and os only: the 'is' point is invalid
    run_sweep(net, load_accelerator("gemmini"), [Axis.parse("compute.dataflow=ws,is")],
              "roofline", path)
    status = [r["status"] for r in read_sweep(path)]
    assert status[0] == "ok" and "dataflow" in status[1]


def test_resume_after_stop_measures_nothing_twice(net, tmp_path) -> None:
    path = tmp_path / "s.h5"
    axes = [Axis.parse("clock_hz=100e6,200e6,400e6,800e6")]
    calls = iter([False, False, True])
    with pytest.raises(Cancelled):
        run_sweep(net, load_accelerator("gemmini"), axes, "roofline", path,
                  cancel=lambda: next(calls))
    assert len(list(read_sweep(path))) == 2
    seen = []
    run_sweep(net, load_accelerator("gemmini"), axes, "roofline", path,
              progress=lambda done, total, p: seen.append(p.index))
    assert seen == [2, 3]
    rows = list(read_sweep(path))
    assert [r["clock_hz"] for r in rows] == [100e6, 200e6, 400e6, 800e6]
    # latency halves with the clock for a fixed cycle count
    assert rows[0]["latency_s"] == pytest.approx(8 * rows[3]["latency_s"])


def test_other_sweep_in_same_file_is_refused(net, tmp_path) -> None:
    path = tmp_path / "s.h5"
    run_sweep(net, load_accelerator("gemmini"), [Axis.parse("clock_hz=1e9")], "roofline", path)
    with pytest.raises(BenchmarkError, match="holds a different"):
        run_sweep(net, load_accelerator("gemmini"), [Axis.parse("clock_hz=2e9")], "roofline",
                  path)


def test_cli_sweep(tmp_path, capsys) -> None:
    out = tmp_path / "cli.h5"
    code = main(["sweep", "squeezenet", "--arch", "systolic", "--estimator", "roofline",
                 "--param", "compute.pe_rows=16,32", "-o", str(out)])
    assert code == 0 and out.exists()
    assert "2 valid point(s)" in capsys.readouterr().out
    code = main(["sweep", "squeezenet", "--param", "compute.no_such_field=1", "-o",
                 str(tmp_path / "x.h5")])
    assert code == 2 and "no_such_field" in capsys.readouterr().err
