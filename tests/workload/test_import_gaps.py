"""Issue 13 items 10-14: the import gaps networks from the wild show, each on the
smallest real ONNX file with the structure at fault (tests/workload/gap_models.py), run
by the real onnxruntime."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gap_models import (
    derived_weight_model,
    duration_model,
    dynamic_quantize_lstm_model,
    voice_activity_model,
)

from explorer.cli import main
from explorer.errors import WorkloadError
from explorer.workload import load_network
from explorer.workload.network import LayerKind

GAP = pytest.mark.xfail(strict=True, reason="issue 13 items 10-14")


@GAP
def test_10_subgraph_shapes_come_from_onnxruntime(tmp_path):
    """Convs inside an If whose shapes static inference cannot reach are shaped by
    running each branch body; the If costs its larger branch (else: 2,592 MACs)."""
    network = load_network(voice_activity_model(tmp_path / "vad.onnx"))
    switch = network["rate_switch"]
    assert switch.macs == 2592
    assert not [w for w in network.warnings if "could not be costed" in w]


def test_11_dynamic_quantize_lstm_is_an_lstm(tmp_path):
    network = load_network(dynamic_quantize_lstm_model(tmp_path / "speech.onnx"))
    layer = network["qlstm"]
    assert layer.kind == LayerKind.RNN and layer.modelled
    assert layer.macs == 5 * 4 * 32 * (16 + 32)  # steps x gates x hidden x (input + hidden)
    assert layer.weight_bits == 8 and layer.act_bits == 32


def test_12_weights_derived_through_pad_are_shaped(tmp_path):
    network = load_network(derived_weight_model(tmp_path / "derived.onnx"))
    conv = network["conv"]
    assert conv.weights == [(4, 3, 3, 3)]
    assert conv.macs == 4 * 6 * 6 * 3 * 9


@GAP
def test_13_value_dependent_lengths_are_named_in_the_error(tmp_path):
    path = duration_model(tmp_path / "tts.onnx")
    with pytest.raises(WorkloadError) as info:
        load_network(path)
    message = str(info.value)
    assert "\n" not in message and "depend on" in message
    assert "durations" in message and "--input-value" in message


@GAP
@pytest.mark.parametrize("given", ["3,1,2,2", "npy"])
def test_13_input_values_set_the_lengths(tmp_path, given):
    path = duration_model(tmp_path / "tts.onnx")
    if given == "npy":
        np.save(tmp_path / "d.npy", np.array([3, 1, 2, 2], np.int64))
        given = str(tmp_path / "d.npy")
    network = load_network(path, input_values={"durations": given})
    assert network["projection"].macs == 8 * 8 * 16


@GAP
def test_13_input_values_from_the_cli(tmp_path, capsys):
    path = duration_model(tmp_path / "tts.onnx")
    assert main(["estimate", str(path), "--estimator", "roofline", "--format", "json",
                 "--input-value", "durations=3,1,2,2"]) == 0
    assert json.loads(capsys.readouterr().out)["network"]["macs"] == 8 * 8 * 16


@GAP
@pytest.mark.parametrize(("item", "fragment"), [
    ("nosuch=1", "not among the inputs"),
    ("durations=a,b", "durations"),
    ("durations=1,2,3", "4 values"),
    ("durations=/no/such.npy", "no/such.npy"),
])
def test_13_bad_input_values_are_one_line(tmp_path, item, fragment):
    path = duration_model(tmp_path / "tts.onnx")
    name, _, text = item.partition("=")
    with pytest.raises(WorkloadError, match=fragment) as info:
        load_network(path, input_values={name: text})
    assert "\n" not in str(info.value)


@GAP
def test_14_the_user_chooses_the_branch(tmp_path, capsys):
    path = voice_activity_model(tmp_path / "vad.onnx")
    chosen = load_network(path, branches={"rate_switch": "then"})
    assert chosen["rate_switch"].macs == 1296
    assert chosen["rate_switch"].attrs["branch"] == "then"
    assert any("then branch" in w and "--branch" in w for w in chosen.warnings)
    default = load_network(path)
    assert default["rate_switch"].attrs["branch"] == "else"  # the larger one
    assert main(["estimate", str(path), "--estimator", "roofline", "--format", "json",
                 "--branch", "rate_switch=then"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["network"]["macs"] == 1296
    assert any("then branch" in w for w in data["network"]["warnings"])


@GAP
@pytest.mark.parametrize(("branches", "fragment"), [
    ({"nosuch": "then"}, "no If node"),
    ({"rate_switch": "maybe"}, "then or else"),
])
def test_14_bad_branch_choices_are_one_line(tmp_path, branches, fragment):
    with pytest.raises(WorkloadError, match=fragment):
        load_network(voice_activity_model(tmp_path / "vad.onnx"), branches=branches)
