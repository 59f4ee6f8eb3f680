"""The toolbar's estimator choice: a view of the session's estimator. Choosing one that
needs a model file asks for the file, and the session checks it there and then."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from explorer.errors import ExplorerError
from explorer.estimators.registry import estimator_names
from explorer.gui.views.host import Host
from explorer.session import Session
from explorer.session.state import estimator_description, needs_model

MODEL_FILE_ENTRY = "statistical model from file…"


class EstimatorPicker(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumContentsLength(16)
        for name in estimator_names():
            self.addItem(name, name)
        self.insertSeparator(self.count())
        self.addItem(MODEL_FILE_ENTRY, MODEL_FILE_ENTRY)
        self._session: Session | None = None
        self._host: Host | None = None

    def attach(self, session: Session, host: Host) -> None:
        self._session, self._host = session, host
        session.events.estimator_changed.connect(self.show_choice)
        self.activated.connect(self._on_activated)
        self.show_choice()

    def choose(self, name: str, **options: object) -> bool:
        """Set the session's estimator; a failure is reported and changes nothing."""
        assert self._session is not None and self._host is not None
        try:
            self._session.set_estimator(name, **options)
        except ExplorerError as exc:
            self.show_choice()  # the choice still in force
            self._host.report_error("Cannot use estimator", str(exc))
            return False
        return True

    @Slot()
    def show_choice(self) -> None:
        assert self._session is not None
        name = self._session.estimator
        index = self.findData(name)
        if index >= 0:
            self.setCurrentIndex(index)
            self.setToolTip(estimator_description(name))

    @Slot(int)
    def _on_activated(self, index: int) -> None:
        name = self.itemData(index)
        if name != MODEL_FILE_ENTRY and not needs_model(name):
            self.choose(name)
            return
        candidates = [name] if name != MODEL_FILE_ENTRY else \
            [n for n in estimator_names() if needs_model(n)]
        assert self._host is not None
        path, _ = QFileDialog.getOpenFileName(self, "Open statistical model",
                                              self._host.settings.last_dir(), "All files (*)")
        if not path or not candidates:
            self.show_choice()
            return
        self.choose(candidates[0], model=path)
