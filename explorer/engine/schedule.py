"""List scheduling of a loop kernel: the timing semantics shared by `simulate` and
`depgraph`.

Each instruction enters its queue in program order once a queue slot is free (a slot is
held until the instruction has left its unit; DRAM latency is then covered by requests in
flight), starts when its queue's previous instruction has
started, its unit is free, the registers it reads are ready, the buffer slots it
acquires have been released and each memory port it uses is free by the time it needs
it (ports.py: banks, read/write or shared ports), occupies its unit for
`occupancy_cycles`, holds each port for its accesses, and completes `latency_cycles`
later (or when its last port access plus the memory's latency is done). All times are
integers and every rule is made of `max` and `+`,
so the schedule is shift-invariant: two states that differ only by a constant offset
evolve identically. `depgraph` uses exactly that to skip ahead once the iterations of a
loop have become periodic; `simulate` executes everything.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain

from explorer.engine.kernel import N_REGS, LoopKernel, Node, Repeat
from explorer.engine.loop_memo import KernelNames, LoopMemo
from explorer.errors import Cancelled

MAX_PERIOD = 8  # longest iteration period depgraph looks for
CANCEL_CHECK_BODIES = 1 << 14


@dataclass
class ScheduleResult:
    cycles: int
    body_counts: list[int]
    bodies_evaluated: int
    unit_busy_cycles: dict[str, int] = field(default_factory=dict)
    instructions: int = 0
    iterations_total: int = 0
    dram_read_bytes: int = 0
    dram_write_bytes: int = 0
    # What the estimators derive from the counts once (energy counts), kept with the
    # schedule so that a cached schedule does not recount them.
    derived: dict = field(default_factory=dict, compare=False, repr=False)


class Scheduler:
    def __init__(self, kernel: LoopKernel, *, cancel: Callable[[], bool] | None = None,
                 limit: int | None = None, memo: LoopMemo | None = None) -> None:
        self.kernel = kernel
        self.code = [b.code for b in kernel.bodies]
        self.t_issue = 0
        self.t_end = 0
        self.unit_free = [0] * len(kernel.unit_names)
        self.port_free = [0] * len(kernel.port_names)
        self.queue_slots = [deque([0] * d) for d in kernel.queue_depths]
        self.queue_start = [0] * len(kernel.queue_depths)
        self.regs = [0] * N_REGS
        self.rings = [deque([0] * n) for n in kernel.ring_sizes]
        self.body_counts = [0] * len(kernel.bodies)
        self.evaluated = 0
        self.cancel = cancel
        self.memo = memo
        self._names: KernelNames | None = None
        self._index_in: dict[int, dict[int, int]] = {}
        self._bodies_under: dict[int, tuple[int, ...]] = {}
        self.limit = limit

    # -- one iteration ---------------------------------------------------------------
    def run_body(self, index: int) -> None:
        t_issue, t_end = self.t_issue, self.t_end
        unit_free, slots_of, queue_start = self.unit_free, self.queue_slots, self.queue_start
        regs, rings, port_free = self.regs, self.rings, self.port_free
        for (queue, unit, occupancy, latency, reads, writes, acquire, release,
             ports, choose) in self.code[index]:
            slots = slots_of[queue]
            entry = slots.popleft()
            if entry < t_issue:
                entry = t_issue
            start = queue_start[queue]
            if start < entry:
                start = entry
            if unit_free[unit] > start:
                start = unit_free[unit]
            for reg in reads:
                if regs[reg] > start:
                    start = regs[reg]
            for ring in acquire:
                freed = rings[ring].popleft()
                if freed > start:
                    start = freed
            if ports:
                if choose:
                    ports = _choose_ports(ports, port_free, t_issue)
                for port, offset, _, _ in ports:
                    if port_free[port] - offset > start:
                        start = port_free[port] - offset
            done = start + occupancy
            unit_free[unit] = done
            finish = done + latency
            if ports:
                for port, offset, held, after in ports:
                    end = start + offset + held
                    port_free[port] = end
                    if end + after > finish:
                        finish = end + after
            queue_start[queue] = start
            slots.append(done)  # the slot frees once the unit has issued it
            if writes >= 0:
                regs[writes] = finish
            for ring in release:  # a buffer is free once the unit has read or written it
                rings[ring].append(done)
            if finish > t_end:
                t_end = finish
            t_issue = entry
        self.t_issue, self.t_end = t_issue, t_end
        self.body_counts[index] += 1
        self.evaluated += 1
        if self.cancel is not None and not self.evaluated % CANCEL_CHECK_BODIES and self.cancel():
            raise Cancelled("simulation cancelled")

    # -- exhaustive execution (simulate) ----------------------------------------------
    def run_all(self, nodes: tuple[Node, ...] | None = None) -> None:
        for node in self.kernel.root if nodes is None else nodes:
            if isinstance(node, Repeat):
                children = node.children
                if len(children) == 1 and not isinstance(children[0], Repeat):
                    body = children[0]
                    for _ in range(node.count):
                        self.run_body(body)
                else:
                    for _ in range(node.count):
                        self.run_all(children)
            else:
                self.run_body(node)

    # -- periodic extrapolation (depgraph) --------------------------------------------
    def snapshot(self) -> tuple[int, ...]:
        """The state relative to the issue front: times at or before it no longer
        constrain anything (every later instruction enters its queue after it). Ring
        lengths come first (they vary inside a fold) and are not times."""
        t = self.t_issue
        values = [*self.unit_free, *self.queue_start, *self.regs, self.t_end, *self.port_free]
        for dq in self.queue_slots:
            values += dq
        for dq in self.rings:
            values += dq
        return (*[len(r) for r in self.rings], *[v - t if v > t else 0 for v in values])

    def restore(self, snap: tuple[int, ...], t_issue: int) -> None:
        """The inverse of `snapshot`, placed at issue front `t_issue`."""
        n_rings = len(self.rings)
        values = [t_issue + v for v in snap[n_rings:]]
        self.t_issue = t_issue
        pos = 0
        for times in (self.unit_free, self.queue_start, self.regs):
            n = len(times)
            times[:] = values[pos:pos + n]
            pos += n
        self.t_end = values[pos]
        pos += 1
        n = len(self.port_free)
        self.port_free[:] = values[pos:pos + n]
        pos += n
        for dq, n in chain(((dq, len(dq)) for dq in self.queue_slots),
                           zip(self.rings, snap[:n_rings])):
            dq.clear()
            dq.extend(values[pos:pos + n])
            pos += n

    def shift(self, delta: int) -> None:
        self.t_issue += delta
        self.t_end += delta
        for times in (self.unit_free, self.queue_start, self.regs, self.port_free):
            times[:] = [v + delta for v in times]
        for dq in chain(self.queue_slots, self.rings):
            shifted = [v + delta for v in dq]
            dq.clear()
            dq.extend(shifted)

    def run_periodic(self, nodes: tuple[Node, ...] | None = None) -> None:
        for node in self.kernel.root if nodes is None else nodes:
            if isinstance(node, Repeat):
                self._repeat_memoised(node)
            else:
                self.run_body(node)
        if self.limit is not None and self.t_end >= self.limit:
            raise _OverLimit

    def _under(self, rep: Repeat) -> tuple[int, ...]:
        """Bodies a loop runs: the only counts its iterations change."""
        under = self._bodies_under.get(id(rep))
        if under is None:
            found: set[int] = set()
            stack: list[Node] = list(rep.children)
            while stack:
                node = stack.pop()
                if isinstance(node, Repeat):
                    stack.extend(node.children)
                else:
                    found.add(node)
            under = self._bodies_under[id(rep)] = tuple(sorted(found))
        return under

    def _repeat_memoised(self, rep: Repeat) -> None:
        """A loop entered again in a state seen before (relative to the issue front)
        ends, by shift-invariance, in the same relative state: reuse it."""
        names = self._names
        if names is None:
            if self.memo is None:
                self.memo = LoopMemo()
            names = self._names = KernelNames(self.kernel, self.memo)
        key = (names.loop_id(rep), self.snapshot())
        body_counts = self.body_counts
        hit = self.memo.get(key)
        if hit is not None:
            after, delta, counts = hit
            self.restore(after, self.t_issue + delta)
            # Counts go to this loop's own bodies, so enclosing loops extrapolate them.
            index_of = self._index_in.get(id(rep))
            if index_of is None:
                under = self._under(rep)
                index_of = self._index_in[id(rep)] = {
                    names.body_ids[i]: i for i in reversed(under)}
            for content_id, n in counts:
                body_counts[index_of[content_id]] += n
            return
        under = self._under(rep)
        before, t0 = [body_counts[i] for i in under], self.t_issue
        self._repeat_periodic(rep, under)
        counts = tuple((names.body_ids[i], body_counts[i] - b)
                       for i, b in zip(under, before) if body_counts[i] != b)
        self.memo.put(key, (self.snapshot(), self.t_issue - t0, counts))

    def _quick_key(self) -> tuple[int, ...]:
        """A few values of the relative state: equal snapshots have equal quick keys, so
        the full snapshot is only taken (and compared) once a quick key repeats."""
        t = self.t_issue
        values = (self.t_end, *self.queue_start)
        return (*[len(r) for r in self.rings], *[v - t if v > t else 0 for v in values])

    def _repeat_periodic(self, rep: Repeat, under: tuple[int, ...]) -> None:
        quick: list[tuple[int, ...]] = []
        states: list[tuple[int, ...] | None] = []
        issues: list[int] = []
        counts: list[list[int]] = []
        body_counts = self.body_counts
        done = 0
        while done < rep.count:
            self.run_periodic(rep.children)
            done += 1
            if done == rep.count:
                break
            key = self._quick_key()
            snap = None
            if key in quick:
                snap = self.snapshot()
                period = next((p for p in range(1, len(states) + 1)
                               if states[-p] is not None and states[-p] == snap), 0)
                if period:
                    periods = (rep.count - done) // period
                    if periods:
                        self._jump(periods, self.t_issue - issues[-period], under,
                                   counts[-period])
                        done += periods * period
                    quick.clear(), states.clear(), issues.clear(), counts.clear()
                    continue
            quick.append(key)
            states.append(snap)
            issues.append(self.t_issue)
            counts.append([body_counts[i] for i in under])
            if len(states) > MAX_PERIOD:
                del quick[0], states[0], issues[0], counts[0]

    def _jump(self, periods: int, delta: int, under: tuple[int, ...],
              counts_before: list[int]) -> None:
        self.shift(periods * delta)
        body_counts = self.body_counts
        for i, before in zip(under, counts_before):
            body_counts[i] += periods * (body_counts[i] - before)
        if self.limit is not None and self.t_end >= self.limit:
            raise _OverLimit

    # -- results ------------------------------------------------------------------------
    def result(self) -> ScheduleResult:
        kernel = self.kernel
        names = kernel.unit_names
        busy = dict.fromkeys(names, 0)
        instructions = reads = writes = 0
        for body, count in zip(kernel.bodies, self.body_counts):
            if not count:
                continue
            instructions += count * len(body.instrs)
            for instr in body.instrs:
                busy[names[instr.unit]] += count * instr.occupancy_cycles
                reads += count * instr.dram_read_bytes
                writes += count * instr.dram_write_bytes
        return ScheduleResult(self.t_end, list(self.body_counts), self.evaluated, busy,
                              instructions, sum(self.body_counts), reads, writes)


def _choose_ports(uses: tuple, port_free: list[int], t_issue: int) -> tuple:
    """For each use, the earliest free of its interchangeable ports (lowest index on a
    tie). Times at or before the issue front count as equal, so the choice depends only
    on the state relative to it, which keeps depgraph's periodic extrapolation exact."""
    chosen = []
    for candidates, offset, held, after in uses:
        best = candidates[0]
        best_free = max(port_free[best], t_issue)
        for port in candidates[1:]:
            free = max(port_free[port], t_issue)
            if free < best_free:
                best, best_free = port, free
        chosen.append((best, offset, held, after))
    return tuple(chosen)


