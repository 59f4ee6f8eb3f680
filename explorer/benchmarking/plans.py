"""Benchmarking a device we cannot reach: plans out, results in.

`write_plan` turns a campaign's next configurations into a plan file holding each
layer's ONNX model (weights made on the device by `ConstantOfShape`, which onnxruntime
folds into constants before choosing kernels, so the file stays small and the layer runs
as it would with real weights). `explorer.runner` measures a plan anywhere onnxruntime
runs; `import_results` checks a results file against the plan it was made for and
appends it to a benchmark store. A campaign proceeds in rounds (plan → measure → import →
next plan) because PR selection needs the sweeps' results first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from explorer.benchmarking.devices.base import STATUS_NOISY, STATUS_OK, Measurement
from explorer.benchmarking.layer_models import build_model
from explorer.benchmarking.store import BenchmarkStore
from explorer.errors import BenchmarkError
from explorer.learned.configs import LayerConfig

PLAN_FORMAT = "accel-explorer plan"
RESULTS_FORMAT = "accel-explorer runner results"
FORMAT_VERSION = 1
SMALL_TENSOR = 64  # initializers up to this many elements stay in the file
DEFAULT_TIMING = {"warmup_s": 0.05, "rounds": 9, "runs_per_round": 5}


def compact_model(config: LayerConfig) -> bytes:
    """The layer's ONNX model with every large weight replaced by a ConstantOfShape."""
    model, _ = build_model(config)
    graph = model.graph
    keep, made = [], []
    for init in graph.initializer:
        array = numpy_helper.to_array(init)
        if array.size <= SMALL_TENSOR:
            keep.append(init)
            continue
        shape = numpy_helper.from_array(np.array(array.shape, dtype=np.int64), f"{init.name}_shape")
        value = helper.make_tensor("value", onnx.TensorProto.FLOAT, [1], [0.01])
        keep.append(shape)
        made.append(helper.make_node("ConstantOfShape", [shape.name], [init.name],
                                     name=f"{init.name}_fill", value=value))
    del graph.initializer[:]
    graph.initializer.extend(keep)
    nodes = made + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    return model.SerializeToString()


