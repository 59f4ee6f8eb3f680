"""The loop kernel of a mapped layer: instructions, their dependencies and resources.

A layer's execution is a tree: `Repeat(count, children)` nodes over leaf *bodies* (one
loop-kernel iteration, e.g. "load an input block, compute it on the array, store its
outputs"). Bodies are referred to by index into `LoopKernel.bodies`, so the same
iteration class appears once however often it runs; remainder tiles and first/last
iterations of a loop are bodies of their own.

Every instruction names
- its instruction queue (load / store / execute): at most `depth` of a queue's
  instructions are in flight, and a queue starts them in program order;
- the unit it occupies for `occupancy_cycles` (one DMA channel each way, the PE array,
  the vector unit): a structural hazard for the next user of that unit;
- `latency_cycles` after the unit is free until its result is usable (DRAM round trip,
  pipeline depth);
- registers it waits for (`reads`) and sets (`writes`): data dependencies, e.g. a compute
  waits for the load of its input block;
- buffer rings it `acquire`s and `release`s: a double-buffered (or n-buffered) memory
  region can only be refilled once the instruction that used its previous contents is
  done (write-after-read across iterations);
- the memory ports it holds (`ports`, see ports.py): the banks of the operand it reads or
  writes, each held for the cycles its bytes take at the port's rate, e.g. a DMA fill
  and the array's reads of one single-ported scratchpad bank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from explorer.engine.ports import PortUse

# Units (one per instruction class, as the accelerator description defines them).
# PRELOAD is the array's path for the stationary operand (WS weights, IS inputs): rows
# shifted in one per cycle, beside the stream, so that a double-buffered PE can take the
# next fold's tile while it computes.
DMA_IN, DMA_OUT, ARRAY, VECTOR, PRELOAD = 0, 1, 2, 3, 4
UNIT_NAMES = ("dma_in", "dma_out", "array", "vector", "preload")
FIRST_MEMORY_UNIT = 5  # then one DMA channel per memory with its own DRAM connection
# Instruction queues.
# The preload queue carries the stationary operand's tiles into the PEs (TPU v1's weight
# FIFO): in order among themselves, but not behind the array's computes.
LOAD_Q, STORE_Q, EXEC_Q, PRELOAD_Q = 0, 1, 2, 3
QUEUE_NAMES = ("load", "store", "execute", "preload")
# Registers (completion time of the latest producer).
REG_INPUT, REG_WEIGHT, REG_COMPUTE, REG_PRELOADED = 0, 1, 2, 3
N_REGS = 4
# Buffer rings.
RING_INPUT, RING_WEIGHT, RING_OUTPUT, RING_PRELOAD = 0, 1, 2, 3
RING_NAMES = ("input", "weight", "output", "preload")  # preload: the PEs' stationary slots


@dataclass(frozen=True)
class Instr:
    op: str  # load_input, load_weight, compute, vector, store_output
    queue: int
    unit: int
    occupancy_cycles: int
    latency_cycles: int = 0
    reads: tuple[int, ...] = ()
    writes: int = -1
    acquire: tuple[int, ...] = ()
    release: tuple[int, ...] = ()
    dram_read_bytes: int = 0
    dram_write_bytes: int = 0
    ports: tuple[PortUse, ...] = ()

    def compiled(self) -> tuple:
        """The instruction as the scheduler's inner loop reads it: port uses with a
        single candidate port are resolved now, the rest (`choose`) when it issues."""
        choose = any(len(candidates) > 1 for candidates, _, _, _ in self.ports)
        ports: tuple = self.ports
        if not choose:
            ports = tuple((candidates[0], offset, held, after)
                          for candidates, offset, held, after in self.ports)
        return (self.queue, self.unit, self.occupancy_cycles, self.latency_cycles,
                self.reads, self.writes, self.acquire, self.release, ports, choose)


@dataclass(frozen=True)
class Body:
    """One loop-kernel iteration class."""

    label: str
    instrs: tuple[Instr, ...]
    # Counts that are not timing: SRAM bytes per memory, MACs, vector ops.
    sram_read_bytes: dict[str, int] = field(default_factory=dict)
    sram_write_bytes: dict[str, int] = field(default_factory=dict)
    vector_ops: int = 0

    @cached_property
    def code(self) -> tuple[tuple, ...]:
        """Compiled once, shared by every schedule of this body (mapper candidates,
        simulate and depgraph)."""
        return tuple(instr.compiled() for instr in self.instrs)

    @cached_property
    def content(self) -> tuple:
        """Everything this body contributes to a result (timing, counted bytes and
        operations): bodies with equal content are interchangeable (loop_memo.py)."""
        return (self.code,
                tuple((i.dram_read_bytes, i.dram_write_bytes) for i in self.instrs),
                tuple(sorted(self.sram_read_bytes.items())),
                tuple(sorted(self.sram_write_bytes.items())), self.vector_ops)


@dataclass(frozen=True)
class Repeat:
    count: int
    children: tuple[Node, ...]


Node = int | Repeat  # int: index into LoopKernel.bodies


@dataclass
class LoopKernel:
    bodies: list[Body]
    root: tuple[Node, ...]
    queue_depths: tuple[int, ...]  # per queue in QUEUE_NAMES order (a kernel may use fewer)
    ring_sizes: tuple[int, ...]  # per ring in RING_NAMES order (a kernel may use fewer)
    mapping: dict[str, Any]  # what the mapper chose, for reports
    macs: int = 0
    modelled: bool = True
    unit_names: tuple[str, ...] = UNIT_NAMES
    port_names: tuple[str, ...] = ()  # memory port resources (ports.py)

    def body_index(self, body: Body) -> int:
        self.bodies.append(body)
        return len(self.bodies) - 1

    def iterations(self) -> int:
        """Loop-kernel iterations (body executions) of the whole layer."""
        return _count(self.root, lambda i: 1)

    def instructions(self) -> int:
        return _count(self.root, lambda i: len(self.bodies[i].instrs))


def _count(nodes: tuple[Node, ...], per_body) -> int:
    total = 0
    for node in nodes:
        if isinstance(node, Repeat):
            total += node.count * _count(node.children, per_body)
        else:
            total += per_body(node)
    return total
