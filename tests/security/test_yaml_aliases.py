"""Issue 8.3: a YAML document whose aliases expand past a small bound is refused before
anything is expanded."""

from __future__ import annotations

import pytest
from attacks import billion_laughs_yaml, run_capped

from explorer.errors import ArchitectureError
from explorer.hardware.library import dump_accelerator, load_accelerator, parse_accelerator


def test_billion_laughs_fails_fast_with_a_clear_message(tmp_path):
    text = billion_laughs_yaml()
    assert len(text.encode()) < 500
    path = tmp_path / "laughs.yaml"
    path.write_text(text)
    # In a child process under caps: were the attack to work, it would hang and eat memory.
    code = ("from explorer.errors import ArchitectureError\n"
            "from explorer.hardware.library import load_accelerator\n"
            f"try:\n    load_accelerator({str(path)!r})\n"
            "except ArchitectureError as exc:\n    print('REFUSED', exc)\n")
    rc, output, seconds = run_capped(code, timeout_s=30)
    assert rc == 0 and output.startswith("REFUSED"), output[-500:]
    assert seconds < 5.0
    message = output.removeprefix("REFUSED ").rstrip("\n")
    assert "\n" not in message and "laughs.yaml" in message
    assert "alias" in message and "expand" in message


def test_recursive_alias_is_refused():
    with pytest.raises(ArchitectureError, match="alias"):
        parse_accelerator("name: &a [*a]\n", "loop.yaml")


def test_a_few_aliases_are_still_fine():
    """Ordinary anchors (one value used in two places) stay allowed."""
    text = dump_accelerator(load_accelerator("gemmini"))
    assert "  pe_rows: 16\n  pe_cols: 16\n" in text
    text = text.replace("  pe_rows: 16\n  pe_cols: 16\n", "  pe_rows: &n 16\n  pe_cols: *n\n")
    acc = parse_accelerator(text, "ok.yaml")
    assert acc.compute.pe_cols == 16


def test_oversized_yaml_is_refused_unread(tmp_path, monkeypatch):
    from explorer.hardware import library

    monkeypatch.setattr(library, "MAX_YAML_BYTES", 1000)
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 200)
    with pytest.raises(ArchitectureError, match=r"huge\.yaml: larger than 1,000 bytes"):
        load_accelerator(path)
