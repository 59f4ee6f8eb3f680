"""Analytical layer models of ANNETTE (Wess et al., 2021): roofline and refined roofline.

Roofline: t = max(ops / peak, bytes / bandwidth), bytes = inputs + weights + outputs once
at the target's precisions, against DRAM bandwidth. The work is the one decomposition the
kernel estimators map (mapping/problem.py `work_of`): GEMM MACs on the PE array, other
arithmetic (element-wise, pooling, softmax, normalisation) on the vector unit, except
element-wise work in an array layer's output path, which is free while
`compute.fused_elementwise_free` holds (the default); views (Reshape, Flatten, Concat
written in place) move no data.

Traffic respects the residency the kernel estimators use (mapping/reuse.py): an input
kept on chip by the previous layers, an output kept for the next ones and weights kept
across inferences do not cross the DRAM interface.

Refined roofline: the compute term is divided by the array's spatial efficiency,
eff = Π_d eff_d with eff_d = n_d / (ceil(n_d / p_d) · p_d) over the two dimensions the
dataflow unrolls onto the PE rows and columns, each damped by α as ANNETTE does:
eff' = 1 / ((1 − α) + α / eff).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pydantic import Field

from explorer.estimators.base import Estimator, LayerEstimate, Run
from explorer.estimators.options import EstimatorOptions
from explorer.hardware.schema import Accelerator, Dataflow
from explorer.mapping.problem import Work, work_of
from explorer.mapping.reuse import Residency, plan_residency
from explorer.workload.network import ConvDims, Layer, MatMulDims, Network


def unrolled_dims(layer: Layer, dataflow: Dataflow) -> tuple[int, int] | None:
    """(n_rows, n_cols): the sizes of the layer dimensions mapped onto PE rows and columns,
    with SCALE-Sim's operand folding (WS: Cin·Fh·Fw × Cout, OS: pixels × Cout,
    IS: Cin·Fh·Fw × pixels). None for layers that do not run on the array."""
    dims = layer.dims
    if isinstance(dims, ConvDims):
        reduction = dims.in_channels_per_group * dims.kernel_h * dims.kernel_w
        pixels = dims.out_h * dims.out_w * dims.batch
        out = dims.out_channels_per_group
    elif isinstance(dims, MatMulDims):
        reduction, pixels, out = dims.k, dims.m, dims.n
    else:
        return None
    return {Dataflow.WS: (reduction, out), Dataflow.OS: (pixels, out),
            Dataflow.IS: (reduction, pixels)}[dataflow]


def dim_efficiency(n: int, p: int) -> float:
    return n / (math.ceil(n / p) * p)


def spatial_efficiency(layer: Layer, acc: Accelerator, alpha: float = 1.0) -> float:
    unrolled = unrolled_dims(layer, acc.compute.dataflow)
    if unrolled is None:
        return 1.0
    eff = 1.0
    for n, p in zip(unrolled, (acc.compute.pe_rows, acc.compute.pe_cols)):
        e = dim_efficiency(n, p)
        eff *= 1.0 / ((1.0 - alpha) + alpha / e)
    return eff


class Roofline(Estimator):
    name = "roofline"
    description = "ANNETTE roofline: max(compute at peak, traffic at DRAM bandwidth)"
    fast = True

    def compute_cycles(self, layer: Layer, acc: Accelerator, work: Work) -> float:
        c = acc.compute
        return work.array_macs / c.peak_macs_per_cycle + work.vector_ops / c.vector_lanes

    # The residency of the network being estimated (iter_layers), so that
    # estimate_layer(layer, acc), the one per-layer interface, sees it.
    _residency: dict[str, Residency] = {}

    def iter_layers(self, network: Network, accelerator: Accelerator,
                    run: Run) -> Iterator[LayerEstimate]:
        self._residency = plan_residency(network, accelerator)  # over the whole graph
        try:
            for layer in network.layers:
                yield self.estimate_layer(layer, accelerator)
        finally:
            self._residency = {}

    def estimate_layer(self, layer: Layer, acc: Accelerator) -> LayerEstimate:
        # The work the kernel estimators map, too (mapping/problem.py): element-wise work
        # in an array layer's output path is free unless the accelerator says otherwise,
        # views move no data.
        work = work_of(layer, fused_free=acc.compute.fused_elementwise_free)
        p = acc.compute.precision
        r = self._residency.get(layer.name) or Residency()
        traffic = (layer.input_bytes(p.input_bits) * r.input_dram
                   + (layer.weight_bytes(p.weight_bits) if r.weights_dram else 0)
                   + (layer.output_bytes(p.input_bits) if r.output_dram else 0)
                   if work.moves_data else 0)
        compute = self.compute_cycles(layer, acc, work)
        memory = traffic / acc.offchip.bandwidth_bytes_per_cycle
        cycles = max(compute, memory)
        energy_pj = (work.array_macs * acc.compute.energy_per_mac_pj
                     + work.vector_ops * acc.compute.energy_per_vector_op_pj
                     + traffic * acc.offchip.energy_pj_per_byte)
        peak_cycles = work.array_macs / acc.compute.peak_macs_per_cycle
        return LayerEstimate(
            name=layer.name, op=layer.op, onnx_nodes=list(layer.onnx_nodes), macs=layer.macs,
            cycles=cycles, latency_s=acc.cycles_to_seconds(cycles),
            bound=None if not cycles else ("compute" if compute >= memory else "memory"),
            energy_j=energy_pj * 1e-12, compute_cycles=compute, memory_cycles=memory,
            utilisation=peak_cycles / cycles if cycles else None, modelled=layer.modelled)


class RefinedRooflineOptions(EstimatorOptions):
    alpha: float = Field(1.0, ge=0.0, le=1.0, description=(
        "ANNETTE's damping of the PE array's spatial efficiency: eff' = 1 / ((1 - alpha) "
        "+ alpha / eff); 1 charges the full inefficiency, 0 none (plain roofline)"))


class RefinedRoofline(Roofline):
    name = "refined-roofline"
    description = "ANNETTE refined roofline: compute term divided by the PE array's efficiency"
    Options = RefinedRooflineOptions

    def compute_cycles(self, layer: Layer, acc: Accelerator, work: Work) -> float:
        c = acc.compute
        alpha = self.options.alpha
        array = work.array_macs / c.peak_macs_per_cycle / spatial_efficiency(layer, acc, alpha)
        return array + work.vector_ops / c.vector_lanes
