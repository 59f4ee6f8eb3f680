"""Whole networks on a device we cannot reach: plans out, measured latencies in.

`write_network_plan` embeds each network's ONNX graph (base64, with its sha256 and the
shapes of its inputs) in a plan that `explorer.runner` measures on the device, like a
layer plan. `import_network_results` checks the runner's results against the plan and
records the latencies in a *measured file*, one JSON file per device
(docs/bring-your-own-device.md describes it); `evaluate_measured` compares a statistical
model's whole-network estimates with them.

A measured file::

    {"format": "accel-explorer measured networks", "format_version": 1,
     "device": "remote:orin",
     "networks": {"squeezenet": {"latency_s": 0.0123, "spread_s": 0.0002, ...}},
     "runners": {"<plan id>": {"device": {...}, "software": "...", ...}}}

Every check runs before anything is written, and the file is replaced atomically: a
refused import leaves it as it was; a network already recorded is never overwritten.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from explorer.benchmarking.plans import (
    PLAN_FORMAT,
    read_plan,
    read_results,
    write_json_atomically,
)
from explorer.errors import BenchmarkError

NETWORK_FORMAT_VERSION = 2  # explorer.runner reads 1 (layers) and 2 (networks)
MEASURED_FORMAT = "accel-explorer measured networks"
MEASURED_FORMAT_VERSION = 1
NETWORK_TIMING = {"warmup_s": 0.2, "rounds": 9, "runs_per_round": 3}
RESULT_KEYS = ("latency_s", "spread_s", "min_s", "max_s", "rounds", "runs_per_round",
               "loadavg", "status", "timestamp", "software")


def network_name(source: str) -> str:
    from explorer.workload.zoo import canonical_zoo_name

    zoo = canonical_zoo_name(source) if not Path(source).exists() else None
    return zoo or Path(source).stem.removeprefix("light_")


def network_graph(source: str, input_shapes: dict[str, tuple[int, ...]] | None = None
                  ) -> tuple[bytes, dict[str, list[int]]]:
    """The graph the runner measures (weights that IR-3 files list as inputs become
    constants again, as `measure` does on this CPU) and the shape of every real input:
    `input_shapes` where given, else the graph's, dynamic dimensions taken as 1."""
    from explorer.benchmarking.measure import _strip_initializer_inputs
    from explorer.workload.onnx_import import read_model

    model = read_model(source)
    _strip_initializer_inputs(model)
    shapes: dict[str, list[int]] = {}
    for value in model.graph.input:
        given = (input_shapes or {}).get(value.name)
        if given is not None:
            shapes[value.name] = [int(d) for d in given]
            continue
        dims = value.type.tensor_type.shape.dim
        shapes[value.name] = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0
                              else 1 for d in dims]
    unknown = sorted(set(input_shapes or {}) - set(shapes))
    if unknown:
        raise BenchmarkError(f"{source}: --input-shape names no input of the network: "
                             f"{', '.join(unknown)} (inputs: {', '.join(shapes)})")
    return model.SerializeToString(), shapes


