"""Mapping layers onto an accelerator: tiling, spatial unrolling and loop kernels.

- problem.py: what a layer is to the hardware (GEMM by im2col, vector work, a copy, or a
  view that costs nothing);
- gemm.py / vector.py: the mappers (tiles, loop order, unrolling per dataflow) that build
  a loop kernel of instructions with dependencies and resources (kernel.py);
- ports.py: memory banks and ports as resources (structural hazards of the memories);
- schedule.py: the timing semantics, executed exhaustively (`simulate`) or until periodic
  (`depgraph`); loop_memo.py: evaluated loops shared by content across kernels;
- mapper.py: `map_layer(layer, accelerator)`, the entry point.
"""

from explorer.mapping.mapper import map_layer, map_problem

__all__ = ["map_layer", "map_problem"]
