"""Small hand-built layers shared by the mapping and estimator tests."""

from __future__ import annotations

from explorer.hardware.library import load_accelerator
from explorer.hardware.schema import Accelerator, Dataflow
from explorer.workload.network import ConvDims, Layer, LayerKind, MatMulDims


def conv(cin: int, h: int, cout: int, k: int, stride: int = 1, pad: int = 0, groups: int = 1,
         w: int | None = None, kw: int | None = None, name: str = "conv") -> Layer:
    w = h if w is None else w
    kw = k if kw is None else kw
    oh = (h + 2 * pad - k) // stride + 1 if h > 1 else 1
    ow = (w + 2 * pad - kw) // stride + 1
    d = ConvDims(1, cin, h, w, cout, oh, ow, k, kw, stride, stride, pad, pad, pad, pad,
                 groups=groups)
    return Layer(name, "Conv", LayerKind.CONV, [name], [(1, cin, h, w)], [(1, cout, oh, ow)],
                 [(cout, cin // groups, k, kw)], d, d.macs)


def conv1d(cin: int, length: int, cout: int, k: int, stride: int = 1) -> Layer:
    """A temporal convolution as UltraTrail runs (height 1)."""
    return conv(cin, 1, cout, 1, stride=stride, w=length, kw=k, name="conv1d")


def matmul(m: int, n: int, k: int, batch: int = 1, batched_weights: bool = False) -> Layer:
    d = MatMulDims(m, n, k, batch, batched_weights)
    weights = [] if batched_weights else [(k, n)]
    inputs = [(batch, m, k)] + ([(batch, k, n)] if batched_weights else [])
    return Layer("mm", "MatMul", LayerKind.MATMUL, ["mm"], inputs, [(batch, m, n)], weights, d,
                 d.macs)


def pool(c: int, h: int, k: int = 2) -> Layer:
    oh = h // k
    return Layer("pool", "MaxPool", LayerKind.POOL, ["pool"], [(1, c, h, h)], [(1, c, oh, oh)],
                 other_ops=c * oh * oh * k * k)


def eltwise(c: int, h: int) -> Layer:
    return Layer("add", "Add", LayerKind.ELTWISE, ["add"], [(1, c, h, h), (1, c, h, h)],
                 [(1, c, h, h)], other_ops=c * h * h)


def systolic(dataflow: str = "ws", dram_bytes_per_cycle: float | None = None) -> Accelerator:
    """The SCALE-Sim-like entry; without a bandwidth: SCALE-Sim's CALC mode (no stalls)."""
    acc = load_accelerator("systolic").model_copy(deep=True)
    acc.compute.dataflow = Dataflow(dataflow)
    bandwidth = dram_bytes_per_cycle or 1e5
    for memory in acc.memories:
        memory.dram_bandwidth_bytes_per_cycle = bandwidth
    acc.offchip.bandwidth_bytes_per_cycle = 3 * bandwidth
    acc.dma.bus_width_bits = min(65536, int(24 * bandwidth))
    acc.dma.max_requests_in_flight = 65536
    return acc
