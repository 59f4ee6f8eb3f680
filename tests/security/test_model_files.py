"""Issue 8.1: a statistical model file must never run code, and a zip bomb must be
refused before it is inflated."""

from __future__ import annotations

import time

import numpy as np
import pytest
from attacks import code_running_model, many_members_model, zip_bomb_model

from explorer.benchmarking.space import random_configs
from explorer.errors import BenchmarkError
from explorer.learned import model_files, models
from explorer.learned.features import config_matrix
from explorer.learned.model_files import load_model

X = config_matrix(random_configs(3, seed=0))


def test_the_payload_is_live(tmp_path):
    """The attack file really runs code when loaded the naive way (so the refusal below is
    what protects us, not a broken payload)."""
    import skops.io as sio

    marker = tmp_path / "naive-marker"
    path = code_running_model(tmp_path / "evil.skops", marker)
    pipeline = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    pipeline.steps[0][1].transform(X)
    pipeline.steps[1][1].transform(pipeline.steps[0][1].transform(X))
    assert marker.read_text() == "pwned"


def test_a_model_file_that_runs_code_is_refused(tmp_path):
    marker = tmp_path / "marker"
    path = code_running_model(tmp_path / "evil.skops", marker)
    with pytest.raises(BenchmarkError) as info:
        model, _ = load_model(path)
        model.predict(X)  # what an estimate does next
    assert not marker.exists()
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    # names the first type outside the allow list
    assert "disallowed type" in message
    assert any(name in message for name in ("builtins.exec", "numpy.vectorize",
                                            "FunctionTransformer", "Pipeline"))


def test_zip_bomb_is_refused_quickly_and_without_inflating(tmp_path):
    path = zip_bomb_model(tmp_path / "bomb.skops")
    assert path.stat().st_size < 5 * 1024**2
    start = time.perf_counter()
    with pytest.raises(BenchmarkError, match=r"bomb\.skops: .*(uncompressed|inflate)"):
        load_model(path)
    assert time.perf_counter() - start < 5.0


def test_too_many_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(model_files, "MAX_MODEL_MEMBERS", 50)
    path = many_members_model(tmp_path / "many.skops", 60)
    with pytest.raises(BenchmarkError, match=r"many\.skops: .*members"):
        load_model(path)


def test_too_large_files_are_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(model_files, "MAX_MODEL_FILE_BYTES", 1000)
    path = tmp_path / "big.skops"
    path.write_bytes(b"\0" * 2000)
    with pytest.raises(BenchmarkError, match=r"big\.skops: .*2000 bytes.*limit"):
        load_model(path)


def test_allow_list_is_exact(tmp_path):
    """No prefix trust: a plain numpy function (callable) in an otherwise harmless
    dictionary is refused by name."""
    import skops.io as sio

    path = tmp_path / "callable.skops"
    sio.dump({"f": np.vectorize(len)}, path)
    with pytest.raises(BenchmarkError, match=r"callable\.skops: .*disallowed type"):
        load_model(path)


@pytest.mark.parametrize("kind, regressor", [("pr", "hgb"), ("annette", "extra_trees")])
def test_the_allow_list_covers_what_train_writes(tmp_path, kind, regressor):
    """Every type in a file `save_model` writes is on the exact list (the round trip in
    tests/benchmarking/test_models.py covers the PR model with extra trees)."""
    from explorer.learned.pr import StepRule

    rules = [StepRule("conv", "out_channels", 16).as_dict()]
    X = config_matrix(random_configs(40, seed=1))
    y = np.linspace(1e-6, 1e-3, len(X))
    model = models.MODEL_KINDS[kind](rules=rules, regressor=regressor).fit(X, y)
    path = tmp_path / "m.skops"
    model_files.save_model(model, path, {"device": "cpu", "rules": rules})
    loaded, _ = load_model(path)
    assert np.allclose(loaded.predict(X), model.predict(X))
