"""Statistical latency models (scikit-learn estimators) and their safe files.

- `PRLatencyModel`: per layer kind, a pipeline of `LayerFeaturizer` (with the PR step
  rules) and a tree regressor on log latency relative to the padded work. Trained on a
  PR campaign it is the Performance-Representatives model; with `rules=None` on a random
  sample of the same budget it is the random-sampling baseline.
- `AnnetteMixedModel`: ANNETTE's mixed model: a statistical estimate from the raw layer
  parameters, divided by the refined-roofline efficiency Π_d 1/((1-α)+α/eff_d) with
  eff_d = n_d / (ceil(n_d/p_d)·p_d); p_d are the periods found by the sweeps and α is
  fitted on a validation split.

Inputs follow scikit-learn conventions: X is `features.config_matrix(configs)`, y is the
latency in seconds. Files are skops archives whose types are checked against an allow
list before loading, so opening a model someone sent you never runs their code.
"""

from __future__ import annotations

import io
import json
import math
import platform
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
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

MODEL_FORMAT = "accel-explorer latency model"
ZERO_FLOOR_S = 1e-12  # latencies of 0 (free on the device) are learnt as this
MODEL_FORMAT_VERSION = 1


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


TARGETS = ("per_work", "log")


class PRLatencyModel(RegressorMixin, BaseEstimator):
    """Per-kind featurizer + regressor on log(latency / work) (`target="per_work"`) or on
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
        if getattr(self, "target", "per_work") == "log":
            return np.zeros(len(X))
        rules = self.rule_set_
        block = tuple(self.block) if self.block else None
        return np.log(np.array([work(c, rules, block) for c in matrix_configs(X)]))

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


# -- files ------------------------------------------------------------------------------------
def library_versions() -> dict[str, str]:
    import sklearn

    versions = {"python": platform.python_version(), "numpy": np.__version__,
                "scikit-learn": sklearn.__version__}
    try:
        import skops

        versions["skops"] = skops.__version__
    except ImportError:  # pragma: no cover
        pass
    return versions


def feature_schema(model: BaseEstimator) -> dict[str, Any]:
    """The inputs a model takes and the features it derives from them."""
    schema: dict[str, Any] = {"input_columns": list(CONFIG_COLUMNS)}
    inner = model.statistical_ if isinstance(model, AnnetteMixedModel) else model
    if isinstance(inner, PRLatencyModel):
        features = inner.fallback_.named_steps["features"].get_feature_names_out()
        schema["features"] = [str(f) for f in features]
    return schema


def save_model(model: BaseEstimator, path: str | Path, metadata: dict[str, Any]) -> None:
    """Write a skops archive; `metadata` (device, store, rules...) is stored with the
    feature schema and library versions as the model's `metadata_` attribute."""
    import skops.io as sio

    model.metadata_ = json.dumps({
        "format": MODEL_FORMAT, "format_version": MODEL_FORMAT_VERSION,
        "model_class": type(model).__name__, "feature_schema": feature_schema(model),
        "library_versions": library_versions(), **metadata}, sort_keys=True)
    sio.dump(model, Path(path), compression=zipfile.ZIP_DEFLATED)


# -- loading a file someone sent ----------------------------------------------------------
# Bounds checked from the zip's directory before a byte is inflated (a zip bomb is refused
# in milliseconds). The largest model `accel-explorer train` wrote in our tests: 9 MB on
# disk, 20,000 members, 45 MB inflated; the limits leave room for far larger stores.
MAX_MODEL_FILE_BYTES = 512 * 1024**2
MAX_MODEL_MEMBERS = 500_000
MAX_MODEL_UNCOMPRESSED_BYTES = 4 * 1024**3
MAX_MODEL_SCHEMA_BYTES = 512 * 1024**2

