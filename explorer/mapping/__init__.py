"""Mapping layers onto an accelerator: what a layer is to the hardware, the candidate
plans (tiling, spatial unrolling, loop order) and the loop kernel each plan becomes.

- problem.py: a layer as a GEMM by im2col, vector work, a copy, or a view that costs nothing;
- plans.py: the GEMM plans (tiles, loop order, what stays on chip) per dataflow;
- builder.py: a plan as a loop kernel of instructions (explorer.engine.kernel);
- vector.py: element-wise work and copies on the vector unit;
- gemm.py / mapper.py: the search, `map_layer(layer, accelerator, cost)` returning
  (kernel, plan, cost), the cost function given by the caller.

The timing semantics the kernels are evaluated with live in explorer.engine, below this
package; nothing here imports an estimator.
"""

from explorer.mapping.gemm import Mapped
from explorer.mapping.mapper import map_layer, map_problem

__all__ = ["Mapped", "map_layer", "map_problem"]
