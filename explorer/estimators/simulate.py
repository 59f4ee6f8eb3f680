"""`simulate`: the cycle-level reference. Every instruction of every loop-kernel
iteration of every layer is scheduled (explorer.engine.schedule): data dependencies,
one unit per instruction class, queue depths, buffer rings, DMA latency and bandwidth,
memory banks and ports (a DMA fill and the array's reads of one single-ported bank take
turns; explorer.engine.ports), array fill and drain. Slow by design; it is the ground truth `depgraph` is checked
against.
"""

from __future__ import annotations

from explorer.estimators.kernel_estimator import KernelEstimator


class Simulate(KernelEstimator):
    name = "simulate"
    description = ("cycle-level reference: schedules every instruction of every loop-kernel "
                   "iteration (slow)")
    fast = False
    periodic = False
