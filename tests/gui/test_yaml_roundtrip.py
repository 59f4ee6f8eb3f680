"""Saving an edited description keeps the file's comments, key order and left-out
defaults: only the edited values change (ruamel.yaml round trip), checked by diffing the
saved file against the one loaded."""

from __future__ import annotations

import difflib
from pathlib import Path

from explorer.hardware.library import library_path, load_accelerator
from explorer.session.document import AcceleratorDocument


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_saving_an_edited_library_entry_changes_only_the_edited_lines(tmp_path) -> None:
    document = AcceleratorDocument()
    document.load("gemmini")
    document.set_field(("compute", "vector_lanes"), 32)
    document.set_field(("memories", 0, "size_bytes"), 262144)
    document.set_field(("offchip", "bandwidth_bytes_per_cycle"), 32.0)
    target = tmp_path / "gemmini-big.yaml"
    document.save_as(target)
    source = library_path("gemmini").read_text(encoding="utf-8")
    saved = target.read_text(encoding="utf-8")
    changed = _changed_lines(source, saved)
    assert len(changed) == 6, "\n".join(changed)  # three lines out, three in
    removed = [line for line in changed if line.startswith("-")]
    added = [line for line in changed if line.startswith("+")]
    # each edited line keeps its source note (the comment after the value)
    for old, new in zip(removed, added):
        assert old.split("#", 1)[1] == new.split("#", 1)[1]
    assert "vector_lanes: 32 " in added[0] and "size_bytes: 262144 " in added[1]
    assert "bandwidth_bytes_per_cycle: 32 " in added[2]  # an integer stays an integer
    assert load_accelerator(target) == document.accelerator
    # saving again after a further edit starts from what was saved
    document.set_field(("compute", "vector_lanes"), 64)
    document.save_as(target)
    assert _changed_lines(saved, target.read_text(encoding="utf-8")) == [
        added[0].replace("+", "-", 1), added[0].replace("32", "64", 1)]


def test_a_user_file_keeps_its_indentation_and_comments_and_gets_new_keys(tmp_path) -> None:
    import io

    from ruamel.yaml import YAML

    # the user's own file: four-space indentation and comments of their own
    yaml = YAML()
    yaml.indent(mapping=4, sequence=6, offset=4)
    yaml.width = 4096
    text = io.StringIO()
    yaml.dump(yaml.load(library_path("systolic").read_text(encoding="utf-8")), text)
    mine = tmp_path / "mine.yaml"
    mine.write_text("# my design notes: do not lose me\n" + text.getvalue() + "# trailing note\n",
                    encoding="utf-8")
    loaded = load_accelerator(mine)
    document = AcceleratorDocument()
    document.load(str(mine))
    before = mine.read_text(encoding="utf-8")
    field = "stationary_double_buffered"  # left out of the file: at its default
    assert f"{field}:" not in before
    document.set_field(("compute", field), not loaded.compute.stationary_double_buffered)
    document.save_as(mine)
    after = mine.read_text(encoding="utf-8")
    changed = _changed_lines(before, after)
    assert len(changed) == 1 and changed[0].startswith(f"+    {field}: ")
    assert "# trailing note" in after
    assert load_accelerator(mine) == document.accelerator


def test_adding_a_memory_rewrites_only_that_list(tmp_path) -> None:
    document = AcceleratorDocument()
    document.load("gemmini")
    data = document.data
    memories = [*data["memories"], {**data["memories"][1], "name": "extra"}]
    document.replace({**data, "memories": memories}, "add a memory")
    target = tmp_path / "more.yaml"
    document.save_as(target)
    saved = target.read_text(encoding="utf-8")
    assert load_accelerator(target) == document.accelerator
    assert "# limited by the 128-bit DMA bus" in saved  # comments elsewhere survive
    assert "name: extra" in saved


def test_a_description_without_source_text_is_dumped_plainly(tmp_path) -> None:
    document = AcceleratorDocument()
    document.load("gemmini")
    document._source_text = None  # e.g. the file went away after loading
    target = tmp_path / "plain.yaml"
    document.save_as(target)
    assert Path(target).read_text(encoding="utf-8").startswith("# Accelerator description")
    assert load_accelerator(target) == document.accelerator