def plan_id(device: str, entries: list[dict]) -> str:
    text = json.dumps({"device": device, "configs": [e["config"] for e in entries]},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_plan(path: str | Path, device: str, planned: list[tuple[LayerConfig, str]],
               campaign: dict[str, Any], store: str | None = None,
               timing: dict | None = None) -> dict:
    """Write the plan for `planned` (configuration, phase) pairs; returns it."""
    entries = [{"id": f"c{i:05d}", "phase": phase, "config": config.as_dict(),
                "describe": config.describe(),
                "model": base64.b64encode(compact_model(config)).decode("ascii")}
               for i, (config, phase) in enumerate(planned)]
    plan = {"format": PLAN_FORMAT, "format_version": FORMAT_VERSION,
            "plan_id": plan_id(device, entries), "device": device, "store": store,
            "campaign": campaign,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "timing": timing or DEFAULT_TIMING, "configs": entries}
    write_json_atomically(path, plan)
    return plan


def write_json_atomically(path: str | Path, data: Any, indent: int | None = None) -> None:
    """Write `data` as JSON through a temporary file and a rename, so a reader (or a
    kill) never sees half a file; a path that cannot be written is one line."""
    tmp = Path(f"{path}.tmp")
    try:
        tmp.write_text(json.dumps(data, indent=indent) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise BenchmarkError(f"{path}: cannot write ({exc.strerror or exc})") from None


def read_plan(path: str | Path) -> dict:
    try:
        plan = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BenchmarkError(f"{path}: not a readable plan ({exc})") from None
    if not isinstance(plan, dict) or plan.get("format") != PLAN_FORMAT:
        raise BenchmarkError(f"{path}: not an accel-explorer plan")
    return plan


def read_results(path: str | Path) -> tuple[dict, list[dict]]:
    """(header, results) of a runner results file; refuses a file without a header,
    with rows from several plans or with a configuration twice."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BenchmarkError(f"{path}: cannot read ({exc.strerror})") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            raise BenchmarkError(f"{path}:{number}: not JSON") from None
    if not rows or rows[0].get("type") != "header" or rows[0].get("format") != RESULTS_FORMAT:
        raise BenchmarkError(f"{path}: not a results file of explorer.runner (no header)")
    header = rows[0]
    results = [r for r in rows[1:] if r.get("type") == "result"]
    plans = {r.get("plan_id") for r in rows}
    if len(plans) != 1:
        raise BenchmarkError(f"{path}: rows from {len(plans)} plans ({', '.join(map(str, sorted(plans, key=str)))})")
    seen: set[str] = set()
    for r in results:
        if r.get("id") in seen:
            raise BenchmarkError(f"{path}: configuration {r.get('id')} appears twice")
        seen.add(r.get("id"))
    return header, results


def import_results(results_path: str | Path, store_path: str | Path, *,
                   plan_path: str | Path | None = None, partial: bool = False) -> dict:
    """Append a runner's results to the store the plan was made for. Checks first,
    writes after: a refused file changes nothing. Returns counts."""
    header, results = read_results(results_path)
    pid = header["plan_id"]
    networks = [r.get("id") for r in results if "network" in r]
    if networks:
        raise BenchmarkError(f"{results_path}: whole-network results ({networks[0]}, ...): "
                             "import them with `measure import`")
    plan = read_plan(plan_path) if plan_path else None
    if plan is not None and plan["plan_id"] != pid:
        raise BenchmarkError(f"{results_path}: results of plan {pid}, not of {plan_path} "
                             f"(plan {plan['plan_id']})")
    # Everything is parsed before the store is opened: a bad row changes nothing.
    parsed = [(_config(r, results_path), _measurement(r, header, results_path),
               str(r.get("phase", "train"))) for r in results if r.get("status") != "failed"]
    if not Path(store_path).exists() and plan is None:
        raise BenchmarkError(f"{store_path}: no such store; give the plan (--plan FILE) to "
                             "import into a new one")
    with BenchmarkStore(store_path, device=header.get("plan_device") or None,
                        provenance=_provenance(header)) as store:
        pending = store.campaign.get("pending_plan")
        if plan is None and pending and pending.get("plan_id") != pid:
            raise BenchmarkError(f"{results_path}: results of plan {pid}, but "
                                 f"{store_path} waits for plan {pending.get('plan_id')}")
        expected = (plan or {}).get("configs") or (pending or {}).get("ids")
        expected_ids = [e["id"] if isinstance(e, dict) else e for e in expected or []]
        got = {r["id"] for r in results}
        unknown = sorted(got - set(expected_ids)) if expected_ids else []
        if unknown:
            raise BenchmarkError(f"{results_path}: configurations not in the plan: "
                                 f"{', '.join(unknown[:5])}")
        missing = [i for i in expected_ids if i not in got]
        if missing and not partial:
            raise BenchmarkError(f"{results_path}: {len(missing)} of {len(expected_ids)} "
                                 "planned configurations missing; run the runner again (it "
                                 "resumes) or import with --partial")
        added = skipped = 0
        for config, measurement, phase in parsed:
            if store.lookup(config) is not None:
                skipped += 1  # already in the store: never overwritten
                continue
            store.append(config, measurement, phase)
            added += 1
        campaign = dict(store.campaign)
        # What measured them: the runner's description of the device and its software.
        campaign.setdefault("runners", {})[pid] = {k: header.get(k) for k in (
            "device", "software", "provider", "threads", "timing")}
        if pending and pending.get("plan_id") == pid and not missing:
            campaign.pop("pending_plan", None)
        store.set_campaign(campaign)
    return {"added": added, "already_stored": skipped, "missing": len(missing),
            "failed": sum(1 for r in results if r.get("status") == "failed")}


def _config(row: dict, path) -> LayerConfig:
    from explorer.learned.configs import config_from_row

    try:
        return config_from_row(row["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BenchmarkError(f"{path}: result {row.get('id')}: bad configuration ({exc})"
                             ) from None


def _measurement(row: dict, header: dict, path) -> Measurement:
    try:
        latency = float(row["latency_s"])
        spread = float(row.get("spread_s", 0.0))
    except (KeyError, TypeError, ValueError):
        raise BenchmarkError(f"{path}: result {row.get('id')}: latency_s missing or not a "
                             "number") from None
    if not latency > 0:
        raise BenchmarkError(f"{path}: result {row.get('id')}: latency_s {latency} <= 0")
    return Measurement(latency_s=latency, spread_s=spread, rounds=int(row.get("rounds", 1)),
                       runs_per_round=int(row.get("runs_per_round", 1)),
                       loadavg=float(row.get("loadavg", float("nan"))),
                       timestamp=float(row.get("timestamp", time.time())),
                       device=str(header.get("plan_device")),
                       software=str(row.get("software", header.get("software", ""))),
                       status=STATUS_NOISY if row.get("status") == "noisy" else STATUS_OK)


def _provenance(header: dict) -> dict[str, str]:
    device = header.get("device", {})
    out = {"device": str(header.get("plan_device")), "device_kind": "remote",
           "software": str(header.get("software", "")), "runner_provider":
           str(header.get("provider", "")), "timing": json.dumps(header.get("timing", {}))}
    out.update({f"runner.{k}": str(v) for k, v in device.items()})
    return out
