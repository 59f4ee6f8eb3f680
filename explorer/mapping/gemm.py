"""Mapping a GEMM (convolution by im2col, Gemm, MatMul) onto a systolic PE array.

Spatial unrolling follows SCALE-Sim's dataflows on an R×C array: two of the GEMM
dimensions are folded onto rows and columns, the third is streamed:

    WS: rows = K, cols = N, stream = M    (weights stay, inputs stream, outputs leave)
    OS: rows = M, cols = N, stream = K    (outputs stay, inputs and weights stream)
    IS: rows = K, cols = M, stream = N    (inputs stay, weights stream, outputs leave)

A *fold* is one R×C tile of the two folded dimensions; it costs fill + T cycles on the
array (`fold_fill_cycles`), T being the streamed length, which reproduces SCALE-Sim's
compute cycles exactly when the stream is not split. The stream is cut into *chunks*
only when that lets partial sums stay on chip (the mapper weighs the extra fills
against DRAM traffic), and each chunk into *blocks* of R stream rows: one block is one
loop-kernel iteration (load its streamed operands, compute, store its outputs), the
granularity of Gemmini's compute instructions.

Temporal loops, outer to inner: groups, then the folded/chunk loops in a chosen order,
the reduction loop innermost so that partial sums accumulate on chip. Each operand is
*held* from some loop level on: the slice of it that the loops from that level inward
cover stays on chip, so a tile is loaded once per slice however often inner loops it
does not depend on revisit it (e.g. an input chunk stays while the column folds of its
weights pass by). The level is the outermost whose slice fits its memory beside the
other working sets; level 0 (*resident*) loads the whole operand (per group) once,
the innermost level holds one fold tile (reloaded whenever the loop moves to another
tile). The stream is also cut into chunks small enough for a streamed operand's slice
to be held across the column folds. When the output tile does not fit its memory,
partial sums leave the chip after every fold at output precision, as SCALE-Sim models it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

from explorer.hardware.schema import Accelerator, Dataflow, Memory, Operand
from explorer.mapping.kernel import (
    ARRAY,
    EXEC_Q,
    LOAD_Q,
    REG_COMPUTE,
    REG_INPUT,
    REG_WEIGHT,
    RING_INPUT,
    RING_OUTPUT,
    RING_WEIGHT,
    STORE_Q,
    Body,
    Instr,
    LoopKernel,
    Node,
    Repeat,
)
from explorer.mapping.loop_memo import LoopMemo
from explorer.mapping.ports import PortLayout, PortUse, merge_uses, port_layout
from explorer.mapping.problem import GemmProblem
from explorer.mapping.timing import bytes_of, dma_channel, fold_fill_cycles, unit_names

# GEMM dimension -> loop name, per dataflow.
LOOP_OF_DIM = {
    Dataflow.WS: {"K": "row", "N": "col", "M": "chunk"},
    Dataflow.OS: {"M": "row", "N": "col", "K": "chunk"},
    Dataflow.IS: {"K": "row", "M": "col", "N": "chunk"},
}
OPERAND_DIMS = {"input": ("M", "K"), "weight": ("K", "N"), "output": ("M", "N")}
REG_OF = {"input": REG_INPUT, "weight": REG_WEIGHT}
RING_OF = {"input": RING_INPUT, "weight": RING_WEIGHT}
STREAM_BUFFERS = 2  # at least double buffering
MAX_RING = 16  # at most this many blocks of one operand in flight


@dataclass(frozen=True)
class Loop:
    name: str  # g, row, col, chunk
    count: int
    size: int  # extent of a full tile
    last_size: int  # extent of the remainder tile


@dataclass(frozen=True)
class Plan:
    """Everything a kernel is built from; the mapper searches over `order` and `chunk`."""

    dataflow: Dataflow
    rows: int
    cols: int
    block: int
    pack: int  # groups packed block-diagonally onto the array (depthwise on WS)
    problem: GemmProblem  # after packing
    loops: tuple[Loop, ...]  # outer to inner, g first
    hold: dict[str, int]  # per input operand: loop index from which its slice stays
    resident: dict[str, bool]  # hold <= 1 (inside g): the whole operand per group stays
    accumulate: bool
    mem: dict[str, Memory]


class GemmMapper:
    def __init__(self, problem: GemmProblem, acc: Accelerator) -> None:
        self.acc = acc
        c = acc.compute
        self.rows, self.cols, self.df = c.pe_rows, c.pe_cols, c.dataflow
        self.bits = {"input": c.precision.input_bits, "weight": c.precision.weight_bits,
                     "output": c.precision.output_bits, "acc": c.precision.accumulator_bits}
        self.mem = {"input": acc.memory_for(Operand.INPUT),
                    "weight": acc.memory_for(Operand.WEIGHT),
                    "output": acc.memory_for(Operand.OUTPUT)}
        self.pack = self._packing(problem)
        self.problem = self._packed(problem, self.pack)

    # -- unrolling ----------------------------------------------------------------------
    def _packing(self, p: GemmProblem) -> int:
        """Small groups (depthwise) side by side on the diagonal of a WS array."""
        if self.df is not Dataflow.WS or p.groups == 1 or p.k > self.rows or p.n > self.cols:
            return 1
        return max(1, min(p.groups, self.rows // p.k, self.cols // p.n))

    @staticmethod
    def _packed(p: GemmProblem, pack: int) -> GemmProblem:
        if pack == 1:
            return p
        return GemmProblem(math.ceil(p.groups / pack), p.m, p.n * pack, p.k * pack,
                           p.input_elems * pack, p.weight_elems * pack, p.output_elems * pack)

    def extent(self, dim: str) -> int:
        return {"M": self.problem.m, "N": self.problem.n, "K": self.problem.k}[dim]

    # -- candidate plans ----------------------------------------------------------------
    def plans(self) -> list[Plan]:
        loop_of = LOOP_OF_DIM[self.df]
        dim_of = {v: k for k, v in loop_of.items()}
        stream = self.extent(dim_of["chunk"])
        reduce_loop = loop_of["K"]
        out_tile_per_row = (self.cols if reduce_loop == "row" else self.rows * self.cols)
        chunks = [stream]
        held_chunk = 0
        # With outputs in a memory of their own, holding costs the output tile no room.
        separate_output = self.mem["output"] is not self.mem[self._streamed()]
        if reduce_loop == "row":  # outputs stream: chunk the stream so they fit on chip
            free = self._free_bytes("output", exclude=("output",))
            fit = free * 8 // (out_tile_per_row * self.bits["acc"]) // self.rows * self.rows
            if 0 < fit < stream:
                chunks.append(fit)
            held = self._held_chunk()
            if 0 < held < min(chunks) and self._holding_pays(held, min(chunks)):
                # The streamed operand's chunk held across the column folds. With as
                # many chunks as the accumulator's fit it is that plan with fewer loads.
                if separate_output and (math.ceil(stream / held)
                                        == math.ceil(stream / min(chunks))):
                    chunks.remove(min(chunks))
                chunks.append(held)
                held_chunk = held
        others = ["row", "col", "chunk"]
        others.remove(reduce_loop)
        plans = []
        for chunk in chunks:
            for order in permutations(others):
                plan = self._plan((*order, reduce_loop), chunk)
                # With a single iteration in either loop both orders are the same nest.
                if order != tuple(others) and any(
                        loop.count == 1 for loop in plan.loops if loop.name in others):
                    continue
                # That chunk only pays (with extra fills) when column folds pass inside it.
                if chunk == held_chunk and order[0] != "chunk":
                    continue
                if (separate_output and held_chunk and chunk != held_chunk
                        and order[0] == "chunk" and plan.loops[1].count > 1):
                    continue  # the held chunk is that order's better twin
                plans.append(plan)
        return plans

    def _plan(self, order: tuple[str, ...], chunk: int) -> Plan:
        dim_of = {v: k for k, v in LOOP_OF_DIM[self.df].items()}
        sizes = {"row": self.rows, "col": self.cols, "chunk": chunk}
        loops = [Loop("g", self.problem.groups, 1, 1)]
        for name in order:
            n = self.extent(dim_of[name])
            size = min(sizes[name], n)
            count = math.ceil(n / size)
            loops.append(Loop(name, count, size, n - (count - 1) * size))
        hold, claimed = self._holding(loops)
        accumulate = self._output_fits(loops, claimed)
        return Plan(self.df, self.rows, self.cols, self.rows, self.pack, self.problem,
                    tuple(loops), hold, {op: level <= 1 for op, level in hold.items()},
                    accumulate, self.mem)

    def _streamed(self) -> str:
        """The input operand that streams (WS: inputs, IS: weights)."""
        loop_of = LOOP_OF_DIM[self.df]
        return next(op for op in ("input", "weight")
                    if "chunk" in {loop_of[d] for d in OPERAND_DIMS[op]})

    def _held_chunk(self) -> int:
        """Largest chunk (whole blocks) whose slice of the streamed input operand, over
        the whole reduction, fits its memory beside one column fold of the other operand
        (its slice over the whole reduction) and the working sets, and beside the
        chunk's accumulated outputs when they share that memory."""
        streamed = self._streamed()
        other = "weight" if streamed == "input" else "input"
        reduction = self.extent("K")
        other_slice = bytes_of(reduction * self.cols * self._ratio(other), self.bits[other])
        free = self._free_bytes(streamed, exclude=(streamed,))
        if self.mem[other] is self.mem[streamed]:
            free -= other_slice
        per_row = reduction * self._ratio(streamed) * self.bits[streamed] / 8
        if self.mem["output"] is self.mem[streamed]:
            per_row += self.cols * self.bits["acc"] / 8
        return int(max(0, free) // max(per_row, 1e-9)) // self.rows * self.rows

    def _holding_pays(self, chunk: int, stream: int) -> bool:
        """Whether holding chunks of the streamed operand across the column folds can
        win: the fills the extra chunks (over chunks of `stream`) add to every fold
        against the DRAM time of the re-reads it saves (the whole streamed operand once
        per further column fold)."""
        loop_of = LOOP_OF_DIM[self.df]
        dim_of = {v: k for k, v in loop_of.items()}
        streamed = self._streamed()
        folds = (math.ceil(self.extent(dim_of["row"]) / self.rows)
                 * math.ceil(self.extent(dim_of["col"]) / self.cols))
        extra_fills = (math.ceil(self.extent(dim_of["chunk"]) / chunk)
                       - math.ceil(self.extent(dim_of["chunk"]) / stream)) * folds * fold_fill_cycles(
            self.df, self.rows, self.cols)
        _, dma = dma_channel(self.acc, self.mem[streamed], store=False)
        col_folds = math.ceil(self.extent(dim_of["col"]) / self.cols)
        saved = (col_folds - 1) * dma.cycles(self._operand_bytes(streamed))
        return extra_fills < saved

    def _ratio(self, operand: str) -> float:
        """Unique elements per element of the operand's GEMM matrix (im2col repeats)."""
        p = self.problem
        dims = math.prod(self.extent(d) for d in OPERAND_DIMS[operand])
        return {"input": p.input_elems, "weight": p.weight_elems,
                "output": p.output_elems}[operand] / dims

    def _slice_bytes(self, operand: str, loops: list[Loop], level: int) -> int:
        """Bytes of the operand the loops from `level` inward cover (one group)."""
        loop_of = LOOP_OF_DIM[self.df]
        position = {loop.name: i for i, loop in enumerate(loops)}
        elems = 1
        for dim in OPERAND_DIMS[operand]:
            loop = loops[position[loop_of[dim]]]
            elems *= self.extent(dim) if position[loop.name] >= level else loop.size
        return bytes_of(elems * self._ratio(operand), self.bits[operand])

    def _operand_bytes(self, operand: str) -> int:
        p = self.problem
        elems = {"input": p.input_elems, "weight": p.weight_elems,
                 "output": p.output_elems}[operand]
        return bytes_of(elems, self.bits[operand])

    def _working_set(self, operand: str) -> int:
        """Bytes an operand needs on chip when it is not resident: two fold tiles or two
        blocks of R stream rows (double buffering)."""
        loop_of = LOOP_OF_DIM[self.df]
        tile = 1
        for dim in OPERAND_DIMS[operand]:
            tile *= self.cols if loop_of[dim] == "col" else self.rows
        bits = self.bits["acc" if operand == "output" else operand]
        return bytes_of(tile * STREAM_BUFFERS, bits)

    def _free_bytes(self, operand: str, exclude: tuple[str, ...] = ()) -> int:
        mem = self.mem[operand]
        used = sum(self._working_set(o) for o in ("input", "weight", "output")
                   if self.mem[o] is mem and o not in exclude)
        return max(0, mem.usable_bytes - used)

    def _holding(self, loops: list[Loop]) -> tuple[dict[str, int], dict[str, int]]:
        """Per operand the loop level to hold it from: the fewest loads among the levels
        whose slice fits, the smallest slice among those (weights choose first: they are
        reused the most); and the bytes the held slices claim per memory. The innermost
        level (one fold tile, in the working set) always fits and claims nothing more."""
        hold: dict[str, int] = {}
        claimed: dict[str, int] = {}
        loop_of = LOOP_OF_DIM[self.df]
        for operand in ("weight", "input"):
            mem = self.mem[operand]
            free = self._free_bytes(operand, exclude=(operand,)) - claimed.get(mem.name, 0)
            mine = {loop_of[d] for d in OPERAND_DIMS[operand]} | {"g"}
            best = (loading_folds(loops, mine, len(loops)), len(loops), 0)
            for level in range(len(loops) - 1, -1, -1):
                size = self._slice_bytes(operand, loops, level)
                if size > free:
                    break  # outer levels hold more
                loads = loading_folds(loops, mine, level)
                if loads < best[0]:
                    best = (loads, level, size)
            hold[operand] = best[1]
            claimed[mem.name] = claimed.get(mem.name, 0) + best[2]
        return hold, claimed

    def _output_fits(self, loops: list[Loop], claimed: dict[str, int]) -> bool:
        sizes = {loop.name: loop.size for loop in loops}
        loop_of = LOOP_OF_DIM[self.df]
        tile = math.prod(sizes[loop_of[d]] for d in OPERAND_DIMS["output"])
        mem = self.mem["output"]
        free = self._free_bytes("output", exclude=("output",)) - claimed.get(mem.name, 0)
        return bytes_of(tile, self.bits["acc"]) <= free


class KernelBuilder:
    """Turns a Plan into the loop kernel (tree of Repeat nodes over block bodies)."""

    def __init__(self, plan: Plan, acc: Accelerator, layout: PortLayout | None = None,
                 shared_bodies: dict[tuple, Body] | None = None) -> None:
        self.plan = plan
        # Bodies of other candidate plans of the same problem on the same accelerator:
        # a body is fixed by its extents, what it loads and stores (the fold key, which
        # already reflects the plan's holding and accumulation) and the plan's
        # accumulation choice.
        self.shared_bodies = {} if shared_bodies is None else shared_bodies
        self.plan_key = (plan.accumulate,)
        self.acc = acc
        self.layout = layout or port_layout(acc)
        # Per operand: its bank group and the DMA channels that fill and drain it.
        self.group = {op: self.layout.group(plan.mem[op], Operand(op))
                      for op in ("input", "weight", "output")}
        self.fill_dma = {op: dma_channel(acc, plan.mem[op], store=False)
                         for op in ("input", "weight")}
        self.drain_dma = dma_channel(acc, plan.mem["output"], store=True)
        c = acc.compute
        self.bits = {"input": c.precision.input_bits, "weight": c.precision.weight_bits,
                     "output": c.precision.output_bits, "acc": c.precision.accumulator_bits}
        self.fill = fold_fill_cycles(plan.dataflow, plan.rows, plan.cols)
        self.pipeline = c.pipeline_depth_cycles
        self.loop_of = LOOP_OF_DIM[plan.dataflow]
        self.reduce_loop = self.loop_of["K"]
        p = plan.problem
        self.ratio = {"input": p.input_elems / (p.m * p.k), "weight": p.weight_elems / (p.k * p.n),
                      "output": p.output_elems / (p.m * p.n)}
        self.loops_of = {op: {self.loop_of[d] for d in dims} | {"g"}
                         for op, dims in OPERAND_DIMS.items()}
        self.bodies: list[Body] = []
        self.body_ids: dict[tuple, int] = {}
        self.fold_nodes: dict[tuple, tuple[Node, ...]] = {}

    def build(self) -> LoopKernel:
        root = self._level(0, ())
        q = self.acc.queues
        rings = tuple(self._ring_size(op) for op in ("input", "weight", "output"))
        return LoopKernel(self.bodies, root, (q.load, q.store, q.execute), rings, {},
                          macs=self.plan.problem.macs, unit_names=unit_names(self.acc),
                          port_names=self.layout.names)

    def _ring_size(self, operand: str) -> int:
        """Blocks of a streamed operand the memory's usable half holds (2..MAX_RING):
        how far loads may run ahead of the array (or stores lag behind it)."""
        if "chunk" not in self.loops_of[operand]:
            return STREAM_BUFFERS
        plan = self.plan
        ext = {loop.name: loop.size for loop in plan.loops}
        bits = self.bits["acc" if operand == "output" else operand]
        block = bytes_of(self._elems(operand, ext, plan.block), bits)
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

    def _loads(self, operand: str, ctx: tuple[tuple[bool, bool], ...]) -> bool:
        return loads_tile(self.plan.loops, self.loops_of[operand], self.plan.hold[operand],
                          ctx)

    def _fold(self, ctx: tuple[tuple[bool, bool], ...]) -> tuple[Node, ...]:
        ext = {loop.name: (loop.last_size if last else loop.size)
               for loop, (_, last) in zip(self.plan.loops, ctx)}
        reduce_last = next(last for loop, (_, last) in zip(self.plan.loops, ctx)
                           if loop.name == self.reduce_loop)
        store = reduce_last or not self.plan.accumulate
        key = (tuple(sorted(ext.items())), self._loads("input", ctx),
               self._loads("weight", ctx), store, all(f for f, _ in ctx),
               any(not f for loop, (f, _) in zip(self.plan.loops, ctx)
                   if loop.name == self.reduce_loop))
        known = self.fold_nodes.get(key)
        if known is not None:  # the same fold again: share its nodes (and their analysis)
            return known
        stream = ext["chunk"]
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

    def _elems(self, operand: str, ext: dict[str, int], b: int) -> int:
        n = 1
        for d in OPERAND_DIMS[operand]:
            name = self.loop_of[d]
            n *= b if name == "chunk" else ext[name]
        return n

    def _body(self, key: tuple, ext: dict[str, int], b: int, first: bool, last: bool) -> int:
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
        for operand, loading in (("weight", load_w), ("input", load_in)):
            streamed = "chunk" in self.loops_of[operand]
            mem = plan.mem[operand]
            group = self.group[operand]
            raw = self._elems(operand, ext, b if streamed else 1)
            read_bytes = bytes_of(raw, self.bits[operand]) if (streamed or first) else 0
            array_reads.append(group.use(write=False, nbytes=read_bytes))
            if streamed:  # the stream cannot outrun its banks (a preload hides in the fill)
                occupancy = max(occupancy, group.cycles(write=False, nbytes=read_bytes))
            reads.append(REG_OF[operand])
            count(sram_r, mem, read_bytes)
            if not loading or not (streamed or first):
                if loading and not streamed and last:
                    releases.append(RING_OF[operand])
                continue
            nbytes = bytes_of(raw * self.ratio[operand], self.bits[operand])
            unit, dma = self.fill_dma[operand]
            occ = dma.cycles(nbytes)
            # The fill reaches the banks as its data arrives: its last writes end when
            # the transfer does (after the DRAM round trip).
            fill_ports = group.cycles(write=True, nbytes=nbytes)
            port = group.use(write=True, nbytes=nbytes,
                             offset=max(0, dma.latency_cycles + occ - fill_ports))
            instrs.append(Instr(f"load_{operand}", LOAD_Q, unit, occ,
                                dma.latency_cycles, writes=REG_OF[operand],
                                acquire=(RING_OF[operand],), dram_read_bytes=nbytes,
                                ports=merge_uses([port])))
            count(sram_w, mem, nbytes)
            if streamed or last:
                releases.append(RING_OF[operand])

        out_streamed = "chunk" in self.loops_of["output"]
        out_mem = plan.mem["output"]
        out_group = self.group["output"]
        out_elems = self._elems("output", ext, b if out_streamed else 1)
        acc_bytes = bytes_of(out_elems, self.bits["acc"])
        writes_out = out_streamed or last
        out_cycles = out_group.cycles(write=True, nbytes=acc_bytes) if writes_out else 0
        occupancy = max(occupancy, out_cycles)
        if first:
            occupancy += self.fill - (1 if layer_first else 0)
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
        if store and writes_out:
            nbytes = bytes_of(out_elems * self.ratio["output"], self.bits["output"])
            count(sram_r, out_mem, acc_bytes)
            unit, dma = self.drain_dma
            instrs.append(Instr("store_output", STORE_Q, unit, dma.cycles(nbytes),
                                dma.latency_cycles, reads=(REG_COMPUTE,),
                                release=(RING_OUTPUT,), dram_write_bytes=nbytes,
                                ports=merge_uses([out_group.use(write=False,
                                                                nbytes=acc_bytes)])))
        label = ("first " if first else "") + ("last " if last else "") + "block"
        body = self.shared_bodies[(self.plan_key, full_key)] = Body(label, tuple(instrs),
                                                                    sram_r, sram_w)
        self.bodies.append(body)
        self.body_ids[full_key] = len(self.bodies) - 1
        return self.body_ids[full_key]


def loads_tile(loops: tuple[Loop, ...] | list[Loop], mine: set[str], level: int,
               ctx: tuple[tuple[bool, bool], ...]) -> bool:
    """Whether a fold (`ctx`: per loop, at its first / last index) loads its tile of an
    operand indexed by the loops `mine` and held from loop `level` inward: not when the
    tile is part of the held slice and was already used in it (a loop from the hold
    level inward that does not index it is past its first index), nor when the slice
    carried over unchanged (the loop that advanced is outside the slice, does not index
    the operand, and no loop between it and the slice does)."""
    if any(not first for loop, (first, _) in zip(loops[level:], ctx[level:])
           if loop.name not in mine):
        return False
    advanced = max((i for i, (first, _) in enumerate(ctx) if not first), default=-1)
    if advanced < 0 or advanced >= level:
        return advanced < 0 or loops[advanced].name in mine
    if loops[advanced].name in mine:
        return True
    return any(loop.count > 1 and loop.name in mine for loop in loops[advanced + 1:level])


def loading_folds(loops: list[Loop], mine: set[str], level: int) -> int:
    """How many folds of the nest load their tile (first, middle and last indices of
    each loop as classes, weighted by how often they occur)."""
    return _loading_folds(tuple(loops), frozenset(mine), level)


@lru_cache(maxsize=4096)
def _loading_folds(loops: tuple[Loop, ...], mine: frozenset[str], level: int) -> int:
    def walk(depth: int, ctx: tuple[tuple[bool, bool], ...]) -> int:
        if depth == len(loops):
            return int(loads_tile(loops, mine, level, ctx))
        count = loops[depth].count
        if count == 1:
            return walk(depth + 1, (*ctx, (True, True)))
        total = walk(depth + 1, (*ctx, (True, False))) + walk(depth + 1, (*ctx, (False, True)))
        if count > 2:
            total += (count - 2) * walk(depth + 1, (*ctx, (False, False)))
        return total

    return walk(0, ())


def plan_report(plan: Plan) -> dict:
    loops = {loop.name: loop for loop in plan.loops}
    dim_of = {v: k for k, v in LOOP_OF_DIM[plan.dataflow].items()}
    p = plan.problem
    ext = {"row": getattr(p, dim_of["row"].lower()), "col": getattr(p, dim_of["col"].lower())}
    util = (ext["row"] / (loops["row"].count * plan.rows)) * (
        ext["col"] / (loops["col"].count * plan.cols))
    return {
        "dataflow": plan.dataflow.value,
        "array": f"{plan.rows}x{plan.cols}",
        "rows_dim": dim_of["row"], "cols_dim": dim_of["col"], "stream_dim": dim_of["chunk"],
        "gemm": {"groups": p.groups, "M": p.m, "N": p.n, "K": p.k},
        "groups_packed": plan.pack,
        "folds": {"rows": loops["row"].count, "cols": loops["col"].count},
        "tiles": {"rows": loops["row"].size, "cols": loops["col"].size,
                  "stream_chunk": loops["chunk"].size, "block": plan.block},
        "order": [loop.name for loop in plan.loops],
        "resident": dict(plan.resident),
        "held_from": {op: [loop.name for loop in plan.loops[level:]] or ["fold"]
                      for op, level in plan.hold.items()},
        "accumulate_on_chip": plan.accumulate,
        "spatial_utilisation": round(util, 6),
    }


def map_gemm(problem: GemmProblem, acc: Accelerator,
             memo: LoopMemo | None = None) -> LoopKernel:
    """The fastest candidate plan by its periodic schedule (the depgraph evaluation,
    kept on the kernel for reuse). Candidates are tried in order of their busiest unit's
    occupancy, a lower bound on cycles, and the search stops when that bound cannot win."""
    from explorer.mapping.schedule import schedule, schedule_within

    mapper = GemmMapper(problem, acc)
    layout = port_layout(acc)
    memo = memo if memo is not None else LoopMemo()  # candidates share inner loops
    candidates = []
    bodies: dict[tuple, Body] = {}
    for order, plan in enumerate(mapper.plans()):
        kernel = KernelBuilder(plan, acc, layout, bodies).build()
        # On equal bounds, plans that keep partial sums on chip first: spilling them
        # costs DRAM round trips the bound does not see, so they rarely win, and once a
        # good plan is known the others are abandoned early (schedule_within).
        candidates.append((_busy_bound(kernel), not plan.accumulate, order, kernel, plan))
    candidates.sort(key=lambda c: c[:3])
    best = None
    for bound, _, _, kernel, plan in candidates:
        if best is not None and bound >= best[0]:
            break
        # A candidate is dropped as soon as its schedule reaches the best cycles so far.
        result = (schedule(kernel, periodic=True, memo=memo) if best is None
                  else schedule_within(kernel, best[0], memo))
        if result is not None and (best is None or result.cycles < best[0]):
            kernel.periodic_result = result
            best = (result.cycles, kernel, plan)
    assert best is not None
    _, kernel, plan = best
    kernel.mapping = plan_report(plan)
    kernel.mapping["memory_ports"] = layout.report()
    kernel.macs = problem.macs  # useful MACs: packing pads the diagonal with zeros
    return kernel


def _busy_bound(kernel: LoopKernel) -> int:
    """Busiest unit's total occupancy: a lower bound on cycles, cheap to compute."""
    per_body = []
    for body in kernel.bodies:
        busy = [0] * len(kernel.unit_names)
        for ins in body.instrs:
            busy[ins.unit] += ins.occupancy_cycles
        per_body.append(busy)

    def total(nodes: tuple[Node, ...]) -> list[int]:
        busy = [0] * len(kernel.unit_names)
        for node in nodes:
            if isinstance(node, Repeat):
                inner = total(node.children)
                busy = [b + node.count * i for b, i in zip(busy, inner)]
            else:
                busy = [b + i for b, i in zip(busy, per_body[node])]
        return busy

    return max(total(kernel.root))
