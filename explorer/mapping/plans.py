"""Mapping a GEMM (convolution by im2col, Gemm, MatMul) onto a systolic PE array: the
candidate plans (builder.py turns one into a loop kernel, gemm.py picks the best).

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
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import permutations

from explorer.engine.resources import Resources, resources_of
from explorer.engine.timing import bytes_of, fold_fill_cycles
from explorer.hardware.schema import Accelerator, Dataflow, Memory, Operand, SpatialUnrolling
from explorer.mapping.problem import GemmProblem
from explorer.mapping.unrolling import CHANNELS, IM2COL, PIXELS, channel_folds, pixel_packing


class Dim(StrEnum):
    """The GEMM's dimensions: out[M, N] = in[M, K] · w[K, N]."""

    M = "M"
    N = "N"
    K = "K"


class LoopName(StrEnum):
    G = "g"  # groups
    ROW = "row"  # folds of the dimension on the array's rows
    COL = "col"  # folds of the dimension on its columns
    CHUNK = "chunk"  # chunks of the streamed dimension


INPUT, WEIGHT, OUTPUT = Operand.INPUT, Operand.WEIGHT, Operand.OUTPUT
G, ROW, COL, CHUNK = LoopName.G, LoopName.ROW, LoopName.COL, LoopName.CHUNK

# GEMM dimension -> loop, per dataflow.
LOOP_OF_DIM = {
    Dataflow.WS: {Dim.K: ROW, Dim.N: COL, Dim.M: CHUNK},
    Dataflow.OS: {Dim.M: ROW, Dim.N: COL, Dim.K: CHUNK},
    Dataflow.IS: {Dim.K: ROW, Dim.M: COL, Dim.N: CHUNK},
}
OPERAND_DIMS = {INPUT: (Dim.M, Dim.K), WEIGHT: (Dim.K, Dim.N), OUTPUT: (Dim.M, Dim.N)}
STREAM_BUFFERS = 2  # at least double buffering
MAX_RING = 16  # at most this many blocks of one operand in flight


@dataclass(frozen=True)
class Loop:
    name: LoopName
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
    hold: dict[Operand, int]  # per input operand: loop index from which its slice stays
    resident: dict[Operand, bool]  # hold <= 1 (inside g): the whole operand per group stays
    accumulate: bool
    mem: dict[Operand, Memory]
    unrolling: SpatialUnrolling = IM2COL
    pixels: int = 1  # output pixels packed side by side (the pixels unrolling)


