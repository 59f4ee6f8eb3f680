"""The versioned JSON output of an estimate: every estimator's output validates against the
published schema (docs/estimate-output.schema.json), which is up to date, and the CSV has
the DataFrame's columns."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

import explorer
from explorer.cli import main
from explorer.estimators.base import LAYER_COLUMNS
from explorer.hardware.library import json_schema as accelerator_schema
from explorer.output_schema import FORMAT_VERSION, estimate_output_schema
from explorer.report import format_csv

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = ["format", "format_version", "explorer_version", "network", "accelerator",
             "estimator", "estimator_options", "total", "layers", "runtime_s", "details"]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "docs" / "estimate-output.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    accelerator = accelerator_schema()
    registry = Registry().with_resources([
        (accelerator["$id"], Resource.from_contents(accelerator)),
        (schema["$id"], Resource.from_contents(schema))])
    return jsonschema.Draft202012Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    """A small statistical model (cpu, synthetic measurements), as tests/benchmarking
    trains one: a few hundred layer configurations, seconds to fit."""
    from explorer.benchmarking.devices.base import Measurement
    from explorer.benchmarking.space import random_configs
    from explorer.benchmarking.store import BenchmarkStore
    from explorer.benchmarking.training import train_from_store
    from explorer.learned.model_files import save_model

    tmp = tmp_path_factory.mktemp("schema-model")
    store_path = tmp / "cpu.h5"
    with BenchmarkStore(store_path, device="cpu",
                        provenance={"device_kind": "cpu", "vector_width_fp32": "16"}) as store:
        for config in random_configs(120, seed=5):
            latency = 2e-6 + 1e-10 * config.macs
            store.append(config, Measurement(latency, 0.0, 7, 5, 0.1, 1e9, "cpu", "synthetic"),
                         "train")
    trained = train_from_store(store_path)
    path = tmp / "cpu.skops"
    save_model(trained.model, path, trained.metadata)
    return path


def test_committed_schema_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_estimate_schema",
                                                  ROOT / "scripts" / "gen_estimate_schema.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    committed = (ROOT / "docs" / "estimate-output.schema.json").read_text(encoding="utf-8")
    assert committed == generator.render(), (
        "docs/estimate-output.schema.json is stale: run python scripts/gen_estimate_schema.py")
    assert json.loads(committed) == estimate_output_schema()


@pytest.mark.parametrize("name", explorer.estimator_names())
def test_every_estimators_output_validates(name, validator, request) -> None:
    options = {"model": request.getfixturevalue("model_file")} if name == "statistical" else {}
    result = explorer.estimate("squeezenet", "gemmini", estimator=name, **options)
    data = json.loads(result.to_json())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(data)]
    assert not errors, errors[:5]
    assert list(data) == TOP_LEVEL  # the same keys, in the same order, for every estimator
    assert data["format_version"] == FORMAT_VERSION
    assert data["estimator"] == name
    assert data["accelerator"]["description"]["name"] == "gemmini"
    if name == "statistical":
        assert data["estimator_options"] == {"model": str(options["model"])}


def test_estimator_options_are_in_the_output(validator) -> None:
    result = explorer.estimate("squeezenet", "gemmini", "refined-roofline", alpha=0.5)
    data = json.loads(result.to_json())
    validator.validate(data)
    assert data["estimator_options"] == {"alpha": 0.5}
    assert json.loads(explorer.estimate("squeezenet", "gemmini", "roofline").to_json())[
        "estimator_options"] == {}


def test_schema_rejects_output_it_does_not_describe(validator) -> None:
    data = json.loads(explorer.estimate("squeezenet", "gemmini", "roofline").to_json())
    assert validator.is_valid(data)
    for broken in ({k: v for k, v in data.items() if k != "details"},
                   data | {"simulate": {}},
                   data | {"format_version": 2},
                   data | {"layers": [data["layers"][0] | {"latency_s": "1 ms"}]},
                   data | {"accelerator": {"name": "x", "description": {"name": "x"}}}):
        assert not validator.is_valid(broken)


def test_cli_json_output_validates_and_keeps_the_overrides(validator, tmp_path) -> None:
    path = tmp_path / "out.json"
    assert main(["estimate", "squeezenet", "--arch", "systolic", "--set",
                 "compute.pe_rows=8", "--estimator", "refined-roofline", "--format", "json",
                 "-o", str(path)]) == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    validator.validate(data)
    assert data["accelerator"]["description"]["compute"]["pe_rows"] == 8


def test_csv_has_the_dataframe_columns() -> None:
    result = explorer.estimate("squeezenet", "gemmini", "depgraph")
    rows = list(csv.DictReader(io.StringIO(format_csv(result))))
    assert list(rows[0]) == LAYER_COLUMNS == list(result.to_dataframe().columns)
    assert [r["name"] for r in rows] == [layer.name for layer in result.layers]
    assert float(rows[0]["latency_s"]) == result.layers[0].latency_s
    assert int(rows[0]["dram_read_bytes"]) == result.layers[0].dram_read_bytes
