"""A tiny event emitter: the session tells whoever listens (views, a CLI progress line,
a test) that something changed, without knowing who they are and without Qt.

Events are emitted synchronously in the thread that changes the session; the GUI only
changes it in the UI thread (a worker computes, the UI thread commits), so listeners may
touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[..., Any]


class Event:
    """One kind of notification: `connect(fn)`, `disconnect(fn)`, `emit(*args)`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Listener] = []

    def connect(self, listener: Listener) -> Listener:
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener  # usable as a decorator

    def disconnect(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, *args: Any) -> None:
        for listener in list(self._listeners):  # a listener may disconnect itself
            listener(*args)

    def __repr__(self) -> str:
        return f"Event({self.name!r}, {len(self._listeners)} listener(s))"


class Events:
    """A named group of events; `Events("a", "b").a.connect(...)`."""

    def __init__(self, *names: str) -> None:
        for name in names:
            setattr(self, name, Event(name))

    def __getattr__(self, name: str) -> Event:  # for type checkers; real ones are set
        raise AttributeError(f"no event {name!r}")
