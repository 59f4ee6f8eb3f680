"""Bad accelerator files: each problem is one ArchitectureError line that names the file,
the line, the field path, the value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.errors import ArchitectureError
from explorer.hardware.library import LIBRARY_DIR, load_accelerator, parse_accelerator

GEMMINI = (LIBRARY_DIR / "gemmini.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def error_for(text: str, tmp_path: Path, name: str = "bad.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ArchitectureError) as info:
        load_accelerator(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def edited(old: str, new: str) -> str:
    assert old in GEMMINI, old
    return GEMMINI.replace(old, new, 1)


# (what, edit, expected line, fragments the message must contain)
CASES = [
    ("negative value", ("pe_rows: 16", "pe_rows: -3"), "pe_rows: -3",
     ["compute.pe_rows = -3", "out of range", "an integer from 1 to 4096 PE"]),
    ("zero bandwidth", ("bandwidth_bytes_per_cycle: 16", "bandwidth_bytes_per_cycle: 0"),
     "bandwidth_bytes_per_cycle: 0", ["offchip.bandwidth_bytes_per_cycle = 0", "from 0.001"]),
    ("too large", ("max_requests_in_flight: 64", "max_requests_in_flight: 100000"),
     "max_requests_in_flight: 100000", ["dma.max_requests_in_flight = 100000", "to 65536"]),
    ("wrong type", ("clock_hz: 1.0e+9", "clock_hz: fast"), "clock_hz: fast",
     ["clock_hz = 'fast'", "valid number", "a number from 1000"]),
    ("fraction for an integer", ("banks: 4", "banks: 2.5"), "banks: 2.5",
     ["memories[0](scratchpad).banks = 2.5", "an integer"]),
    ("unknown key", ("pe_cols: 16", "pe_colz: 16"), "pe_colz: 16",
     ["compute.pe_colz: unknown field", "did you mean 'pe_cols'?", "pe_rows, pe_cols"]),
    ("unknown top-level key", ("clock_hz: 1.0e+9", "clock_hz: 1.0e+9\nclock: 3"), "clock: 3",
     ["clock: unknown field", "allowed fields here: format_version, name"]),
    ("enum value", ("  dataflow: ws", "  dataflow: rs"), "dataflow: rs",
     ["compute.dataflow = 'rs'", "one of 'ws', 'os', 'is'"]),
    ("operand name", ("holds: [output]", "holds: [outputs]"), "holds: [outputs]",
     ["memories[1](accumulator).holds[0] = 'outputs'", "'input', 'weight', 'output'"]),
    ("boolean", ("single_ported: false", "single_ported: maybe"), "single_ported: maybe",
     ["single_ported = 'maybe'", "true or false"]),
    ("format version", ("format_version: 1", "format_version: 2"), "format_version: 2",
     ["format_version = 2", "reads format version 1"]),
    ("bad fusion op", ("pattern: [Gemm, Relu]", "pattern: [Gemm, 'Re lu']"),
     "pattern: [Gemm, 'Re lu']", ["fusion[8](gemm_relu).pattern[1] = 'Re lu'"]),
]


@pytest.mark.parametrize("what, edit, line_text, fragments", CASES, ids=[c[0] for c in CASES])
def test_invalid_value(what: str, edit: tuple[str, str], line_text: str, fragments: list[str],
                       tmp_path: Path) -> None:
    text = edited(*edit)
    message = error_for(text, tmp_path)
    assert f"bad.yaml:{line_of(text, line_text)}:" in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_missing_required_field(tmp_path: Path) -> None:
    text = edited("    size_bytes: 131072      # sp_capacity", "    # size removed")
    message = error_for(text, tmp_path)
    assert "memories[0](scratchpad).size_bytes: missing required field" in message
    assert "an integer from 1 to 2^40 B" in message
    assert f"bad.yaml:{line_of(text, '- name: scratchpad')}:" in message


def test_missing_memories(tmp_path: Path) -> None:
    message = error_for("name: x\n", tmp_path)
    assert "memories: missing required field" in message


@pytest.mark.parametrize("edit, fragment", [
    (("name: accumulator", "name: scratchpad"), "memory names must be unique, repeated: scratchpad"),
    (("holds: [output]", "holds: [weight]"), "no memory holds operand 'output'"),
    (("holds: [output]", "holds: [output, output]"), "holds lists output more than once"),
    (("  dataflow: ws", "  dataflow: is"), "compute: dataflow 'is' is not in dataflows"),
    (("dataflows: [ws, os]", "dataflows: [ws, ws]"), "dataflows lists ws more than once"),
    (("accumulator_bits: 32", "accumulator_bits: 4"), "accumulator_bits 4 is narrower"),
    (("pattern: [MatMul, Relu]", "pattern: [Gemm, Relu]"), "fusion lists Gemm+Relu more than once"),
], ids=["duplicate memory", "operand not held", "operand twice", "dataflow not supported",
        "dataflow twice", "narrow accumulator", "duplicate fusion rule"])
def test_inconsistent_description(edit: tuple[str, str], fragment: str, tmp_path: Path) -> None:
    message = error_for(edited(*edit), tmp_path)
    assert fragment in message


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    text = edited("pe_cols: 16", "pe_cols: [16")
    message = error_for(text, tmp_path)
    assert "invalid YAML at column" in message
    assert f"bad.yaml:{line_of(text, 'pe_cols: [16') + 1}:" in message


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    text = edited("pe_cols: 16", "pe_cols: 16\n  pe_rows: 3")
    message = error_for(text, tmp_path)
    assert "duplicate key 'pe_rows'" in message
    assert f"bad.yaml:{line_of(text, 'pe_rows: 3')}:" in message


def test_python_tag_is_refused_and_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = f"name: !!python/object/apply:os.system ['touch {marker}']\nmemories: []\n"
    message = error_for(text, tmp_path)
    assert "could not determine a constructor for the tag" in message
    assert "python/object/apply:os.system" in message
    assert "tags that build objects are not allowed" in message
    assert not marker.exists()


def test_empty_file(tmp_path: Path) -> None:
    assert "the file is empty" in error_for("", tmp_path)
    assert "the file is empty" in error_for("# only a comment\n", tmp_path)


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    assert "expected a mapping of fields at the top level, got a list" in error_for(
        "- gemmini\n", tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"name: \xff\xfe\x00bad\n")
    with pytest.raises(ArchitectureError, match=r"binary\.yaml: not UTF-8 text"):
        load_accelerator(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ArchitectureError, match=r"nothere\.yaml: cannot read: No such file"):
        load_accelerator(tmp_path / "nothere.yaml")


def test_unknown_library_name_suggests_the_close_one() -> None:
    with pytest.raises(ArchitectureError) as info:
        load_accelerator("gemini")
    message = str(info.value)
    assert "unknown accelerator 'gemini' (did you mean 'gemmini'?)" in message
    assert "systolic" in message


def test_more_errors_are_counted() -> None:
    text = edited("pe_rows: 16", "pe_rows: -1").replace("pe_cols: 16", "pe_cols: -1")
    with pytest.raises(ArchitectureError) as info:
        parse_accelerator(text, "x.yaml")
    message = str(info.value)  # both listed, on one line
    assert "compute.pe_rows = -1" in message and "compute.pe_cols = -1" in message
    assert "\n" not in message
