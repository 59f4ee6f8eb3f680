"""Per-layer cycles of our estimator against ZigZag 3.9.1 (issue 10 §3), same unrolling.

ZigZag (PyPI `zigzag-dse`, an analytical DSE framework from KU Leuven) runs in its own
virtual environment (`.venv-zigzag/`, git-ignored, created on demand) on its example
`tpu_like` accelerator: a 32×32 weight-stationary systolic array (D1 = output channels K,
D2 = reduction C), a 2 MiB SRAM for inputs and outputs, 128 B of weight registers per PE.
Every memory port is opened to `UNLIMITED_BITS` per cycle ("unlimited bandwidth"), so the
comparison is about the array's timing, not DRAM.

The spatial unrolling is FORCED per layer on both sides (see `forced_unrolling`): in
ZigZag's mapping file, and on ours through `compute.spatial_unrollings` (C alone on the
rows with FY/FX temporal, `channels`, for convolutions: ZigZag's C on D2; im2col for
depthwise layers, whose FY·FX sit on D2 in both). A layer where the two cannot be made
equal (a grouped, non-depthwise conv) is listed but left out of the MAPE. Our side:
`arch_library/systolic.yaml` with the same array and SRAM sizes and every off-chip path
opened (`our_overrides`), estimated by `depgraph` (exactly equal to `simulate`:
benchmarks/depgraph_vs_simulate.py).

Where ZigZag is physically optimistic the reference is the physical floor instead: on a
weight-stationary systolic array the R×C weight tile of each fold enters the array one
row per cycle (TPUv1 shifts weights in over 256 cycles for its 256 rows, Jouppi et al.
ISCA 2017 §2), so a layer cannot take fewer than folds·R cycles; ZigZag loads every PE's
weight register in parallel (its `rf_128B` serves no array dimension), which for a batch-1
FC layer is ~25× below that floor.

    .venv/bin/python benchmarks/zigzag_validation.py [--reuse-reference] [--networks a,b]

ZigZag takes about a minute per network here; with --reuse-reference its per-layer
results are read from docs/validation/zigzag.json when the network, hardware and forced
unrolling are unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from explorer.errors import BenchmarkError  # noqa: E402
from explorer.hardware.schema import Accelerator  # noqa: E402
from explorer.workload.network import ConvDims, Layer, MatMulDims, Network  # noqa: E402

ZIGZAG_VERSION = "3.9.1"
ZIGZAG_REQUIREMENTS = (f"zigzag-dse=={ZIGZAG_VERSION}", "six")  # it imports six undeclared
DEFAULT_VENV = REPO_ROOT / ".venv-zigzag"
WORKER = Path(__file__).with_name("zigzag_worker.py")
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "validation" / "zigzag.json"


def _shared_onnx() -> Path:
    """The project's shared ONNX files: $ACCEL_SHARED_DIR, else `../shared` beside the main
    checkout (a git worktree elsewhere falls back to /work/shared)."""
    for base in (os.environ.get("ACCEL_SHARED_DIR"), REPO_ROOT.parent / "shared", "/work/shared"):
        if base and (Path(base) / "data" / "h200" / "onnx").is_dir():
            return Path(base) / "data" / "h200" / "onnx"
    return REPO_ROOT.parent / "shared" / "data" / "h200" / "onnx"


SHARED_ONNX = _shared_onnx()
DEFAULT_NETWORKS = ("resnet18", "mobilenet_v2")

HARDWARE = "tpu_like"
ARRAY = 32  # tpu_like: operational_array sizes [32, 32]
UNLIMITED_BITS = 1 << 24  # bits per cycle on every ZigZag memory port
MAPE_TARGET = 0.10


# --- the venv -------------------------------------------------------------------------------

def venv_python(venv: Path = DEFAULT_VENV) -> Path:
    return venv / "bin" / "python"


def installed_version(venv: Path = DEFAULT_VENV) -> str | None:
    if not venv_python(venv).is_file():
        return None
    probe = subprocess.run([str(venv_python(venv)), "-c",
                            "from importlib.metadata import version; "
                            "import six; print(version('zigzag-dse'))"],
                           capture_output=True, text=True)
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_venv(venv: Path = DEFAULT_VENV, log=print) -> Path:
    """Create `venv` with the pinned ZigZag when it is missing (idempotent)."""
    if installed_version(venv) == ZIGZAG_VERSION:
        return venv_python(venv)
    log(f"creating ZigZag {ZIGZAG_VERSION} environment in {venv} (about a minute)")
    if not venv_python(venv).is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv_python(venv)), "-m", "pip", "install", "--quiet",
                          *ZIGZAG_REQUIREMENTS], capture_output=True, text=True)
    if pip.returncode != 0 or installed_version(venv) != ZIGZAG_VERSION:
        tail = (pip.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchmarkError(f"{venv}: pip install {' '.join(ZIGZAG_REQUIREMENTS)} failed: {tail}")
    return venv_python(venv)


# --- the forced unrolling -------------------------------------------------------------------

@dataclass(frozen=True)
class Unrolling:
    """One layer's spatial unrolling as ZigZag's mapping file names it, and whether it
    equals the one our mapper uses (same folds, same useful MACs per cycle)."""

    d1: tuple[tuple[str, int], ...]  # tpu_like D1: the output-channel axis (our columns)
    d2: tuple[tuple[str, int], ...]  # tpu_like D2: the reduction axis (our rows)
    same: bool
    note: str
    ours: str = "im2col"  # our compute.spatial_unrollings for the layer

    def spec(self) -> dict[str, list]:
        return {"D1": [list(u) for u in self.d1], "D2": [list(u) for u in self.d2]}


def forced_unrolling(layer: Layer, array: int = ARRAY) -> Unrolling | None:
    """The unrolling forced on both sides on an array×array WS array, or None for a layer
    ZigZag does not cost (only Conv/Gemm/MatMul).

    Convolutions: output channels K on the columns (D1), input channels C alone on the rows
    (D2) with FY, FX temporal: ours `channels` (explorer/mapping/unrolling.py), ceil(C/R)
    row folds per window position. Depthwise: p groups on D1 and FY·FX on D2; ours packs
    p = min(G, rows // (FY·FX), cols) groups block-diagonally by im2col (the same p·FY·FX
    useful MACs per cycle)."""
    dims = layer.dims
    if isinstance(dims, ConvDims) and layer.op == "Conv":
        c = dims.in_channels // dims.groups
        k = dims.out_channels // dims.groups
        taps = dims.kernel_h * dims.kernel_w
        if dims.groups > 1 and c == 1 and k == 1:  # depthwise
            if taps > array:
                return Unrolling((("G", min(dims.groups, array)),), (("C", 1),), False,
                                 f"depthwise {dims.kernel_h}x{dims.kernel_w} taps exceed the rows")
            pack = max(1, min(dims.groups, array // taps, array))
            return Unrolling((("G", pack),), (("FY", dims.kernel_h), ("FX", dims.kernel_w)), True,
                             f"depthwise: {pack} groups per fold, block-diagonal on our side")
        if dims.groups > 1:
            return Unrolling((("K", min(k, array)),), (("C", min(c, array)),), False,
                             "grouped conv: we pack nothing, ZigZag unrolls one group")
        note = "C on the rows, FY/FX temporal on both sides"
        if math.ceil(c * taps / array) != math.ceil(c / array) * taps:
            note += (f" ({math.ceil(c / array) * taps} row folds; our own choice, im2col, "
                     f"needs {math.ceil(c * taps / array)})")
        return Unrolling((("K", min(k, array)),), (("C", min(c, array)),), True, note,
                         "channels")
    # A batch-1 product costs the same whether its B is a constant or not.
    if (isinstance(dims, MatMulDims) and layer.op in ("Gemm", "MatMul")
            and (dims.batch == 1 or not dims.weights_batched)):
        return Unrolling((("K", min(dims.n, array)),), (("C", min(dims.k, array)),), True,
                         "K (reduction) on the rows, N on the columns")
    return None


def weight_entry_floor(layer: Layer, unrolling: Unrolling, array: int = ARRAY) -> int:
    """Cycles for every fold's weight tile to enter a WS systolic array one row per cycle:
    folds × R. ZigZag fills all weight registers at once and can go below it."""
    d1 = math.prod(n for _, n in unrolling.d1)
    d2 = math.prod(n for _, n in unrolling.d2)
    dims = layer.dims
    if isinstance(dims, ConvDims):
        groups, k = dims.groups, dims.out_channels // dims.groups
        c, taps = dims.in_channels // dims.groups, dims.kernel_h * dims.kernel_w
        if dict(unrolling.d1).get("G"):
            folds = math.ceil(groups / d1)
        elif unrolling.ours == "channels":
            folds = groups * math.ceil(k / d1) * math.ceil(c / d2) * taps
        else:
            folds = groups * math.ceil(k / d1) * math.ceil(c * taps / d2)
    else:
        assert isinstance(dims, MatMulDims)
        folds = dims.batch * math.ceil(dims.n / d1) * math.ceil(dims.k / d2)
    return folds * array


# --- our side -------------------------------------------------------------------------------

def our_overrides() -> list[str]:
    """`systolic` as ZigZag's tpu_like: 32×32 WS with double-buffered weights and
    pipelined folds, 8-bit operands, the 2 MiB input/output SRAM split in two 1 MiB SRAMs,
    the PEs' 128 B weight registers (128 KiB together) as the filter SRAM, and every
    off-chip path opened to the schema's maximum."""
    return [f"compute.pe_rows={ARRAY}", f"compute.pe_cols={ARRAY}", "compute.dataflow=ws",
            "compute.precision.input_bits=8", "compute.precision.weight_bits=8",
            "compute.precision.output_bits=8",
            "memories.ifmap_sram.size_bytes=1MiB", "memories.ofmap_sram.size_bytes=1MiB",
            "memories.filter_sram.size_bytes=128KiB",
            # tpu_like is TPU v1's array: weights double-buffered in the PEs, folds
            # pipelined (ZigZag pays the array's drain once per layer, not per fold).
            "compute.stationary_double_buffered=true", "compute.fold_pipelining=true",
            "offchip.bandwidth_bytes_per_cycle=1e6", "dma.bus_width_bits=65536",
            "dma.request_bytes=1Mi", "dma.max_requests_in_flight=65536",
            *[f"memories.{m}.dram_bandwidth_bytes_per_cycle=1e6"
              for m in ("ifmap_sram", "filter_sram", "ofmap_sram")]]


