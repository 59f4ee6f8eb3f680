"""How much the defaults a scripting user may not notice move the results (docs/api.md).

1. `compute.vector_lanes` (default 16) on a BERT-base-sized encoder (the synthetic one of
   benchmarks/_synthetic_bert.py): the element-wise work of a transformer (Softmax,
   LayerNormalization, Gelu, residual Adds) runs on the vector unit.
2. `clock_hz` with the off-chip bandwidth given per cycle: raising the clock raises the
   bytes per second too, so memory-bound layers speed up with it.

Model outputs, not timings: deterministic on any machine (the load average is recorded
only because every result file records it). Written with the public API
(`explorer.sweep`), so it also shows that API at work.

    python benchmarks/api_defaults.py     # -> docs/validation/api_defaults.json
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import write_result  # noqa: E402
from _synthetic_bert import build  # noqa: E402

import explorer  # noqa: E402

ESTIMATOR = "depgraph"
ARCH = "gemmini"


def vector_lanes() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        bert = explorer.load_network(build(Path(tmp) / "bert.onnx"),
                                     input_shapes={"x": (1, 128, 768)})
    lanes = [4, 16, 64, 256]
    rows = []
    for arch in ("gemmini", "systolic", "tpuv1"):
        acc = explorer.load_accelerator(arch)
        frame = explorer.sweep(bert, acc, {"compute.vector_lanes": lanes},
                               estimator=ESTIMATOR)
        base = explorer.estimate(bert, acc, ESTIMATOR).to_dataframe()
        on_vector = base["mapping"].str.startswith("vector")
        latency = dict(zip(lanes, frame["latency_s"]))
        rows.append({
            "network": "synthetic BERT-base encoder (12 layers, hidden 768, seq 128)",
            "accelerator": arch, "array": f"{acc.compute.pe_rows}x{acc.compute.pe_cols}",
            "vector_lanes_in_description": acc.compute.vector_lanes, "estimator": ESTIMATOR,
            "latency_s_by_vector_lanes": {str(k): v for k, v in latency.items()},
            "vector_unit_share_of_latency": float(base.loc[on_vector, "latency_s"].sum()
                                                  / base["latency_s"].sum()),
            "speed_up_16_to_256_lanes": latency[16] / latency[256],
            "slow_down_16_to_4_lanes": latency[4] / latency[16]})
    return rows


def clock() -> dict:
    acc = explorer.load_accelerator(ARCH)
    clocks = [0.5e9, 1e9, 2e9]
    frame = explorer.sweep("resnet50", acc, {"clock_hz": clocks}, estimator=ESTIMATOR)
    per_cycle = acc.offchip.bandwidth_bytes_per_cycle
    return {"network": "resnet50", "accelerator": ARCH, "estimator": ESTIMATOR,
            "bandwidth_bytes_per_cycle": per_cycle,
            "points": [{"clock_hz": c, "dram_bytes_per_s": per_cycle * c, "latency_s": t,
                        "cycles": n}
                       for c, t, n in zip(clocks, frame["latency_s"], frame["cycles"])]}


def main() -> None:
    data = {"script": "benchmarks/api_defaults.py", "vector_lanes": vector_lanes(),
            "clock": clock()}
    path = write_result("api_defaults", data)
    print(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
