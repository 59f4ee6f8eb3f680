"""Small ONNX files that reproduce the import gaps of networks from the wild (issue 13,
items 10-14), built with onnx.helper and run by the real onnxruntime: each is the
smallest graph with the structure the issue describes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from workload_models import value, weight

INT64 = TensorProto.INT64


def _ints(name: str, values) -> TensorProto:
    return numpy_helper.from_array(np.asarray(values, dtype=np.int64), name)


def _opaque_dims(prefix: str, source: str, nodes: list) -> str:
    """[1, 1, s, s] for a [1, n] tensor with n = s*s, through Sqrt, which onnx's data
    propagation cannot follow: static inference leaves what is reshaped by it unshaped."""
    nodes += [
        helper.make_node("Shape", [source], [f"{prefix}_shape"]),
        helper.make_node("Gather", [f"{prefix}_shape", f"{prefix}_one"], [f"{prefix}_n"],
                         axis=0),
        helper.make_node("Cast", [f"{prefix}_n"], [f"{prefix}_nf"], to=TensorProto.FLOAT),
        helper.make_node("Sqrt", [f"{prefix}_nf"], [f"{prefix}_sf"]),
        helper.make_node("Cast", [f"{prefix}_sf"], [f"{prefix}_s"], to=INT64),
        helper.make_node("Concat", [f"{prefix}_ones", f"{prefix}_s", f"{prefix}_s"],
                         [f"{prefix}_dims"], axis=0),
    ]
    return f"{prefix}_dims"


def _branch(name: str, channels: int) -> onnx.GraphProto:
    """Reshape the audio frame into an image of opaque size, then a 3x3 conv."""
    nodes: list = []
    dims = _opaque_dims(name, "audio", nodes)
    nodes += [helper.make_node("Reshape", ["audio", dims], [f"{name}_img"]),
              helper.make_node("Conv", [f"{name}_img", f"{name}_w"], [f"{name}_y"],
                               name=f"{name}_conv"),
              helper.make_node("ReduceMean", [f"{name}_y"], [f"{name}_out"], keepdims=0)]
    return helper.make_graph(
        nodes, name, [], [value(f"{name}_out", None)],
        [weight(f"{name}_w", [channels, 1, 3, 3]), _ints(f"{name}_one", [1]),
         _ints(f"{name}_ones", [1, 1])])


def voice_activity_model(path: Path) -> Path:
    """A voice-activity detector in the style of Silero VAD: its convs live inside an If
    on the sample rate. Then-branch conv: 4 x 6x6 x 9 = 1,296 MACs; else: 2,592."""
    nodes = [
        helper.make_node("Equal", ["sr", "sr16k"], ["is16k"]),
        helper.make_node("If", ["is16k"], ["prob"], name="rate_switch",
                         then_branch=_branch("then", 4), else_branch=_branch("else", 8)),
    ]
    graph = helper.make_graph(nodes, "vad", [value("audio", [1, 64]), value("sr", [], INT64)],
                              [value("prob", None)], [_ints("sr16k", 16000)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              ir_version=8)
    path.write_bytes(model.SerializeToString())
    return path


def dynamic_quantize_lstm_model(path: Path, seq: int = 5, batch: int = 1, inputs: int = 16,
                                hidden: int = 32) -> Path:
    """onnxruntime's com.microsoft DynamicQuantizeLSTM (int8 W and R, as in quantized
    speech models): W [dirs, input, 4*hidden], R [dirs, hidden, 4*hidden]."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(
        rng.integers(-8, 8, (1, inputs, 4 * hidden)).astype(np.int8), "W")
    r = numpy_helper.from_array(
        rng.integers(-8, 8, (1, hidden, 4 * hidden)).astype(np.int8), "R")
    scales = [numpy_helper.from_array(np.array([0.05], np.float32), n)
              for n in ("W_scale", "R_scale")]
    zeros = [numpy_helper.from_array(np.array([0], np.int8), n)
             for n in ("W_zero_point", "R_zero_point")]
    node = helper.make_node(
        "DynamicQuantizeLSTM",
        ["X", "W", "R", "", "", "", "", "", "W_scale", "W_zero_point", "R_scale",
         "R_zero_point"], ["Y"], name="qlstm", domain="com.microsoft", hidden_size=hidden)
    graph = helper.make_graph([node], "speech", [value("X", [seq, batch, inputs])],
                              [value("Y", None)], [w, r, *scales, *zeros])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)],
                              ir_version=8)
    path.write_bytes(model.SerializeToString())
    return path


def derived_weight_model(path: Path) -> Path:
    """A conv weight padded from a 2x2 initializer to 3x3 by pads computed from the
    input's Shape() through Sqrt (opaque to static inference): constant, yet unshaped
    until the model runs. 4 x 6x6 x 3 x 9 = 3,888 MACs."""
    nodes = [
        helper.make_node("Shape", ["x"], ["x_shape"]),
        helper.make_node("Gather", ["x_shape", "two"], ["h"], axis=0),
        helper.make_node("Cast", ["h"], ["hf"], to=TensorProto.FLOAT),
        helper.make_node("Sqrt", ["hf"], ["rootf"]),  # sqrt(8) = 2.83 -> 2
        helper.make_node("Cast", ["rootf"], ["root"], to=INT64),
        helper.make_node("Sub", ["root", "one"], ["pad"]),  # 1
        helper.make_node("Concat", ["zeros6", "pad", "pad"], ["pads"], axis=0),
        helper.make_node("Pad", ["w0", "pads"], ["w"]),
        helper.make_node("Conv", ["x", "w"], ["y"], name="conv"),
    ]
    graph = helper.make_graph(
        nodes, "derived", [value("x", [1, 3, 8, 8])], [value("y", None)],
        [weight("w0", [4, 3, 2, 2]), _ints("two", [2]), _ints("one", [1]),
         _ints("zeros6", [0] * 6)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              ir_version=8)
    path.write_bytes(model.SerializeToString())
    return path


def duration_model(path: Path) -> Path:
    """A TTS length regulator: the number of frames is the sum of the predicted
    durations, an input; each frame [8] goes through a [8, 16] projection.
    MACs = frames x 8 x 16 (1,024 for durations 3,1,2,2; 0 with zeros)."""
    nodes = [
        helper.make_node("ReduceSum", ["durations"], ["total"], keepdims=1),
        helper.make_node("Concat", ["one", "total", "eight"], ["frame_dims"], axis=0),
        helper.make_node("ConstantOfShape", ["frame_dims"], ["frames"],
                         value=numpy_helper.from_array(np.array([1.0], np.float32))),
        helper.make_node("MatMul", ["frames", "proj"], ["mel"], name="projection"),
    ]
    graph = helper.make_graph(
        nodes, "tts", [value("durations", [4], INT64)], [value("mel", None)],
        [weight("proj", [8, 16]), _ints("one", [1]), _ints("eight", [8])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              ir_version=8)
    path.write_bytes(model.SerializeToString())
    return path
