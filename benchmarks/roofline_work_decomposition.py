"""Which roofline figures the one work decomposition (issue 9 §4) changes, and why.

Before, the roofline models charged every layer `macs / peak + other_ops / lanes` and its
whole traffic; now they cost the work the kernel estimators map (mapping/problem.py
`work_of`). Per network × library accelerator × roofline model this writes the total
cycles under both rules and splits the difference by reason:

- `output_path_free`: element-wise work of array layers (bias, requantisation, fused
  batch norm / activation / residual add) is free in the output path
  (`compute.fused_elementwise_free`, default true, as `simulate`/`depgraph` always had it);
- `views_move_no_data`: Reshape, Flatten, Concat, ... cost no traffic (as in the kernel
  estimators);
- `vector_layers_with_macs`: layers the array does not run (RNNs, unmodelled ops with
  MACs) put their MACs on the vector unit (2 ops each), as the kernel estimators do.

    .venv/bin/python benchmarks/roofline_work_decomposition.py
writes docs/validation/roofline_work_decomposition.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_result  # noqa: E402

from explorer.estimators.registry import make_estimator  # noqa: E402
from explorer.estimators.roofline import spatial_efficiency  # noqa: E402
from explorer.hardware.library import library_names, load_accelerator  # noqa: E402
from explorer.mapping.problem import ProblemKind, problem_for  # noqa: E402
from explorer.workload import load_network  # noqa: E402
from explorer.workload.zoo import ZOO_NAMES  # noqa: E402

MODELS = ("roofline", "refined-roofline")


def old_cycles(layer, acc, refined: bool) -> float:
    """The rule before the decomposition (roofline.py at the engine-split commit)."""
    c, p = acc.compute, acc.compute.precision
    array = layer.macs / c.peak_macs_per_cycle
    if refined:
        array /= spatial_efficiency(layer, acc, 1.0)
    compute = array + layer.other_ops / c.vector_lanes
    traffic = layer.bytes_moved(act_bits=p.input_bits, weight_bits=p.weight_bits)
    return max(compute, traffic / acc.offchip.bandwidth_bytes_per_cycle)


def reason(layer) -> str:
    kind = problem_for(layer).kind
    if kind is ProblemKind.GEMM:
        return "output_path_free"
    if kind is ProblemKind.FREE:
        return "views_move_no_data"
    return "vector_layers_with_macs"


def main() -> int:
    cases = []
    changed = 0
    for net_name in ZOO_NAMES:
        network = load_network(net_name)
        for arch in library_names():
            acc = load_accelerator(arch)
            for model in MODELS:
                result = make_estimator(model).estimate(network, acc)
                by_name = {layer.name: layer for layer in result.network.layers}
                delta: dict[str, float] = {}
                layers_changed: dict[str, int] = {}
                old_total = 0.0
                for estimate in result.layers:
                    layer = by_name[estimate.name]
                    old = old_cycles(layer, acc, model == "refined-roofline")
                    old_total += old
                    if abs(old - estimate.cycles) > 1e-9 * max(1.0, old):
                        why = reason(layer)
                        delta[why] = delta.get(why, 0.0) + estimate.cycles - old
                        layers_changed[why] = layers_changed.get(why, 0) + 1
                new_total = result.cycles
                changed += bool(delta)
                cases.append({"network": net_name, "accelerator": arch, "model": model,
                              "cycles_before": old_total, "cycles_after": new_total,
                              "relative_change": (new_total - old_total) / old_total
                              if old_total else None,
                              "cycles_change_by_reason": delta,
                              "layers_changed_by_reason": layers_changed})
                print(f"{net_name:>13} {arch:>12} {model:>16}: {old_total:14,.0f} -> "
                      f"{new_total:14,.0f} ({cases[-1]['relative_change']:+.2%}) "
                      f"{layers_changed}", flush=True)
    path = write_result("roofline_work_decomposition", {
        "description": "roofline and refined-roofline total cycles before and after the one "
                       "work decomposition (issue 9 §4), with the change split by reason",
        "command": "python benchmarks/roofline_work_decomposition.py",
        "cases_changed": changed, "cases": cases})
    print(f"{changed} of {len(cases)} cases changed; wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
