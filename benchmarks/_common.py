"""Shared by the benchmark scripts: where results go and what a result file records."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

VALIDATION_DIR = Path(__file__).resolve().parents[1] / "docs" / "validation"


def machine_info() -> dict:
    import onnx
    import onnxruntime

    return {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "load_average": os.getloadavg(),
            "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def timed(fn: Callable[[], object], repeats: int) -> dict:
    """Wall times of `repeats` calls: min and median (the figures to quote) and all."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"min_s": min(times), "median_s": statistics.median(times), "runs_s": times}


def write_result(name: str, data: dict) -> Path:
    VALIDATION_DIR.mkdir(parents=True, exist_ok=True)
    path = VALIDATION_DIR / f"{name}.json"
    data = {"machine": machine_info(), **data}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
