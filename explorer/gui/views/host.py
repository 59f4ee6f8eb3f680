"""What a view may ask of the window hosting it: run a session operation in the
background, report an error, bring a tab to the front. Views get the session itself for
everything else (state, events, operations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtWidgets import QWidget

from explorer.gui.settings import Settings
from explorer.session import Operation, Session


class Host(Protocol):
    settings: Settings

    def run(self, make: Callable[[], Operation], failure: str, *,
            then: Callable[[Any], None] | None = None,
            on_end: Callable[[], None] | None = None) -> None:
        """Create the operation with `make()` (an ExplorerError there is reported under
        `failure`), run it in the worker and commit it in the UI thread; `then(result)`
        after the commit, `on_end()` however it ends."""

    def report_error(self, title: str, message: str) -> None: ...

    def cancel(self) -> None:
        """Cancel the running operation (between its steps)."""

    def show_view(self, widget: QWidget) -> None: ...


class View(Protocol):
    """A view takes the session and subscribes to it."""

    def attach(self, session: Session, host: Host) -> None: ...
