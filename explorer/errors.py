"""One small exception family. Every message is one line that names the file, node or
field at fault and what is allowed, so the CLI can print it as is and the GUI can show
it in a dialog."""

from __future__ import annotations


class ExplorerError(Exception):
    """Base of every error a user can cause with bad input."""


class WorkloadError(ExplorerError):
    """A network file cannot be read or understood."""


class ArchitectureError(ExplorerError):
    """An accelerator description is invalid."""


class EstimationError(ExplorerError):
    """An estimator cannot estimate this network on this accelerator."""


class BenchmarkError(ExplorerError):
    """A benchmark store, device or model file is unusable."""


class Cancelled(ExplorerError):
    """Long work was stopped on request (Ctrl-C, the GUI's Cancel)."""
