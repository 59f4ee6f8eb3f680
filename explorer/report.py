"""Estimate reports as text: a console table, CSV, JSON and a self-contained HTML report.

Qt-free, so the CLI (`accel-explorer estimate --format ...`) and the GUI's File ▸ Export
estimate… write the same content; the GUI adds plot images to the HTML report and prints
it to PDF.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping

from explorer.estimators.base import LAYER_COLUMNS, NetworkEstimate
from explorer.hardware.schema import Accelerator
from explorer.session.view_data import (
    PART_LABELS,
    bound_label,
    latency_interval,
    network_latency_range,
)
from explorer.units import binary_bytes, count, percent, si, si_range
from explorer.version import __version__

TABLE_COLUMNS = ["layer", "op", "MACs", "cycles", "latency", "bound", "energy", "util"]
INTERVAL_COLUMN = "90 % interval"  # where the estimator gives a spread (statistical)
RANGE_LABEL = "Latency range (conservative: sum of the layers' 90 % intervals)"
# The CSV has exactly the flat columns of `NetworkEstimate.to_dataframe()`.
CSV_COLUMNS = LAYER_COLUMNS
HTML_COLUMNS = ["#", "Layer", "Op", "MACs", "Cycles", "Latency", "Bound", "Energy", "Util."]
_LEFT_ALIGNED = (1, 2, 6)  # text columns of HTML_COLUMNS; numbers are right-aligned
_RIGHT = ' align="right"'
# Width of a report's plot in CSS pixels (1/96 in): 6.25 in on paper. The GUI renders
# plots for it at print resolution (explorer.gui.export.plot_image).
IMAGE_WIDTH_PX = 600


def format_json(result: NetworkEstimate) -> str:
    """The versioned JSON output (docs/estimate-output.schema.json)."""
    return result.to_json()


def format_csv(result: NetworkEstimate) -> str:
    """One row per layer, the DataFrame's columns; unknown values are empty cells."""
    return result.to_dataframe().to_csv(index=False, lineterminator="\n")


def has_intervals(result: NetworkEstimate) -> bool:
    """The estimator gave a spread for at least one layer."""
    return any(latency_interval(layer) is not None for layer in result.layers)


def interval_text(layer) -> str:
    """A layer's 90 % interval as text, '–' where it has none."""
    interval = latency_interval(layer)
    return si_range(*interval, "s") if interval is not None else "–"


