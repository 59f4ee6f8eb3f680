"""This machine's CPU through onnxruntime.

One single-layer model per configuration, a fixed number of threads (default 1: the
machine is shared, and one thread is what gives repeatable numbers on 2 cores), a
warm-up, min-of-k runs per round and the median over rounds. The machine's load average
is recorded with every measurement; a measurement whose round-to-round spread is too
large is repeated and flagged if it never gets clean, and one taken while the machine
was loaded is flagged, so training can leave them out.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass
from functools import cache

from explorer.benchmarking.devices.base import (
    STATUS_LOADED,
    STATUS_NOISY,
    STATUS_OK,
    Device,
    Measurement,
    load_average,
    now,
)
from explorer.errors import BenchmarkError
from explorer.learned.configs import LayerConfig


@dataclass(frozen=True)
class TimingPolicy:
    """How hard to look at one layer. The defaults give ~2 % round-to-round IQR on a
    quiet machine (CONTEXT.md) at a cost of ~0.1-0.3 s for a typical layer."""

    runs_per_round: int = 5
    min_rounds: int = 7
    max_rounds: int = 25
    target_s: float = 0.12  # timed work per attempt, before clamping the round count
    warmup_s: float = 0.02
    max_relative_spread: float = 0.05
    max_attempts: int = 3
    retry_wait_s: float = 0.5
    load_limit: float | None = None  # default: cores - threads + 0.5


QUICK_POLICY = TimingPolicy(runs_per_round=3, min_rounds=3, max_rounds=5, target_s=0.01,
                            warmup_s=0.0, max_attempts=1)


@cache
def cpu_model_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@cache
def cpu_flags() -> frozenset[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def vector_width_floats() -> int:
    """fp32 lanes of the widest vector unit onnxruntime's MLAS uses here (its NCHWc
    block size): 16 with AVX-512, 8 with AVX2."""
    return 16 if "avx512f" in cpu_flags() else 8


class CpuDevice(Device):
    """`cpu`: single layers timed with onnxruntime on this machine."""

    def __init__(self, threads: int = 1, policy: TimingPolicy | None = None) -> None:
        if threads < 1:
            raise BenchmarkError(f"cpu device: threads = {threads}, must be >= 1")
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - core dependency
            raise BenchmarkError(f"cpu device: onnxruntime not importable ({exc})") from None
        self._ort = ort
        self.threads = threads
        self.policy = policy or TimingPolicy()
        self.name = "cpu" if threads == 1 else f"cpu:{threads}"
        cores = os.cpu_count() or 1
        self.load_limit = (self.policy.load_limit if self.policy.load_limit is not None
                           else max(0.5, cores - threads + 0.5))

    # -- sessions -----------------------------------------------------------------------
    def session_options(self, profile_prefix: str | None = None):
        ort = self._ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        if profile_prefix:
            so.enable_profiling = True
            so.profile_file_prefix = profile_prefix
        return so

    def session(self, model_bytes: bytes, profile_prefix: str | None = None):
        try:
            return self._ort.InferenceSession(model_bytes, self.session_options(profile_prefix),
                                              providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            raise BenchmarkError(f"cpu device: onnxruntime rejected the model: "
                                 f"{str(exc).splitlines()[0]}") from None

    # -- measuring ------------------------------------------------------------------------
    def measure(self, config: LayerConfig) -> Measurement:
        """Latency of the layer as it runs inside a network: the single-layer model's run
        time minus the NCHW<->NCHWc layout reorders onnxruntime adds at the model's
        boundary (inside a network, consecutive NCHWc layers need none). The reorders'
        median time, from a short profiled session, is kept in `extra["excluded_s"]`."""
        from explorer.benchmarking.layer_models import build_model

        model, feed = build_model(config)
        data = model.SerializeToString()
        sess = self.session(data)
        binding = sess.io_binding()
        for name, array in feed.items():
            binding.bind_cpu_input(name, array)
        for output in sess.get_outputs():
            binding.bind_output(output.name, "cpu")

        def run_once() -> float:
            start = time.perf_counter()
            sess.run_with_iobinding(binding)
            return time.perf_counter() - start

        measurement = self.time_callable(run_once)
        share = self.reorder_share(data, feed, measurement.latency_s)
        measurement.excluded_s = measurement.latency_s * share
        measurement.latency_s -= measurement.excluded_s
        return measurement

    def reorder_share(self, data: bytes, feed: dict, latency_s: float) -> float:
        """Median share of layout reorder kernels in the kernel time of a run (0 when
        onnxruntime adds none). A share, not a time: profiled single runs are slower than
        the hot min-of-k runs, but the proportions hold."""
        import json
        import os
        import tempfile

        runs = max(3, min(10, int(0.05 / max(latency_s, 1e-6))))
        with tempfile.TemporaryDirectory() as tmp:
            sess = self.session(data, profile_prefix=os.path.join(tmp, "p"))
            for _ in range(runs + 1):
                sess.run(None, feed)
            with open(sess.end_profiling(), encoding="utf-8") as f:
                events = json.load(f)
        reorder: dict[int, float] = {}
        total: dict[int, float] = {}
        run_starts = sorted(e["ts"] for e in events if e.get("name") == "model_run")
        for e in events:
            if e.get("cat") != "Node" or not e.get("name", "").endswith("_kernel_time"):
                continue
            index = sum(1 for t in run_starts if t <= e["ts"])
            total[index] = total.get(index, 0.0) + e["dur"]
            if e.get("args", {}).get("op_name", "").startswith("Reorder"):
                reorder[index] = reorder.get(index, 0.0) + e["dur"]
        if not reorder:
            return 0.0
        shares = [reorder.get(i, 0.0) / total[i] for i in range(2, len(run_starts) + 1)
                  if total.get(i)]  # run 1 is a warm-up
        return min(0.95, statistics.median(shares)) if shares else 0.0

    def time_callable(self, run_once) -> Measurement:
        """Warm up, then time `run_once` in rounds of min-of-k; repeat when noisy."""
        p = self.policy
        single = min(run_once() for _ in range(2))
        warm_end = time.perf_counter() + p.warmup_s
        while time.perf_counter() < warm_end:
            single = min(single, run_once())
        rounds = int(p.target_s / max(single * p.runs_per_round, 1e-7))
        rounds = max(p.min_rounds, min(p.max_rounds, rounds))

        best: Measurement | None = None
        for attempt in range(1, p.max_attempts + 1):
            load_before = load_average()
            times = [min(run_once() for _ in range(p.runs_per_round)) for _ in range(rounds)]
            load = max(load_before, load_average())
            median = statistics.median(times)
            q = statistics.quantiles(times, n=4, method="inclusive")
            spread = q[2] - q[0]
            status = STATUS_OK
            if median > 0 and spread / median > p.max_relative_spread:
                status = STATUS_NOISY
            elif load > self.load_limit:
                status = STATUS_LOADED
            m = Measurement(latency_s=median, spread_s=spread, rounds=rounds,
                            runs_per_round=p.runs_per_round, loadavg=load, timestamp=now(),
                            device=self.name, software=self.software(), status=status,
                            attempts=attempt)
            if best is None or _quality(m) < _quality(best):
                best = m
            # Repeat a noisy measurement; a clean one taken under load is kept (flagged):
            # on a shared machine the load average rarely drops below the limit.
            if status != STATUS_NOISY:
                break
            if attempt < p.max_attempts:
                time.sleep(p.retry_wait_s)
        assert best is not None
        best.attempts = attempt
        return best

    # -- description ---------------------------------------------------------------------
    def software(self) -> str:
        return f"onnxruntime {self._ort.__version__}"

    def provenance(self) -> dict[str, str]:
        """What the device is, how it was timed, and what its memory costs a layer inside
        a network that the layer's benchmark does not see (memory_probe.py)."""
        from explorer.benchmarking.devices.memory_probe import weight_fetch_cost

        p = self.policy
        return {
            "device": self.name,
            "device_kind": "cpu",
            "cpu_model": cpu_model_name(),
            "cpu_count": str(os.cpu_count()),
            "vector_width_fp32": str(vector_width_floats()),
            "threads": str(self.threads),
            "software": self.software(),
            "python": platform.python_version(),
            "timing": (f"min-of-{p.runs_per_round} per round, median over "
                       f"{p.min_rounds}-{p.max_rounds} rounds, max IQR/median "
                       f"{p.max_relative_spread}, load limit {self.load_limit:.2f}, "
                       f"{p.max_attempts} attempts"),
            **weight_fetch_cost(self.threads).provenance(),
        }

    def parallelism_hints(self) -> dict[str, list[int]]:
        v = vector_width_floats()
        channel_periods = [v, v // 2, 2 * v, 4]
        return {"out_channels": channel_periods, "in_channels": channel_periods,
                "n": channel_periods, "k": channel_periods, "m": [v, 4, 8],
                "in_w": [v, 8, 4], "in_h": [4, 2, 8]}


def _quality(m: Measurement) -> tuple[int, float]:
    rank = {STATUS_OK: 0, STATUS_LOADED: 1, STATUS_NOISY: 2}[m.status]
    return rank, m.relative_spread
