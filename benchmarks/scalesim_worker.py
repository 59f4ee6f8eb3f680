"""Runs SCALE-Sim on one prepared layer and writes its report items as JSON.

Executed by `scalesim_runner.run_layer` with the Python of SCALE-Sim's own virtual
environment, so it may import only the standard library and `scalesim` (never
`explorer`). Usage: python scalesim_worker.py WORKDIR
WORKDIR holds config.cfg, topology.csv and layout.csv; result.json is written there.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time
from pathlib import Path


def run(workdir: Path) -> dict:
    from scalesim.scale_sim import scalesim  # only importable inside SCALE-Sim's venv

    start = time.perf_counter()
    # SCALE-Sim prints progress and warnings on stdout even with verbose=False; keep them
    # out of our output but save them for a post-mortem.
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        sim = scalesim(save_disk_space=True, verbose=False,
                       config=str(workdir / "config.cfg"),
                       topology=str(workdir / "topology.csv"),
                       layout=str(workdir / "layout.csv"),
                       input_type_gemm=False)
        sim.run_scale(top_path=str(workdir / "out"))
        layer = sim.runner.single_layer_sim_object_list[0]
        compute = layer.get_compute_report_items()
        detail = layer.get_detail_report_items()
    wall_s = time.perf_counter() - start
    (workdir / "scalesim_stdout.txt").write_text(chatter.getvalue(), encoding="utf-8")

    from importlib.metadata import version

    return {
        "total_cycles_incl_prefetch": int(compute[0]),
        "total_cycles": int(compute[1]),
        "stall_cycles": int(compute[2]),
        "compute_cycles": int(compute[1]) - int(compute[2]),
        "overall_util_pct": float(compute[3]),
        "mapping_efficiency_pct": float(compute[4]),
        "compute_util_pct": float(compute[5]),
        # Words moved between DRAM and the three SRAMs (1 word = 1 byte in SCALE-Sim).
        "ifmap_dram_reads": int(detail[11]),
        "filter_dram_reads": int(detail[14]),
        "ofmap_dram_writes": int(detail[17]),
        "ifmap_sram_reads": int(detail[2]),
        "filter_sram_reads": int(detail[5]),
        "ofmap_sram_writes": int(detail[8]),
        "wall_s": wall_s,
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "scalesim_version": version("scalesim"),
        "numpy_version": version("numpy"),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: scalesim_worker.py WORKDIR", file=sys.stderr)
        return 2
    workdir = Path(argv[1])
    result = run(workdir)
    (workdir / "result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
