"""Runs ZigZag on one ONNX network with a forced spatial unrolling per layer; writes JSON.

Executed by `benchmarks/zigzag_validation.py` with the Python of ZigZag's own virtual
environment (`.venv-zigzag/`), so it imports only the standard library, PyYAML, onnx and
`zigzag` (never `explorer`). Usage: python zigzag_worker.py JOB.json

JOB.json holds: `onnx` (path), `workdir`, `hardware` (a ZigZag example accelerator name,
e.g. tpu_like), `unlimited_bandwidth_bits` (every memory port's bandwidth is raised to
this, or null to keep the example's), and `layers`: {ONNX node name: {"D1": [[dim, n],
...], "D2": [...]}}, the spatial unrolling forced on each costed layer. The result,
`result.json` in `workdir`, lists per layer ZigZag's latency and its parts.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any


def accelerator_yaml(hardware: str, unlimited_bits: int | None) -> dict[str, Any]:
    """ZigZag's own example description, with every port opened when asked: 'unlimited
    bandwidth' means no memory level can stall the array or slow the on/off-loading."""
    import yaml

    text = resources.files("zigzag").joinpath("inputs", "hardware", f"{hardware}.yaml").read_text()
    data = yaml.safe_load(text)
    if unlimited_bits:
        for memory in data["memories"].values():
            for port in memory["ports"]:
                # bandwidth_min is the transfer granularity: kept, or small register
                # files could no longer be filled; bandwidth_max is the peak per cycle.
                port["bandwidth_max"] = unlimited_bits
    return data


def mapping_yaml(hardware: str, layers: dict[str, dict[str, list]]) -> list[dict[str, Any]]:
    """The example mapping file's entries (default, Add, Pooling: the operand links), with
    one entry per forced layer in front (ZigZag matches entries by layer name first)."""
    import yaml

    text = resources.files("zigzag").joinpath("inputs", "mapping", f"{hardware}.yaml").read_text()
    examples = [e for e in yaml.safe_load(text) if e["name"] in ("default", "Add", "Pooling")]
    links = next(e for e in examples if e["name"] == "default")["memory_operand_links"]
    forced = [{"name": name,
               "spatial_mapping": {axis: [f"{dim}, {n}" for dim, n in unrolls]
                                   for axis, unrolls in spec.items()},
               "memory_operand_links": dict(links)}
              for name, spec in layers.items()]
    return forced + examples


def run(job: dict[str, Any]) -> dict[str, Any]:
    import yaml
    from zigzag.api import get_hardware_performance_zigzag

    workdir = Path(job["workdir"])
    workdir.mkdir(parents=True, exist_ok=True)
    acc_path = workdir / "accelerator.yaml"
    map_path = workdir / "mapping.yaml"
    # Key order matters: ZigZag builds the memory hierarchy in the order listed.
    acc_path.write_text(yaml.safe_dump(accelerator_yaml(job["hardware"],
                                                        job["unlimited_bandwidth_bits"]), sort_keys=False))
    map_path.write_text(yaml.safe_dump(mapping_yaml(job["hardware"], job["layers"]), sort_keys=False))
    # ZigZag reads activation shapes from value_info: give it a shape-inferred copy.
    import onnx

    model = onnx.shape_inference.infer_shapes(onnx.load(job["onnx"]))
    onnx_path = workdir / "inferred.onnx"
    onnx.save(model, str(onnx_path))
    start = time.perf_counter()
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
        _, latency, cmes = get_hardware_performance_zigzag(
            workload=str(onnx_path), accelerator=str(acc_path), mapping=str(map_path),
            opt="latency", dump_folder=str(workdir / "outputs"),
            nb_spatial_mappings_generated=1, loma_show_progress_bar=False)
    wall_s = time.perf_counter() - start
    (workdir / "zigzag_log.txt").write_text(chatter.getvalue(), encoding="utf-8")
    layers = {}
    for cme, _ in cmes[0][1]:
        layer = cme.layer
        layers[layer.name] = {
            "latency_cycles": float(cme.latency_total2),
            "ideal_cycles": float(cme.ideal_cycle),
            "temporal_cycles": float(cme.ideal_temporal_cycle),
            "stall_cycles": float(cme.stall_slack_comb),
            "onloading_cycles": float(cme.data_onloading_cycle),
            "offloading_cycles": float(cme.data_offloading_cycle),
            "systolic_drain_cycles": float(cme.systolic_drain_cycle),
            "macs": int(layer.total_mac_count),
            "spatial_mapping": str(layer.spatial_mapping),
            "energy_pj": float(cme.energy_total),
        }
    from importlib.metadata import version

    return {"zigzag": version("zigzag-dse"), "total_latency_cycles": float(latency),
            "wall_s": wall_s, "layers": layers}


if __name__ == "__main__":
    job_path = Path(sys.argv[1])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    result = run(job)
    (Path(job["workdir"]) / "result.json").write_text(json.dumps(result, indent=1),
                                                      encoding="utf-8")
