import math

import numpy as np
import pytest
from sklearn.base import clone

from explorer.benchmarking.space import random_configs
from explorer.errors import BenchmarkError
from explorer.learned.configs import KINDS, LayerConfig
from explorer.learned.features import LayerFeaturizer, config_matrix
from explorer.learned.model_files import load_model, save_model
from explorer.learned.models import AnnetteMixedModel, PRLatencyModel
from explorer.learned.pr import RuleSet, StepRule

RULES = [StepRule("conv", "out_channels", 16).as_dict(),
         StepRule("conv1x1", "out_channels", 16).as_dict()]


def staircase_device(c: LayerConfig) -> float:
    """A synthetic device: output channels padded to 16, 1 ns per MAC, 1 µs overhead."""
    if c.kind != "conv":
        return 1e-6 + 1e-9 * (c.input_elems + c.output_elems)
    padded = c.with_changes(out_channels=math.ceil(c.out_channels / 16) * 16,
                            groups=c.groups) if c.groups == 1 else c
    return 1e-6 + 1e-9 * padded.macs


@pytest.fixture(scope="module")
def data():
    train = random_configs(300, seed=1, kinds=("conv", "eltwise"))
    rules = RuleSet.from_list(RULES)
    pr_train = [rules.representative(c) for c in train]
    test = random_configs(100, seed=2, kinds=("conv", "eltwise"))
    y = np.array([staircase_device(c) for c in pr_train])
    yt = np.array([staircase_device(c) for c in test])
    return config_matrix(pr_train), y, config_matrix(test), yt


def test_featurizer_follows_sklearn_conventions():
    f = LayerFeaturizer(rules=RULES, block=(16, 16))
    assert f.get_params() == {"rules": RULES, "block": (16, 16), "sms": None}
    X = config_matrix(random_configs(5, seed=0))
    out = clone(f).fit(X).transform(X)
    names = f.fit(X).get_feature_names_out()
    assert out.shape == (5, len(names)) and "pr_conv_out_channels" in names
    assert "log_folded_work" in names


def test_pr_model_learns_a_staircase(data):
    X, y, Xt, yt = data
    model = PRLatencyModel(rules=RULES, block=(16, 16)).fit(X, y)
    assert model.fit(X, y) is model and hasattr(model, "models_")
    mape = np.mean(np.abs(model.predict(Xt) - yt) / yt)
    assert mape < 0.1
    annette = AnnetteMixedModel(rules=RULES).fit(X, y)
    assert 0 <= annette.alpha_ <= 1 and np.all(annette.predict(Xt) > 0)


def test_saved_model_round_trip_records_schema_and_versions(tmp_path, data):
    X, y, Xt, _ = data
    model = PRLatencyModel(rules=RULES).fit(X, y)
    path = tmp_path / "m.skops"
    save_model(model, path, {"device": "cpu"})
    loaded, meta = load_model(path)
    assert np.allclose(loaded.predict(Xt), model.predict(Xt))
    assert meta["device"] == "cpu" and meta["model_class"] == "PRLatencyModel"
    assert "scikit-learn" in meta["library_versions"]
    assert "pr_conv_out_channels" in meta["feature_schema"]["features"]


class Foreign:
    """Stands for a class an attacker's file would make us import and construct."""

    def __init__(self) -> None:
        self.payload = "x"


def test_files_with_foreign_types_are_refused(tmp_path):
    """A skops file carrying a type outside the allow list is refused before loading."""
    import skops.io as sio

    path = tmp_path / "evil.skops"
    sio.dump({"x": Foreign()}, path)
    with pytest.raises(BenchmarkError, match=r"refused: disallowed type .*Foreign"):
        load_model(path)
    junk = tmp_path / "junk.skops"
    junk.write_bytes(b"not a zip")
    with pytest.raises(BenchmarkError, match="junk.skops: not a model file"):
        load_model(junk)


def test_gpu_tiling_features_and_log_target_with_intervals():
    X = config_matrix(random_configs(120, seed=3, kinds=("conv", "matmul")))
    names = LayerFeaturizer(sms=132).fit(X).get_feature_names_out()
    assert "waves_128x128" in names and "align_out" in names
    y = np.array([5e-6 + 1e-12 * c.macs for c in random_configs(120, seed=3,
                                                                 kinds=("conv", "matmul"))])
    model = PRLatencyModel(sms=132, target="log", trees=32).fit(X, y)
    low, high = model.predict_interval(X, 0.9)
    pred = model.predict(X)
    assert np.all(low <= pred * 1.0001) and np.all(pred <= high * 1.0001)
    with pytest.raises(BenchmarkError, match="target"):
        PRLatencyModel(target="linear").fit(X, y)


def test_a_model_for_another_feature_schema_is_refused(tmp_path, data):
    """As if trained by another version whose featurizer made one feature fewer."""
    X, y, _, _ = data
    model = PRLatencyModel(rules=RULES).fit(X, y)
    featurizer = model.fallback_.named_steps["features"]
    featurizer.feature_names_out_ = featurizer.feature_names_out_[:-1]
    save_model(model, tmp_path / "old.skops", {"device": "cpu"})
    with pytest.raises(BenchmarkError, match="old.skops: model made for another feature schema"):
        load_model(tmp_path / "old.skops")


def memory_bound_device(c: LayerConfig) -> float:
    """A synthetic device for element-wise layers: 2 µs launch, 0.1 ns per element read
    or written, 15 ns per plane of a per-channel broadcast."""
    broadcast = c.op == "BatchNormalization" or (c.op in ("Add", "Mul") and c.num_inputs == 1)
    return (2e-6 + 1e-10 * (c.input_elems + c.output_elems)
            + 15e-9 * c.in_channels * broadcast)


def test_memory_bound_kinds_learn_relative_to_a_fitted_linear_cost():
    """Trees extrapolate flat: relative to elements touched, the launch share they learnt
    on small layers stays in their estimate of larger ones. Relative to a fitted linear
    cost (launch, per element, per broadcast plane) it does not."""
    from explorer.learned.models import cost_terms, fit_linear_cost

    train = [c for c in random_configs(400, seed=5, kinds=("eltwise",)) if c.in_h <= 28]
    y = np.array([memory_bound_device(c) for c in train])
    coef = fit_linear_cost(train, y)
    fitted = np.array([np.dot(coef, cost_terms(c)) for c in train])
    assert np.max(np.abs(fitted - y) / y) < 0.01
    model = PRLatencyModel().fit(config_matrix(train), y)
    assert set(model.costs_) == {KINDS.index("eltwise")}
    large = [c.with_changes(in_h=112, in_w=112) for c in train[:60]]
    truth = np.array([memory_bound_device(c) for c in large])
    mape = np.mean(np.abs(model.predict(config_matrix(large)) - truth) / truth)
    assert mape < 0.03
    # A model file from before the fitted cost (no `costs_`) still predicts: relative to
    # elements touched, as it was trained.
    del model.costs_
    assert np.all(model.predict(config_matrix(large)) > 0)


def test_linear_cost_needs_enough_nonzero_samples():
    from explorer.learned.models import fit_linear_cost

    configs = random_configs(30, seed=6, kinds=("eltwise",))
    assert fit_linear_cost(configs[:5], np.full(5, 1e-6)) is None
    assert fit_linear_cost(configs, np.zeros(30)) is None  # a simulator's free data movement
