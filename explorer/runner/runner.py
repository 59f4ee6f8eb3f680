"""Measure the ONNX models of an accel-explorer plan on this machine: single layers
(`bench --plan-only`) or whole networks (`measure --plan-only`).

Needs only Python 3.9+, numpy and onnxruntime (any execution provider): copy this one
file to the device, or run `python -m explorer.runner` where the project is installed.

    python runner.py plan.json -o results.jsonl [--provider CUDAExecutionProvider]
                     [--warmup-s 0.05] [--rounds 9] [--runs-per-round 5]

Each configuration or network: a warm-up, then `rounds` rounds of the minimum of
`runs_per_round` runs; the result is the median over rounds with the inter-quartile range
as its spread. A network's graph is checked against the sha256 the plan gives for it
before anything is measured. The first line of the results file describes the device and
the software (a header); every further line is one result, written and flushed as soon
as it is measured. Running the same command again resumes: entries already in the
results file are skipped. Bring the file back and import it with
`accel-explorer bench import results.jsonl --into store.h5` (layers) or
`accel-explorer measure import results.jsonl --into measured.json` (networks).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import statistics
import sys
import time

PLAN_FORMAT = "accel-explorer plan"
RESULTS_FORMAT = "accel-explorer runner results"
FORMAT_VERSION = 1  # single-layer plans
NETWORK_FORMAT_VERSION = 2  # plans with `networks` (a runner that reads only 1 refuses them)
READS_VERSIONS = (FORMAT_VERSION, NETWORK_FORMAT_VERSION)
# What a network's result row repeats from its plan entry (`measure import` records it).
NETWORK_KEYS = ("network", "source", "sha256", "input_shapes", "input_shape_overrides")
NOISY_LIMIT = 0.05  # IQR / median above this: flagged "noisy"


class RunnerError(Exception):
    """A problem with the plan or the results file: reported in one line."""


def read_plan(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            plan = json.load(f)
    except (OSError, json.JSONDecodeError) as exc:
        raise RunnerError(f"{path}: not a readable plan ({exc})") from None
    if not isinstance(plan, dict) or plan.get("format") != PLAN_FORMAT:
        raise RunnerError(f"{path}: not an accel-explorer plan (format {plan.get('format')!r}"
                          if isinstance(plan, dict) else f"{path}: not an accel-explorer plan")
    if plan.get("format_version") not in READS_VERSIONS:
        raise RunnerError(f"{path}: plan format version {plan.get('format_version')}, this "
                          f"runner reads {', '.join(map(str, READS_VERSIONS))}")
    seen = set()
    for i, entry in enumerate(plan.get("configs", [])):
        if not isinstance(entry, dict) or not {"id", "model"} <= set(entry):
            raise RunnerError(f"{path}: plan entry {i} lacks `id` or `model`")
        if entry["id"] in seen:
            raise RunnerError(f"{path}: plan entry {entry['id']} appears twice")
        seen.add(entry["id"])
    for i, entry in enumerate(plan.get("networks", [])):
        if not isinstance(entry, dict) or not {"id", "model", "sha256"} <= set(entry):
            raise RunnerError(f"{path}: plan network {i} lacks `id`, `model` or `sha256`")
        if entry["id"] in seen:
            raise RunnerError(f"{path}: plan entry {entry['id']} appears twice")
        seen.add(entry["id"])
    return plan


def network_graph(path: str, entry: dict) -> bytes:
    """The network's ONNX graph, checked against the plan's sha256 (a plan cut or edited
    on its way to the device is refused rather than measured)."""
    try:
        data = base64.b64decode(entry["model"], validate=True)
    except (ValueError, TypeError):
        raise RunnerError(f"{path}: network {entry['id']} ({entry.get('network')}): "
                          "`model` is not base64") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise RunnerError(f"{path}: network {entry['id']} ({entry.get('network')}): graph "
                          f"sha256 {digest[:16]}... does not match the plan's "
                          f"{str(entry['sha256'])[:16]}...")
    return data


def done_ids(path: str, plan_id: str) -> set[str]:
    """Ids already measured in an earlier run of the same plan (resume); refuses a file
    written for another plan rather than mixing two plans."""
    if not os.path.exists(path):
        return set()
    _drop_cut_line(path)
    done: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise RunnerError(f"{path}:{number}: not JSON") from None
            if row.get("plan_id") != plan_id:
                raise RunnerError(f"{path}: written for plan {row.get('plan_id')!r}, not "
                                  f"{plan_id!r}; use another output file")
            if row.get("type") == "result":
                done.add(row["id"])
    return done


def _drop_cut_line(path: str) -> None:
    """A kill in the middle of a write leaves a last line without its newline: drop it
    (that configuration is measured again)."""
    with open(path, "rb+") as f:
        data = f.read()
        if data and not data.endswith(b"\n"):
            f.truncate(data.rfind(b"\n") + 1)


def device_description(ort, providers: list[str]) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    info = {"hostname": platform.node(), "platform": platform.platform(),
            "python": platform.python_version(), "cpu_model": cpu,
            "cpu_count": os.cpu_count(), "onnxruntime": ort.__version__,
            "onnxruntime_device": ort.get_device(), "providers": providers,
            "available_providers": ort.get_available_providers()}
    try:
        import numpy

        info["numpy"] = numpy.__version__
    except ImportError:  # pragma: no cover - onnxruntime needs numpy
        pass
    if "CUDAExecutionProvider" in providers:
        info["gpu"] = _nvidia_smi()
    return info


def _nvidia_smi() -> str:
    import subprocess

    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version",
                              "--format=csv,noheader"], capture_output=True, text=True,
                             timeout=10, check=False)
        return out.stdout.strip().splitlines()[0] if out.stdout.strip() else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def random_feed(session, np, shapes: dict | None = None) -> dict:
    """Random floats (zeros for integer and boolean inputs); `shapes` (a network plan's
    input shapes) override the graph's, whose dynamic dimensions are taken as 1."""
    types = {"tensor(float)": np.float32, "tensor(float16)": np.float16,
             "tensor(double)": np.float64, "tensor(int64)": np.int64,
             "tensor(int32)": np.int32, "tensor(uint8)": np.uint8, "tensor(int8)": np.int8,
             "tensor(bool)": np.bool_}
    rng = np.random.default_rng(0)
    feed = {}
    for value in session.get_inputs():
        shape = (shapes or {}).get(value.name)
        if shape is None:
            shape = [d if isinstance(d, int) and d > 0 else 1 for d in value.shape]
        dtype = types.get(value.type, np.float32)
        if np.issubdtype(dtype, np.floating):
            feed[value.name] = rng.standard_normal(shape).astype(dtype)
        else:
            feed[value.name] = np.zeros(shape, dtype=dtype)
    return feed


