"""`PATH=VALUE` overrides of an accelerator description, e.g. from `--set`:

    compute.pe_rows=64
    compute.dataflow=os
    compute.dataflows=ws,os,is
    memories.ifmap_sram.size_bytes=256KiB      (a memory by name, or memories[0])
    clock_hz=700MHz
    memories.scratchpad.dram_bandwidth_bytes_per_cycle=null

The result is validated by the schema as a whole, so an override can never produce a
description that a YAML file could not. Numbers are read by `explorer.hardware.quantity`
(as in YAML files): SI (k, M, G, T) and binary (Ki, Mi, Gi, Ti) prefixes; a unit written
after them must be the field's own unit.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from explorer.errors import ArchitectureError
from explorer.hardware.introspect import FieldFacts
from explorer.hardware.library import accelerator_to_data, format_validation_error
from explorer.hardware.quantity import MAX_TEXT, parse_quantity
from explorer.hardware.schema import Accelerator

_STEP = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")
_EMPTY = {"", "null", "none", "~"}


def apply_overrides(acc: Accelerator, assignments: Iterable[str], *,
                    context: str = "--set") -> Accelerator:
    """A copy of `acc` with every `PATH=VALUE` applied, validated through the schema.

    `context` starts every error message (the CLI option the text came from); the Python
    API passes "" so that its errors name only the assignment."""
    assignments = list(assignments)
    if not assignments:
        return acc
    data = accelerator_to_data(acc)
    for full in assignments:
        path, sep, raw = full.partition("=")
        # messages quote the assignment: a long one is shortened so they stay one line
        assignment = full if len(full) <= 100 else full[:97] + "..."
        where = f"{context} {assignment}".strip()
        if not sep or not path.strip():
            raise ArchitectureError(f"{where}: expected PATH=VALUE, e.g. compute.pe_rows=64")
        container, key, facts = _locate(data, path.strip(), where)
        container[key] = _convert(raw.strip(), facts, where)
        _validate(data, where)
    return Accelerator.model_validate(data)


def apply_values(acc: Accelerator, values: Mapping[str, Any]) -> Accelerator:
    """A copy of `acc` with `{PATH: value}` applied, for Python callers: a value is set as
    it is (32, 7e8, "os", ["ws", "os"], None), except text, which is read as on the command
    line ("64KiB", "700MHz"). Errors name the path and value, never a CLI option."""
    if not values:
        return acc
    data = accelerator_to_data(acc)
    for path, value in values.items():
        where = f"{path}={value!r}"
        container, key, facts = _locate(data, str(path).strip(), where)
        container[key] = (_convert(value.strip(), facts, where) if isinstance(value, str)
                          else _plain(value))
        _validate(data, where)
    return Accelerator.model_validate(data)


def _plain(value: Any) -> Any:
    """Python values as the plain data the schema validates (enums by value)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _validate(data: dict, where: str) -> None:
    try:
        Accelerator.model_validate(data)
    except ValidationError as exc:
        raise ArchitectureError(f"{where}: {format_validation_error(exc, data)}") from None


def field_at(acc: Accelerator, path: str, where: str = "") -> FieldFacts:
    """The schema facts of the field a `--set` path names in `acc` (memories by name or
    index); ArchitectureError (one line, starting with `where` or the path) if the path
    names no single field: an unknown name (with the allowed names), a group, a list."""
    return locate(accelerator_to_data(acc), path, where or path)[2]


def locate(data: dict, path: str, where: str) -> tuple[Any, Any, FieldFacts]:
    """In description data (`accelerator_to_data`), the mapping or list that holds the
    field a `--set` path names, its key there, and the field's facts; `where` starts
    every error message."""
    return _locate(data, path, where)


def _locate(data: dict, path: str, where: str) -> tuple[Any, Any, FieldFacts]:
    """The mapping (or list) that holds the target, the key in it, and the field's facts."""
    steps = path.split(".")
    model: type[BaseModel] = Accelerator
    node: Any = data
    done: list[str] = []
    i = 0
    while i < len(steps):
        match = _STEP.match(steps[i])
        if not match:
            raise ArchitectureError(f"{where}: {steps[i]!r} is not a field name")
        name, index = match.group(1), match.group(2)
        place = ".".join(done) or "the top level"
        if name not in model.model_fields:
            close = difflib.get_close_matches(name, list(model.model_fields), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ArchitectureError(
                f"{where}: unknown field {name!r} in {place}; {hint}"
                f"allowed: {', '.join(model.model_fields)}")
        facts = FieldFacts(model, name, model.model_fields[name])
        done.append(steps[i])
        last = i == len(steps) - 1
        if facts.is_list and facts.submodel is not None:
            items = node[name]
            if index is None and not last:
                # A named item (memories.scratchpad) when the items have names.
                index = _index_by_name(items, steps[i + 1], done, where)
                i += 1
                done.append(steps[i])
            if index is None:
                raise ArchitectureError(
                    f"{where}: {'.'.join(done)} is a list; set one field of one "
                    f"item, e.g. {'.'.join(done)}[0].FIELD")
            position = int(index)
            if not 0 <= position < len(items):
                raise ArchitectureError(f"{where}: {'.'.join(done)} has "
                                        f"{len(items)} items; index {position} is out of range")
            if i == len(steps) - 1:
                raise ArchitectureError(f"{where}: name a field of "
                                        f"{'.'.join(done)}, e.g. .{next(iter(facts.submodel.model_fields))}")
            node, model = items[position], facts.submodel
        elif index is not None:
            raise ArchitectureError(f"{where}: {name} is not a list of groups; "
                                    f"write {'.'.join(done[:-1] + [name])}=VALUE")
        elif facts.submodel is not None:
            if last:
                raise ArchitectureError(
                    f"{where}: {'.'.join(done)} is a group of fields; set one of: "
                    f"{', '.join(facts.submodel.model_fields)}")
            node, model = node[name], facts.submodel
        else:
            if not last:
                raise ArchitectureError(f"{where}: {'.'.join(done)} is a single "
                                        "value and has no fields below it")
            return node, name, facts
        i += 1
    raise AssertionError("unreachable: the loop returns or raises")


def _index_by_name(items: list, name: str, done: list[str], where: str) -> str | None:
    if _STEP.match(name) and name.isdigit():
        return name
    names = [item.get("name") for item in items if isinstance(item, dict)]
    if not any(names):
        return None
    if name in names:
        return str(names.index(name))
    close = difflib.get_close_matches(name, [n for n in names if n], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listed = ".".join(done)
    raise ArchitectureError(f"{where}: no item named {name!r} in {listed}{hint}; "
                            f"names: {', '.join(n for n in names if n)} "
                            f"(write {listed}.NAME.FIELD or {listed}[INDEX].FIELD)")


def _convert(raw: str, facts: FieldFacts, where: str) -> Any:
    """The raw text as the value the field's type expects; pydantic then checks it."""
    if facts.optional and raw.lower() in _EMPTY:
        return None
    if facts.is_list:
        return [_scalar(item.strip(), facts, where) for item in raw.split(",") if item.strip()]
    return _scalar(raw, facts, where)


def _scalar(raw: str, facts: FieldFacts, where: str) -> Any:
    if facts.base in (int, float):
        return parse_quantity(raw, facts.unit, facts.base, f"{where}")
    if facts.base is bool:
        lowered = raw.lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise ArchitectureError(f"{where}: {facts.name} is true or false, "
                                f"not {raw!r}")
    if facts.base is not str and raw.isdigit() and len(raw) <= MAX_TEXT:
        return int(raw)  # e.g. format_version=1, a Literal[1]
    return raw
