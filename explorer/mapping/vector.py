"""Mapping element-wise work (pooling, activations, normalisation, softmax, and the
element-count cost of unmodelled layers) and pure data movement onto the vector unit.

The output is cut into chunks of `vector_lanes × pe_rows` elements (one row block, the
same instruction granularity as the array) or fewer if a chunk's inputs and outputs
would not fit in half of their memories. One iteration loads a chunk's inputs, runs
ceil(ops / lanes) cycles on the vector unit and stores its outputs; a copy (Transpose,
Pad, Resize, ...) skips the vector unit.
"""

from __future__ import annotations

import math

from explorer.engine.kernel import (
    EXEC_Q,
    LOAD_Q,
    REG_COMPUTE,
    REG_INPUT,
    RING_INPUT,
    RING_OUTPUT,
    STORE_Q,
    VECTOR,
    Body,
    Instr,
    LoopKernel,
    Node,
    Repeat,
)
from explorer.engine.ports import merge_uses
from explorer.engine.resources import Resources, resources_of
from explorer.engine.timing import bytes_of
from explorer.hardware.schema import Accelerator, Operand
from explorer.mapping.problem import VectorProblem

BUFFERS = 2
MAX_RING = 16  # chunks of one operand in flight at most


def map_vector(problem: VectorProblem, acc: Accelerator | Resources, *,
               copy: bool = False) -> LoopKernel:
    res = resources_of(acc)
    c = res.acc.compute
    in_bits, out_bits = res.bits.input, res.bits.output
    in_mem, out_mem = res.memory[Operand.INPUT], res.memory[Operand.OUTPUT]
    out_total = max(1, problem.output_elems)
    in_per_out = problem.input_elems / out_total
    ops_per_out = problem.ops / out_total
    chunk = c.vector_lanes * c.pe_rows
    per_out_bytes = in_per_out * in_bits / 8 + (out_bits / 8 if in_mem is out_mem else 0)
    fit = int(in_mem.usable_bytes / BUFFERS / per_out_bytes) if per_out_bytes else chunk
    chunk = max(1, min(chunk, fit, out_total))
    if in_mem is not out_mem:
        chunk = max(1, min(chunk, out_mem.usable_bytes * 8 // (BUFFERS * out_bits)))
    count = math.ceil(out_total / chunk)
    last = out_total - (count - 1) * chunk
    in_unit, in_dma = res.fill_channel(in_mem)
    out_unit, out_dma = res.drain_channel(out_mem)
    in_chunk = max(1, bytes_of(chunk * in_per_out, in_bits))
    out_chunk = max(1, bytes_of(chunk, out_bits))
    rings = (max(BUFFERS, min(MAX_RING, in_mem.usable_bytes // in_chunk)), BUFFERS,
             max(BUFFERS, min(MAX_RING, out_mem.usable_bytes // out_chunk)))
    layout = res.ports
    in_group, out_group = layout.group(in_mem, Operand.INPUT), layout.group(out_mem, Operand.OUTPUT)
    kernel = LoopKernel([], (), res.queue_depths, rings, {},
                        macs=0, unit_names=res.unit_names, port_names=layout.names)

    def body(n_out: int) -> int:
        in_bytes = bytes_of(n_out * in_per_out, in_bits)
        out_bytes = bytes_of(n_out, out_bits)
        ops = math.ceil(n_out * ops_per_out)
        # Inputs kept on chip by the previous layers (reuse.py) are not loaded again.
        dram_in = math.ceil(in_bytes * problem.input_dram)
        in_occ = in_dma.cycles(dram_in)
        fill_offset = max(0, in_dma.latency_cycles + in_occ
                          - in_group.cycles(write=True, nbytes=dram_in))
        on_chip = problem.input_dram < 1.0 and not dram_in
        instrs = [Instr("load_input", LOAD_Q, in_unit, in_occ,
                        0 if on_chip else in_dma.latency_cycles,
                        writes=REG_INPUT, acquire=(RING_INPUT,), dram_read_bytes=dram_in,
                        ports=merge_uses([] if on_chip else [in_group.use(
                            write=True, nbytes=dram_in, offset=fill_offset)]))]
        if copy or ops == 0:
            store_reads, store_release, store_group = (REG_INPUT,), (RING_INPUT,), in_group
        else:
            occupancy = max(math.ceil(ops / c.vector_lanes),
                            in_group.cycles(write=False, nbytes=in_bytes),
                            out_group.cycles(write=True, nbytes=out_bytes))
            drain = occupancy - out_group.cycles(write=True, nbytes=out_bytes)
            instrs.append(Instr("vector", EXEC_Q, VECTOR, occupancy,
                                c.pipeline_depth_cycles, reads=(REG_INPUT,), writes=REG_COMPUTE,
                                acquire=(RING_OUTPUT,), release=(RING_INPUT,),
                                ports=merge_uses([
                                    in_group.use(write=False, nbytes=in_bytes),
                                    out_group.use(write=True, nbytes=out_bytes, offset=drain)])))
            store_reads, store_release, store_group = (REG_COMPUTE,), (RING_OUTPUT,), out_group
        if problem.output_dram:
            instrs.append(Instr("store_output", STORE_Q, out_unit, out_dma.cycles(out_bytes),
                                out_dma.latency_cycles, reads=store_reads,
                                release=store_release, dram_write_bytes=out_bytes,
                                ports=merge_uses([store_group.use(write=False,
                                                                  nbytes=out_bytes)])))
        else:  # kept on chip for the next layers
            instrs.append(Instr("keep_output", STORE_Q, out_unit, 0, reads=store_reads,
                                release=store_release))
        sram_read: dict[str, int] = {}
        sram_write: dict[str, int] = {}
        for table, mem, nbytes in ((sram_write, in_mem, in_bytes), (sram_read, in_mem, in_bytes),
                                   (sram_write, out_mem, out_bytes),
                                   (sram_read, out_mem, out_bytes)):
            table[mem.name] = table.get(mem.name, 0) + nbytes
        return kernel.body_index(Body("chunk", tuple(instrs), sram_read, sram_write,
                                      vector_ops=0 if copy else ops))

    nodes: list[Node] = []
    if count > 1:
        nodes.append(Repeat(count - 1, (body(chunk),)))
    nodes.append(body(last))
    kernel.root = tuple(nodes)
    kernel.mapping = {"unit": "dma" if copy else "vector", "chunk_elements": chunk,
                      "chunks": count, "lanes": c.vector_lanes,
                      "memory_ports": layout.report()}
    return kernel
