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


def device_fusion_rules(device: str, fallback=None):
    """The fusion model of the device a statistical model was trained on: `cpu` merges
    what onnxruntime merges; `pool:PATH` merges nothing (a pool holds layers measured
    alone and unfused: the H200 pool's convolutions ran without their batch norm or
    activation, which a network model costs as kernels of their own); `sim:<arch>` the
    accelerator's rules; anything else (or an arch no longer in the library) `fallback`
    (the rules of the accelerator the estimate is made for)."""
    kind, _, arch = device.partition(":")
    if kind == "cpu":
        return cpu_fusion_rules()
    if kind == "pool":
        return []
    if kind == "sim" and arch:
        from explorer.hardware.library import load_accelerator

        try:
            return load_accelerator(arch).fusion
        except Exception:  # the model's accelerator is no longer in the library
            pass
    return list(fallback or [])