# Every type a file written by `save_model` holds (listed by training each model kind
# with each regressor and walking the file's schema; tests/security/test_model_files.py
# checks the list still matches). Exact names, no prefixes: no callables, no functions,
# no transformer that takes a function. Anything else in a file is refused.
ALLOWED_MODEL_TYPES = frozenset({
    "builtins.dict", "builtins.int", "builtins.list", "builtins.str", "builtins.tuple",
    "explorer.learned.features.LayerFeaturizer",
    "explorer.learned.models.AnnetteMixedModel",
    "explorer.learned.models.PRLatencyModel",
    "explorer.learned.pr.RuleSet", "explorer.learned.pr.StepRule",
    "numpy.ndarray", "numpy.random._generator.Generator", "numpy.uint64",
    "sklearn._loss._loss.CyHalfSquaredError", "sklearn._loss.link.IdentityLink",
    "sklearn._loss.link.Interval", "sklearn._loss.loss.HalfSquaredError",
    "sklearn.ensemble._forest.ExtraTreesRegressor",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.pipeline.Pipeline", "sklearn.tree._classes.ExtraTreeRegressor",
    "sklearn.tree._tree.Tree",
})
# How skops rebuilds each node in those files; function, method and partial nodes (which
# hand back callables) are never among them.
ALLOWED_MODEL_LOADERS = frozenset({
    "DictNode", "JsonNode", "ListNode", "LossNode", "NdArrayNode", "ObjectNode",
    "RandomGeneratorNode", "TreeNode", "TupleNode", "TypeNode",
})
# Types skops itself does not trust by default, of which these (and only these) are ours.
_OWN_UNTRUSTED_TYPES = frozenset({
    f"{__name__}.PRLatencyModel", f"{__name__}.AnnetteMixedModel",
    "explorer.learned.features.LayerFeaturizer",
    "explorer.learned.pr.RuleSet", "explorer.learned.pr.StepRule",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.tree._tree.Tree",
})


def load_model(path: str | Path) -> tuple[BaseEstimator, dict[str, Any]]:
    """The model and its metadata. The file is checked before anything in it is
    constructed: its size and its zip's member count and inflated size against fixed
    bounds, then every type it names against the exact allow list above (skops' own
    listing of untrusted types too), so opening a model someone sent runs none of their
    code (docs/security.md)."""
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise BenchmarkError(f"{path}: no such model file")
    data = _read_bounded_archive(path)
    schema = _read_schema(path, data)
    _check_types(path, schema)
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:
        raise BenchmarkError(f"{path}: not a model file written by `accel-explorer train` "
                             f"({_first_line(exc)})") from None
    refused = [t for t in untrusted if t not in _OWN_UNTRUSTED_TYPES]
    if refused:
        raise BenchmarkError(f"{path}: refused: disallowed type {refused[0]} (a model "
                             "file may hold only the types accel-explorer writes)")
    try:
        model = sio.load(io.BytesIO(data), trusted=list(untrusted))
        metadata = json.loads(model.metadata_)
    except Exception as exc:
        raise BenchmarkError(f"{path}: unreadable model file ({type(exc).__name__}: "
                             f"{_first_line(exc)})") from None
    if not isinstance(model, (PRLatencyModel, AnnetteMixedModel)) or \
            not isinstance(metadata, dict) or metadata.get("format") != MODEL_FORMAT:
        raise BenchmarkError(f"{path}: not an accel-explorer latency model")
    if metadata.get("format_version") != MODEL_FORMAT_VERSION:
        raise BenchmarkError(f"{path}: model format version {metadata.get('format_version')}, "
                             f"this program reads {MODEL_FORMAT_VERSION}")
    check_feature_schema(model, metadata, path)
    return model, metadata


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _read_bounded_archive(path: Path) -> bytes:
    """The file's bytes (read once: what is checked is what is loaded), refused when the
    file, its member count or its inflated size exceed the bounds."""
    size = path.stat().st_size
    if size > MAX_MODEL_FILE_BYTES:
        raise BenchmarkError(f"{path}: {size} bytes, over the limit of "
                             f"{MAX_MODEL_FILE_BYTES} for a model file")
    try:
        data = path.read_bytes()
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise BenchmarkError(f"{path}: not a model file written by `accel-explorer train` "
                             f"({_first_line(exc)})") from None
    if len(members) > MAX_MODEL_MEMBERS:
        raise BenchmarkError(f"{path}: {len(members)} zip members, over the limit of "
                             f"{MAX_MODEL_MEMBERS} for a model file")
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_MODEL_UNCOMPRESSED_BYTES:
        raise BenchmarkError(f"{path}: would inflate to {inflated} bytes uncompressed, over "
                             f"the limit of {MAX_MODEL_UNCOMPRESSED_BYTES}; refused before "
                             "inflating (a zip bomb?)")
    return data


