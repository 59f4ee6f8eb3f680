"""Loading, saving and listing accelerator descriptions (arch_library/*.yaml).

Every problem with a file becomes one `ArchitectureError` line:
`FILE:LINE: field.path = value: what is wrong (allowed: what may stand there)`.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from explorer.data import data_dir
from explorer.errors import ArchitectureError
from explorer.hardware.introspect import resolve_loc
from explorer.hardware.quantity import MAX_TEXT as MAX_QUANTITY_TEXT
from explorer.hardware.schema import FORMAT_VERSION, Accelerator

LIBRARY_DIR = data_dir("arch_library")


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
            close = difflib.get_close_matches(text, library_names(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ArchitectureError(
                f"unknown accelerator {text!r}{hint}; library entries: "
                f"{', '.join(library_names())} (or give a path to a .yaml file)")
        path = library_path(text)
    try:
        with open(path, "rb") as handle:  # no more than the limit is ever read
            raw = handle.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise ArchitectureError(f"{path}: larger than {MAX_YAML_BYTES:,} bytes; an "
                                    "accelerator description is a small text file")
        source = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArchitectureError(f"{path}: not UTF-8 text (byte {exc.start}); an accelerator "
                                "description is a YAML text file") from None
    except OSError as exc:
        raise ArchitectureError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_accelerator(source, str(path))


# libyaml's parser when PyYAML was built with it (about 10x faster); both are safe loaders.
_SafeLoaderBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictSafeLoader(_SafeLoaderBase):
    """A safe loader (no object construction from tags) that also refuses duplicate keys,
    which plain YAML loading would resolve silently by keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain name, not a list or mapping",
                    key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_long_int(self, node: yaml.ScalarNode) -> int | str:
        """An integer of thousands of digits stays text, which the schema's quantity
        reader refuses by field name (converting it raised Python's digit-limit error)."""
        if len(node.value) > MAX_QUANTITY_TEXT:
            return str(node.value)
        return yaml.constructor.SafeConstructor.construct_yaml_int(self, node)


_StrictSafeLoader.add_constructor("tag:yaml.org,2002:int", _StrictSafeLoader.construct_long_int)


# An accelerator description has a few hundred YAML nodes; aliases may reuse parts of
# it, but a document that would expand past this many nodes (a "billion laughs") is
# refused from its composed node graph, before anything is expanded.
MAX_EXPANDED_NODES = 100_000
MAX_YAML_BYTES = 4 * 1024**2


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_expansion(root: yaml.Node, origin: str, limit: int = MAX_EXPANDED_NODES) -> None:
    """Refuse a node graph whose aliases expand past `limit` nodes, or that refers to
    itself. The composer shares one node object per anchor, so the expanded size is
    counted once per distinct node (linear in the text), never by expanding."""
    sizes: dict[int, int] = {}
    started: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > limit:
                raise ArchitectureError(
                    f"{origin}:{node.start_mark.line + 1}: YAML aliases would expand this "
                    f"document past {limit:,} nodes; refused before expanding (a "
                    "\"billion laughs\" file?)")
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in started:
            raise ArchitectureError(f"{origin}:{node.start_mark.line + 1}: a YAML alias "
                                    "refers to the node that contains it (a recursive "
                                    "structure); an accelerator description cannot be one")
        started.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def parse_accelerator(source: str, origin: str = "<string>") -> Accelerator:
    if len(source) > MAX_YAML_BYTES:
        raise ArchitectureError(f"{origin}: {len(source):,} characters; an accelerator "
                                f"description is at most {MAX_YAML_BYTES:,}")
    loader = _StrictSafeLoader(source)
    try:
        root = loader.get_single_node()
        if root is not None:
            check_expansion(root, origin)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise ArchitectureError(f"{origin}:{_yaml_where(exc)} invalid YAML{_yaml_column(exc)}: "
                                f"{_yaml_problem(exc)}") from None
    finally:
        loader.dispose()
    if data is None:
        raise ArchitectureError(f"{origin}: the file is empty; expected an accelerator "
                                "description (a mapping with name, memories, ...)")
    if not isinstance(data, dict):
        raise ArchitectureError(f"{origin}: expected a mapping of fields at the top level, "
                                f"got a {_yaml_kind(data)}")
    return validate_accelerator(data, origin, root)


def _yaml_where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"{mark.line + 1}:" if mark else ""


