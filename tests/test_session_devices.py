"""The Devices panel's Qt-free logic (explorer/session/devices.py): devices, their stores
and models in a workspace folder, training as an operation with progress and cancel,
using a model for the open network, and measuring the open network on this CPU."""

from __future__ import annotations

import shutil

import pytest

from explorer.benchmarking.devices.base import Measurement
from explorer.benchmarking.space import random_configs
from explorer.benchmarking.store import BenchmarkStore
from explorer.errors import Cancelled, EstimationError
from explorer.session import Session
from explorer.session.devices import DeviceError, DeviceWorkspace, entry_for, library_entries
from tests.synthetic_model import synthetic_latency, train_synthetic_model


def make_store(path, device="cpu", rows=60):
    provenance = {"device_kind": device.partition(":")[0], "vector_width_fp32": "16"}
    with BenchmarkStore(path, device=device, provenance=provenance) as store:
        for c in random_configs(rows, seed=3):
            store.append(c, Measurement(synthetic_latency(c), 0.0, 7, 5, 0.1, 1e9, device,
                                        "synthetic"), "train")
    return path


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    return train_synthetic_model(tmp_path_factory.mktemp("model"))


@pytest.fixture
def workspace(tmp_path):
    make_store(tmp_path / "cpu-random-60.h5")
    make_store(tmp_path / "gemmini.h5", device="sim:gemmini")
    return DeviceWorkspace(tmp_path)


def test_devices_are_this_cpu_and_the_library():
    specs = [e.spec for e in library_entries()]
    assert specs[0] == "cpu" and "sim:gemmini" in specs
    cpu = library_entries()[0]
    assert cpu.measurable and "onnxruntime" in cpu.measure_note
    sim = entry_for("sim:gemmini")
    assert not sim.measurable and "no measurement" in sim.measure_note


@pytest.mark.parametrize("text, words", [
    ("", "no device given"),
    ("sim:nosuch", "no such library accelerator"),
    ("/no/such/pool.jsonl", "no such file"),
    ("pool:/no/such/dir", "no such pool"),
    ("store:/no/such.h5", "no such store"),
    ("remote:h200", "runner"),
])
def test_bad_devices_are_one_line_errors(text, words):
    with pytest.raises(DeviceError) as err:
        entry_for(text)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_file_that_is_no_store_is_refused(tmp_path):
    bad = tmp_path / "junk.h5"
    bad.write_bytes(b"not hdf5 at all")
    with pytest.raises(DeviceError) as err:
        entry_for(str(bad))
    assert "junk.h5" in str(err.value) and "\n" not in str(err.value)


def test_catalog_lists_the_devices_stores_and_models(workspace, model_file, tmp_path):
    shutil.copy(model_file, tmp_path / "cpu.skops")
    (tmp_path / "broken.skops").write_bytes(b"PK\x03\x04 truncated")
    cpu = workspace.catalog(workspace.entry("cpu"))
    assert [c.path.name for c in cpu.campaigns] == ["cpu-random-60.h5"]
    assert cpu.campaigns[0].rows == 60 and cpu.campaigns[0].phases == {"train": 60}
    assert [m.path.name for m in cpu.models] == ["cpu.skops"]
    assert len(cpu.problems) == 1 and "broken.skops" in cpu.problems[0]
    sim = workspace.catalog(workspace.entry("sim:gemmini"))
    assert [c.path.name for c in sim.campaigns] == ["gemmini.h5"] and sim.models == []


def test_an_imported_store_is_a_device(tmp_path):
    elsewhere = tmp_path / "away"
    elsewhere.mkdir()
    store = make_store(elsewhere / "h200.h5", device="remote:h200")
    workspace = DeviceWorkspace(tmp_path / "ws")
    seen = []
    workspace.events.devices_changed.connect(lambda: seen.append("devices"))
    entry = workspace.add(str(store))
    assert entry.kind == "store" and entry.device == "remote:h200"
    assert workspace.selected == entry and seen == ["devices"]
    assert [c.path for c in workspace.catalog().campaigns] == [store]
    assert not entry.measurable and not entry.can_benchmark
    with pytest.raises(DeviceError, match="measured elsewhere"):
        workspace.benchmark(entry, 10)


