"""The window's file commands: open a network or an accelerator (dialog, recent files,
drag and drop), save the accelerator, export the estimate or a plot. A mixin of
MainWindow, kept apart so the window itself stays wiring."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QDialog, QFileDialog

from explorer.errors import ExplorerError
from explorer.session import NeedsInputShapes
from explorer.workload.network import Network

if TYPE_CHECKING:
    from explorer.gui.main_window import MainWindow

_NETWORK_SUFFIXES = (".onnx",)
_ACCELERATOR_SUFFIXES = (".yaml", ".yml")


class FileCommands:
    # -- networks -----------------------------------------------------------------------
    @Slot()
    def open_network_dialog(self: MainWindow) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open ONNX network",
                                              self.settings.last_dir(),
                                              "ONNX models (*.onnx);;All files (*)")
        if path:
            self.settings.set_last_dir(str(Path(path).parent))
            self.open_network(path)

    def open_network(self: MainWindow, source: str,
                     input_shapes: dict[str, tuple[int, ...]] | None = None) -> None:
        """Load a file path or zoo name in the background; views update when it lands."""
        self.run(lambda: self.session.load_network(source, input_shapes),
                 "Cannot open network", then=lambda loaded: self.on_network_loaded(source,
                                                                                   loaded))

    def ask_input_shapes(self: MainWindow, needs: NeedsInputShapes) -> dict[str, tuple[int, ...]] | None:
        if self.headless:  # no one to ask: take the proposals
            return needs.proposals()
        from explorer.gui.dialogs import InputShapeDialog

        dialog = InputShapeDialog(Path(needs.source).name, needs.specs, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.shapes()

    def on_network_loaded(self: MainWindow, source: str, loaded: Network | NeedsInputShapes) -> None:
        if isinstance(loaded, NeedsInputShapes):
            shapes = self.ask_input_shapes(loaded)
            if shapes is not None:
                self.open_network(source, shapes)
            else:
                self.statusBar().showMessage("Opening cancelled.", 5000)
        elif Path(source).is_file():
            self.settings.add_recent_file(str(Path(source).resolve()))
        else:  # a zoo example: File > Open recent offers it again
            self.settings.add_recent_file(source)

    @Slot()
    def fill_recent_menu(self: MainWindow) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in recent:  # networks (files or zoo names) and accelerator files
            act = self.recent_menu.addAction(path)
            opener = self.load_accelerator if path.lower().endswith(_ACCELERATOR_SUFFIXES) \
                else self.open_network
            act.triggered.connect(lambda _checked=False, p=path, o=opener: o(p))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.settings.clear_recent_files)

    def dragEnterEvent(self: MainWindow, event: QDragEnterEvent) -> None:
        if _dropped_path(event) is not None:
            _accept_as_copy(event)

    def dropEvent(self: MainWindow, event: QDropEvent) -> None:
        path = _dropped_path(event)
        if path is None:
            return
        _accept_as_copy(event)
        if path.lower().endswith(_ACCELERATOR_SUFFIXES):
            self.load_accelerator(path)
        else:
            self.open_network(path)

    # -- accelerators --------------------------------------------------------------------
    def load_accelerator(self: MainWindow, name_or_path: str) -> bool:
        if not self.confirm_unsaved(f"opening {Path(name_or_path).name}"):
            return False
        try:
            self.session.document.load(name_or_path)
        except ExplorerError as exc:
            self.report_error("Cannot load accelerator", str(exc))
            return False
        if not self.session.document.is_library_entry:
            self.settings.add_recent_file(self.session.document.source)
        return True

    @Slot()
    def open_accelerator_dialog(self: MainWindow) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open accelerator description",
                                              self.settings.last_dir(),
                                              "YAML (*.yaml *.yml);;All files (*)")
        if path:
            self.settings.set_last_dir(str(Path(path).parent))
            self.load_accelerator(path)

    @Slot()
    def save_accelerator(self: MainWindow) -> bool:
        doc = self.session.document
        if not doc.source or doc.is_library_entry:
            return self.save_accelerator_as()
        return self.save_accelerator_to(doc.source)

    @Slot()
    def save_accelerator_as(self: MainWindow) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save accelerator as YAML",
                                              self.session.document.suggested_save_path(),
                                              "YAML (*.yaml *.yml)")
        if not path:
            return False
        if not path.lower().endswith(_ACCELERATOR_SUFFIXES):
            path += ".yaml"
        return self.save_accelerator_to(path)

    def save_accelerator_to(self: MainWindow, path: str) -> bool:
        try:
            self.session.document.save_as(path)
        except ExplorerError as exc:
            self.report_error("Cannot save accelerator", str(exc))
            return False
        self.statusBar().showMessage(f"Saved {path}", 5000)
        self._update_title()
        return True

    # -- export -------------------------------------------------------------------------
    @Slot()
    def export_estimate_dialog(self: MainWindow) -> None:
        from explorer.session.export import FORMATS

        result = self.session.result
        if result is None:
            self.statusBar().showMessage("Nothing to export: run an estimate first (F5).", 5000)
            return
        stem = f"{result.network.name}_{result.accelerator}_{result.estimator}"
        filters = [f"{label} (*{suffix})" for suffix, label in FORMATS.items()]
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export estimate", str(Path(self.settings.last_dir()) / f"{stem}.pdf"),
            ";;".join(filters))
        if not path:
            return
        if not Path(path).suffix and chosen in filters:  # no extension typed: the filter's
            path += list(FORMATS)[filters.index(chosen)]
        self.settings.set_last_dir(str(Path(path).parent))
        self.export_estimate(path)

    def export_estimate(self: MainWindow, path: str) -> bool:
        """Write the shown estimate to `path` (.pdf, .html, .csv or .json). CSV and JSON
        are written at once; a report (long for a big network) is laid out in the
        background with progress and Cancel, and `exportFinished(path)` follows. False
        (after a dialog) when it cannot start."""
        from explorer.gui.export import pdf_from_png, plot_image, png_bytes
        from explorer.session.export import export_format, export_operation

        try:
            images, legends = {}, {}
            report = export_format(path) in (".pdf", ".html")
            if report:  # the plots are grabbed here, in the UI thread, as shown now
                for caption, (plot, legend) in self.views["overview"].plots().items():
                    images[caption] = png_bytes(plot_image(plot))
                    legends[caption] = legend
            operation = export_operation(self.session, path, images, legends, pdf_from_png)
            if not report:
                operation.run()
        except ExplorerError as exc:
            self.report_error("Cannot export estimate", str(exc))
            return False

        def done(_suffix: object = None) -> None:
            self.statusBar().showMessage(f"Exported {path}", 8000)
            self.exportFinished.emit(path)

        if report:
            self.run(lambda: operation, "Cannot export estimate", then=done)
        else:
            done()
        return True

    @Slot()
    def export_plot_dialog(self: MainWindow) -> None:
        tab = self.tabs.tabText(self.tabs.currentIndex()).replace("&&", "and")
        stem = "_".join(tab.lower().replace("/", "-").split())
        filters = {".svg": "SVG drawing (*.svg)", ".pdf": "PDF drawing (*.pdf)",
                   ".png": "PNG image (*.png)"}
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export plot", str(Path(self.settings.last_dir()) / f"{stem}.svg"),
            ";;".join(filters.values()))
        if not path:
            return
        if Path(path).suffix.lower() not in filters:
            path += next((s for s, f in filters.items() if f == chosen), ".svg")
        self.settings.set_last_dir(str(Path(path).parent))
        self.export_plot(path)

    def export_plot(self: MainWindow, path: str) -> bool:
        """Save the current tab's plots with a title: SVG or PDF as vector drawings (for
        papers), PNG as shown on screen."""
        from explorer.gui.export import png_bytes, widget_pdf, widget_svg, write_file

        widget = self.tabs.currentWidget()
        tab = self.tabs.tabText(self.tabs.currentIndex()).replace("&&", "&")
        result = self.session.result
        title = tab if result is None else (f"{tab}: {result.network.name} on "
                                            f"{result.accelerator} ({result.estimator})")
        suffix = Path(path).suffix.lower()
        try:
            if suffix == ".svg":
                write_file(path, widget_svg(widget, title))
            elif suffix == ".pdf":
                write_file(path, widget_pdf(widget, title))
            else:
                write_file(path, png_bytes(widget.grab().toImage()))
        except ExplorerError as exc:
            self.report_error("Cannot export plot", str(exc))
            return False
        self.statusBar().showMessage(f"Exported {path}", 8000)
        return True


def _accept_as_copy(event: QDragEnterEvent | QDropEvent) -> None:
    """A file dropped on the window is read, never moved: a file manager that proposed
    a move would otherwise delete the original."""
    event.setDropAction(Qt.DropAction.CopyAction)
    event.accept()


def _dropped_path(event: QDragEnterEvent | QDropEvent) -> str | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    paths = [u.toLocalFile() for u in urls if u.isLocalFile()]
    ok = [p for p in paths if p.lower().endswith(_NETWORK_SUFFIXES + _ACCELERATOR_SUFFIXES)]
    return ok[0] if ok else None
