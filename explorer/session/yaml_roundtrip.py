"""Saving an edited accelerator description into the text of the file it came from, so
that the file's comments (the source notes beside each figure), key order, quoting and
the fields it leaves at their defaults survive a save: only the values that changed are
written, through ruamel.yaml's round-trip mode.

The result is checked by loading it back: if it does not describe exactly the edited
design (a construct the merge cannot follow), the caller gets None and writes a plain
dump instead; a save never writes something other than what was edited.
"""

from __future__ import annotations

import io
from typing import Any

from explorer.errors import ExplorerError
from explorer.hardware.library import accelerator_to_data, dump_accelerator, parse_accelerator
from explorer.hardware.schema import Accelerator


def updated_text(source: str, loaded: dict[str, Any], acc: Accelerator) -> str | None:
    """`source` (the YAML text that was loaded as `loaded`, in `accelerator_to_data`
    form) with every value that differs in `acc` replaced; None if the text cannot be
    carried over faithfully."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        _, indent, block_indent = load_yaml_guess_indent(source)
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.default_flow_style = False  # new lists and mappings in block style
        yaml.width = 4096  # long source notes stay on their line
        # the file's own indentation ("  - name:" in the library)
        yaml.indent(mapping=block_indent or 2, sequence=indent or 2, offset=block_indent or 0)
        document = yaml.load(source)
    except (YAMLError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    edited = accelerator_to_data(acc)
    _merge(document, loaded, edited)
    out = io.StringIO()
    yaml.dump(document, out)
    text = out.getvalue()
    try:
        if accelerator_to_data(parse_accelerator(text, "<saved>")) != edited:
            return None
    except ExplorerError:
        return None
    return text


def save_text(source: str | None, loaded: dict[str, Any], acc: Accelerator) -> str:
    """What to write for `acc`: the source text with the edits merged in, or a plain
    dump when there is no source text or it cannot be carried over."""
    if source:
        text = updated_text(source, loaded, acc)
        if text is not None:
            return text
    return dump_accelerator(acc)


def _merge(node: Any, old: Any, new: Any) -> Any:
    """`node` (from the file) updated from `old` (what it was loaded as) to `new`; returns
    what should stand in its place. Keys the file omits (defaults) are added only when
    their value changed, at the end of their mapping."""
    if isinstance(node, dict) and isinstance(old, dict) and isinstance(new, dict):
        for key, value in new.items():
            if key in old and old[key] == value:
                continue
            node[key] = _merge(node[key], old.get(key), value) if key in node else value
        for key in [k for k in old if k not in new]:
            node.pop(key, None)
        return node
    if (isinstance(node, list) and isinstance(old, list) and isinstance(new, list)
            and len(node) == len(old) == len(new)):
        for index, value in enumerate(new):
            if old[index] != value:
                node[index] = _merge(node[index], old[index], value)
        return node
    if isinstance(new, float) and new.is_integer() and isinstance(node, int) \
            and not isinstance(node, bool):
        return int(new)  # 16 edited to 32 reads "32", as the file wrote numbers
    return new
