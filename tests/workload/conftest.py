"""Fixtures: onnx's own single-node test models."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnx
import pytest
from workload_models import save


@pytest.fixture(scope="session")
def onnx_node_cases() -> dict[str, onnx.ModelProto]:
    """onnx's own single-node test models (the content of
    onnx/backend/test/data/node/*/model.onnx, which this onnx wheel does not ship as
    files), generated in memory by onnx.backend.test.case.node."""
    from onnx.backend.test.case import node

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return {case.name: case.model for case in node.collect_testcases(None)}


@pytest.fixture
def node_case_path(onnx_node_cases, tmp_path):
    def write(name: str) -> Path:
        return save(onnx_node_cases[name], tmp_path, name)
    return write
