"""Renders the side-by-side tables of docs/validation/fidelity.md from the JSON files the
fidelity benchmarks wrote (no estimator runs here):

- zigzag.json            (benchmarks/zigzag_validation.py)
- published_figures.json (benchmarks/published_figures.py)
- sensitivity.json       (benchmarks/sensitivity.py)
- scalesim.json          (benchmarks/scalesim_validation.py)
- scalesim_equal_traffic.json (benchmarks/scalesim_equal_traffic.py)

    .venv/bin/python benchmarks/fidelity_report.py      # rewrites the tables in fidelity.md

The prose of fidelity.md is kept; only the blocks between `<!-- table:NAME -->` and
`<!-- /table:NAME -->` are replaced, so a rerun of a benchmark followed by this script
updates the page without hand-copied numbers.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

VALIDATION = Path(__file__).resolve().parents[1] / "docs" / "validation"
PAGE = VALIDATION / "fidelity.md"


def _load(name: str) -> dict | None:
    path = VALIDATION / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:+.1%}"


def _n(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def zigzag_tables(data: dict) -> str:
    out = []
    for name, net in data["networks"].items():
        s = net["summary"]
        mape = s["mape_same_unrolling"]
        out.append(f"**{name}**: {s['same_unrolling']} of {s['layers']} conv/gemm layers with "
                   f"the same unrolling; per-layer MAPE **{mape:.1%}** (target ≤ 10 %), "
                   f"{s['within_10pct']} within 10 %; totals: ours {_n(s['ours_total'])}, "
                   f"ZigZag {_n(s['zigzag_total'])} cycles.\n")
        out.append("| layer | unrolling (D1 cols / D2 rows) | same | ZigZag | floor | "
                   "reference | ours | error |")
        out.append("|---|---|---|---:|---:|---|---:|---:|")
        for r in net["layers"]:
            unroll = (" ".join(f"{d}{n}" for d, n in r["unrolling"]["D1_cols"]) + " / "
                      + " ".join(f"{d}{n}" for d, n in r["unrolling"]["D2_rows"])
                      + f" ({r.get('ours_unrolling', 'im2col')})")
            out.append(f"| `{r['layer']}` | {unroll} | {'yes' if r['same_unrolling'] else 'no'} "
                       f"| {_n(r['zigzag_cycles'])} | {_n(r['weight_entry_floor_cycles'])} | "
                       f"{r['reference']} | {_n(r['ours_cycles'])} | {_pct(r['error'])} |")
        out.append("")
    return "\n".join(out)


def published_table(data: dict) -> str:
    out = ["| design | network (batch) | published | ours | error | status | source |",
           "|---|---|---|---|---|---|---|"]
    for f in data["figures"]:
        pub, ours = f["published"], f.get("ours")
        if isinstance(pub, list):
            pub_s = " / ".join(f"{v:g}" for v in pub)
            ours_s = " / ".join(f"{v:.1f}" for v in ours) if ours else "–"
        else:
            pub_s = _num(pub) if pub else "–"
            ours_s = _num(ours) if ours is not None else "–"
        errs = f.get("errors")
        err_s = " / ".join(_pct(e) for e in errs) if errs else "–"
        unit = {"cycles": "cycles", "tops": "TOPS", "fps": "frames/s", "ms": "ms",
                "conv_ms": "ms per conv", "none": ""}[f["metric"]]
        out.append(f"| {f['design']} | {f['network']} ({f['batch']}) | {pub_s} {unit} | "
                   f"{ours_s} | {err_s} | {f['status']} | {f['source']} |")
    return "\n".join(out) + "\n"


def sensitivity_table(data: dict, top: int = 15) -> str:
    out = [f"{data['network']} on {data['accelerator']}, ±{data['step']:.0%}, depgraph "
           f"(base latency {data['base']['latency_s'] * 1e3:.2f} ms, energy "
           f"{data['base']['energy_j'] * 1e3:.2f} mJ); the {top} largest effects on latency:\n",
           "| parameter | value | latency elasticity | energy elasticity | note |",
           "|---|---:|---:|---:|---|"]
    for p in data["parameters"][:top]:
        lat = "–" if p["latency"] is None else f"{p['latency']:+.3f}"
        en = "–" if p["energy"] is None else f"{p['energy']:+.3f}"
        out.append(f"| `{p['parameter']}` | {p['value']:g} | {lat} | {en} | {p['note']} |")
    return "\n".join(out) + "\n"


def scalesim_table(data: dict) -> str:
    out = ["| layer | dataflow | mode | SCALE-Sim cycles | ours | error |",
           "|---|---|---|---:|---:|---:|"]
    for r in data["runs"]:
        theirs, ours = r["scalesim"]["total_cycles"], r["ours"]["total_cycles"]
        out.append(f"| {r['layer']} | {r['dataflow']} | {r['mode']} | {_n(theirs)} | "
                   f"{_n(ours)} | {_pct(ours / theirs - 1)} |")
    return "\n".join(out) + "\n"


def scalesim_equal_table(data: dict) -> str:
    out = ["| layer | dataflow | SCALE-Sim | ours | error | reads ours/SCALE-Sim | "
           "writes ours/SCALE-Sim | error at equal traffic |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in data["runs"]:
        out.append(f"| {r['layer']} | {r['dataflow']} | {_n(r['scalesim_cycles'])} | "
                   f"{_n(r['ours_cycles'])} | {_pct(r['error'])} | "
                   f"{r['read_ratio_ours_over_scalesim']:.2f} | "
                   f"{r['write_ratio_ours_over_scalesim']:.2f} | "
                   f"{_pct(r['error_at_equal_traffic'])} |")
    return "\n".join(out) + "\n"


def render(page: str) -> str:
    tables = {}
    if (z := _load("zigzag.json")) is not None:
        tables["zigzag"] = zigzag_tables(z)
    if (p := _load("published_figures.json")) is not None:
        tables["published"] = published_table(p)
    if (e := _load("scalesim_equal_traffic.json")) is not None:
        tables["scalesim_equal"] = scalesim_equal_table(e)
    if (c := _load("scalesim.json")) is not None:
        tables["scalesim"] = scalesim_table(c)
    if (s := _load("sensitivity.json")) is not None:
        tables["sensitivity"] = sensitivity_table(s)
    for name, table in tables.items():
        pattern = re.compile(rf"(<!-- table:{name} -->\n).*?(<!-- /table:{name} -->)", re.S)
        if not pattern.search(page):
            raise SystemExit(f"{PAGE}: no <!-- table:{name} --> block")
        page = pattern.sub(lambda m, t=table: m.group(1) + t + m.group(2), page)
    return page


def main() -> int:
    PAGE.write_text(render(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
