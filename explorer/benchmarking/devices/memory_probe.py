"""What a layer's weights cost inside a network that they do not cost alone.

A single-layer benchmark repeats one layer, so its weights stay in the last-level cache
between runs; inside a network they were last touched a whole inference ago and, once
the network's weights outgrow what the cache keeps for them, stream from memory. On this
project's 2-core Xeon VM (300 MB L3) alexnet's fully connected layers took about twice as
long inside the network as alone (docs/validation/cpu_in_network.json; pr.md, "What
single-layer benchmarks leave out").

The probe measures that difference on this machine with the kernel that pays it: a
1-row MatMul (onnxruntime, one thread) over a 64 MB weight matrix, once repeated on one
matrix (warm, as a benchmark sees it) and once cycling through enough matrices to
outgrow the last-level cache twice (cold, as a network sees it). The results are the
extra time per weight byte, both bandwidths and the cache size; explorer/learned/
weight_fetch.py turns them into each layer's term.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from functools import cache

import numpy as np

CHUNK_ROWS = CHUNK_COLS = 4096  # one 64 MB fp32 matrix, the size of a large FC layer
DEFAULT_LLC_BYTES = 32 << 20  # when the OS does not say
MAX_CHUNKS = 16  # at most 1 GiB of probe weights, whatever cache size the OS reports


@dataclass(frozen=True)
class WeightFetchCost:
    extra_s_per_byte: float  # cold minus warm, per weight byte
    warm_bytes_per_s: float
    cold_bytes_per_s: float
    llc_bytes: int  # the last-level cache the OS reports
    error: str = ""  # why the probe could not run (then no weight-fetch term)

    def provenance(self) -> dict[str, str]:
        if self.error:
            return {"weight_fetch_probe": f"failed: {self.error}",
                    "llc_bytes": str(self.llc_bytes)}
        return {"weight_fetch_s_per_byte": f"{self.extra_s_per_byte:.4e}",
                "weight_warm_gb_per_s": f"{self.warm_bytes_per_s / 1e9:.1f}",
                "weight_cold_gb_per_s": f"{self.cold_bytes_per_s / 1e9:.1f}",
                "llc_bytes": str(self.llc_bytes)}


def last_level_cache_bytes() -> int:
    """Size of the largest cache level Linux reports for cpu0."""
    base = "/sys/devices/system/cpu/cpu0/cache"
    sizes = []
    try:
        for entry in os.listdir(base):
            try:
                with open(os.path.join(base, entry, "size"), encoding="ascii") as f:
                    text = f.read().strip()
            except OSError:
                continue
            scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
            digits = text.rstrip("KMG")
            if digits.isdigit():
                sizes.append(int(digits) * scale)
    except OSError:
        pass
    return max(sizes) if sizes else DEFAULT_LLC_BYTES


@cache
def weight_fetch_cost(threads: int = 1) -> WeightFetchCost:
    """Measured once per process (~1 s and twice the LLC in memory, at most 1 GiB); see
    the module doc. A probe that cannot run (too little memory) is recorded as failed
    and the campaign goes on without the term, rather than stopping it."""
    try:
        return _measure(threads)
    except Exception as exc:  # MemoryError or onnxruntime's own exception types
        return WeightFetchCost(0.0, 0.0, 0.0, last_level_cache_bytes(),
                               error=str(exc).splitlines()[0][:200] or type(exc).__name__)


def _measure(threads: int) -> WeightFetchCost:
    import onnxruntime as ort
    from onnx import TensorProto, helper

    k, n = CHUNK_ROWS, CHUNK_COLS
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "w"], ["y"])], "weight_fetch_probe",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1, k]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [k, n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    llc = last_level_cache_bytes()
    chunk_bytes = k * n * 4
    # The weights are graph inputs, so each run reads the matrix it is given (a constant
    # would be prepacked once); the kernel is the same memory-bound MLAS GEMV.
    count = min(MAX_CHUNKS, max(3, -(-2 * llc // chunk_bytes)))
    chunks = [np.full((k, n), 0.01 * (i + 1), np.float32) for i in range(count)]
    a = np.ones((1, k), np.float32)

    def run(w: np.ndarray) -> float:
        start = time.perf_counter()
        session.run(None, {"a": a, "w": w})
        return time.perf_counter() - start

    for _ in range(3):
        run(chunks[0])
    warm = statistics.median(min(run(chunks[0]) for _ in range(3)) for _ in range(7))
    cold = statistics.median(run(chunks[i % count]) for i in range(1, 3 * count + 1))
    return WeightFetchCost(extra_s_per_byte=max(0.0, cold - warm) / chunk_bytes,
                           warm_bytes_per_s=chunk_bytes / warm,
                           cold_bytes_per_s=chunk_bytes / cold, llc_bytes=llc)
