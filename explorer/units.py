"""Display formatting in one place: SI prefixes for seconds, joules, bytes, MAC/s."""

from __future__ import annotations

import math

_PREFIXES = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"),
             (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")]


def si(value: float | None, unit: str = "", digits: int = 3) -> str:
    """1.234e-3, 's' -> '1.23 ms'. None -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return f"0 {unit}".strip()
    magnitude = abs(value)
    scale, prefix = next(((s, p) for s, p in _PREFIXES if magnitude >= s * 0.9995),
                         _PREFIXES[-1])
    return f"{value / scale:.{digits}g} {prefix}{unit}".strip()


def binary_bytes(value: float | None) -> str:
    """Memory sizes the way hardware people write them: 128 KiB, 24 MiB."""
    if value is None:
        return "–"
    for scale, suffix in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if abs(value) >= scale:
            return f"{value / scale:.4g} {suffix}"
    return f"{value:.0f} B"


def count(value: float | None) -> str:
    """Large counts (MACs, cycles) with SI prefixes and no unit: 4.09 G."""
    return si(value, "", 3)
