"""Training a latency model from a benchmark store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from explorer.benchmarking.campaign import iter_rows
from explorer.benchmarking.store import open_store
from explorer.errors import BenchmarkError
from explorer.learned.features import config_matrix
from explorer.learned.models import MODEL_KINDS


@dataclass
class TrainedModel:
    model: BaseEstimator
    metadata: dict[str, Any]


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def train_from_store(path: str | Path, *, kind: str = "pr", regressor: str = "extra_trees",
                     phases: tuple[str, ...] = ("sweep", "train"),
                     include_noisy: bool = False, max_rows: int | None = None,
                     seed: int = 0) -> TrainedModel:
    """Fit a model on the store's rows (clean measurements only unless `include_noisy`).
    `kind`: "pr" (featurizer with the store's step rules; none for a random campaign)
    or "annette" (ANNETTE's mixed model)."""
    if kind not in MODEL_KINDS:
        raise BenchmarkError(f"model kind {kind!r}; allowed: {', '.join(MODEL_KINDS)}")
    with open_store(path) as store:
        statuses = None if include_noisy else ("ok", "loaded")
        rows = list(iter_rows(store, phases=phases, statuses=statuses))
        campaign = store.campaign
        device = store.device
        provenance = store.provenance
    if max_rows is not None:
        rows = rows[:max_rows]
    if len(rows) < 5:
        raise BenchmarkError(f"{path}: only {len(rows)} usable rows (phases "
                             f"{', '.join(phases)}); benchmark more before training")
    rules = campaign.get("rules") or None
    block = block_from_provenance(provenance)
    X = config_matrix([c for c, _ in rows])
    y = np.array([t for _, t in rows])
    model = MODEL_KINDS[kind](rules=rules, regressor=regressor, block=block,
                              random_state=seed, **device_model_options(provenance, kind)
                              ).fit(X, y)
    metadata = {"device": device, "provenance": provenance, "model_kind": kind,
                "regressor": regressor, "rules": rules or [],
                "block": list(block) if block else None,
                "training_store": str(path), "training_store_sha256": file_sha256(path),
                "training_rows": len(rows), "strategy": campaign.get("strategy"),
                "budget": campaign.get("budget")}
    return TrainedModel(model, metadata)


def device_model_options(provenance: dict[str, str], kind: str = "pr") -> dict[str, Any]:
    """A GPU (a pool that names one): tile and wave features over its multiprocessors,
    and log latency as the target (batch-1 layers are launch- and wave-bound)."""
    if kind != "pr" or "sm_count" not in provenance:
        return {}
    try:
        return {"sms": int(provenance["sm_count"]), "target": "log", "trees": 200}
    except ValueError:
        return {}


def block_from_provenance(provenance: dict[str, str]) -> tuple[int, int] | None:
    """Device knowledge for the featurizer: a simulated accelerator's PE array (rows
    take the reduction, columns the outputs) or the CPU's fp32 vector width."""
    try:
        if provenance.get("device_kind") == "sim" and "pe_array" in provenance:
            rows, cols = (int(v) for v in provenance["pe_array"].split("x"))
            return rows, cols
        if provenance.get("device_kind") == "cpu" and "vector_width_fp32" in provenance:
            width = int(provenance["vector_width_fp32"])
            return width, width
    except ValueError:
        pass
    return None


def fit_network_model_for(trained: TrainedModel, paths: list[str | Path], *,
                          seed: int = 0):
    """The network model (explorer/learned/network_model.py) of `trained`'s layer model,
    fitted on the measured whole networks in `paths` (networks.jsonl or `measure --format
    json` files), each network seen through the device's fusion model as the
    statistical estimator will see it. With 3 networks or more, the leave-one-network-out
    MAPE and Spearman go into the model's `loo` entry of the metadata."""
    from explorer.learned.fusion import device_fusion_rules
    from explorer.learned.models import predict_configs
    from explorer.learned.network_model import (
        fit_network_model,
        load_measured_networks,
        loo_figures,
        raw_predictions,
    )

    rules = device_fusion_rules(str(trained.metadata.get("device", "")))
    networks = [n for p in paths for n in load_measured_networks(p, fusion_rules=rules)]
    names = [n.name for n in networks]
    if len(set(names)) != len(names):
        raise BenchmarkError(f"{', '.join(str(p) for p in paths)}: network "
                             f"{next(n for n in names if names.count(n) > 1)} given twice")
    try:
        sms = int(trained.metadata.get("provenance", {}).get("sm_count", 132))
    except ValueError:
        sms = 132
    raw = raw_predictions(networks, lambda configs: predict_configs(trained.model, configs)
                          * 1e6)
    model = fit_network_model(networks, raw, sms=sms, seed=seed)
    loo = None
    if len(networks) >= 3:
        figures = loo_figures(networks, raw, sms=sms, correction=model.correction, seed=seed)
        loo = {"mape": figures["mape"], "spearman": figures["spearman"],
               "networks": {r["network"]: r["error_pct"] for r in figures["networks"]}}
    return model, loo
