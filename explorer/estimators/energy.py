"""Energy of a scheduled loop kernel, from access counts (as in Sponner et al.): MACs and
vector operations times their energies, bytes read and written at every on-chip memory
times its per-byte energies, and DRAM traffic times the off-chip energy per byte.

The counts depend only on the kernel and its schedule, the energies only on the
accelerator: `energy_counts` gathers the counts once (a cached schedule keeps them), so
a design that changes only energies costs a few multiplications per layer."""

from __future__ import annotations

from dataclasses import dataclass

from explorer.engine.kernel import LoopKernel
from explorer.hardware.schema import Accelerator

PJ = 1e-12


@dataclass(frozen=True)
class EnergyCounts:
    macs: int
    vector_ops: int
    dram_bytes: int
    sram_read_bytes: tuple[tuple[str, int], ...]  # per memory name
    sram_write_bytes: tuple[tuple[str, int], ...]

    def joules(self, acc: Accelerator) -> float:
        memories = {m.name: m for m in acc.memories}
        pj = self.macs * acc.compute.energy_per_mac_pj
        pj += self.dram_bytes * acc.offchip.energy_pj_per_byte
        pj += self.vector_ops * acc.compute.energy_per_vector_op_pj
        for name, nbytes in self.sram_read_bytes:
            pj += nbytes * memories[name].energy_read_pj_per_byte
        for name, nbytes in self.sram_write_bytes:
            pj += nbytes * memories[name].energy_write_pj_per_byte
        return pj * PJ

    def memory_levels(self, acc: Accelerator, dram_read_bytes: int,
                      dram_write_bytes: int) -> dict[str, dict[str, float]]:
        """`memory_levels` from these counts (the same figures, without the bodies)."""
        reads, writes = dict(self.sram_read_bytes), dict(self.sram_write_bytes)
        levels: dict[str, dict[str, float]] = {}
        for m in acc.memories:
            r, w = reads.get(m.name, 0), writes.get(m.name, 0)
            levels[m.name] = {"read_bytes": r, "write_bytes": w, "energy_j": PJ * (
                r * m.energy_read_pj_per_byte + w * m.energy_write_pj_per_byte)}
        levels["DRAM"] = {"read_bytes": dram_read_bytes, "write_bytes": dram_write_bytes,
                          "energy_j": PJ * (dram_read_bytes + dram_write_bytes)
                          * acc.offchip.energy_pj_per_byte}
        return levels


def energy_counts(kernel: LoopKernel, body_counts: list[int], dram_bytes: int) -> EnergyCounts:
    vector_ops = 0
    reads: dict[str, int] = {}
    writes: dict[str, int] = {}
    for body, count in zip(kernel.bodies, body_counts):
        if not count:
            continue
        vector_ops += count * body.vector_ops
        for name, nbytes in body.sram_read_bytes.items():
            reads[name] = reads.get(name, 0) + count * nbytes
        for name, nbytes in body.sram_write_bytes.items():
            writes[name] = writes.get(name, 0) + count * nbytes
    return EnergyCounts(kernel.macs, vector_ops, dram_bytes, tuple(reads.items()),
                        tuple(writes.items()))


def kernel_energy_j(kernel: LoopKernel, body_counts: list[int], acc: Accelerator,
                    dram_bytes: int) -> float:
    return energy_counts(kernel, body_counts, dram_bytes).joules(acc)


def memory_levels(kernel: LoopKernel, body_counts: list[int], acc: Accelerator,
                  dram_read_bytes: int, dram_write_bytes: int) -> dict[str, dict[str, float]]:
    """Bytes read and written and the energy (J) spent at every memory level of one
    layer, on-chip memories in the description's order and then "DRAM": what a
    hierarchical roofline and a per-level energy breakdown read (the same access counts
    `kernel_energy_j` sums, so the levels' energies plus compute make its total)."""
    levels: dict[str, dict[str, float]] = {
        m.name: {"read_bytes": 0, "write_bytes": 0, "energy_j": 0.0} for m in acc.memories}
    for body, count in zip(kernel.bodies, body_counts):
        if not count:
            continue
        for name, nbytes in body.sram_read_bytes.items():
            levels[name]["read_bytes"] += count * nbytes
        for name, nbytes in body.sram_write_bytes.items():
            levels[name]["write_bytes"] += count * nbytes
    for memory in acc.memories:
        level = levels[memory.name]
        level["energy_j"] = PJ * (level["read_bytes"] * memory.energy_read_pj_per_byte
                                  + level["write_bytes"] * memory.energy_write_pj_per_byte)
    levels["DRAM"] = {"read_bytes": dram_read_bytes, "write_bytes": dram_write_bytes,
                      "energy_j": PJ * (dram_read_bytes + dram_write_bytes)
                      * acc.offchip.energy_pj_per_byte}
    return levels