def write_network_plan(path: str | Path, device: str, sources: list[str], *,
                       input_shapes: dict[str, tuple[int, ...]] | None = None,
                       timing: dict | None = None) -> dict:
    """Write a plan measuring whole networks (zoo names or ONNX files); returns it."""
    if not sources:
        raise BenchmarkError("measure --plan-only needs at least one network")
    entries = []
    names: set[str] = set()
    for i, source in enumerate(sources):
        name = network_name(source)
        if name in names:
            raise BenchmarkError(f"{source}: network {name!r} named twice in one plan")
        names.add(name)
        data, shapes = network_graph(source, input_shapes)
        entries.append({"id": f"n{i:05d}", "network": name,
                        "source": source if not Path(source).exists()
                        else str(Path(source).resolve()),
                        "input_shapes": shapes,
                        "input_shape_overrides": {k: list(v) for k, v in
                                                  (input_shapes or {}).items() if k in shapes},
                        "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                        "model": base64.b64encode(data).decode("ascii")})
    text = json.dumps({"device": device, "networks": [
        {k: e[k] for k in ("network", "sha256", "input_shapes")} for e in entries]},
        sort_keys=True)
    plan = {"format": PLAN_FORMAT, "format_version": NETWORK_FORMAT_VERSION,
            "plan_id": hashlib.sha256(text.encode()).hexdigest()[:16], "device": device,
            "kind": "networks",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "timing": timing or NETWORK_TIMING, "configs": [], "networks": entries}
    write_json_atomically(path, plan)
    return plan


# -- the measured file ----------------------------------------------------------------------
def read_measured(path: str | Path) -> dict:
    """A measured file (see the module's docstring); refuses anything else in one line."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BenchmarkError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except json.JSONDecodeError as exc:
        raise BenchmarkError(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != MEASURED_FORMAT:
        raise BenchmarkError(f"{path}: not a measured-networks file (format "
                             f"{data.get('format') if isinstance(data, dict) else None!r})")
    if data.get("format_version") != MEASURED_FORMAT_VERSION:
        raise BenchmarkError(f"{path}: measured-networks format version "
                             f"{data.get('format_version')}, this version reads "
                             f"{MEASURED_FORMAT_VERSION}")
    if not isinstance(data.get("networks"), dict) or not data.get("device"):
        raise BenchmarkError(f"{path}: lacks `device` or `networks`")
    for name, entry in data["networks"].items():
        try:
            ok = float(entry["latency_s"]) > 0
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise BenchmarkError(f"{path}: network {name}: latency_s missing or not positive")
    return data


def _write_measured(path: str | Path, data: dict) -> None:
    write_json_atomically(path, data, indent=2)


def record_measurements(path: str | Path, device: str, entries: dict[str, dict],
                        runner: tuple[str, dict] | None = None) -> dict:
    """Add `entries` (network name -> measurement) to the measured file of `device`
    (created if missing). Refuses a file of another device and a network recorded with
    another graph; a network already recorded is kept as it is (counted)."""
    if Path(path).exists():
        data = read_measured(path)
        if data["device"] != device:
            raise BenchmarkError(f"{path}: measurements of device {data['device']}, not "
                                 f"{device}; use one file per device")
    else:
        data = {"format": MEASURED_FORMAT, "format_version": MEASURED_FORMAT_VERSION,
                "device": device, "networks": {}, "runners": {}}
    added = kept = 0
    for name, entry in entries.items():
        old = data["networks"].get(name)
        if old is not None:
            if old.get("sha256") and entry.get("sha256") and old["sha256"] != entry["sha256"]:
                raise BenchmarkError(f"{path}: network {name} is recorded with another graph "
                                     f"(sha256 {old['sha256'][:16]}..., now "
                                     f"{entry['sha256'][:16]}...); use another file")
            kept += 1  # never overwritten
            continue
        data["networks"][name] = entry
        added += 1
    if runner is not None:
        data.setdefault("runners", {})[runner[0]] = runner[1]
    _write_measured(path, data)
    return {"added": added, "already_recorded": kept}


def import_network_results(results_path: str | Path, measured_path: str | Path, *,
                           plan_path: str | Path | None = None,
                           partial: bool = False) -> dict:
    """Record a runner's whole-network results in a measured file. Checks everything
    first (plan id, graphs' sha256, duplicates, missing and unknown entries, device);
    a refused file changes nothing. Returns counts."""
    header, results = read_results(results_path)
    pid = header["plan_id"]
    device = header.get("plan_device")
    if not device:
        raise BenchmarkError(f"{results_path}: the header names no device (plan_device)")
    layer_rows = [r.get("id") for r in results if "network" not in r]
    if layer_rows:
        raise BenchmarkError(f"{results_path}: single-layer results ({layer_rows[0]}, ...): "
                             "import them with `bench import`")
    planned: list[str] | None = header.get("planned_ids")
    plan_networks: dict[str, dict] = {}
    if plan_path is not None:
        plan = read_plan(plan_path)
        if plan["plan_id"] != pid:
            raise BenchmarkError(f"{results_path}: results of plan {pid}, not of {plan_path} "
                                 f"(plan {plan['plan_id']})")
        plan_networks = {e["id"]: e for e in plan.get("networks", [])}
        planned = list(plan_networks)
    got = {r["id"]: r for r in results}
    if planned is not None:
        unknown = sorted(set(got) - set(planned))
        if unknown:
            raise BenchmarkError(f"{results_path}: entries not in the plan: "
                                 f"{', '.join(unknown[:5])}")
        missing = [i for i in planned if i not in got]
        if missing and not partial:
            raise BenchmarkError(f"{results_path}: {len(missing)} of {len(planned)} planned "
                                 "networks missing; run the runner again (it resumes) or "
                                 "import with --partial")
    else:
        missing = []
    for r in results:
        expected = plan_networks.get(r["id"])
        if expected is not None and (r.get("sha256") != expected["sha256"]
                                     or r.get("network") != expected["network"]):
            raise BenchmarkError(f"{results_path}: {r['id']} measured graph "
                                 f"{str(r.get('sha256'))[:16]}... ({r.get('network')}), the "
                                 f"plan's is {expected['sha256'][:16]}... "
                                 f"({expected['network']})")
    entries: dict[str, dict] = {}
    failed = 0
    for r in results:
        if r.get("status") == "failed":
            failed += 1
            continue
        try:
            latency = float(r["latency_s"])
        except (KeyError, TypeError, ValueError):
            raise BenchmarkError(f"{results_path}: result {r.get('id')}: latency_s missing "
                                 "or not a number") from None
        if not latency > 0:
            raise BenchmarkError(f"{results_path}: result {r.get('id')}: latency_s "
                                 f"{latency} <= 0")
        if not r.get("network") or not r.get("sha256"):
            raise BenchmarkError(f"{results_path}: result {r.get('id')}: lacks `network` or "
                                 "`sha256`")
        if r["network"] in entries:
            raise BenchmarkError(f"{results_path}: network {r['network']} appears twice")
        entries[r["network"]] = {
            **{k: r[k] for k in RESULT_KEYS if k in r}, "sha256": r["sha256"],
            "input_shapes": r.get("input_shapes"), "source": r.get("source") or r["network"],
            **({"input_shape_overrides": r["input_shape_overrides"]}
               if r.get("input_shape_overrides") else {}),
            "plan_id": pid}
    runner = (pid, {k: header.get(k) for k in ("device", "software", "provider", "threads",
                                                 "timing")})
    counts = record_measurements(measured_path, device, entries, runner)
    return {**counts, "missing": len(missing), "failed": failed, "device": device}


# -- evaluation against a model -------------------------------------------------------------
def evaluate_measured(measured_path: str | Path, model_path: str | Path, *,
                      networks: list[str] | None = None, arch: str = "gemmini",
                      check_graphs: bool = True) -> dict[str, Any]:
    """A statistical model's whole-network estimates against the measured latencies:
    per-network error, MAPE and Spearman rank correlation."""
    import numpy as np

    from explorer.benchmarking.evaluate import spearman
    from explorer.estimators.registry import get_estimator
    from explorer.hardware.library import load_accelerator
    from explorer.workload import load_network

    measured = read_measured(measured_path)
    estimator = get_estimator("statistical", model=model_path)
    model_device = str(estimator.metadata.get("device", ""))
    if model_device != measured["device"]:
        raise BenchmarkError(f"{measured_path}: measurements of device {measured['device']}, "
                             f"but model {model_path} is for {model_device or 'no device'}")
    names = networks or sorted(measured["networks"])
    absent = [n for n in names if n not in measured["networks"]]
    if absent:
        raise BenchmarkError(f"{measured_path}: no measurement of {', '.join(absent)} "
                             f"(measured: {', '.join(sorted(measured['networks']))})")
    if not names:
        raise BenchmarkError(f"{measured_path}: no networks measured")
    accelerator = load_accelerator(arch)
    rows = []
    for name in names:
        entry = measured["networks"][name]
        source = entry.get("source", name)
        overrides = {k: tuple(v) for k, v in (entry.get("input_shape_overrides") or {}).items()}
        if check_graphs and entry.get("sha256"):
            data, _ = network_graph(source, overrides)
            digest = hashlib.sha256(data).hexdigest()
            if digest != entry["sha256"]:
                raise BenchmarkError(f"{measured_path}: network {name}: the graph of {source} "
                                     f"(sha256 {digest[:16]}...) is not the one measured "
                                     f"({entry['sha256'][:16]}...)")
        estimate = estimator.estimate(load_network(source, input_shapes=overrides),
                                      accelerator)
        truth = float(entry["latency_s"])
        rows.append({"network": name, "measured_s": truth,
                     "measured_spread_s": entry.get("spread_s"),
                     "estimate_s": estimate.latency_s,
                     "error_pct": round((estimate.latency_s - truth) / truth * 100, 4)})
    ape = [abs(r["error_pct"]) for r in rows]
    return {"device": measured["device"], "measured": str(measured_path),
            "model": str(model_path), "model_metadata": {
                k: estimator.metadata.get(k) for k in ("device", "budget", "training_rows")
                if k in estimator.metadata},
            "networks": rows, "network_mape_pct": round(float(np.mean(ape)), 4),
            "network_spearman": spearman([r["measured_s"] for r in rows],
                                         [r["estimate_s"] for r in rows])
            if len(rows) >= 2 else None}
