import json
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.errors import EstimationError
from explorer.estimators.registry import get_estimator
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network
from tests.synthetic_model import synthetic_latency, train_synthetic_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    return train_synthetic_model(tmp_path_factory.mktemp("stat"))


def test_statistical_estimate_of_a_zoo_network(model_file):
    estimator = get_estimator("statistical", model=model_file)
    network = load_network("squeezenet")
    result = estimator.estimate(network, load_accelerator("gemmini"))
    # onnxruntime's fusions: every Relu is folded into its conv.
    assert not any(layer.op == "Relu" for layer in result.layers)
    convs = [layer for layer in result.layers if layer.op == "Conv"]
    assert len(convs) == 26 and all(layer.latency_s > 0 for layer in convs)
    dropout = [layer for layer in result.layers if layer.op == "Dropout"]
    assert dropout and not dropout[0].modelled and dropout[0].latency_s == 0
    truth = sum(synthetic_latency(c) for c in _configs(result.network))
    assert result.latency_s == pytest.approx(truth, rel=0.25)


def test_model_is_loaded_by_a_function_and_passed_as_an_option(model_file):
    from explorer.estimators.registry import make_estimator
    from explorer.estimators.statistical import load_trained_model

    trained = load_trained_model(model_file)  # once; reused by as many estimators
    network, acc = load_network("squeezenet"), load_accelerator("gemmini")
    by_object = make_estimator("statistical", {"model": trained}).estimate(network, acc)
    by_path = make_estimator("statistical", {"model": str(model_file)}).estimate(network, acc)
    assert by_object.latency_s == by_path.latency_s > 0


def _configs(network):
    from explorer.learned.configs import config_from_layer

    return [c for layer in network.layers if (c := config_from_layer(layer)) is not None]


def test_missing_or_bad_model_is_one_line_error(tmp_path):
    with pytest.raises(EstimationError, match="needs --model FILE"):
        get_estimator("statistical")
    bad = tmp_path / "bad.skops"
    bad.write_text("junk")
    with pytest.raises(EstimationError, match="bad.skops: not a model file"):
        get_estimator("statistical", model=bad)


@pytest.mark.slow  # a subprocess CLI run; the estimator itself is tested above
def test_estimate_cli_with_model(model_file):
    done = subprocess.run([sys.executable, "-m", "explorer", "estimate", "alexnet",
                           "--estimator", "statistical", "--model", str(model_file),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["estimator"] == "statistical" and data["total"]["latency_s"] > 0


def test_statistical_estimates_carry_the_models_spread(model_file):
    estimator = get_estimator("statistical", model=model_file)
    result = estimator.estimate(load_network("squeezenet"), load_accelerator("gemmini"))
    convs = [layer for layer in result.layers if layer.op == "Conv"]
    intervals = [layer.mapping["latency_interval90_s"] for layer in convs]
    assert all(low <= layer.latency_s * 1.0001 and layer.latency_s <= high * 1.0001
               for layer, (low, high) in zip(convs, intervals))
    assert any(high > low for low, high in intervals)  # trees disagree somewhere
    assert "latency_interval90_s" in json.dumps(convs[0].to_dict())
