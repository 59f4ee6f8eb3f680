"""Turning a GEMM plan (plans.py) into its loop kernel: a tree of Repeat nodes over block
bodies, each body the instructions of one block (load its streamed operands, compute it
on the array, store its outputs) with their dependencies, buffer rings, DMA channels and
memory ports (explorer.engine)."""

from __future__ import annotations

import math

from explorer.engine.kernel import (
    ARRAY,
    EXEC_Q,
    LOAD_Q,
    PRELOAD,
    PRELOAD_Q,
    REG_COMPUTE,
    REG_INPUT,
    REG_PRELOADED,
    REG_WEIGHT,
    RING_INPUT,
    RING_OUTPUT,
    RING_PRELOAD,
    RING_WEIGHT,
    STORE_Q,
    VECTOR,
    Body,
    Instr,
    LoopKernel,
    Node,
    Repeat,
)
from explorer.engine.ports import PortUse, merge_uses
from explorer.engine.resources import Resources, resources_of
from explorer.engine.timing import bytes_of, fold_fill_cycles
from explorer.hardware.schema import Accelerator, Memory, Operand
from explorer.mapping.plans import (
    CHUNK,
    INPUT,
    LOOP_OF_DIM,
    MAX_RING,
    OPERAND_DIMS,
    OUTPUT,
    STREAM_BUFFERS,
    WEIGHT,
    Dim,
    G,
    LoopName,
    Plan,
    loads_tile,
)

REG_OF = {INPUT: REG_INPUT, WEIGHT: REG_WEIGHT}
RING_OF = {INPUT: RING_INPUT, WEIGHT: RING_WEIGHT}