def _yaml_column(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" at column {mark.column + 1}" if mark else ""


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "could not determine a constructor for the tag" in problem:
        problem += " (tags that build objects are not allowed; write plain values)"
    return problem


def _yaml_kind(value: Any) -> str:
    return {list: "list", str: "text", int: "number", float: "number",
            bool: "true/false"}.get(type(value), type(value).__name__)


def validate_accelerator(data: dict, origin: str = "<data>",
                         yaml_root: yaml.Node | None = None) -> Accelerator:
    """Validate a plain mapping; `yaml_root` (its YAML node tree) adds line numbers."""
    try:
        return Accelerator.model_validate(data)
    except ValidationError as exc:
        line = _line_of(yaml_root, exc.errors()[0]["loc"]) if yaml_root is not None else None
        where = f"{origin}:{line}" if line else origin
        raise ArchitectureError(f"{where}: {format_validation_error(exc, data)}") from None


def _line_of(node: yaml.Node | None, loc: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest YAML node along `loc` (the parent for a missing key)."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
            key = next((k for k, _ in node.value if k.value == step), None)
            if key is not None:
                line = key.start_mark.line + 1
        elif (isinstance(node, yaml.SequenceNode) and isinstance(step, int)
              and 0 <= step < len(node.value)):
            child = node.value[step]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def format_path(loc: tuple[str | int, ...], data: dict | None = None) -> str:
    """('memories', 0, 'size_bytes') -> 'memories[0].size_bytes', naming the memory when
    the data has one: 'memories[0](scratchpad).size_bytes'."""
    text = ""
    current: Any = data
    for step in loc:
        if isinstance(step, int):
            text += f"[{step}]"
            item = current[step] if isinstance(current, list) and step < len(current) else None
            if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
                name = item["name"]  # from the file: control characters escaped (one line)
                text += f"({name if name.isprintable() else repr(name)[1:-1]})"
            current = item
        else:
            text += f".{step}" if text else step
            current = current.get(step) if isinstance(current, dict) else None
    return text or "(top level)"


_MAX_LISTED = 12  # errors spelled out in one message; the rest are counted


def format_validation_error(exc: ValidationError, data: dict | None = None) -> str:
    """Every error as 'field.path = value: problem (allowed: ...)', joined by '; ' on one
    line (the first twelve; more are counted)."""
    texts: list[str] = []
    for error in exc.errors():
        text = _format_one(error, data)
        if text not in texts:
            texts.append(text)
    shown = texts[:_MAX_LISTED]
    more = len(texts) - len(shown)
    return "; ".join(shown) + (f" (and {more} more error{'s' if more > 1 else ''})"
                               if more else "")


def _format_one(first: Any, data: dict | None) -> str:
    loc = tuple(first["loc"])
    path = format_path(loc, data)
    facts, owner = resolve_loc(loc)
    kind = first["type"]
    if kind == "extra_forbidden":
        allowed = list(owner.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        text = f"{path}: unknown field; {hint}allowed fields here: {', '.join(allowed)}"
    elif kind == "missing":
        what = f" ({facts.allowed()})" if facts is not None else ""
        text = f"{path}: missing required field{what}"
    elif kind == "value_error" and (facts is None or facts.submodel is not None):
        # A consistency check across fields: the input is a whole mapping, not worth echoing.
        text = f"{path}: {first['msg'].removeprefix('Value error, ')}"
    elif loc == ("format_version",):
        text = (f"format_version = {_short(first.get('input'))}: this accel-explorer reads "
                f"format version {FORMAT_VERSION} only")
    else:
        value = _short(first.get("input"))
        problem = ("out of range" if kind in _RANGE_ERRORS
                   else first["msg"].removeprefix("Value error, "))
        allowed = f" (allowed: {facts.allowed()})" if facts is not None else ""
        text = f"{path} = {value}: {problem}{allowed}"
    return text


_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def revalidate(acc: Accelerator) -> Accelerator:
    """`acc` checked afresh as a whole: changes made from Python after loading (assigning
    into a nested list, `model_copy(update=...)`) bypass pydantic's validation, and the
    engine must not see a design the schema refuses. Called when an estimate starts."""
    return validate_accelerator(accelerator_to_data(acc), f"accelerator {acc.name!r}")


def accelerator_to_data(acc: Accelerator) -> dict:
    """Plain data (enums as strings) in the schema's field order."""
    return json.loads(acc.model_dump_json())


def dump_accelerator(acc: Accelerator) -> str:
    header = (f"# Accelerator description, format version {acc.format_version} "
              "(docs/accelerator-format.md)\n")
    return header + yaml.safe_dump(accelerator_to_data(acc), sort_keys=False,
                                   allow_unicode=True, width=100)


def save_accelerator(acc: Accelerator, path: str | Path) -> None:
    try:
        Path(path).write_text(dump_accelerator(acc), encoding="utf-8")
    except OSError as exc:
        raise ArchitectureError(f"{path}: cannot write: {exc.strerror or exc}") from None


def json_schema() -> dict:
    """The format as JSON Schema (draft 2020-12), for editors that complete and check YAML;
    `unit` annotations are kept as extra keywords."""
    schema = Accelerator.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"accel-explorer/accelerator-format-v{FORMAT_VERSION}.json",
            **schema,
            "title": f"accel-explorer accelerator description, format version {FORMAT_VERSION}"}
