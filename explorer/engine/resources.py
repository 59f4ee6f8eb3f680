"""An accelerator resolved into the resources loop kernels are built from: units, DMA
channels, memory port layout, bit widths and queue depths.

Built once per accelerator (per estimation run, or once per content across runs through
`resources_of`'s bounded cache) instead of being re-derived for every layer and every
candidate plan. `key` names the accelerator by content (a hash of its resolved
parameters), so caches keyed by it stay right when an accelerator object is edited or
rebuilt and do not keep old accelerators alive by `id()`.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from explorer.engine.ports import PortLayout, port_layout
from explorer.engine.timing import DmaTiming, dma_channel, unit_names
from explorer.hardware.schema import Accelerator, Memory, Operand


@dataclass(frozen=True)
class Bits:
    """Precisions in bits: operands in DRAM and SRAM, partial sums in the accumulator."""

    input: int
    weight: int
    output: int
    accumulator: int

    def of(self, operand: Operand) -> int:
        return {Operand.INPUT: self.input, Operand.WEIGHT: self.weight,
                Operand.OUTPUT: self.output}[operand]

    def on_chip(self, operand: Operand) -> int:
        """Outputs sit on chip as partial sums, at accumulator precision."""
        return self.accumulator if operand is Operand.OUTPUT else self.of(operand)


@dataclass(frozen=True, eq=False)
class Resources:
    acc: Accelerator
    key: str  # content hash of the accelerator's resolved parameters
    timing_key: str  # content hash of the parameters that mapping and timing read
    unit_names: tuple[str, ...]
    ports: PortLayout
    dma: DmaTiming  # the shared load and store channels
    bits: Bits
    queue_depths: tuple[int, int, int]  # load, store, execute
    memory: dict[Operand, Memory]  # where each operand lives
    fill: dict[str, tuple[int, DmaTiming]]  # memory name -> (unit, timing) of its loads
    drain: dict[str, tuple[int, DmaTiming]]  # memory name -> (unit, timing) of its stores
    fused_free: bool = True  # compute.fused_elementwise_free

    def fill_channel(self, memory: Memory) -> tuple[int, DmaTiming]:
        return self.fill[memory.name]

    def drain_channel(self, memory: Memory) -> tuple[int, DmaTiming]:
        return self.drain[memory.name]


def content_key(acc: Accelerator) -> str:
    return hashlib.sha256(acc.model_dump_json().encode()).hexdigest()


# Fields no loop kernel and no schedule reads: names, prose, the clock (cycles are counted,
# seconds derived after), energies and areas (applied to a result's counts afterwards).
# Everything else, including fields added later, is part of the timing key, so a new
# field can only cost a cache miss, never a stale result.
_NOT_TIMING = {
    "name": True, "description": True, "clock_hz": True, "technology_nm": True,
    "sources": True,
    "compute": {"energy_per_mac_pj": True, "energy_per_vector_op_pj": True, "area": True},
    "memories": {"__all__": {"energy_read_pj_per_byte": True,
                             "energy_write_pj_per_byte": True, "area": True}},
    "offchip": {"energy_pj_per_byte": True},
    "dma": {"area": True},
}


def timing_key(acc: Accelerator) -> str:
    """Names what a layer's mapping and schedule depend on: two accelerators that differ
    only in clock, energies or areas share it (a sweep over those maps nothing again)."""
    return hashlib.sha256(acc.model_dump_json(exclude=_NOT_TIMING).encode()).hexdigest()


def resolve(acc: Accelerator, key: str | None = None) -> Resources:
    c, q = acc.compute, acc.queues
    p = c.precision
    return Resources(
        acc=acc, key=key or content_key(acc), timing_key=timing_key(acc),
        unit_names=unit_names(acc),
        ports=port_layout(acc), dma=DmaTiming.of(acc),
        bits=Bits(p.input_bits, p.weight_bits, p.output_bits, p.accumulator_bits),
        queue_depths=(q.load, q.store, q.execute),
        memory={op: acc.memory_for(op) for op in Operand},
        fill={m.name: dma_channel(acc, m, store=False) for m in acc.memories},
        drain={m.name: dma_channel(acc, m, store=True) for m in acc.memories},
        fused_free=c.fused_elementwise_free)


# Resolved accelerators kept by content: a sweep's thousands of points evict each other.
MAX_CACHED = 64
_cache: OrderedDict[str, Resources] = OrderedDict()


def resources_of(acc: Accelerator | Resources) -> Resources:
    """The resolved resources of `acc` (a Resources passes through)."""
    if isinstance(acc, Resources):
        return acc
    key = content_key(acc)
    known = _cache.get(key)
    if known is not None:
        _cache.move_to_end(key)
        return known
    known = _cache[key] = resolve(acc, key)
    if len(_cache) > MAX_CACHED:
        _cache.popitem(last=False)
    return known
