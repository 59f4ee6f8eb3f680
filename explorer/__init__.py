"""accel-explorer: design-space exploration of DNN inference on AI accelerators.

The public, Qt-free API::

    import explorer
    net = explorer.load_network("resnet50")          # or a path to an .onnx file
    acc = explorer.load_accelerator("gemmini")       # or a path to a .yaml file
    result = explorer.estimate(net, acc)             # default estimator
    print(result.latency_s, [layer.cycles for layer in result.layers])

Submodules are imported on first use so that `import explorer` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.estimators.base import NetworkEstimate
    from explorer.hardware.schema import Accelerator
    from explorer.workload.network import Network

__version__ = "0.1.0"
__all__ = ["estimate", "estimator_names", "library_names", "load_accelerator", "load_network"]


def load_network(source: str, input_shapes: dict[str, tuple[int, ...]] | None = None) -> Network:
    """An ONNX file or zoo short name (`resnet50`, `vgg19`, ...) as a `Network`."""
    from explorer.workload import load_network as _load

    return _load(source, input_shapes=input_shapes)


def load_accelerator(name_or_path: str) -> Accelerator:
    """A library entry (`gemmini`, `systolic`, ...) or a YAML file as an `Accelerator`."""
    from explorer.hardware.library import load_accelerator as _load

    return _load(name_or_path)


def library_names() -> list[str]:
    from explorer.hardware.library import library_names as _names

    return _names()


def estimator_names() -> list[str]:
    from explorer.estimators.registry import estimator_names as _names

    return _names()


def estimate(network: Network | str, accelerator: Accelerator | str = "gemmini",
             estimator: str | None = None, **options: Any) -> NetworkEstimate:
    """Estimate `network` on `accelerator` with a registered estimator (default: the most
    accurate fast one). `options` go to the estimator's options model (e.g. `alpha=` for
    refined-roofline, `model=` for statistical); unknown or bad ones raise EstimationError."""
    from explorer.estimators.registry import DEFAULT_ESTIMATOR, make_estimator

    if isinstance(network, str):
        network = load_network(network)
    if isinstance(accelerator, str):
        accelerator = load_accelerator(accelerator)
    return make_estimator(estimator or DEFAULT_ESTIMATOR, options).estimate(network, accelerator)
