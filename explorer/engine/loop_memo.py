"""Outcomes of loops, addressed by content, shared by every schedule that is given the
same memo (the mapper's candidate plans of one layer; every layer a `depgraph` instance
estimates).

Scheduling is shift-invariant: a loop entered in some state relative to the issue front
ends in a state that depends only on that relative state and on what the loop executes.
So a loop is named by its content (iteration count, and recursively its children, down
to each body's compiled instructions and the counts that are not timing), not by which
kernel it belongs to, and two kernels that share an inner loop (another loop order of
the same layer, another layer with the same tile sizes) reuse its evaluation. The
kernel's resources (numbers of units, ports, queue depths) are part of the name, since
the state vector is laid out by them.
"""

from __future__ import annotations

from explorer.engine.kernel import LoopKernel, Repeat

# Outcomes kept before the memo starts over (an outcome is ~70 ints; ResNet-50 needs ~220).
MAX_ENTRIES = 20_000


class LoopMemo:
    def __init__(self) -> None:
        self._ids: dict[tuple, int] = {}
        self._next_id = 0  # never reused, even after a reset: live names stay unambiguous
        self.outcomes: dict[tuple, tuple[tuple[int, ...], int, tuple[tuple[int, int], ...]]] = {}

    def intern(self, content: tuple) -> int:
        known = self._ids.get(content)
        if known is None:
            known = self._ids[content] = self._next_id
            self._next_id += 1
        return known

    def get(self, key: tuple):
        return self.outcomes.get(key)

    def put(self, key: tuple, outcome: tuple) -> None:
        if len(self.outcomes) >= MAX_ENTRIES:
            self.outcomes.clear()
            self._ids.clear()
        self.outcomes[key] = outcome


class KernelNames:
    """Content ids of one kernel's bodies and loops within a memo."""

    def __init__(self, kernel: LoopKernel, memo: LoopMemo) -> None:
        self.memo = memo
        self.env = memo.intern(("env", len(kernel.unit_names), len(kernel.port_names),
                                kernel.queue_depths))
        # Bodies with equal content share an id: a reused outcome's counts go to any one
        # of them inside the loop being reused (the scheduler picks it).
        self.body_ids = [memo.intern(("body", b.content)) for b in kernel.bodies]
        self._loop_ids: dict[int, int] = {}

    def loop_id(self, rep: Repeat) -> int:
        known = self._loop_ids.get(id(rep))
        if known is None:
            children = tuple(self.loop_id(c) if isinstance(c, Repeat) else -1 - self.body_ids[c]
                             for c in rep.children)
            known = self._loop_ids[id(rep)] = self.memo.intern(
                ("loop", self.env, rep.count, children))
        return known
