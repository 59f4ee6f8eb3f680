"""`pool:PATH`: a set of dense measurements made elsewhere serves as the device.

"Benchmarking" a configuration looks it up; a configuration the pool lacks is refused
with a one-line error. This is how the PR paper evaluates sampling strategies offline on
real hardware: every strategy selects from the same dense set.

PATH is one of
- a JSON Lines file of single-layer measurements in the H200 data set's format
  (`../shared/data/h200/README.md`): conv rows `cin, cout, h, w, k, stride, groups`
  (square kernel, padding k//2, bias), linear rows `m, k, n`; `us` = median time in
  microseconds, `us_min`/`us_max` its spread; `set` names the row's origin (`random`, or
  `sweep_*` for the one-parameter sweeps a PR campaign starts with);
- a directory holding such files (`single_*.jsonl`; `info.json` is kept as provenance);
- an HDF5 benchmark store (`accel-explorer bench import` or an earlier campaign): its rows.

A configuration measured more than once stands for the median of its measurements.
`exclude` takes configurations out of the pool (held-out test sets): they are refused
like missing ones, so no campaign can select them.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Iterable
from pathlib import Path

from explorer.benchmarking.devices.base import Device, Measurement, now
from explorer.errors import BenchmarkError
from explorer.learned.configs import LayerConfig

# Streaming multiprocessors of GPUs a pool may come from (its tiling features use them).
GPU_SM_COUNTS = {"H200": 132, "H100": 132, "A100": 108, "L40S": 142, "L4": 58, "A10": 72,
                 "V100": 80, "T4": 40, "RTX 4090": 128, "RTX 3090": 82}


def conv_config(cin: int, cout: int, h: int, w: int, k: int, stride: int = 1,
                groups: int = 1) -> LayerConfig:
    """A torch.nn.Conv2d(cin, cout, k, stride, padding=k//2, groups) on a cin×h×w input."""
    p = k // 2
    return LayerConfig(kind="conv", op="Conv", in_channels=cin, in_h=h, in_w=w,
                       out_channels=cout, kernel_h=k, kernel_w=k, stride_h=stride,
                       stride_w=stride, pad_top=p, pad_left=p, pad_bottom=p, pad_right=p,
                       groups=groups)


def linear_config(m: int, k: int, n: int) -> LayerConfig:
    """A torch.nn.Linear(k, n) on an m×k input."""
    return LayerConfig(kind="matmul", op="Gemm", m=m, k=k, n=n)


def row_config(row: dict, where: str) -> LayerConfig:
    """The configuration of one JSONL row (conv when it has `cin`, linear when `m`)."""
    try:
        if "cin" in row:
            return conv_config(int(row["cin"]), int(row["cout"]), int(row["h"]),
                               int(row["w"]), int(row["k"]), int(row.get("stride", 1)),
                               int(row.get("groups", 1)))
        if "m" in row:
            return linear_config(int(row["m"]), int(row["k"]), int(row["n"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise BenchmarkError(f"{where}: bad measurement row ({type(exc).__name__}: {exc})"
                             ) from None
    raise BenchmarkError(f"{where}: a row needs conv fields (cin, cout, h, w, k) or linear "
                         "fields (m, k, n)")


class PoolDevice(Device):
    """Measurements looked up in a pool of earlier measurements."""

    deterministic = False  # real measurements: plateaus are noisy and tilted

    def __init__(self, path: str | Path, exclude: Iterable[LayerConfig] = ()) -> None:
        self.path = Path(path)
        self.name = f"pool:{self.path}"
        self._times: dict[tuple, list[tuple[float, float]]] = {}
        self._configs: dict[tuple, LayerConfig] = {}
        self._sets: dict[tuple, set[str]] = {}
        self.info: dict = {}
        self.sources: list[Path] = []
        if self.path.is_dir():
            files = sorted(self.path.glob("single_*.jsonl"))
            if not files:
                raise BenchmarkError(f"{self.path}: no single_*.jsonl measurement files")
            info = self.path / "info.json"
            if info.is_file():
                self.info = json.loads(info.read_text(encoding="utf-8"))
            for f in files:
                self._read_jsonl(f)
        elif self.path.suffix in (".h5", ".hdf5"):
            self._read_store(self.path)
        elif self.path.is_file():
            self._read_jsonl(self.path)
            info = self.path.parent / "info.json"
            if info.is_file():
                self.info = json.loads(info.read_text(encoding="utf-8"))
        else:
            raise BenchmarkError(f"{self.path}: no such pool (a .jsonl file, a directory of "
                                 "single_*.jsonl files or an .h5 benchmark store)")
        if not self._times:
            raise BenchmarkError(f"{self.path}: the pool holds no measurements")
        self.excluded = {c.key() for c in exclude}

    # -- reading ----------------------------------------------------------------------------
    def _add(self, config: LayerConfig, latency_s: float, spread_s: float, origin: str,
             where: str) -> None:
        if not latency_s > 0:
            raise BenchmarkError(f"{where}: latency {latency_s!r} must be a positive number")
        key = config.key()
        self._configs[key] = config
        self._times.setdefault(key, []).append((latency_s, spread_s))
        self._sets.setdefault(key, set()).add(origin)

    def _read_jsonl(self, path: Path) -> None:
        self.sources.append(path)
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BenchmarkError(f"{where}: not JSON ({exc.msg})") from None
                if not isinstance(row, dict) or "us" not in row:
                    raise BenchmarkError(f"{where}: a measurement row needs `us` "
                                         "(microseconds)")
                try:
                    us = float(row["us"])
                    spread = float(row.get("us_max", us)) - float(row.get("us_min", us))
                except (TypeError, ValueError):
                    raise BenchmarkError(f"{where}: `us` {row['us']!r} is not a number"
                                         ) from None
                self._add(row_config(row, where), us * 1e-6, spread * 1e-6,
                          str(row.get("set", "random")), where)

    def _read_store(self, path: Path) -> None:
        from explorer.benchmarking.store import open_store

        self.sources.append(path)
        with open_store(path) as store:
            cols = store.columns(("latency_s", "spread_s", "phase", "status"))
            self.info = {"device": store.device, **store.provenance}
            for i, config in enumerate(store.configs()):
                if cols["status"][i] == "noisy":
                    continue
                origin = "sweep" if cols["phase"][i] == "sweep" else "random"
                self._add(config, float(cols["latency_s"][i]), float(cols["spread_s"][i]),
                          origin, f"{path} row {i}")

    # -- the device -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._times)

    def __contains__(self, config: LayerConfig) -> bool:
        key = config.key()
        return key in self._times and key not in self.excluded

    def latency(self, config: LayerConfig) -> float:
        """The pool's time for `config` in seconds (held-out ones too: for evaluation)."""
        times = self._times.get(config.key())
        if not times:
            raise BenchmarkError(f"{self.path}: the pool has no measurement of "
                                 f"{config.describe()}")
        return statistics.median(t for t, _ in times)

    def measure(self, config: LayerConfig) -> Measurement:
        key = config.key()
        if key in self.excluded:
            raise BenchmarkError(f"{self.path}: {config.describe()} is held out; no "
                                 "campaign may select it")
        times = self._times.get(key)
        if not times:
            raise BenchmarkError(f"{self.path}: the pool has no measurement of "
                                 f"{config.describe()} (a pool can only stand in for the "
                                 "configurations it holds)")
        latency = statistics.median(t for t, _ in times)
        spread = statistics.median(s for _, s in times)
        return Measurement(latency_s=latency, spread_s=spread, rounds=len(times),
                           runs_per_round=1, loadavg=0.0, timestamp=now(), device=self.name,
                           software=self.software())

    def candidates(self, kinds: tuple[str, ...] | None = None) -> list[LayerConfig]:
        """The configurations a campaign may select beyond the sweeps: every pool entry
        that is not a sweep point and not held out, in a fixed order."""
        return [c for key, c in sorted(self._configs.items(), key=lambda kv: _sort_key(kv[0]))
                if key not in self.excluded
                and not all(s.startswith("sweep") for s in self._sets[key])
                and (kinds is None or c.kind in kinds)]

    def sweeps(self) -> dict[str, list[LayerConfig]]:
        """The pool's one-parameter sweeps by name, each in the order it was measured."""
        out: dict[str, list[LayerConfig]] = {}
        for key, sets in self._sets.items():
            for s in sets:
                if s.startswith("sweep") and key not in self.excluded:
                    out.setdefault(s, []).append(self._configs[key])
        return out

    def software(self) -> str:
        parts = [f"{k} {self.info[k]}" for k in ("torch", "cudnn", "dtype") if k in self.info]
        return ", ".join(parts) or "pool"

    def sm_count(self) -> int | None:
        gpu = str(self.info.get("gpu", ""))
        return next((n for name, n in GPU_SM_COUNTS.items() if name in gpu), None)

    def provenance(self) -> dict[str, str]:
        digest = hashlib.sha256()
        for source in self.sources:
            digest.update(source.read_bytes())
        out = {"device": self.name, "device_kind": "pool", "pool_path": str(self.path),
               "pool_sha256": digest.hexdigest(), "pool_entries": str(len(self)),
               "held_out": str(len(self.excluded)), "software": self.software()}
        out.update({f"pool.{k}": str(v) for k, v in self.info.items()})
        if self.sm_count():
            out["sm_count"] = str(self.sm_count())
        return out

    def parallelism_hints(self) -> dict[str, list[int]]:
        """Tensor-core kernels tile channels in multiples of 8 up to 128."""
        periods = [8, 16, 32, 64, 128]
        return {p: periods for p in ("out_channels", "in_channels", "n", "k", "m")}

    def supported_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({c.kind for c in self._configs.values()}))


def load_config_list(path: str | Path) -> list[LayerConfig]:
    """Configurations listed in a JSON file: `{"configs": [row, ...]}` or a bare list,
    rows in the pool's JSONL fields (a held-out list such as
    `benchmarks/data/h200_holdout.json`)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BenchmarkError(f"{path}: not a readable JSON list of configurations ({exc})"
                             ) from None
    rows = data.get("configs") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise BenchmarkError(f"{path}: expected a list of configurations under `configs`")
    return [row_config(row, f"{path} entry {i}") if isinstance(row, dict) else
            row_config({}, f"{path} entry {i}") for i, row in enumerate(rows)]


def _sort_key(key: tuple) -> tuple:
    return tuple(str(v) if isinstance(v, str) else f"{v:012d}" for v in key)
