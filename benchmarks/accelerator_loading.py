"""Cost of reading accelerator descriptions: loading each library entry (YAML parse +
schema validation) and applying `--set` overrides (done once per point of a sweep).
Writes docs/validation/accelerator_loading.json.

    .venv/bin/python benchmarks/accelerator_loading.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import timed, write_result  # noqa: E402

OVERRIDES = ["compute.pe_rows=64", "compute.dataflow=os",
             "memories.ifmap_sram.size_bytes=256KiB"]


def main() -> None:
    import yaml

    from explorer.hardware.library import library_names, load_accelerator
    from explorer.hardware.overrides import apply_overrides

    loads = {}
    for name in library_names():
        result = timed(lambda name=name: load_accelerator(name), repeats=50)
        loads[name] = {"min_s": result["min_s"], "median_s": result["median_s"]}
    systolic = load_accelerator("systolic")
    override = timed(lambda: apply_overrides(systolic, OVERRIDES), repeats=200)
    path = write_result("accelerator_loading", {
        "libyaml": bool(yaml.__with_libyaml__),
        "load_accelerator": loads,
        "apply_overrides": {"assignments": OVERRIDES, "min_s": override["min_s"],
                            "median_s": override["median_s"]},
    })
    worst = max(v["median_s"] for v in loads.values())
    print(f"load_accelerator: worst median {worst * 1e3:.2f} ms over {len(loads)} entries; "
          f"apply_overrides (3 assignments): median {override['median_s'] * 1e3:.2f} ms")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
