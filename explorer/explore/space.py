"""The design space of an exploration: swept parameters, each a list of values or a range.

    compute.pe_rows=8,16,32            a list (grid: every value; search: one of them)
    compute.pe_rows=8:128:8            a linear range with a step (8, 16, ..., 128)
    compute.pe_rows=8:128:2:log        a geometric range, factor 2 (8, 16, 32, 64, 128)
    memories.ifmap_sram.size_bytes=64KiB:8MiB:log     continuous in log space (search only)
    clock_hz=200MHz:1GHz               continuous (search only)

Paths are those of `--set`; values take the same units and prefixes. Everything is
checked against the schema before any design is estimated: an unknown path lists the
sweepable parameters, a value or range outside the field's bounds is refused.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from explorer.errors import ArchitectureError
from explorer.hardware.introspect import FieldFacts
from explorer.hardware.overrides import field_at, parse_quantity
from explorer.hardware.params import sweepable_params
from explorer.hardware.schema import Accelerator


@dataclass(frozen=True)
class Param:
    """One swept parameter. `kind` is "int", "float" or "str" (the stored type)."""

    path: str
    kind: str
    choices: tuple[Any, ...] = ()  # a discrete, ordered set of values
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    text: str = field(default="", compare=False)  # as the user wrote it

    @property
    def discrete(self) -> bool:
        return bool(self.choices)

    def grid(self) -> list[Any]:
        if not self.discrete:
            raise ArchitectureError(f"--param {self.text}: a grid needs listed values or a "
                                    "step (LO:HI:STEP or LO:HI:FACTOR:log)")
        return list(self.choices)

    def from_unit(self, u: float) -> Any:
        """The value at position u in [0, 1) of this parameter's range (for sampling)."""
        u = min(max(u, 0.0), 1.0 - 1e-12)
        if self.discrete:
            return self.choices[int(u * len(self.choices))]
        if self.log:
            value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + u * (self.high - self.low)
        return self.typed(value)

    def typed(self, value: Any) -> Any:
        if self.kind == "int":
            return int(round(float(value)))
        if self.kind == "float":
            return float(value)
        return str(value)


def sweepable_parameters(acc: Accelerator) -> list[str]:
    """The `--set` paths an exploration may vary: the schema's one list
    (`explorer.hardware.params.sweepable_params`, which the GUI's forms also offer)."""
    return [p.path for p in sweepable_params(acc)]


def field_facts(acc: Accelerator, path: str) -> FieldFacts:
    """The schema facts of `path`; an unknown path names the sweepable parameters."""
    try:
        facts = field_at(acc, path, f"{path}=...")
    except ArchitectureError as exc:
        reason = re.split(r";? ?allowed:", str(exc).split(": ", 1)[-1])[0].rstrip("; ")
        raise ArchitectureError(
            f"--param {path}: not a sweepable parameter of {acc.name} ({reason}); "
            f"sweepable: {', '.join(sweepable_parameters(acc))}") from None
    if facts.submodel is not None or facts.is_list or path not in sweepable_parameters(acc):
        raise ArchitectureError(f"--param {path}: not a single numeric or choice value; "
                                f"sweepable: {', '.join(sweepable_parameters(acc))}")
    return facts


