"""The toolbar's estimator choice: a view of the session's estimator. Choosing one that
needs a model file asks for the file, and the session checks it there and then."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import ExplorerError
from explorer.estimators.registry import estimator_names, options_model
from explorer.gui.forms import ModelForm
from explorer.gui.views.host import Host
from explorer.hardware.introspect import fields_of
from explorer.session import Session
from explorer.session.state import estimator_description, needs_model

MODEL_FILE_ENTRY = "statistical model from file…"
_FORM_KINDS = ("int", "float", "bool", "str", "enum")  # options a form can edit


def editable_options(name: str) -> list[str]:
    """The options of estimator `name` the options form shows (a model file is chosen
    through the estimator menu instead)."""
    try:
        model = options_model(name)
    except Exception:
        return []
    return [facts.name for facts in fields_of(model) if facts.kind in _FORM_KINDS]


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

    def options_dialog(self) -> QDialog | None:
        """A form for the chosen estimator's options, built from its options model (the
        same schema-form code as the accelerator's); OK applies them. None when the
        estimator has no options to edit."""
        assert self._session is not None
        name = self._session.estimator
        names = editable_options(name)
        if not names:
            return None
        model = options_model(name)
        current = {**model().model_dump(mode="json"), **self._session.estimator_options}
        dialog = QDialog(self)
        dialog.setWindowTitle(f"{name} options")
        dialog.form = form = ModelForm(model)  # type: ignore[attr-defined]
        form.set_data({key: current[key] for key in names})
        form.valueEdited.connect(lambda path, _old, new: form.set_value(path, new))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(f"Options of <b>{name}</b> (also <tt>--option KEY=VALUE</tt> "
                                "on the command line)"))
        layout.addWidget(form)
        layout.addWidget(buttons)
        kept = {k: v for k, v in self._session.estimator_options.items() if k not in names}
        dialog.accepted.connect(lambda: self.choose(name, **kept, **form.data))
        return dialog

    @Slot()
    def edit_options(self) -> None:
        dialog = self.options_dialog()
        if dialog is None:
            assert self._host is not None and self._session is not None
            self._host.report_error("No options",
                                    f"{self._session.estimator} has no options to set here")
            return
        dialog.open()