def time_session(session, feed, warmup_s: float, rounds: int, runs: int) -> dict:
    def once() -> float:
        start = time.perf_counter()
        session.run(None, feed)
        return time.perf_counter() - start

    once()
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        once()
    load_before = _load()
    times = sorted(min(once() for _ in range(runs)) for _ in range(rounds))
    median = statistics.median(times)
    if len(times) >= 4:
        q = statistics.quantiles(times, n=4, method="inclusive")
        spread = q[2] - q[0]
    else:
        spread = times[-1] - times[0]
    status = "noisy" if median > 0 and spread / median > NOISY_LIMIT else "ok"
    return {"latency_s": median, "spread_s": spread, "rounds": rounds,
            "runs_per_round": runs, "min_s": times[0], "max_s": times[-1],
            "loadavg": max(load_before, _load()), "status": status}


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="explorer.runner", description=__doc__.splitlines()[0])
    parser.add_argument("plan")
    parser.add_argument("-o", "--output", required=True, metavar="RESULTS.jsonl")
    parser.add_argument("--provider", default="CPUExecutionProvider",
                        help="onnxruntime execution provider (default: CPUExecutionProvider)")
    parser.add_argument("--threads", type=int, default=1,
                        help="intra-op threads (CPU provider; default 1)")
    parser.add_argument("--warmup-s", type=float, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--runs-per-round", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except RunnerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def run(args) -> int:
    import numpy as np
    import onnxruntime as ort

    plan = read_plan(args.plan)
    timing = plan.get("timing", {})
    warmup_s = args.warmup_s if args.warmup_s is not None else timing.get("warmup_s", 0.05)
    rounds = args.rounds or timing.get("rounds", 9)
    runs = args.runs_per_round or timing.get("runs_per_round", 5)
    if args.provider not in ort.get_available_providers():
        raise RunnerError(f"provider {args.provider!r} not available here; available: "
                          f"{', '.join(ort.get_available_providers())}")
    providers = [args.provider] + (["CPUExecutionProvider"]
                                   if args.provider != "CPUExecutionProvider" else [])
    plan_id = plan["plan_id"]
    networks = plan.get("networks", [])
    graphs = {e["id"]: network_graph(args.plan, e) for e in networks}  # all checked first
    done = done_ids(args.output, plan_id)
    entries = plan.get("configs", []) + networks
    todo = [e for e in entries if e["id"] not in done]
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    software = f"onnxruntime {ort.__version__} {args.provider}"
    with open(args.output, "a", encoding="utf-8") as out:
        if not done and out.tell() == 0:
            header = {"type": "header", "format": RESULTS_FORMAT,
                      "format_version": FORMAT_VERSION, "plan_id": plan_id,
                      "plan_device": plan.get("device"), "provider": args.provider,
                      "threads": args.threads, "software": software,
                      "timing": {"warmup_s": warmup_s, "rounds": rounds,
                                 "runs_per_round": runs},
                      "planned_ids": [e["id"] for e in entries],
                      "device": device_description(ort, providers)}
            out.write(json.dumps(header) + "\n")
            out.flush()
        for index, entry in enumerate(todo, 1):
            is_network = entry["id"] in graphs
            model = graphs[entry["id"]] if is_network else base64.b64decode(entry["model"])
            try:
                session = ort.InferenceSession(model, options, providers=providers)
                feed = random_feed(session, np, entry.get("input_shapes") if is_network
                                   else None)
                result = time_session(session, feed, warmup_s, rounds, runs)
            except Exception as exc:  # onnxruntime's own exception types
                result = {"status": "failed", "error": str(exc).splitlines()[0][:300]}
            row = {"type": "result", "plan_id": plan_id, "id": entry["id"]}
            if is_network:
                row.update({k: entry.get(k) for k in NETWORK_KEYS})
            else:
                row.update({"config": entry.get("config"),
                            "phase": entry.get("phase", "train")})
            row.update({"timestamp": time.time(), "software": software, **result})
            out.write(json.dumps(row) + "\n")
            out.flush()
            os.fsync(out.fileno())
            latency = result.get("latency_s", float("nan"))
            shown = (f"{entry.get('network')} {latency * 1e3:.2f} ms" if is_network
                     else f"{latency * 1e6:.1f} us")
            print(f"[{len(done) + index}/{len(entries)}] {entry['id']} {shown} "
                  f"{result['status']}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