def parse_param(text: str, acc: Accelerator) -> Param:
    """`PATH=V1,V2` or `PATH=LO:HI[:STEP][:log]`, checked against the schema."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not sep or not path or not spec:
        raise ArchitectureError(f"--param {text!r}: expected PATH=V1,V2,... or "
                                "PATH=LO:HI[:STEP][:log], e.g. compute.pe_rows=8:128:2:log")
    facts = field_facts(acc, path)
    base = facts.base
    if isinstance(base, type) and issubclass(base, Enum):
        kind = "str"
    else:
        kind = "int" if base is int else "float"
    if ":" in spec and kind != "str":
        return _parse_range(text, path, spec, kind, facts)
    values = [v.strip() for v in spec.split(",") if v.strip()]
    if not values:
        raise ArchitectureError(f"--param {text!r}: no values")
    if kind == "str":
        choices = tuple(values)
    else:
        # listed values are not bounds-checked here: one the schema rejects is stored
        # with its reason (a sweep shows it as such); ranges are checked below
        choices = tuple(_number(v, kind, facts, text) for v in values)
    if len(set(choices)) != len(choices):
        raise ArchitectureError(f"--param {text!r}: a value is listed twice")
    return Param(path, kind, choices, text=text)


def _parse_range(text: str, path: str, spec: str, kind: str, facts: FieldFacts) -> Param:
    parts = [p.strip() for p in spec.split(":")]
    log = parts[-1].lower() == "log"
    if log:
        parts = parts[:-1]
    if len(parts) not in (2, 3):
        raise ArchitectureError(f"--param {text!r}: a range is LO:HI, LO:HI:STEP or "
                                "LO:HI:FACTOR:log")
    low, high = (_number(p, kind, facts, text) for p in parts[:2])
    if not low < high:
        raise ArchitectureError(f"--param {text!r}: LO must be below HI")
    if log and low <= 0:
        raise ArchitectureError(f"--param {text!r}: a log range needs LO > 0")
    _check_bounds(low, facts, text)
    _check_bounds(high, facts, text)
    if len(parts) == 2:
        if kind == "int" and not log:
            parts.append("1")
        else:
            return Param(path, kind, (), float(low), float(high), log, text=text)
    step = float(parse_quantity(parts[2], facts.unit, float, f"--param {text}"))
    if log and step <= 1 or not log and step <= 0:
        raise ArchitectureError(f"--param {text!r}: the step must be > 0 (a log factor > 1)")
    choices: list[Any] = []
    value, n = float(low), 0
    while value <= high * (1 + 1e-9) and n <= 100_000:
        typed = int(round(value)) if kind == "int" else value
        if not choices or typed != choices[-1]:
            choices.append(typed)
        n += 1
        value = low * step ** n if log else low + step * n
    if n > 100_000:
        raise ArchitectureError(f"--param {text!r}: more than 100000 values; use a larger step")
    return Param(path, kind, tuple(choices), float(low), float(high), log, text=text)


def _number(raw: str, kind: str, facts: FieldFacts, text: str) -> int | float:
    value = parse_quantity(raw, facts.unit, int if kind == "int" else float, f"--param {text}")
    if isinstance(value, str):
        raise ArchitectureError(f"--param {text!r}: {raw!r} is not a number")
    if kind == "int":
        if float(value) != int(value):
            raise ArchitectureError(f"--param {text!r}: {facts.name} takes integers, "
                                    f"not {raw!r}")
        return int(value)
    return float(value)


def _check_bounds(value: float, facts: FieldFacts, text: str) -> None:
    bounds = facts.bounds()
    bad = (("ge" in bounds and value < bounds["ge"]) or ("gt" in bounds and value <= bounds["gt"])
           or ("le" in bounds and value > bounds["le"]) or ("lt" in bounds and value >= bounds["lt"]))
    if bad:
        allowed = " and ".join(f"{'≥' if k == 'ge' else '>' if k == 'gt' else '≤' if k == 'le' else '<'}"
                               f" {v:g}" for k, v in bounds.items())
        raise ArchitectureError(f"--param {text}: {value:g} is outside the bounds of "
                                f"{facts.name} ({allowed}); nothing was run")


def assignment(params: list[Param], values: tuple) -> list[str]:
    """`--set` strings for one design."""
    return [f"{p.path}={_text(v)}" for p, v in zip(params, values)]


def _text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def design_key(values: tuple) -> str:
    """A design's identity in a store (parameters in order, as stored)."""
    return json.dumps([v if not isinstance(v, float) else float(v) for v in values])
