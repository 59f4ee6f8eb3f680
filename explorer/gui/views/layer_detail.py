"""The selected layer in depth: its estimate, cycles broken down and the mapping the
estimator chose (from `session.analysis.layer_detail`, which the CLI's `inspect --layer`
prints too)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from explorer.gui.views.host import Host
from explorer.session import Session
from explorer.session.analysis import layer_detail


class LayerDetailView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Select a layer in the table or a plot.")
        self.title.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Item", "Value"])
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 230)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)

    def attach(self, session: Session, host: Host) -> None:
        def show(*_args: object) -> None:
            self.show_layer(session.result, session.selected)

        session.events.result_changed.connect(show)
        session.events.selection_changed.connect(show)

    def show_layer(self, result, name: str | None) -> None:
        self.tree.clear()
        rows = layer_detail(result, name) if result is not None and name else []
        if not rows:
            self.title.setText("Select a layer in the table or a plot." if result is not None
                               else "No estimate yet.")
            return
        values = {(section, item): value for section, item, value in rows}
        self.title.setText(f"<b>#{values[('Layer', '#')]} {values[('Layer', 'name')]}</b> "
                           f"({values[('Layer', 'op')]}) · {values[('Estimate', 'latency')]}")
        sections: dict[str, QTreeWidgetItem] = {}
        for section, item, value in rows:
            parent = sections.get(section)
            if parent is None:
                parent = sections[section] = QTreeWidgetItem(self.tree, [section])
                parent.setExpanded(True)
            child = QTreeWidgetItem(parent, [item, value])
            child.setToolTip(1, value)

    def items(self) -> dict[tuple[str, str], str]:
        """(section, item) -> value as shown (for tests)."""
        shown = {}
        for i in range(self.tree.topLevelItemCount()):
            section = self.tree.topLevelItem(i)
            for j in range(section.childCount()):
                child = section.child(j)
                shown[(section.text(0), child.text(0))] = child.text(1)
        return shown
