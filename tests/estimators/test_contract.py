"""One estimator contract: options declared as pydantic models, one `make_estimator`,
`--option KEY=VALUE` on the CLI, caches keyed by content and bounded."""

from __future__ import annotations

import json

import pytest

from explorer.cli import main
from explorer.errors import EstimationError
from explorer.estimators.registry import estimator_names, make_estimator, options_model
from explorer.hardware.library import load_accelerator
from explorer.hardware.overrides import apply_overrides
from explorer.workload import load_network


def test_every_estimator_declares_an_options_model():
    for name in estimator_names():
        model = options_model(name)
        assert model.model_config.get("extra") == "forbid", name


def test_refined_roofline_alpha_is_reachable_and_validated():
    assert make_estimator("refined-roofline", {"alpha": "0.25"}).options.alpha == 0.25
    assert make_estimator("refined-roofline").options.alpha == 1.0
    with pytest.raises(EstimationError, match=r"option alpha='2': .*less than or equal to 1"):
        make_estimator("refined-roofline", {"alpha": "2"})
    with pytest.raises(EstimationError, match=r"unknown option 'beta' \(options: alpha\)"):
        make_estimator("refined-roofline", {"beta": 1})
    with pytest.raises(EstimationError, match=r"unknown option 'alpha' \(options: none\)"):
        make_estimator("depgraph", {"alpha": 1})


def test_alpha_changes_the_refined_roofline():
    net, acc = load_network("squeezenet"), load_accelerator("gemmini")
    full = make_estimator("refined-roofline", {"alpha": 1}).estimate(net, acc).cycles
    none = make_estimator("refined-roofline", {"alpha": 0}).estimate(net, acc).cycles
    plain = make_estimator("roofline").estimate(net, acc).cycles
    assert none == pytest.approx(plain) and full > none


def test_cli_option_reaches_the_estimator(capsys):
    args = ["estimate", "squeezenet", "--format", "json", "--estimator", "refined-roofline"]
    assert main([*args, "--option", "alpha=0"]) == 0
    damped = json.loads(capsys.readouterr().out)["total"]["cycles"]
    assert main(["estimate", "squeezenet", "--format", "json", "--estimator", "roofline"]) == 0
    assert damped == pytest.approx(json.loads(capsys.readouterr().out)["total"]["cycles"])


@pytest.mark.parametrize("item, message", [
    ("beta=1", "unknown option 'beta'"),
    ("alpha=lots", "option alpha='lots'"),
    ("alpha", "expected KEY=VALUE"),
])
def test_cli_bad_option_is_one_line_exit_2(capsys, item, message):
    code = main(["estimate", "squeezenet", "--estimator", "refined-roofline", "--option", item])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1


def test_compare_passes_options_to_the_estimators_that_take_them(capsys):
    assert main(["compare", "squeezenet", "--arch", "tpuv1", "--format", "json",
                 "--estimators", "roofline,refined-roofline", "--option", "alpha=0"]) == 0
    data = json.loads(capsys.readouterr().out)["estimators"]
    assert data["refined-roofline"]["total_cycles"] == pytest.approx(
        data["roofline"]["total_cycles"])
    code = main(["compare", "squeezenet", "--estimators", "roofline", "--option", "alpha=0"])
    assert code == 2 and "none of simulate, roofline" in capsys.readouterr().err


def test_depgraph_cache_is_keyed_by_content_not_identity():
    net = load_network("squeezenet")
    depgraph = make_estimator("depgraph")
    first = depgraph.estimate(net, load_accelerator("gemmini"))
    again = depgraph.estimate(net, load_accelerator("gemmini"))  # another, equal object
    assert again.cycles == first.cycles
    assert sum(layer.iterations_evaluated for layer in again.layers) == 0  # all cached
    bigger = apply_overrides(load_accelerator("gemmini"), ["compute.pe_rows=32"])
    changed = depgraph.estimate(net, bigger)
    assert sum(layer.iterations_evaluated for layer in changed.layers) > 0
    assert changed.cycles != first.cycles


def test_depgraph_cache_is_bounded(monkeypatch):
    import explorer.estimators.depgraph as depgraph_module

    monkeypatch.setattr(depgraph_module, "MAX_CACHED_LAYERS", 3)
    depgraph = make_estimator("depgraph")
    depgraph.estimate(load_network("squeezenet"), load_accelerator("gemmini"))
    assert len(depgraph._cache) == 3
