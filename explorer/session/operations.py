"""Operations are generators: they yield `Progress` while they work and return their
result; `commit` then puts that result into the session. Splitting the two lets the GUI
run the work in a worker thread and commit in the UI thread, while a script or a test
just calls `Operation.run()`.

Core functions that report progress through callbacks (`run_estimate`, `run_sweep`) become
generators through `callback_steps`, which runs them in a helper thread and hands their
progress reports over one at a time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from explorer.errors import Cancelled

T = TypeVar("T")
ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    what: str


Steps = Generator[Progress, None, T]


def _never() -> bool:
    return False


@dataclass
class Operation(Generic[T]):
    """One unit of session work. `kind` groups operations that supersede each other (a
    new estimate makes a running one obsolete); `steps(cancel)` does the work without
    touching the session; `commit(result)` applies it and emits the session's events."""

    kind: str
    label: str
    steps: Callable[[CancelFn], Steps[T]]
    commit: Callable[[T], None]
    on_cancelled: Callable[[], None] | None = None

    def compute(self, progress: ProgressFn | None = None,
                cancel: CancelFn | None = None) -> T:
        """Drive the steps to their result (in any thread); Cancelled if `cancel()` turns
        true between steps."""
        cancel = cancel or _never
        gen = self.steps(cancel)
        try:
            while True:
                step = next(gen)
                if progress is not None:
                    progress(step.done, step.total, step.what)
                if cancel():
                    gen.close()
                    raise Cancelled(f"{self.label} cancelled at {step.what or 'start'}")
        except StopIteration as stop:
            return stop.value

    def run(self, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> T:
        """Compute and commit, in the calling thread: the headless way."""
        try:
            result = self.compute(progress, cancel)
        except Cancelled:
            if self.on_cancelled is not None:
                self.on_cancelled()
            raise
        self.commit(result)
        return result


_DONE = object()


def callback_steps(fn: Callable[[ProgressFn, CancelFn], T], cancel: CancelFn) -> Steps[T]:
    """Run `fn(progress, cancel)` in a helper thread and yield its progress reports as
    `Progress`; return its result or raise its exception. Closing the generator (the
    driver cancelled) stops `fn` through its cancel callback and waits for it."""
    reports: queue.Queue = queue.Queue()
    stop = threading.Event()
    outcome: dict[str, Any] = {}

    def progress(done: int, total: int, what: str) -> None:
        reports.put(Progress(done, total, str(what)))

    def body() -> None:
        try:
            outcome["value"] = fn(progress, lambda: stop.is_set() or cancel())
        except BaseException as exc:  # re-raised in the driving thread
            outcome["error"] = exc
        finally:
            reports.put(_DONE)

    thread = threading.Thread(target=body, name="explorer-operation", daemon=True)
    thread.start()
    try:
        while (item := reports.get()) is not _DONE:
            yield item
    except GeneratorExit:
        stop.set()
        thread.join()
        if isinstance(outcome.get("error"), Cancelled):
            raise outcome["error"] from None  # the core's own words: "after 12 of 66"
        raise
    finally:
        stop.set()
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
