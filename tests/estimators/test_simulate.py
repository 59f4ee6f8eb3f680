"""simulate on a whole (small) network: progress, cancel, Ctrl-C, totals."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mapping"))
from mapping_layers import conv, eltwise, pool  # noqa: E402

from explorer.errors import Cancelled  # noqa: E402
from explorer.estimators.base import run_estimate  # noqa: E402
from explorer.estimators.registry import get_estimator
from explorer.hardware.library import load_accelerator  # noqa: E402
from explorer.workload.network import Network  # noqa: E402


def small_network() -> Network:
    layers = [conv(16, 16, 32, 3, pad=1, name="c1"), pool(32, 16), eltwise(32, 8),
              conv(32, 8, 32, 3, pad=1, name="c2")]
    layers[1].name, layers[2].name = "p1", "e1"
    graph = nx.DiGraph()
    names = [layer.name for layer in layers]
    graph.add_nodes_from(names)
    graph.add_edges_from(zip(names, names[1:]))
    return Network("small", layers, graph)


def test_whole_network_with_progress():
    seen: list[tuple[int, int, str]] = []
    result = run_estimate(get_estimator("simulate"), small_network(),
                          load_accelerator("gemmini"),
                          progress=lambda done, total, name: seen.append((done, total, name)))
    # Gemmini's fusion rules may merge layers; progress counts the layers it costs.
    assert [s[0] for s in seen] == list(range(1, len(result.layers) + 1))
    assert seen[-1][1] == len(result.layers) and [s[2] for s in seen] == [
        layer.name for layer in result.layers]
    totals = result.to_dict()["total"]
    assert totals["instructions"] == sum(layer.instructions for layer in result.layers) > 0
    assert totals["iterations_evaluated"] == totals["iterations_total"]
    assert result.extra["simulate"]["instructions_per_s"] > 0


def test_cancel_between_layers():
    with pytest.raises(Cancelled):
        run_estimate(get_estimator("simulate"), small_network(), load_accelerator("gemmini"),
                     cancel=lambda: True)


def one_layer_network() -> Network:
    layer = conv(64, 56, 64, 3, pad=1, name="big")
    graph = nx.DiGraph()
    graph.add_node(layer.name)
    return Network("one", [layer], graph)


def test_cancel_inside_a_long_layer():
    """The one cancel channel of run_estimate reaches inside a layer's schedule."""
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return True

    with pytest.raises(Cancelled, match="simulation cancelled"):  # not "after 1 of 1"
        run_estimate(get_estimator("simulate"), one_layer_network(),
                     load_accelerator("gemmini"), cancel=cancel)
    assert calls


def test_keyboard_interrupt_propagates_cleanly():
    def interrupt() -> bool:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        get_estimator("simulate").estimate(one_layer_network(), load_accelerator("gemmini"),
                                           cancel=interrupt)


def test_progress_reaches_inside_a_long_layer():
    seen: list[tuple[int, int, str]] = []
    run_estimate(get_estimator("simulate"), one_layer_network(), load_accelerator("gemmini"),
                 progress=lambda done, total, what: seen.append((done, total, what)))
    inside = [s for s in seen if s[0] == 0]
    assert inside and all(what.startswith("big (") for _, _, what in inside)
    assert seen[-1] == (1, 1, "big")
