"""explorer.report: the text formats the CLI writes and the HTML report (also the GUI's)."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest

from explorer.cli import main
from explorer.estimators.base import run_estimate
from explorer.estimators.registry import estimator_class
from explorer.hardware.library import load_accelerator
from explorer.report import (
    format_csv,
    format_json,
    format_table,
    html_report,
    png_data_uri,
    summary_rows,
)
from explorer.workload import load_network


class _Collector(HTMLParser):
    """Table cells, headings and image sources of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.headings: list[str] = []
        self.images: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th", "h1", "h2"):
            self._in = tag
            if tag in ("td", "th"):
                self.rows[-1].append("")
            else:
                self.headings.append("")
        elif tag == "img":
            self.images.append(dict(attrs)["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in in ("td", "th"):
            self.rows[-1][-1] += data
        elif self._in in ("h1", "h2"):
            self.headings[-1] += data


@pytest.fixture(scope="module")
def estimate():
    accelerator = load_accelerator("gemmini")
    network = load_network("squeezenet")
    return run_estimate(estimator_class("roofline")(), network, accelerator), accelerator


def test_csv_has_one_row_per_layer_and_json_the_totals(estimate) -> None:
    result, _ = estimate
    rows = list(csv.DictReader(io.StringIO(format_csv(result))))
    assert [r["name"] for r in rows] == [layer.name for layer in result.layers]
    data = json.loads(format_json(result))
    assert data["total"]["latency_s"] == pytest.approx(result.latency_s)
    assert "total:" in format_table(result)


def test_html_report_has_sections_summary_and_every_layer(estimate) -> None:
    result, accelerator = estimate
    page = _Collector()
    page.feed(html_report(result, accelerator=accelerator))
    assert page.headings[0] == "squeezenet on gemmini (roofline)"
    assert {"Network", "Accelerator", "Estimator", "Summary", "Per-layer estimate"} <= set(
        page.headings)
    cells = {row[0]: row[1] for row in page.rows if len(row) == 2}
    assert cells["Total latency"] == dict(summary_rows(result, accelerator))["Total latency"]
    assert cells["PE array"].startswith("16 × 16")
    assert "Utilisation" in cells
    layer_rows = [row for row in page.rows if len(row) == 9 and row[0] != "#"]
    assert [row[1] for row in layer_rows] == [layer.name for layer in result.layers]
    assert page.images == []


def test_html_report_embeds_images_and_escapes_text(estimate) -> None:
    result, _ = estimate
    result.network.warnings.append("a <b> & c")
    try:
        text = html_report(result, {"Latency per layer": png_data_uri(b"\x89PNG")})
    finally:
        result.network.warnings.pop()
    page = _Collector()
    page.feed(text)
    assert page.images == ["data:image/png;base64,iVBORw=="]
    assert "Latency per layer" in page.headings
    assert "a &lt;b&gt; &amp; c" in text
    assert "Utilisation" not in text  # needs the accelerator's peak


def test_cli_html_format(tmp_path, capsys) -> None:
    out = tmp_path / "report.html"
    assert main(["estimate", "squeezenet", "--estimator", "roofline", "--format", "html",
                 "-o", str(out)]) == 0
    page = _Collector()
    page.feed(out.read_text(encoding="utf-8"))
    assert "Summary" in page.headings and "Memory scratchpad" in {r[0] for r in page.rows}


def test_cli_html_report_has_what_the_windows_export_has(tmp_path) -> None:
    """Headless parity: `estimate --format html` writes the window's report (less the
    plots): design changes, time per op type with DRAM traffic, slowest layers, memory
    levels and the layer detail."""
    out = tmp_path / "report.html"
    assert main(["estimate", "squeezenet", "--arch", "gemmini", "--estimator", "depgraph",
                 "--set", "clock_hz=500MHz", "--format", "html", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    page = _Collector()
    page.feed(text)
    for heading in ("Design changes from its source", "Time per op type",
                    "Slowest 10 layers", "Energy and traffic per memory level",
                    "Layer detail (slowest 3 layers)"):
        assert heading in page.headings, heading
    assert "clock_hz: 1 GHz → 500 MHz" in text and "DRAM traffic" in text