def our_accelerator(unrolling: str = "im2col") -> Accelerator:
    from explorer.hardware.library import load_accelerator
    from explorer.hardware.overrides import apply_overrides

    return apply_overrides(load_accelerator("systolic"),
                           [*our_overrides(), f"compute.spatial_unrollings={unrolling}"])


def run_ours(network: Network, unrollings: dict[str, Unrolling]) -> dict[str, dict[str, Any]]:
    from explorer.estimators.registry import get_estimator

    accs = {u.ours: our_accelerator(u.ours) for u in unrollings.values()}
    estimator = get_estimator("depgraph")
    network = estimator.prepare(network, accs.get("im2col") or our_accelerator())
    rows = {}
    for layer in network.layers:
        if layer.name not in unrollings:
            continue
        est = estimator.estimate_layer(layer, accs[unrollings[layer.name].ours])
        mapping = est.mapping or {}
        rows[layer.name] = {"cycles": est.cycles, "macs": est.macs,
                            "folds": mapping.get("folds"), "gemm": mapping.get("gemm"),
                            "groups_packed": mapping.get("groups_packed")}
    return rows


# --- ZigZag's side --------------------------------------------------------------------------

def reference_key(onnx_path: Path, specs: dict[str, dict]) -> str:
    digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()[:16]
    blob = json.dumps({"onnx": digest, "hardware": HARDWARE, "bits": UNLIMITED_BITS,
                       "zigzag": ZIGZAG_VERSION, "layers": specs}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def run_zigzag(onnx_path: Path, specs: dict[str, dict], python: Path,
               timeout_s: float = 1800.0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="zigzag-") as tmp:
        job = {"onnx": str(onnx_path), "workdir": tmp, "hardware": HARDWARE,
               "unlimited_bandwidth_bits": UNLIMITED_BITS, "layers": specs}
        job_path = Path(tmp) / "job.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        start = time.perf_counter()
        try:
            proc = subprocess.run([str(python), str(WORKER), str(job_path)],
                                  capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise BenchmarkError(f"ZigZag on {onnx_path.name} exceeded {timeout_s:.0f} s") from None
        result_path = Path(tmp) / "result.json"
        if proc.returncode != 0 or not result_path.is_file():
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:]) or "no output"
            raise BenchmarkError(f"ZigZag on {onnx_path.name} failed: {tail}")
        result = json.loads(result_path.read_text(encoding="utf-8"))
        result["wall_s_subprocess"] = time.perf_counter() - start
        return result


