"""A log axis labelled at whole decades only: pyqtgraph labels 2·10ⁿ … 9·10ⁿ as well when
a plot spans few decades, which crowds the roofline and parity plots."""

from __future__ import annotations

import math

import pyqtgraph as pg

from explorer.units import si

TICK_LABEL_PX = {False: 70, True: 28}  # room one label needs: across (x), up (y)


class DecadeLogAxis(pg.AxisItem):
    """Values are log10 of the quantity; labels are the quantity with SI prefixes when a
    `unit` is given ("100 µs", "1 Top/s"), plain numbers otherwise."""

    def __init__(self, orientation: str, unit: str | None = None) -> None:
        super().__init__(orientation)
        self.unit = unit
        self.setLogMode(True)
        self.enableAutoSIPrefix(False)  # values are decades, not quantities to scale

    def logTickValues(self, minVal: float, maxVal: float, size: float,
                      stdTicks: list) -> list:
        first, last = math.floor(minVal), math.ceil(maxVal)
        decades = [v for v in range(first, last + 1) if minVal <= v <= maxVal]
        # as many labels as fit: "100 µs" needs ~70 px across, a label's height up
        room = TICK_LABEL_PX[self.orientation in ("left", "right")]
        fit = max(2, int(size // room)) if size else 10
        step = max(1, math.ceil(len(decades) / min(fit, 10)))
        return [(float(step), decades[::step])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.unit is None:
            return [f"{10 ** v:g}" for v in values]
        return [si(10 ** v, self.unit) for v in values]


def log_log_plot(x_unit: str | None = None, y_unit: str | None = None) -> pg.PlotWidget:
    plot = pg.PlotWidget(axisItems={"left": DecadeLogAxis("left", y_unit),
                                    "bottom": DecadeLogAxis("bottom", x_unit)})
    plot.setBackground("w")
    plot.setMenuEnabled(False)
    plot.showGrid(x=True, y=True, alpha=0.2)
    if y_unit is not None:
        # Room for "100 Gop/s" and the axis title from the first paint on: the axis only
        # widens to its tick texts after painting them once, and until then the title
        # overlapped the tick labels (in screenshots and exported images too).
        plot.getAxis("left").setWidth(86)
    return plot


class LayerAxis(pg.AxisItem):
    """The bar chart's layer axis: bars stand at 1, 2, 3 … (the table's "#"), ticks only
    at whole bars, labelled with the layer's number, or with its name once zoomed in far
    enough for names to fit."""

    NAME_ROOM_PX = 70  # a bar this wide or wider shows its layer's name

    def __init__(self) -> None:
        super().__init__("bottom")
        self.numbers: dict[int, str] = {}  # bar position -> the layer's "#"
        self.names: dict[int, str] = {}  # bar position -> the layer's name
        self._px_per_bar = 0.0

    def set_layers(self, numbers: dict[int, str], names: dict[int, str]) -> None:
        self.numbers, self.names = numbers, names
        self.picture = None  # redraw the labels
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        self._px_per_bar = size / max(maxVal - minVal, 1e-9)
        levels = [(spacing, [v for v in values if float(v).is_integer() and v in self.numbers])
                  for spacing, values in super().tickValues(minVal, maxVal, size)
                  if spacing >= 1]
        if not levels:  # zoomed in past whole bars
            levels = [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)
                             if v in self.numbers])]
        return levels

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if spacing <= 1 and self._px_per_bar >= self.NAME_ROOM_PX:
            return [_shorten(self.names.get(int(v), ""), 12) for v in values]
        return [self.numbers.get(int(v), "") for v in values]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_empty(plot: pg.PlotWidget, message: str | None) -> None:
    """An empty plot says why and draws no axes (no fake 0–1 ranges); `None` brings the
    axes back for data."""
    item = plot.getPlotItem()
    text = getattr(plot, "_empty_text", None)
    if text is None:
        text = pg.TextItem(anchor=(0.5, 0.5), color="#777777")
        text.setZValue(10)
        plot._empty_text = text  # type: ignore[attr-defined]
    for side in ("left", "bottom"):
        item.showAxis(side, message is None)
    if message is None:
        if text.scene() is not None:
            plot.removeItem(text)
        return
    text.setText(message)
    if text.scene() is None:
        plot.addItem(text, ignoreBounds=True)
    view = item.getViewBox()
    (x0, x1), (y0, y1) = view.viewRange()
    text.setPos((x0 + x1) / 2, (y0 + y1) / 2)


class QuantityAxis(pg.AxisItem):
    """A value axis in `unit` that can switch to log: linear ticks get pyqtgraph's SI
    prefix in the axis title ("Latency (µs)"); log ticks sit at whole decades and each
    carries its own SI value ("100 µs", not "0.0001")."""

    def __init__(self, orientation: str, unit: str) -> None:
        super().__init__(orientation)
        self.unit = unit

    def set_log(self, log: bool) -> None:
        self.setLogMode(log)
        self.enableAutoSIPrefix(not log)

    def logTickValues(self, minVal: float, maxVal: float, size: float,
                      stdTicks: list) -> list:
        return DecadeLogAxis.logTickValues(self, minVal, maxVal, size, stdTicks)  # type: ignore[arg-type]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.logMode:
            return [si(10 ** v, self.unit) for v in values]
        return super().tickStrings(values, scale, spacing)
