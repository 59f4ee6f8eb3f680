"""One quantity parser for the YAML loader, `--set` and the published JSON Schema
(issue 13, "Validation before estimating"): `500MHz` and `8MiB` read the same in a file
and on the command line, `clock_hz: 500e6` (a string in YAML 1.1) is read as the number it
means, and the JSON Schema accepts exactly the texts the tool reads."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from explorer.errors import ArchitectureError
from explorer.hardware.library import (
    accelerator_to_data,
    json_schema,
    load_accelerator,
    parse_accelerator,
)
from explorer.hardware.overrides import apply_overrides

# (field path, text, value the text means)
QUANTITIES = [
    ("clock_hz", "500MHz", 5e8),
    ("clock_hz", "1.2 GHz", 1.2e9),
    ("clock_hz", "500e6", 5e8),
    ("clock_hz", "700 MHz", 7e8),
    ("memories.0.size_bytes", "8MiB", 8 * 2**20),
    ("memories.0.size_bytes", "64 KiB", 64 * 1024),
    ("memories.0.size_bytes", "256kB", 256_000),
    ("memories.0.read_bandwidth_bytes_per_cycle", "64 B/cycle", 64.0),
    ("offchip.bandwidth_bytes_per_cycle", "1.5k", 1500.0),
]
BAD = [
    ("clock_hz", "500 MB"),  # a unit that is not the field's
    ("memories.0.size_bytes", "64KB"),  # K: 1000 or 1024? refused with a hint
    ("clock_hz", "fast"),
    ("clock_hz", "9" * 5000),  # was a traceback from YAML
]


def _yaml_with(path: str, text: str) -> tuple[str, dict]:
    data = accelerator_to_data(load_accelerator("gemmini"))
    node = data
    steps = path.split(".")
    for step in steps[:-1]:
        node = node[int(step)] if step.isdigit() else node[step]
    node[steps[-1]] = text
    # written as a plain scalar, as a person would type it
    source = yaml.safe_dump(data, sort_keys=False).replace(f"'{text}'", text)
    return source, data


def _read(acc, path: str):
    value = acc
    for step in path.split("."):
        value = value[int(step)] if step.isdigit() else getattr(value, step)
    return value


def _set_path(path: str) -> str:
    return path.replace(".0.", "[0].").replace("memories[0]", "memories[0]")


@pytest.mark.parametrize(("path", "text", "value"), QUANTITIES)
def test_yaml_reads_quantities_as_set_does(path, text, value):
    source, _ = _yaml_with(path, text)
    from_yaml = parse_accelerator(source, "q.yaml")
    from_set = apply_overrides(load_accelerator("gemmini"), [f"{_set_path(path)}={text}"])
    assert _read(from_yaml, path) == pytest.approx(value)
    assert _read(from_set, path) == pytest.approx(value)


@pytest.mark.parametrize(("path", "text", "value"), QUANTITIES)
def test_json_schema_accepts_what_the_tool_reads(path, text, value):
    source, _ = _yaml_with(path, text)
    jsonschema.validate(yaml.safe_load(source), json_schema())


@pytest.mark.parametrize(("path", "text"), BAD)
def test_bad_quantities_are_refused_by_all_three(path, text):
    source, data = _yaml_with(path, text)
    with pytest.raises(ArchitectureError) as from_yaml:
        parse_accelerator(source, "q.yaml")
    assert "\n" not in str(from_yaml.value) and path.split(".")[-1] in str(from_yaml.value)
    with pytest.raises(ArchitectureError):
        apply_overrides(load_accelerator("gemmini"), [f"{_set_path(path)}={text}"])
    with pytest.raises(jsonschema.ValidationError):  # the text as an editor sees it
        jsonschema.validate(data, json_schema())


def test_the_parser_is_one_function():
    """`--set`, the schema and the GUI's forms call the same function."""
    from explorer.hardware import overrides, quantity, schema

    assert overrides.parse_quantity is quantity.parse_quantity
    assert schema.read_quantity is quantity.read_quantity


def test_pattern_and_reader_agree_on_a_seeded_corpus():
    """For every unit of the schema, 3,000 seeded texts (numbers, prefixes, units, junk):
    the JSON Schema's pattern matches exactly the texts the reader reads."""
    import random
    import re

    from explorer.hardware.quantity import QuantityError, json_pattern, read_quantity

    rng = random.Random(13)
    pieces = ["1", "64", "1.5", ".5", "5e8", "1e-3", "-2", "+3", "1.", "e5", " ", "",
              "k", "K", "M", "Mi", "Ki", "G", "Gi", "T", "m", "B", "Hz", "MHz", "B/cycle",
              "MAC/cycle", "cycle", "pJ", "pJ/B", "bit", "x", "/", "1e999", "\t"]
    for unit in ("", "B", "Hz", "B/cycle", "MAC/cycle", "cycle", "pJ/B", "bit", "mm²"):
        pattern = re.compile(json_pattern(unit))
        for _ in range(3000):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
            try:
                read = read_quantity(text, unit) is not None
            except QuantityError:
                read = False
            assert read == bool(pattern.match(text)), (unit, text)
