"""The summary strip: the handful of whole-network numbers people look at first."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from explorer.estimators.base import NetworkEstimate
from explorer.gui.views.host import Host
from explorer.hardware.schema import Accelerator
from explorer.session import Session
from explorer.session.view_data import summarise
from explorer.units import percent, plural, rate, si

_FIELDS = [
    ("latency", "Total latency", "Sum of the per-layer latencies (one inference)"),
    ("throughput", "Throughput", "Inferences per second, one at a time"),
    ("energy", "Energy", "Energy of one inference (– when the estimator gives none)"),
    ("utilisation", "Utilisation", "Network MACs / (latency × peak MAC/s of the PE array)"),
    ("compute", "Compute-bound", "Share of the latency spent in compute-bound layers"),
    ("memory", "Memory-bound", "Share of the latency spent in memory-bound layers"),
    ("estimator", "Estimator", "Estimator, layers estimated and its own run time"),
]


class SummaryStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryStrip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 4, 10, 4)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(0)
        self.values: dict[str, QLabel] = {}
        for column, (key, title, tip) in enumerate(_FIELDS):
            caption = QLabel(title)
            caption.setObjectName("summaryCaption")
            value = QLabel("–")
            value.setObjectName("summaryValue")
            for label in (caption, value):
                label.setToolTip(tip)
            grid.addWidget(caption, 0, column)
            grid.addWidget(value, 1, column)
            self.values[key] = value
        grid.setColumnStretch(len(_FIELDS), 1)
        self.note = QLabel()
        self.note.setObjectName("resultNote")
        self.note.setStyleSheet("color: #B00000; font-weight: bold")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        grid.addWidget(self.note, 2, 0, 1, len(_FIELDS) + 1)

    def attach(self, session: Session, host: Host) -> None:
        def show() -> None:
            made = session.result_for
            self.set_result(session.result, made.accelerator if made else None)
            self.set_note(session.result_note())

        session.events.result_changed.connect(show)
        session.events.freshness_changed.connect(lambda: self.set_note(session.result_note()))

    def set_note(self, note: str) -> None:
        """Say, in the strip, when the numbers are not for what the window shows."""
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def set_result(self, result: NetworkEstimate | None, acc: Accelerator | None) -> None:
        if result is None:
            for label in self.values.values():
                label.setText("–")
            return
        s = summarise(result, acc)
        self.values["latency"].setText(si(s.latency_s, "s"))
        self.values["throughput"].setText(rate(s.throughput_per_s, "/s"))
        self.values["energy"].setText(si(s.energy_j, "J"))
        self.values["utilisation"].setText(percent(s.utilisation))
        bounds_known = any(layer.bound for layer in result.layers)
        self.values["compute"].setText(percent(s.compute_share) if bounds_known else "–")
        self.values["memory"].setText(percent(s.memory_share) if bounds_known else "–")
        self.values["estimator"].setText(f"{result.estimator} · {plural(s.layers, 'layer')} · "
                                         f"{si(s.estimator_runtime_s, 's')}")

    def text(self, key: str) -> str:
        return self.values[key].text()
