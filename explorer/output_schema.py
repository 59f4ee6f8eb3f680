"""The JSON Schema of an estimate's JSON output (`accel-explorer estimate --format json`,
`NetworkEstimate.to_json()`), published as docs/estimate-output.schema.json.

Written by hand rather than derived from the result classes, so that the test which
validates every estimator's output against it checks the output, not the code against
itself. The accelerator description inside the output is checked against the
accelerator format's own schema (docs/accelerator-format.schema.json), by reference.

Change the output, then this schema, then `format_version` when an old reader would
misread the new output (a removed or renamed key, a changed unit); adding a key to
`details` or a layer's `mapping` needs no new version.
"""

from __future__ import annotations

from typing import Any

FORMAT = "accel-explorer-estimate"
FORMAT_VERSION = 1
SCHEMA_ID = f"accel-explorer/estimate-output-v{FORMAT_VERSION}.json"
# Relative to SCHEMA_ID: the `$id` of the accelerator format's schema (format version 1).
ACCELERATOR_SCHEMA_REF = "accelerator-format-v1.json"


def _number(description: str, *, nullable: bool = False) -> dict[str, Any]:
    kind: Any = ["number", "null"] if nullable else "number"
    return {"type": kind, "minimum": 0, "description": description}


def _integer(description: str, *, nullable: bool = False) -> dict[str, Any]:
    kind: Any = ["integer", "null"] if nullable else "integer"
    return {"type": kind, "minimum": 0, "description": description}


def _object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "object", "description": description, "additionalProperties": False,
            "required": list(properties), "properties": properties}


_LAYER = _object({
    "name": {"type": "string", "description": "the layer's name (its first ONNX node's)"},
    "op": {"type": "string", "description": "ONNX operator of the layer's main node"},
    "onnx_nodes": {"type": "array", "items": {"type": "string"},
                   "description": "every ONNX node the (fused) layer stands for"},
    "macs": _integer("multiply-accumulate operations"),
    "cycles": _number("accelerator clock cycles (statistical: the device's clock)"),
    "latency_s": _number("latency in seconds"),
    "bound": {"enum": ["compute", "memory", None],
              "description": "what limits the layer; null when unknown"},
    "energy_j": _number("energy in joules", nullable=True),
    "compute_cycles": _number("cycles the compute units are busy", nullable=True),
    "memory_cycles": _number("cycles the busiest off-chip path is busy", nullable=True),
    "stall_cycles": _number("cycles the compute units wait", nullable=True),
    "utilisation": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                    "description": "achieved MACs over peak MACs in `cycles`"},
    "modelled": {"type": "boolean",
                 "description": "false: the op is not modelled and was costed by element "
                                "count (statistical: counted as 0)"},
    "iterations_evaluated": _integer("loop-kernel iterations scheduled", nullable=True),
    "iterations_total": _integer("loop-kernel iterations of the layer", nullable=True),
    "instructions": _integer("accelerator instructions executed", nullable=True),
    "mapping": {"type": ["object", "null"],
                "description": "how the layer is mapped (estimator-specific keys; "
                               "dram_read_bytes and dram_write_bytes in bytes; "
                               "statistical: latency_interval90_s [low, high] in s and, "
                               "on a CPU, weight_fetch_s, the part of the latency paid for "
                               "weights arriving from memory); null for estimators "
                               "without a mapping"},
}, "the estimate of one layer")

_NETWORK = _object({
    "name": {"type": "string"},
    "source": {"type": "string", "description": "the ONNX file or zoo name it came from"},
    "sha256": {"type": "string", "description": "SHA-256 of the ONNX file's bytes"},
    "layers": _integer("layers after the estimator's fusion rules"),
    "macs": _integer("multiply-accumulate operations of the whole network"),
    "unmodelled": {"type": "array", "items": {"type": "string"},
                   "description": "layers costed by element count"},
    "warnings": {"type": "array", "items": {"type": "string"}},
}, "the network as estimated")

_TOTAL = _object({
    "cycles": _number("sum of the layers' cycles"),
    "latency_s": _number("sum of the layers' latencies, seconds"),
    "energy_j": _number("joules; null when any layer's energy is unknown", nullable=True),
    "memory_bytes": _number("peak footprint in bytes (weights + live activations)",
                            nullable=True),
    "dram_read_bytes": _integer("bytes read from DRAM; null when unknown", nullable=True),
    "dram_write_bytes": _integer("bytes written to DRAM; null when unknown", nullable=True),
    "iterations_evaluated": _integer("loop-kernel iterations scheduled", nullable=True),
    "iterations_total": _integer("loop-kernel iterations", nullable=True),
    "instructions": _integer("accelerator instructions", nullable=True),
}, "whole-network totals")


def estimate_output_schema() -> dict[str, Any]:
    """The schema (JSON Schema draft 2020-12) as a dict."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"accel-explorer estimate output, format version {FORMAT_VERSION}",
        **_object({
            "format": {"const": FORMAT},
            "format_version": {"const": FORMAT_VERSION},
            "explorer_version": {"type": "string",
                                 "description": "accel-explorer version that wrote it"},
            "network": _NETWORK,
            "accelerator": _object({
                "name": {"type": "string"},
                "description": {
                    "description": "the full description estimated on, every override "
                                   "applied: load it as YAML to reproduce the design; null "
                                   "when the result came from no estimator",
                    "anyOf": [{"type": "null"}, {"$ref": ACCELERATOR_SCHEMA_REF}]},
            }, "the accelerator"),
            "estimator": {"type": "string", "description": "registered estimator name"},
            "estimator_options": {
                "type": "object",
                "description": "the estimator's options (e.g. refined-roofline's alpha; "
                               "a trained model as its file path); empty when none"},
            "total": _TOTAL,
            "layers": {"type": "array", "items": _LAYER},
            "runtime_s": _number("wall-clock seconds of the estimation itself"),
            "details": {"type": "object",
                        "description": "estimator-specific extras, e.g. simulate's "
                                       "instruction rate"},
        }, "the estimate of one network on one accelerator by one estimator"),
    }
