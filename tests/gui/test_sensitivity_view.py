"""The Sensitivity tab (issue 10's GUI side): elasticities from explorer.sensitivity run
off the UI thread with progress and Cancel, drawn as bars, and marked outdated after an
edit. The session operation is tested without Qt first."""

from __future__ import annotations

import pytest

from explorer.errors import Cancelled, EstimationError
from explorer.session import Session
from explorer.session.sensitivity import sensitivity_operation

PARAMS = ["clock_hz", "compute.pe_rows", "offchip.bandwidth_bytes_per_cycle"]


@pytest.fixture
def session() -> Session:
    session = Session()
    session.document.load("gemmini")
    session.load_network("squeezenet").run()
    session.set_estimator("roofline")
    return session


def test_operation_reports_each_parameter_and_cancels_between_them(session) -> None:
    seen: list[tuple[int, int, str]] = []
    run = sensitivity_operation(session, parameters=PARAMS).run(
        progress=lambda done, total, what: seen.append((done, total, what)))
    assert sorted(row.parameter for row in run.rows) == sorted(PARAMS)
    assert [what for _d, _t, what in seen[:3]] == PARAMS and seen[-1][:2] == (3, 3)
    clock = next(row for row in run.rows if row.parameter == "clock_hz")
    # cycles do not depend on the clock: latency goes as its inverse
    assert clock.latency == pytest.approx(-1.0, rel=0.02)
    assert run.is_current(session)
    session.set_estimator("depgraph")
    assert not run.is_current(session)
    session.set_estimator("roofline")
    assert run.is_current(session)
    session.document.set_field(("compute", "vector_lanes"), 32)
    assert not run.is_current(session)
    reports = []
    with pytest.raises(Cancelled, match="cancelled"):  # how far it got depends on timing
        sensitivity_operation(session, parameters=PARAMS).run(
            progress=lambda *step: reports.append(step), cancel=lambda: len(reports) >= 2)


def test_a_slow_estimator_is_refused_in_one_line(session) -> None:
    session.set_estimator("simulate")
    with pytest.raises(EstimationError, match="cannot analyse sensitivity: simulate is slow"):
        sensitivity_operation(session)


def test_view_draws_bars_with_progress_and_goes_outdated(qtbot, window,
                                                         open_and_estimate) -> None:
    window.set_estimator("roofline")
    open_and_estimate(window, "squeezenet")
    view = window.views["sensitivity"]
    assert "press Analyse" in view.plot._empty_text.toPlainText()
    view.analyse(PARAMS)
    assert not view.progress.isHidden() and not view.run_button.isEnabled()
    qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=120_000)
    assert view.progress.isHidden()
    labels = view.bar_labels()
    assert labels[0] in ("clock_hz", "compute.pe_rows") and "clock_hz" in labels
    assert view.table.rowCount() == 3
    values = {view.table.item(r, 0).text(): view.table.item(r, 1).text() for r in range(3)}
    assert values["clock_hz"] == "1 GHz"  # SI units from the schema, not 1e+09
    assert "squeezenet on gemmini with roofline" in view.caption.text()
    view.metric_box.setCurrentText("energy")  # the same run, the other metric
    assert view.plot.getAxis("bottom").labelText.startswith("Elasticity of energy")
    window.session.document.set_field(("compute", "vector_lanes"), 32)
    assert "Outdated" in view.caption.text()


def test_cancel_stops_the_analysis(qtbot, window, open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    view = window.views["sensitivity"]
    view.analyse()  # every parameter with depgraph: a minute or more, long enough to cancel
    qtbot.waitUntil(lambda: view.progress.value() >= 1, timeout=60_000)
    with qtbot.waitSignal(window.taskCancelled, timeout=60_000):
        view.cancel_button.click()
    assert view.run_button.isEnabled() and view._run is None
