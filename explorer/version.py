"""The one source of truth for accel-explorer's version."""

__version__ = "0.2.0"
