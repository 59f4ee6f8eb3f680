"""Issue 13, validation before estimating: every error listed, unknown op types in fusion
rules refused with a suggestion."""

from __future__ import annotations

import pytest

from explorer.errors import ArchitectureError
from explorer.hardware.library import accelerator_to_data, load_accelerator, validate_accelerator


def test_all_validation_errors_are_listed_on_one_line():
    data = accelerator_to_data(load_accelerator("gemmini"))
    data["clock_hz"] = -1
    data["compute"]["pe_rows"] = 0
    data["dma"]["bus_width_bits"] = 1
    with pytest.raises(ArchitectureError) as info:
        validate_accelerator(data, "three.yaml")
    text = str(info.value)
    assert "\n" not in text
    for field in ("clock_hz", "compute.pe_rows", "dma.bus_width_bits"):
        assert field in text
    assert "more error" not in text


def test_unknown_op_type_in_a_fusion_rule_is_refused_with_a_suggestion():
    data = accelerator_to_data(load_accelerator("gemmini"))
    data["fusion"] = [{"pattern": ["Conv", "BatchNorm"]}]
    with pytest.raises(ArchitectureError, match=r"BatchNorm.*did you mean 'BatchNormalization'"):
        validate_accelerator(data, "fuse.yaml")


def test_known_op_types_in_fusion_rules_pass():
    data = accelerator_to_data(load_accelerator("gemmini"))
    data["fusion"] = [{"pattern": ["Conv", "BatchNormalization", "Relu"]},
                      {"pattern": ["FusedConv", "Add"]}]  # a com.microsoft op too
    assert validate_accelerator(data, "ok.yaml").fusion[0].pattern[1] == "BatchNormalization"


def test_a_name_with_a_newline_keeps_the_message_on_one_line():
    """Found by benchmarks/fuzz.py: the memory's name is quoted in the field path."""
    data = accelerator_to_data(load_accelerator("gemmini"))
    data["memories"][0]["name"] = "line\nbreak"
    with pytest.raises(ArchitectureError) as info:
        validate_accelerator(data, "nl.yaml")
    assert "\n" not in str(info.value) and "line\\nbreak" in str(info.value)
