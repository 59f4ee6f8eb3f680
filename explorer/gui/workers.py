"""Background work: one worker thread runs Qt-free core calls (load a network, estimate)
while the UI thread stays responsive.

A task is a plain function `fn(progress, cancel) -> result`; the core drives its own
generator (`run_estimate`) and calls `progress(done, total, what)` between layers and
polls `cancel()`, so cancelling is cooperative and never kills a thread. Results come
back through queued signals to slots of `TaskRunner`, which lives in the UI thread.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from explorer.errors import Cancelled, ExplorerError

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]
TaskFn = Callable[[ProgressFn, CancelFn], Any]

# Progress signals are throttled: a fast estimator yields thousands of layers a second
# and every emit costs the UI thread a queued event.
_PROGRESS_INTERVAL_S = 0.05


@dataclass
class Task:
    """One unit of background work. `kind` groups tasks that supersede each other: a new
    estimate makes a pending or running estimate obsolete, but not a pending load."""

    kind: str
    label: str
    make: Callable[[], TaskFn | None]  # called in the UI thread when the task starts
    on_done: Callable[[Any], None]
    on_failed: Callable[[str], None] | None = None
    on_cancelled: Callable[[str], None] | None = None
    task_id: int = 0
    cancel_event: threading.Event = field(default_factory=threading.Event)


class _Worker(QObject):
    """Lives in the worker thread; runs one task function at a time."""

    progress = Signal(int, int, int, str)  # task id, done, total, what
    done = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int, str)

    @Slot(int, object, object)
    def run(self, task_id: int, fn: TaskFn, cancel_event: threading.Event) -> None:
        last_emit = 0.0

        def progress(done: int, total: int, what: str) -> None:
            nonlocal last_emit
            now = time.monotonic()
            if done >= total or now - last_emit >= _PROGRESS_INTERVAL_S:
                last_emit = now
                self.progress.emit(task_id, done, total, what)

        try:
            result = fn(progress, cancel_event.is_set)
        except Cancelled as exc:
            self.cancelled.emit(task_id, str(exc))
        except ExplorerError as exc:
            self.failed.emit(task_id, str(exc))
        except Exception as exc:  # a bug in some estimator must not take the app down
            traceback.print_exc(file=sys.stderr)
            self.failed.emit(task_id, f"unexpected {type(exc).__name__}: {exc}")
        else:
            if cancel_event.is_set():
                self.cancelled.emit(task_id, "cancelled")
            else:
                self.done.emit(task_id, result)


class TaskRunner(QObject):
    """Queues tasks for the worker thread, one at a time, in submission order; at most
    one pending task per kind (the newest wins)."""

    started = Signal(str)  # label
    progress = Signal(int, int, str)  # done, total, what
    idle = Signal()
    _start = Signal(int, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("explorer-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.run)
        self._worker.progress.connect(self._on_progress)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self._on_cancelled)
        self._thread.start()
        app = QCoreApplication.instance()
        if app is not None:  # a running QThread destroyed at exit aborts the process
            app.aboutToQuit.connect(self.shutdown)
        self._pending: list[Task] = []
        self._running: Task | None = None
        self._next_id = 1

    # -- public -------------------------------------------------------------------------
    def submit(self, task: Task) -> None:
        task.task_id = self._next_id
        self._next_id += 1
        self._pending = [t for t in self._pending if t.kind != task.kind]
        self._pending.append(task)
        if self._running is not None and self._running.kind == task.kind:
            self._running.cancel_event.set()
        self._start_next()

    def cancel(self) -> bool:
        """Cancel the running task and drop pending ones; True if anything was stopped."""
        stopped = bool(self._pending) or self._running is not None
        self._pending.clear()
        if self._running is not None:
            self._running.cancel_event.set()
        return stopped

    def is_busy(self, kind: str | None = None) -> bool:
        tasks = ([self._running] if self._running else []) + self._pending
        return any(kind is None or t.kind == kind for t in tasks)

    @Slot()
    def shutdown(self) -> None:
        self.cancel()
        self._thread.quit()
        self._thread.wait(10_000)

    # -- internals ----------------------------------------------------------------------
    def _start_next(self) -> None:
        while self._running is None and self._pending:
            task = self._pending.pop(0)
            try:
                fn = task.make()
            except ExplorerError as exc:
                if task.on_failed:
                    task.on_failed(str(exc))
                continue
            if fn is None:
                continue
            self._running = task
            self.started.emit(task.label)
            self._start.emit(task.task_id, fn, task.cancel_event)
        if self._running is None and not self._pending:
            self.idle.emit()

    def _finish(self, task_id: int) -> Task | None:
        task = self._running
        if task is None or task.task_id != task_id:
            return None
        self._running = None
        return task

    @Slot(int, int, int, str)
    def _on_progress(self, task_id: int, done: int, total: int, what: str) -> None:
        if self._running is not None and self._running.task_id == task_id:
            self.progress.emit(done, total, what)

    @Slot(int, object)
    def _on_done(self, task_id: int, result: object) -> None:
        task = self._finish(task_id)
        if task is not None:
            try:
                task.on_done(result)
            finally:
                self._start_next()

    @Slot(int, str)
    def _on_failed(self, task_id: int, message: str) -> None:
        task = self._finish(task_id)
        if task is not None:
            try:
                if task.on_failed:
                    task.on_failed(message)
            finally:
                self._start_next()

    @Slot(int, str)
    def _on_cancelled(self, task_id: int, message: str) -> None:
        task = self._finish(task_id)
        if task is not None:
            try:
                if task.on_cancelled:
                    task.on_cancelled(message)
            finally:
                self._start_next()
