"""The area model (explorer/hardware/area.py) against published die areas of library
designs: the model's total at the published node, and the miss (target: within 30 %, or
the miss stated). Writes docs/validation/area.json.

    PYTHONPATH=. .venv/bin/python benchmarks/area_check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import write_result  # noqa: E402
from explorer.hardware.area import TOLERANCE, check_published  # noqa: E402
from explorer.hardware.library import load_accelerator  # noqa: E402


def main() -> None:
    rows = check_published({name: load_accelerator(name)
                            for name in ("tpuv1", "eyeriss", "plasticine")})
    for row in rows:
        verdict = "within 30 %" if row["within_tolerance"] else "MISS"
        print(f"{row['design']:>11}: model {row['model_mm2']:8.2f} mm² vs published "
              f"{row['published_mm2']:7.1f} mm² at {row['node_nm']:g} nm: "
              f"{row['miss']:+.0%} ({verdict})")
    write_result("area", {
        "what": "area model total at the published node vs the published die area",
        "tolerance": TOLERANCE, "designs": rows,
        "note": "the model covers the PE array, vector unit, on-chip SRAMs and DMA only; "
                "published dies also hold I/O, DRAM/PCIe PHYs, control and wiring, so the "
                "model is expected to fall short. Library designs without a verified "
                "published die (gemmini, nvdla_small, systolic, ultratrail) are not checked."})


if __name__ == "__main__":
    main()
