from __future__ import annotations

from explorer.engine.kernel import DMA_IN, DMA_OUT, FIRST_MEMORY_UNIT
from explorer.engine.timing import DmaTiming, dma_channel, fold_fill_cycles
from explorer.hardware.library import load_accelerator
from explorer.hardware.schema import Dataflow, Operand


def test_dma_bandwidth_is_the_least_of_bus_dram_and_requests_in_flight():
    acc = load_accelerator("gemmini").model_copy(deep=True)
    assert DmaTiming.of(acc).bytes_per_cycle == 16  # 128-bit bus = DRAM bandwidth
    acc.dma.max_requests_in_flight = 4  # 4 × 64 B per 100-cycle round trip
    timing = DmaTiming.of(acc)
    assert timing.bytes_per_cycle == 4 * 64 / 100
    assert timing.cycles(0) == 0
    assert timing.cycles(256) == acc.dma.setup_cycles + 100


def test_memories_with_their_own_dram_link_get_their_own_channel():
    gemmini = load_accelerator("gemmini")
    assert dma_channel(gemmini, gemmini.memory_for(Operand.INPUT), store=False)[0] == DMA_IN
    assert dma_channel(gemmini, gemmini.memory_for(Operand.OUTPUT), store=True)[0] == DMA_OUT
    systolic = load_accelerator("systolic")
    units = {dma_channel(systolic, m, store=False)[0] for m in systolic.memories}
    assert units == {FIRST_MEMORY_UNIT, FIRST_MEMORY_UNIT + 1, FIRST_MEMORY_UNIT + 2}
    _, timing = dma_channel(systolic, systolic.memories[0], store=False)
    assert timing.bytes_per_cycle == systolic.memories[0].dram_bandwidth_bytes_per_cycle


def test_fold_fill_follows_scalesim():
    assert fold_fill_cycles(Dataflow.WS, 32, 32) == 94
    assert fold_fill_cycles(Dataflow.OS, 32, 32) == 62
    assert fold_fill_cycles(Dataflow.IS, 16, 8) == 38  # inputs pre-filled, as WS's weights
