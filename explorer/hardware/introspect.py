"""Reading the accelerator schema as data: which field a path names, its type, unit, bounds
and help text. Error messages, `--set` overrides and docs/accelerator-format.md all take
these facts from the pydantic classes here, so that the schema stays their single source.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from explorer.hardware.schema import Accelerator


@dataclass(frozen=True)
class FieldFacts:
    """One field of the schema, as a form, a message or a doc needs it."""

    owner: type[BaseModel]
    name: str
    info: FieldInfo

    @property
    def annotation(self) -> Any:
        return self.info.annotation

    @property
    def optional(self) -> bool:
        """`X | None`: the field may be left empty."""
        return type(None) in _union_args(self.annotation)

    @property
    def base(self) -> Any:
        """The annotation without `| None` and without `list[...]`."""
        inner = _strip_optional(self.annotation)
        if typing.get_origin(inner) is list:
            (inner,) = typing.get_args(inner)
            inner = _strip_annotated(inner)
        return inner

    @property
    def is_list(self) -> bool:
        return typing.get_origin(_strip_optional(self.annotation)) is list

    @property
    def submodel(self) -> type[BaseModel] | None:
        base = self.base
        return base if isinstance(base, type) and issubclass(base, BaseModel) else None

    @property
    def unit(self) -> str:
        extra = self.info.json_schema_extra
        return str(extra.get("unit", "")) if isinstance(extra, dict) else ""

    @property
    def description(self) -> str:
        return self.info.description or (self.submodel.__doc__ or "" if self.submodel else "")

    @property
    def required(self) -> bool:
        return self.info.is_required()

    def default(self) -> Any:
        if self.required:
            return None
        return self.info.get_default(call_default_factory=True)

    def bounds(self) -> dict[str, float]:
        """{'ge': 1, 'le': 4096} etc. for the field (or its list items)."""
        found: dict[str, float] = {}
        for item in self.info.metadata:
            for key in ("ge", "gt", "le", "lt"):
                if isinstance(item, getattr(annotated_types, key.capitalize())):
                    found[key] = getattr(item, key)
        return found

    def length_bounds(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in self.info.metadata:
            if isinstance(item, annotated_types.MinLen):
                found["min_length"] = item.min_length
            if isinstance(item, annotated_types.MaxLen):
                found["max_length"] = item.max_length
        return found

    def pattern(self) -> str | None:
        inner = _strip_optional(self.annotation)
        item_metadata: list[Any] = []
        if typing.get_origin(inner) is list:
            (item,) = typing.get_args(inner)
            if typing.get_origin(item) is typing.Annotated:
                for extra in typing.get_args(item)[1:]:
                    item_metadata.extend(getattr(extra, "metadata", [extra]))
        for item in [*self.info.metadata, *item_metadata]:
            pattern = getattr(item, "pattern", None)
            if isinstance(pattern, str):
                return pattern
        return None

    @property
    def kind(self) -> str:
        """What edits this field: 'int', 'float', 'bool', 'str', 'enum', 'model',
        'literal', 'enum_list', 'model_list', 'str_list' or 'unknown'."""
        base = self.base
        is_enum = isinstance(base, type) and issubclass(base, Enum)
        if typing.get_origin(base) is Literal:
            return "literal"
        if self.is_list:
            return "enum_list" if is_enum else "model_list" if self.submodel else "str_list"
        if is_enum:
            return "enum"
        if self.submodel is not None:
            return "model"
        for kind, python_type in (("bool", bool), ("int", int), ("float", float),
                                  ("str", str)):
            if base is python_type:
                return kind
        return "unknown"

    def limits(self) -> tuple[float | None, float | None]:
        """(lowest, highest) a number may be, for editors; a strict bound (gt) is given as
        the edge itself, which validation then reports."""
        bounds = self.bounds()
        low = bounds.get("ge", bounds.get("gt"))
        high = bounds.get("le", bounds.get("lt"))
        return (None if low is None else float(low), None if high is None else float(high))

    @property
    def strict_low(self) -> bool:
        return "gt" in self.bounds()

    def choices(self, owner: BaseModel | None = None) -> tuple[str, ...]:
        """The values an enum field may take; where the schema ties it to a sibling list
        (`choices_from`, e.g. compute.dataflow to compute.dataflows) and the owning
        instance is given, only those."""
        base = self.base
        if not (isinstance(base, type) and issubclass(base, Enum)):
            return ()
        extra = self.info.json_schema_extra
        sibling = extra.get("choices_from") if isinstance(extra, dict) else None
        if owner is not None and isinstance(sibling, str):
            return tuple(str(getattr(v, "value", v)) for v in getattr(owner, sibling))
        return tuple(str(m.value) for m in base)

    def type_name(self) -> str:
        """'integer', 'number', 'true/false', 'text', 'one of ws, os, is', 'Memory', ..."""
        base = self.base
        if self.submodel is not None:
            name = self.submodel.__name__
        elif base is bool:
            name = "true/false"
        elif base is int:
            name = "integer"
        elif base is float:
            name = "number"
        elif base is str:
            name = "text"
        elif isinstance(base, type) and issubclass(base, Enum):
            name = "one of " + ", ".join(str(m.value) for m in base)
        elif typing.get_origin(base) is Literal:
            name = " or ".join(str(a) for a in typing.get_args(base))
        else:
            name = str(base)
        if self.is_list:
            name = f"list of {name}"
        if self.optional:
            name += " or empty"
        return name

    def allowed(self) -> str:
        """What a user may write here, in words: 'an integer from 1 to 4096 (PE)'."""
        base = self.base
        unit = f" {self.unit}" if self.unit else ""
        if self.submodel is not None and self.is_list:
            text = f"{self.submodel.__name__} mappings"
        elif self.submodel is not None:
            names = ", ".join(self.submodel.model_fields)
            text = f"a mapping with fields {names}"
        elif base in (int, float):
            text = ("an integer" if base is int else "a number") + _range_words(self.bounds())
            text += unit
        elif base is bool:
            text = "true or false"
        elif isinstance(base, type) and issubclass(base, Enum):
            text = ", ".join(repr(str(m.value)) for m in base)
            text = text if self.is_list else f"one of {text}"
        elif typing.get_origin(base) is Literal:
            text = "exactly " + " or ".join(repr(a) for a in typing.get_args(base))
        elif base is str:
            pattern = self.pattern()
            text = f"text matching {pattern}" if pattern else "text"
        else:
            text = str(base)
        if self.is_list:
            lengths = self.length_bounds()
            at_least = lengths.get("min_length", 0)
            text = f"a list of {text}" + (f" (at least {at_least})" if at_least else "")
        if self.optional:
            text += ", or empty (null)"
        return text


def _range_words(bounds: dict[str, float]) -> str:
    low = ("", None)
    if "ge" in bounds:
        low = ("≥", bounds["ge"])
    elif "gt" in bounds:
        low = (">", bounds["gt"])
    high = ("", None)
    if "le" in bounds:
        high = ("≤", bounds["le"])
    elif "lt" in bounds:
        high = ("<", bounds["lt"])
    if low[0] == "≥" and high[0] == "≤":
        return f" from {_num(low[1])} to {_num(high[1])}"
    parts = [f"{op} {_num(v)}" for op, v in (low, high) if op]
    return (" " + " and ".join(parts)) if parts else ""


def _num(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e7:
        return str(int(value))
    if float(value).is_integer() and float(value) == 2 ** (exp := int(value).bit_length() - 1):
        return f"2^{exp}"
    return f"{value:g}"


def _union_args(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _strip_optional(annotation: Any) -> Any:
    args = [a for a in _union_args(annotation) if a is not type(None)]
    return _strip_annotated(args[0]) if len(args) == 1 else annotation


def _strip_annotated(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def fields_of(model: type[BaseModel]) -> list[FieldFacts]:
    return [FieldFacts(model, name, info) for name, info in model.model_fields.items()]


def resolve_loc(loc: tuple[str | int, ...],
                root: type[BaseModel] = Accelerator) -> tuple[FieldFacts | None, type[BaseModel]]:
    """The field a pydantic error location names (None when it names a whole model), and
    the model class that owns the last step."""
    model: type[BaseModel] = root
    facts: FieldFacts | None = None
    for step in loc:
        if isinstance(step, int):
            continue  # an index into a list: the field stays the list's field
        if step not in model.model_fields:
            return None, model
        facts = FieldFacts(model, step, model.model_fields[step])
        if facts.submodel is not None:
            model = facts.submodel
    if facts is not None and facts.submodel is not None and loc and loc[-1] != facts.name:
        return None, model  # the error is on a list item that is itself a model
    return facts, model


# -- paths into description data and validation (the form, the session, --set) -----------
FieldPath = tuple[str | int, ...]


def get_at(data: Any, path: FieldPath) -> Any:
    for key in path:
        data = data[key]
    return data


def set_at(data: Any, path: FieldPath, value: Any) -> None:
    get_at(data, path[:-1])[path[-1]] = value


def format_path(path: FieldPath) -> str:
    return ".".join(str(p) for p in path)


def validate(model: type[BaseModel], data: dict[str, Any]
             ) -> tuple[BaseModel | None, list[tuple[FieldPath, str]]]:
    """Validate `data`; (instance, []) or (None, [(location, message), ...])."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            msg = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                msg = "unknown field"
            errors.append((tuple(error["loc"]), msg))
        return None, errors
