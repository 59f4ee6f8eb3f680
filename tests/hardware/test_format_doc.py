"""docs/accelerator-format.md is generated from the schema and must be up to date."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from explorer.hardware.introspect import fields_of
from explorer.hardware.library import parse_accelerator

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_accelerator_doc",
                                                  ROOT / "scripts" / "gen_accelerator_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_doc_is_up_to_date() -> None:
    generator = load_generator()
    committed = (ROOT / "docs" / "accelerator-format.md").read_text(encoding="utf-8")
    assert committed == generator.render(), (
        "docs/accelerator-format.md is stale: run python scripts/gen_accelerator_doc.py")


def test_committed_json_schema_is_up_to_date() -> None:
    generator = load_generator()
    committed = (ROOT / "docs" / "accelerator-format.schema.json").read_text(encoding="utf-8")
    assert committed == generator.render_schema()


def test_library_files_point_editors_at_the_schema() -> None:
    for path in (ROOT / "arch_library").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../docs/accelerator-format.schema.json"


def test_doc_lists_every_field_of_every_section() -> None:
    generator = load_generator()
    text = generator.render()
    for _, model in generator.SECTIONS:
        for facts in fields_of(model):
            assert f"| `{facts.name}` |" in text, (model.__name__, facts.name)
    assert "| `pe_rows` | integer | PE | `16` | an integer from 1 to 4096 PE |" in text


def test_annotated_example_is_a_valid_description() -> None:
    text = (ROOT / "docs" / "accelerator-format.md").read_text(encoding="utf-8")
    example = re.search(r"## An annotated example\s+```yaml\n(.*?)```", text, re.S).group(1)
    acc = parse_accelerator(example, "docs example")
    assert acc.name == "tiny_ws" and acc.peak_macs_per_s == 4 * 4 * 5e8
