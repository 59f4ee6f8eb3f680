"""Colours shared by the plots, so a part or an op type looks the same everywhere."""

from __future__ import annotations

# Colour-blind-safe (Okabe-Ito) where it matters: compute vs memory vs stall.
PART_COLOURS = {
    "compute": "#0072B2",
    "memory": "#E69F00",
    "stall": "#D55E00",
    "compute-bound": "#0072B2",
    "memory-bound": "#E69F00",
    "unknown": "#999999",
}
SELECTION_COLOUR = "#CC0066"

_OP_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
               "#F0E442", "#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF"]
SERIES_PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]


def op_colours(ops: list[str]) -> dict[str, str]:
    """A stable colour per op type: the most common ops first get the clearest colours."""
    return {op: _OP_PALETTE[i % len(_OP_PALETTE)] for i, op in enumerate(ops)}


def legend_html(entries: list[tuple[str, str]], symbol: str = "■") -> str:
    return "&nbsp;&nbsp; ".join(f'<span style="color:{colour}">{symbol}</span>&nbsp;{label}'
                                for label, colour in entries)