def test_train_writes_a_model_with_progress(workspace, tmp_path):
    changed, steps = [], []
    workspace.events.catalog_changed.connect(lambda: changed.append(True))
    info = workspace.train(tmp_path / "cpu-random-60.h5").run(
        progress=lambda d, t, w: steps.append(w))
    assert info.path == tmp_path / "cpu-random-60-pr.skops" and info.path.is_file()
    assert info.device == "cpu" and info.rows == 60
    assert changed and steps[0].startswith("reading") and steps[-1].startswith("wrote")
    assert [m.path for m in workspace.catalog(workspace.entry("cpu")).models] == [info.path]


def test_cancelled_training_writes_nothing(workspace, tmp_path):
    with pytest.raises(Cancelled):
        workspace.train(tmp_path / "cpu-random-60.h5").run(cancel=lambda: True)
    assert not list(tmp_path.glob("*.skops"))


def test_training_a_store_too_small_is_one_line(tmp_path):
    make_store(tmp_path / "tiny.h5", rows=3)
    with pytest.raises(Exception) as err:
        DeviceWorkspace(tmp_path).train(tmp_path / "tiny.h5").run()
    assert "only 3 usable rows" in str(err.value) and "\n" not in str(err.value)
    assert not list(tmp_path.glob("*.skops"))


def test_use_model_sets_the_statistical_estimator(model_file, tmp_path):
    session = Session()
    workspace = DeviceWorkspace(tmp_path)
    workspace.use_model(session, model_file)
    assert session.estimator == "statistical"
    assert session.estimator_options == {"model": str(model_file)}
    bad = tmp_path / "bad.skops"
    bad.write_text("nope")
    with pytest.raises(EstimationError):
        workspace.use_model(session, bad)
    assert session.estimator_options == {"model": str(model_file)}  # unchanged


def test_measurement_is_refused_where_there_is_none(tmp_path):
    session = Session()
    session.load_network("squeezenet").run()
    workspace = DeviceWorkspace(tmp_path)
    with pytest.raises(DeviceError, match="no measurement: a simulated"):
        workspace.measure_and_compare(session, workspace.entry("sim:gemmini"))
    with pytest.raises(DeviceError, match="open a network"):
        workspace.measure_and_compare(Session(), workspace.entry("cpu"))


def test_measure_on_cpu_and_compare_with_the_model(model_file, tmp_path):
    session = Session()
    session.document.load("gemmini")
    session.load_network("squeezenet").run()
    workspace = DeviceWorkspace(tmp_path)
    changed = []
    session.events.comparison_changed.connect(lambda: changed.append(True))
    measured, estimate = workspace.measure_and_compare(
        session, workspace.entry("cpu"), model_file, quick=True).run()
    assert changed and set(session.measurements) == {"measured (cpu)"}
    assert set(session.comparison_results) == {f"statistical ({model_file.stem})"}
    convs = [layer for layer in measured.layers if layer.op == "Conv"]
    assert convs and all(layer.latency_s > 0 for layer in convs)
    from explorer.compare import compare_results

    comparison = compare_results({"measured": measured, "model": estimate}, "measured")
    matched = [row for row in comparison.layers if row.name in {c.name for c in convs}]
    assert len(matched) == len(convs)  # the model's layers are the measured ones
    assert all(row.other_s.get("model", 0) > 0 for row in matched)


def test_benchmark_a_simulated_accelerator_into_the_folder(tmp_path):
    workspace = DeviceWorkspace(tmp_path / "ws")
    entry = workspace.entry("sim:gemmini")
    info = workspace.benchmark(entry, 6, "random").run()
    assert info.path.parent == tmp_path / "ws" and info.rows == 6 and info.device == entry.device
    assert [c.path for c in workspace.catalog(entry).campaigns] == [info.path]
    with pytest.raises(DeviceError, match="budget 0"):
        workspace.benchmark(entry, 0)
