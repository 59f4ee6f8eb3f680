"""Energy of a scheduled loop kernel, from access counts (as in Sponner et al.): MACs and
vector operations times their energies, bytes read and written at every on-chip memory
times its per-byte energies, and DRAM traffic times the off-chip energy per byte."""

from __future__ import annotations

from explorer.engine.kernel import LoopKernel
from explorer.hardware.schema import Accelerator

PJ = 1e-12


def kernel_energy_j(kernel: LoopKernel, body_counts: list[int], acc: Accelerator,
                    dram_bytes: int) -> float:
    memories = {m.name: m for m in acc.memories}
    pj = kernel.macs * acc.compute.energy_per_mac_pj
    pj += dram_bytes * acc.offchip.energy_pj_per_byte
    for body, count in zip(kernel.bodies, body_counts):
        if not count:
            continue
        body_pj = body.vector_ops * acc.compute.energy_per_vector_op_pj
        for name, nbytes in body.sram_read_bytes.items():
            body_pj += nbytes * memories[name].energy_read_pj_per_byte
        for name, nbytes in body.sram_write_bytes.items():
            body_pj += nbytes * memories[name].energy_write_pj_per_byte
        pj += count * body_pj
    return pj * PJ


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
