"""Issue 15 defects 8 and 10 in the text outputs: the CLI table, the HTML report and the
layer detail use the formatters of explorer/units.py and the words of
explorer/session/view_data.py (PART_LABELS, bound_label), the ones the GUI's legend,
table and tooltips use."""

from __future__ import annotations

import dataclasses
import re

import pytest

from explorer.cli import main
from explorer.estimators.base import run_estimate
from explorer.estimators.registry import estimator_class
from explorer.hardware.library import load_accelerator
from explorer.report import format_table, html_report
from explorer.session.analysis import layer_detail
from explorer.session.view_data import BREAKDOWN_PARTS, PART_LABELS, bound_label
from explorer.units import binary_bytes, percent, si
from explorer.workload import load_network
from tests.test_report import _Collector


@pytest.fixture(scope="module")
def depgraph():
    """squeezenet on gemmini with depgraph: layers with compute, memory and stall cycles
    that overlap, compute- and memory-bound layers."""
    accelerator = load_accelerator("gemmini")
    return run_estimate(estimator_class("depgraph")(), load_network("squeezenet"),
                        accelerator), accelerator


def table_rows(text: str, result) -> dict[str, list[str]]:
    """Layer name -> the cells of its row in `format_table`'s output (columns are two or
    more spaces apart; a cell such as "98.6 k" has one)."""
    lines = text.splitlines()[3:3 + len(result.layers)]
    rows = {}
    for layer, line in zip(result.layers, lines):
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) == 8, line
        rows[layer.name] = cells
    return rows


def html_rows(page: str, result) -> dict[str, list[str]]:
    collected = _Collector()
    collected.feed(page)
    layers = [row for row in collected.rows if len(row) == 9 and row[0].isdigit()]
    return {result.layers[int(row[0]) - 1].name: row for row in layers}


def with_utilisation(result, fraction: float):
    """`result` with its first layer's utilisation set to `fraction`."""
    first = dataclasses.replace(result.layers[0], utilisation=fraction)
    return dataclasses.replace(result, layers=[first, *result.layers[1:]])


def test_table_and_report_do_not_round_a_small_utilisation_to_zero(depgraph) -> None:
    result, accelerator = depgraph
    small = with_utilisation(result, 0.0004)
    first = small.layers[0].name
    assert table_rows(format_table(small), small)[first][7] == "0.04 %"
    assert html_rows(html_report(small, accelerator=accelerator), small)[first][8] == "0.04 %"


def test_cli_table_utilisation_and_memory_use_the_one_formatter(depgraph, capsys) -> None:
    result, _ = depgraph
    assert main(["estimate", "squeezenet", "--estimator", "depgraph"]) == 0
    out = capsys.readouterr().out
    for layer in result.layers:
        assert table_rows(out, result)[layer.name][7] == percent(layer.utilisation)
    total = out.splitlines()[-1] if out.splitlines()[-1].startswith("total:") else \
        next(line for line in out.splitlines() if line.startswith("total:"))
    assert f"memory {binary_bytes(result.memory_bytes)}" in total  # 1.917 MiB, not 2.01 MB
    assert si(result.memory_bytes, "B") not in total
    share = result.bound_share()
    assert f"{PART_LABELS['compute-bound']} {percent(share['compute'])}" in total


def test_table_report_and_layer_detail_name_the_bound_as_the_gui_does(depgraph) -> None:
    result, accelerator = depgraph
    table = table_rows(format_table(result), result)
    report = html_rows(html_report(result, accelerator=accelerator), result)
    bounds = set()
    for layer in result.layers:
        word = bound_label(layer.bound) or "–"
        bounds.add(word)
        assert table[layer.name][5] == word
        assert report[layer.name][6] == word
        detail = {(s, k): v for s, k, v in layer_detail(result, layer.name)}
        assert detail[("Estimate", "bound")] == word
    assert {"compute-bound", "memory-bound"} <= bounds


def test_layer_detail_splits_cycles_as_the_bars_do_and_says_what_overlaps(depgraph) -> None:
    result, _ = depgraph
    # a layer whose memory transfers overlap its compute and stall cycles
    layer = next(x for x in result.layers
                 if x.memory_cycles and x.compute_cycles and x.stall_cycles)
    assert layer.compute_cycles + layer.memory_cycles + layer.stall_cycles > layer.cycles
    cycles = [(item, value) for section, item, value in layer_detail(result, layer.name)
              if section == "Cycles"]
    parts = [PART_LABELS[part] for part in BREAKDOWN_PARTS]  # the bars' legend words
    assert [item for item, _ in cycles[:3]] == parts
    shares = [float(re.search(r"\(([\d.]+) %\)", value).group(1)) for _, value in cycles[:3]]
    assert sum(shares) == pytest.approx(100, abs=1.5)  # the parts add up to the latency
    rest = cycles[3:]
    assert rest and all("overlap" in item for item, _ in rest)
    memory = dict(rest)[PART_LABELS["memory-busy"]]
    assert percent(layer.memory_cycles / layer.cycles) in memory
