"""Small ONNX graphs for the published figures whose networks are not in the zoo.

Built with `onnx.helper`; weights are `ConstantOfShape` nodes (as in the onnx package's
`light_*` zoo models), so a file is a few kB whatever the layer sizes. Each builder
writes its file into `directory` (created) and returns the path.

- `tpuv1_mlp0`: TPU v1's MLP0 as Jouppi et al. (ISCA 2017) Table 1 describe it: 5 fully
  connected layers with ReLU, 20 M weights, batch 200. The paper gives no widths; five
  equal square layers of 20 M / 5 = 4 M weights are 2000×2000 (our assumption).
- `tc_resnet8`: TC-ResNet8 (Choi et al., Interspeech 2019, Fig. 2 / Table 1, width 1.0):
  40 MFCC channels × 101 frames as a 1×101 map with 40 channels; a 3-tap conv to 16
  channels, three residual blocks of two 9-tap convs (24, 32, 48 channels, stride 2, a
  1×1 stride-2 projection on the shortcut), global average pooling and a 12-way FC.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx import TensorProto, helper


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, shape: list[int]) -> str:
        shape_name, out = self.name("shape"), self.name("w")
        self.nodes.append(helper.make_node(
            "Constant", [], [shape_name],
            value=helper.make_tensor(shape_name, TensorProto.INT64, [len(shape)], shape)))
        self.nodes.append(helper.make_node(
            "ConstantOfShape", [shape_name], [out],
            value=helper.make_tensor("v", TensorProto.FLOAT, [1], [0.01])))
        return out

    def node(self, op: str, inputs: list[str], name: str, **attrs) -> str:
        out = self.name(f"{name}_out")
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def save(self, path: Path, inputs, output: str, out_shape: list[int]) -> Path:
        graph = helper.make_graph(self.nodes, path.stem, inputs,
                                  [helper.make_tensor_value_info(output, TensorProto.FLOAT,
                                                                 out_shape)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        onnx.checker.check_model(model)
        path.parent.mkdir(parents=True, exist_ok=True)
        onnx.save(model, str(path))
        return path


def tpuv1_mlp0(directory: Path, batch: int = 200, width: int = 2000, layers: int = 5) -> Path:
    g = _Graph()
    x = "input"
    for i in range(layers):
        w = g.const([width, width])
        b = g.const([width])
        x = g.node("Gemm", [x, w, b], f"fc{i}", transB=1)
        x = g.node("Relu", [x], f"relu{i}")
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, width])]
    return g.save(Path(directory) / "tpuv1_mlp0.onnx", inputs, x, [batch, width])


def tc_resnet8(directory: Path, classes: int = 12) -> Path:
    g = _Graph()

    def conv(x: str, cin: int, cout: int, taps: int, stride: int, name: str) -> str:
        w = g.const([cout, cin, 1, taps])
        pad = (taps - 1) // 2
        return g.node("Conv", [x, w], name, kernel_shape=[1, taps], strides=[1, stride],
                      pads=[0, pad, 0, pad])

    x = conv("input", 40, 16, 3, 1, "conv0")
    channels = 16
    for i, cout in enumerate((24, 32, 48)):
        y = g.node("Relu", [conv(x, channels, cout, 9, 2, f"b{i}_conv1")], f"b{i}_relu1")
        y = conv(y, cout, cout, 9, 1, f"b{i}_conv2")
        shortcut = g.node("Relu", [conv(x, channels, cout, 1, 2, f"b{i}_proj")], f"b{i}_relu_p")
        x = g.node("Relu", [g.node("Add", [y, shortcut], f"b{i}_add")], f"b{i}_relu2")
        channels = cout
    x = g.node("GlobalAveragePool", [x], "pool")
    x = g.node("Flatten", [x], "flatten")
    x = g.node("Gemm", [x, g.const([classes, channels]), g.const([classes])], "fc", transB=1)
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 40, 1, 101])]
    return g.save(Path(directory) / "tc_resnet8.onnx", inputs, x, [1, classes])
