"""Host side of running the real SCALE-Sim (v3.0.0) on single conv layers.

SCALE-Sim lives in its own virtual environment (it needs numpy < 2.4 and drags in
pandas/numba/matplotlib we do not want in ours), is created on demand, and is run one
layer per subprocess (`scalesim_worker.py`) so its memory (up to ~1 GB for a ResNet-50
layer) is returned after every layer. Results are cached in a JSON file keyed by the
layer and the architecture, because one run costs 2-25 s.

Semantics of SCALE-Sim 3.0.0 that matter for matching it (read from its source):
- a word is one byte; SRAM sizes are KiB (`IfmapSramSzkB`), half of each SRAM is the
  active buffer and half is prefetched (double buffering, `active_buf_frac = 0.5`);
- CALC mode sizes the DRAM interfaces so that no stall occurs: total = compute cycles;
- USER mode gives each SRAM its own DRAM interface: ifmap reads at
  `[layout] IfmapSRAMBankBandwidth`, filter reads at `FilterSRAMBankBandwidth` and ofmap
  writes at `[architecture_presets] Bandwidth` words/cycle. We set all three to the same
  value B, so the aggregate DRAM bandwidth is 3·B words/cycle (B per operand), not B.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from explorer.errors import BenchmarkError

SCALESIM_VERSION = "3.0.0"
# numpy 2.4 crashes every SCALE-Sim run (double_buffered_scratchpad_mem.py:307).
SCALESIM_REQUIREMENTS = (f"scalesim=={SCALESIM_VERSION}", "numpy<2.4")
WORKER = Path(__file__).with_name("scalesim_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV = REPO_ROOT / ".venv-scalesim"

BandwidthMode = Literal["CALC", "USER"]

_TOPOLOGY_HEADER = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                    "Channels, Num Filter, Strides,")
# SCALE-Sim reads a layout CSV even with IfmapCustomLayout False; the values are then unused.
_LAYOUT_HEADER = (
    "Layer name, IFMAP Height Intraline Factor, IFMAP Width Intraline Factor, "
    "Filter Height Intraline Factor, Filter Width Intraline Factor, Channel Intraline Factor, "
    "Num Filter Intraline Factor, IFMAP Height Intraline Order, IFMAP Width Intraline Order, "
    "Channel Intraline Order, IFMAP Height Interline Order, IFMAP Width Interline Order, "
    "Channel Interline Order, Num Filter Intraline Order, Channel Intraline Order, "
    "Filter Height Intraline Order, Filter Width Intraline Order, Num Filter Interline Order, "
    "Channel Interline Order, Filter Height Interline Order, Filter Width Interline Order,")
_LAYOUT_DEFAULT_ROW = "1,1,1,1,1,1,1,2,0,4,5,3,3,0,1,2,7,4,5,6"


@dataclass(frozen=True)
class ScaleSimConv:
    """One conv layer as SCALE-Sim's topology CSV sees it: no padding column, so the ifmap
    is given at its *effective* padded size, (out - 1)·stride + kernel, which yields
    exactly the network's output size with SCALE-Sim's ceil((H - k + s) / s)."""

    name: str
    ifmap_h: int
    ifmap_w: int
    filter_h: int
    filter_w: int
    channels: int
    num_filter: int
    stride: int

    @property
    def ofmap_h(self) -> int:
        return -(-(self.ifmap_h - self.filter_h + self.stride) // self.stride)

    @property
    def ofmap_w(self) -> int:
        return -(-(self.ifmap_w - self.filter_w + self.stride) // self.stride)

    @property
    def macs(self) -> int:
        return (self.ofmap_h * self.ofmap_w * self.filter_h * self.filter_w
                * self.channels * self.num_filter)

    def shape_key(self) -> dict[str, int]:
        """Everything but the name: two layers with equal keys simulate identically."""
        data = asdict(self)
        del data["name"]
        return data


@dataclass(frozen=True)
class ScaleSimArch:
    """The architecture knobs we vary; every other config key is fixed in `config_text`."""

    rows: int = 32
    cols: int = 32
    dataflow: Literal["ws", "os", "is"] = "ws"
    ifmap_sram_kib: int = 64
    filter_sram_kib: int = 64
    ofmap_sram_kib: int = 64
    bandwidth_mode: BandwidthMode = "CALC"
    # Words (bytes) per cycle of EACH of the three DRAM interfaces; used in USER mode only.
    bandwidth_words_per_cycle: int = 10

    def key(self) -> dict[str, Any]:
        data = asdict(self)
        if self.bandwidth_mode == "CALC":  # bandwidth is ignored in CALC mode
            data["bandwidth_words_per_cycle"] = None
        return data


def config_text(arch: ScaleSimArch) -> str:
    bw = arch.bandwidth_words_per_cycle
    return f"""[general]
