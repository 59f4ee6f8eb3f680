"""Small dialogs: input shapes for dynamic dims."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import WorkloadError
from explorer.session.input_shapes import InputSpec, parse_dims


class InputShapeDialog(QDialog):
    """Asks for the concrete shape of every input with dynamic dims, proposals filled in."""

    def __init__(self, source: str, specs: list[InputSpec], parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dynamic input dimensions")
        self._specs = specs
        self._edits: dict[str, QLineEdit] = {}
        intro = QLabel(f"<b>{source}</b> has inputs with dynamic dimensions.<br>"
                       "Give the shape to estimate with (e.g. 1x3x224x224):")
        intro.setWordWrap(True)
        form = QFormLayout()
        for spec in specs:
            edit = QLineEdit("x".join(str(d) for d in spec.proposal()))
            declared = " × ".join(str(d) for d in spec.dims)
            edit.setToolTip(f"Declared in the file: {declared}")
            form.addRow(f"{spec.name}  [{declared}]", edit)
            self._edits[spec.name] = edit
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """The entered shapes; raises WorkloadError naming the input at fault."""
        shapes = {}
        for spec in self._specs:
            try:
                dims = parse_dims(self._edits[spec.name].text())
            except WorkloadError as exc:
                raise WorkloadError(f"input {spec.name!r}: {exc}") from None
            if len(dims) != len(spec.dims):
                raise WorkloadError(f"input {spec.name!r}: {len(dims)} dims given, the file "
                                    f"declares {len(spec.dims)}")
            fixed = [(i, d) for i, d in enumerate(spec.dims) if isinstance(d, int)]
            for axis, size in fixed:
                if dims[axis] != size:
                    raise WorkloadError(f"input {spec.name!r}: dim {axis} is fixed to {size} "
                                        f"in the file, got {dims[axis]}")
            shapes[spec.name] = dims
        return shapes

    def accept(self) -> None:
        try:
            self.shapes()
        except WorkloadError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return
        super().accept()

    def set_text(self, name: str, text: str) -> None:
        self._edits[name].setText(text)