class KernelBuilder:
    """Turns a Plan into the loop kernel (tree of Repeat nodes over block bodies)."""

    def __init__(self, plan: Plan, acc: Accelerator | Resources,
                 shared_bodies: dict[tuple, Body] | None = None) -> None:
        self.plan = plan
        # Bodies of other candidate plans of the same problem on the same accelerator:
        # a body is fixed by its extents, what it loads and stores (the fold key, which
        # already reflects the plan's holding and accumulation) and the plan's
        # accumulation choice.
        self.shared_bodies = {} if shared_bodies is None else shared_bodies
        self.plan_key = (plan.accumulate,)
        self.res = res = resources_of(acc)
        # Per operand: its bank group and the DMA channels that fill and drain it.
        self.group = {op: res.ports.group(plan.mem[op], op) for op in Operand}
        self.fill_dma = {op: res.fill_channel(plan.mem[op]) for op in (INPUT, WEIGHT)}
        self.drain_dma = res.drain_channel(plan.mem[OUTPUT])
        self.bits = res.bits
        compute = res.acc.compute
        self.pipeline = compute.pipeline_depth_cycles
        self.loop_of = LOOP_OF_DIM[plan.dataflow]
        self.reduce_loop = self.loop_of[Dim.K]
        self.loops_of = {op: {self.loop_of[d] for d in dims} | {G}
                         for op, dims in OPERAND_DIMS.items()}
        # The stationary operand (WS: weights, IS: inputs; OS has none) enters the array
        # by its own preload instruction, one row per cycle: `rows` of SCALE-Sim's fold
        # cost 2R + C + T - 2; the rest, R + C - 2, is the fill/drain skew of the stream.
        self.stationary = next((op for op in (WEIGHT, INPUT)
                                if CHUNK not in self.loops_of[op]), None)
        fill = fold_fill_cycles(plan.dataflow, plan.rows, plan.cols)
        self.preload_cycles = plan.rows if self.stationary is not None else 0
        self.skew = fill - self.preload_cycles
        self.double_buffered = compute.stationary_double_buffered
        self.pipelined = compute.fold_pipelining
        p = plan.problem
        self.ratio = {INPUT: p.input_elems / (p.m * p.k), WEIGHT: p.weight_elems / (p.k * p.n),
                      OUTPUT: p.output_elems / (p.m * p.n)}
        self.bodies: list[Body] = []
        self.body_ids: dict[tuple, int] = {}
        self.fold_nodes: dict[tuple, tuple[Node, ...]] = {}

    def build(self) -> LoopKernel:
        root = self._level(0, ())
        rings = (*(self._ring_size(op) for op in (INPUT, WEIGHT, OUTPUT)),
                 2 if self.double_buffered else 1)  # the PEs' stationary slots
        queues = (*self.res.queue_depths, rings[-1])  # a preload per stationary slot
        return LoopKernel(self.bodies, root, queues, rings, {},
                          macs=self.plan.problem.macs, unit_names=self.res.unit_names,
                          port_names=self.res.ports.names)

    def _ring_size(self, operand: Operand) -> int:
        """Blocks of a streamed operand the memory's usable half holds (2..MAX_RING):
        how far loads may run ahead of the array (or stores lag behind it)."""
        if CHUNK not in self.loops_of[operand]:
            return STREAM_BUFFERS
        plan = self.plan
        ext = {loop.name: loop.size for loop in plan.loops}
        block = bytes_of(self._elems(operand, ext, plan.block), self.bits.on_chip(operand))
        return max(STREAM_BUFFERS, min(MAX_RING, plan.mem[operand].usable_bytes // max(1, block)))

    # Each level splits into its first index, the middle ones (one Repeat) and its last.
    def _level(self, depth: int, ctx: tuple[tuple[bool, bool], ...]) -> tuple[Node, ...]:
        if depth == len(self.plan.loops):
            return self._fold(ctx)
        count = self.plan.loops[depth].count
        if count == 1:
            return self._level(depth + 1, (*ctx, (True, True)))
        nodes = list(self._level(depth + 1, (*ctx, (True, False))))
        if count > 2:
            nodes.append(Repeat(count - 2, self._level(depth + 1, (*ctx, (False, False)))))
        nodes.extend(self._level(depth + 1, (*ctx, (False, True))))
        return tuple(nodes)

    def _loads(self, operand: Operand, ctx: tuple[tuple[bool, bool], ...]) -> bool:
        return loads_tile(self.plan.loops, self.loops_of[operand], self.plan.hold[operand],
                          ctx)

    def _fold(self, ctx: tuple[tuple[bool, bool], ...]) -> tuple[Node, ...]:
        ext = {loop.name: (loop.last_size if last else loop.size)
               for loop, (_, last) in zip(self.plan.loops, ctx)}
        reduce_last = next(last for loop, (_, last) in zip(self.plan.loops, ctx)
                           if loop.name == self.reduce_loop)
        store = reduce_last or not self.plan.accumulate
        key = (tuple(sorted(ext.items())), self._loads(INPUT, ctx),
               self._loads(WEIGHT, ctx), store, all(f for f, _ in ctx),
               any(not f for loop, (f, _) in zip(self.plan.loops, ctx)
                   if loop.name == self.reduce_loop))
        known = self.fold_nodes.get(key)
        if known is not None:  # the same fold again: share its nodes (and their analysis)
            return known
        stream = ext[CHUNK]
        block = self.plan.block
        blocks = math.ceil(stream / block)
        last_block = stream - (blocks - 1) * block
        if blocks == 1:
            nodes: list[Node] = [self._body(key, ext, last_block, True, True)]
        else:
            nodes = [self._body(key, ext, block, True, False)]
            if blocks > 2:
                nodes.append(Repeat(blocks - 2, (self._body(key, ext, block, False, False),)))
            nodes.append(self._body(key, ext, last_block, False, True))
        self.fold_nodes[key] = tuple(nodes)
        return self.fold_nodes[key]

    def _elems(self, operand: Operand, ext: dict[LoopName, int], b: int) -> int:
        n = 1
        for d in OPERAND_DIMS[operand]:
            name = self.loop_of[d]
            n *= b if name is CHUNK else ext[name]
        return n

    def _body(self, key: tuple, ext: dict[LoopName, int], b: int, first: bool, last: bool) -> int:
        full_key = (key, b, first, last)
        if full_key in self.body_ids:
            return self.body_ids[full_key]
        shared = self.shared_bodies.get((self.plan_key, full_key))
        if shared is not None:
            self.bodies.append(shared)
            self.body_ids[full_key] = len(self.bodies) - 1
            return self.body_ids[full_key]
        _, load_in, load_w, store, layer_first, accumulating = key
        plan = self.plan
        instrs: list[Instr] = []
        sram_r: dict[str, int] = {}
        sram_w: dict[str, int] = {}

        def count(table: dict[str, int], mem: Memory, nbytes: int) -> None:
            table[mem.name] = table.get(mem.name, 0) + nbytes

        reads: list[int] = []
        releases: list[int] = []
        array_reads: list[PortUse | None] = []
        occupancy = b
        for operand, loading in ((WEIGHT, load_w), (INPUT, load_in)):
            streamed = CHUNK in self.loops_of[operand]
            mem = plan.mem[operand]
            group = self.group[operand]
            raw = self._elems(operand, ext, b if streamed else 1)
            read_bytes = bytes_of(raw, self.bits.of(operand)) if (streamed or first) else 0
            if operand is self.stationary:  # read by the preload, at the fold's start
                preload_read = group.use(write=False, nbytes=read_bytes)
            else:
                array_reads.append(group.use(write=False, nbytes=read_bytes))
                reads.append(REG_OF[operand])
            if streamed:  # the stream cannot outrun its banks
                occupancy = max(occupancy, group.cycles(write=False, nbytes=read_bytes))
            count(sram_r, mem, read_bytes)
            if not loading or not (streamed or first):
                if loading and not streamed and last:
                    releases.append(RING_OF[operand])
                continue
            nbytes = bytes_of(raw * self.ratio[operand], self.bits.of(operand))
            # Kept on chip (reuse.py): inputs by the previous layers (the rest loads),
            # weights from the previous inference.
            share = (plan.problem.input_dram if operand is INPUT
                     else float(plan.problem.weight_dram))
            on_chip = share < 1.0
            if on_chip:
                nbytes = math.ceil(nbytes * share)
            unit, dma = self.fill_dma[operand]
            occ = dma.cycles(nbytes)
            latency = 0 if on_chip and not nbytes else dma.latency_cycles
            # The fill reaches the banks as its data arrives: its last writes end when
            # the transfer does (after the DRAM round trip).
            fill_ports = group.cycles(write=True, nbytes=nbytes)
            port = group.use(write=True, nbytes=nbytes,
                             offset=max(0, dma.latency_cycles + occ - fill_ports))
            instrs.append(Instr(f"load_{operand.value}", LOAD_Q, unit, occ, latency,
                                writes=REG_OF[operand],
                                acquire=(RING_OF[operand],), dram_read_bytes=nbytes,
                                ports=merge_uses([] if on_chip and not nbytes else [port])))
            count(sram_w, mem, nbytes)
            if streamed or last:
                releases.append(RING_OF[operand])

        out_streamed = CHUNK in self.loops_of[OUTPUT]
        out_mem = plan.mem[OUTPUT]
        out_group = self.group[OUTPUT]
        out_elems = self._elems(OUTPUT, ext, b if out_streamed else 1)
        acc_bytes = bytes_of(out_elems, self.bits.accumulator)
        writes_out = out_streamed or last
        out_cycles = out_group.cycles(write=True, nbytes=acc_bytes) if writes_out else 0
        occupancy = max(occupancy, out_cycles)
        if first:
            # Fill/drain skew: per fold, or once per layer when folds pipeline.
            skew = self.skew if (layer_first or not self.pipelined) else 0
            occupancy += skew - (1 if layer_first else 0)
        if first and self.stationary is not None:
            # The tile enters the PEs; with a second slot per PE (double buffering) this
            # runs while the previous fold still streams, else after it.
            instrs.append(Instr(f"preload_{self.stationary.value}", PRELOAD_Q, PRELOAD,
                                self.preload_cycles, reads=(REG_OF[self.stationary],),
                                writes=REG_PRELOADED, acquire=(RING_PRELOAD,),
                                ports=merge_uses([preload_read])))
            reads.append(REG_PRELOADED)
        if last and self.stationary is not None:
            releases.append(RING_PRELOAD)
        acquire: tuple[int, ...] = ()
        if store and (out_streamed or first):
            acquire = (RING_OUTPUT,)
        if writes_out:
            count(sram_w, out_mem, acc_bytes)
            # Results (and the partial sums they add to) pass the accumulator banks as
            # the array drains, at the end of the instruction.
            drain = occupancy - out_cycles
            array_reads.append(out_group.use(write=True, nbytes=acc_bytes, offset=drain))
            if accumulating:
                count(sram_r, out_mem, acc_bytes)
                array_reads.append(out_group.use(write=False, nbytes=acc_bytes, offset=drain))
        instrs.append(Instr("compute", EXEC_Q, ARRAY, occupancy, self.pipeline,
                            reads=tuple(reads), writes=REG_COMPUTE, acquire=acquire,
                            release=tuple(releases), ports=merge_uses(array_reads)))
        vector_ops = 0
        if store and writes_out and plan.problem.output_ops_per_elem:
            # Output-path element-wise work that is not free (compute.
            # fused_elementwise_free false): the vector unit applies it to the block's
            # results before they are stored.
            vector_ops = math.ceil(out_elems * self.ratio[OUTPUT]
                                   * plan.problem.output_ops_per_elem)
            instrs.append(Instr("vector", EXEC_Q, VECTOR,
                                math.ceil(vector_ops / self.res.acc.compute.vector_lanes),
                                self.pipeline, reads=(REG_COMPUTE,), writes=REG_COMPUTE))
        if store and writes_out:
            nbytes = bytes_of(out_elems * self.ratio[OUTPUT], self.bits.output)
            count(sram_r, out_mem, acc_bytes)
            unit, dma = self.drain_dma
            if plan.problem.output_dram:
                instrs.append(Instr("store_output", STORE_Q, unit, dma.cycles(nbytes),
                                    dma.latency_cycles, reads=(REG_COMPUTE,),
                                    release=(RING_OUTPUT,), dram_write_bytes=nbytes,
                                    ports=merge_uses([out_group.use(write=False,
                                                                    nbytes=acc_bytes)])))
            else:  # kept on chip for the next layers (reuse.py): no DRAM transfer
                instrs.append(Instr("keep_output", STORE_Q, unit, 0, reads=(REG_COMPUTE,),
                                    release=(RING_OUTPUT,)))
        label = ("first " if first else "") + ("last " if last else "") + "block"
        body = self.shared_bodies[(self.plan_key, full_key)] = Body(label, tuple(instrs),
                                                                    sram_r, sram_w,
                                                                    vector_ops)
        self.bodies.append(body)
        self.body_ids[full_key] = len(self.bodies) - 1
        return self.body_ids[full_key]