run_name = validation

[architecture_presets]
ArrayHeight: {arch.rows}
ArrayWidth: {arch.cols}
IfmapSramSzkB: {arch.ifmap_sram_kib}
FilterSramSzkB: {arch.filter_sram_kib}
OfmapSramSzkB: {arch.ofmap_sram_kib}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Bandwidth: {bw}
Dataflow: {arch.dataflow}
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
FilterCustomLayout: False
IfmapSRAMBankBandwidth: {bw}
IfmapSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterSRAMBankBandwidth: {bw}
FilterSRAMBankNum: 1
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport: false
SparseRep: ellpack_block
OptimizedMapping: false
BlockSize: 8
RandomNumberGeneratorSeed: 40

[run_presets]
InterfaceBandwidth: {arch.bandwidth_mode}
UseRamulatorTrace: False
"""


def topology_text(layer: ScaleSimConv) -> str:
    row = (f"{layer.name},{layer.ifmap_h},{layer.ifmap_w},{layer.filter_h},{layer.filter_w},"
           f"{layer.channels},{layer.num_filter},{layer.stride},")
    return f"{_TOPOLOGY_HEADER}\n{row}\n"


def layout_text(layer: ScaleSimConv) -> str:
    return f"{_LAYOUT_HEADER}\n{layer.name},{_LAYOUT_DEFAULT_ROW},\n"


def write_inputs(workdir: Path, layer: ScaleSimConv, arch: ScaleSimArch) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.cfg").write_text(config_text(arch), encoding="utf-8")
    (workdir / "topology.csv").write_text(topology_text(layer), encoding="utf-8")
    (workdir / "layout.csv").write_text(layout_text(layer), encoding="utf-8")


# --- SCALE-Sim's virtual environment ------------------------------------------------------

def venv_python(venv: Path = DEFAULT_VENV) -> Path:
    return venv / "bin" / "python"


def installed_version(venv: Path = DEFAULT_VENV) -> str | None:
    """SCALE-Sim's version in `venv`, or None when the venv or the package is missing."""
    python = venv_python(venv)
    if not python.is_file():
        return None
    probe = subprocess.run(
        [str(python), "-c",
         "from importlib.metadata import version; print(version('scalesim'))"],
        capture_output=True, text=True, timeout=120)
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_venv(venv: Path = DEFAULT_VENV, log=print) -> Path:
    """Create `venv` with the pinned SCALE-Sim when it is missing (idempotent); return
    its Python."""
    if installed_version(venv) == SCALESIM_VERSION:
        return venv_python(venv)
    log(f"creating SCALE-Sim {SCALESIM_VERSION} environment in {venv} (about 30 s)")
    if not venv_python(venv).is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv_python(venv)), "-m", "pip", "install", "--quiet",
                          *SCALESIM_REQUIREMENTS], capture_output=True, text=True)
    if pip.returncode != 0:
        tail = (pip.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchmarkError(f"{venv}: pip install {' '.join(SCALESIM_REQUIREMENTS)} "
                             f"failed: {tail}")
    if installed_version(venv) != SCALESIM_VERSION:
        raise BenchmarkError(f"{venv}: scalesim {SCALESIM_VERSION} not importable after install")
    return venv_python(venv)


# --- running one layer -----------------------------------------------------------------------

def run_layer(layer: ScaleSimConv, arch: ScaleSimArch, python: Path | None = None,
              timeout_s: float = 1800.0, keep_dir: Path | None = None) -> dict[str, Any]:
    """Run SCALE-Sim on one layer in a subprocess of its venv and return its report items
    (see scalesim_worker.run) plus `wall_s_subprocess` (incl. interpreter start-up)."""
    python = python or venv_python()
    tmp = None
    if keep_dir is None:
        tmp = tempfile.mkdtemp(prefix="scalesim-")
        workdir = Path(tmp)
    else:
        workdir = keep_dir
    try:
        write_inputs(workdir, layer, arch)
        start = time.perf_counter()
        try:
            proc = subprocess.run([str(python), str(WORKER), str(workdir)],
                                  capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise BenchmarkError(f"SCALE-Sim on layer {layer.name} ({arch.dataflow}, "
                                 f"{arch.bandwidth_mode}) exceeded {timeout_s:.0f} s") from None
        elapsed = time.perf_counter() - start
        result_file = workdir / "result.json"
        if proc.returncode != 0 or not result_file.is_file():
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise BenchmarkError(f"SCALE-Sim on layer {layer.name} ({arch.dataflow}, "
                                 f"{arch.bandwidth_mode}) failed (exit {proc.returncode}): {tail}")
        result = json.loads(result_file.read_text(encoding="utf-8"))
        result["wall_s_subprocess"] = elapsed
        return result
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


# --- cache of reference runs -----------------------------------------------------------------

def cache_key(layer: ScaleSimConv, arch: ScaleSimArch) -> str:
    """Stable text key of a (layer shape, architecture, SCALE-Sim version) triple."""
    return json.dumps({"layer": layer.shape_key(), "arch": arch.key(),
                       "scalesim": SCALESIM_VERSION}, sort_keys=True, separators=(",", ":"))


class ReferenceCache:
    """SCALE-Sim results on disk, so reruns skip layers that were already simulated.

    The file is a JSON object {"scalesim_version", "entries": [{"layer", "arch", "result"}]}
    (a list, so it diffs well); lookups use `cache_key`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = {}
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                entries = data["entries"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise BenchmarkError(f"{path}: not a SCALE-Sim reference file ({exc}); "
                                     "delete it to start afresh") from None
            for entry in entries:
                layer = ScaleSimConv(**entry["layer"])
                arch = ScaleSimArch(**entry["arch"])
                self._entries[cache_key(layer, arch)] = entry

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._entries.values())

    def get(self, layer: ScaleSimConv, arch: ScaleSimArch) -> dict[str, Any] | None:
        entry = self._entries.get(cache_key(layer, arch))
        return None if entry is None else entry["result"]

    def put(self, layer: ScaleSimConv, arch: ScaleSimArch, result: dict[str, Any]) -> None:
        self._entries[cache_key(layer, arch)] = {"layer": asdict(layer), "arch": asdict(arch),
                                                 "result": result}

    def save(self) -> None:
        entries = sorted(self._entries.values(),
                         key=lambda e: (e["layer"]["name"], e["arch"]["bandwidth_mode"],
                                        e["arch"]["dataflow"], json.dumps(e["arch"],
                                                                          sort_keys=True)))
        data = {"scalesim_version": SCALESIM_VERSION,
                "note": "SCALE-Sim reference runs written by benchmarks/scalesim_validation.py; "
                        "delete an entry to have it re-simulated.",
                "entries": entries}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.path)


def run_cached(cache: ReferenceCache, layer: ScaleSimConv, arch: ScaleSimArch,
               python: Path | None = None, rerun: bool = False,
               timeout_s: float = 1800.0) -> tuple[dict[str, Any], bool]:
    """The cached result when there is one (and not `rerun`), else a fresh run that is
    stored and saved at once. Returns (result, came_from_cache)."""
    if not rerun:
        cached = cache.get(layer, arch)
        if cached is not None:
            return cached, True
    result = run_layer(layer, arch, python, timeout_s=timeout_s)
    cache.put(layer, arch, result)
    cache.save()
    return result, False


# --- closed-form compute cycles (TOOLCHAIN.md), to explain any mismatch term by term ------

def formula_terms(layer: ScaleSimConv, arch: ScaleSimArch) -> dict[str, int]:
    """SCALE-Sim's compute cycles in closed form: folds × (fill + stream) − 1."""
    pixels = layer.ofmap_h * layer.ofmap_w
    window = layer.filter_h * layer.filter_w * layer.channels
    rows, cols = arch.rows, arch.cols
    if arch.dataflow == "ws":
        sr, sc, t = window, layer.num_filter, pixels
        per_fold = 2 * rows + cols + t - 2
    elif arch.dataflow == "os":
        sr, sc, t = pixels, layer.num_filter, window
        per_fold = rows + cols + t - 2
    else:  # is: the inputs are pre-filled like WS's weights, so WS's fold length
        # (systolic_compute_is.py: a prefix of ArrayHeight idle rows); TOOLCHAIN.md's
        # "same shape as OS" undercounts by R cycles per fold.
        sr, sc, t = window, pixels, layer.num_filter
        per_fold = 2 * rows + cols + t - 2
    row_folds, col_folds = -(-sr // rows), -(-sc // cols)
    return {"Sr": sr, "Sc": sc, "T": t, "row_folds": row_folds, "col_folds": col_folds,
            "cycles_per_fold": per_fold,
            "compute_cycles": row_folds * col_folds * per_fold - 1}
