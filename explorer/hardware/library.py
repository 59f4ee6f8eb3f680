"""Loading, saving and listing accelerator descriptions (arch_library/*.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from explorer.errors import ArchitectureError
from explorer.hardware.schema import Accelerator

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "arch_library"


def library_names() -> list[str]:
    return sorted(p.stem for p in LIBRARY_DIR.glob("*.yaml"))


def library_path(name: str) -> Path:
    return LIBRARY_DIR / f"{name}.yaml"


def load_accelerator(name_or_path: str | Path) -> Accelerator:
    """Load a library entry by name (`gemmini`) or a YAML file by path."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) or path.is_file()):
        if text not in library_names():
            raise ArchitectureError(
                f"unknown accelerator {text!r}; library entries: {', '.join(library_names())} "
                "(or give a path to a .yaml file)")
        path = library_path(text)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ArchitectureError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_accelerator(source, str(path))


def parse_accelerator(source: str, origin: str = "<string>") -> Accelerator:
    try:
        data = yaml.safe_load(source)  # safe: no object construction from tags
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ArchitectureError(f"{origin}:{where}: invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ArchitectureError(f"{origin}: expected a mapping of fields at the top level, "
                                f"got {type(data).__name__}")
    return validate_accelerator(data, origin)


def validate_accelerator(data: dict, origin: str = "<data>") -> Accelerator:
    try:
        return Accelerator.model_validate(data)
    except ValidationError as exc:
        raise ArchitectureError(f"{origin}: {format_validation_error(exc)}") from None


def format_validation_error(exc: ValidationError) -> str:
    """The first error as 'field.path = value: what is allowed' (+ how many more)."""
    errors = exc.errors()
    first = errors[0]
    path = ".".join(str(p) for p in first["loc"]) or "(top level)"
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        text = f"{path}: unknown field"
    elif first["type"] == "missing":
        text = f"{path}: missing required field"
    else:
        text = f"{path} = {first.get('input')!r}: {msg}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    return text


def dump_accelerator(acc: Accelerator) -> str:
    data = json.loads(acc.model_dump_json())  # enums -> plain strings
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_accelerator(acc: Accelerator, path: str | Path) -> None:
    Path(path).write_text(dump_accelerator(acc), encoding="utf-8")


def json_schema() -> dict:
    return Accelerator.model_json_schema()
