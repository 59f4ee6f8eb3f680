"""The one number formatter: SI prefixes, binary sizes, percentages that stay honest."""

from explorer.units import binary_bytes, count, format_value, percent, rate, si


def test_si_and_binary() -> None:
    assert si(7e8, "Hz") == "700 MHz"
    assert si(1.234e-3, "s") == "1.23 ms" and si(1e-4, "s") == "100 µs"
    assert rate(1.34e5) == "134 k/s"
    assert binary_bytes(110592) == "108 KiB" and binary_bytes(512) == "512 B"
    assert count(4.09e9) == "4.09 G"
    assert si(None) == "–" and si(float("nan"), "s") == "–"


def test_percent_never_hides_a_small_share() -> None:
    assert percent(0.0004) == "0.04 %"
    assert percent(0.72) == "72 %" and percent(0.052) == "5.2 %" and percent(0) == "0 %"


def test_format_value_by_unit() -> None:
    assert format_value(131072, "B") == "128 KiB"
    assert format_value(1e9, "Hz") == "1 GHz"
    assert format_value(16, "PE") == "16 PE"
    assert format_value(0.3, "pJ") == "0.3 pJ"
    assert format_value("ws") == "ws"


def test_exact_quantity_reads_back_exactly() -> None:
    from explorer.hardware.overrides import parse_quantity
    from explorer.units import exact_quantity

    for value, unit, text in ((7e8, "Hz", "700 MHz"), (1e9, "Hz", "1 GHz"),
                              (110592, "B", "108 KiB"), (1000, "B", "1000 B"),
                              (1.2345e9, "Hz", None)):
        shown = exact_quantity(value, unit)
        assert text is None or shown == text
        assert parse_quantity(shown.replace(" ", ""), unit, float, "t") == value
