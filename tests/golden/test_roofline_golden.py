"""Golden roofline totals over the nine zoo networks × the accelerator library: any
change to the importer, fusion, the library or the analytical models shows up here."""

import json
from pathlib import Path

import pytest

from explorer.estimators.registry import get_estimator
from explorer.hardware.library import load_accelerator
from explorer.workload import load_network

GOLDEN = json.loads(Path(__file__).with_name("roofline_totals.json").read_text())
CASES = sorted({tuple(key.split("/")[:2]) for key in GOLDEN})


@pytest.fixture(scope="module")
def networks() -> dict:
    return {}


@pytest.mark.parametrize("net_name, arch", CASES)
def test_roofline_totals_match_golden(networks, net_name, arch) -> None:
    if net_name not in networks:
        networks[net_name] = load_network(net_name)
    net, acc = networks[net_name], load_accelerator(arch)
    for est in ("roofline", "refined-roofline"):
        golden = GOLDEN[f"{net_name}/{arch}/{est}"]
        result = get_estimator(est).estimate(net, acc)
        assert net.macs == golden["macs"]
        assert len(result.layers) == golden["layers"]
        assert result.cycles == pytest.approx(golden["cycles"], rel=1e-9)
