"""The timing engine: what a loop kernel is and how it is timed, apart from how a layer
is mapped (explorer.mapping, above this package).

- kernel.py: the loop kernel (instructions, dependencies, units, queues, buffer rings);
- resources.py: an accelerator resolved once into units, DMA channels, port layout,
  bit widths and queue depths;
- ports.py: memory banks and ports as resources; timing.py: DMA and array timing;
- schedule.py: the max-plus list scheduler, exhaustive (`simulate`) or periodic
  (`depgraph`), and `periodic_cost`, the mappers' cost function;
- loop_memo.py: evaluated loops shared by content across kernels.
"""
