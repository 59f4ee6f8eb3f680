"""`simulate`: the instruction-level, transaction-level reference. Every instruction of
every loop-kernel iteration of every layer is executed by the list scheduler
(explorer.engine.schedule): data dependencies, one unit per instruction class, queue
depths, buffer rings, DMA transfers as set-up + bytes / bandwidth at a fixed latency,
memory banks and ports (a DMA fill and the array's reads of one single-ported bank take
turns; explorer.engine.ports), the array's preload, fill and drain as closed-form cycle
counts. No datapath element is stepped cycle by cycle (docs/mapping-assumptions.md).
Slow by design; it is the ground truth `depgraph` is checked against.
"""

from __future__ import annotations

from explorer.estimators.kernel_estimator import KernelEstimator


class Simulate(KernelEstimator):
    name = "simulate"
    description = ("instruction-level, transaction-level reference: executes every "
                   "instruction of every loop-kernel iteration (slow)")
    fast = False
    periodic = False