# --- the comparison -------------------------------------------------------------------------

def compare_network(name: str, onnx_path: Path, python: Path | None,
                    cached: dict[str, Any] | None, log=print) -> dict[str, Any]:
    from explorer.workload import load_network

    network = load_network(str(onnx_path))
    unrollings = {layer.name: u for layer in network.layers
                  if (u := forced_unrolling(layer)) is not None}
    by_name = {layer.name: layer for layer in network.layers}
    # ZigZag names layers by ONNX node; ours are named after their main node.
    specs = {name_: u.spec() for name_, u in unrollings.items()}
    key = reference_key(onnx_path, specs)
    if cached is not None and cached.get("key") == key:
        log(f"{name}: ZigZag results reused from the reference cache")
        zz = cached
    else:
        if python is None:
            raise BenchmarkError(f"{name}: no cached ZigZag result for this set-up; "
                                 "run without --reuse-reference")
        log(f"{name}: running ZigZag {ZIGZAG_VERSION} on {len(specs)} layers ...")
        zz = run_zigzag(onnx_path, specs, python)
        zz["key"] = key
        log(f"{name}: ZigZag took {zz['wall_s']:.0f} s")
    ours = run_ours(network, unrollings)
    rows = []
    for layer_name, unrolling in unrollings.items():
        z = zz["layers"].get(layer_name)
        if z is None:
            raise BenchmarkError(f"{name}: ZigZag has no layer {layer_name!r}")
        layer = by_name[layer_name]
        floor = weight_entry_floor(layer, unrolling)
        reference = max(z["latency_cycles"], floor)
        mine = ours[layer_name]["cycles"]
        rows.append({
            "layer": layer_name, "op": layer.op, "macs": layer.macs,
            "unrolling": {"D1_cols": unrolling.d1, "D2_rows": unrolling.d2},
            "same_unrolling": unrolling.same, "note": unrolling.note,
            "zigzag_cycles": z["latency_cycles"], "zigzag_parts": {
                k: z[k] for k in ("temporal_cycles", "stall_cycles", "onloading_cycles",
                                  "offloading_cycles", "systolic_drain_cycles")},
            "zigzag_spatial_mapping": z["spatial_mapping"],
            "weight_entry_floor_cycles": floor,
            "reference": "physical floor" if floor > z["latency_cycles"] else "zigzag",
            "reference_cycles": reference,
            "ours_cycles": mine, "ours_folds": ours[layer_name]["folds"],
            "ours_unrolling": unrolling.ours,
            "ours_groups_packed": ours[layer_name]["groups_packed"],
            "error": mine / reference - 1.0,
        })
    compared = [r for r in rows if r["same_unrolling"]]
    mape = sum(abs(r["error"]) for r in compared) / len(compared) if compared else None
    within = sum(abs(r["error"]) <= MAPE_TARGET for r in compared)
    return {"onnx": onnx_path.name,
            "zigzag_reference": zz, "layers": rows,
            "summary": {"layers": len(rows), "same_unrolling": len(compared),
                        "mape_same_unrolling": mape, "within_10pct": within,
                        "ours_total": sum(r["ours_cycles"] for r in rows),
                        "zigzag_total": sum(r["zigzag_cycles"] for r in rows),
                        "mape_target": MAPE_TARGET,
                        "target_met": mape is not None and mape <= MAPE_TARGET}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--networks", type=lambda s: s.split(","), default=list(DEFAULT_NETWORKS),
                        help="comma-separated ONNX names in ../shared/data/h200/onnx or paths")
    parser.add_argument("--reuse-reference", action="store_true",
                        help="reuse ZigZag's results cached in the output JSON when the "
                             "network, hardware and forced unrolling are unchanged")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    args = parser.parse_args(argv)
    previous: dict[str, Any] = {}
    if args.output.is_file():
        previous = json.loads(args.output.read_text(encoding="utf-8")).get("networks", {})
    python = None
    results = {}
    for item in args.networks:
        path = Path(item) if item.endswith(".onnx") else SHARED_ONNX / f"{item}.onnx"
        if not path.is_file():
            raise BenchmarkError(f"{path}: no such ONNX file")
        name = path.stem
        cached = previous.get(name, {}).get("zigzag_reference") if args.reuse_reference else None
        if python is None and (cached is None):
            python = ensure_venv(args.venv)
        results[name] = compare_network(name, path, python, cached)
        s = results[name]["summary"]
        print(f"{name}: {s['same_unrolling']}/{s['layers']} layers with the same unrolling, "
              f"MAPE {s['mape_same_unrolling']:.1%}, {s['within_10pct']} within 10 %")
    return write(args.output, results)


def write(output: Path, results: dict[str, Any]) -> int:
    import platform

    data = {
        "what": "per-layer cycles: our depgraph (= simulate) vs ZigZag, same spatial unrolling, "
                "unlimited bandwidth",
        "script": "benchmarks/zigzag_validation.py",
        "machine": {"python": platform.python_version(), "load_average": os.getloadavg(),
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "code": _git_head(),
        "zigzag": {"version": ZIGZAG_VERSION, "hardware": HARDWARE,
                   "port_bandwidth_bits_per_cycle": UNLIMITED_BITS},
        "ours": {"accelerator": "systolic (arch_library/systolic.yaml)",
                 "overrides": our_overrides(), "estimator": "depgraph"},
        "networks": results,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {output}")
    return 0


def _git_head() -> str | None:
    proc = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or None


if __name__ == "__main__":
    sys.exit(main())
