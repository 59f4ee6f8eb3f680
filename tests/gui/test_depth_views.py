"""Issue 15's depth: the layer detail panel, the Breakdown tab and A/B comparison of two
designs, through the real window offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


def test_layer_detail_follows_the_selection(qtbot, window, open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    result = window.session.result
    slowest = max(result.layers, key=lambda layer: layer.latency_s)
    window.select_layer(slowest.name)
    shown = window.layer_detail.items()
    number = result.layers.index(slowest) + 1
    assert shown[("Layer", "#")] == str(number) and shown[("Layer", "name")] == slowest.name
    assert ("Mapping", "folds") in shown and ("Cycles", "compute") in shown
    assert f"#{number}" in window.layer_detail.title.text()
    # traffic and energy per memory level, from the estimator's access counts
    levels = [item for section, item in shown if section == "Memory levels"]
    assert levels == ["scratchpad", "accumulator", "DRAM"]
    assert "read" in shown[("Memory levels", "DRAM")] and "J" in shown[("Memory levels", "DRAM")]


def test_breakdown_tab_per_op_top_layers_and_area(qtbot, window, open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    view = window.views["breakdown"]
    assert view.op_table.item(0, 0).text() == "Conv"
    assert view.top_table.rowCount() == 15
    view.top_table.cellClicked.emit(0, 0)  # the slowest layer is selected everywhere
    slowest = max(window.session.result.layers, key=lambda layer: layer.latency_s)
    assert window.selected_layer == slowest.name
    components = [view.area_table.item(r, 0).text() for r in range(view.area_table.rowCount())]
    assert components[0] == "PE array" and components[-1] == "total"
    # energy per memory level and compute: bars for each, shares adding up to 100 %
    levels = [view.level_table.item(r, 0).text() for r in range(view.level_table.rowCount())]
    assert levels[:3] == ["scratchpad", "accumulator", "DRAM"] and len(levels) == 4
    assert len(view.level_chart.bars.opts["width"]) == 4
    assert sum(view.level_chart.bars.opts["width"]) == pytest.approx(100.0)
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        window.set_estimator("roofline")  # no per-level traffic: said, not faked
    assert view.level_table.rowCount() == 0
    assert "reports no per-level traffic" in view.level_chart.plot._empty_text.toPlainText()


def test_breakdown_charts_energy_traffic_and_area(qtbot, window, open_and_estimate) -> None:
    from explorer.session.analysis import area_breakdown, op_summary
    from explorer.session.levels import level_breakdown

    open_and_estimate(window, "squeezenet")
    view = window.views["breakdown"]
    result, acc = window.session.result, window.session.accelerator
    ops = op_summary(result)

    def bars(chart) -> dict[str, float]:  # label -> bar length, as drawn
        ticks = chart.plot.getAxis("left")._tickLevels[0]
        widths = chart.bars.opts["width"]
        return {label: widths[int(y)] for y, label in ticks}

    # energy and DRAM traffic per op type: shares of the network's, each op a bar
    energy = bars(view.op_energy_chart)
    assert set(energy) == {o.op for o in ops if o.energy_j}
    assert sum(energy.values()) == pytest.approx(100.0)
    assert energy["Conv"] == pytest.approx(100 * next(o.energy_share for o in ops
                                                      if o.op == "Conv"))
    traffic = bars(view.op_traffic_chart)
    assert len(traffic) >= 2 and sum(traffic.values()) == pytest.approx(100.0)
    # traffic per memory level: read and written stacked, in one binary unit
    levels = [row for row in level_breakdown(result, acc) if row.bytes is not None]
    chart = view.level_traffic_chart
    read = bars(chart)
    assert set(read) == {row.level for row in levels}
    scale = chart.scale
    dram = next(row for row in levels if row.level == "DRAM")
    index = [label for _y, label in chart.plot.getAxis("left")._tickLevels[0]].index("DRAM")
    assert (chart.bars.opts["width"][index] + chart.stacked.opts["width"][index]) * scale \
        == pytest.approx(dram.bytes)
    assert "iB" in chart.plot.getAxis("bottom").labelText
    # area per component, in mm², as in the description
    area = bars(view.area_chart)
    assert area == pytest.approx({c: a for c, a, _s in area_breakdown(acc)})
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        window.set_estimator("roofline")  # no traffic per layer: said, not faked
    assert "no" in view.op_traffic_chart.plot._empty_text.toPlainText()
    assert len(view.op_traffic_chart.bars.opts["width"]) == 0
    assert len(bars(view.area_chart)) == len(area_breakdown(acc))  # area stays


def test_ab_two_library_accelerators_on_one_network(qtbot, window, open_and_estimate,
                                                    dialogs) -> None:
    open_and_estimate(window, "squeezenet")
    view = window.views["ab"]
    view.pin_button.click()
    assert not dialogs and window.session.baseline is window.session.result
    with qtbot.waitSignal(window.estimateShown, timeout=60_000):
        assert window.load_accelerator("eyeriss")
    ab = view.comparison
    assert ab is not None and ab.current.accelerator == "eyeriss"
    assert ab.baseline.accelerator == "gemmini"
    assert view.table.rowCount() == len(ab.layers)
    assert ab.total_delta_s == pytest.approx(ab.current.latency_s - ab.baseline.latency_s)
    assert "B " in view.summary.text() and "compute.pe_rows" in view.changes.text()
    view.clear_button.click()
    assert view.comparison is None and window.session.baseline is None


def test_layer_table_has_cycles_energy_and_utilisation(qtbot, window, open_and_estimate) -> None:
    from explorer.gui.views.layer_table import COLUMNS

    open_and_estimate(window, "squeezenet")
    model, result = window.layer_table.model, window.session.result
    slowest = max(result.layers, key=lambda layer: layer.latency_s)
    row = model.row_of(slowest.name)
    cells = {column: model.item(row, i).text() for i, column in enumerate(COLUMNS)}
    assert cells["Cycles"].endswith(" k") or cells["Cycles"].endswith(" M")
    assert cells["Energy"].endswith("J") and cells["Utilisation"].endswith("%")
    window.layer_table.view.sortByColumn(COLUMNS.index("Energy"), Qt.SortOrder.DescendingOrder)
    first = window.layer_table.visible_names()[0]
    assert first == max(result.layers, key=lambda layer: layer.energy_j or 0).name


def test_graph_view_draws_every_layer_and_syncs_selection(qtbot, window,
                                                          open_and_estimate) -> None:
    open_and_estimate(window, "squeezenet")
    view = window.views["graph"]
    result = window.session.result
    assert view.node_count() == len(result.network.layers)
    xs = {view._positions[layer.name][0] for layer in result.network.layers}
    assert len(xs) > 10  # laid out by depth, not in one column
    name = result.layers[5].name
    window.select_layer(name)
    assert tuple(view._highlight.data["x"]) == (view._positions[name][0],)
    points = [p for p in view._nodes.points() if p.data() == result.layers[9].name]
    view._nodes.sigClicked.emit(view._nodes, points, None)
    assert window.selected_layer == result.layers[9].name
    assert "#10" in view._tip(0, 0, result.layers[9].name)