class GemmMapper:
    def __init__(self, problem: GemmProblem, acc: Accelerator | Resources,
                 dataflow: Dataflow | None = None,
                 unrolling: SpatialUnrolling = IM2COL) -> None:
        self.res = resources_of(acc)
        c = self.res.acc.compute
        self.rows, self.cols = c.pe_rows, c.pe_cols
        self.df = dataflow or c.dataflow
        self.bits = self.res.bits
        self.mem = self.res.memory
        self.holding, self.accumulating = c.operand_holding, c.partial_sums_on_chip
        if c.input_im2col_stream:  # every window fetches its pixels: the im2col matrix
            problem = replace(problem, input_elems=problem.m * problem.k)
        self.pack = self._packing(problem)
        problem = self._packed(problem, self.pack)
        self.unrolling, self.pixels = unrolling, 1
        if unrolling is PIXELS:  # p pixels' im2col rows side by side, weights on the diagonal
            self.pixels = p = pixel_packing(problem, self.rows, self.cols)
            problem = replace(problem, m=math.ceil(problem.m / p), n=problem.n * p,
                              k=problem.k * p, taps=1)
        self.problem = problem

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
        return replace(p, groups=math.ceil(p.groups / pack), n=p.n * pack, k=p.k * pack,
                       input_elems=p.input_elems * pack, weight_elems=p.weight_elems * pack,
                       output_elems=p.output_elems * pack)

    def extent(self, dim: Dim) -> int:
        return {Dim.M: self.problem.m, Dim.N: self.problem.n, Dim.K: self.problem.k}[dim]

    def _fold_loop(self, name: LoopName, dim: Dim, size: int) -> Loop:
        """The loop over the folds (or chunks) of `dim` in tiles of up to `size`; with C
        alone on the rows, every kernel-window position folds C on its own."""
        n = self.extent(dim)
        if name is ROW and dim is Dim.K and self.unrolling is CHANNELS and self.problem.taps > 1:
            count, tile = channel_folds(self.problem, self.rows)
            return Loop(name, count, tile, tile)
        size = min(size, n)
        count = math.ceil(n / size)
        return Loop(name, count, size, n - (count - 1) * size)

    def lower_bound(self) -> int:
        """Cycles the array needs at least, in closed form: every fold streams the whole
        streamed dimension, one row per cycle. Cheap, so a candidate unrolling that
        cannot win is dropped before its plans are built."""
        dim_of = {v: k for k, v in LOOP_OF_DIM[self.df].items()}
        folds = (self._fold_loop(ROW, dim_of[ROW], self.rows).count
                 * self._fold_loop(COL, dim_of[COL], self.cols).count)
        return self.problem.groups * folds * self.extent(dim_of[CHUNK])

    # -- candidate plans ----------------------------------------------------------------
    def plans(self) -> list[Plan]:
        loop_of = LOOP_OF_DIM[self.df]
        dim_of = {v: k for k, v in loop_of.items()}
        stream = self.extent(dim_of[CHUNK])
        reduce_loop = loop_of[Dim.K]
        out_tile_per_row = (self.cols if reduce_loop is ROW else self.rows * self.cols)
        chunks = [stream]
        held_chunk = 0
        # With outputs in a memory of their own, holding costs the output tile no room.
        separate_output = self.mem[OUTPUT] is not self.mem[self._streamed()]
        if reduce_loop is ROW and self.holding:  # outputs stream: chunk them to fit on chip
            free = self._free_bytes(OUTPUT, exclude=(OUTPUT,))
            fit = free * 8 // (out_tile_per_row * self.bits.accumulator) // self.rows * self.rows
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
        others = [ROW, COL, CHUNK]
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
                if chunk == held_chunk and order[0] is not CHUNK:
                    continue
                if (separate_output and held_chunk and chunk != held_chunk
                        and order[0] is CHUNK and plan.loops[1].count > 1):
                    continue  # the held chunk is that order's better twin
                plans.append(plan)
        return plans

    def _plan(self, order: tuple[LoopName, ...], chunk: int) -> Plan:
        dim_of = {v: k for k, v in LOOP_OF_DIM[self.df].items()}
        sizes = {ROW: self.rows, COL: self.cols, CHUNK: chunk}
        loops = [Loop(G, self.problem.groups, 1, 1)]
        for name in order:
            loops.append(self._fold_loop(name, dim_of[name], sizes[name]))
        if self.holding:
            hold, claimed = self._holding(loops)
        else:  # every fold loads its own tiles
            hold, claimed = {WEIGHT: len(loops), INPUT: len(loops)}, {}
        accumulate = self.accumulating and self._output_fits(loops, claimed)
        return Plan(self.df, self.rows, self.cols, self.rows, self.pack, self.problem,
                    tuple(loops), hold, {op: level <= 1 for op, level in hold.items()},
                    accumulate, self.mem, self.unrolling, self.pixels)

    def _streamed(self) -> Operand:
        """The input operand that streams (WS: inputs, IS: weights)."""
        loop_of = LOOP_OF_DIM[self.df]
        return next(op for op in (INPUT, WEIGHT)
                    if CHUNK in {loop_of[d] for d in OPERAND_DIMS[op]})

    def _held_chunk(self) -> int:
        """Largest chunk (whole blocks) whose slice of the streamed input operand, over
        the whole reduction, fits its memory beside one column fold of the other operand
        (its slice over the whole reduction) and the working sets, and beside the
        chunk's accumulated outputs when they share that memory."""
        streamed = self._streamed()
        other = WEIGHT if streamed is INPUT else INPUT
        reduction = self.extent(Dim.K)
        other_slice = bytes_of(reduction * self.cols * self._ratio(other), self.bits.of(other))
        free = self._free_bytes(streamed, exclude=(streamed,))
        if self.mem[other] is self.mem[streamed]:
            free -= other_slice
        per_row = reduction * self._ratio(streamed) * self.bits.of(streamed) / 8
        if self.mem[OUTPUT] is self.mem[streamed]:
            per_row += self.cols * self.bits.accumulator / 8
        return int(max(0, free) // max(per_row, 1e-9)) // self.rows * self.rows

    def _holding_pays(self, chunk: int, stream: int) -> bool:
        """Whether holding chunks of the streamed operand across the column folds can
        win: the fills the extra chunks (over chunks of `stream`) add to every fold
        against the DRAM time of the re-reads it saves (the whole streamed operand once
        per further column fold)."""
        loop_of = LOOP_OF_DIM[self.df]
        dim_of = {v: k for k, v in loop_of.items()}
        streamed = self._streamed()
        folds = (math.ceil(self.extent(dim_of[ROW]) / self.rows)
                 * math.ceil(self.extent(dim_of[COL]) / self.cols))
        extra_fills = (math.ceil(self.extent(dim_of[CHUNK]) / chunk)
                       - math.ceil(self.extent(dim_of[CHUNK]) / stream)) * folds * fold_fill_cycles(
            self.df, self.rows, self.cols)
        _, dma = self.res.fill_channel(self.mem[streamed])
        col_folds = math.ceil(self.extent(dim_of[COL]) / self.cols)
        saved = (col_folds - 1) * dma.cycles(self._operand_bytes(streamed))
        return extra_fills < saved

    def _ratio(self, operand: Operand) -> float:
        """Unique elements per element of the operand's GEMM matrix (im2col repeats)."""
        p = self.problem
        dims = math.prod(self.extent(d) for d in OPERAND_DIMS[operand])
        return {INPUT: p.input_elems, WEIGHT: p.weight_elems,
                OUTPUT: p.output_elems}[operand] / dims

    def _slice_bytes(self, operand: Operand, loops: list[Loop], level: int) -> int:
        """Bytes of the operand the loops from `level` inward cover (one group)."""
        loop_of = LOOP_OF_DIM[self.df]
        position = {loop.name: i for i, loop in enumerate(loops)}
        elems = 1
        for dim in OPERAND_DIMS[operand]:
            loop = loops[position[loop_of[dim]]]
            elems *= self.extent(dim) if position[loop.name] >= level else loop.size
        return bytes_of(elems * self._ratio(operand), self.bits.of(operand))

    def _operand_bytes(self, operand: Operand) -> int:
        p = self.problem
        elems = {INPUT: p.input_elems, WEIGHT: p.weight_elems,
                 OUTPUT: p.output_elems}[operand]
        return bytes_of(elems, self.bits.of(operand))

    def _working_set(self, operand: Operand) -> int:
        """Bytes an operand needs on chip when it is not resident: two fold tiles or two
        blocks of R stream rows (double buffering)."""
        loop_of = LOOP_OF_DIM[self.df]
        tile = 1
        for dim in OPERAND_DIMS[operand]:
            tile *= self.cols if loop_of[dim] is COL else self.rows
        return bytes_of(tile * STREAM_BUFFERS, self.bits.on_chip(operand))

    def _free_bytes(self, operand: Operand, exclude: tuple[Operand, ...] = ()) -> int:
        mem = self.mem[operand]
        used = sum(self._working_set(o) for o in Operand
                   if self.mem[o] is mem and o not in exclude)
        return max(0, mem.usable_bytes - used)

    def _holding(self, loops: list[Loop]) -> tuple[dict[Operand, int], dict[str, int]]:
        """Per operand the loop level to hold it from: the fewest loads among the levels
        whose slice fits, the smallest slice among those (weights choose first: they are
        reused the most); and the bytes the held slices claim per memory. The innermost
        level (one fold tile, in the working set) always fits and claims nothing more."""
        hold: dict[Operand, int] = {}
        claimed: dict[str, int] = {}
        loop_of = LOOP_OF_DIM[self.df]
        for operand in (WEIGHT, INPUT):
            mem = self.mem[operand]
            free = self._free_bytes(operand, exclude=(operand,)) - claimed.get(mem.name, 0)
            mine = {loop_of[d] for d in OPERAND_DIMS[operand]} | {G}
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
        tile = math.prod(sizes[loop_of[d]] for d in OPERAND_DIMS[OUTPUT])
        mem = self.mem[OUTPUT]
        free = self._free_bytes(OUTPUT, exclude=(OUTPUT,)) - claimed.get(mem.name, 0)
        return bytes_of(tile, self.bits.accumulator) <= free


def loads_tile(loops: tuple[Loop, ...] | list[Loop], mine: set[LoopName], level: int,
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


def loading_folds(loops: list[Loop], mine: set[LoopName], level: int) -> int:
    """How many folds of the nest load their tile: `loads_tile` summed over every fold.

    In closed form, O(len(loops)). `loads_tile` looks only at whether each loop is at its
    first index, so a fold is a set of loops past their first index (loop i is past it in
    count_i - 1 of its count_i iterations). The sum splits by the innermost such loop a:
    - none: the very first fold, which loads;
    - a outside the held slice (a < level), every loop inside a at its first index:
      loads when loop a indexes the operand or a loop between it and the slice that
      iterates does (otherwise the slice carried over); loops outside a are free;
    - some loops in the slice (>= level) past their first index: loads exactly when all
      of them index the operand (a tile already used in the slice is not loaded again).
    tests/mapping/test_loading_folds.py checks it against the enumeration of every fold."""
    counts = [loop.count for loop in loops]
    total = 1
    outside = 1  # product of the counts of the loops outside loop a
    for a in range(level):
        if loops[a].name in mine or any(
                loop.count > 1 and loop.name in mine for loop in loops[a + 1:level]):
            total += (counts[a] - 1) * outside
        outside *= counts[a]
    in_slice = math.prod(loop.count for loop in loops[level:] if loop.name in mine)
    return total + outside * (in_slice - 1)


def plan_report(plan: Plan) -> dict:
    """What the mapper chose, in plain strings and numbers (for reports, JSON, HDF5)."""
    loops = {loop.name: loop for loop in plan.loops}
    dim_of = {v: k for k, v in LOOP_OF_DIM[plan.dataflow].items()}
    p = plan.problem
    extent = {Dim.M: p.m, Dim.N: p.n, Dim.K: p.k}
    util = (extent[dim_of[ROW]] / (loops[ROW].count * plan.rows)) * (
        extent[dim_of[COL]] / (loops[COL].count * plan.cols)) / plan.pixels
    return {
        "dataflow": plan.dataflow.value,
        "unrolling": plan.unrolling.value, "pixels_packed": plan.pixels,
        "array": f"{plan.rows}x{plan.cols}",
        "rows_dim": dim_of[ROW].value, "cols_dim": dim_of[COL].value,
        "stream_dim": dim_of[CHUNK].value,
        "gemm": {"groups": p.groups, "M": p.m, "N": p.n, "K": p.k},
        "groups_packed": plan.pack,
        "folds": {"rows": loops[ROW].count, "cols": loops[COL].count},
        "tiles": {"rows": loops[ROW].size, "cols": loops[COL].size,
                  "stream_chunk": loops[CHUNK].size, "block": plan.block},
        "order": [loop.name.value for loop in plan.loops],
        "resident": {op.value: held for op, held in plan.resident.items()},
        "held_from": {op.value: [loop.name.value for loop in plan.loops[level:]] or ["fold"]
                      for op, level in plan.hold.items()},
        "accumulate_on_chip": plan.accumulate,
        "spatial_utilisation": round(util, 6),
    }
