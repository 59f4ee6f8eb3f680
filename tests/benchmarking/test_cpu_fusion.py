"""The declared onnxruntime fusion rules against onnxruntime's own optimized graphs."""

from collections import Counter

import onnx
import onnxruntime as ort
import pytest

from explorer.learned.fusion import cpu_fusion_rules
from explorer.workload import load_network
from explorer.workload.fusion import apply_fusion
from explorer.workload.zoo import zoo_path


def optimized_ops(name: str, tmp_path) -> Counter:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.log_severity_level = 3
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.optimized_model_filepath = str(tmp_path / f"{name}.onnx")
    ort.InferenceSession(str(zoo_path(name)), so, providers=["CPUExecutionProvider"])
    return Counter(n.op_type for n in onnx.load(so.optimized_model_filepath).graph.node)


@pytest.mark.parametrize("name", ["resnet50", "squeezenet",
                                  pytest.param("bvlc_alexnet", marks=pytest.mark.slow)])
def test_fused_layers_match_onnxruntime_kernels(name, tmp_path):
    ops = optimized_ops(name, tmp_path)
    layers = Counter(layer.op for layer in
                     apply_fusion(load_network(name), cpu_fusion_rules()).layers)
    # Every conv is one kernel (NCHWc Conv or FusedConv) with its BN, Relu and residual
    # Sum folded in: as many conv layers as conv kernels, and no Relu/Sum/BN left where
    # onnxruntime left none.
    assert layers["Conv"] == ops["Conv"] + ops["FusedConv"]
    for op in ("Relu", "Sum", "BatchNormalization"):
        assert layers[op] == ops[op], op
    assert layers["Gemm"] == ops["Gemm"] + ops["FusedGemm"]
