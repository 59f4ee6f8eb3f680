"""Whole-network measurement on this CPU with onnxruntime: the ground truth for
whole-network checks.

Total latency: the same statistic as single-layer benchmarks (median over rounds of the
min-of-k run time, with the load average). Per-layer times: onnxruntime's profiler times
kernels of the *optimized* graph; each kernel is mapped back to the ONNX node(s) it came
from by name: a node keeps its name when it is not rewritten, a fused kernel is named
after its first node, and an NCHWc kernel is named `<output tensor>_nchwc` after the
tensor its (fused) chain produced. Kernels with no ONNX counterpart (layout reorders)
are reported as unmapped.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from explorer.benchmarking.devices.cpu import CpuDevice, TimingPolicy
from explorer.errors import BenchmarkError, WorkloadError

NETWORK_POLICY = TimingPolicy(runs_per_round=3, min_rounds=5, max_rounds=15, target_s=2.0,
                              warmup_s=0.2, max_relative_spread=0.05, max_attempts=2,
                              retry_wait_s=1.0)


@dataclass
class KernelTime:
    kernel: str  # name in onnxruntime's optimized graph
    op: str  # optimized op type (Conv, FusedConv, ReorderOutput, ...)
    onnx_nodes: list[str]  # ONNX nodes of the source model it maps to ([] if none)
    time_s: float  # median over profiled runs


@dataclass
class NetworkMeasurement:
    network: str
    source: str
    device: str
    latency_s: float  # median over rounds of min-of-k
    spread_s: float  # IQR over rounds
    p10_s: float
    p90_s: float
    rounds: int
    runs_per_round: int
    loadavg: float
    timestamp: float
    status: str
    software: str
    kernels: list[KernelTime] = field(default_factory=list)
    profiled_runs: int = 0

    @property
    def kernel_total_s(self) -> float:
        return sum(k.time_s for k in self.kernels)

    def layer_times(self, layers) -> tuple[dict[str, float], float]:
        """Measured time per layer (summing the kernels mapped to any of its ONNX nodes)
        and the time of kernels that map to no layer."""
        owner: dict[str, str] = {}
        for layer in layers:
            for node in layer.onnx_nodes:
                owner[node] = layer.name
        times = {layer.name: 0.0 for layer in layers}
        unmapped = 0.0
        for k in self.kernels:
            names = [owner[n] for n in k.onnx_nodes if n in owner]
            if names:
                times[names[0]] += k.time_s
            else:
                unmapped += k.time_s
        return times, unmapped

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kernel_total_s"] = self.kernel_total_s
        return data


def _model_path(source: str) -> Path:
    from explorer.workload.zoo import is_zoo_name, zoo_path

    path = Path(source)
    if path.is_file():
        return path
    if is_zoo_name(source):
        return zoo_path(source)
    raise WorkloadError(f"{source}: not an ONNX file and not a zoo network")


def _feed(session, input_shapes: dict[str, tuple[int, ...]] | None) -> dict[str, np.ndarray]:
    import onnx  # noqa: F401 - onnxruntime's type strings only

    rng = np.random.default_rng(0)
    feed = {}
    dtypes = {"tensor(float)": np.float32, "tensor(double)": np.float64,
              "tensor(int64)": np.int64, "tensor(int32)": np.int32,
              "tensor(float16)": np.float16, "tensor(uint8)": np.uint8,
              "tensor(int8)": np.int8, "tensor(bool)": np.bool_}
    for inp in session.get_inputs():
        shape = (input_shapes or {}).get(inp.name)
        if shape is None:
            shape = tuple(d if isinstance(d, int) and d > 0 else 1 for d in inp.shape)
        dtype = dtypes.get(inp.type)
        if dtype is None:
            raise WorkloadError(f"input {inp.name!r}: type {inp.type} not supported by measure")
        if np.issubdtype(dtype, np.floating):
            feed[inp.name] = rng.standard_normal(shape).astype(dtype)
        else:
            feed[inp.name] = np.zeros(shape, dtype=dtype)
    return feed


def _strip_initializer_inputs(model) -> None:
    """IR-3 files list weights as graph inputs; feeding only real inputs needs them gone."""
    used = {name for node in model.graph.node for name in node.input}
    used |= {o.name for o in model.graph.output}
    inits = [init for init in model.graph.initializer if init.name in used]
    names = {init.name for init in model.graph.initializer}
    keep = [i for i in model.graph.input if i.name not in names]
    del model.graph.initializer[:]
    model.graph.initializer.extend(inits)
    del model.graph.input[:]
    model.graph.input.extend(keep)


def node_name_map(model) -> tuple[set[str], dict[str, str]]:
    """Node names of the model (unnamed nodes get onnxruntime's default: empty) and the
    producer node of every tensor."""
    names = {n.name for n in model.graph.node if n.name}
    producer = {}
    for node in model.graph.node:
        for out in node.output:
            producer[out] = node.name
    return names, producer


def map_kernel(kernel: str, names: set[str], producer: dict[str, str]) -> list[str]:
    if kernel in names:
        return [kernel]
    # onnxruntime's activation fusions name the fused node "fused <node>"; NCHWc kernels
    # take their output tensor's name plus "_nchwc".
    base = kernel.removeprefix("fused ").removesuffix("_nchwc")
    if base in names:
        return [base]
    if base in producer and producer[base]:
        return [producer[base]]
    return []


def measure_network(source: str, *, threads: int = 1, profiled_runs: int = 5,
                    input_shapes: dict[str, tuple[int, ...]] | None = None,
                    policy: TimingPolicy | None = None) -> NetworkMeasurement:
    from explorer.workload.onnx_import import read_model

    path = _model_path(source)
    model = read_model(path)  # the loader's checks: no file outside the model's folder
    _strip_initializer_inputs(model)
    # Unnamed nodes would make kernels unmappable: name them as the workload loader does
    # (`<op>_<index>` in graph order).
    for index, node in enumerate(model.graph.node):
        if not node.name:
            node.name = f"{node.op_type}_{index}"
    names, producer = node_name_map(model)
    data = model.SerializeToString()
    device = CpuDevice(threads=threads, policy=policy or NETWORK_POLICY)

    session = device.session(data)
    feed = _feed(session, input_shapes)
    outputs = [o.name for o in session.get_outputs()]

    def run_once() -> float:
        start = time.perf_counter()
        session.run(outputs, feed)
        return time.perf_counter() - start

    timing = device.time_callable(run_once)
    # p10/p90 of single runs, for the spread users see run to run.
    singles = sorted(run_once() for _ in range(max(5, min(20, int(1.0 / max(timing.latency_s, 1e-4))))))

    with tempfile.TemporaryDirectory() as tmp:
        prof_session = device.session(data, profile_prefix=os.path.join(tmp, "profile"))
        for _ in range(2):
            prof_session.run(outputs, feed)
        # Only runs after the warm-up count: remember how many events came before.
        for _ in range(profiled_runs):
            prof_session.run(outputs, feed)
        profile_file = prof_session.end_profiling()
        with open(profile_file, encoding="utf-8") as f:
            events = json.load(f)
    kernels = _kernel_times(events, profiled_runs, names, producer)
    return NetworkMeasurement(
        network=path.stem.removeprefix("light_"), source=str(path), device=device.name,
        latency_s=timing.latency_s, spread_s=timing.spread_s,
        p10_s=float(np.percentile(singles, 10)), p90_s=float(np.percentile(singles, 90)),
        rounds=timing.rounds, runs_per_round=timing.runs_per_round, loadavg=timing.loadavg,
        timestamp=timing.timestamp, status=timing.status, software=device.software(),
        kernels=kernels, profiled_runs=profiled_runs)


def _kernel_times(events: list[dict], profiled_runs: int, names: set[str],
                  producer: dict[str, str]) -> list[KernelTime]:
    runs = [e for e in events if e.get("name") == "model_run"]
    if not runs:
        raise BenchmarkError("onnxruntime profile has no model_run events")
    # The last `profiled_runs` runs, each [ts, ts + dur]: kernels inside them count.
    windows = [(e["ts"], e["ts"] + e["dur"]) for e in runs[-profiled_runs:]]
    per_kernel: dict[str, list[float]] = {}
    ops: dict[str, str] = {}
    order: list[str] = []
    for e in events:
        if e.get("cat") != "Node" or not e.get("name", "").endswith("_kernel_time"):
            continue
        if not any(a <= e["ts"] <= b for a, b in windows):
            continue
        name = e["name"][: -len("_kernel_time")]
        if name not in per_kernel:
            per_kernel[name] = []
            order.append(name)
        per_kernel[name].append(e["dur"] * 1e-6)
        ops[name] = e.get("args", {}).get("op_name", "")
    out = []
    for name in order:
        times = per_kernel[name]
        # A kernel runs once per run; sum repeated events of a run before the median.
        per_run = len(times) / max(1, len(windows))
        value = statistics.median(times) * per_run if per_run >= 1 else statistics.median(times)
        out.append(KernelTime(kernel=name, op=ops[name], onnx_nodes=map_kernel(name, names, producer),
                              time_s=value))
    return out
