"""Display formatting in one place, used by every view, report and CLI table: SI prefixes
for seconds, joules, hertz, MAC/s and bytes per second; binary prefixes for memory sizes;
percentages that never round a small share to 0.0 %."""

from __future__ import annotations

import math

_PREFIXES = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"),
             (1e-6, "µ"), (1e-9, "n"), (1e-12, "p")]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def si(value: float | None, unit: str = "", digits: int = 3) -> str:
    """1.234e-3, 's' -> '1.23 ms'; 7e8, 'Hz' -> '700 MHz'. None -> '–'."""
    if _missing(value):
        return "–"
    assert value is not None
    if value == 0:
        return f"0 {unit}".strip()
    magnitude = abs(value)
    scale, prefix = next(((s, p) for s, p in _PREFIXES if magnitude >= s * 0.9995),
                         _PREFIXES[-1])
    return f"{value / scale:.{digits}g} {prefix}{unit}".strip()


def si_range(low: float | None, high: float | None, unit: str = "", digits: int = 3) -> str:
    """An interval with one prefix, chosen by its larger end: (9.5e-4, 1.2e-3), 's' ->
    '0.95–1.2 ms'. Either end missing -> '–'."""
    if _missing(low) or _missing(high):
        return "–"
    assert low is not None and high is not None
    magnitude = max(abs(low), abs(high))
    if magnitude == 0:
        return f"0–0 {unit}".strip()
    scale, prefix = next(((s, p) for s, p in _PREFIXES if magnitude >= s * 0.9995),
                         _PREFIXES[-1])
    return f"{low / scale:.{digits}g}–{high / scale:.{digits}g} {prefix}{unit}".strip()


def binary_unit(value: float) -> tuple[float, str]:
    """The binary unit a size reads best in: (bytes per unit, its name), e.g. (2**20, 'MiB')."""
    for scale, suffix in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if abs(value) >= scale:
            return float(scale), suffix
    return 1.0, "B"


def binary_bytes(value: float | None) -> str:
    """Memory sizes the way hardware people write them: 128 KiB, 24 MiB."""
    if _missing(value):
        return "–"
    assert value is not None
    scale, suffix = binary_unit(value)
    return f"{value / scale:.4g} {suffix}" if scale > 1 else f"{value:.0f} B"


def count(value: float | None) -> str:
    """Large counts (MACs, cycles) with SI prefixes and no unit: 4.09 G."""
    return si(value, "", 3)


def percent(fraction: float | None, signed: bool = False) -> str:
    """0.72 -> '72 %', 0.0004 -> '0.04 %' (a small share is not shown as 0), 0 -> '0 %';
    `signed` for differences: '+5.2 %', '−12 %'."""
    if _missing(fraction):
        return "–"
    assert fraction is not None
    value = 100 * fraction
    sign = "+" if signed and value > 0 else ""
    if value == 0:
        return "0 %"
    if abs(value) >= 9.95:  # what .1f would round to 10.0
        text = f"{value:.0f}"
    elif abs(value) >= 1:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2g}"
    return f"{sign}{text} %".replace("-", "−")


def rate(value: float | None, unit: str = "/s") -> str:
    """Throughput and other rates: 1.34e5 -> '134 k/s'."""
    return si(value, unit)


def format_value(value: object, unit: str = "") -> str:
    """A schema value with its unit: sizes in binary prefixes ('108 KiB'), large or
    small numbers in SI ('700 MHz'), small counts as they are ('16 PE')."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–" if value is None else str(value)
    if unit == "B":
        return binary_bytes(value)
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-2):
        return si(value, unit)
    text = str(int(value)) if float(value).is_integer() else f"{value:.4g}"
    return f"{text} {unit}".strip()


PREFIXED_UNITS = ("Hz", "B")  # fields whose editors write 700 MHz, 128 KiB


def exact_quantity(value: float, unit: str) -> str:
    """`value` with the largest prefix that keeps it exact, for editing: '700 MHz',
    '128 KiB', '1.2345 GHz' (never rounded, so reading it back gives the same number)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g} {unit}".strip()
    if unit == "B":
        for scale, prefix in ((2**40, "Ti"), (2**30, "Gi"), (2**20, "Mi"), (2**10, "Ki")):
            q = value / scale
            if abs(q) >= 1 and round(q, 3) == q:
                return f"{q:g} {prefix}B"
        return f"{value:.15g} B"
    for scale, prefix in _PREFIXES:
        q = value / scale
        if abs(q) >= 1 and float(f"{q:.6g}") == q:
            return f"{q:.6g} {prefix}{unit}"
    return f"{value:.15g} {unit}".strip()


def plural(n: int, noun: str) -> str:
    """'1 layer', '39 layers'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")