def _read_schema(path: Path, data: bytes) -> Any:
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        info = archive.getinfo("schema.json")
    except KeyError:
        raise BenchmarkError(f"{path}: not a model file written by `accel-explorer train` "
                             "(no schema.json)") from None
    if info.file_size > MAX_MODEL_SCHEMA_BYTES:
        raise BenchmarkError(f"{path}: schema.json would inflate to {info.file_size} "
                             f"bytes uncompressed, over the limit of {MAX_MODEL_SCHEMA_BYTES}")
    try:
        return json.loads(archive.read(info))
    except (zipfile.BadZipFile, ValueError, RecursionError, OSError, EOFError) as exc:
        raise BenchmarkError(f"{path}: not a model file written by `accel-explorer train` "
                             f"({_first_line(exc)})") from None


def model_file_types(schema: Any) -> list[tuple[str, str]]:
    """Every (module.class, skops loader) a skops schema names, in file order, once each.
    Iterative: a deeply nested hostile schema cannot exhaust the stack."""
    seen: dict[tuple[str, str], None] = {}
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "__class__" in item or "__module__" in item or "__loader__" in item:
                name = f"{item.get('__module__')}.{item.get('__class__')}"
                seen.setdefault((name, str(item.get("__loader__"))), None)
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return list(seen)


def _check_types(path: Path, schema: Any) -> None:
    for name, loader in model_file_types(schema):
        if name not in ALLOWED_MODEL_TYPES:
            raise BenchmarkError(f"{path}: refused: disallowed type {name} (a model file "
                                 "may hold only the types accel-explorer writes)")
        if loader not in ALLOWED_MODEL_LOADERS:
            raise BenchmarkError(f"{path}: refused: disallowed type {name} as a {loader} "
                                 "(a model file may hold only the types accel-explorer "
                                 "writes)")


def check_feature_schema(model: BaseEstimator, metadata: dict[str, Any], path: Path) -> None:
    """Refuse a model whose features this program no longer makes the same way (trained
    by another version): its trees would read the wrong columns."""
    recorded = (metadata.get("feature_schema") or {}).get("features")
    if not recorded:
        return
    inner = model.statistical_ if isinstance(model, AnnetteMixedModel) else model
    if not isinstance(inner, PRLatencyModel):
        return
    featurizer = inner.fallback_.named_steps["features"]
    probe = config_matrix([LayerConfig(kind="conv", op="Conv", in_channels=16, in_h=8,
                                       in_w=8, out_channels=16)])
    try:
        made = featurizer.transform(probe).shape[1]
    except Exception as exc:  # a featurizer from another version may fail outright
        raise BenchmarkError(f"{path}: model made for another feature schema "
                             f"({type(exc).__name__}); retrain it with this version") from None
    if made != len(recorded) or list(featurizer.get_feature_names_out()) != recorded:
        raise BenchmarkError(f"{path}: model made for another feature schema ({len(recorded)} "
                             f"features, this program makes {made}); retrain it with "
                             "`accel-explorer train`")


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
