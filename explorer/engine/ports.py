"""Memory banks and ports as schedulable resources: the structural hazards of on-chip
memories.

Layout (what the mapper assumes the compiler does, as Gemmini's tiled loops do): the
banks of a memory are split into contiguous groups, one per operand it holds (input,
weight, output, in that order); when there are fewer banks than operands, operand i
uses bank i mod banks, so operands share a bank. Inside its group an operand (both
halves of its double buffer included) is interleaved row by row over the banks.

Bandwidth: `read_bandwidth_bytes_per_cycle` / `write_bandwidth_bytes_per_cycle` are what
the whole memory delivers through one read (write) port of every bank; a bank serves
banks⁻¹ of it. A port is an access path of its own width, so a further port adds
bandwidth (as the area model charges it) rather than splitting it: a group has
`read_ports` read-port resources and `write_ports` write-port resources, each moving
bandwidth·|group|/banks bytes per cycle (a single stream uses one of them, two streams
can use two at once); a
`single_ported` memory has one shared port per group that either reads or writes
(Gemmini's scratchpad: a DMA fill competes with the array's reads of the same bank).

An instruction that moves `n` bytes through a port holds it for ceil(n / rate) cycles.
Ports are served in program order, like units: an instruction starts only once each of
its ports is free at the moment it needs it (`offset` cycles after its start), which is
a max-plus rule, so the schedule stays shift-invariant and `depgraph` can extrapolate it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from explorer.hardware.schema import Accelerator, Memory, Operand

# One use of a memory port by an instruction: (candidate port ids (interchangeable ports
# of one group; the earliest free is taken), offset after the instruction's start at
# which its accesses begin, cycles the port is held, memory latency after the last
# access until the data is usable).
PortUse = tuple[tuple[int, ...], int, int, int]


@dataclass(frozen=True)
class PortGroup:
    """The ports of the banks one operand occupies in one memory."""

    memory: str
    banks: tuple[int, ...]
    read_ports: tuple[int, ...]
    write_ports: tuple[int, ...]
    read_bytes_per_cycle: float
    write_bytes_per_cycle: float
    latency_cycles: int

    def use(self, *, write: bool, nbytes: int, offset: int = 0) -> PortUse | None:
        """The port use that moves `nbytes` (None when nothing moves)."""
        if nbytes <= 0:
            return None
        rate = self.write_bytes_per_cycle if write else self.read_bytes_per_cycle
        ports = self.write_ports if write else self.read_ports
        return ports, offset, math.ceil(nbytes / rate), self.latency_cycles

    def cycles(self, *, write: bool, nbytes: int) -> int:
        rate = self.write_bytes_per_cycle if write else self.read_bytes_per_cycle
        return math.ceil(nbytes / rate) if nbytes > 0 else 0


@dataclass(frozen=True)
class PortLayout:
    names: tuple[str, ...]  # one per port resource, e.g. scratchpad.b0-1.rw
    groups: dict[tuple[str, Operand], PortGroup]

    def group(self, memory: Memory, operand: Operand) -> PortGroup:
        return self.groups[(memory.name, operand)]

    def report(self) -> dict[str, dict[str, dict]]:
        """Which banks and ports each operand uses, for the mapping report."""
        out: dict[str, dict[str, dict]] = {}
        for (memory, operand), g in self.groups.items():
            shared = g.read_ports == g.write_ports
            out.setdefault(memory, {})[operand.value] = {
                "banks": list(g.banks),
                "ports": "read/write shared" if shared else
                f"{len(g.read_ports)} read + {len(g.write_ports)} write",
                "read_bytes_per_cycle": g.read_bytes_per_cycle,
                "write_bytes_per_cycle": g.write_bytes_per_cycle}
        return out


def _bank_groups(memory: Memory, operands: list[Operand]) -> list[tuple[int, ...]]:
    n, banks = len(operands), memory.banks
    if banks >= n:
        return [tuple(range(i * banks // n, (i + 1) * banks // n)) for i in range(n)]
    return [(i % banks,) for i in range(n)]


def port_layout(acc: Accelerator) -> PortLayout:
    names: list[str] = []
    groups: dict[tuple[str, Operand], PortGroup] = {}
    for memory in acc.memories:
        operands = [op for op in Operand if op in memory.holds]
        resources: dict[tuple[int, ...], tuple[tuple[int, ...], tuple[int, ...]]] = {}
        for operand, banks in zip(operands, _bank_groups(memory, operands)):
            if banks not in resources:
                tag = f"{memory.name}.b{banks[0]}" + (f"-{banks[-1]}" if len(banks) > 1 else "")
                if memory.single_ported:
                    shared = (len(names),)
                    names.append(f"{tag}.rw")
                    resources[banks] = (shared, shared)
                else:
                    reads = tuple(range(len(names), len(names) + memory.read_ports))
                    names.extend(f"{tag}.r{i}" for i in range(memory.read_ports))
                    writes = tuple(range(len(names), len(names) + memory.write_ports))
                    names.extend(f"{tag}.w{i}" for i in range(memory.write_ports))
                    resources[banks] = (reads, writes)
            reads, writes = resources[banks]
            share = len(banks) / memory.banks
            groups[(memory.name, operand)] = PortGroup(
                memory.name, banks, reads, writes,
                memory.read_bandwidth_bytes_per_cycle * share,
                memory.write_bandwidth_bytes_per_cycle * share,
                memory.latency_cycles)
    return PortLayout(tuple(names), groups)


def merge_uses(uses: list[PortUse | None]) -> tuple[PortUse, ...]:
    """One use per port set: accesses of one instruction through the same ports add up
    (e.g. input and weight rows in one shared bank), starting at the earliest offset."""
    merged: dict[tuple[int, ...], PortUse] = {}
    for use in uses:
        if use is None:
            continue
        ports, offset, cycles, latency = use
        if ports in merged:
            _, o, c, lat = merged[ports]
            use = (ports, min(o, offset), c + cycles, max(lat, latency))
        merged[ports] = use
    return tuple(merged.values())
