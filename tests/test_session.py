"""The session without Qt: real zoo networks, real estimators, real files. Nothing here
imports PySide6 (test_no_qt checks it in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from explorer.errors import Cancelled, EstimationError, ExplorerError
from explorer.session import Session
from explorer.session.operations import Operation, Progress, callback_steps


@pytest.fixture
def session() -> Session:
    s = Session()
    s.document.load("gemmini")
    return s


def recorder(session: Session) -> list[str]:
    seen: list[str] = []
    for name in ("network_changed", "result_changed", "freshness_changed",
                 "selection_changed", "comparison_changed", "estimator_changed",
                 "sweep_changed", "baseline_changed"):
        getattr(session.events, name).connect(lambda *_a, n=name: seen.append(n))
    return seen


def test_load_estimate_and_events(session: Session) -> None:
    seen = recorder(session)
    steps: list[tuple[int, int, str]] = []
    network = session.load_network("squeezenet").run()
    assert session.network is network and "network_changed" in seen
    session.set_estimator("roofline")
    result = session.estimate().run(progress=lambda *a: steps.append(a))
    assert session.result is result and session.result_is_current
    assert len(result.layers) > 20 and result.estimator == "roofline"
    assert steps and steps[-1][0] == steps[-1][1] == len(result.layers)
    assert seen.count("result_changed") == 2  # cleared by the load, then the result
    assert session.result_note() == ""


def test_an_edit_makes_the_result_outdated_and_undo_makes_it_current(session) -> None:
    session.load_network("squeezenet").run()
    session.set_estimator("roofline")
    session.estimate().run()
    seen = recorder(session)
    session.document.set_field(("compute", "pe_rows"), 32)
    assert not session.result_is_current and seen == ["freshness_changed"]
    assert "Outdated" in session.result_note() and "gemmini" in session.result_note()
    session.document.undo()
    assert session.result_is_current and seen == ["freshness_changed"] * 2


def test_a_new_network_drops_the_old_result_and_selection(session) -> None:
    session.load_network("squeezenet").run()
    session.estimate().run()
    session.select(session.result.layers[2].name)
    session.document.load("eyeriss")
    session.load_network("alexnet").run()
    assert session.result is None and session.selected is None
    assert session.result_note() == ""


def test_cancel_keeps_the_previous_state(session) -> None:
    session.load_network("squeezenet").run()
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(Cancelled):
        session.estimate().run(cancel=cancel)
    assert session.result is None


def test_undo_history_merges_edits_of_one_field_and_tracks_the_saved_state(session,
                                                                             tmp_path) -> None:
    doc = session.document
    doc.set_field(("compute", "pe_rows"), 32)
    doc.set_field(("compute", "pe_rows"), 64)
    doc.set_field(("clock_hz", ), 0.0)
    assert doc.accelerator is None and doc.errors[0][0] == ("clock_hz",)
    doc.undo()
    assert doc.accelerator.compute.pe_rows == 64
    doc.undo()
    assert doc.accelerator.compute.pe_rows == 16 and not doc.is_modified
    doc.redo()
    doc.save_as(tmp_path / "mine.yaml")
    assert not doc.is_modified and doc.source.endswith("mine.yaml")
    doc.undo()
    assert doc.is_modified
    assert ("compute.pe_rows", 64, 16) in doc.changes_from_default()


def test_unknown_estimator_and_bad_model_file_fail_when_chosen(session, tmp_path) -> None:
    with pytest.raises(EstimationError, match="unknown estimator"):
        session.set_estimator("nope")
    bad = tmp_path / "model.skops"
    bad.write_bytes(b"not a model")
    with pytest.raises(ExplorerError):
        session.set_estimator("statistical", model=str(bad))
    assert session.estimator == "depgraph"  # the choice is unchanged


def test_compare_and_measurement(session, tmp_path) -> None:
    session.load_network("squeezenet").run()
    results = session.compare(["roofline", "refined-roofline"]).run()
    assert set(results) == {"roofline", "refined-roofline"}
    assert session.comparison_results is results
    measured = results["roofline"].to_dict()
    path = tmp_path / "measured.json"
    path.write_text(json.dumps(measured), encoding="utf-8")
    session.add_measurement(str(path))
    assert "measured (measured.json)" in session.measurements


def test_sweep_writes_hdf5_and_a_point_applies_as_one_edit(session, tmp_path) -> None:
    from explorer.sweep import Axis

    session.load_network("squeezenet").run()
    session.set_estimator("roofline")
    rows = session.sweep([Axis("compute.pe_rows", ("8", "16", "0"))],
                         str(tmp_path / "s.h5")).run()
    assert len(rows) == 3 and session.sweep_rows is rows
    assert sum(1 for r in rows if r["status"] != "ok") == 1  # 0 is listed as invalid
    session.apply_sweep_point({"compute.pe_rows": "8"})
    assert session.document.accelerator.compute.pe_rows == 8
    session.document.undo()
    assert session.document.accelerator.compute.pe_rows == 16


def test_report_lists_the_design_changes_from_its_source(session, tmp_path) -> None:
    session.load_network("squeezenet").run()
    session.document.set_field(("clock_hz",), 7e8)
    session.estimate().run()
    session.export(str(tmp_path / "r.html"))
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "clock_hz: 1 GHz → 700 MHz" in text


def test_export_is_the_result_for_its_own_design(session, tmp_path) -> None:
    with pytest.raises(EstimationError):
        session.export(str(tmp_path / "x.csv"))
    session.load_network("squeezenet").run()
    session.estimate().run()
    session.document.set_field(("compute", "pe_rows"), 64)
    session.export(str(tmp_path / "r.html"))
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Outdated" in text
    assert "Time per op type" in text and "Slowest 10 layers" in text
    assert "Design changes from its source" in text
    session.export(str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["estimator"] == "depgraph"
    with pytest.raises(ExplorerError, match="PDF"):
        session.export(str(tmp_path / "r.pdf"))


def test_baseline_pin(session) -> None:
    with pytest.raises(EstimationError):
        session.pin_baseline()
    session.load_network("squeezenet").run()
    session.estimate().run()
    assert session.pin_baseline() is session.result


def test_callback_steps_relays_progress_errors_and_cancel() -> None:
    def work(progress, cancel):
        for i in range(3):
            progress(i + 1, 3, f"step {i}")
        return "done"

    op = Operation("t", "test", lambda cancel: callback_steps(work, cancel), lambda r: None)
    seen: list[tuple] = []
    assert op.compute(progress=lambda *a: seen.append(a)) == "done"
    assert seen == [(1, 3, "step 0"), (2, 3, "step 1"), (3, 3, "step 2")]

    def boom(progress, cancel):
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        Operation("t", "t", lambda c: callback_steps(boom, c), lambda r: None).compute()

    def endless(progress, cancel):
        while not cancel():
            progress(0, 1, "spin")
        raise Cancelled("stopped")

    op = Operation("t", "t", lambda c: callback_steps(endless, c), lambda r: None)
    with pytest.raises(Cancelled):
        op.compute(cancel=lambda: True)
    assert isinstance(Progress(1, 2, "x"), Progress)


def test_no_qt() -> None:
    code = ("import sys\nfor b in ('PySide6','shiboken6','pyqtgraph'): sys.modules[b] = None\n"
            "import explorer.session, explorer.session.state, explorer.session.view_data\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_op_summary_energy_and_dram_traffic_add_up_to_the_network(session) -> None:
    from explorer.session.analysis import op_summary
    from explorer.session.levels import DRAM, level_breakdown

    session.load_network("squeezenet").run()
    result = session.estimate().run()  # depgraph: energy and traffic per layer
    ops = op_summary(result)
    dram = next(row for row in level_breakdown(result, session.accelerator)
                if row.level == DRAM)
    assert sum(o.energy_j for o in ops) == pytest.approx(result.energy_j)
    assert sum(o.dram_bytes for o in ops) == pytest.approx(dram.bytes)
    assert sum(o.energy_share for o in ops) == pytest.approx(1.0)
    assert sum(o.dram_share for o in ops) == pytest.approx(1.0)
    conv = next(o for o in ops if o.op == "Conv")
    assert 0 < conv.dram_bytes < dram.bytes  # other op types move bytes too
    assert conv.dram_bytes == pytest.approx(sum(
        x.dram_read_bytes + x.dram_write_bytes for x in result.layers if x.op == "Conv"))
    session.set_estimator("roofline")
    rough = op_summary(session.estimate().run())
    assert all(o.dram_bytes is None and o.dram_share is None for o in rough)  # not guessed


def test_breakdowns_and_ab_deltas_without_qt(session) -> None:
    from explorer.session.analysis import area_breakdown, layer_detail, op_summary, top_layers

    session.load_network("squeezenet").run()
    result = session.estimate().run()
    ops = op_summary(result)
    assert sum(o.latency_s for o in ops) == pytest.approx(result.latency_s)
    number, slowest = top_layers(result, 1)[0]
    assert result.layers[number - 1] is slowest
    detail = {(s, k): v for s, k, v in layer_detail(result, slowest.name)}
    assert detail[("Layer", "#")] == str(number) and ("Mapping", "folds") in detail
    assert area_breakdown(session.accelerator)[0][0] == "PE array"
    session.pin_baseline()
    session.document.set_field(("offchip", "bandwidth_bytes_per_cycle"), 4.0)
    session.estimate().run()
    ab = session.ab_comparison()
    assert ab is not None and ab.total_delta_s > 0  # a quarter of the bandwidth
    assert session.baseline_changes() == [("offchip.bandwidth_bytes_per_cycle", 16.0, 4.0)]
    assert "slower" in ab.summary()


def test_ab_accounts_for_layers_only_in_b() -> None:
    """Two designs that fuse differently (eyeriss keeps a layer gemmini fuses away):
    B's layers that match none of A's are listed, so the rows and them add up to the
    total delta."""
    from explorer.estimators.registry import make_estimator
    from explorer.hardware.library import load_accelerator
    from explorer.session.analysis import ab_compare
    from explorer.workload import load_network

    network = load_network("squeezenet")
    depgraph = make_estimator("depgraph")
    a = depgraph.estimate(network, load_accelerator("gemmini"))
    b = depgraph.estimate(network, load_accelerator("eyeriss"))
    ab = ab_compare(a, b)
    assert ab.only_current  # squeezenet: 39 layers on gemmini, 40 on eyeriss
    rows = sum(x.delta_s for x in ab.layers if x.delta_s is not None)
    unmatched_a = sum(x.baseline_s for x in ab.layers if x.current_s is None)
    only_b = sum(layer.latency_s for layer in ab.only_current)
    assert rows + only_b - unmatched_a == pytest.approx(ab.total_delta_s)
    assert "match no layer of A" in ab.summary()


def _detail_rows_html(result, name: str) -> list[str]:
    """The (item, value) cells of a layer's detail as the report's table writes them."""
    import html

    from explorer.session.analysis import layer_detail

    return [f"<td>{html.escape(item)}</td><td>{html.escape(value)}</td>"
            for _section, item, value in layer_detail(result, name)]


def test_report_has_the_layer_detail_of_the_slowest_or_the_selected_layer(session,
                                                                           tmp_path) -> None:
    from explorer.session.analysis import layer_detail, top_layers

    session.load_network("squeezenet").run()
    result = session.estimate().run()
    session.export(str(tmp_path / "r.html"))
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Layer detail" in text
    slowest = top_layers(result, 3)
    for _number, layer in slowest:
        detail = {(s, k): v for s, k, v in layer_detail(result, layer.name)}
        assert ("Mapping", "tiles") in detail and ("Mapping", "spatial.unrolling") in detail
        # every row of the core's detail, its spatial unrolling and tiles among them
        assert all(row in text for row in _detail_rows_html(result, layer.name))
    # the selected layer instead, and only it
    others = {layer.name for _n, layer in top_layers(result, len(result.layers))[3:]
              if layer.mapping}
    chosen = sorted(others)[0]
    session.select(chosen)
    session.export(str(tmp_path / "s.html"))
    text = (tmp_path / "s.html").read_text(encoding="utf-8")
    section = text[text.index("Layer detail"):text.index("Per-layer estimate")]
    assert all(row in section for row in _detail_rows_html(result, chosen))
    assert f"<td>name</td><td>{slowest[0][1].name}</td>" not in section
