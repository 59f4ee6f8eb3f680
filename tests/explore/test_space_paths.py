"""One list of sweepable parameters and a public path API (issue 11 clean-ups)."""

from __future__ import annotations

import pytest

from explorer.cli import build_parser
from explorer.errors import ArchitectureError
from explorer.explore.space import parse_param, sweepable_parameters
from explorer.hardware.library import library_names, load_accelerator
from explorer.hardware.overrides import field_at
from explorer.hardware.params import sweepable_params


@pytest.mark.parametrize("name", library_names())
def test_explore_and_gui_offer_the_same_parameters(name):
    acc = load_accelerator(name)
    paths = sweepable_parameters(acc)
    assert paths == [p.path for p in sweepable_params(acc)]
    for path in paths:  # every offered path resolves through the public API
        assert field_at(acc, path).kind in ("int", "float", "enum")


def test_field_at_names_the_field_and_refuses_a_group():
    acc = load_accelerator("systolic")
    facts = field_at(acc, "memories.ifmap_sram.size_bytes")
    assert facts.name == "size_bytes" and facts.unit == "B"
    with pytest.raises(ArchitectureError, match="group of fields"):
        field_at(acc, "compute")
    with pytest.raises(ArchitectureError, match="did you mean 'pe_rows'"):
        field_at(acc, "compute.pe_row")


def test_unknown_param_lists_the_sweepable_ones():
    acc = load_accelerator("systolic")
    with pytest.raises(ArchitectureError, match=r"sweepable: .*compute\.pe_rows"):
        parse_param("compute.pe_row=8,16", acc)


def test_explore_is_listed_after_sweep():
    help_text = build_parser().format_help()
    assert "explore" in help_text
    assert help_text.index("    sweep") < help_text.index("    explore") < \
        help_text.index("    measure")
