"""External validation of our `simulate` estimator against the real SCALE-Sim (issue 3 §5).

For ResNet-50 conv layers taken from the real network, both dataflows (ws, os) and both of
SCALE-Sim's bandwidth modes, this runs SCALE-Sim 3.0.0 (in its own venv, one layer per
subprocess, results cached in docs/validation/scalesim_reference.json) and our `simulate`
estimator on the `systolic` library accelerator configured identically, and writes
docs/validation/scalesim.json.

Targets: CALC mode (SCALE-Sim sizes the DRAM interface so nothing stalls) - our compute
cycles EQUAL SCALE-Sim's; USER mode (10 words/cycle per SRAM interface) - our total
cycles within 10 % of SCALE-Sim's total.

    .venv/bin/python benchmarks/scalesim_validation.py [--layers N] [--reuse-reference]

Without --reuse-reference every SCALE-Sim run is repeated (about 15 min for the default
11 layers x 2 dataflows x 2 modes on a shared 2-core machine) and the reference file is
refreshed; with it, only runs missing from the reference file are simulated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.scalesim_runner import (  # noqa: E402
    DEFAULT_VENV,
    SCALESIM_VERSION,
    ReferenceCache,
    ScaleSimArch,
    ScaleSimConv,
    ensure_venv,
    formula_terms,
    run_cached,
)
from explorer.errors import BenchmarkError, ExplorerError  # noqa: E402
from explorer.hardware.schema import Accelerator  # noqa: E402
from explorer.workload.network import ConvDims, Layer  # noqa: E402

VALIDATION_DIR = REPO_ROOT / "docs" / "validation"
DEFAULT_OUTPUT = VALIDATION_DIR / "scalesim.json"
DEFAULT_REFERENCE = VALIDATION_DIR / "scalesim_reference.json"

USER_BANDWIDTH_WORDS_PER_CYCLE = 10  # TOOLCHAIN.md's USER-mode example
USER_TOLERANCE = 0.10  # total cycles within 10 % (issue 3 §5)


@dataclass(frozen=True)
class ConvSignature:
    """Identifies a conv layer of ResNet-50 by shape (ONNX dims, before padding)."""

    label: str
    in_channels: int
    in_hw: int
    out_channels: int
    kernel: int
    stride: int

    def matches(self, dims: ConvDims) -> bool:
        return (dims.in_channels == self.in_channels and dims.in_h == dims.in_w == self.in_hw
                and dims.out_channels == self.out_channels
                and dims.kernel_h == dims.kernel_w == self.kernel
                and dims.stride_h == dims.stride_w == self.stride and dims.groups == 1)


# The three layers of TOOLCHAIN.md first (their SCALE-Sim cycles are known), then one or
# more layers of every stage, 1x1 / 3x3 / strided / projection, down to 7x7 maps where the
# output-stationary array is badly folded.
RESNET50_SELECTION: tuple[ConvSignature, ...] = (
    ConvSignature("conv2_3x3_56x56_64to64", 64, 56, 64, 3, 1),
    ConvSignature("conv2_1x1_56x56_64to256", 64, 56, 256, 1, 1),
    ConvSignature("conv1_7x7s2_224x224_3to64", 3, 224, 64, 7, 2),
    ConvSignature("conv2_1x1_56x56_64to64", 64, 56, 64, 1, 1),
    ConvSignature("conv2_1x1_56x56_256to64", 256, 56, 64, 1, 1),
    ConvSignature("conv3_3x3s2_56x56_128to128", 128, 56, 128, 3, 2),
    ConvSignature("conv3_1x1_28x28_128to512", 128, 28, 512, 1, 1),
    ConvSignature("conv3_proj_1x1s2_56x56_256to512", 256, 56, 512, 1, 2),
    ConvSignature("conv3_3x3_28x28_128to128", 128, 28, 128, 3, 1),
    ConvSignature("conv4_3x3_14x14_256to256", 256, 14, 256, 3, 1),
    ConvSignature("conv4_1x1_14x14_1024to256", 1024, 14, 256, 1, 1),
    ConvSignature("conv5_3x3_7x7_512to512", 512, 7, 512, 3, 1),
    ConvSignature("conv5_1x1_7x7_2048to512", 2048, 7, 512, 1, 1),
    ConvSignature("conv5_1x1_7x7_512to2048", 512, 7, 2048, 1, 1),
)

# The conv5 layers (7x7 maps, 512-2048 channels) are last: SCALE-Sim's USER mode needs
# over 15 minutes and 1.7 GB for each of them, so the default run stops before them.
DEFAULT_LAYER_COUNT = 11

# SCALE-Sim's own numbers from TOOLCHAIN.md (32x32, 64 KiB SRAMs): our SCALE-Sim set-up
# must reproduce them before anything is compared with it.
KNOWN_SCALESIM_TOTALS: dict[tuple[str, str, str], int] = {
    ("conv2_3x3_56x56_64to64", "ws", "CALC"): 116_279,
    ("conv2_3x3_56x56_64to64", "os", "CALC"): 125_047,
    ("conv2_1x1_56x56_64to256", "ws", "CALC"): 51_679,
    ("conv2_1x1_56x56_64to256", "os", "CALC"): 98_783,
    ("conv1_7x7s2_224x224_3to64", "ws", "CALC"): 126_379,
    ("conv1_7x7s2_224x224_3to64", "os", "CALC"): 163_855,
    ("conv2_1x1_56x56_64to256", "ws", "USER"): 160_493,
    ("conv2_1x1_56x56_64to256", "os", "USER"): 341_071,
}
KNOWN_SCALESIM_STALLS: dict[tuple[str, str, str], int] = {
    ("conv2_1x1_56x56_64to256", "ws", "USER"): 108_814,
}


# --- workload ---------------------------------------------------------------------------

def select_layers(count: int | None = None) -> list[tuple[ConvSignature, Layer]]:
    """The selected conv layers as they appear in the real ResNet-50 (first occurrence)."""
    from explorer.workload import load_network

    network = load_network("resnet50")
    convs = [layer for layer in network.layers
             if isinstance(layer.dims, ConvDims) and layer.op == "Conv"]
    chosen = []
    for signature in RESNET50_SELECTION[:count]:
        layer = next((c for c in convs if signature.matches(c.dims)), None)
        if layer is None:
            raise BenchmarkError(f"resnet50: no conv layer matches {signature}; "
                                 "the selection table is out of date")
        chosen.append((signature, layer))
    return chosen


def to_scalesim(label: str, dims: ConvDims) -> ScaleSimConv:
    """SCALE-Sim's view of a conv: its topology has no padding column, so pass the
    effective ifmap (out - 1)·stride + kernel, which reproduces the output size exactly
    (rows of padding that no window touches are dropped, as for conv1's 230 -> 229)."""
    if dims.groups != 1 or dims.batch != 1 or dims.transposed:
        raise BenchmarkError(f"{label}: SCALE-Sim compares only plain batch-1 convs "
                             f"(groups={dims.groups}, batch={dims.batch})")
    if dims.stride_h != dims.stride_w or dims.dilation_h != 1 or dims.dilation_w != 1:
        raise BenchmarkError(f"{label}: SCALE-Sim needs equal strides and no dilation")
    return ScaleSimConv(
        name=label,
        ifmap_h=(dims.out_h - 1) * dims.stride_h + dims.kernel_h,
        ifmap_w=(dims.out_w - 1) * dims.stride_w + dims.kernel_w,
        filter_h=dims.kernel_h, filter_w=dims.kernel_w,
        channels=dims.in_channels, num_filter=dims.out_channels, stride=dims.stride_h)


# --- our side -----------------------------------------------------------------------------

# In CALC mode SCALE-Sim never stalls on DRAM; we open every off-chip path to the schema's
# maximum so that our simulator cannot stall either and the compute cycles stand alone.
_UNLIMITED_BYTES_PER_CYCLE = 1e6


def systolic_overrides(arch: ScaleSimArch) -> list[str]:
    """`--set` assignments that configure our `systolic` entry as SCALE-Sim is configured
    (SCALE-Sim word = 1 byte; kB = 1024 bytes; Bandwidth = words/cycle per SRAM)."""
    settings = [
        f"compute.pe_rows={arch.rows}",
        f"compute.pe_cols={arch.cols}",
        f"compute.dataflow={arch.dataflow}",
        "compute.precision.input_bits=8",
        "compute.precision.weight_bits=8",
        "compute.precision.output_bits=8",
        f"memories.ifmap_sram.size_bytes={arch.ifmap_sram_kib}KiB",
        f"memories.filter_sram.size_bytes={arch.filter_sram_kib}KiB",
        f"memories.ofmap_sram.size_bytes={arch.ofmap_sram_kib}KiB",
    ]
    if arch.bandwidth_mode == "CALC":
        per_sram = _UNLIMITED_BYTES_PER_CYCLE
        settings += [f"offchip.bandwidth_bytes_per_cycle={per_sram:g}",
                     "dma.bus_width_bits=65536",
                     "dma.request_bytes=1Mi",
                     "dma.max_requests_in_flight=65536"]
    else:
        per_sram = arch.bandwidth_words_per_cycle
        # Three independent interfaces of B bytes/cycle; the DMA bus carries all three.
        settings += [f"offchip.bandwidth_bytes_per_cycle={3 * per_sram}",
                     f"dma.bus_width_bits={3 * per_sram * 8}",
                     f"dma.request_bytes={per_sram}",
                     "dma.max_requests_in_flight=3"]
    settings += [f"memories.{name}.dram_bandwidth_bytes_per_cycle={per_sram:g}"
                 for name in ("ifmap_sram", "filter_sram", "ofmap_sram")]
    return settings


def our_accelerator(arch: ScaleSimArch) -> Accelerator:
    from explorer.hardware.library import load_accelerator
    from explorer.hardware.overrides import apply_overrides

    return apply_overrides(load_accelerator("systolic"), systolic_overrides(arch))


def run_ours(layer: Layer, accelerator: Accelerator) -> dict[str, Any]:
    """Our `simulate` estimator on one layer, or {"error": ...} when it cannot run."""
    from explorer.estimators.registry import get_estimator

    try:
        estimator = get_estimator("simulate")
    except ExplorerError as exc:
        return {"error": f"simulate estimator unavailable: {exc}"}
    start = time.perf_counter()
    try:
        estimate = estimator.estimate_layer(layer, accelerator)
    except ExplorerError as exc:
        return {"error": str(exc)}
    wall_s = time.perf_counter() - start
    mapping = estimate.mapping or {}
    return {"total_cycles": estimate.cycles, "compute_cycles": estimate.compute_cycles,
            "stall_cycles": estimate.stall_cycles, "memory_cycles": estimate.memory_cycles,
            "dram_read_bytes": mapping.get("dram_read_bytes"),
            "dram_write_bytes": mapping.get("dram_write_bytes"),
            "instructions": estimate.instructions, "mapping": mapping, "wall_s": wall_s}


# --- comparison -------------------------------------------------------------------------

def compare(mode: str, scalesim: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """Errors and the verdict against the target of `mode`."""
    if "error" in ours or ours.get("total_cycles") is None:
        return {"target": _target(mode), "pass": None}
    ss_total, our_total = scalesim["total_cycles"], ours["total_cycles"]
    result: dict[str, Any] = {
        "target": _target(mode),
        "total_rel_error": (our_total - ss_total) / ss_total,
        # SCALE-Sim's other total also counts the first prefetch before compute starts.
        "total_incl_prefetch_rel_error":
            (our_total - scalesim["total_cycles_incl_prefetch"])
            / scalesim["total_cycles_incl_prefetch"],
        "compute_cycles_diff": (None if ours.get("compute_cycles") is None
                                else ours["compute_cycles"] - scalesim["compute_cycles"]),
        "speedup_vs_scalesim": (scalesim["wall_s"] / ours["wall_s"]
                                if ours.get("wall_s") else None),
    }
    # Where USER-mode totals part, the DRAM traffic usually explains it (1 word = 1 byte).
    if ours.get("dram_read_bytes") is not None:
        scalesim_reads = scalesim["ifmap_dram_reads"] + scalesim["filter_dram_reads"]
        result["dram_read_ratio_ours_over_scalesim"] = ours["dram_read_bytes"] / scalesim_reads
        result["dram_write_ratio_ours_over_scalesim"] = (ours["dram_write_bytes"]
                                                         / scalesim["ofmap_dram_writes"])
    if mode == "CALC":
        result["pass"] = result["compute_cycles_diff"] == 0
    else:
        result["pass"] = abs(result["total_rel_error"]) <= USER_TOLERANCE
    return result


def _target(mode: str) -> str:
    return ("compute cycles equal to SCALE-Sim's" if mode == "CALC"
            else f"total cycles within {USER_TOLERANCE:.0%} of SCALE-Sim's")


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(f"{row['mode']}/{row['dataflow']}", []).append(row)
    summary: dict[str, Any] = {}
    for key, members in sorted(groups.items()):
        compared = [m for m in members if m["comparison"]["pass"] is not None]
        errors = [abs(m["comparison"]["total_rel_error"]) for m in compared]
        summary[key] = {
            "runs": len(members), "compared": len(compared),
            "passed": sum(1 for m in compared if m["comparison"]["pass"]),
            "compute_cycles_equal": sum(1 for m in compared
                                        if m["comparison"]["compute_cycles_diff"] == 0),
            "total_abs_rel_error_mean": sum(errors) / len(errors) if errors else None,
            "total_abs_rel_error_max": max(errors) if errors else None,
            "scalesim_wall_s": sum(m["scalesim"]["wall_s"] for m in members),
            "ours_wall_s": (sum(m["ours"]["wall_s"] for m in compared) if compared else None),
        }
    compared = [r for r in rows if r["comparison"]["pass"] is not None]
    summary["all"] = {"runs": len(rows), "compared": len(compared),
                      "passed": sum(1 for r in compared if r["comparison"]["pass"])}
    return summary


def setup_check(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Did our SCALE-Sim set-up reproduce SCALE-Sim's numbers known from TOOLCHAIN.md?"""
    checks = []
    for row in rows:
        key = (row["layer"], row["dataflow"], row["mode"])
        if key in KNOWN_SCALESIM_TOTALS:
            expected = KNOWN_SCALESIM_TOTALS[key]
            check = {"layer": key[0], "dataflow": key[1], "mode": key[2],
                     "expected_total_cycles": expected,
                     "measured_total_cycles": row["scalesim"]["total_cycles"]}
            ok = expected == row["scalesim"]["total_cycles"]
            if key in KNOWN_SCALESIM_STALLS:
                check["expected_stall_cycles"] = KNOWN_SCALESIM_STALLS[key]
                check["measured_stall_cycles"] = row["scalesim"]["stall_cycles"]
                ok = ok and KNOWN_SCALESIM_STALLS[key] == row["scalesim"]["stall_cycles"]
            check["reproduced"] = ok
            checks.append(check)
    return checks


# --- driver -------------------------------------------------------------------------------

def _scalesim_summary(result: dict[str, Any], from_cache: bool) -> dict[str, Any]:
    keep = ("total_cycles", "total_cycles_incl_prefetch", "compute_cycles", "stall_cycles",
            "overall_util_pct", "mapping_efficiency_pct", "compute_util_pct",
            "ifmap_dram_reads", "filter_dram_reads", "ofmap_dram_writes",
            "ifmap_sram_reads", "filter_sram_reads", "ofmap_sram_writes",
            "wall_s", "wall_s_subprocess", "peak_rss_mib")
    return {**{k: result.get(k) for k in keep}, "from_reference_file": from_cache}


def busiest_interface_cycles(result: dict[str, Any], arch: ScaleSimArch) -> int | None:
    """Cycles the busiest of SCALE-Sim's three DRAM interfaces needs for the words it
    moved (USER mode): when this is close to its total, the layer is traffic-bound and the
    amount of traffic, not the timing model, decides the result."""
    if arch.bandwidth_mode != "USER":
        return None
    words = max(result["ifmap_dram_reads"], result["filter_dram_reads"],
                result["ofmap_dram_writes"])
    return -(-words // arch.bandwidth_words_per_cycle)


def code_version() -> dict[str, Any]:
    """Which commit of ours was measured, and whether the simulator's files differed."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True,
                                 text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    measured = ("explorer/mapping", "explorer/engine", "explorer/estimators/simulate.py",
                "explorer/estimators/kernel_estimator.py",
                "explorer/estimators/base.py", "explorer/hardware", "arch_library/systolic.yaml")
    dirty = git("status", "--porcelain", "--", *measured)
    return {"commit": git("rev-parse", "HEAD"), "measured_paths": list(measured),
            "uncommitted_changes_in_measured_paths": None if dirty is None else bool(dirty)}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    python = ensure_venv(args.venv, log=log)
    cache = ReferenceCache(args.reference)
    layers = select_layers(args.layers)
    archs = [ScaleSimArch(dataflow=df, bandwidth_mode=mode,
                          bandwidth_words_per_cycle=USER_BANDWIDTH_WORDS_PER_CYCLE)
             for mode in args.modes for df in args.dataflows]
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    total = len(layers) * len(archs)
    for signature, layer in layers:
        topology = to_scalesim(signature.label, layer.dims)
        for arch in archs:
            tag = f"[{len(rows) + len(failures) + 1}/{total}] {signature.label} {arch.dataflow} {arch.bandwidth_mode}"
            try:
                result, cached = run_cached(cache, topology, arch, python,
                                            rerun=not args.reuse_reference,
                                            timeout_s=args.timeout)
            except BenchmarkError as exc:  # one failed reference run must not lose the rest
                failures.append({"layer": signature.label, "dataflow": arch.dataflow,
                                 "mode": arch.bandwidth_mode, "error": str(exc)})
                log(f"{tag}: {exc}")
                continue
            ours = run_ours(layer, our_accelerator(arch))
            comparison = compare(arch.bandwidth_mode, result, ours)
            rows.append({
                "layer": signature.label, "onnx_node": layer.name,
                "dataflow": arch.dataflow, "mode": arch.bandwidth_mode,
                "bandwidth_words_per_cycle_per_sram":
                    arch.bandwidth_words_per_cycle if arch.bandwidth_mode == "USER" else None,
                "macs": layer.macs,
                "scalesim_topology": asdict(topology),
                "formula": formula_terms(topology, arch),
                "scalesim": _scalesim_summary(result, cached),
                "scalesim_busiest_interface_cycles": busiest_interface_cycles(result, arch),
                "ours": ours,
                "comparison": comparison,
            })
            verdict = {True: "pass", False: "FAIL", None: "not compared"}[comparison["pass"]]
            ours_text = (ours.get("error") if "error" in ours
                         else f"ours {ours['total_cycles']:.0f} (compute {ours['compute_cycles']})")
            log(f"{tag}: SCALE-Sim {result['total_cycles']} (compute {result['compute_cycles']}, "
                f"{result['wall_s']:.1f} s{', cached' if cached else ''}); {ours_text}: {verdict}")
    return {
        "benchmark": "benchmarks/scalesim_validation.py",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "what": "our `simulate` estimator vs SCALE-Sim on ResNet-50 conv layers (issue 3 §5)",
        "scalesim_version": SCALESIM_VERSION,
        "accelerator": "systolic (arch_library/systolic.yaml) with the overrides below",
        "overrides": {f"{a.bandwidth_mode}/{a.dataflow}": systolic_overrides(a) for a in archs},
        "targets": {"CALC": _target("CALC"), "USER": _target("USER")},
        "code": code_version(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "loadavg_at_end": list(os.getloadavg())},
        "scalesim_setup_check": setup_check(rows),
        "summary": summarise(rows),
        "scalesim_failures": failures,
        "runs": rows,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", type=int, default=DEFAULT_LAYER_COUNT,
                        help=f"how many of the {len(RESNET50_SELECTION)} selected ResNet-50 "
                             f"conv layers to run (the first N; default {DEFAULT_LAYER_COUNT}; "
                             "the last three, conv5, take SCALE-Sim over 15 min and 1.7 GB "
                             "each in USER mode)")
    parser.add_argument("--reuse-reference", action="store_true",
                        help="take SCALE-Sim results from the reference file when present "
                             "(only missing runs are simulated)")
    parser.add_argument("--dataflows", type=lambda s: s.split(","), default=["ws", "os"],
                        help="comma-separated dataflows (default ws,os)")
    parser.add_argument("--modes", type=lambda s: s.split(","), default=["CALC", "USER"],
                        help="comma-separated SCALE-Sim bandwidth modes (default CALC,USER)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds one SCALE-Sim run may take (default 1800)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV,
                        help="SCALE-Sim's virtual environment (created when missing)")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                        help="cache of SCALE-Sim runs (JSON)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="where to write the comparison (JSON)")
    args = parser.parse_args(argv)
    if not 1 <= args.layers <= len(RESNET50_SELECTION):
        parser.error(f"--layers must be 1..{len(RESNET50_SELECTION)}")
    if bad := [d for d in args.dataflows if d not in ("ws", "os", "is")]:
        parser.error(f"--dataflows: unknown {bad}; allowed: ws, os, is")
    if bad := [m for m in args.modes if m not in ("CALC", "USER")]:
        parser.error(f"--modes: unknown {bad}; allowed: CALC, USER")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = run(args)
    except ExplorerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; SCALE-Sim runs finished so far are in the reference file",
              file=sys.stderr)
        return 130
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    summary = report["summary"]["all"]
    reproduced = all(c["reproduced"] for c in report["scalesim_setup_check"])
    log(f"wrote {args.output}: {summary['passed']}/{summary['compared']} compared runs pass "
        f"({summary['runs']} runs); SCALE-Sim set-up reproduces TOOLCHAIN.md: {reproduced}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
