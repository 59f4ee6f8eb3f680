"""Model files: saving a trained latency model, and opening one someone sent safely.

Files are skops archives. `load_model` checks a file before anything in it is built: its
size and zip bounds, then every type it names against an exact allow list, so opening a
model never runs its author's code (docs/security.md). `check_feature_schema` refuses a
model whose features this version no longer makes the same way.
"""

from __future__ import annotations

import io
import json
import platform
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from explorer.errors import BenchmarkError
from explorer.learned.configs import CONFIG_COLUMNS, LayerConfig
from explorer.learned.features import config_matrix
from explorer.learned.models import AnnetteMixedModel, PRLatencyModel

MODEL_FORMAT = "accel-explorer latency model"
MODEL_FORMAT_VERSION = 1


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


def save_model(model: BaseEstimator, path: str | Path, metadata: dict[str, Any],
               network_model: Any = None) -> None:
    """Write a skops archive; `metadata` (device, store, rules...) is stored with the
    feature schema and library versions as the model's `metadata_` attribute. A
    `network_model` (explorer/learned/network_model.py) goes into the metadata as
    `network_model` (plain data with its version) and its correction trees, if any, as
    the model's `network_correction_` attribute."""
    import skops.io as sio

    if network_model is not None:
        metadata = {**metadata, "network_model": network_model.to_dict()}
        if network_model.trees is not None:
            model.network_correction_ = network_model.trees
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
    "explorer.learned.models.PRLatencyModel", "explorer.learned.models.AnnetteMixedModel",
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
    if metadata.get("network_model") is not None:
        from explorer.learned.network_model import NetworkModel

        # refuses another version or a malformed entry in one line naming the file
        NetworkModel.from_dict(metadata["network_model"],
                               getattr(model, "network_correction_", None), source=str(path))
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
