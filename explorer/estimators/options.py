"""Estimator options as pydantic models: the same machinery as the accelerator schema
(validation, defaults, help text from the field descriptions), so the CLI's
`--option KEY=VALUE`, the Python API's keyword arguments and the GUI's forms read one
declaration.

An estimator with an option declares, in its own module::

    class Options(EstimatorOptions):
        alpha: float = Field(1.0, ge=0, le=1, description="...")

and reads `self.options.alpha`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from explorer.errors import EstimationError


class EstimatorOptions(BaseModel):
    """No options: the base of every estimator's options model."""

    # Unknown keys are errors; values from the command line arrive as strings and are
    # converted by the field's type (lax mode).
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def validate_options(estimator: str, model: type[EstimatorOptions],
                     options: Mapping[str, Any] | EstimatorOptions | None) -> EstimatorOptions:
    """`options` checked against `model`; a one-line EstimationError naming the estimator,
    the option and what is wrong otherwise."""
    if isinstance(options, model):
        return options
    if isinstance(options, BaseModel):
        options = options.model_dump()
    try:
        return model.model_validate(dict(options or {}))
    except ValidationError as exc:
        raise EstimationError(_one_line(estimator, model, options or {}, exc)) from None


def _one_line(estimator: str, model: type[EstimatorOptions], given: Mapping[str, Any],
              exc: ValidationError) -> str:
    known = ", ".join(model.model_fields) or "none"
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "options"
        if error["type"] == "extra_forbidden":
            problems.append(f"unknown option {key!r} (options: {known})")
        elif key in given:
            problems.append(f"option {key}={given[key]!r}: {error['msg']}")
        else:
            problems.append(f"option {key}: {error['msg']}")
    return f"estimator {estimator!r}: " + "; ".join(problems)


def option_help(model: type[EstimatorOptions]) -> list[tuple[str, str, Any]]:
    """(name, description, default) of each option, for help texts and forms."""
    out = []
    for name, field in model.model_fields.items():
        default = None if field.is_required() else field.default
        out.append((name, field.description or "", default))
    return out


def parse_option_items(items: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (the CLI's repeatable `--option`) as a dict; the values stay
    strings for the options model to convert."""
    options: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise EstimationError(f"--option {item!r}: expected KEY=VALUE, e.g. alpha=0.5")
        options[key.strip()] = value.strip()
    return options