def format_table(result: NetworkEstimate) -> str:
    spread = has_intervals(result)
    columns = TABLE_COLUMNS[:5] + [INTERVAL_COLUMN] + TABLE_COLUMNS[5:] if spread \
        else TABLE_COLUMNS
    rows = []
    for layer in result.layers:
        name = layer.name if layer.modelled else f"{layer.name} (unmodelled)"
        row = [name, layer.op, count(layer.macs), count(layer.cycles),
               si(layer.latency_s, "s"), bound_label(layer.bound) or "–",
               si(layer.energy_j, "J"), percent(layer.utilisation)]
        if spread:
            row.insert(5, interval_text(layer))
        rows.append(row)
    text_columns = (0, 1, 4) if not spread else (0, 1, 4, 5)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(columns)]
    widths[0] = min(widths[0], 48)

    def line(cells: list[str]) -> str:
        first = cells[0] if len(cells[0]) <= widths[0] else cells[0][: widths[0] - 1] + "…"
        rest = [c.rjust(w) if i not in text_columns else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths)) if i > 0]
        return "  ".join([first.ljust(widths[0]), *rest]).rstrip()

    net = result.network
    out = [f"{net.name} on {result.accelerator} ({result.estimator}): {len(net.layers)} layers, "
           f"{count(net.macs)}MAC", line(columns),
           line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    share = result.bound_share()
    out.append(line(["-" * w for w in widths]))
    # With a network-level model the total is not the layers' sum; their cycles are.
    cycles = (f"{count(result.cycles)} cycles" if result.network_latency_s is None else
              f"network model; layers alone {si(sum(x.latency_s for x in result.layers), 's')}, "
              f"{count(result.cycles)} cycles")
    out.append(f"total: {si(result.latency_s, 's')} ({cycles}), "
               f"energy {si(result.energy_j, 'J')}, memory {binary_bytes(result.memory_bytes)}, "
               f"{PART_LABELS['compute-bound']} {percent(share['compute'])} / "
               f"{PART_LABELS['memory-bound']} {percent(share['memory'])} "
               f"of time; estimated in {si(result.runtime_s, 's')}")
    span = network_latency_range(result)
    if span is not None:
        out.append(f"latency range {si_range(*span, 's')} (conservative: the sum of the "
                   "layers' 90 % intervals; the network's own interval is narrower)")
    if net.unmodelled:
        out.append(f"note: {len(net.unmodelled)} unmodelled layer(s) costed by element count: "
                   + ", ".join(sorted({layer.op for layer in net.unmodelled})))
    for warning in net.warnings:
        out.append(f"warning: {warning}")
    return "\n".join(out) + "\n"


def png_data_uri(png: bytes) -> str:
    """An `<img src=...>` value that keeps an HTML report in one file."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def summary_rows(result: NetworkEstimate,
                 accelerator: Accelerator | None = None) -> list[tuple[str, str]]:
    """The whole-network numbers of the GUI's summary strip, as (label, value) text."""
    latency = result.latency_s
    share = result.bound_share()
    bounds_known = any(layer.bound for layer in result.layers)
    rows = [("Total latency", si(latency, "s")),
            ("Throughput", f"{si(1.0 / latency)} inferences/s" if latency > 0 else "–"),
            ("Cycles" if result.network_latency_s is None else "Cycles (layers alone)",
             count(result.cycles)),
            ("Energy", si(result.energy_j, "J")),
            ("Memory footprint", binary_bytes(result.memory_bytes))]
    span = network_latency_range(result)
    if span is not None:
        rows.insert(1, (RANGE_LABEL, si_range(*span, "s")))
    if accelerator is not None and latency > 0:
        macs = sum(layer.macs for layer in result.layers)
        rows.append(("Utilisation", percent(macs / (latency * accelerator.peak_macs_per_s))))
    rows += [("Compute-bound time", percent(share["compute"]) if bounds_known else "–"),
             ("Memory-bound time", percent(share["memory"]) if bounds_known else "–"),
             ("Layers estimated", str(len(result.layers))),
             ("Estimator run time", si(result.runtime_s, "s"))]
    return rows


def accelerator_rows(accelerator: Accelerator) -> list[tuple[str, str]]:
    """Key parameters of an accelerator description, as (label, value) text."""
    compute = accelerator.compute
    precision = compute.precision
    rows = [("Clock", si(accelerator.clock_hz, "Hz")),
            ("PE array", f"{compute.pe_rows} × {compute.pe_cols}, "
                         f"{compute.macs_per_pe_per_cycle} MAC/PE/cycle, dataflow "
                         f"{compute.dataflow}"),
            ("Peak", si(accelerator.peak_macs_per_s, "MAC/s")),
            ("Precision", f"inputs {precision.input_bits} b, weights {precision.weight_bits} b, "
                          f"outputs {precision.output_bits} b, accumulator "
                          f"{precision.accumulator_bits} b")]
    for memory in accelerator.memories:
        rows.append((f"Memory {memory.name}",
                     f"{binary_bytes(memory.size_bytes)}, {memory.banks} bank(s), holds "
                     f"{', '.join(memory.holds)}"))
    rows.append(("Off-chip bandwidth",
                 si(accelerator.offchip.bandwidth_bytes_per_cycle * accelerator.clock_hz,
                    "B/s")))
    return rows


def _key_value_table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th align=\"left\">{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    return f"<table class=\"kv\" cellspacing=\"0\" cellpadding=\"3\">{cells}</table>"


def _layer_table(result: NetworkEstimate) -> str:
    spread = has_intervals(result)
    columns = HTML_COLUMNS[:6] + [INTERVAL_COLUMN] + HTML_COLUMNS[6:] if spread \
        else HTML_COLUMNS
    left = (1, 2, 7) if spread else _LEFT_ALIGNED
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for i, layer in enumerate(result.layers, start=1):
        name = layer.name if layer.modelled else f"{layer.name} (unmodelled)"
        cells = [str(i), name, layer.op, count(layer.macs) if layer.macs else "0",
                 count(layer.cycles), si(layer.latency_s, "s"),
                 bound_label(layer.bound) or "–", si(layer.energy_j, "J"),
                 percent(layer.utilisation)]
        if spread:
            cells.insert(6, interval_text(layer))
        body.append("<tr>" + "".join(
            f"<td{'' if c in left else _RIGHT}>{html.escape(text)}</td>"
            for c, text in enumerate(cells)) + "</tr>")
    return (f"<table class=\"layers\" border=\"1\" cellspacing=\"0\" cellpadding=\"2\">"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


_STYLE = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 10pt; color: #222; }
h1 { font-size: 16pt; margin-bottom: 2px; }
h2 { font-size: 12pt; margin-top: 14px; margin-bottom: 4px; }
table.kv th { padding-right: 12px; font-weight: bold; }
table.layers { border-collapse: collapse; font-size: 8pt; }
table.layers th { background-color: #e8e8e8; }
p.caption { font-size: 9pt; color: #555; }
"""


def html_report(result: NetworkEstimate, images: Mapping[str, str] | None = None, *,
                accelerator: Accelerator | None = None,
                legends: Mapping[str, str] | None = None) -> str:
    """A one-file HTML report of an estimate: network, accelerator, estimator, summary,
    plots and the per-layer table.

    `images` maps a caption to an `<img src>` value (a `png_data_uri`, or a resource name
    that the renderer resolves); without images the report is text and tables only.
    `accelerator` adds its key parameters and the utilisation. `legends` maps a caption
    to trusted HTML shown under its image (the GUI's colour legends)."""
    net = result.network
    title = f"{net.name} on {result.accelerator} ({result.estimator})"
    parts = [f"<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             "<h2>Network</h2>",
             _key_value_table([("Name", net.name),
                               ("Layers", str(len(net.layers))),
                               ("MACs", count(net.macs))]
                              + ([("Unmodelled", f"{len(net.unmodelled)} layer(s) costed by "
                                   "element count: " + ", ".join(
                                       sorted({x.op for x in net.unmodelled})))]
                                 if net.unmodelled else [])),
             "<h2>Accelerator</h2>",
             _key_value_table([("Name", result.accelerator)]
                              + (accelerator_rows(accelerator) if accelerator else [])),
             "<h2>Estimator</h2>",
             _key_value_table([("Name", result.estimator)]),
             "<h2>Summary</h2>",
             _key_value_table(summary_rows(result, accelerator))]
    for warning in net.warnings:
        parts.append(f"<p class=\"caption\">Warning: {html.escape(warning)}</p>")
    for caption, src in (images or {}).items():
        # One plot a page: on paper a heading must not stay behind at the bottom of the
        # page before its image.
        parts.append(f"<h2 style=\"page-break-before: always\">{html.escape(caption)}</h2>"
                     f"<p><img src=\"{html.escape(src, quote=True)}\" "
                     f"width=\"{IMAGE_WIDTH_PX}\"></p>")
        if legends and caption in legends:
            parts.append(f"<p class=\"caption\">{legends[caption]}</p>")
    parts += ["<h2>Per-layer estimate</h2>", _layer_table(result),
              f"<p class=\"caption\">Written by accel-explorer {__version__}.</p>",
              "</body></html>"]
    return "\n".join(parts) + "\n"
