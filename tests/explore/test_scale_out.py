"""Scale-out: a process pool and a real Dask LocalCluster give what the serial loop gives;
only the client writes; a killed client resumes without evaluating a design twice."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from explorer.explore import Spec, explore, load_exploration, parse_param
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network
from tests.store.helpers import ENV, ROOT

PARAMS = ["compute.pe_rows=8,16,32", "compute.pe_cols=8,16", "compute.dataflow=ws,os"]


@pytest.fixture(scope="module")
def spec():
    acc = load_accelerator("systolic")
    return Spec([load_network("squeezenet")], acc, [parse_param(t, acc) for t in PARAMS],
                ["latency_s", "area_mm2"], estimator="roofline")


def _by_design(path):
    return {(r["compute.pe_rows"], r["compute.pe_cols"], r["compute.dataflow"]):
            (r["latency_s"], r["area_mm2"], r["status"]) for r in load_exploration(path).rows}


@pytest.fixture(scope="module")
def serial(spec, tmp_path_factory):
    path = tmp_path_factory.mktemp("serial") / "s.h5"
    explore(spec, path)
    return _by_design(path)


def test_process_pool_matches_serial(spec, serial, tmp_path):
    path = tmp_path / "pool.h5"
    explore(spec, path, workers=2)
    assert _by_design(path) == serial


def test_sweep_rows_keep_the_grid_order_with_workers(spec, tmp_path):
    from explorer.sweep import Axis, read_sweep, run_sweep

    path = tmp_path / "order.h5"
    axes = [Axis.parse("compute.pe_rows=8,16,32,64"), Axis.parse("compute.pe_cols=8,16")]
    run_sweep(spec.networks[0], spec.base, axes, "roofline", path, workers=2)
    rows = list(read_sweep(path))
    assert [(r["compute.pe_rows"], r["compute.pe_cols"]) for r in rows] == \
        [(r, c) for r in (8, 16, 32, 64) for c in (8, 16)]
    assert [r["index"] for r in rows] == list(range(8))


def test_dask_local_cluster_with_two_worker_processes(spec, serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert len(cluster.workers) == 2
        path = tmp_path / "dask.h5"
        explore(spec, path, dask=cluster.scheduler_address)
    assert _by_design(path) == serial


def test_killed_client_resumes_without_reevaluating(tmp_path):
    path = tmp_path / "k.h5"
    cmd = [sys.executable, "-m", "explorer", "sweep", "squeezenet", "--arch", "systolic",
           "--estimator", "roofline", "--param", "compute.pe_rows=8:40", "--workers", "2",
           "-o", str(path)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, text=True, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL)
    seen = 0
    for line in proc.stderr:
        seen += line.startswith("[")
        if seen >= 10:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored = len(load_exploration(path).rows)
    assert stored >= 10
    done = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    evaluated = sum(line.startswith("[") for line in done.stderr.splitlines())
    assert evaluated == 33 - stored
    rows = load_exploration(path).rows
    assert sorted(r["compute.pe_rows"] for r in rows) == list(range(8, 41))
