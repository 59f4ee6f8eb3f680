"""Per-layer measurements made by other tools, as CSV (docs/bring-your-own-device.md).

Columns (a header row names them; order free, unknown columns ignored):
- the configuration: `kind` (conv, matmul, pool, eltwise, norm, softmax, data) and any of
  the store's configuration columns (`in_channels`, `in_h`, `in_w`, `out_channels`,
  `kernel_h`, `kernel_w`, `stride_h`, `stride_w`, `pad_top`, `pad_left`, `pad_bottom`,
  `pad_right`, `groups`, `m`, `n`, `k`, `batch`, `num_inputs`, `activation`, `residual`);
  missing ones take the defaults of an unpadded, ungrouped layer; `op` defaults to Conv
  for conv and Gemm for matmul;
- the time, in exactly one of `latency_s`, `latency_ms`, `latency_us`, `latency_ns`, or
  `latency` with the unit in each value (`12.5 us`, `0.8ms`, `3e-5 s`);
- optional: `spread_<unit>` (or `spread` with units) and `phase` (default `train`).

A file is checked whole before anything is written: a bad value, an unknown unit or a
configuration listed twice refuses the file in one line naming it, and the store keeps
what it had (configurations already stored are skipped, never overwritten).
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

from explorer.benchmarking.devices.base import Measurement
from explorer.benchmarking.store import BenchmarkStore
from explorer.errors import BenchmarkError, ExplorerError
from explorer.learned.configs import CONFIG_COLUMNS, STR_COLUMNS, LayerConfig

UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
DEFAULT_OPS = {"conv": "Conv", "matmul": "Gemm", "pool": "MaxPool", "eltwise": "Relu",
               "norm": "LRN", "softmax": "Softmax", "data": "Concat"}
_VALUE_WITH_UNIT = re.compile(r"^\s*([-+0-9.eE]+)\s*(s|ms|us|µs|ns)\s*$")


def _seconds(text: str, unit: str | None, where: str) -> float:
    if unit is None:
        match = _VALUE_WITH_UNIT.match(text or "")
        if not match:
            raise BenchmarkError(f"{where}: {text!r} is not a time with a unit "
                                 f"({', '.join(UNITS)})")
        text, unit = match.group(1), match.group(2)
    try:
        return float(text) * UNITS[unit]
    except ValueError:
        raise BenchmarkError(f"{where}: {text!r} is not a number") from None


def _time_column(header: list[str], stem: str, path: Path) -> tuple[str, str | None] | None:
    found = [(c, c.split("_", 1)[1] if "_" in c else None) for c in header
             if c == stem or (c.startswith(stem + "_") and c.split("_", 1)[1] in UNITS)]
    unknown = [c for c in header if c.startswith(stem + "_") and c.split("_", 1)[1] not in UNITS]
    if unknown:
        raise BenchmarkError(f"{path}: column {unknown[0]!r}: unknown unit; use "
                             f"{', '.join(stem + '_' + u for u in ('s', 'ms', 'us', 'ns'))}")
    if len(found) > 1:
        raise BenchmarkError(f"{path}: {len(found)} {stem} columns; give exactly one")
    return found[0] if found else None


def read_csv(path: str | Path) -> list[tuple[LayerConfig, Measurement, str]]:
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
            header = list(rows[0].keys()) if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BenchmarkError(f"{path}: not a readable CSV ({exc})") from None
    if not rows:
        raise BenchmarkError(f"{path}: no rows")
    latency = _time_column(header, "latency", path)
    if latency is None:
        raise BenchmarkError(f"{path}: no latency column (latency_s, latency_ms, latency_us, "
                             "latency_ns, or latency with units)")
    spread = _time_column(header, "spread", path)
    if "kind" not in header:
        raise BenchmarkError(f"{path}: no `kind` column")
    out, seen = [], {}
    for number, row in enumerate(rows, 2):
        where = f"{path}:{number}"
        values: dict = {}
        try:
            for name in CONFIG_COLUMNS:
                text = (row.get(name) or "").strip()
                if not text:
                    continue
                values[name] = text if name in STR_COLUMNS else int(text)
            values.setdefault("op", DEFAULT_OPS.get(values.get("kind", ""), ""))
            config = LayerConfig(**values)
        except ValueError as exc:
            raise BenchmarkError(f"{where}: {exc}") from None
        except ExplorerError as exc:
            raise BenchmarkError(f"{where}: {exc}") from None
        if config.key() in seen:
            raise BenchmarkError(f"{where}: the same configuration as line {seen[config.key()]}")
        seen[config.key()] = number
        seconds = _seconds(row[latency[0]], latency[1], f"{where} {latency[0]}")
        if not seconds > 0:
            raise BenchmarkError(f"{where}: latency must be > 0")
        spread_s = _seconds(row[spread[0]], spread[1], f"{where} {spread[0]}") if spread else 0.0
        out.append((config, Measurement(latency_s=seconds, spread_s=spread_s, rounds=1,
                                        runs_per_round=1, loadavg=float("nan"),
                                        timestamp=time.time(), device="", software="csv"),
                    (row.get("phase") or "train").strip()))
    return out


def import_csv(path: str | Path, store_path: str | Path, device: str | None = None) -> dict:
    """Append the CSV's measurements to the store (checked whole first)."""
    parsed = read_csv(path)
    if not Path(store_path).exists() and not device:
        raise BenchmarkError(f"{store_path}: no such store; name the device (--device NAME) "
                             "to create it")
    added = skipped = 0
    with BenchmarkStore(store_path, device=device,
                        provenance={"device": device or "", "device_kind": "imported",
                                    "source": str(path)}) as store:
        for config, measurement, phase in parsed:
            if store.lookup(config) is not None:
                skipped += 1
                continue
            measurement.device = store.device
            store.append(config, measurement, phase)
            added += 1
    return {"added": added, "already_stored": skipped}
