"""The area model: per component, scaled by parameters and node; in every result; checked
against published dies (docs/validation/area.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.estimators.registry import get_estimator
from explorer.hardware.area import (
    PUBLISHED_DIES,
    TOLERANCE,
    check_published,
    design_area,
    model_area,
)
from explorer.hardware.library import load_accelerator
from explorer.hardware.overrides import apply_overrides
from explorer.workload import load_network

ROOT = Path(__file__).resolve().parents[2]


def test_components_grow_with_what_they_are_made_of():
    acc = load_accelerator("systolic")
    base = model_area(acc).components
    wider = model_area(apply_overrides(acc, ["compute.precision.input_bits=16",
                                              "compute.precision.weight_bits=16"])).components
    assert wider["pe_array"] > 1.5 * base["pe_array"]
    bigger = model_area(apply_overrides(acc, ["memories.ifmap_sram.size_bytes=128KiB"]))
    assert bigger.components["memory.ifmap_sram"] == pytest.approx(
        2 * base["memory.ifmap_sram"], rel=0.05)
    ported = model_area(apply_overrides(acc, ["memories.ifmap_sram.read_ports=2"]))
    assert ported.components["memory.ifmap_sram"] > base["memory.ifmap_sram"]
    banked = model_area(apply_overrides(acc, ["memories.ifmap_sram.banks=8"]))
    assert banked.components["memory.ifmap_sram"] > base["memory.ifmap_sram"]
    lanes = model_area(apply_overrides(acc, ["compute.vector_lanes=64"]))
    assert lanes.components["vector_unit"] == pytest.approx(2 * base["vector_unit"])
    node = model_area(apply_overrides(acc, ["technology_nm=22.5"]))
    assert node.total_mm2 == pytest.approx(model_area(acc).total_mm2 / 4)


def test_stated_figures_anchor_and_the_model_scales_them():
    acc = load_accelerator("systolic")  # states compute 0.61 mm2 and 0.3 mm2 per SRAM
    described = design_area(acc)
    assert described.components["memory.ifmap_sram"] == pytest.approx(0.3)
    assert described.components["pe_array"] + described.components["vector_unit"] == \
        pytest.approx(0.61)
    big = apply_overrides(acc, ["compute.pe_rows=64"])
    scaled = design_area(big, reference=acc)
    assert scaled.origin["pe_array"] == "scaled"
    assert scaled.components["pe_array"] == pytest.approx(2 * described.components["pe_array"])
    assert scaled.components["memory.ifmap_sram"] == pytest.approx(0.3)


def test_every_result_carries_its_area():
    acc = load_accelerator("gemmini")
    result = get_estimator("roofline").estimate(load_network("squeezenet"), acc)
    area = result.to_dict()["details"]["area"]
    assert area["total_mm2"] == pytest.approx(design_area(acc).total_mm2)
    assert set(area["components_mm2"]) >= {"pe_array", "vector_unit", "dma"}
    assert json.loads(result.to_json())["details"]["area"]["total_mm2"] == area["total_mm2"]


def test_published_dies_are_checked_and_the_committed_figures_are_current():
    from explorer.hardware.library import load_accelerator as load

    rows = check_published({d.design: load(d.design) for d in PUBLISHED_DIES})
    committed = json.loads((ROOT / "docs/validation/area.json").read_text())
    assert [r["design"] for r in committed["designs"]] == [r["design"] for r in rows]
    for fresh, stored in zip(rows, committed["designs"]):
        assert stored["model_mm2"] == pytest.approx(fresh["model_mm2"])
        assert stored["within_tolerance"] == (abs(fresh["miss"]) <= TOLERANCE)


def test_published_parts_name_model_components_or_say_they_are_missing():
    from explorer.hardware.area import PUBLISHED_PARTS, check_published

    rows = {r["design"]: r for r in check_published(
        {n: load_accelerator(n) for n in ("tpuv1", "eyeriss", "plasticine")})}
    for design, parts in PUBLISHED_PARTS.items():
        row = rows[design]
        assert len(row["parts"]) == len(parts)
        assert sum(p["published_mm2"] for p in row["parts"]) < row["published_mm2"]
        for part in row["parts"]:
            named = part["component"] in row["model_components_mm2"]
            assert named or part["component"].startswith("(not modelled)")
            assert (part["model_mm2"] > 0) == named
