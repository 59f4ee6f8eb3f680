"""Device fusion models the statistical estimator applies before its layer model."""

from __future__ import annotations


def cpu_fusion_rules():
    """What onnxruntime 1.31 (all graph optimizations, NCHWc) merges into one kernel on
    this CPU, as fusion rules over ONNX ops: Conv+BatchNorm folding, Conv+activation
    (FusedConv), the NCHWc convolution's fused residual Sum/Add (+Relu), Gemm+Relu
    (FusedGemm) and MatMul+Add (Gemm). Checked against the optimized graphs of the zoo
    networks in tests/benchmarking/test_cpu_fusion.py."""
    from explorer.hardware.schema import FusionRule

    patterns = [
        ["Conv", "BatchNormalization", "Sum", "Relu"], ["Conv", "BatchNormalization", "Add", "Relu"],
        ["Conv", "Sum", "Relu"], ["Conv", "Add", "Relu"],
        ["Conv", "BatchNormalization", "Sum"], ["Conv", "BatchNormalization", "Add"],
        ["Conv", "BatchNormalization", "Relu"], ["Conv", "BatchNormalization"],
        ["Conv", "Relu"], ["Gemm", "Relu"], ["MatMul", "Add"],
    ]
    return [FusionRule(pattern=p, name="onnxruntime " + "+".join(p)) for p in patterns]
