"""Issue 12 §2: a statistical estimate's spread in the headless outputs: the `estimate`
table's 90 % interval column, the HTML report's column and its network latency range
(the sum of the per-layer bounds, labelled conservative); estimators without a spread
show neither."""

from __future__ import annotations

import pytest

from explorer.cli import main
from explorer.estimators.registry import make_estimator
from explorer.hardware.library import load_accelerator
from explorer.report import format_table, html_report
from explorer.session.view_data import latency_interval, network_latency_range
from explorer.units import si_range
from explorer.workload import load_network
from tests.synthetic_model import train_synthetic_model
from tests.test_report import _Collector


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    return train_synthetic_model(tmp_path_factory.mktemp("stat"))


@pytest.fixture(scope="module")
def statistical(model_file):
    accelerator = load_accelerator("gemmini")
    network = load_network("squeezenet")
    return make_estimator("statistical", {"model": str(model_file)}).estimate(
        network, accelerator), accelerator


@pytest.fixture(scope="module")
def roofline():
    return make_estimator("roofline").estimate(load_network("squeezenet"),
                                               load_accelerator("gemmini"))


def test_si_range_shares_one_prefix() -> None:
    assert si_range(1.2e-3, 2.5e-3, "s") == "1.2–2.5 ms"
    assert si_range(950e-6, 1.2e-3, "s") == "0.95–1.2 ms"
    assert si_range(3e-6, 3e-6, "s") == "3–3 µs"
    assert si_range(0, 2e-6, "s") == "0–2 µs"
    assert si_range(None, 1.0, "s") == "–" and si_range(1.0, float("nan"), "s") == "–"


def test_network_range_sums_the_layer_bounds(statistical) -> None:
    result, _ = statistical
    low, high = network_latency_range(result)
    lows = highs = 0.0
    for layer in result.layers:
        interval = latency_interval(layer)
        lo, hi = interval if interval else (layer.latency_s, layer.latency_s)
        lows, highs = lows + lo, highs + hi
    assert (low, high) == pytest.approx((lows, highs))
    assert low < result.latency_s < high


def test_no_range_without_a_spread(roofline) -> None:
    assert network_latency_range(roofline) is None
    assert "interval" not in format_table(roofline)
    assert "interval" not in html_report(roofline) and "range" not in html_report(roofline)


def test_table_has_an_interval_per_layer(statistical) -> None:
    result, _ = statistical
    text = format_table(result)
    header = next(line for line in text.splitlines() if line.startswith("layer"))
    assert "90 % interval" in header
    for layer in result.layers:
        interval = latency_interval(layer)
        if interval and layer.modelled:
            assert si_range(*interval, "s") in text, layer.name
    low, high = network_latency_range(result)
    assert f"latency range {si_range(low, high, 's')} (conservative" in text


def test_html_report_has_the_column_and_the_range(statistical) -> None:
    result, accelerator = statistical
    page = _Collector()
    page.feed(html_report(result, accelerator=accelerator))
    header = next(row for row in page.rows if row and row[0] == "#" and "Layer" in row)
    assert "90 % interval" in header
    column = header.index("90 % interval")
    layer_rows = [row for row in page.rows if len(row) == len(header) and row[0] != "#"]
    first = next(i for i, layer in enumerate(result.layers) if latency_interval(layer))
    assert layer_rows[first][column] == si_range(*latency_interval(result.layers[first]), "s")
    cells = {row[0]: row[1] for row in page.rows if len(row) == 2}
    low, high = network_latency_range(result)
    label = "Latency range (conservative: sum of the layers' 90 % intervals)"
    assert cells[label] == si_range(low, high, "s")


def test_cli_table_and_html_show_intervals(model_file, tmp_path, capsys) -> None:
    assert main(["estimate", "squeezenet", "--estimator", "statistical",
                 "--model", str(model_file)]) == 0
    out = capsys.readouterr().out
    assert "90 % interval" in out and "latency range" in out
    report = tmp_path / "r.html"
    assert main(["estimate", "squeezenet", "--estimator", "statistical", "--model",
                 str(model_file), "--format", "html", "-o", str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    assert "90 % interval" in text and "Latency range (conservative" in text
    assert "sum of the layers" in text


def test_no_layer_sum_range_when_a_network_model_sets_the_total(statistical) -> None:
    # The stacked network model adds and removes work the layers' bounds know nothing of:
    # a range summed from them would not bracket the total shown beside it.
    import dataclasses

    result, _ = statistical
    stacked = dataclasses.replace(result, network_latency_s=result.latency_s * 1.8)
    assert network_latency_range(stacked) is None
    assert "latency range" not in format_table(stacked)


def test_a_network_model_total_names_what_its_cycles_are(statistical) -> None:
    # The cycles are the layers' sum; the total is the network model's: say so, rather
    # than print a total beside cycles that do not give it.
    import dataclasses

    result, _ = statistical
    stacked = dataclasses.replace(result, network_latency_s=result.latency_s * 1.8)
    total = next(line for line in format_table(stacked).splitlines()
                 if line.startswith("total:"))
    assert "network model; layers alone" in total
    assert "network model" not in next(line for line in format_table(result).splitlines()
                                       if line.startswith("total:"))
