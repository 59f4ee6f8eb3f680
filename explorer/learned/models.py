"""Statistical latency models (scikit-learn estimators) and their safe files.

- `PRLatencyModel`: per layer kind, a pipeline of `LayerFeaturizer` (with the PR step
  rules) and a tree regressor on log latency relative to the padded work (convolutions,
  matrix products) or to a linear cost fitted to the kind's samples (the rest). Trained on a
  PR campaign it is the Performance-Representatives model; with `rules=None` on a random
  sample of the same budget it is the random-sampling baseline.
- `AnnetteMixedModel`: ANNETTE's mixed model: a statistical estimate from the raw layer
  parameters, divided by the refined-roofline efficiency Π_d 1/((1-α)+α/eff_d) with
  eff_d = n_d / (ceil(n_d/p_d)·p_d); p_d are the periods found by the sweeps and α is
  fitted on a validation split.

Inputs follow scikit-learn conventions: X is `features.config_matrix(configs)`, y is the
latency in seconds. Saving and safely loading model files: `explorer.learned.model_files`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import nnls
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import ExtraTreesRegressor, HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from explorer.errors import BenchmarkError
from explorer.learned.configs import CONFIG_COLUMNS, KINDS, LayerConfig
from explorer.learned.features import (
    KIND_COLUMN,
    LayerFeaturizer,
    config_matrix,
    folded_work,
    matrix_configs,
)
from explorer.learned.pr import RuleSet, param_columns

ZERO_FLOOR_S = 1e-12  # latencies of 0 (free on the device) are learnt as this


def make_regressor(name: str, random_state: int = 0, trees: int = 64):
    if name == "extra_trees":
        return ExtraTreesRegressor(n_estimators=trees, min_samples_leaf=1, max_features=1.0,
                                   random_state=random_state, n_jobs=1)
    if name == "hgb":
        return HistGradientBoostingRegressor(max_iter=800, learning_rate=0.05,
                                             max_leaf_nodes=31, min_samples_leaf=3,
                                             l2_regularization=1e-3,
                                             random_state=random_state)
    raise BenchmarkError(f"regressor {name!r}; allowed: extra_trees, hgb")


def work(config: LayerConfig, rules: RuleSet | None = None,
         block: tuple[int, int] | None = None) -> float:
    """A first-order amount of work: MACs (padded to the device's blocks, or the PR
    representative's) for convs and matrix products, elements touched for the rest. The
    models learn latency relative to it, which keeps tree models sane outside the sizes
    they saw."""
    c = rules.representative(config) if rules is not None else config
    if c.kind in ("conv", "matmul"):
        if block:
            return max(1.0, folded_work(config, block))
        return max(1.0, float(c.macs))
    return max(1.0, float(c.input_elems + c.output_elems + c.other_ops))


MAC_KINDS = ("conv", "matmul")
BROADCAST_OPS = ("BatchNormalization",)  # and Add/Mul of one activation (a per-channel constant)
MIN_COST_SAMPLES = 8


def cost_terms(c: LayerConfig) -> list[float]:
    """What a memory-bound layer (pooling, element-wise, data movement...) pays for, as
    columns of a linear cost: a fixed launch, elements read and written, window or
    arithmetic operations, planes (N·C·inputs: kernels loop over them, each with some
    set-up) and planes of a per-channel broadcast (BN, a bias or scale constant, pooling
    windows: a second, costlier loop)."""
    broadcast = (c.kind == "pool" or c.op in BROADCAST_OPS
                 or (c.op in ("Add", "Mul") and c.num_inputs == 1))
    planes = c.batch * c.in_channels
    return [1.0, float(c.input_elems), float(c.output_elems), float(c.other_ops),
            float(planes * max(c.num_inputs, 1)), float(planes if broadcast else 0)]


def fit_linear_cost(configs: Sequence[LayerConfig], latencies: np.ndarray) -> np.ndarray | None:
    """Non-negative coefficients of `cost_terms` minimising the relative error over a
    kind's samples (None with too few usable ones). Non-negative: every term costs time,
    so the cost grows with each size, and extrapolates sanely where trees go flat."""
    keep = latencies > 10 * ZERO_FLOOR_S
    if keep.sum() < MIN_COST_SAMPLES:
        return None
    A = np.array([cost_terms(c) for c, k in zip(configs, keep) if k])
    y = latencies[keep]
    scale = A.max(axis=0)
    scale[scale == 0] = 1.0  # columns unused by this kind stay at 0
    coef, _ = nnls(A / scale / y[:, None], np.ones(len(y)))
    coef = coef / scale
    if not np.all(A @ coef > 0):
        return None
    return coef


TARGETS = ("per_work", "log")


class PRLatencyModel(RegressorMixin, BaseEstimator):
    """Per-kind featurizer + regressor on log(latency / work) (`target="per_work"`; the
    work of memory-bound kinds is a linear cost fitted to their samples, `cost_terms`) or on
    log latency (`target="log"`: latency-bound devices such as a GPU at batch 1, where a
    few µs of launch dominate small layers and work explains little). `sms`: a GPU's
    multiprocessors, adding tile and wave features."""

    def __init__(self, rules: Sequence[dict] | None = None, regressor: str = "extra_trees",
                 block: tuple[int, int] | None = None, min_samples: int = 3,
                 random_state: int = 0, sms: int | None = None, target: str = "per_work",
                 trees: int = 64) -> None:
        self.rules = rules
        self.block = block
        self.regressor = regressor
        self.min_samples = min_samples
        self.random_state = random_state
        self.sms = sms
        self.target = target
        self.trees = trees

    def _pipeline(self, trees: int | None = None) -> Pipeline:
        features = LayerFeaturizer(rules=self.rules, block=self.block,
                                   sms=getattr(self, "sms", None))
        return Pipeline([("features", features),
                         ("regressor", make_regressor(self.regressor, self.random_state,
                                                      trees or getattr(self, "trees", 64)))])

    def _offset(self, X: np.ndarray) -> np.ndarray:
        """log of what the trees' target is relative to: the work of convolutions and
        matrix products, the fitted linear cost of the other kinds (for a kind without
        one, and for model files from before it: elements touched)."""
        if getattr(self, "target", "per_work") == "log":
            return np.zeros(len(X))
        rules = self.rule_set_
        block = tuple(self.block) if self.block else None
        costs = getattr(self, "costs_", {})
        out = []
        for c in matrix_configs(X):
            coef = costs.get(KINDS.index(c.kind))
            cost = float(np.dot(coef, cost_terms(c))) if coef is not None else 0.0
            out.append(cost if cost > 0 else work(c, rules, block))
        return np.log(np.array(out))

    def _fit_costs(self, X: np.ndarray, y: np.ndarray) -> dict[int, np.ndarray]:
        configs = matrix_configs(X)
        kinds = X[:, KIND_COLUMN]
        costs = {}
        for kind in np.unique(kinds):
            if KINDS[kind] in MAC_KINDS:  # the padded work explains them better
                continue
            mask = kinds == kind
            coef = fit_linear_cost([c for c, m in zip(configs, mask) if m], y[mask])
            if coef is not None:
                costs[int(kind)] = coef
        return costs

    def fit(self, X, y):
        X = np.asarray(X, dtype=np.int64)
        y = np.asarray(y, dtype=float)
        if X.ndim != 2 or X.shape[1] != len(CONFIG_COLUMNS) or len(X) != len(y) or not len(y):
            raise BenchmarkError(f"training data: expected a ({len(y)}, {len(CONFIG_COLUMNS)}) "
                                 f"configuration matrix, got {X.shape}")
        if np.any(y < 0) or not np.all(np.isfinite(y)):
            raise BenchmarkError("training data: latencies must be finite and >= 0")
        if getattr(self, "target", "per_work") not in TARGETS:
            raise BenchmarkError(f"model target {self.target!r}; allowed: {', '.join(TARGETS)}")
        y = np.maximum(y, ZERO_FLOOR_S)  # a simulator may cost pure data movement as 0
        self.n_features_in_ = X.shape[1]
        self.rule_set_ = RuleSet.from_list(self.rules or [])
        self.costs_ = ({} if getattr(self, "target", "per_work") == "log"
                       else self._fit_costs(X, y))
        target = np.log(y) - self._offset(X)
        self.models_: dict[int, Pipeline] = {}
        kinds = X[:, KIND_COLUMN]
        for kind in np.unique(kinds):
            mask = kinds == kind
            if mask.sum() >= self.min_samples:
                self.models_[int(kind)] = clone(self._pipeline()).fit(X[mask], target[mask])
        # For kinds without enough samples of their own: small, it is rarely used.
        self.fallback_ = self._pipeline(trees=8).fit(X, target)
        self.kinds_ = [KINDS[k] for k in sorted(self.models_)]
        return self

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "fallback_")
        X = np.asarray(X, dtype=np.int64)
        out = np.empty(len(X))
        kinds = X[:, KIND_COLUMN]
        for kind in np.unique(kinds):
            mask = kinds == kind
            model = self.models_.get(int(kind), self.fallback_)
            out[mask] = model.predict(X[mask])
        pred = np.exp(out + self._offset(X))
        return np.where(pred < 10 * ZERO_FLOOR_S, 0.0, pred)

    def predict_interval(self, X, coverage: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """(low, high): the central `coverage` interval of the trees' predictions (the
        ensemble's spread; extra-trees only, else both equal the prediction). A spread of
        the model's belief, not a measured error bar: `evaluate` reports how often true
        values fall inside."""
        check_is_fitted(self, "fallback_")
        X = np.asarray(X, dtype=np.int64)
        low, high = np.empty(len(X)), np.empty(len(X))
        kinds = X[:, KIND_COLUMN]
        tail = (1.0 - coverage) / 2 * 100
        for kind in np.unique(kinds):
            mask = kinds == kind
            model = self.models_.get(int(kind), self.fallback_)
            regressor = model.named_steps["regressor"]
            features = model.named_steps["features"].transform(X[mask])
            if hasattr(regressor, "estimators_"):
                trees = np.stack([t.predict(features) for t in regressor.estimators_])
                low[mask], high[mask] = np.percentile(trees, [tail, 100 - tail], axis=0)
            else:
                low[mask] = high[mask] = regressor.predict(features)
        offset = self._offset(X)
        return np.exp(low + offset), np.exp(high + offset)


class AnnetteMixedModel(RegressorMixin, BaseEstimator):
    """ANNETTE's mixed model: statistical estimate on raw parameters / refined-roofline
    efficiency of the stepped dimensions."""

    def __init__(self, rules: Sequence[dict] | None = None, regressor: str = "extra_trees",
                 block: tuple[int, int] | None = None,
                 alphas: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
                 random_state: int = 0) -> None:
        self.rules = rules
        self.block = block  # unused by the statistical part (raw parameters): API symmetry
        self.regressor = regressor
        self.alphas = alphas
        self.random_state = random_state

    def _efficiency(self, configs: list[LayerConfig], alpha: float) -> np.ndarray:
        effs = []
        for c in configs:
            eff = 1.0
            for rule in self.rule_set_.for_config(c):
                for column in param_columns(rule.param):
                    n = getattr(c, column)
                    e = n / rule.representative(n) if n > 0 else 1.0
                    eff *= 1.0 / ((1.0 - alpha) + alpha / e)
            effs.append(eff)
        return np.array(effs)

    def _fit_statistical(self, X: np.ndarray, y: np.ndarray, alpha: float) -> PRLatencyModel:
        eff = self._efficiency(matrix_configs(X), alpha)
        # The statistical part sees raw parameters only: no PR features.
        return PRLatencyModel(rules=None, regressor=self.regressor,
                              random_state=self.random_state).fit(X, y * eff)

    def fit(self, X, y):
        X = np.asarray(X, dtype=np.int64)
        y = np.asarray(y, dtype=float)
        self.n_features_in_ = X.shape[1]
        self.rule_set_ = RuleSet.from_list(self.rules or [])
        rng = np.random.default_rng(self.random_state)
        val = rng.random(len(y)) < 0.2
        best = (math.inf, self.alphas[0])
        if val.sum() >= 5 and (~val).sum() >= 5:
            for alpha in self.alphas:
                model = self._fit_statistical(X[~val], y[~val], alpha)
                pred = model.predict(X[val]) / self._efficiency(matrix_configs(X[val]), alpha)
                seen = y[val] > 0
                err = float(np.mean(np.abs(pred[seen] - y[val][seen]) / y[val][seen]))
                best = min(best, (err, alpha))
        self.alpha_ = best[1]
        self.statistical_ = self._fit_statistical(X, y, self.alpha_)
        return self

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "statistical_")
        X = np.asarray(X, dtype=np.int64)
        return self.statistical_.predict(X) / self._efficiency(matrix_configs(X), self.alpha_)


MODEL_KINDS = {"pr": PRLatencyModel, "annette": AnnetteMixedModel}


def predict_configs(model: BaseEstimator, configs: Sequence[LayerConfig]) -> np.ndarray:
    if not configs:
        return np.zeros(0)
    return model.predict(config_matrix(configs))


def predict_intervals(model: BaseEstimator, configs: Sequence[LayerConfig],
                      coverage: float = 0.9) -> list[tuple[float, float] | None]:
    """The model's central `coverage` interval per configuration (None per entry for
    models without a spread, such as ANNETTE's mixed model)."""
    if not configs or not hasattr(model, "predict_interval"):
        return [None] * len(configs)
    low, high = model.predict_interval(config_matrix(configs), coverage)
    return list(zip(low.tolist(), high.tolist()))
