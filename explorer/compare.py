"""Comparing estimators, layer by layer, against a reference: the one implementation
behind `accel-explorer compare`, the benchmarks and (through `compare_results`) the
GUI's comparison view.

Layers are matched by name, or, when two estimators fuse differently, by the ONNX node
a layer starts with. Errors are relative to the reference: (other − reference) /
reference, 0.1 = 10 % above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the estimators are imported when a comparison runs
    from explorer.estimators.base import CancelFn, LayerEstimate, NetworkEstimate, ProgressFn

REFERENCE = "simulate"


def relative_error(value: float, reference: float) -> float | None:
    return (value - reference) / reference if reference else None


def match_layers(reference: NetworkEstimate,
                 other: NetworkEstimate) -> dict[str, LayerEstimate]:
    """Reference layer name -> the layer of `other` that stands for it."""
    by_name = {layer.name: layer for layer in other.layers}
    by_node = {layer.onnx_nodes[0]: layer for layer in other.layers if layer.onnx_nodes}
    matched = {}
    for layer in reference.layers:
        found = by_name.get(layer.name)
        if found is None and layer.onnx_nodes:
            found = by_node.get(layer.onnx_nodes[0])
        if found is not None:
            matched[layer.name] = found
    return matched


@dataclass(frozen=True)
class ComparedLayer:
    name: str
    op: str
    reference_s: float
    other_s: dict[str, float]  # series name -> latency
    reference_cycles: float = 0.0
    other_cycles: dict[str, float] | None = None

    def error(self, series: str, quantity: str = "latency_s") -> float | None:
        """Relative error of `series` against the reference (0.1 = 10 % slower), in
        seconds (`latency_s`) or cycles (`cycles`)."""
        if quantity == "cycles":
            other = (self.other_cycles or {}).get(series)
            ref = self.reference_cycles
        else:
            other, ref = self.other_s.get(series), self.reference_s
        if other is None or ref <= 0:
            return None
        return (other - ref) / ref


@dataclass
class Comparison:
    reference: str
    series: list[str]
    layers: list[ComparedLayer]
    totals_s: dict[str, float]
    totals_cycles: dict[str, float] | None = None

    def errors(self, series: str, quantity: str = "latency_s") -> list[float]:
        return [abs(e) for e in (layer.error(series, quantity) for layer in self.layers)
                if e is not None]

    def mape(self, series: str, quantity: str = "latency_s") -> float | None:
        errors = self.errors(series, quantity)
        return sum(errors) / len(errors) if errors else None

    def total_error(self, series: str, quantity: str = "latency_s") -> float | None:
        totals = self.totals_cycles if quantity == "cycles" else self.totals_s
        ref, other = (totals or {}).get(self.reference), (totals or {}).get(series)
        if not ref or other is None:
            return None
        return (other - ref) / ref


def compare_results(results: Mapping[str, NetworkEstimate], reference: str) -> Comparison:
    """Every series of `results` against `results[reference]`, layer by layer."""
    ref = results[reference]
    series = [name for name in results if name != reference]
    matched = {name: match_layers(ref, results[name]) for name in series}
    layers = []
    for estimate in ref.layers:
        others = {name: matched[name][estimate.name] for name in series
                  if estimate.name in matched[name]}
        layers.append(ComparedLayer(
            estimate.name, estimate.op, estimate.latency_s,
            {name: layer.latency_s for name, layer in others.items()},
            estimate.cycles, {name: layer.cycles for name, layer in others.items()}))
    return Comparison(reference, series, layers,
                      {name: result.latency_s for name, result in results.items()},
                      {name: result.cycles for name, result in results.items()})


def run_estimators(network, accelerator, names: list[str], *,
                   options: Mapping[str, Mapping[str, Any]] | None = None,
                   progress: ProgressFn | None = None, cancel: CancelFn | None = None
                   ) -> dict[str, NetworkEstimate]:
    """Each named estimator's result, in order (its wall time is the result's
    `runtime_s`); `options` per estimator name; progress counts the layers of all of
    them. Every estimator is built first, so a bad option fails before any runs. The one
    way to run several estimators: `compare` and the session's compare operation."""
    from explorer.estimators.base import run_estimate
    from explorer.estimators.registry import make_estimator

    estimators = {name: make_estimator(name, (options or {}).get(name)) for name in names}
    results: dict[str, NetworkEstimate] = {}
    for i, (name, estimator) in enumerate(estimators.items()):
        def step(done: int, total: int, what: str, i: int = i, n: str = name) -> None:
            if progress:
                progress(i * total + done, len(names) * total, f"{n}: {what}")

        results[name] = run_estimate(estimator, network, accelerator,
                                     progress=step if progress else None, cancel=cancel)
    return results


