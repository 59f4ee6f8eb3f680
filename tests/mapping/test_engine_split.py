"""The engine apart from the mapper (issue 9 §3): the mapper takes its cost function as
an argument and returns (kernel, plan, cost); an accelerator is resolved once into
Resources, named by its content."""

from __future__ import annotations

from mapping_layers import conv, pool

from explorer.engine import resources as resources_module
from explorer.engine.resources import content_key, resources_of
from explorer.engine.schedule import periodic_cost, schedule
from explorer.hardware.library import load_accelerator
from explorer.hardware.overrides import apply_overrides
from explorer.mapping.mapper import map_layer


def test_the_mapper_uses_the_cost_function_it_is_given():
    acc = load_accelerator("gemmini")
    layer = conv(64, 28, 64, 3, pad=1)
    evaluated = []
    periodic = periodic_cost()

    def cost(kernel, limit=None):
        evaluated.append(limit)
        return periodic(kernel, limit)

    kernel, plan, result = map_layer(layer, acc, cost)
    assert evaluated and evaluated[0] is None  # the first candidate has nothing to beat
    assert plan is not None and result is not None
    # The cost is the chosen kernel's periodic schedule, exact against simulate.
    assert result.cycles == schedule(kernel, periodic=False).cycles
    assert kernel.mapping["order"] == [loop.name.value for loop in plan.loops]


def test_kernels_without_a_choice_are_not_evaluated():
    def never(kernel, limit=None):
        raise AssertionError("a vector kernel has no candidates to weigh")

    kernel, plan, result = map_layer(pool(64, 28), load_accelerator("gemmini"), never)
    assert plan is None and result is None and kernel.bodies


def test_resources_are_resolved_once_per_content():
    first = resources_of(load_accelerator("gemmini"))
    again = resources_of(load_accelerator("gemmini"))  # another, equal object
    assert again is first and first.key == content_key(first.acc)
    other = resources_of(apply_overrides(load_accelerator("gemmini"), ["compute.pe_rows=32"]))
    assert other.key != first.key
    assert resources_of(first) is first
    assert first.ports.names and first.unit_names[:4] == ("dma_in", "dma_out", "array",
                                                          "vector")


def test_resolved_accelerators_are_bounded(monkeypatch):
    monkeypatch.setattr(resources_module, "MAX_CACHED", 2)
    monkeypatch.setattr(resources_module, "_cache", type(resources_module._cache)())
    for rows in (8, 16, 32, 64):
        resources_of(apply_overrides(load_accelerator("gemmini"), [f"compute.pe_rows={rows}"]))
    assert len(resources_module._cache) == 2
