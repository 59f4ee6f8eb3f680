"""The hypervolume benchmark on a harder space (issue 11 §3): six parameters instead of
three, so that 10 % of the grid is a sparse sample and a search has to find the front
rather than stumble on it. Writes docs/validation/explore_hard.json.

Space: squeezenet on `systolic`, estimator depgraph, objectives latency, energy, area;
compute.pe_rows and compute.pe_cols in 4…128 (×2: 6 values each), dataflow ws/os/is, and
the ifmap, filter and ofmap SRAMs each 8, 32, 128 or 512 KiB: 6 × 6 × 3 × 4 × 4 × 4 =
6,912 designs. Method as in explore_hypervolume.py (the grid through `explorer.explore`,
each strategy's ask/tell loop answered from it, 5 seeds, 10 % of the evaluations), with
the hypervolume also computed on log-scaled objectives.

    PYTHONPATH=. .venv/bin/python benchmarks/explore_hypervolume_hard.py [--grid FILE.h5]
        [--workers N] [--stored-grid]

The committed figures: the grid was evaluated by the dse branch before the merge of main
at f956891 (depgraph as of 86883c3 plus this branch) and read back with --stored-grid.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from benchmarks.explore_hypervolume import measure  # noqa: E402

PARAMS = ["compute.pe_rows=4:128:2:log", "compute.pe_cols=4:128:2:log",
          "compute.dataflow=ws,os,is",
          "memories.ifmap_sram.size_bytes=8KiB:512KiB:4:log",
          "memories.filter_sram.size_bytes=8KiB:512KiB:4:log",
          "memories.ofmap_sram.size_bytes=8KiB:512KiB:4:log"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grid", help="the grid's exploration file (kept, resumable)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--stored-grid", action="store_true",
                        help="read a finished --grid file as it is, evaluating nothing")
    args = parser.parse_args()
    measure("explore_hard", "squeezenet", "systolic", PARAMS, args.grid,
            workers=args.workers, stored_grid=args.stored_grid,
            note="the harder space of issue 11 §3: on the first space (512 designs) "
                 "random sampling already reached 0.98 (docs/validation/explore.json)")


if __name__ == "__main__":
    main()
