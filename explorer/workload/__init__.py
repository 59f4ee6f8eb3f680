"""Workload import: ONNX files and zoo networks as `Network`s of costed layers."""

from explorer.workload.network import ConvDims, Layer, LayerKind, MatMulDims, Network
from explorer.workload.onnx_import import load_network
from explorer.workload.zoo import ZOO_NAMES, zoo_path

__all__ = ["ZOO_NAMES", "ConvDims", "Layer", "LayerKind", "MatMulDims", "Network",
           "load_network", "zoo_path"]
