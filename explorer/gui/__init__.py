"""The desktop GUI (PySide6 + pyqtgraph): a thin layer over the Qt-free core.

`app.run()` starts it; `main_window.MainWindow` wires the accelerator panel (a form
generated from the pydantic schema), the views (latency bars, roofline, comparison,
summary, layer table) and a background worker that drives the core's estimators.
The only package that may import Qt.
"""
