"""File ▸ Export estimate… and Export plot as PNG…, offscreen, with the file dialog
patched: every format is written, parses, and an unwritable path is a dialog."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog


@pytest.fixture
def save_as(monkeypatch):
    """Makes the next save dialog answer `path` (with the filter the user picked)."""
    def answer(path: str, chosen: str = "") -> None:
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda *args, **kwargs: (path, chosen))
    return answer


@pytest.fixture
def estimated(window, open_and_estimate):
    open_and_estimate(window, "squeezenet")
    return window


def test_export_is_disabled_until_there_is_an_estimate(window) -> None:
    assert not window.export_action.isEnabled()
    assert window.export_action.shortcut().toString() == "Ctrl+E"


def test_csv_rows_are_the_estimated_layers(estimated, save_as, tmp_path, dialogs) -> None:
    path = tmp_path / "squeezenet.csv"
    save_as(str(path))
    estimated.export_action.trigger()
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["name"] for r in rows] == [layer.name for layer in estimated.session.result.layers]
    assert float(rows[0]["latency_s"]) == pytest.approx(estimated.session.result.layers[0].latency_s)
    assert not dialogs


def test_json_has_the_cli_keys(estimated, save_as, tmp_path) -> None:
    path = tmp_path / "squeezenet.json"
    save_as(str(path))
    estimated.export_action.trigger()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {"network", "accelerator", "estimator", "total", "layers"} <= set(data)
    assert len(data["layers"]) == len(estimated.session.result.layers)


def test_html_report_embeds_both_plots(qtbot, estimated, save_as, tmp_path) -> None:
    path = tmp_path / "report"
    save_as(str(path), "HTML report (*.html)")  # no extension typed: the filter's
    with qtbot.waitSignal(estimated.exportFinished, timeout=60_000):  # in the background
        estimated.export_action.trigger()
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert text.count('src="data:image/png;base64,') == 2
    assert "Latency per layer" in text and "Roofline" in text and "PE array" in text
    assert all(layer.name in text for layer in estimated.session.result.layers)
    assert "Energy and traffic per memory level" in text and "accumulator" in text


def test_pdf_report(qtbot, estimated, save_as, tmp_path, dialogs) -> None:
    path = tmp_path / "report.pdf"
    save_as(str(path))
    steps: list[str] = []
    estimated.runner.progress.connect(lambda _done, _total, what: steps.append(what))
    with qtbot.waitSignal(estimated.exportFinished, timeout=60_000):
        estimated.export_action.trigger()
        assert estimated.cancel_action.isEnabled()  # a long report can be cancelled
    assert steps and steps[-1] == "wrote report.pdf"  # steps reach the progress bar
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    assert not dialogs
    # both plots embedded at print resolution: >= 200 dpi over the report's image width
    from explorer.report import IMAGE_WIDTH_PX

    widths = [int(w) for w in re.findall(rb"/Width (\d+)", data)]
    assert len(widths) == 2 and min(widths) >= 200 / 96 * IMAGE_WIDTH_PX, widths
    if shutil.which("pdftoppm"):  # optional: poppler renders the first page
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path),
                        str(tmp_path / "page")], check=True, timeout=60)
        page = QImage(str(next(tmp_path.glob("page*.png"))))
        assert not page.isNull() and page.height() > page.width()  # A4 portrait


def test_unwritable_path_shows_a_dialog(qtbot, estimated, save_as, tmp_path, dialogs) -> None:
    path = tmp_path / "no_such_dir" / "report.pdf"
    save_as(str(path))
    estimated.export_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs), timeout=60_000)
    assert not path.exists()
    assert dialogs and dialogs[0][0] == "Cannot export estimate"
    assert str(path) in dialogs[0][1] and "\n" not in dialogs[0][1]


def test_unknown_extension_is_an_error_not_a_file(estimated, tmp_path, dialogs) -> None:
    assert not estimated.export_estimate(str(tmp_path / "report.docx"))
    assert "'.docx'" in dialogs[0][1] and not (tmp_path / "report.docx").exists()


def test_export_plot_as_png(estimated, save_as, tmp_path, dialogs) -> None:
    path = tmp_path / "plots.png"
    save_as(str(path))
    estimated.export_plot_action.trigger()
    image = QImage(str(path))
    assert not image.isNull()
    assert image.size() == estimated.tabs.currentWidget().size()
    save_as(str(tmp_path / "missing" / "plots.png"))
    estimated.export_plot_action.trigger()
    assert dialogs and dialogs[0][0] == "Cannot export plot"


def test_export_plot_as_vector_svg_and_pdf(estimated, save_as, tmp_path, dialogs) -> None:
    import xml.etree.ElementTree as ET

    path = tmp_path / "overview.svg"
    save_as(str(path))
    estimated.export_plot_action.trigger()
    root = ET.fromstring(path.read_bytes())
    ns = "{http://www.w3.org/2000/svg}"
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{ns}text"))
    assert "squeezenet on gemmini (depgraph)" in texts  # the title
    assert "Latency" in texts and "compute" in texts  # axis title and legend, as text
    bars = [r for r in root.iter(f"{ns}path")] + [r for r in root.iter(f"{ns}rect")]
    assert len(bars) > 30  # drawn as shapes, not one embedded picture
    estimated.tabs.setCurrentWidget(estimated.views["breakdown"])
    pdf = tmp_path / "breakdown.pdf"
    save_as(str(pdf))
    estimated.export_plot_action.trigger()
    assert pdf.read_bytes().startswith(b"%PDF") and not dialogs
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Breakdown" in text and "Conv" in text


def test_a_cancelled_report_writes_nothing_and_reports_each_step(estimated, tmp_path) -> None:
    from explorer.errors import Cancelled
    from explorer.gui.export import pdf_from_png
    from explorer.session.export import export_operation

    path = tmp_path / "big.pdf"
    steps: list[tuple[int, int, str]] = []
    operation = export_operation(estimated.session, str(path), {}, {}, pdf_from_png)
    assert operation.run(progress=lambda *step: steps.append(step)) == ".pdf"
    assert [s[:2] for s in steps] == [(0, 3), (1, 3), (2, 3), (3, 3)] and path.is_file()
    path.unlink()
    seen: list[str] = []
    operation = export_operation(estimated.session, str(path), {}, {}, pdf_from_png)
    with pytest.raises(Cancelled, match="cancelled"):
        operation.run(progress=lambda _d, _t, what: seen.append(what),
                      cancel=lambda: any("laying out" in what for what in seen))
    assert not path.exists()


def test_report_plots_have_at_least_200_dpi_at_their_printed_width(qtbot, estimated, save_as,
                                                                   tmp_path) -> None:
    import base64

    path = tmp_path / "report.html"
    save_as(str(path))
    with qtbot.waitSignal(estimated.exportFinished, timeout=60_000):
        estimated.export_action.trigger()
    text = path.read_text(encoding="utf-8")
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)" width="(\d+)"', text)
    assert len(images) == 2
    plots = [plot for plot, _legend in estimated.views["overview"].plots().values()]
    for (data, width), plot in zip(images, plots):
        image = QImage.fromData(base64.b64decode(data), "PNG")
        # printed at `width` CSS pixels (1/96 in): 200 dpi needs 200/96 image pixels each
        assert image.width() >= 200 / 96 * int(width), (image.width(), width)
        # the plot as shown (its aspect), not another layout of it
        assert image.height() / image.width() == pytest.approx(plot.height() / plot.width(),
                                                               abs=0.01)
        assert image.dotsPerMeterX() * 0.0254 >= 199  # says so to image viewers too
