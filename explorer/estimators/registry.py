"""Estimator names and how to build one: `make_estimator(name, options)`, used by every
caller (API, CLI, GUI, sweeps, the simulated benchmark device).

Modules are imported on first use to keep start-up fast. Adding an estimator: its module
(a class with `name`, `Options` and `estimate_layer`) and one line in `_REGISTRY`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from explorer.errors import EstimationError
from explorer.estimators.base import Estimator
from explorer.estimators.options import EstimatorOptions, validate_options

# name -> "module:Class"
_REGISTRY: dict[str, str] = {
    "roofline": "explorer.estimators.roofline:Roofline",
    "refined-roofline": "explorer.estimators.roofline:RefinedRoofline",
    "depgraph": "explorer.estimators.depgraph:DepGraph",
    "simulate": "explorer.estimators.simulate:Simulate",
    "statistical": "explorer.estimators.statistical:StatisticalEstimator",
}
DEFAULT_ESTIMATOR = "depgraph"


def estimator_names() -> list[str]:
    return list(_REGISTRY)


def estimator_class(name: str) -> type[Estimator]:
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise EstimationError(f"unknown estimator {name!r}; available: "
                              f"{', '.join(_REGISTRY)}") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)


def options_model(name: str) -> type[EstimatorOptions]:
    """The options model of estimator `name` (for help texts and the GUI's forms)."""
    return estimator_class(name).Options


def make_estimator(name: str,
                   options: Mapping[str, Any] | EstimatorOptions | None = None) -> Estimator:
    """Estimator `name` with `options` validated by its options model (a one-line
    EstimationError for an unknown name, an unknown option or a bad value)."""
    cls = estimator_class(name)
    return cls(validate_options(name, cls.Options, options))


def get_estimator(name: str, **options: Any) -> Estimator:
    """`make_estimator` with the options as keyword arguments."""
    return make_estimator(name, options)