def options_for(names: list[str], options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Command-line options (one flat KEY=VALUE set) split by estimator: each goes to the
    compared estimators that declare it; one that none declares is an error."""
    from explorer.errors import EstimationError
    from explorer.estimators.registry import options_model

    fields = {name: set(options_model(name).model_fields) for name in names}
    split: dict[str, dict[str, Any]] = {name: {} for name in names}
    for key, value in options.items():
        takers = [name for name in names if key in fields[name]]
        if not takers:
            raise EstimationError(f"--option {key}: none of {', '.join(names)} has that "
                                  "option")
        for name in takers:
            split[name][key] = value
    return split


def compare(network, accelerator, names: list[str], *, reference: str = REFERENCE,
            options: Mapping[str, Mapping[str, Any]] | None = None,
            progress: ProgressFn | None = None,
            cancel: CancelFn | None = None) -> dict[str, Any]:
    """Run `reference` and each named estimator; the report of `comparison_report`."""
    names = [name for name in names if name != reference]
    results = run_estimators(network, accelerator, [reference, *names], options=options,
                             progress=progress, cancel=cancel)
    return comparison_report(results, reference)


def comparison_report(results: Mapping[str, NetworkEstimate],
                      reference: str = REFERENCE) -> dict[str, Any]:
    """What `accel-explorer compare --format json` prints for finished results (the
    reference among them): per layer cycles and errors, per estimator total error, layer
    MAPE, worst layer error, wall time and speed-up over the reference."""
    reference_result = results[reference]
    names = [name for name in results if name != reference]
    comparison = compare_results(results, reference)
    reference_wall = reference_result.runtime_s
    report: dict[str, Any] = {
        "network": reference_result.network.name,
        "accelerator": reference_result.accelerator, "reference": reference,
        reference: {"runtime_s": reference_wall, "total_cycles": reference_result.cycles,
                    "instructions": sum(layer.instructions or 0
                                        for layer in reference_result.layers),
                    "layers": {layer.name: layer.cycles for layer in reference_result.layers}},
        "estimators": {},
    }
    for name in names:
        result = results[name]
        wall = result.runtime_s
        matched = match_layers(result, reference_result)  # this estimator's layers
        layers = {}
        for layer in result.layers:
            ref = matched.get(layer.name)
            err = relative_error(layer.cycles, ref.cycles) if ref is not None else None
            layers[layer.name] = {"cycles": layer.cycles, "error": err}
        errors = [abs(v["error"]) for v in layers.values() if v["error"] is not None]
        evaluated = [layer.iterations_evaluated for layer in result.layers]
        report["estimators"][name] = {
            "runtime_s": wall,
            "speedup_vs_simulate": reference_wall / wall if wall else None,
            "total_cycles": result.cycles,
            "total_error": comparison.total_error(name, "cycles"),
            "layer_mape": sum(errors) / len(errors) if errors else None,
            "layer_max_error": max(errors) if errors else None,
            "iterations_evaluated": None if None in evaluated else sum(evaluated),
            "layers": layers,
        }
    return report
