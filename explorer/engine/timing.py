"""Timing constants of an accelerator that every loop kernel uses."""

from __future__ import annotations

import math
from dataclasses import dataclass

from explorer.engine.kernel import DMA_IN, DMA_OUT, FIRST_MEMORY_UNIT, UNIT_NAMES
from explorer.hardware.schema import Accelerator, Dataflow, Memory


@dataclass(frozen=True)
class DmaTiming:
    """One DMA channel (loads and stores each have one: the bus is full duplex, as
    Gemmini's TileLink DMA and SCALE-Sim's separate read/write interfaces are).

    Sustained bandwidth is the least of the bus width, DRAM bandwidth and what the
    requests in flight can cover during one DRAM latency (Little's law)."""

    bytes_per_cycle: float
    latency_cycles: int
    setup_cycles: int

    @classmethod
    def of(cls, acc: Accelerator) -> DmaTiming:
        latency = acc.offchip.latency_cycles
        bandwidth = min(acc.dma.bus_bytes_per_cycle, acc.offchip.bandwidth_bytes_per_cycle)
        if latency > 0:
            bandwidth = min(bandwidth,
                            acc.dma.max_requests_in_flight * acc.dma.request_bytes / latency)
        return cls(bandwidth, latency, acc.dma.setup_cycles)

    def cycles(self, nbytes: int) -> int:
        """Cycles the channel is busy moving `nbytes` (its latency overlaps the next)."""
        if nbytes <= 0:
            return 0
        return self.setup_cycles + math.ceil(nbytes / self.bytes_per_cycle)


def dma_channel(acc: Accelerator, memory: Memory, *, store: bool) -> tuple[int, DmaTiming]:
    """(unit index, timing) of the DMA channel that fills or drains `memory`: its own
    DRAM connection when the description gives it one (SCALE-Sim's per-SRAM interfaces),
    else the shared load or store channel."""
    shared = DmaTiming.of(acc)
    if memory.dram_bandwidth_bytes_per_cycle is None:
        return (DMA_OUT if store else DMA_IN), shared
    index = next(i for i, m in enumerate(acc.memories) if m.name == memory.name)
    bandwidth = memory.dram_bandwidth_bytes_per_cycle
    if shared.latency_cycles > 0:
        bandwidth = min(bandwidth, acc.dma.max_requests_in_flight * acc.dma.request_bytes
                        / shared.latency_cycles)
    return FIRST_MEMORY_UNIT + index, DmaTiming(bandwidth, shared.latency_cycles,
                                                shared.setup_cycles)


def unit_names(acc: Accelerator) -> tuple[str, ...]:
    return (*UNIT_NAMES, *(f"dma_{m.name}" for m in acc.memories))


def fold_fill_cycles(dataflow: Dataflow, rows: int, cols: int) -> int:
    """Cycles of one fold on a rows×cols systolic array beyond its streamed length T,
    as SCALE-Sim counts them: WS preloads the weights and IS the inputs (rows cycles,
    `systolic_compute_is.py` pre-fills like WS) and then skew the stream through
    rows + cols − 2 stages; OS only skews."""
    if dataflow in (Dataflow.WS, Dataflow.IS):
        return 2 * rows + cols - 2
    return rows + cols - 2


def bytes_of(elements: float, bits: int) -> int:
    return math.ceil(elements * bits / 8)
