"""accel-explorer from Python: load, estimate, tables, a changed design, a sweep, plots.

A notebook as a script: each `# %%` starts a cell (VS Code and JupyterLab with jupytext
open it as a notebook); run it whole with

    python examples/quickstart.py [OUTPUT_DIR]      # default: ./quickstart-out

It writes a JSON estimate, a CSV table, the sweep's HDF5 file and two PNG plots into
OUTPUT_DIR. Plots need matplotlib (`pip install matplotlib`, part of the `dev` extra).
The public API is documented in docs/api.md; CI runs this file (tests/test_examples.py).
"""

# %% Set-up
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window: runs on a server or in CI
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import explorer  # noqa: E402

out = Path(sys.argv[1] if len(sys.argv) > 1 else "quickstart-out")
out.mkdir(parents=True, exist_ok=True)
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 12)
pd.set_option("display.max_colwidth", 70)

# %% Load a network and an accelerator
# Zoo short names or paths: explorer.load_network("model.onnx"),
# explorer.load_accelerator("my_design.yaml"). Check a YAML file quickly with
# `accel-explorer archs my_design.yaml` before scripting with it.
net = explorer.load_network("resnet50")
acc = explorer.load_accelerator("gemmini")
# Off-chip bandwidth is given per clock cycle: bytes/s = bytes/cycle x clock.
bandwidth = acc.offchip.bandwidth_bytes_per_cycle * acc.clock_hz
print(f"{net.name}: {len(net.layers)} layers, {net.macs / 1e9:.2f} GMAC")
print(f"{acc.name}: {acc.compute.pe_rows}x{acc.compute.pe_cols} PEs at "
      f"{acc.clock_hz / 1e9:g} GHz, DRAM {bandwidth / 1e9:.1f} GB/s, "
      f"{acc.compute.vector_lanes} vector lanes")

# %% Estimate (depgraph: the cycle-exact fast estimator) and look at the result
result = explorer.estimate(net, acc, estimator="depgraph")
print(result)  # a one-line summary; result.layers holds one LayerEstimate per layer
# depgraph models energy and DRAM traffic; an estimator that does not gives None there
energy, read, written = result.energy_j, result.dram_read_bytes, result.dram_write_bytes
assert energy is not None and read is not None and written is not None
print(f"latency {result.latency_s * 1e3:.2f} ms, energy {energy * 1e3:.2f} mJ, "
      f"DRAM traffic {(read + written) / 1e6:.1f} MB")

# %% One row per layer, units in the column names
layers = result.to_dataframe()
print(layers.nlargest(5, "latency_s")[["name", "op", "latency_s", "utilisation", "bound",
                                        "mapping"]])
by_op = layers.groupby("op")[["latency_s", "energy_j"]].sum().sort_values(
    "latency_s", ascending=False)
print(by_op.head())
(out / "resnet50_gemmini.json").write_text(result.to_json(), encoding="utf-8")
layers.to_csv(out / "resnet50_gemmini.csv", index=False)

# %% A changed design: a 32x32 array (the original description stays as it was)
big = explorer.with_overrides(acc, {"compute.pe_rows": 32, "compute.pe_cols": 32})
bigger = explorer.estimate(net, big)
print(f"32x32: {bigger.latency_s * 1e3:.2f} ms "
      f"({result.latency_s / bigger.latency_s:.2f}x faster than 16x16)")

# %% Sweep: every combination, one row per design (saved to HDF5 as it runs)
designs = explorer.sweep(net, acc, {"compute.pe_rows": [8, 16, 32],
                                    "compute.pe_cols": [8, 16, 32]},
                         estimator="depgraph", output=out / "sweep.h5")
designs["array"] = designs["compute.pe_rows"] * designs["compute.pe_cols"]
print(designs[["compute.pe_rows", "compute.pe_cols", "latency_s", "energy_j", "status"]])
best = designs.sort_values("latency_s").iloc[0]
print(f"fastest: {best['compute.pe_rows']}x{best['compute.pe_cols']}, "
      f"{best['latency_s'] * 1e3:.2f} ms")

# %% Plots to PNG
fig, ax = plt.subplots(figsize=(6, 4))
for rows, group in designs.groupby("compute.pe_rows"):
    ax.plot(group["compute.pe_cols"], group["latency_s"] * 1e3, marker="o",
            label=f"{rows} rows")
ax.set_xscale("log", base=2)
ax.set(xlabel="PE columns", ylabel="latency (ms)",
       title=f"{net.name} on {acc.name} variants (depgraph)")
ax.set_xticks([8, 16, 32], ["8", "16", "32"])
ax.minorticks_off()
ax.legend()
fig.tight_layout()
fig.savefig(out / "sweep_latency.png", dpi=100)

fig, ax = plt.subplots(figsize=(8, 4))
colours = layers["bound"].map({"compute": "tab:blue", "memory": "tab:orange"}).fillna("grey")
ax.bar(range(len(layers)), layers["latency_s"] * 1e6, color=colours)
ax.set(xlabel="layer", ylabel="latency (µs)",
       title="per-layer latency (blue: compute-bound, orange: memory-bound)")
fig.tight_layout()
fig.savefig(out / "layers.png", dpi=100)
print(f"wrote {', '.join(sorted(p.name for p in out.iterdir()))} to {out}")
