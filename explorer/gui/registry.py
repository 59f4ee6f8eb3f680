"""The window's tabs, in order. A view is a QWidget with `attach(session, host)`; adding
one is its own module plus one line here."""

from __future__ import annotations

from explorer.gui.views.ab import ABView
from explorer.gui.views.breakdown import BreakdownView
from explorer.gui.views.comparison import ComparisonView
from explorer.gui.views.devices import DevicesView
from explorer.gui.views.explore import ExploreView
from explorer.gui.views.graph import GraphView
from explorer.gui.views.overview import OverviewTab
from explorer.gui.views.sensitivity import SensitivityView
from explorer.gui.views.sweep import SweepView

TABS = [
    ("overview", "Latency && roofline", OverviewTab),
    ("breakdown", "Breakdown", BreakdownView),
    ("ab", "A/B", ABView),
    ("graph", "Graph", GraphView),
    ("comparison", "Comparison", ComparisonView),
    ("sweep", "Sweep", SweepView),
    ("explore", "Explore", ExploreView),
    ("sensitivity", "Sensitivity", SensitivityView),
    ("devices", "Devices", DevicesView),
]
