"""Evaluation of the PR method on a device: single-layer MAPE on held-out random
configurations and on the layers of the zoo networks, whole-network MAPE and Spearman
rank fidelity over the zoo, and PR against random sampling (and ANNETTE's mixed model)
at equal budgets, as a curve over budgets.

All measurements go through a cache store (one HDF5 file per device), so the curve's
campaigns share what they have in common and an interrupted evaluation resumes.

On a real machine (`cpu`) each network also gets the sum of its layers as measured alone
(`layers_alone_s`: what a perfect layer model would estimate), and the final figures are
given a second time with every latency divided by the machine's speed index at its
moment (`speed_normalized`, speed_reference.py), with a drift check: a shared VM changes
speed by more than the targets while an evaluation runs.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from explorer.benchmarking.campaign import Campaign, iter_rows
from explorer.benchmarking.devices.base import Device, Measurement
from explorer.benchmarking.space import random_configs
from explorer.benchmarking.speed_reference import SpeedReference
from explorer.benchmarking.store import BenchmarkStore
from explorer.benchmarking.training import block_from_provenance
from explorer.learned.configs import LayerConfig, config_from_layer
from explorer.learned.features import config_matrix
from explorer.learned.models import AnnetteMixedModel, PRLatencyModel

ZOO = ("resnet50", "vgg19", "densenet121", "inception_v1", "inception_v2", "alexnet",
       "squeezenet", "shufflenet", "zfnet512")
TEST_SEED = 999  # held-out configurations: a seed no campaign uses
Log = Callable[[str], None]


class CachedDevice(Device):
    """A device whose measurements are kept in (and reused from) a cache store."""

    def __init__(self, device: Device, cache: BenchmarkStore) -> None:
        self.device = device
        self.cache = cache
        self.name = device.name
        self.deterministic = device.deterministic  # type: ignore[misc]
        self.wall_s: dict[tuple, float] = {}  # measuring time of what this run measured
        self.before_measuring: Callable[[], None] | None = None  # e.g. a speed reference

    def measure(self, config: LayerConfig) -> Measurement:
        row = self.cache.lookup(config)
        if row is not None:
            r = {k: self.cache.column(k)[row] for k in ("latency_s", "spread_s", "rounds",
                                                        "runs_per_round", "loadavg",
                                                        "timestamp", "status", "attempts",
                                                        "software", "excluded_s")}
            return Measurement(latency_s=float(r["latency_s"]), spread_s=float(r["spread_s"]),
                               rounds=int(r["rounds"]), runs_per_round=int(r["runs_per_round"]),
                               loadavg=float(r["loadavg"]), timestamp=float(r["timestamp"]),
                               device=self.name, software=str(r["software"]),
                               status=str(r["status"]), attempts=int(r["attempts"]),
                               excluded_s=float(r["excluded_s"]))
        if self.before_measuring is not None:
            self.before_measuring()
        start = time.perf_counter()
        m = self.device.measure(config)
        self.wall_s[config.key()] = time.perf_counter() - start
        self.cache.append(config, m, "cache")
        return m

    def provenance(self) -> dict[str, str]:
        return self.device.provenance()

    def parallelism_hints(self) -> dict[str, list[int]]:
        return self.device.parallelism_hints()

    def supported_kinds(self) -> tuple[str, ...]:
        return self.device.supported_kinds()


def errors(pred: np.ndarray, truth: np.ndarray, kinds: Sequence[str] | None = None) -> dict[str, Any]:
    """MAPE and friends, over samples whose truth is not 0 (MAPE is undefined there)."""
    pred = np.asarray(pred, dtype=float)
    truth = np.asarray(truth, dtype=float)
    ok = truth > 0
    ape = np.abs(pred[ok] - truth[ok]) / truth[ok]
    out: dict[str, Any] = {"n": int(ok.sum()), "zero_truth_excluded": int((~ok).sum()),
                           "mape_pct": _pct(ape.mean()) if len(ape) else None,
                           "median_ape_pct": _pct(np.median(ape)) if len(ape) else None,
                           "p90_ape_pct": _pct(np.percentile(ape, 90)) if len(ape) else None}
    if kinds is not None:
        k = np.asarray(kinds)[ok]
        out["mape_pct_by_kind"] = {str(kind): _pct(ape[k == kind].mean())
                                   for kind in np.unique(k)}
    return out


def calibration(model, configs: Sequence[LayerConfig], truth: np.ndarray,
                coverage: float = 0.9) -> dict[str, Any] | None:
    """How often measured values fall inside the model's central `coverage` interval
    (the trees' spread): 0.9 for a calibrated model, less for an overconfident one."""
    if not hasattr(model, "predict_interval") or not len(truth):
        return None
    low, high = model.predict_interval(config_matrix(configs), coverage)
    inside = (truth >= low) & (truth <= high)
    return {"nominal": coverage, "share_inside": round(float(inside.mean()), 4),
            "median_width_pct": _pct(float(np.median((high - low) / np.maximum(truth, 1e-15))))}


def _pct(x: float) -> float:
    return round(float(x) * 100, 4)


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    return round(float(spearmanr(a, b).statistic), 4)


@dataclass
class Evaluation:
    device: Device
    cache_path: Path
    budgets: Sequence[int]
    test_size: int = 500
    networks: Sequence[str] = ZOO
    seed: int = 0
    regressor: str = "extra_trees"
    log: Log = field(default=lambda s: None)
    _cached: CachedDevice | None = None

    # -- pieces -----------------------------------------------------------------------------
    def measured(self, configs: Sequence[LayerConfig], what: str) -> np.ndarray:
        out = []
        for i, c in enumerate(configs):
            out.append(self._cached.measure(c).latency_s)
            if (i + 1) % 50 == 0 or i + 1 == len(configs):
                self.log(f"{what}: {i + 1}/{len(configs)}")
        return np.array(out)

    def campaign_rows(self, strategy: str, budget: int, seed: int) -> tuple[list, list, dict]:
        """Run a campaign through the cache into a throw-away store; its rows and rules."""
        with tempfile.TemporaryDirectory() as tmp, BenchmarkStore(
                Path(tmp) / "c.h5", device=self.device.name,
                provenance=self.device.provenance(), commit_every=10**9,
                commit_interval_s=1e9) as store:
            Campaign(self._cached, store, strategy, budget, seed=seed).run()
            rows = list(iter_rows(store, statuses=("ok", "loaded")))
            campaign = store.campaign
        return [c for c, _ in rows], [t for _, t in rows], campaign

    def fit(self, kind: str, configs, latencies, rules, device_knowledge: bool = True) -> Any:
        block = block_from_provenance(self.device.provenance()) if device_knowledge else None
        cls = {"pr": PRLatencyModel, "annette": AnnetteMixedModel}[kind]
        return cls(rules=rules or None, regressor=self.regressor, block=block,
                   random_state=self.seed).fit(config_matrix(configs), np.array(latencies))

    # -- the protocol ---------------------------------------------------------------------------
    def run(self, network_truth: Callable[[str], float], estimate_network) -> dict[str, Any]:
        started = time.time()
        report: dict[str, Any] = {
            "device": self.device.name, "provenance": self.device.provenance(),
            "regressor": self.regressor, "seed": self.seed, "budgets": list(self.budgets),
            "host": platform.node(), "started_utc": time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "loadavg_start": os.getloadavg()[0]}
        speed = None
        if self.device.name.startswith("cpu"):  # a real machine, which may drift
            speed = SpeedReference(self.device, self.cache_path.with_suffix(".speed.json"))
        with BenchmarkStore(self.cache_path, device=self.device.name,
                            provenance=self.device.provenance()) as cache:
            self._cached = CachedDevice(self.device, cache)
            if speed is not None:
                self._cached.before_measuring = speed.maybe_measure
            test = random_configs(self.test_size, TEST_SEED)
            test_truth = self.measured(test, "held-out test set")
            test_kinds = [c.kind for c in test]

            curve = []
            final = None
            for budget in sorted(self.budgets):
                self.log(f"budget {budget}: PR campaign")
                t0 = time.perf_counter()
                pr_c, pr_t, campaign = self.campaign_rows("pr", budget, self.seed)
                pr_wall = time.perf_counter() - t0
                rules = campaign.get("rules")
                self.log(f"budget {budget}: random campaign")
                rnd_c, rnd_t, _ = self.campaign_rows("random", budget, self.seed + 2)
                pr_model = self.fit("pr", pr_c, pr_t, rules)
                # The baseline: the same regressor on a random sample, without the PR
                # method's knowledge (no step rules, no device blocks).
                rnd_model = self.fit("pr", rnd_c, rnd_t, None, device_knowledge=False)
                # The sampling effect alone: random sample, PR featurizer.
                rnd_pr_model = self.fit("pr", rnd_c, rnd_t, rules)
                annette = self.fit("annette", pr_c, pr_t, rules)
                point = {
                    "budget": budget, "pr_samples": len(pr_c), "random_samples": len(rnd_c),
                    "step_rules": rules,
                    "pr": errors(pr_model.predict(config_matrix(test)), test_truth, test_kinds),
                    "random": errors(rnd_model.predict(config_matrix(test)), test_truth,
                                     test_kinds),
                    "random_with_pr_features": errors(
                        rnd_pr_model.predict(config_matrix(test)), test_truth, test_kinds),
                    "annette_mixed": errors(annette.predict(config_matrix(test)), test_truth,
                                            test_kinds),
                    "pr_campaign_wall_s_this_run": round(pr_wall, 1)}
                curve.append(point)
                self.log(f"budget {budget}: test MAPE PR {point['pr']['mape_pct']}% random "
                         f"{point['random']['mape_pct']}% random+PR features "
                         f"{point['random_with_pr_features']['mape_pct']}% ANNETTE "
                         f"{point['annette_mixed']['mape_pct']}%")
                final = (budget, pr_model, rules)  # budgets ascend: the last is the largest
            report["curve"] = curve
            report["pr_better_than_random_at_every_budget"] = all(
                p["pr"]["mape_pct"] < p["random"]["mape_pct"] for p in curve)
            report["pr_sampling_better_than_random_sampling_at_every_budget"] = all(
                p["pr"]["mape_pct"] < p["random_with_pr_features"]["mape_pct"] for p in curve)

            budget, model, rules = final
            report["final"] = {"budget": budget, "test_layers": curve[-1]["pr"],
                               "calibration": calibration(model, test, test_truth)}
            zoo_layers, owners = self.zoo_layers()
            zoo_truth = self.measured(zoo_layers, "zoo layers")
            report["final"]["zoo_layers"] = errors(model.predict(config_matrix(zoo_layers)),
                                                   zoo_truth, [c.kind for c in zoo_layers])
            report["final"]["zoo_layers"]["distinct_configs"] = len(zoo_layers)

            provenance = self.device.provenance()
            nets = []
            for name in self.networks:
                self.log(f"network {name}")
                around = speed.measure_now() if speed is not None else None
                truth = network_truth(name)
                if speed is not None:
                    around = (around + speed.measure_now()) / 2
                pred = estimate_network(name, model, rules, budget)
                oracle = self.layers_alone_s(name, zoo_layers, owners, provenance)
                nets.append({"network": name, "truth_s": truth, "estimate_s": pred,
                             "error_pct": _pct((pred - truth) / truth), "measured_at": around,
                             "layers_alone_s": oracle,
                             "layers_alone_error_pct": _pct((oracle - truth) / truth)})
            report["final"]["networks"] = nets
            ape = [abs(n["error_pct"]) for n in nets]
            report["final"]["network_mape_pct"] = round(float(np.mean(ape)), 4)
            report["final"]["network_spearman"] = spearman([n["truth_s"] for n in nets],
                                                           [n["estimate_s"] for n in nets])
            # What a perfect layer model would give: the remaining error is the network's.
            report["final"]["layers_alone_network_mape_pct"] = round(float(np.mean(
                [abs(n["layers_alone_error_pct"]) for n in nets])), 4)
            if speed is not None:
                report["final"]["drift"] = self.drift(zoo_layers)
                report["final"]["speed_normalized"] = self.normalized(
                    speed, (pr_c, rules, budget), test, zoo_layers, nets, estimate_network)
            report["cache_rows"] = len(cache)
        report["wall_s"] = round(time.time() - started, 1)
        report["loadavg_end"] = os.getloadavg()[0]
        return report

    def layers_alone_s(self, name: str, configs: Sequence[LayerConfig], owners: dict,
                       provenance: dict[str, str]) -> float:
        """The network's layers as measured alone (the cache), each plus what its weights
        cost inside a network (learned/weight_fetch.py): the estimate of a perfect layer
        model. `configs` and `owners` as `zoo_layers` gives them."""
        from explorer.learned.weight_fetch import weight_fetch_s

        total = 0.0
        for c in configs:
            uses = sum(1 for owner in owners[c.key()] if owner.split("/", 1)[0] == name)
            if uses:
                alone = self._cached.measure(c).latency_s
                total += uses * (alone + weight_fetch_s(4 * c.weight_elems, provenance, alone))
        return total

    def normalized(self, speed: SpeedReference, campaign, test, zoo, nets,
                   estimate_network) -> dict[str, Any]:
        """The final figures with every latency divided by the machine's speed index at
        its moment (speed_reference.py): the model's error without the machine's drift.
        Measurements with no reference point near them are left out and counted."""
        configs, rules, budget = campaign

        def scaled(cs):
            """The configurations with an index near their measurement, and their
            latencies divided by it."""
            kept, latencies = [], []
            for c in cs:
                m = self._cached.measure(c)
                if i := speed.index_at(m.timestamp):
                    kept.append(c)
                    latencies.append(m.latency_s / i)
            return kept, np.array(latencies)

        train_c, train_t = scaled(configs)
        if len(train_c) < 5:
            return {"used": False, "reason": "too few measurements near a reference point"}
        model = self.fit("pr", train_c, train_t, rules)
        out: dict[str, Any] = {"used": True, "reference": speed.summary(),
                               "training_rows": len(train_c),
                               "training_rows_left_out": len(configs) - len(train_c)}
        for what, cs in (("test_layers", test), ("zoo_layers", zoo)):
            kept, truth = scaled(cs)
            out[what] = errors(model.predict(config_matrix(kept)), truth,
                               [c.kind for c in kept]) if kept else None
        rows = []
        for n in nets:
            i = speed.index_at(n["measured_at"]) if n.get("measured_at") else None
            if not i:
                continue
            pred = estimate_network(n["network"], model, rules, budget)
            truth = n["truth_s"] / i
            rows.append({"network": n["network"], "speed_index": round(i, 4),
                         "truth_s": truth, "estimate_s": pred,
                         "error_pct": _pct((pred - truth) / truth)})
        out["networks"] = rows
        if rows:
            out["network_mape_pct"] = round(float(np.mean([abs(r["error_pct"]) for r in rows])), 4)
            out["network_spearman"] = spearman([r["truth_s"] for r in rows],
                                               [r["estimate_s"] for r in rows])
        return out

    def drift(self, configs: Sequence[LayerConfig], count: int = 30) -> dict[str, Any]:
        """Did the machine change speed while the evaluation ran? `count` zoo layers
        measured again now against their cached measurements, which may be from the
        start of this run or from an earlier one (a shared VM ran resnet50 28 % faster two
        hours later: docs/validation/pr.md)."""
        step = max(1, len(configs) // count)
        sample = list(configs)[::step][:count]
        ratios, stamps = [], []
        for c in sample:
            cached = self._cached.measure(c)
            fresh = self.device.measure(c)
            if cached.latency_s > 0:
                ratios.append(fresh.latency_s / cached.latency_s)
                stamps.append(cached.timestamp)
        return {"layers": len(ratios),
                "median_now_over_cached": round(float(np.median(ratios)), 4) if ratios else None,
                "cached_hours_ago": (round((time.time() - float(np.median(stamps))) / 3600, 2)
                                     if stamps else None)}

    def zoo_layers(self) -> tuple[list[LayerConfig], dict]:
        """Distinct benchmark configurations of the zoo networks' layers after the device's
        fusion model."""
        from explorer.learned.fusion import device_fusion_rules
        from explorer.workload import load_network
        from explorer.workload.fusion import apply_fusion

        rules = device_fusion_rules(self.device.name)
        seen: dict[tuple, LayerConfig] = {}
        owners: dict[tuple, list[str]] = {}
        for name in self.networks:
            net = apply_fusion(load_network(name), rules)
            for layer in net.layers:
                try:
                    c = config_from_layer(layer)
                except Exception:
                    c = None
                if c is not None:
                    seen.setdefault(c.key(), c)
                    owners.setdefault(c.key(), []).append(f"{name}/{layer.name}")
        return list(seen.values()), owners


def network_truth_fn(device: Device, log: Log) -> Callable[[str], float]:
    """Whole-network ground truth: `measure` on the CPU, the reference simulator on a
    simulated accelerator."""
    from explorer.workload import load_network

    if device.name.startswith("cpu"):
        from explorer.benchmarking.measure import measure_network

        threads = getattr(device, "threads", 1)

        def measured(name: str) -> float:
            m = measure_network(name, threads=threads)
            log(f"  {name}: measured {m.latency_s * 1e3:.2f} ms (IQR {m.spread_s * 1e3:.2f} ms, "
                f"load {m.loadavg:.2f}, {m.status})")
            return m.latency_s

        return measured

    estimator = device.estimator  # type: ignore[attr-defined]
    accelerator = device.accelerator  # type: ignore[attr-defined]

    def simulated(name: str) -> float:
        return estimator.estimate(load_network(name), accelerator).latency_s

    return simulated


def network_estimate_fn(device: Device) -> Callable[..., float]:
    """The `statistical` estimator with a given model, through a saved model file (the
    same path a user takes)."""
    from explorer.estimators.registry import get_estimator
    from explorer.hardware.library import load_accelerator
    from explorer.learned.model_files import save_model
    from explorer.workload import load_network

    accelerator = getattr(device, "accelerator", None) or load_accelerator("gemmini")
    cache: dict[int, Any] = {}

    def estimate(name: str, model, rules, budget: int) -> float:
        if id(model) not in cache:
            tmp = Path(tempfile.mkdtemp()) / "model.skops"
            save_model(model, tmp, {"device": device.name, "provenance": device.provenance(),
                                    "rules": rules or [], "budget": budget})
            cache.clear()
            cache[id(model)] = get_estimator("statistical", model=tmp)
        return cache[id(model)].estimate(load_network(name), accelerator).latency_s

    return estimate
