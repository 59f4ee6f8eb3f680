"""The one reader of quantities ("64 KiB", "1.2 GHz", "64 B/cycle", "500e6") for every
place a number of the accelerator description can be written as text: YAML files (through
the schema's validator), `--set` and `--param` values, the GUI's forms, and the pattern the
published JSON Schema gives such text. One grammar, built once below:

    NUMBER [PREFIX] [UNIT]     e.g.  8MiB   1.2 GHz   64 B/cycle   5e8   1.5k

PREFIX is SI (k, M, G, T) or binary (Ki, Mi, Gi, Ti); there is no bare "K" ("64KB" is
64000 to some readers and 65536 to others: write kB or KiB). UNIT, when written, must be
the field's own unit (`Hz` for clock_hz, `B` for sizes, `B/cycle` for bandwidths).
"""

from __future__ import annotations

import re

PREFIXES: dict[str, float] = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
                              "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
# Thousands of digits are a mistake (or an attack: Python refuses to convert integers of
# more than 4300 digits with a traceback); '1.5e9 Hz' needs 8 characters.
MAX_TEXT = 64

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_PREFIX = r"Ki|Mi|Gi|Ti|k|M|G|T"
_GRAMMAR = re.compile(rf"^\s*({_NUMBER})\s*({_PREFIX})?\s*(\S*)\s*$", re.ASCII)


class QuantityError(ValueError):
    """Text that is a number with a wrong unit, or far too long to be one. (A ValueError,
    so that pydantic validators report it as a field's error.)"""


def read_quantity(text: str, unit: str, kind: type = float) -> int | float | None:
    """'64KiB' -> 65536, '700MHz' -> 7e8, '1e9' -> 1e9 for a field of `unit` whose type is
    `kind` (int or float); None when the text is no number at all (the caller reports it
    with the allowed values). Raises QuantityError for a unit that is not the field's and
    for text longer than MAX_TEXT characters."""
    if len(text) > MAX_TEXT:
        raise QuantityError(f"a number of {len(text):,} characters; numbers are at most "
                            f"{MAX_TEXT} characters long")
    match = _GRAMMAR.match(text)
    if not match:
        return None
    number, prefix, written_unit = match.group(1), match.group(2) or "", match.group(3)
    if prefix and prefix + written_unit == unit:  # '2MAC/cycle': M is the unit's, not a prefix
        prefix, written_unit = "", unit
    if written_unit and written_unit != unit:
        expected = f"{unit!r}" if unit else "no unit"
        hint = "; write kB (1000) or KiB (1024)" if written_unit.startswith("K") else ""
        raise QuantityError(f"unit {written_unit!r} does not fit this field (it takes "
                            f"{expected}{hint})")
    value = float(number) * PREFIXES[prefix]
    if kind is int and value.is_integer():
        return int(value)
    return value


def parse_quantity(raw: str, unit: str, kind: type, context: str) -> int | float | str:
    """`read_quantity` for the command line and the forms: errors become one
    `ArchitectureError` line starting with `context`; text that is no number is passed on
    unchanged so that the schema reports it with the allowed values."""
    from explorer.errors import ArchitectureError

    try:
        value = read_quantity(raw, unit, kind)
    except QuantityError as exc:
        context = context if len(context) <= 100 else context[:97] + "..."
        raise ArchitectureError(f"{context}: {exc}") from None
    return raw if value is None else value


def json_pattern(unit: str) -> str:
    """The grammar above as a JSON Schema (ECMA-262) pattern for a field of `unit`: the
    published schema accepts exactly the texts `read_quantity` reads."""
    units = [re.escape(unit)] if unit else []
    # '2MAC/cycle' reads M as the unit's own letter: the grammar's \\S* allows it too
    tail = rf"(?:{_PREFIX})?\s*(?:{'|'.join(units)})?" if units else rf"(?:{_PREFIX})?"
    return rf"^\s*{_NUMBER}\s*{tail}\s*$"