class _OverLimit(Exception):
    """The schedule has already reached the cycles it had to beat."""


def schedule(kernel: LoopKernel, *, periodic: bool,
             cancel: Callable[[], bool] | None = None,
             memo: LoopMemo | None = None) -> ScheduleResult:
    """Exhaustive (`periodic=False`, simulate) or periodic (depgraph; loops' outcomes are
    shared through `memo` when one is given)."""
    scheduler = Scheduler(kernel, cancel=cancel, memo=memo)
    if periodic:
        scheduler.run_periodic()
    else:
        scheduler.run_all()
    return scheduler.result()


def schedule_within(kernel: LoopKernel, limit: int,
                    memo: LoopMemo | None = None) -> ScheduleResult | None:
    """The periodic schedule, or None as soon as it reaches `limit` cycles (the mapper's
    best so far): a losing candidate is abandoned early, the winner is exact."""
    scheduler = Scheduler(kernel, limit=limit, memo=memo)
    try:
        scheduler.run_periodic()
    except _OverLimit:
        return None
    return scheduler.result()


# A mapper's cost function: a candidate kernel's schedule, or None once it reaches `limit`
# cycles (the best so far), so that a losing candidate is abandoned early.
CostFn = Callable[[LoopKernel, "int | None"], "ScheduleResult | None"]


def periodic_cost(memo: LoopMemo | None = None) -> CostFn:
    """The depgraph evaluation as a cost function; candidates share evaluated loops
    through `memo` (a fresh one when none is given)."""
    shared = memo if memo is not None else LoopMemo()

    def cost(kernel: LoopKernel, limit: int | None = None) -> ScheduleResult | None:
        if limit is None:
            return schedule(kernel, periodic=True, memo=shared)
        return schedule_within(kernel, limit, shared)

    return cost
